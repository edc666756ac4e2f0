//! Composition root: configuration, database, migrations, routes and middleware. `main` and
//! the HTTP tests both start the application through [`Application::build`].
pub mod api;
pub mod auth;
pub mod dossier;
pub mod editor;

use std::net::SocketAddr;
use std::time::Duration;

use app::domain::catalogue::PortalInfo;
use app::server::Services;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Runtime configuration, read from the environment with defaults that need nothing set.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `LEPTOS_SITE_ADDR` (Leptos' own convention), default 127.0.0.1:3000.
    pub addr: SocketAddr,
    /// `DATABASE_URL`, default an SQLite file under `./data/`.
    pub database_url: String,
    /// `LEPTOS_SITE_ROOT`: where the built CSS/WASM live (`target/site`).
    pub site_root: String,
    /// `PORTAL_DEMO=0` switches off the demo province's agencies.
    pub demo: bool,
    pub portal: PortalInfo,
    /// `PORTAL_JWT_SECRET`: signing key for access tokens (≥ 32 bytes). Required.
    pub jwt_secret: Option<Vec<u8>>,
    /// `PORTAL_DATA_KEY`: 32-byte AES key (64 hex digits or base64) for personal data. Required.
    pub data_key: Option<[u8; 32]>,
    /// `PORTAL_PUBLIC_URL`: the address users reach, for email links and the origin check.
    pub public_url: Option<String>,
    /// `PORTAL_SMTP_URL`: mail relay; without it mail goes to `PORTAL_MAIL_DIR` as files.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_dir: String,
    /// `PORTAL_FILES_DIR`: uploaded documents and results, outside the web root (P-3.4).
    pub files_dir: String,
    /// `PORTAL_TRUST_PROXY=1`: take the client address from `X-Forwarded-For` (only behind a
    /// reverse proxy that sets it).
    pub trust_proxy: bool,
    pub policy: app::server::auth::SecurityPolicy,
    /// `PORTAL_NPSP_URL` and companions: push dossiers to the National Public Service Portal
    /// (B-m). Off when unset.
    pub npsp: Option<app::server::npsp::NpspConfig>,
    /// `PORTAL_VNPAY_URL`, `PORTAL_VNPAY_TMN_CODE`, `PORTAL_VNPAY_HASH_SECRET`: online payment
    /// through VNPay (P-3.6). Off when unset.
    pub vnpay: Option<app::server::vnpay::VnpayConfig>,
    /// `PORTAL_PAYGOV_URL`, `PORTAL_PAYGOV_PARTNER`, `PORTAL_PAYGOV_SECRET` (and optionally
    /// `PORTAL_PAYGOV_TOKEN`, `PORTAL_PAYGOV_PAY_ORIGIN`): the NPSP payment platform instead.
    pub paygov: Option<app::server::paygov::PaygovConfig>,
    /// P-3.2: the SMS gateway (`PORTAL_SMS_*`), none by default.
    pub sms: Option<app::server::sms::SmsConfig>,
    /// P-1: the national e-ID's OpenID provider (`PORTAL_OIDC_*`), none by default.
    pub sso: Option<app::server::auth::sso::SsoConfig>,
    /// P-4: the agency's PKCS#12 signing key and the verify page's trust roots
    /// (`PORTAL_SIGN_*`), none by default.
    pub sign: app::server::sign::SignConfig,
    /// P-4: the remote-signing CA applicants sign with (`PORTAL_REMOTE_SIGN_*`), none by
    /// default.
    pub remote_sign: Option<app::server::remotesign::RemoteSignConfig>,
    /// EMC-1…5: the national monitoring system (`PORTAL_EMC_*`), none by default.
    pub emc: Option<app::server::emc::EmcConfig>,
    /// P-3.5: the postal service (`PORTAL_POST_*`), none by default.
    pub post: Option<app::server::post::PostConfig>,
    /// `PORTAL_LIENTHONG`: other agencies' instances for inter-agency transfer (B-m).
    pub lienthong: Option<app::server::lienthong::LienThong>,
    /// `PORTAL_OUTBOX_INTERVAL_MS`: how often the outbox worker looks for due messages
    /// (default 2000).
    pub outbox_interval_ms: u64,
    /// `PORTAL_OUTBOX_LEASE_SECS`: how long a claimed message is the claimer's before another
    /// worker may take it (default 70: longer than the 60 s NPSP timeout).
    pub outbox_lease_secs: i64,
    /// `PORTAL_WEBHOOK_PRIVATE=1`: partners' webhooks may use plain HTTP and private or
    /// loopback addresses (a closed government network). Off by default.
    pub webhook_private: bool,
}

