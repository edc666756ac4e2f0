//! File storage (P-3.4): uploads are staged on local disk while they arrive (size capped,
//! type sniffed, hashed), then handed to a [`BlobStore`] under their SHA-256, so the same
//! scan stored twice is kept once. The default store is a directory outside the web root;
//! an S3-compatible store (DESIGN §6) implements the same trait.
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::domain::eform::FileType;

pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait BlobStore: Send + Sync {
    /// Moves a finished staging file into the store under `sha`.
    fn put<'a>(&'a self, staged: &'a Path, sha: &'a str) -> BoxFut<'a, io::Result<()>>;
    fn read<'a>(&'a self, sha: &'a str) -> BoxFut<'a, io::Result<Vec<u8>>>;
    fn delete<'a>(&'a self, sha: &'a str) -> BoxFut<'a, io::Result<()>>;
    fn exists<'a>(&'a self, sha: &'a str) -> BoxFut<'a, bool>;
    /// Where uploads are staged while they arrive.
    fn staging_dir(&self) -> PathBuf;
}

/// Blobs as files `root/blobs/ab/abcdef…`; staging in `root/tmp`.
pub struct DiskStore {
    root: PathBuf,
}

/// The store's name for `bytes`: SHA-256 in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn valid_sha(sha: &str) -> bool {
    sha.len() == 64
        && sha
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl DiskStore {
    pub fn new(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join("blobs"))?;
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root })
    }

    fn path(&self, sha: &str) -> io::Result<PathBuf> {
        // The name is always our own hash; refusing anything else keeps paths inside the root.
        if !valid_sha(sha) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad blob name"));
        }
        Ok(self.root.join("blobs").join(&sha[..2]).join(sha))
    }

    /// Files in the store and in staging (tests check that refused uploads leave nothing).
    pub fn count_files(&self) -> usize {
        fn walk(p: &Path) -> usize {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| {
                            let p = e.path();
                            if p.is_dir() {
                                walk(&p)
                            } else {
                                1
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.root)
    }
}

impl BlobStore for DiskStore {
    fn put<'a>(&'a self, staged: &'a Path, sha: &'a str) -> BoxFut<'a, io::Result<()>> {
        Box::pin(async move {
            let dest = self.path(sha)?;
            if tokio::fs::try_exists(&dest).await.unwrap_or(false) {
                tokio::fs::remove_file(staged).await?;
                return Ok(());
            }
            if let Some(dir) = dest.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            tokio::fs::rename(staged, &dest).await
        })
    }

    fn read<'a>(&'a self, sha: &'a str) -> BoxFut<'a, io::Result<Vec<u8>>> {
        Box::pin(async move { tokio::fs::read(self.path(sha)?).await })
    }

    fn delete<'a>(&'a self, sha: &'a str) -> BoxFut<'a, io::Result<()>> {
        Box::pin(async move {
            match tokio::fs::remove_file(self.path(sha)?).await {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        })
    }

    fn exists<'a>(&'a self, sha: &'a str) -> BoxFut<'a, bool> {
        Box::pin(async move {
            match self.path(sha) {
                Ok(p) => tokio::fs::try_exists(p).await.unwrap_or(false),
                Err(_) => false,
            }
        })
    }

    fn staging_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
}

/// Why an upload was refused while it arrived.
#[derive(Debug, PartialEq, Eq)]
pub enum UploadError {
    TooLarge,
    Empty,
    WrongType,
    Io,
}

/// An upload being received. Dropping it before [`Staged::finish`] deletes the partial file,
/// so an interrupted or refused upload leaves nothing behind.
pub struct Staged {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: Sha256,
    size: u64,
    limit: u64,
    head: Vec<u8>,
    allowed: Vec<FileType>,
    kept: bool,
}

pub struct Finished {
    pub path: PathBuf,
    pub sha256: String,
    pub size: u64,
    pub kind: FileType,
    guard: Option<Staged>,
}

impl Finished {
    /// The blob store took the file; nothing to clean up.
    pub fn consumed(mut self) {
        if let Some(mut g) = self.guard.take() {
            g.kept = true;
        }
    }
}

