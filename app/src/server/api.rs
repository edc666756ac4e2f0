//! The public API for partner systems (G-3, G-5, B-m): versioned REST under `/api/v1`,
//! described by the OpenAPI document at `/api/openapi.json` (`server::api`).
//!
//! - **Clients.** A system administrator registers each partner (`api_client`) and hands it a
//!   client id and a secret, shown once. A client may be limited to one unit and the units
//!   under it, and has its own rate limit.
//! - **Tokens.** The partner trades its credentials for a bearer token with the OAuth 2.0
//!   client-credentials grant (RFC 6749 §4.4) at `/api/v1/token`: HTTP Basic or form fields,
//!   answers and errors as in RFC 6749 §5. Tokens are opaque, live an hour and are stored
//!   hashed, so a database leak gives nobody access; disabling the client ends them at once.
//! - **Scopes.** `dossier:read` reads dossiers (their progress, never the applicant's personal
//!   data: Decree 13/2023 lets a partner have only what its purpose needs); `webhook:manage`
//!   subscribes to events.
//! - **Webhooks.** Dossier status changes are queued in the change's own transaction, one
//!   outbox message per subscription, and POSTed at least once, signed as the Standard Webhooks
//!   specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64
//!   HMAC-SHA256 of "id.timestamp.body">`), so partners can use its libraries and drop
//!   repeats by id.
//! - **Errors** are `application/problem+json` (RFC 9457) in the caller's language
//!   (`Accept-Language`, Vietnamese by default), with one entry per invalid field.
use base64::Engine;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Value};
use sha2::Sha256;

use entity::{agency, api_client, api_token, dossier, dossier_event, webhook};

use super::auth::crypto::{constant_time_eq, random_bytes, random_token, sha256_hex};
use super::auth::{field, now, RequestMeta};
use super::outbox;
use super::Services;
use crate::domain::account::Principal;
use crate::domain::dossier::Status;
use crate::domain::integration::ApiClientRow;
use crate::error::{AppError, FieldError};
use crate::i18n::Lang;

/// The outbox topic of webhook deliveries.
pub const TOPIC: &str = "webhook";
/// How long a bearer token lives.
pub const TOKEN_TTL: i64 = 3600;
/// Calls per minute when the administrator sets none.
pub const DEFAULT_RATE: i32 = 120;
/// Token requests per minute from one address (failed secrets included).
const TOKEN_RATE: u32 = 30;
/// Subscriptions one client may hold.
const MAX_WEBHOOKS: u64 = 10;
/// Longest page of the dossier list.
pub const MAX_PAGE: u64 = 100;

pub use crate::domain::integration::API_SCOPES as SCOPES;

/// Event types a webhook can subscribe to.
pub const EVENTS: [&str; 1] = ["dossier.status"];

/// The partner behind a valid token.
#[derive(Clone, Debug)]
pub struct Caller {
    pub id: i32,
    pub client_id: String,
    pub agency_id: Option<i32>,
}

