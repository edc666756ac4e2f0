//! Test support: real databases (a fresh SQLite file, a fresh PostgreSQL database) and a tiny
//! HTTP/1.1 client over a real socket.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database};

static SEQ: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    )
}

/// A database for one test; PostgreSQL databases are dropped by [`TestDb::cleanup`].
pub struct TestDb {
    pub url: String,
    admin_url: Option<String>,
    name: String,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = std::env::temp_dir().join("portal-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let name = unique("t");
        let path = dir.join(format!("{name}.db"));
        Self {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            admin_url: None,
            name,
        }
    }

    /// A new, empty PostgreSQL database on the server named by `TEST_DATABASE_URL`
    /// (default: the local server). Fails, never skips, when the server is unreachable.
    pub async fn postgres() -> Self {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into());
        let admin = Database::connect(admin_url.as_str())
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL unreachable at {admin_url} (set TEST_DATABASE_URL): {e}")
            });
        let name = unique("portal_t");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        Self {
            url: format!("{base}/{name}"),
            admin_url: Some(admin_url),
            name,
        }
    }

    pub async fn cleanup(self) {
        if let Some(admin_url) = self.admin_url {
            if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                let _ = admin
                    .execute_unprepared(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    ))
                    .await;
            }
        } else if let Some(path) = self.url.strip_prefix("sqlite://") {
            let file = path.split('?').next().unwrap_or_default();
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{file}{suffix}"));
            }
        }
    }
}

pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.1 request over a fresh TCP connection and reads the whole response.
pub async fn request(
    addr: std::net::SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(req.as_bytes()).await.expect("write");
    // A server may answer (413, 422) before it has read a large body and close; what it said
    // is still readable, so a failed write is not the test's failure.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if !raw.is_empty() => {
                let _ = e;
                break;
            }
            Err(e) => panic!("read: {e}"),
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut rest = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        rest = dechunk(&rest);
    }
    HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&rest).to_string(),
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = b.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        b = &b[eol + 2..];
        if size == 0 || b.len() < size {
            break;
        }
        out.extend_from_slice(&b[..size]);
        b = &b[(size + 2).min(b.len())..];
    }
    out
}

pub async fn get(addr: std::net::SocketAddr, target: &str) -> HttpResponse {
    request(addr, "GET", target, &[], b"").await
}

/// Authentication services with fixed test keys; mail goes to files under the temp dir.
pub fn test_auth() -> app::server::auth::Auth {
    app::server::auth::Auth::new(app::server::auth::AuthConfig {
        policy: Default::default(),
        jwt_secret: TEST_JWT_SECRET.to_vec(),
        data_key: [9u8; 32],
        public_url: "http://127.0.0.1".into(),
        smtp_url: None,
        mail_from: "Test <test@example.vn>".into(),
        mail_dir: std::env::temp_dir()
            .join("portal-tests-mail")
            .display()
            .to_string(),
    })
    .expect("auth config")
}

pub const TEST_JWT_SECRET: &[u8] = b"test-signing-key-test-signing-key-0123";

/// Settings for an app on a random loopback port with test keys.
pub fn test_settings(db_url: &str) -> server::Settings {
    let mut s = server::Settings::from_env().expect("settings");
    s.addr = "127.0.0.1:0".parse().expect("addr");
    s.database_url = db_url.into();
    s.jwt_secret = Some(TEST_JWT_SECRET.to_vec());
    s.data_key = Some([9u8; 32]);
    s.public_url = None;
    s.smtp_url = None;
    s.mail_dir = std::env::temp_dir()
        .join("portal-tests-mail")
        .display()
        .to_string();
    s
}

/// The app built from `s` (migrated, with the demo data when `s.demo`) and serving on its
/// address, and the test's own services on the same database and files (the portal catalogue
/// of `s`).
pub async fn start_app(s: server::Settings) -> (std::net::SocketAddr, app::server::Services) {
    let portal = s.portal.clone();
    let url = s.database_url.clone();
    let files = s.files_dir.clone();
    let built = server::Application::build(s).await.expect("app builds");
    let addr = built.local_addr().expect("addr");
    tokio::spawn(built.serve());
    let conn = Database::connect(url.as_str()).await.expect("db");
    let mut svc = app::server::Services::load(conn, portal, test_auth())
        .await
        .expect("services");
    svc.storage = std::sync::Arc::new(
        app::server::storage::DiskStore::new(std::path::Path::new(&files)).expect("store"),
    );
    (addr, svc)
}