/// Accepts 64 hex digits or standard base64 for a 32-byte key.
pub fn parse_key(v: &str) -> Result<[u8; 32], String> {
    let v = v.trim();
    let bytes: Vec<u8> = if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&v[2 * i..2 * i + 2], 16).unwrap_or(0))
            .collect()
    } else {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(v)
            .map_err(|_| "PORTAL_DATA_KEY: expected 64 hex digits or base64".to_string())?
    };
    bytes
        .try_into()
        .map_err(|_| "PORTAL_DATA_KEY: the key must be 32 bytes".to_string())
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let addr = env("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| format!("LEPTOS_SITE_ADDR: {e}"))?;
        Ok(Self {
            addr,
            database_url: env("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/portal.db?mode=rwc".into()),
            site_root: env("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            demo: env("PORTAL_DEMO").map(|v| v != "0").unwrap_or(true),
            portal: PortalInfo {
                name: env("PORTAL_NAME")
                    .unwrap_or_else(|| "Cổng Dịch vụ công thành phố Đà Nẵng".into()),
                agency: env("PORTAL_AGENCY")
                    .unwrap_or_else(|| "Ủy ban nhân dân thành phố Đà Nẵng (bản trình diễn)".into()),
                address: env("PORTAL_ADDRESS").unwrap_or_else(|| {
                    "Trung tâm Phục vụ hành chính công thành phố Đà Nẵng (địa chỉ minh hoạ)".into()
                }),
                hotline: env("PORTAL_HOTLINE").unwrap_or_else(|| "1900 0000".into()),
                email: env("PORTAL_EMAIL").unwrap_or_else(|| "hotro@dichvucong.example.vn".into()),
            },
            jwt_secret: env("PORTAL_JWT_SECRET").map(String::into_bytes),
            data_key: env("PORTAL_DATA_KEY").map(|k| parse_key(&k)).transpose()?,
            public_url: env("PORTAL_PUBLIC_URL"),
            smtp_url: env("PORTAL_SMTP_URL"),
            mail_from: env("PORTAL_MAIL_FROM")
                .unwrap_or_else(|| "Cổng Dịch vụ công <no-reply@dichvucong.example.vn>".into()),
            mail_dir: env("PORTAL_MAIL_DIR").unwrap_or_else(|| "data/outbox".into()),
            files_dir: env("PORTAL_FILES_DIR").unwrap_or_else(|| "data/files".into()),
            trust_proxy: env("PORTAL_TRUST_PROXY").is_some_and(|v| v == "1"),
            policy: app::server::auth::SecurityPolicy::from_env(env)?,
            npsp: app::server::npsp::NpspConfig::from_env(env)?,
            vnpay: app::server::vnpay::VnpayConfig::from_env(env)?,
            paygov: app::server::paygov::PaygovConfig::from_env(env)?,
            sms: app::server::sms::SmsConfig::from_env(env)?,
            sso: app::server::auth::sso::SsoConfig::from_env(env)?,
            sign: app::server::sign::SignConfig::from_env(env),
            remote_sign: app::server::remotesign::RemoteSignConfig::from_env(env)?,
            emc: app::server::emc::EmcConfig::from_env(env)?,
            post: app::server::post::PostConfig::from_env(env)?,
            lienthong: app::server::lienthong::LienThong::from_env(env)?,
            outbox_interval_ms: env("PORTAL_OUTBOX_INTERVAL_MS")
                .map(|v| {
                    v.parse()
                        .map_err(|e| format!("PORTAL_OUTBOX_INTERVAL_MS: {e}"))
                })
                .transpose()?
                .unwrap_or(2000),
            outbox_lease_secs: env("PORTAL_OUTBOX_LEASE_SECS")
                .map(|v| {
                    v.parse()
                        .map_err(|e| format!("PORTAL_OUTBOX_LEASE_SECS: {e}"))
                })
                .transpose()?
                .unwrap_or(70),
            webhook_private: env("PORTAL_WEBHOOK_PRIVATE").is_some_and(|v| v == "1"),
        })
    }
}

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub trust_proxy: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