/// Why an API call is refused; the HTTP layer turns it into a problem document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// 401: no token, or one unknown, expired or of a disabled client.
    Unauthorized,
    /// 403: the token lacks this scope.
    Scope(&'static str),
    NotFound,
    /// 409: the dossier code belongs to a dossier another sender delivered or filed here.
    Conflict,
    /// 429: over the client's calls per minute.
    RateLimited,
    /// 422, one entry per field.
    Invalid(Vec<FieldError>),
    /// 500, with the reference logged.
    Internal(String),
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => Self::NotFound,
            AppError::Conflict => Self::Conflict,
            AppError::Validation(v) => Self::Invalid(v),
            AppError::Unauthorized => Self::Unauthorized,
            AppError::RateLimited => Self::RateLimited,
            AppError::Internal { reference } => Self::Internal(reference),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        AppError::from(e).into()
    }
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Scope(_) => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::RateLimited => 429,
            Self::Invalid(_) => 422,
            Self::Internal(_) => 500,
        }
    }

    /// The RFC 9457 problem document, in `lang`.
    pub fn problem(&self, lang: Lang) -> Value {
        let t = |vi: &str, en: &str| match lang {
            Lang::Vi => vi.to_owned(),
            Lang::En => en.to_owned(),
        };
        let (kind, title) = match self {
            Self::Unauthorized => (
                "unauthorized",
                t(
                    "Thiếu mã truy cập hoặc mã không còn hiệu lực.",
                    "The access token is missing, expired or revoked.",
                ),
            ),
            Self::Scope(s) => (
                "insufficient_scope",
                match lang {
                    Lang::Vi => format!("Mã truy cập không có quyền {s}."),
                    Lang::En => format!("The access token lacks the scope {s}."),
                },
            ),
            Self::NotFound => ("not_found", t("Không tìm thấy.", "Not found.")),
            Self::Conflict => (
                "conflict",
                t(
                    "Mã hồ sơ này đã thuộc về một hồ sơ khác.",
                    "This dossier code already belongs to another dossier.",
                ),
            ),
            Self::RateLimited => (
                "rate_limited",
                t(
                    "Vượt quá số lần gọi cho phép trong một phút; hãy thử lại sau.",
                    "Too many calls this minute; try again later.",
                ),
            ),
            Self::Invalid(_) => (
                "invalid",
                t("Dữ liệu gửi lên không hợp lệ.", "The request is not valid."),
            ),
            Self::Internal(r) => (
                "internal",
                match lang {
                    Lang::Vi => format!("Lỗi hệ thống, mã tham chiếu {r}."),
                    Lang::En => format!("Internal error, reference {r}."),
                },
            ),
        };
        let mut v = json!({
            "type": format!("urn:dvc:problem:{kind}"),
            "title": title,
            "status": self.status(),
        });
        if let Self::Invalid(errors) = self {
            v["errors"] = errors
                .iter()
                .map(|e| {
                    json!({
                        "field": e.field,
                        "message": match lang { Lang::Vi => &e.message_vi, Lang::En => &e.message_en },
                    })
                })
                .collect();
        }
        v
    }
}

