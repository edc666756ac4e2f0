//! What the `make bench` examples share: a fresh database with the demo data, the services the
//! HTTP handlers use, and cleaning up afterwards.
use std::sync::Arc;

use sea_orm::ConnectionTrait;

pub struct Bench {
    pub svc: app::server::Services,
    pub url: String,
    pg_admin: Option<(sea_orm::DatabaseConnection, String)>,
    files: std::path::PathBuf,
}

impl Bench {
    pub fn backend(&self) -> &'static str {
        if self.url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// Migrates and seeds a fresh database: for PostgreSQL a new database on the given server
    /// (dropped by [`Bench::finish`]), for SQLite the given file.
    pub async fn start(given: &str) -> Result<Bench, Box<dyn std::error::Error>> {
        let (url, pg_admin) = if given.starts_with("postgres") {
            let admin = sea_orm::Database::connect(given).await?;
            let name = format!("portal_bench_{}", std::process::id());
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            let base = given.rsplit_once('/').map(|(b, _)| b).unwrap_or(given);
            (format!("{base}/{name}"), Some((admin, name)))
        } else {
            (given.to_string(), None)
        };
        let files = std::env::temp_dir().join(format!("portal-bench-files-{}", std::process::id()));
        let mut s = server::Settings::from_env()?;
        s.addr = "127.0.0.1:0".parse()?;
        s.database_url = url.clone();
        s.demo = true;
        s.files_dir = files.display().to_string();
        s.jwt_secret = Some(b"bench-signing-key-bench-signing-key-0123".to_vec());
        s.data_key = Some([7u8; 32]);
        s.smtp_url = None;
        s.mail_dir = std::env::temp_dir()
            .join("portal-bench-mail")
            .display()
            .to_string();
        let portal = s.portal.clone();
        // Built only to migrate and seed. Dropping it would drop the Leptos owner, whose cleanup
        // spawns a local task; it lives until the process ends.
        let app = server::Application::build(s.clone()).await?;
        std::mem::forget(app);
        let db = sea_orm::Database::connect(url.as_str()).await?;
        let auth = app::server::auth::Auth::new(app::server::auth::AuthConfig {
            policy: Default::default(),
            jwt_secret: s.jwt_secret.clone().unwrap_or_default(),
            data_key: [7u8; 32],
            public_url: "http://127.0.0.1".into(),
            smtp_url: None,
            mail_from: "Bench <bench@example.vn>".into(),
            mail_dir: s.mail_dir.clone(),
        })?;
        let mut svc = app::server::Services::load(db, portal, auth).await?;
        svc.storage = Arc::new(app::server::storage::DiskStore::new(&files)?);
        Ok(Bench {
            svc,
            url,
            pg_admin,
            files,
        })
    }

    pub async fn finish(self) -> Result<(), Box<dyn std::error::Error>> {
        let _ = std::fs::remove_dir_all(&self.files);
        drop(self.svc);
        if let Some((admin, name)) = self.pg_admin {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await?;
        }
        Ok(())
    }
}

/// Runs `main`'s body where Leptos can spawn local tasks: listing the routes renders the app
/// once, and under the tokio executor that needs a `LocalSet` (a release build panicked
/// without one).
pub fn run<F>(f: F) -> Result<(), Box<dyn std::error::Error>>
where
    F: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    tokio::task::LocalSet::new().block_on(&rt, f)
}

/// The value at quantile `q` of sorted samples.
pub fn pct(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1))]
}