/// Connects, tunes SQLite for durability (WAL, synchronous=FULL) and applies all migrations.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or_default();
        if let Some(dir) = std::path::Path::new(file).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
            }
        }
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .max_connections(if url.starts_with("sqlite") { 8 } else { 20 })
        .acquire_timeout(Duration::from_secs(5));
    let db = Database::connect(opts).await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode=WAL").await?;
        db.execute_unprepared("PRAGMA synchronous=FULL").await?;
        db.execute_unprepared("PRAGMA foreign_keys=ON").await?;
    }
    Migrator::up(&db, None).await?;
    Ok(db)
}

pub struct Application {
    pub listener: tokio::net::TcpListener,
    pub router: Router,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, Box<dyn std::error::Error>> {
        let db = connect_and_migrate(&settings.database_url).await?;
        if settings.demo {
            migration::demo::seed_demo(&db).await?;
        }
        let listener = tokio::net::TcpListener::bind(settings.addr).await?;
        let addr = listener.local_addr()?;
        let (Some(jwt_secret), Some(data_key)) = (settings.jwt_secret.clone(), settings.data_key)
        else {
            return Err(
                "PORTAL_JWT_SECRET and PORTAL_DATA_KEY must be set (make run creates \
                        development keys in data/dev-secrets.env)"
                    .into(),
            );
        };
        let auth = app::server::auth::Auth::new(app::server::auth::AuthConfig {
            policy: settings.policy.clone(),
            jwt_secret,
            data_key,
            public_url: settings
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{addr}")),
            smtp_url: settings.smtp_url.clone(),
            mail_from: settings.mail_from.clone(),
            mail_dir: settings.mail_dir.clone(),
        })?;
        let mut services = Services::load(db, settings.portal.clone(), auth)
            .await
            .map_err(|e| format!("loading catalogue: {e}"))?;
        services.storage = std::sync::Arc::new(
            app::server::storage::DiskStore::new(&settings.files_dir)
                .map_err(|e| format!("PORTAL_FILES_DIR {}: {e}", settings.files_dir))?,
        );
        if let Some(cfg) = settings.npsp.clone() {
            services.integrations.npsp = Some(std::sync::Arc::new(
                app::server::npsp::Npsp::new(cfg).map_err(|e| format!("PORTAL_NPSP_URL: {e}"))?,
            ));
        }
        if settings.vnpay.is_some() && settings.paygov.is_some() {
            return Err("set PORTAL_VNPAY_URL or PORTAL_PAYGOV_URL, not both".into());
        }
        if let Some(cfg) = settings.vnpay.clone() {
            services.integrations.payment =
                Some(std::sync::Arc::new(app::server::vnpay::Vnpay { cfg }));
        }
        if let Some(cfg) = settings.paygov.clone() {
            services.integrations.payment = Some(std::sync::Arc::new(
                app::server::paygov::Paygov::new(cfg)
                    .map_err(|e| format!("PORTAL_PAYGOV_URL: {e}"))?,
            ));
        }
        if let Some(cfg) = settings.sms.clone() {
            services.integrations.sms = Some(std::sync::Arc::new(
                app::server::sms::Sms::new(cfg).map_err(|e| format!("PORTAL_SMS_URL: {e}"))?,
            ));
        }
        if let Some(cfg) = settings.post.clone() {
            services.integrations.post = Some(std::sync::Arc::new(
                app::server::post::Post::new(cfg).map_err(|e| format!("PORTAL_POST_URL: {e}"))?,
            ));
        }
        if let Some(cfg) = settings.lienthong.clone() {
            services.integrations.lienthong = Some(std::sync::Arc::new(cfg));
        }
        if let Some(cfg) = settings.sso.clone() {
            services.integrations.sso =
                Some(std::sync::Arc::new(app::server::auth::sso::Sso::new(cfg)?));
        }
        if let Some(cfg) = settings.emc.clone() {
            services.integrations.emc = Some(std::sync::Arc::new(
                app::server::emc::Emc::new(cfg).map_err(|e| format!("PORTAL_EMC_*: {e}"))?,
            ));
        }
        if let Some(path) = &settings.sign.p12 {
            let data = std::fs::read(path).map_err(|e| format!("PORTAL_SIGN_P12 {path}: {e}"))?;
            services.integrations.signer = Some(std::sync::Arc::new(
                app::server::sign::KeyPair::from_pkcs12(&data, &settings.sign.p12_password)
                    .map_err(|e| format!("PORTAL_SIGN_P12 {path}: {e}"))?,
            ));
        }
        if let Some(cfg) = settings.remote_sign.clone() {
            services.integrations.remote_sign = Some(std::sync::Arc::new(
                app::server::remotesign::RemoteSign::new(cfg)
                    .map_err(|e| format!("PORTAL_REMOTE_SIGN_URL: {e}"))?,
            ));
        }
        if let Some(path) = &settings.sign.trust_roots {
            let pem =
                std::fs::read(path).map_err(|e| format!("PORTAL_SIGN_TRUST_ROOTS {path}: {e}"))?;
            let roots = app::server::sign::roots_from_pem(&pem);
            if roots.is_empty() {
                return Err(format!("PORTAL_SIGN_TRUST_ROOTS {path}: no certificate").into());
            }
            services.integrations.trust_roots = std::sync::Arc::new(roots);
        }
        services.integrations.lease_secs = settings.outbox_lease_secs;
        if settings.demo {
            demo_accounts(&services).await?;
        }
        services.integrations.webhook_private = settings.webhook_private;
        // Always: partners may subscribe to webhooks at any time (G-5).
        spawn_outbox_worker(
            services.clone(),
            Duration::from_millis(settings.outbox_interval_ms.max(10)),
        );
        auth::spawn_stats_flusher(services.clone());
        spawn_draft_sweeper(services.clone());
        spawn_catalogue_watcher(services.clone());
        if services.integrations.payment.is_some() {
            spawn_payment_checker(services.clone());
        }
        if services
            .integrations
            .post
            .as_ref()
            .is_some_and(|p| p.cfg.tracking_url.is_some())
        {
            spawn_post_tracker(services.clone());
        }
        // S-1: starts of the system are part of the audit trail.
        services
            .audit
            .append(
                &services.db,
                app::server::audit::Entry {
                    action: "system.start".into(),
                    detail: Some(serde_json::json!({ "version": env!("CARGO_PKG_VERSION") })),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| format!("audit log: {e}"))?;
        let leptos_options = LeptosOptions::builder()
            .output_name("portal")
            .site_root(settings.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let router = router(
            AppState {
                leptos_options,
                services,
                trust_proxy: settings.trust_proxy,
            },
            &settings.site_root,
        );
        Ok(Self { listener, router })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn serve(self) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    }
}

/// P-3.1: reminds owners of drafts about to expire and deletes expired ones, hourly; B-i:
/// reminds officers of workflow steps falling due.
fn spawn_draft_sweeper(svc: Services) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match app::server::dossier::sweep_drafts(&svc).await {
                Ok((0, 0)) => {}
                Ok((r, d)) => tracing::info!(reminded = r, deleted = d, "draft sweep"),
                Err(e) => tracing::warn!("draft sweep failed: {e}"),
            }
            match app::server::work::sweep_steps(&svc).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminded = n, "step deadline reminders"),
                Err(e) => tracing::warn!("step reminder sweep failed: {e}"),
            }
            match app::server::auth::sso::prune(&svc).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "e-ID sign-in leftovers pruned"),
                Err(e) => tracing::warn!("e-ID prune failed: {e}"),
            }
            // P-4: remote-signing requests nobody came back to.
            match app::server::remotesign::sweep_expired(&svc).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(closed = n, "abandoned signing requests closed"),
                Err(e) => tracing::warn!("signing request sweep failed: {e}"),
            }
            // EMC-2: the integration log keeps a year and a day.
            match app::server::outbox::prune_log(&svc).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "integration log pruned"),
                Err(e) => tracing::warn!("integration log prune failed: {e}"),
            }
        }
    });
}