fn scope_list(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

// ---------------------------------------------------------------------------------------
// Clients (the administrator's side)
// ---------------------------------------------------------------------------------------

/// What the administrator types to register a partner.
#[derive(Clone, Debug, Default)]
pub struct NewClient {
    pub name: String,
    pub scopes: Vec<String>,
    /// A unit code (mã định danh), or empty for every unit.
    pub agency_code: String,
    /// Calls per minute, or empty for [`DEFAULT_RATE`].
    pub rate: String,
}

/// Registers a partner; returns its client id and its secret, which is never shown again.
pub async fn create_client(
    svc: &Services,
    p: &Principal,
    input: &NewClient,
    meta: &RequestMeta,
) -> Result<(String, String), AppError> {
    outbox::require(p)?;
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(field(
            "api_name",
            "Nhập tên hệ thống đối tác (tối đa 120 ký tự).",
            "Enter the partner system's name (at most 120 characters).",
        ));
    }
    let scopes: Vec<&str> = SCOPES
        .iter()
        .map(|s| s.0)
        .filter(|s| input.scopes.iter().any(|x| x == s))
        .collect();
    if scopes.is_empty() || scopes.len() != input.scopes.len() {
        errors.push(field(
            "api_scopes",
            "Chọn ít nhất một quyền trong danh sách.",
            "Choose at least one scope from the list.",
        ));
    }
    let code = input.agency_code.trim();
    let agency_id = if code.is_empty() {
        None
    } else {
        match agency::Entity::find()
            .filter(agency::Column::Code.eq(code))
            .one(&svc.db)
            .await?
        {
            Some(a) => Some(a.id),
            None => {
                errors.push(field(
                    "api_agency",
                    "Không có đơn vị mang mã định danh này.",
                    "No unit has this identifier.",
                ));
                None
            }
        }
    };
    let rate = match input.rate.trim() {
        "" => DEFAULT_RATE,
        r => match r.parse::<i32>() {
            Ok(n) if (1..=6000).contains(&n) => n,
            _ => {
                errors.push(field(
                    "api_rate",
                    "Số lần gọi mỗi phút phải là số từ 1 đến 6000.",
                    "Calls per minute must be a number from 1 to 6000.",
                ));
                DEFAULT_RATE
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let client_id = format!(
        "dvc_{}",
        random_bytes::<8>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let secret = random_token();
    let row = api_client::ActiveModel {
        client_id: Set(client_id.clone()),
        secret_hash: Set(sha256_hex(&secret)),
        name: Set(name.to_owned()),
        scopes: Set(scopes.join(" ")),
        agency_id: Set(agency_id),
        rate_per_minute: Set(rate),
        created_by: Set(Some(p.user_id)),
        created_at: Set(now()),
        disabled_at: Set(None),
        ..Default::default()
    }
    .insert(&svc.db)
    .await?;
    audit(svc, p, meta, "api.client.create", row.id, json!({ "client_id": client_id, "name": name, "scopes": scopes, "agency_id": agency_id, "rate_per_minute": rate })).await?;
    Ok((client_id, secret))
}

/// Disables a partner: its tokens stop working at once and its subscriptions end.
pub async fn disable_client(
    svc: &Services,
    p: &Principal,
    id: i32,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    outbox::require(p)?;
    let r = api_client::Entity::update_many()
        .col_expr(
            api_client::Column::DisabledAt,
            sea_orm::sea_query::Expr::value(Some(now())),
        )
        .filter(api_client::Column::Id.eq(id))
        .filter(api_client::Column::DisabledAt.is_null())
        .exec(&svc.db)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    api_token::Entity::delete_many()
        .filter(api_token::Column::ClientId.eq(id))
        .exec(&svc.db)
        .await?;
    webhook::Entity::delete_many()
        .filter(webhook::Column::ClientId.eq(id))
        .exec(&svc.db)
        .await?;
    audit(svc, p, meta, "api.client.disable", id, Value::Null).await
}

async fn audit(
    svc: &Services,
    p: &Principal,
    meta: &RequestMeta,
    action: &str,
    id: i32,
    detail: Value,
) -> Result<(), AppError> {
    svc.audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: action.into(),
                object_type: Some("api_client".into()),
                object_id: Some(id.to_string()),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: (!detail.is_null()).then_some(detail),
            },
        )
        .await?;
    Ok(())
}

/// The registered partners, newest first (the caller has checked the permission).
pub async fn clients(svc: &Services) -> Result<Vec<ApiClientRow>, AppError> {
    let rows = api_client::Entity::find()
        .order_by_desc(api_client::Column::Id)
        .limit(200)
        .all(&svc.db)
        .await?;
    let ids: Vec<i32> = rows.iter().filter_map(|r| r.agency_id).collect();
    let names: std::collections::HashMap<i32, String> = agency::Entity::find()
        .filter(agency::Column::Id.is_in(ids))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let webhooks = webhook::Entity::find()
            .filter(webhook::Column::ClientId.eq(r.id))
            .count(&svc.db)
            .await?;
        out.push(ApiClientRow {
            id: r.id,
            client_id: r.client_id,
            name: r.name,
            scopes: scope_list(&r.scopes)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            agency: r.agency_id.and_then(|a| names.get(&a).cloned()),
            rate_per_minute: r.rate_per_minute,
            created_at: r.created_at,
            disabled_at: r.disabled_at,
            webhooks,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------

/// An RFC 6749 §5.2 error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenError {
    InvalidRequest(&'static str),
    /// 401: unknown client, wrong secret, disabled client.
    InvalidClient,
    UnsupportedGrantType,
    InvalidScope,
    RateLimited,
    Internal(String),
}

impl TokenError {
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidClient => 401,
            Self::RateLimited => 429,
            Self::Internal(_) => 500,
            _ => 400,
        }
    }

    pub fn body(&self) -> Value {
        let (code, text) = match self {
            Self::InvalidRequest(t) => ("invalid_request", (*t).to_owned()),
            Self::InvalidClient => (
                "invalid_client",
                "unknown client, wrong secret or disabled client".to_owned(),
            ),
            Self::UnsupportedGrantType => (
                "unsupported_grant_type",
                "only client_credentials is supported".to_owned(),
            ),
            Self::InvalidScope => (
                "invalid_scope",
                "a requested scope is not granted to this client".to_owned(),
            ),
            Self::RateLimited => ("slow_down", "too many token requests".to_owned()),
            Self::Internal(r) => ("server_error", format!("reference {r}")),
        };
        json!({ "error": code, "error_description": text })
    }
}

/// A token request: the form fields, with the credentials from Basic authentication when the
/// client used it (RFC 6749 §2.3.1).
#[derive(Clone, Debug, Default)]
pub struct TokenRequest {
    pub grant_type: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
}

/// The client-credentials grant: a fresh bearer token for the client's scopes, or those of
/// them it asked for.
pub async fn token(
    svc: &Services,
    req: &TokenRequest,
    meta: &RequestMeta,
) -> Result<Value, TokenError> {
    let t = now();
    if !svc
        .auth
        .limiter
        .allow("api.token", meta.ip_key(), TOKEN_RATE, t)
    {
        return Err(TokenError::RateLimited);
    }
    if req.grant_type != "client_credentials" {
        return Err(if req.grant_type.is_empty() {
            TokenError::InvalidRequest("grant_type is required")
        } else {
            TokenError::UnsupportedGrantType
        });
    }
    if req.client_id.is_empty() || req.client_secret.is_empty() {
        return Err(TokenError::InvalidRequest(
            "client_id and client_secret are required (HTTP Basic or form fields)",
        ));
    }
    let internal = |e: sea_orm::DbErr| match AppError::from(e) {
        AppError::Internal { reference } => TokenError::Internal(reference),
        other => TokenError::Internal(other.to_string()),
    };
    let client = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(req.client_id.as_str()))
        .one(&svc.db)
        .await
        .map_err(internal)?;
    let presented = sha256_hex(&req.client_secret);
    let Some(client) = client.filter(|c| {
        c.disabled_at.is_none() && constant_time_eq(presented.as_bytes(), c.secret_hash.as_bytes())
    }) else {
        return Err(TokenError::InvalidClient);
    };
    let granted = scope_list(&client.scopes);
    let scopes: Vec<&str> = if req.scope.trim().is_empty() {
        granted.clone()
    } else {
        let asked = scope_list(&req.scope);
        if asked.iter().any(|s| !granted.contains(s)) {
            return Err(TokenError::InvalidScope);
        }
        asked
    };
    let token = random_token();
    // Expired tokens are useless; each grant clears its own client's.
    api_token::Entity::delete_many()
        .filter(api_token::Column::ClientId.eq(client.id))
        .filter(api_token::Column::ExpiresAt.lt(t))
        .exec(&svc.db)
        .await
        .map_err(internal)?;
    api_token::ActiveModel {
        token_hash: Set(sha256_hex(&token)),
        client_id: Set(client.id),
        scopes: Set(scopes.join(" ")),
        expires_at: Set(t + TOKEN_TTL),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&svc.db)
    .await
    .map_err(internal)?;
    Ok(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL,
        "scope": scopes.join(" "),
    }))
}

