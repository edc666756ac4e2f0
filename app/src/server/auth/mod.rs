//! Accounts, sessions and access control (S-ACC, S-PD, P-1, P-10.1, B-g). The HTTP glue
//! (cookies, CSRF, form posts) lives in the `server` crate; everything here is plain async
//! functions over the database so both the forms and server functions use the same rules.
pub mod accounts;
pub mod admin;
pub mod crypto;
pub mod mail;
pub mod policy;
pub mod ratelimit;
pub mod session;
pub mod sso;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::domain::account::Principal;
use crate::error::{AppError, FieldError};

pub use policy::SecurityPolicy;

/// Configuration that holds secrets; read from the environment, never compiled in.
pub struct AuthConfig {
    pub policy: SecurityPolicy,
    /// HS256 key for access tokens (≥ 32 bytes).
    pub jwt_secret: Vec<u8>,
    /// AES-256 key for personal data at rest.
    pub data_key: [u8; 32],
    /// Public base URL used in email links, e.g. `https://dichvucong.danang.gov.vn`.
    pub public_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_dir: String,
}

/// Long-lived authentication services held in `Services`.
pub struct Auth {
    pub policy: SecurityPolicy,
    pub jwt: crypto::JwtKeys,
    pub cipher: crypto::DataCipher,
    pub mailer: mail::Mailer,
    pub limiter: ratelimit::RateLimiter,
    pub public_url: String,
    /// Page views since the last flush to `access_stat` (P-10.3 statistics).
    pub visits: AtomicU64,
}

impl Auth {
    pub fn new(cfg: AuthConfig) -> Result<Self, String> {
        if cfg.jwt_secret.len() < 32 {
            return Err("PORTAL_JWT_SECRET must be at least 32 bytes".into());
        }
        let public_url = cfg.public_url.trim_end_matches('/').to_owned();
        Ok(Self {
            jwt: crypto::JwtKeys::new(&cfg.jwt_secret, &public_url, "portal-web"),
            cipher: crypto::DataCipher::new(&cfg.data_key),
            mailer: mail::Mailer::from_config(
                cfg.smtp_url.as_deref(),
                &cfg.mail_from,
                &cfg.mail_dir,
            )?,
            limiter: ratelimit::RateLimiter::default(),
            policy: cfg.policy,
            public_url,
            visits: AtomicU64::new(0),
        })
    }

    pub fn count_visit(&self) {
        self.visits.fetch_add(1, Ordering::Relaxed);
    }
}

/// Who is asking, from where: put in request extensions by the HTTP layer.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

/// The CSRF token of this browser (double-submit cookie), in request extensions.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

/// The authenticated user of this request, in request extensions.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Principal);

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A field error in both languages.
pub fn field(name: &str, vi: &str, en: &str) -> FieldError {
    FieldError {
        field: name.into(),
        message_vi: vi.into(),
        message_en: en.into(),
    }
}

pub fn invalid(name: &str, vi: &str, en: &str) -> AppError {
    AppError::Validation(vec![field(name, vi, en)])
}

/// The signed-in user of the current request (server functions and SSR).
pub fn current_user() -> Option<Principal> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<CurrentUser>().map(|u| u.0.clone()))
}

/// The signed-in user with a completed login, or 401.
pub fn require_user() -> Result<Principal, AppError> {
    match current_user() {
        Some(p) if p.stage == crate::domain::account::Stage::Full => Ok(p),
        _ => Err(AppError::Unauthorized),
    }
}

pub fn request_meta() -> RequestMeta {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<RequestMeta>().cloned())
        .unwrap_or_default()
}

pub fn csrf_token() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<CsrfToken>().map(|t| t.0.clone()))
        .unwrap_or_default()
}