/// P-3.6: every five minutes, asks the gateway about orders whose notification never came
/// (older than the payment page's 15 minutes) and settles them.
fn spawn_payment_checker(svc: Services) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match app::server::payment::requery_stale(&svc, app::server::payment::QUERY_AFTER).await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(settled = n, "payments settled by query"),
                Err(e) => tracing::warn!("payment query round failed: {e}"),
            }
        }
    });
}

/// P-3.5: every ten minutes, asks the post about shipments whose status has not moved for an
/// hour (a lost tracking callback) and keeps what it reports.
fn spawn_post_tracker(svc: Services) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match app::server::post::poll_tracking(&svc, 3600).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reports = n, "postal reports kept by polling"),
                Err(e) => tracing::warn!("postal tracking round failed: {e}"),
            }
        }
    });
}

/// B-m: delivers due outbox messages. Every instance runs one; claims keep them apart.
fn spawn_outbox_worker(svc: Services, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // A full batch means more may be due: go on without waiting.
            loop {
                match app::server::outbox::run_once(&svc, 20).await {
                    Ok(n) if n >= 20 => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!("outbox round failed: {e}");
                        break;
                    }
                }
            }
        }
    });
}

/// B-a, B-e with several instances (DESIGN scale-out): an instance that did not publish a
/// procedure or import holidays itself picks the change up within a minute.
fn spawn_catalogue_watcher(svc: Services) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        tick.tick().await;
        loop {
            tick.tick().await;
            match svc.refresh().await {
                Ok(false) => {}
                Ok(true) => tracing::info!("catalogue changed elsewhere; reloaded"),
                Err(e) => tracing::warn!("catalogue check failed: {e}"),
            }
        }
    });
}