/// The first one-stop unit of the demo data (the ward's reception).
pub async fn one_stop(svc: &app::server::Services) -> i32 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .order_by_asc(entity::agency::Column::Id)
        .one(&svc.db)
        .await
        .expect("q")
        .expect("a one-stop unit")
        .id
}

/// A real SMTP server on loopback that keeps every message it receives (RFC 5321 subset:
/// EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT).
pub struct SmtpSink {
    pub addr: std::net::SocketAddr,
    pub messages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind smtp");
        let addr = listener.local_addr().expect("addr");
        let messages = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = sock.into_split();
                    let mut lines = BufReader::new(r).lines();
                    let _ = w.write_all(b"220 sink ESMTP\r\n").await;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let cmd = line.to_ascii_uppercase();
                        let reply: &[u8] = if cmd.starts_with("EHLO") {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if cmd.starts_with("DATA") {
                            let _ = w.write_all(b"354 go ahead\r\n").await;
                            let mut msg = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                msg.push_str(l.strip_prefix('.').unwrap_or(&l));
                                msg.push('\n');
                            }
                            store.lock().expect("lock").push(msg);
                            b"250 queued\r\n"
                        } else if cmd.starts_with("QUIT") {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = w.write_all(reply).await;
                    }
                });
            }
        });
        Self { addr, messages }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The last message to `to`, with quoted-printable soft line breaks undone.
    pub fn last_to(&self, to: &str) -> Option<String> {
        self.messages
            .lock()
            .expect("lock")
            .iter()
            .rev()
            .find(|m| m.contains(&format!("To: {to}")))
            .map(|m| m.replace("=\n", "").replace("=3D", "="))
    }

    pub fn count(&self) -> usize {
        self.messages.lock().expect("lock").len()
    }
}

/// A browser-like client: keeps cookies, sends `Origin`, fills the CSRF field from its cookie.
pub struct Client {
    pub addr: std::net::SocketAddr,
    pub cookies: std::collections::BTreeMap<String, String>,
}