impl Staged {
    pub async fn new(
        store: &dyn BlobStore,
        limit: u64,
        allowed: Vec<FileType>,
    ) -> io::Result<Self> {
        use rand::RngCore;
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let name: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let dir = store.staging_dir();
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(format!("{name}.part"));
        let file = tokio::fs::File::create(&path).await?;
        Ok(Self {
            path,
            file: Some(file),
            hasher: Sha256::new(),
            size: 0,
            limit,
            head: Vec::new(),
            allowed,
            kept: false,
        })
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(UploadError::TooLarge);
        }
        if self.head.len() < 16 {
            let need = 16 - self.head.len();
            self.head.extend_from_slice(&chunk[..need.min(chunk.len())]);
            if self.head.len() >= 8 && self.sniff().is_none() {
                return Err(UploadError::WrongType);
            }
        }
        self.hasher.update(chunk);
        let f = self.file.as_mut().ok_or(UploadError::Io)?;
        f.write_all(chunk).await.map_err(|_| UploadError::Io)
    }

    fn sniff(&self) -> Option<FileType> {
        FileType::sniff(&self.head).filter(|t| self.allowed.contains(t))
    }

    pub async fn finish(mut self) -> Result<Finished, UploadError> {
        if self.size == 0 {
            return Err(UploadError::Empty);
        }
        let kind = self.sniff().ok_or(UploadError::WrongType)?;
        let mut f = self.file.take().ok_or(UploadError::Io)?;
        f.flush().await.map_err(|_| UploadError::Io)?;
        f.sync_all().await.map_err(|_| UploadError::Io)?;
        drop(f);
        let sha: String = std::mem::take(&mut self.hasher)
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Finished {
            path: self.path.clone(),
            sha256: sha,
            size: self.size,
            kind,
            guard: Some(self),
        })
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Browsers send only a file's own name; one with a directory part, a parent reference or
/// control characters comes from a crafted request and is refused (P-3.4).
pub fn name_is_safe(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= 255
        && !raw.contains(['/', '\\'])
        && !raw.starts_with('.')
        && !raw.chars().any(char::is_control)
}

/// A file name safe to show and to offer as a download name: no directories, no control or
/// reserved characters, at most 120 characters, and the extension of the type we detected.
pub fn sanitise_name(raw: &str, kind: FileType) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let stem = match base.rsplit_once('.') {
        Some((s, _)) => s,
        None => base,
    };
    let mut clean: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect::<String>()
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .chars()
        .take(120)
        .collect();
    if clean.is_empty() {
        clean = "tai-lieu".into();
    }
    format!("{clean}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised() {
        assert_eq!(
            sanitise_name("../../etc/passwd", FileType::Pdf),
            "passwd.pdf"
        );
        assert_eq!(
            sanitise_name("C:\\Users\\an\\Giấy khai sinh.PDF", FileType::Pdf),
            "Giấy khai sinh.pdf"
        );
        assert_eq!(sanitise_name("virus.exe", FileType::Png), "virus.png");
        assert_eq!(sanitise_name("..", FileType::Jpeg), "tai-lieu.jpg");
        assert_eq!(sanitise_name("a\u{0}b<c>.pdf", FileType::Pdf), "abc.pdf");
    }

    #[tokio::test]
    async fn refused_uploads_leave_nothing() {
        let dir = std::env::temp_dir().join(format!("portal-store-{}", std::process::id()));
        let store = DiskStore::new(&dir).unwrap();
        let all = vec![FileType::Pdf, FileType::Png, FileType::Jpeg];
        let mut s = Staged::new(&store, 10, all.clone()).await.unwrap();
        assert_eq!(
            s.write(b"MZ\x90\x00\x03\x00\x00\x00").await,
            Err(UploadError::WrongType)
        );
        drop(s);
        let mut s = Staged::new(&store, 10, all.clone()).await.unwrap();
        assert_eq!(
            s.write(b"%PDF-1.7 long body").await,
            Err(UploadError::TooLarge)
        );
        drop(s);
        let s = Staged::new(&store, 10, all.clone()).await.unwrap();
        assert!(matches!(s.finish().await, Err(UploadError::Empty)));
        assert_eq!(store.count_files(), 0);
        let mut s = Staged::new(&store, 100, all).await.unwrap();
        s.write(b"%PDF-1.7\n%%EOF").await.unwrap();
        let f = s.finish().await.unwrap();
        store.put(&f.path, &f.sha256).await.unwrap();
        let sha = f.sha256.clone();
        f.consumed();
        assert_eq!(store.count_files(), 1);
        assert_eq!(store.read(&sha).await.unwrap(), b"%PDF-1.7\n%%EOF");
        assert!(store.read("../../x").await.is_err());
        store.delete(&sha).await.unwrap();
        assert_eq!(store.count_files(), 0);
        let _ = std::fs::remove_dir_all(dir);
    }
}
