//! Account endpoints for pages (S-ACC, P-10.1, P-10.3). Each function authenticates and
//! authorises inside itself; state changes go through the HTML form posts in the server crate.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::account::{Principal, Role};
use crate::domain::form::FormEcho;
use crate::error::AppError;

#[cfg(feature = "ssr")]
fn services() -> Result<crate::server::Services, AppError> {
    use_context::<crate::server::Services>()
        .ok_or_else(|| crate::error::internal("services missing from context"))
}

/// What every form page needs: this browser's CSRF token and, after a failed post, the echo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormContext {
    pub csrf: String,
    pub echo: FormEcho,
    pub user: Option<Principal>,
    /// Sign-in with the national e-ID is configured (P-1).
    pub sso: bool,
}

#[server(prefix = "/api", endpoint = "form_context", input = server_fn::codec::Json)]
pub async fn get_form_context() -> Result<FormContext, AppError> {
    Ok(FormContext {
        csrf: crate::server::auth::csrf_token(),
        echo: use_context::<FormEcho>().unwrap_or_default(),
        user: crate::server::auth::current_user(),
        sso: services().is_ok_and(|s| s.integrations.sso.is_some()),
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id_prefix: String,
    pub current: bool,
    pub created_at: String,
    pub last_seen_at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub principal: Principal,
    pub profile: crate::domain::account::Profile,
}

#[server(prefix = "/api", endpoint = "my_account", input = server_fn::codec::Json)]
pub async fn my_account() -> Result<AccountView, AppError> {
    let p = crate::server::auth::require_user()?;
    let profile = crate::server::auth::accounts::profile(&services()?, p.user_id).await?;
    Ok(AccountView {
        principal: p,
        profile,
    })
}

/// Unix seconds as `YYYY-MM-DD HH:MM UTC`.
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (H. Hinnant), proleptic Gregorian.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[server(prefix = "/api", endpoint = "my_sessions", input = server_fn::codec::Json)]
pub async fn my_sessions() -> Result<Vec<SessionView>, AppError> {
    let p = crate::server::auth::require_user()?;
    let rows = crate::server::auth::session::list(&services()?, p.user_id).await?;
    Ok(rows
        .into_iter()
        .map(|s| SessionView {
            id_prefix: crate::server::auth::session::short(&s.id),
            current: s.id == p.session_id,
            created_at: format_time(s.created_at),
            last_seen_at: format_time(s.last_seen_at),
            ip: s.ip,
            user_agent: s.user_agent,
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    pub secret: String,
    pub qr_svg: String,
    pub enabled: bool,
}

/// The secret and its QR code for an authenticator app; only for the account itself.
#[server(prefix = "/api", endpoint = "totp_setup", input = server_fn::codec::Json)]
pub async fn get_totp_setup() -> Result<TotpSetup, AppError> {
    use crate::domain::account::Stage;
    let p = crate::server::auth::current_user().ok_or(AppError::Unauthorized)?;
    if !(p.stage == Stage::Full || p.stage == Stage::EnrolTotp) {
        return Err(AppError::Forbidden);
    }
    let svc = services()?;
    match crate::server::auth::accounts::begin_totp(&svc, &p).await {
        Ok(e) => {
            let code =
                qrcode::QrCode::new(e.otpauth_uri.as_bytes()).map_err(crate::error::internal)?;
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // Drop the XML prolog: the SVG is inlined in HTML.
            let svg = svg.find("<svg").map(|i| svg[i..].to_owned()).unwrap_or(svg);
            Ok(TotpSetup {
                secret: e.secret_base32,
                qr_svg: svg,
                enabled: false,
            })
        }
        Err(AppError::Conflict) => Ok(TotpSetup {
            secret: String::new(),
            qr_svg: String::new(),
            enabled: true,
        }),
        Err(e) => Err(e),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOfficers {
    pub rows: Vec<crate::domain::account::OfficerRow>,
    pub units: Vec<(i32, String)>,
    pub roles: Vec<Role>,
}

#[server(prefix = "/api", endpoint = "admin_officers", input = server_fn::codec::Json)]
pub async fn get_admin_officers() -> Result<AdminOfficers, AppError> {
    let p = crate::server::auth::require_user()?;
    let svc = services()?;
    let rows = crate::server::auth::accounts::list_officers(&svc, &p).await?;
    let units = crate::server::auth::admin::officer_units(&svc, &p).await?;
    let roles = Role::ALL
        .into_iter()
        .filter(|r| p.is_system_admin() || *r != Role::SystemAdmin)
        .collect();
    Ok(AdminOfficers { rows, units, roles })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i32,
    pub at: String,
    pub actor: Option<String>,
    pub action: String,
    pub object: Option<String>,
    pub ip: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub rows: Vec<AuditRow>,
    /// (records checked, first broken id) when verification was asked for.
    pub verification: Option<(u64, Option<i32>)>,
    /// (day, visits, logins), newest first.
    pub stats: Vec<(String, i64, i64)>,
}

/// P-10.3, S-1: search the audit log, verify its chain, access statistics. System
/// administrators only.
#[server(prefix = "/api", endpoint = "audit_view", input = server_fn::codec::Json)]
pub async fn get_audit_view(
    action: String,
    actor: String,
    verify: bool,
) -> Result<AuditView, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::auth::admin::audit_view(&services()?, &p, &action, &actor, verify).await
}

/// S-PD: pending account-deletion requests, for system administrators.
#[server(prefix = "/api", endpoint = "deletion_requests", input = server_fn::codec::Json)]
pub async fn get_deletion_requests() -> Result<Vec<crate::domain::account::DeletionRow>, AppError> {
    let p = crate::server::auth::require_user()?;
    crate::server::auth::accounts::pending_deletions(&services()?, &p).await
}