impl Client {
    pub fn new(addr: std::net::SocketAddr) -> Self {
        Self {
            addr,
            cookies: Default::default(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn absorb(&mut self, res: &HttpResponse) {
        for (k, v) in &res.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let first = v.split(';').next().unwrap_or("");
            if let Some((name, value)) = first.split_once('=') {
                let gone = v.contains("Max-Age=0") || value.is_empty();
                if gone {
                    self.cookies.remove(name.trim());
                } else {
                    self.cookies.insert(name.trim().into(), value.trim().into());
                }
            }
        }
    }

    pub async fn get(&mut self, target: &str) -> HttpResponse {
        let c = self.cookie_header();
        let res = request(
            self.addr,
            "GET",
            target,
            &[
                ("Cookie", &c),
                ("Accept", "text/html"),
                ("User-Agent", "test-browser"),
            ],
            b"",
        )
        .await;
        self.absorb(&res);
        res
    }

    pub fn csrf(&self) -> String {
        self.cookies
            .get("__Host-portal_csrf")
            .cloned()
            .unwrap_or_default()
    }

    /// Posts a form as a same-origin page would, with this browser's CSRF token.
    pub async fn post(&mut self, target: &str, fields: &[(&str, &str)]) -> HttpResponse {
        if self.csrf().is_empty() {
            self.get("/").await;
        }
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(target, &all, Some(&format!("http://{}", self.addr)))
            .await
    }

    pub async fn post_raw(
        &mut self,
        target: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> HttpResponse {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let c = self.cookie_header();
        let mut headers = vec![
            ("Cookie", c.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("User-Agent", "test-browser"),
        ];
        if let Some(o) = origin {
            headers.push(("Origin", o));
        }
        let res = request(self.addr, "POST", target, &headers, body.as_bytes()).await;
        self.absorb(&res);
        res
    }
}

impl Client {
    /// Posts `multipart/form-data` as a browser's file form does: text fields first (with this
    /// browser's CSRF token), then one file part.
    pub async fn post_file(
        &mut self,
        target: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: &[u8],
    ) -> HttpResponse {
        if self.csrf().is_empty() {
            self.get("/").await;
        }
        let boundary = "----portaltestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        let csrf = self.csrf();
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
        all.extend_from_slice(fields);
        for (k, v) in all {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let c = self.cookie_header();
        let ct = format!("multipart/form-data; boundary={boundary}");
        let origin = format!("http://{}", self.addr);
        let headers = vec![
            ("Cookie", c.as_str()),
            ("Content-Type", ct.as_str()),
            ("User-Agent", "test-browser"),
            ("Origin", origin.as_str()),
        ];
        let res = request(self.addr, "POST", target, &headers, &body).await;
        self.absorb(&res);
        res
    }
}

pub fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Officers of one unit with real accounts (a specialist must exist to be assigned).
pub struct Staff {
    pub counter: app::domain::account::Principal,
    pub specialist: app::domain::account::Principal,
    pub other_specialist: app::domain::account::Principal,
    pub leader: app::domain::account::Principal,
}

/// Creates the four officers of `unit` through the administration service (B-g).
pub async fn staff(svc: &app::server::Services, unit: i32, tag: &str) -> Staff {
    use app::domain::account::{AccountKind, Principal, Role, RoleGrant, Stage};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let admin = Principal {
        user_id: 0,
        session_id: "admin".into(),
        kind: AccountKind::Officer,
        full_name: "Quản trị".into(),
        email: "quantri@example.vn".into(),
        stage: Stage::Full,
        roles: vec![RoleGrant {
            role: Role::SystemAdmin,
            agency_id: None,
            agency_name: None,
        }],
    };
    let make = async |name: &str, who: &str, role: Role| {
        let email = format!("{who}.{tag}.{unit}@example.vn");
        app::server::auth::accounts::create_officer(
            svc,
            &admin,
            app::server::auth::accounts::NewOfficer {
                full_name: name.into(),
                email: email.clone(),
                agency_id: unit,
                role: role.as_str().into(),
            },
            &Default::default(),
        )
        .await
        .expect("officer created");
        let u = entity::user_account::Entity::find()
            .filter(entity::user_account::Column::Email.eq(email.clone()))
            .one(&svc.db)
            .await
            .expect("q")
            .expect("officer row");
        Principal {
            user_id: u.id,
            session_id: format!("s-{}", u.id),
            kind: AccountKind::Officer,
            full_name: name.into(),
            email,
            stage: Stage::Full,
            roles: vec![RoleGrant {
                role,
                agency_id: Some(unit),
                agency_name: None,
            }],
        }
    };
    Staff {
        counter: make("Trần Thị Một Cửa", "motcua", Role::OneStopOfficer).await,
        specialist: make("Lê Văn Chuyên", "chuyenvien", Role::Specialist).await,
        other_specialist: make("Phạm Thị Khác", "chuyenvien2", Role::Specialist).await,
        leader: make("Võ Văn Lãnh Đạo", "lanhdao", Role::UnitLeader).await,
    }
}

/// A protocol simulator (`peer npsp|vnpay|sms`: server/src/bin/peer.rs) in its own process
/// on a free loopback port; killed when dropped.
pub struct Peer {
    pub addr: std::net::SocketAddr,
    _child: tokio::process::Child,
}

impl Peer {
    pub async fn start(kind: &str) -> Self {
        Self::start_env(kind, &[]).await
    }

    /// [`Peer::start`] with environment settings for the peer.
    pub async fn start_env(kind: &str, env: &[(&str, &str)]) -> Self {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_peer"));
        cmd.arg(kind);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Self::spawn(cmd).await
    }

    /// The national e-ID's OpenID provider stand-in (`end2end/scripts/oidc-peer.mjs`, the npm
    /// package `oidc-provider` in Node), with this portal's client registered for `redirect`
    /// and `logout`.
    pub async fn oidc(redirect: &str, logout: &str) -> Self {
        let mut cmd = tokio::process::Command::new("node");
        cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .arg("end2end/scripts/oidc-peer.mjs")
            .arg("127.0.0.1:0")
            .env("PEER_OIDC_REDIRECT_URIS", redirect)
            .env("PEER_OIDC_LOGOUT_URIS", logout)
            .stderr(std::process::Stdio::null());
        Self::spawn(cmd).await
    }

    async fn spawn(mut cmd: tokio::process::Command) -> Self {
        use tokio::io::AsyncBufReadExt;
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("peer starts");
        let out = child.stdout.take().expect("stdout");
        let mut reader = tokio::io::BufReader::new(out);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .await
            .expect("peer prints its address");
        // Whatever the peer prints later is read and dropped: a closed pipe would kill it.
        tokio::spawn(async move {
            let mut sink = String::new();
            while reader.read_line(&mut sink).await.is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected peer output {line:?}"));
        Self {
            addr,
            _child: child,
        }
    }

    /// A test control (`POST /_peer/…`), answered 204.
    pub async fn control(&self, path: &str) {
        let r = request(self.addr, "POST", path, &[], b"").await;
        assert_eq!(r.status, 204, "{path}");
    }

    /// What the peer received (`GET /_peer/state`).
    pub async fn state(&self) -> serde_json::Value {
        serde_json::from_str(&get(self.addr, "/_peer/state").await.body).expect("peer state")
    }
}

/// A submitted dossier (a fixture row: filing itself is tested in tests/dossier.rs) following
/// the seeded workflow `workflow`, received by `unit`, due in 10 working days.
pub async fn filed(
    svc: &app::server::Services,
    workflow: &str,
    unit: i32,
    code: String,
    applicant: Option<i32>,
) -> i32 {
    filed_due(svc, workflow, unit, code, applicant, 10).await
}

/// [`filed`], due in `days` working days from today.
pub async fn filed_due(
    svc: &app::server::Services,
    workflow: &str,
    unit: i32,
    code: String,
    applicant: Option<i32>,
    days: u32,
) -> i32 {
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let wf = entity::workflow::Entity::find()
        .filter(entity::workflow::Column::Code.eq(workflow))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("seeded workflow");
    let version = entity::procedure_version::Entity::find()
        .one(&svc.db)
        .await
        .expect("q")
        .expect("a procedure");
    let t = app::server::auth::now();
    let today = app::domain::calendar::Day::from_unix_vn(t);
    entity::dossier::ActiveModel {
        code: Set(Some(code.clone())),
        procedure_id: Set(version.procedure_id),
        version_id: Set(version.id),
        agency_id: Set(unit),
        applicant_id: Set(applicant),
        applicant_name: Set(format!("Nguyễn Văn Nộp {code}")),
        channel: Set("online".into()),
        status: Set(1),
        form_data: Set("{}".into()),
        schema_version: Set(1),
        revision: Set(1),
        created_at: Set(t),
        updated_at: Set(t),
        submitted_at: Set(Some(t)),
        due_date: Set(Some(svc.calendar.get().due_date(today, days).to_string())),
        workflow_id: Set(Some(wf.id)),
        state: Set(Some("submitted".into())),
        unit_id: Set(Some(unit)),
        ..Default::default()
    }
    .insert(&svc.db)
    .await
    .expect("dossier")
    .id
}

/// A procedure `unit` receives, with a time limit, and its latest version.
pub async fn procedure_received(
    svc: &app::server::Services,
    unit: i32,
) -> (entity::procedure::Model, entity::procedure_version::Model) {
    use sea_orm::{EntityTrait, QueryOrder};
    for v in entity::procedure_version::Entity::find()
        .order_by_desc(entity::procedure_version::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
    {
        let Some(p) = entity::procedure::Entity::find_by_id(v.procedure_id)
            .one(&svc.db)
            .await
            .expect("q")
        else {
            continue;
        };
        let units = app::server::dossier::receiving_units(svc, &p)
            .await
            .expect("units");
        if v.time_limit_days.is_some() && units.iter().any(|u| u.id == unit) {
            return (p, v);
        }
    }
    panic!("a procedure the unit receives, with a time limit");
}

/// B-m: the app as its own process on `db_url` with the adapter settings `env`, killed with
/// SIGKILL as soon as `in_flight` says it has a delivery under way (a peer slowed down so the
/// call is still open). Its claim stays until the lease (3 s) runs out; the caller then
/// checks that another worker delivers everything and the receiver took each message once.
pub async fn kill_mid_delivery<F, Fut>(db_url: &str, env: &[(&str, String)], in_flight: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let files = std::env::temp_dir().join(format!(
        "portal-kill-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    ));
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env("DATABASE_URL", db_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("PORTAL_DEMO", "0")
        .env(
            "PORTAL_JWT_SECRET",
            "kill-test-signing-key-kill-test-signing-key",
        )
        .env("PORTAL_DATA_KEY", "09".repeat(32))
        .env("PORTAL_FILES_DIR", &files)
        .env("PORTAL_MAIL_DIR", &files)
        .env("PORTAL_OUTBOX_INTERVAL_MS", "100")
        .env("PORTAL_OUTBOX_LEASE_SECS", "3")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("server process starts");
    let mut started = false;
    for _ in 0..600 {
        if in_flight().await {
            started = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(started, "the app process started delivering");
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("killed");
    let _ = std::fs::remove_dir_all(&files);
}

/// What another worker does after a killed one's lease: outbox rounds until no message of
/// `topic` is pending, within 15 s.
pub async fn drain(svc: &app::server::Services, topic: &str) {
    use entity::outbox_message;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for _ in 0..60 {
        let pending = outbox_message::Entity::find()
            .filter(outbox_message::Column::Topic.eq(topic))
            .filter(outbox_message::Column::Status.eq(app::server::outbox::PENDING))
            .count(&svc.db)
            .await
            .expect("q");
        if pending == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        app::server::outbox::run_once(svc, 20).await.expect("round");
    }
    panic!("{topic}: not delivered within the bound");
}

/// Time passes for the outbox: every waiting message is due now.
pub async fn make_due(svc: &app::server::Services) {
    use entity::outbox_message;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::NextAt, Expr::value(0i64))
        .filter(outbox_message::Column::Status.eq(app::server::outbox::PENDING))
        .exec(&svc.db)
        .await
        .expect("due");
}

/// A system administrator (B-g), as the integration pages need.
pub fn admin() -> app::domain::account::Principal {
    use app::domain::account::{AccountKind, Principal, Role, RoleGrant, Stage};
    Principal {
        user_id: 0,
        session_id: "admin".into(),
        kind: AccountKind::Officer,
        full_name: "Quản trị".into(),
        email: "quantri@example.vn".into(),
        stage: Stage::Full,
        roles: vec![RoleGrant {
            role: Role::SystemAdmin,
            agency_id: None,
            agency_name: None,
        }],
    }
}

pub fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(s[i..j].to_string())
}

pub fn location(r: &HttpResponse) -> String {
    r.header("location").unwrap_or_default().to_owned()
}

/// Permanent residence registration: commune level, online.
pub const RESIDENCE: &str = "1.004222";

/// A complete draft of the residence procedure made through the pages by the signed-in
/// client, with a small PDF in its first document slot.
pub async fn ready_draft(c: &mut Client, commune: &str) -> i32 {
    ready_draft_with(
        c,
        commune,
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    )
    .await
}

/// [`ready_draft`] with `pdf` as the document.
pub async fn ready_draft_with(c: &mut Client, commune: &str, pdf: &[u8]) -> i32 {
    let page = c.get(&format!("/ho-so/moi?thu-tuc={RESIDENCE}")).await;
    let key = between(&page.body, "name=\"key\" value=\"", "\"").expect("start key");
    let agency = between(&page.body, "name=\"agency_id\" value=\"", "\"").expect("a unit");
    let r = c
        .post(
            "/ho-so/moi",
            &[
                ("procedure", RESIDENCE),
                ("key", &key),
                ("agency_id", &agency),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id: i32 = location(&r)
        .trim_start_matches("/ho-so/")
        .parse()
        .expect("id");
    let form = c.get(&format!("/ho-so/{id}/bieu-mau")).await;
    let rev = between(&form.body, "name=\"_revision\" value=\"", "\"").expect("revision");
    let r = c
        .post(
            &format!("/ho-so/{id}/bieu-mau"),
            &[
                ("applicant_name", "Nguyễn Văn An"),
                ("applicant_birth", "1990-05-01"),
                ("applicant_gender", "nam"),
                ("applicant_id", "048199000123"),
                ("applicant_phone", "0905000123"),
                ("new_address.province", "48"),
                ("new_address.commune", commune),
                ("new_address.street", "12 Lê Lợi"),
                ("basis", "so_huu"),
                ("declaration", "1"),
                ("_revision", &rev),
                ("action", "continue"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(2000)]);
    let docs = c.get(&format!("/ho-so/{id}/giay-to")).await;
    let slot = between(&docs.body, "name=\"slot\" value=\"", "\"").expect("a slot");
    let r = c
        .post_file(
            &format!("/ho-so/{id}/giay-to"),
            &[("slot", &slot)],
            "giay-to.pdf",
            pdf,
        )
        .await;
    assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(2000)]);
    id
}

/// A browser already signed in as user `user_id` with a full session, as after the password
/// and two-step pages (which `security.rs` covers): for officer pages over HTTP.
pub async fn signed_in(
    addr: std::net::SocketAddr,
    svc: &app::server::Services,
    user_id: i32,
) -> Client {
    let issued = app::server::auth::session::create(
        svc,
        user_id,
        app::domain::account::Stage::Full,
        &Default::default(),
    )
    .await
    .expect("session");
    let names = server::auth::cookie_names(true);
    let mut c = Client::new(addr);
    c.cookies.insert(names.access.into(), issued.access);
    c.cookies.insert(names.refresh.into(), issued.refresh);
    c
}