/// The client behind `authorization` (`Bearer …`), if its token is valid, carries `scope`
/// and the client is within its rate.
pub async fn authenticate(
    svc: &Services,
    authorization: Option<&str>,
    scope: &'static str,
) -> Result<Caller, ApiError> {
    let token = authorization
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or(ApiError::Unauthorized)?;
    let t = now();
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
        .filter(api_token::Column::ExpiresAt.gt(t))
        .one(&svc.db)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let client = api_client::Entity::find_by_id(row.client_id)
        .one(&svc.db)
        .await?
        .filter(|c| c.disabled_at.is_none())
        .ok_or(ApiError::Unauthorized)?;
    if !svc.auth.limiter.allow(
        "api",
        &client.client_id,
        u32::try_from(client.rate_per_minute).unwrap_or(1),
        t,
    ) {
        return Err(ApiError::RateLimited);
    }
    if !scope_list(&row.scopes).contains(&scope) {
        return Err(ApiError::Scope(scope));
    }
    Ok(Caller {
        id: client.id,
        client_id: client.client_id,
        agency_id: client.agency_id,
    })
}

// ---------------------------------------------------------------------------------------
// Dossiers
// ---------------------------------------------------------------------------------------

/// The units a client limited to `root` may see: `root` and every unit under it.
async fn units_under(db: &impl ConnectionTrait, root: i32) -> Result<Vec<i32>, sea_orm::DbErr> {
    let all: Vec<(i32, Option<i32>)> = agency::Entity::find()
        .select_only()
        .column(agency::Column::Id)
        .column(agency::Column::ParentId)
        .into_tuple()
        .all(db)
        .await?;
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|(id, p)| *p == Some(parent) && !out.contains(id))
                .map(|(id, _)| *id)
                .collect::<Vec<_>>(),
        );
        i += 1;
    }
    Ok(out)
}