/// Demo accounts (README): a system administrator who must change the password and enrol 2FA
/// at first login, and a verified citizen.
async fn demo_accounts(svc: &Services) -> Result<(), Box<dyn std::error::Error>> {
    use app::domain::account::Role;
    use app::server::auth::accounts;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    accounts::ensure_officer(
        svc,
        "quantri@demo.dichvucong.vn",
        DEMO_ADMIN_PASSWORD,
        "Quản trị hệ thống (demo)",
        Role::SystemAdmin,
        None,
    )
    .await
    .map_err(|e| format!("demo admin: {e}"))?;
    let ward = entity::agency::Entity::find()
        .filter(entity::agency::Column::Name.starts_with("Bộ phận Một cửa"))
        .order_by_asc(entity::agency::Column::Id)
        .one(&svc.db)
        .await?;
    if let Some(ward) = ward {
        accounts::ensure_officer(
            svc,
            "canbo@demo.dichvucong.vn",
            DEMO_OFFICER_PASSWORD,
            "Cán bộ một cửa (demo)",
            Role::AgencyAdmin,
            Some(ward.id),
        )
        .await
        .map_err(|e| format!("demo officer: {e}"))?;
    }
    // One-stop officers of the first two wards' counters, which receive commune-level
    // procedures such as birth registration.
    let counters = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .filter(entity::agency::Column::Code.starts_with("H48.50."))
        .order_by_asc(entity::agency::Column::Code)
        .all(&svc.db)
        .await?;
    for (i, unit) in counters.iter().take(2).enumerate() {
        accounts::ensure_officer(
            svc,
            &format!("motcua{}@demo.dichvucong.vn", i + 1),
            DEMO_WARD_OFFICER_PASSWORD,
            &format!(
                "Cán bộ một cửa {} (demo)",
                unit.name.trim_start_matches("Bộ phận Một cửa ")
            ),
            Role::OneStopOfficer,
            Some(unit.id),
        )
        .await
        .map_err(|e| format!("demo ward officer: {e}"))?;
    }
    // The two wards also have a specialist and a leader, for procedures whose workflow goes
    // counter → specialist → leader (B-c), such as civil-status registration.
    for (i, unit) in counters.iter().take(2).enumerate() {
        let ward = unit.name.trim_start_matches("Bộ phận Một cửa ");
        for (who, name, role) in [
            (
                "chuyenvien",
                format!("Chuyên viên {ward} (demo)"),
                Role::Specialist,
            ),
            (
                "lanhdao",
                format!("Lãnh đạo {ward} (demo)"),
                Role::UnitLeader,
            ),
        ] {
            let email = format!("{who}{}@demo.dichvucong.vn", i + 1);
            accounts::ensure_officer(
                svc,
                &email,
                DEMO_WARD_OFFICER_PASSWORD,
                &name,
                role,
                Some(unit.id),
            )
            .await
            .map_err(|e| format!("demo ward officer: {e}"))?;
        }
    }
    accounts::ensure_demo_citizen(svc, "congdan@demo.dichvucong.vn", DEMO_CITIZEN_PASSWORD)
        .await
        .map_err(|e| format!("demo citizen: {e}"))?;
    Ok(())
}

