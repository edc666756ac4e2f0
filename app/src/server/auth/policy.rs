//! The security policy in one place (S-ACC). Defaults follow the stricter of TCVN 14423:2026
//! level 3 and OWASP ASVS 4.0.3 L2; every value can be set from the environment (README).
use crate::domain::password::PasswordPolicy;

#[derive(Clone, Debug)]
pub struct SecurityPolicy {
    pub password: PasswordPolicy,
    /// Failed logins that lock an account, counted within `lockout_window_secs`.
    pub lockout_threshold: i32,
    pub lockout_window_secs: i64,
    pub lockout_secs: i64,
    /// Requests per IP per minute for login, registration and password reset.
    pub login_per_minute: u32,
    pub register_per_minute: u32,
    pub reset_per_minute: u32,
    /// Access-token lifetime; the refresh token renews it silently.
    pub access_ttl_secs: i64,
    /// A session unused for this long ends (ASVS V3.3.2 L2: 30 minutes).
    pub idle_timeout_secs: i64,
    /// No session lives longer than this, however active (ASVS V3.3.2: 12 hours).
    pub absolute_lifetime_secs: i64,
    /// Officer accounts unused for this many days are disabled (level-3 requirement).
    pub officer_inactive_days: i64,
    pub email_token_ttl_secs: i64,
    pub reset_token_ttl_secs: i64,
    /// `__Host-` cookies with `Secure`; switch off only for plain-HTTP development hosts
    /// that are not localhost.
    pub secure_cookies: bool,
    /// Send Strict-Transport-Security (set when the portal is served over TLS).
    pub hsts: bool,
    /// A used refresh token presented again within this many seconds is taken for two
    /// concurrent requests of the same browser, not a replay.
    pub refresh_reuse_grace_secs: i64,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self {
            password: PasswordPolicy::default(),
            lockout_threshold: 5,
            lockout_window_secs: 60,
            lockout_secs: 15 * 60,
            login_per_minute: 20,
            register_per_minute: 5,
            reset_per_minute: 5,
            access_ttl_secs: 5 * 60,
            idle_timeout_secs: 30 * 60,
            absolute_lifetime_secs: 12 * 3600,
            officer_inactive_days: 45,
            email_token_ttl_secs: 24 * 3600,
            reset_token_ttl_secs: 30 * 60,
            secure_cookies: true,
            hsts: false,
            refresh_reuse_grace_secs: 10,
        }
    }
}

impl SecurityPolicy {
    /// Reads `PORTAL_*` overrides; unparsable values are errors, not silently ignored.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut p = Self::default();
        fn num<T: std::str::FromStr>(
            get: &impl Fn(&str) -> Option<String>,
            key: &str,
            into: &mut T,
        ) -> Result<(), String> {
            if let Some(v) = get(key) {
                *into = v
                    .trim()
                    .parse()
                    .map_err(|_| format!("{key}: not a valid number: {v}"))?;
            }
            Ok(())
        }
        num(&get, "PORTAL_PASSWORD_MIN", &mut p.password.min_chars)?;
        num(&get, "PORTAL_LOCKOUT_THRESHOLD", &mut p.lockout_threshold)?;
        num(
            &get,
            "PORTAL_LOCKOUT_WINDOW_SECS",
            &mut p.lockout_window_secs,
        )?;
        num(&get, "PORTAL_LOCKOUT_SECS", &mut p.lockout_secs)?;
        num(&get, "PORTAL_LOGIN_PER_MINUTE", &mut p.login_per_minute)?;
        num(
            &get,
            "PORTAL_REGISTER_PER_MINUTE",
            &mut p.register_per_minute,
        )?;
        num(&get, "PORTAL_RESET_PER_MINUTE", &mut p.reset_per_minute)?;
        num(&get, "PORTAL_ACCESS_TTL_SECS", &mut p.access_ttl_secs)?;
        num(&get, "PORTAL_IDLE_TIMEOUT_SECS", &mut p.idle_timeout_secs)?;
        num(
            &get,
            "PORTAL_SESSION_MAX_SECS",
            &mut p.absolute_lifetime_secs,
        )?;
        num(
            &get,
            "PORTAL_OFFICER_INACTIVE_DAYS",
            &mut p.officer_inactive_days,
        )?;
        if let Some(v) = get("PORTAL_PASSWORD_COMPOSITION") {
            p.password.require_letter_and_digit = v == "1";
        }
        if let Some(v) = get("PORTAL_SECURE_COOKIES") {
            p.secure_cookies = v != "0";
        }
        if let Some(v) = get("PORTAL_HSTS") {
            p.hsts = v == "1";
        }
        if p.lockout_threshold < 1 || p.access_ttl_secs < 30 || p.idle_timeout_secs < 60 {
            return Err("security policy values are out of range".into());
        }
        Ok(p)
    }
}