/// Whether a dossier received by `unit` is within a client's reach.
pub(crate) async fn reaches(
    db: &impl ConnectionTrait,
    limit: Option<i32>,
    unit: i32,
) -> Result<bool, sea_orm::DbErr> {
    match limit {
        None => Ok(true),
        Some(root) => Ok(units_under(db, root).await?.contains(&unit)),
    }
}

/// `2026-12-02T08:30:05+07:00`: Vietnam time, as the portal keeps its days.
pub fn rfc3339(secs: i64) -> String {
    let s = super::npsp::portal_time(secs);
    format!(
        "{}-{}-{}T{}:{}:{}+07:00",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[8..10],
        &s[10..12],
        &s[12..14]
    )
}

fn status_json(code: i32) -> Value {
    match Status::from_code(code) {
        Some(s) => {
            json!({ "code": code, "label": s.label(Lang::Vi), "label_en": s.label(Lang::En) })
        }
        None => json!({ "code": code }),
    }
}

pub(crate) async fn dossier_json(svc: &Services, d: &dossier::Model) -> Result<Value, ApiError> {
    let unit = agency::Entity::find_by_id(d.agency_id).one(&svc.db).await?;
    let cat = svc.catalogue.get();
    let procedure = cat.row(d.procedure_id).map(|r| &r.summary);
    Ok(json!({
        "code": d.code,
        "procedure": {
            "code": procedure.map(|p| p.code.clone()),
            "name": procedure.map(|p| p.name.clone()),
        },
        "agency": {
            "code": unit.as_ref().and_then(|u| u.code.clone()),
            "name": unit.map(|u| u.name),
        },
        "channel": d.channel,
        "status": status_json(d.status),
        "submitted_at": d.submitted_at.map(rfc3339),
        "due_date": d.due_date,
        "finished_at": d.finished_at.map(rfc3339),
        "returned_at": d.returned_at.map(rfc3339),
        "updated_at": rfc3339(d.updated_at),
    }))
}

/// `GET /api/v1/dossiers/{code}`: one dossier with its status history. A dossier outside the
/// client's units is "not found", so a partner cannot learn which codes exist elsewhere.
pub async fn dossier(svc: &Services, caller: &Caller, code: &str) -> Result<Value, ApiError> {
    if code.is_empty() || code.len() > 60 {
        return Err(ApiError::NotFound);
    }
    let d = dossier::Entity::find()
        .filter(dossier::Column::Code.eq(code))
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !reaches(&svc.db, caller.agency_id, d.agency_id).await? {
        return Err(ApiError::NotFound);
    }
    let mut v = dossier_json(svc, &d).await?;
    let events = dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(d.id))
        .filter(dossier_event::Column::ToStatus.is_not_null())
        .order_by_asc(dossier_event::Column::Id)
        .all(&svc.db)
        .await?;
    v["history"] = events
        .into_iter()
        .filter(|e| e.to_status != e.from_status)
        .map(|e| {
            json!({
                "at": rfc3339(e.at),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
            })
        })
        .collect();
    Ok(v)
}

/// Query of `GET /api/v1/dossiers`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Unix seconds: only dossiers changed at or after.
    pub updated_since: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// `GET /api/v1/dossiers`: submitted dossiers in the order they last changed, a page at a