/// Published in the README; only created with `PORTAL_DEMO` on (the default for `make run`).
pub const DEMO_ADMIN_PASSWORD: &str = "quan tri thu nghiem Da Nang";
pub const DEMO_CITIZEN_PASSWORD: &str = "cong dan thu nghiem Da Nang";
pub const DEMO_OFFICER_PASSWORD: &str = "can bo thu nghiem Da Nang";
pub const DEMO_WARD_OFFICER_PASSWORD: &str = "mot cua thu nghiem Da Nang";

fn router(state: AppState, site_root: &str) -> Router {
    let mut routes = generate_route_list(App);
    routes.extend(generate_route_list(app::AccountApp));
    let services = state.services.clone();
    let context = move || provide_context(services.clone());
    let options = state.leptos_options.clone();
    // Built assets: precompressed by `make` (brotli, gzip). The file names carry no hash, so
    // browsers revalidate after a day rather than caching forever.
    let pkg = Router::new()
        .fallback_service(
            ServeDir::new(format!("{site_root}/pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/ngon-ngu", get(set_language))
        .route(
            "/api/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .merge(api::routes())
        .merge(auth::routes())
        .merge(dossier::routes())
        .merge(editor::routes())
        .nest_service("/pkg", pkg)
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::auth_layer,
        ))
        // Pages are 16–60 KB of HTML; compressed they are a fifth of that on a phone's network
        // (PERF-1). Precompressed assets already carry Content-Encoding and pass through.
        .layer(CompressionLayer::new())
        // Forms are a few KB; uploads arrive with their own limits in the dossier issue. Slow
        // requests are cut so they cannot hold connections (S-ACC: limits and timeouts).
        // Forms are a few KB; uploads (P-3.4) stream with their own caps. Extractors' own limit
        // is off because `body_limit` wraps every body (S-ACC: limits and timeouts).
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn(body_limit))
        // Only the client's upload is timed (hyper already times the header block): a slow
        // client cannot hold a connection, while a slow page under load is not cut off.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            Duration::from_secs(30),
        ))
        .layer(middleware::from_fn(guard_request))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// Server functions answer errors with HTTP 500 whatever the cause; map each `AppError` to the