/// time; a partner keeps the last cursor and asks again later for what changed since.
pub async fn dossiers(svc: &Services, caller: &Caller, q: &ListQuery) -> Result<Value, ApiError> {
    let mut errors = Vec::new();
    let since = match q.updated_since.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(s) => s.parse::<i64>().unwrap_or_else(|_| {
            errors.push(field(
                "updated_since",
                "updated_since phải là thời điểm Unix (giây).",
                "updated_since must be a Unix time in seconds.",
            ));
            0
        }),
    };
    let after = match q.cursor.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => match c
            .split_once('.')
            .and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i32>().ok()?)))
        {
            Some(x) => Some(x),
            None => {
                errors.push(field(
                    "cursor",
                    "cursor không hợp lệ; hãy dùng next_cursor của trang trước.",
                    "The cursor is not valid; use the previous page's next_cursor.",
                ));
                None
            }
        },
    };
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => 50,
        Some(l) => match l.parse::<u64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                errors.push(field(
                    "limit",
                    "limit phải từ 1 đến 100.",
                    "limit must be from 1 to 100.",
                ));
                50
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    use dossier::Column as C;
    use sea_orm::sea_query::{Condition, ExprTrait};
    let mut s = dossier::Entity::find()
        .filter(C::Code.is_not_null())
        .filter(C::UpdatedAt.gte(since));
    if let Some(root) = caller.agency_id {
        s = s.filter(C::AgencyId.is_in(units_under(&svc.db, root).await?));
    }
    if let Some((at, id)) = after {
        s = s.filter(
            Condition::any().add(C::UpdatedAt.gt(at)).add(
                sea_orm::sea_query::Expr::col(C::UpdatedAt)
                    .eq(at)
                    .and(sea_orm::sea_query::Expr::col(C::Id).gt(id)),
            ),
        );
    }
    let rows = s
        .order_by_asc(C::UpdatedAt)
        .order_by_asc(C::Id)
        .limit(limit)
        .all(&svc.db)
        .await?;
    let next = rows.last().map(|d| format!("{}.{}", d.updated_at, d.id));
    let mut items = Vec::with_capacity(rows.len());
    for d in &rows {
        items.push(dossier_json(svc, d).await?);
    }
    Ok(json!({ "items": items, "next_cursor": next }))
}

// ---------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------

fn webhook_json(w: &webhook::Model) -> Value {
    json!({
        "id": w.id,
        "url": w.url,
        "events": scope_list(&w.events),
        "created_at": rfc3339(w.created_at),
    })
}

/// `GET /api/v1/webhooks`: the caller's subscriptions.
pub async fn webhooks(svc: &Services, caller: &Caller) -> Result<Value, ApiError> {
    let rows = webhook::Entity::find()
        .filter(webhook::Column::ClientId.eq(caller.id))
        .order_by_asc(webhook::Column::Id)
        .all(&svc.db)
        .await?;
    Ok(json!({ "items": rows.iter().map(webhook_json).collect::<Vec<_>>() }))
}

/// Whether `url` may receive webhooks: HTTPS to a public name or address. `allow_private`
/// (`PORTAL_WEBHOOK_PRIVATE=1`, for partners on the government's closed network and for
/// tests) also admits plain HTTP and private or loopback addresses. Otherwise the portal would
/// let any partner make it call into its own network.
pub fn webhook_url_ok(url: &str, allow_private: bool) -> bool {
    let Ok(u) = reqwest::Url::parse(url) else {
        return false;
    };
    if url.len() > 500 || !u.username().is_empty() || u.password().is_some() {
        return false;
    }
    let Some(host) = u.host_str() else {
        return false;
    };
    if allow_private {
        return matches!(u.scheme(), "https" | "http");
    }
    if u.scheme() != "https" {
        return false;
    }
    match host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
    {
        Ok(std::net::IpAddr::V4(ip)) => {
            !(ip.is_private()
                || ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.is_documentation())
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || ip.to_ipv4_mapped().is_some())
        }
        Err(_) => {
            let d = host.to_ascii_lowercase();
            d.contains('.')
                && !d.ends_with(".localhost")
                && !d.ends_with(".local")
                && !d.ends_with(".internal")
        }
    }
}

/// The body of `POST /api/v1/webhooks`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct NewWebhook {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub events: Vec<String>,
}

/// `POST /api/v1/webhooks`: subscribes; the answer carries the signing secret, once.
pub async fn subscribe(svc: &Services, caller: &Caller, body: &[u8]) -> Result<Value, ApiError> {
    let input: NewWebhook = serde_json::from_slice(body).map_err(|_| {
        ApiError::Invalid(vec![field(
            "body",
            "Nội dung phải là JSON dạng {\"url\": …, \"events\": […]}.",
            "The body must be JSON of the form {\"url\": …, \"events\": […]}.",
        )])
    })?;
    let mut errors = Vec::new();
    let url = input.url.trim();
    if !webhook_url_ok(url, svc.integrations.webhook_private) {
        errors.push(field(
            "url",
            "Địa chỉ nhận phải là một URL https công khai (không kèm tên đăng nhập).",
            "The address must be a public https URL (without credentials).",
        ));
    }
    let mut events: Vec<&str> = Vec::new();
    for e in &input.events {
        match EVENTS.iter().find(|k| **k == e.as_str()) {
            Some(k) if !events.contains(k) => events.push(k),
            Some(_) => {}
            None => {
                errors.push(field(
                    "events",
                    &format!(
                        "Không có loại sự kiện \"{}\"; các loại: {}.",
                        e.chars().take(60).collect::<String>(),
                        EVENTS.join(", ")
                    ),
                    &format!(
                        "No event type \"{}\"; the types are: {}.",
                        e.chars().take(60).collect::<String>(),
                        EVENTS.join(", ")
                    ),
                ));
                break;
            }
        }
    }
    if input.events.is_empty() {
        errors.push(field(
            "events",
            "Chọn ít nhất một loại sự kiện.",
            "Choose at least one event type.",
        ));
    }
    let held = webhook::Entity::find()
        .filter(webhook::Column::ClientId.eq(caller.id))
        .count(&svc.db)
        .await?;
    if held >= MAX_WEBHOOKS {
        errors.push(field(
            "url",
            "Mỗi đối tác đăng ký tối đa 10 địa chỉ nhận.",
            "A partner may hold at most 10 subscriptions.",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(random_bytes::<32>())
    );
    let stored = svc
        .auth
        .cipher
        .encrypt("webhook", &secret)
        .ok_or_else(|| ApiError::Internal("webhook secret".into()))?;
    let w = webhook::ActiveModel {
        client_id: Set(caller.id),
        url: Set(url.to_owned()),
        secret: Set(stored),
        events: Set(events.join(" ")),
        created_at: Set(now()),
        ..Default::default()
    }
    .insert(&svc.db)
    .await?;
    let mut v = webhook_json(&w);
    v["secret"] = Value::String(secret);
    Ok(v)
}

/// `DELETE /api/v1/webhooks/{id}`: only the caller's own.
pub async fn unsubscribe(svc: &Services, caller: &Caller, id: i32) -> Result<(), ApiError> {
    let r = webhook::Entity::delete_many()
        .filter(webhook::Column::Id.eq(id))
        .filter(webhook::Column::ClientId.eq(caller.id))
        .exec(&svc.db)
        .await?;
    if r.rows_affected == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// Queues, in the caller's transaction, one delivery per subscription to a dossier's status
/// change (`outbox::on_dossier_event`). The body is fixed now, so a late retry still says
/// what happened then.
pub async fn on_event(
    _svc: &Services,
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<(), AppError> {
    let hooks = webhook::Entity::find().all(db).await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let Some(ev) = dossier_event::Entity::find_by_id(event_id).one(db).await? else {
        return Ok(());
    };
    let Some(to) = ev.to_status.filter(|s| Some(*s) != ev.from_status) else {
        return Ok(());
    };
    let Some(d) = dossier::Entity::find_by_id(dossier_id).one(db).await? else {
        return Ok(());
    };
    let Some(code) = d.code.clone() else {
        return Ok(());
    };
    let clients = api_client::Entity::find()
        .filter(api_client::Column::Id.is_in(hooks.iter().map(|h| h.client_id)))
        .filter(api_client::Column::DisabledAt.is_null())
        .all(db)
        .await?;
    let procedure = _svc
        .catalogue
        .get()
        .row(d.procedure_id)
        .map(|r| r.summary.code.clone());
    let body = json!({
        "type": "dossier.status",
        "timestamp": rfc3339(ev.at),
        "data": {
            "code": code,
            "procedure_code": procedure,
            "status": status_json(to),
            "previous_status": ev.from_status,
            "action": ev.action,
            "at": rfc3339(ev.at),
        },
    });
    for h in hooks {
        if !scope_list(&h.events).contains(&"dossier.status") {
            continue;
        }
        let Some(c) = clients.iter().find(|c| c.id == h.client_id) else {
            continue;
        };
        if !reaches(db, c.agency_id, d.agency_id).await? {
            continue;
        }
        let id = format!("msg_{}_{}", h.id, event_id);
        outbox::enqueue(
            db,
            TOPIC,
            &format!("webhook:{}:{}", h.id, event_id),
            &json!({ "webhook": h.id, "id": id, "subject": code, "body": body }),
        )
        .await?;
    }
    Ok(())
}

/// The Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256, keyed with the secret's
/// bytes after `whsec_`, of `{id}.{timestamp}.{body}`.
pub fn webhook_signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_")?)
        .ok()?;
    let mut m = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    m.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
    ))
}

fn http() -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    let c = super::npsp::http_client(std::time::Duration::from_secs(15))?;
    Ok(CLIENT.get_or_init(|| c))
}