/// status it means so that bad input is a 4xx, as for pages. A layer, because Leptos registers
/// each server function's own route ahead of the catch-all below.
async fn server_fn_status(req: Request<Body>, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    use app::error::AppError;
    parts.status = match serde_json::from_slice::<AppError>(&bytes) {
        Ok(AppError::NotFound) => StatusCode::NOT_FOUND,
        Ok(AppError::Validation(_)) | Ok(AppError::Transport) => StatusCode::BAD_REQUEST,
        Ok(AppError::Unauthorized) => StatusCode::UNAUTHORIZED,
        Ok(AppError::Forbidden) => StatusCode::FORBIDDEN,
        Ok(AppError::Conflict) => StatusCode::CONFLICT,
        Ok(AppError::RateLimited) => StatusCode::TOO_MANY_REQUESTS,
        Ok(AppError::Internal { .. }) | Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    Response::from_parts(parts, Body::from(bytes))
}

/// Unknown server-function names.
async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> Response {
    let services = state.services.clone();
    handle_server_fns_with_context(move || provide_context(services.clone()), req)
        .await
        .into_response()
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.db.execute_unprepared("SELECT 1").await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[derive(serde::Deserialize)]
struct LangParams {
    lang: Option<String>,
}

/// Language switch that works without JavaScript: sets the cookie and returns to the page the
/// user came from (same-origin paths only, so it cannot be used as an open redirect).
async fn set_language(Query(p): Query<LangParams>, headers: HeaderMap) -> Response {
    let lang = p
        .lang
        .as_deref()
        .and_then(app::i18n::Lang::parse)
        .unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.parse::<Uri>().ok())
        .and_then(|u| u.path_and_query().map(|pq| pq.as_str().to_owned()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/ngon-ngu"))
        .unwrap_or_else(|| "/".into());
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, back)
        .header(header::SET_COOKIE, cookie)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Largest request body accepted (form posts and server-function calls).
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Refuses bodies over the limit for their path: 413 at once when the declared length is
/// too large, and a cut-off stream (which extractors report as unreadable) otherwise.
async fn body_limit(req: Request<Body>, next: Next) -> Response {
    let limit = if dossier::is_upload_path(req.uri().path()) {
        dossier::MAX_UPLOAD_BODY
    } else if editor::is_editor_path(req.uri().path()) {
        editor::MAX_EDITOR_BODY
    } else if req.method() == axum::http::Method::POST && req.uri().path() == "/api/v1/dossiers" {
        api::MAX_DOSSIER_BODY
    } else {
        MAX_BODY_BYTES
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return plain_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Dữ liệu gửi lên quá lớn. / The request is too large.",
        );
    }
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit)));
    next.run(req).await
}

/// Longest request target accepted; catalogue URLs are far shorter.
const MAX_URI_BYTES: usize = 2048;

/// Rejects request targets that are too long or whose query is not valid UTF-8 once decoded,
/// with a clear page instead of letting them reach the renderer.
async fn guard_request(req: Request<Body>, next: Next) -> Response {
    let uri = req.uri();
    let target_len = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if target_len > MAX_URI_BYTES {
        return plain_error(
            StatusCode::URI_TOO_LONG,
            "Địa chỉ quá dài. / The address is too long.",
        );
    }
    let bad = [uri.path(), uri.query().unwrap_or("")]
        .iter()
        .any(|part| std::str::from_utf8(&percent_decode(part)).is_err());
    if bad {
        return plain_error(
            StatusCode::BAD_REQUEST,
            "Địa chỉ chứa ký tự không hợp lệ. / The address contains invalid characters.",
        );
    }
    next.run(req).await
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    out
}

pub(crate) fn plain_error(status: StatusCode, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{message}</title></head><body><main><h1>{message}</h1><p><a href=\"/\">Trang chủ / Home</a></p></main></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// Security headers on every response. Pages set their own CSP with a per-response nonce
/// (`app::shell`); everything else gets a policy that allows no inline script at all.
async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "referrer-policy",
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.entry("content-security-policy")
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ));
    res
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b+c"), b"a b c");
        assert_eq!(percent_decode("%C4%91"), "đ".as_bytes());
        assert_eq!(percent_decode("%ff"), vec![0xff]);
        assert_eq!(percent_decode("%"), b"%");
        assert_eq!(percent_decode("%4"), b"%4");
    }
}