/// Delivers one queued webhook. A subscription removed since, or a disabled client, means
/// there is nobody left to tell: the message is settled without a call.
pub async fn deliver(svc: &Services, payload: &Value) -> Result<(), String> {
    let id = payload["webhook"]
        .as_i64()
        .and_then(|i| i32::try_from(i).ok())
        .ok_or("payload without webhook")?;
    let Some(hook) = webhook::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    let secret = svc
        .auth
        .cipher
        .decrypt("webhook", &hook.secret)
        .ok_or("webhook secret unreadable (was PORTAL_DATA_KEY changed?)")?;
    let msg_id = payload["id"].as_str().unwrap_or_default();
    let body = payload["body"].to_string();
    let ts = now();
    let signature = webhook_signature(&secret, msg_id, ts, &body).ok_or("bad webhook secret")?;
    let req = http()?
        .post(&hook.url)
        .header("webhook-id", msg_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature);
    outbox::post_logged(
        svc,
        ("webhook", "dossier.status", payload["subject"].as_str()),
        req,
        body,
        |status, _| {
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("webhook {}: HTTP {status}", hook.url))
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_addresses_must_be_public_https() {
        assert!(webhook_url_ok("https://doi-tac.example.vn/hook", false));
        assert!(webhook_url_ok("https://203.113.0.9/hook", false));
        for bad in [
            "http://doi-tac.example.vn/hook",
            "https://localhost/hook",
            "https://127.0.0.1/hook",
            "https://10.1.2.3/hook",
            "https://192.168.1.1/hook",
            "https://169.254.169.254/latest",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://user:pw@doi-tac.example.vn/hook",
            "ftp://doi-tac.example.vn/hook",
            "https://intranet/hook",
            "not a url",
        ] {
            assert!(!webhook_url_ok(bad, false), "{bad}");
        }
        assert!(webhook_url_ok("http://127.0.0.1:9000/hook", true));
        assert!(!webhook_url_ok("ftp://127.0.0.1/hook", true));
    }

    #[test]
    fn signature_follows_standard_webhooks() {
        // The example of the Standard Webhooks specification (its reference test vector).
        let sig = webhook_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
        assert_eq!(webhook_signature("no-prefix", "x", 1, "{}"), None);
    }

    #[test]
    fn times_are_rfc3339_in_vietnam() {
        assert_eq!(rfc3339(1_796_175_005), "2026-12-02T08:30:05+07:00");
    }

    #[test]
    fn problems_are_translated() {
        let e = ApiError::Invalid(vec![field("url", "Sai địa chỉ.", "Bad address.")]);
        assert_eq!(e.status(), 422);
        assert_eq!(e.problem(Lang::Vi)["errors"][0]["message"], "Sai địa chỉ.");
        assert_eq!(e.problem(Lang::En)["errors"][0]["message"], "Bad address.");
        assert_eq!(
            ApiError::Scope("dossier:read").problem(Lang::En)["title"],
            "The access token lacks the scope dossier:read."
        );
    }
}
