//! Single sign-on with the national e-ID (P-1): OpenID Connect authorization-code flow with
//! VNeID or the NPSP identity server, as spec/protocols.md §5 records them: a confidential
//! client sending `client_id` and `client_secret` in the form body (`client_secret_post`),
//! `scope=openid …`, optional `acr_values` (the level of assurance, e.g. `LoA1`), and the
//! claims `HoVaTen`, `SoDinhDanh`, `ThuDienTu`, `SoDienThoai`, `LoaiTaiKhoan` from userinfo.
//! On top of what the national notes show we add PKCE (S256), `nonce`, and validate the ID
//! token (signature against the provider's keys, issuer, audience, expiry, nonce) with the
//! `openidconnect` crate, and the userinfo subject against it.
//!
//! A sign-in in progress is a row of `oidc_login` found by `state`, used once and kept ten
//! minutes; the browser that started it carries the same `state` in a cookie, so a callback
//! cannot be replayed into another browser (login CSRF). Accounts are linked by issuer +
//! subject; the first time, an account with the same personal ID number (attested by the
//! e-ID) is linked, or else a citizen account is created from the claims. Officer accounts
//! never sign in this way: they keep password and two-step verification (S-ACC level 3).
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGenderClaim, CoreGrantType, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreResponseMode,
    CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AccessToken, AdditionalClaims, AdditionalProviderMetadata, AuthType, AuthorizationCode,
    ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, SubjectIdentifier, UserInfoClaims,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use entity::{external_identity, oidc_login, sso_session, user_account};

use super::accounts::{audit, entry, record_consent, LoggedIn, CITIZEN_ID};
use super::{now, session, RequestMeta};
use crate::domain::account::{
    normalise_citizen_id, normalise_email, normalise_phone, AccountKind, Stage,
};
use crate::error::AppError;
use crate::server::Services;

/// How long a sign-in may take between the portal's redirect and the provider's callback.
const LOGIN_TTL: i64 = 600;
/// How long the provider's discovery document and keys are reused.
const METADATA_TTL: Duration = Duration::from_secs(600);

/// The provider and this portal's client registration; from `PORTAL_OIDC_*`.
#[derive(Clone, Debug)]
pub struct SsoConfig {
    /// The issuer; its `/.well-known/openid-configuration` is read.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated; `openid` is always asked.
    pub scopes: String,
    /// Level of assurance asked (`acr_values`), if any.
    pub acr_values: Option<String>,
}

impl SsoConfig {
    /// None when `PORTAL_OIDC_ISSUER` is not set; an error names a missing companion setting.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(issuer) = env("PORTAL_OIDC_ISSUER") else {
            return Ok(None);
        };
        let need =
            |k: &str| env(k).ok_or_else(|| format!("{k} must be set with PORTAL_OIDC_ISSUER"));
        Ok(Some(Self {
            issuer,
            client_id: need("PORTAL_OIDC_CLIENT_ID")?,
            client_secret: need("PORTAL_OIDC_CLIENT_SECRET")?,
            scopes: env("PORTAL_OIDC_SCOPES")
                .unwrap_or_else(|| "openid profile email phone".into()),
            acr_values: env("PORTAL_OIDC_ACR_VALUES").filter(|v| !v.is_empty()),
        }))
    }
}

/// The discovery field for RP-initiated logout, which the core metadata leaves out.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct EndSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
}

impl AdditionalProviderMetadata for EndSession {}

type Metadata = openidconnect::ProviderMetadata<
    EndSession,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The national claims (spec/protocols.md §5.2) beside the standard ones.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct VnClaims {
    #[serde(rename = "HoVaTen", default)]
    pub ho_va_ten: Option<String>,
    #[serde(rename = "SoDinhDanh", default)]
    pub so_dinh_danh: Option<String>,
    #[serde(rename = "ThuDienTu", default)]
    pub thu_dien_tu: Option<String>,
    #[serde(rename = "SoDienThoai", default)]
    pub so_dien_thoai: Option<String>,
    /// 1 citizen, 2 business; some servers send it as a string.
    #[serde(rename = "LoaiTaiKhoan", default)]
    pub loai_tai_khoan: Option<serde_json::Value>,
}

impl AdditionalClaims for VnClaims {}

/// What the portal takes from the provider for an account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub full_name: Option<String>,
    pub citizen_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organisation: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// Why a sign-in did not finish; each has its message on the login page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SsoRefusal {
    /// The person cancelled at the provider (`error=access_denied`).
    Cancelled,
    /// Unknown, used, expired or another browser's `state`.
    Expired,
    /// The provider's answer did not validate (token, signature, nonce, claims) or it failed.
    Failed,
    /// The e-ID belongs to an officer account.
    Officer,
    /// The account is disabled.
    Disabled,
}

impl SsoRefusal {
    /// The `sso` query value of the login page.
    pub fn code(self) -> &'static str {
        match self {
            Self::Cancelled => "huy",
            Self::Expired => "het-han",
            Self::Failed => "loi",
            Self::Officer => "can-bo",
            Self::Disabled => "khoa",
        }
    }
}

/// The HTTP client the library calls, as a type rather than a closure: its futures are `Send`,
/// which the web server's handlers need.
#[derive(Clone)]
struct Http(reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, HttpError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, req: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let res = self
                .0
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(|e| HttpError(format!("{e:?}")))?;
            let mut out = http::Response::builder().status(res.status());
            if let Some(h) = out.headers_mut() {
                *h = res.headers().clone();
            }
            let bytes = res.bytes().await.map_err(|e| HttpError(e.to_string()))?;
            out.body(bytes.to_vec())
                .map_err(|e| HttpError(e.to_string()))
        })
    }
}

pub struct Sso {
    cfg: SsoConfig,
    http: Http,
    metadata: tokio::sync::Mutex<Option<(Metadata, Instant)>>,
}

impl Sso {
    pub fn new(cfg: SsoConfig) -> Result<Self, String> {
        IssuerUrl::new(cfg.issuer.clone()).map_err(|e| format!("PORTAL_OIDC_ISSUER: {e}"))?;
        let http = crate::server::npsp::http_client(Duration::from_secs(20))
            .map_err(|e| format!("SSO HTTP client: {e}"))?;
        Ok(Self {
            cfg,
            http: Http(http),
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    /// The provider's discovery document and keys, fetched again after [`METADATA_TTL`] or
    /// when `fresh` (after a signature failed: the provider may have rotated its keys).
    async fn metadata(&self, fresh: bool) -> Result<Metadata, String> {
        let mut cached = self.metadata.lock().await;
        if let Some((m, at)) = cached.as_ref() {
            if !fresh && at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.cfg.issuer.clone()).map_err(|e| e.to_string())?;
        let m = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("discovery: {e}"))?;
        *cached = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    /// The provider's origin (`scheme://host[:port]`), for the pages' CSP.
    pub fn origin(&self) -> String {
        crate::server::payment::origin_of(&self.cfg.issuer)
    }

    fn redirect_url(public_url: &str) -> String {
        format!(
            "{}/dang-nhap/vneid/ket-qua",
            public_url.trim_end_matches('/')
        )
    }

    /// The provider's logout address for a session opened through it (RP-initiated logout), or
    /// None.
    pub async fn logout_url(&self, svc: &Services, session_id: &str) -> Option<String> {
        let row = sso_session::Entity::find_by_id(session_id.to_owned())
            .one(&svc.db)
            .await
            .ok()??;
        let _ = sso_session::Entity::delete_by_id(session_id.to_owned())
            .exec(&svc.db)
            .await;
        let m = self.metadata(false).await.ok()?;
        let end = m.additional_metadata().end_session_endpoint.clone()?;
        let mut url = reqwest::Url::parse(&end).ok()?;
        url.query_pairs_mut()
            .append_pair("id_token_hint", &row.id_token)
            .append_pair("client_id", &self.cfg.client_id)
            .append_pair(
                "post_logout_redirect_uri",
                &format!(
                    "{}/dang-nhap?ok=logged_out",
                    svc.auth.public_url.trim_end_matches('/')
                ),
            );
        Some(url.to_string())
    }
}

/// This portal as the provider's client: authorization endpoint set, token and userinfo
/// endpoints as discovered.
type Rp = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn client(sso: &Sso, m: Metadata, public_url: &str) -> Result<Rp, String> {
    let redirect = RedirectUrl::new(Sso::redirect_url(public_url)).map_err(|e| e.to_string())?;
    Ok(CoreClient::from_provider_metadata(
        m,
        ClientId::new(sso.cfg.client_id.clone()),
        Some(ClientSecret::new(sso.cfg.client_secret.clone())),
    )
    .set_redirect_uri(redirect)
    .set_auth_type(AuthType::RequestBody))
}

/// Starts a sign-in: records it and returns the provider's authorization address and the
/// `state` for the browser's cookie.
pub async fn begin(svc: &Services, next: Option<&str>) -> Result<(String, String), AppError> {
    let sso = svc.integrations.sso.as_deref().ok_or(AppError::NotFound)?;
    let m = sso.metadata(false).await.map_err(crate::error::internal)?;
    let c = client(sso, m, &svc.auth.public_url).map_err(crate::error::internal)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = c
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in sso.cfg.scopes.split_whitespace().filter(|s| *s != "openid") {
        req = req.add_scope(Scope::new(s.to_owned()));
    }
    if let Some(acr) = &sso.cfg.acr_values {
        req = req.add_extra_param("acr_values", acr.clone());
    }
    let (url, state, nonce) = req.url();
    let t = now();
    oidc_login::ActiveModel {
        state: Set(state.secret().clone()),
        nonce: Set(nonce.secret().clone()),
        verifier: Set(verifier.secret().clone()),
        next: Set(next.map(str::to_owned)),
        created_at: Set(t),
    }
    .insert(&svc.db)
    .await?;
    Ok((url.to_string(), state.secret().clone()))
}

/// Hourly housekeeping: sign-ins abandoned at the provider (older than ten minutes) and the
/// logout hints of sessions that have ended by age (the absolute session lifetime). Returns how
/// many rows went.
pub async fn prune(svc: &Services) -> Result<u64, AppError> {
    let t = now();
    let logins = oidc_login::Entity::delete_many()
        .filter(oidc_login::Column::CreatedAt.lt(t - LOGIN_TTL))
        .exec(&svc.db)
        .await?;
    let sessions = sso_session::Entity::delete_many()
        .filter(sso_session::Column::CreatedAt.lt(t - svc.auth.policy.absolute_lifetime_secs))
        .exec(&svc.db)
        .await?;
    Ok(logins.rows_affected + sessions.rows_affected)
}

/// The provider's callback parameters.
#[derive(Clone, Debug, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// A finished sign-in: the session, and where to go.
pub struct Finished {
    pub logged_in: LoggedIn,
    pub next: Option<String>,
}

/// Finishes a sign-in from the provider's callback. `cookie_state` is the `state` of the
/// browser that started it.
pub async fn finish(
    svc: &Services,
    cookie_state: Option<&str>,
    cb: &Callback,
    meta: &RequestMeta,
) -> Result<Finished, SsoRefusal> {
    let Some(sso) = svc.integrations.sso.as_deref() else {
        return Err(SsoRefusal::Failed);
    };
    let state = cb.state.as_deref().unwrap_or_default();
    // Used once: taken before anything else, whatever the outcome. The delete is the claim:
    // of two callbacks racing with the same state, only the one that removed the row goes on.
    let pending = match oidc_login::Entity::find_by_id(state.to_owned())
        .one(&svc.db)
        .await
    {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("SSO state lookup: {e}");
            return Err(SsoRefusal::Failed);
        }
    };
    let pending = match pending {
        Some(p) => match oidc_login::Entity::delete_by_id(p.state.clone())
            .exec(&svc.db)
            .await
        {
            Ok(r) if r.rows_affected == 1 => Some(p),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!("SSO state claim: {e}");
                return Err(SsoRefusal::Failed);
            }
        },
        None => None,
    };
    if cb.error.is_some() {
        return Err(if cb.error.as_deref() == Some("access_denied") {
            SsoRefusal::Cancelled
        } else {
            SsoRefusal::Failed
        });
    }
    let Some(pending) = pending
        .filter(|p| now() - p.created_at <= LOGIN_TTL)
        .filter(|_| !state.is_empty() && cookie_state == Some(state))
    else {
        return Err(SsoRefusal::Expired);
    };
    let code = cb.code.clone().ok_or(SsoRefusal::Failed)?;
    let identity = match exchange(svc, sso, code, &pending).await {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!("SSO sign-in refused: {e}");
            let mut en = entry(None, "auth.sso.failure", meta);
            en.detail =
                Some(serde_json::json!({ "reason": e.chars().take(300).collect::<String>() }));
            let _ = audit(svc, en).await;
            return Err(SsoRefusal::Failed);
        }
    };
    let (id_token, identity) = identity;
    let logged_in = sign_in(svc, &identity, meta).await?;
    let _ = sso_session::ActiveModel {
        session_id: Set(logged_in.issued.session_id.clone()),
        id_token: Set(id_token),
        created_at: Set(now()),
    }
    .insert(&svc.db)
    .await;
    Ok(Finished {
        logged_in,
        next: pending.next,
    })
}

/// Code → tokens → validated ID token → userinfo. Returns the raw ID token (for logout) and
/// the identity.
async fn exchange(
    svc: &Services,
    sso: &Sso,
    code: String,
    pending: &oidc_login::Model,
) -> Result<(String, Identity), String> {
    let m = sso.metadata(false).await?;
    let c = client(sso, m, &svc.auth.public_url)?;
    let http = &sso.http;
    let tokens = c
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| e.to_string())?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
        .request_async(http)
        .await
        .map_err(|e| format!("token: {e} ({e:?})"))?;
    let id_token = openidconnect::TokenResponse::id_token(&tokens)
        .ok_or("the provider sent no ID token")?
        .clone();
    let nonce = Nonce::new(pending.nonce.clone());
    let claims = match id_token.claims(&c.id_token_verifier(), &nonce) {
        Ok(cl) => cl.clone(),
        Err(first) => {
            // The keys may have rotated since they were cached: read them once more.
            let fresh = sso.metadata(true).await?;
            let c2 = client(sso, fresh, &svc.auth.public_url)?;
            let verifier = c2.id_token_verifier();
            let verified = id_token
                .claims(&verifier, &nonce)
                .map_err(|e| format!("ID token: {e} (first: {first})"))?
                .clone();
            verified
        }
    };
    let subject = claims.subject().clone();
    let mut identity = Identity {
        issuer: claims.issuer().as_str().to_owned(),
        subject: subject.to_string(),
        ..Default::default()
    };
    let info = userinfo(&c, http, tokens.access_token().clone(), subject).await?;
    if let Some(info) = info {
        let extra = info.additional_claims();
        identity.full_name = extra
            .ho_va_ten
            .clone()
            .or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.to_string()));
        identity.citizen_id = extra.so_dinh_danh.clone();
        identity.email = extra
            .thu_dien_tu
            .clone()
            .or_else(|| info.email().map(|e| e.to_string()));
        identity.phone = extra
            .so_dien_thoai
            .clone()
            .or_else(|| info.phone_number().map(|p| p.to_string()));
        identity.organisation = matches!(
            extra
                .loai_tai_khoan
                .as_ref()
                .map(|v| v.to_string().trim_matches('"').to_owned())
                .as_deref(),
            Some("2")
        );
    }
    Ok((id_token.to_string(), identity))
}

async fn userinfo<'c>(
    c: &'c Rp,
    http: &'c Http,
    token: AccessToken,
    subject: SubjectIdentifier,
) -> Result<Option<UserInfoClaims<VnClaims, CoreGenderClaim>>, String> {
    // A provider without a userinfo endpoint gives only the ID token's subject.
    let Ok(req) = c.user_info(token, Some(subject)) else {
        return Ok(None);
    };
    req.request_async(http)
        .await
        .map(Some)
        .map_err(|e| format!("userinfo: {e}"))
}

/// The account for an identity: linked before, or linked by personal ID number, or created.
/// Then a session like a password sign-in (two-step verification still asked when enabled).
async fn sign_in(
    svc: &Services,
    id: &Identity,
    meta: &RequestMeta,
) -> Result<LoggedIn, SsoRefusal> {
    let failed = |e: AppError| {
        tracing::warn!("SSO account: {e}");
        SsoRefusal::Failed
    };
    let t = now();
    let txn = svc.db.begin().await.map_err(|e| failed(e.into()))?;
    crate::server::write_lock(&txn).await.map_err(failed)?;
    let linked = external_identity::Entity::find()
        .filter(external_identity::Column::Issuer.eq(id.issuer.clone()))
        .filter(external_identity::Column::Subject.eq(id.subject.clone()))
        .one(&txn)
        .await
        .map_err(|e| failed(e.into()))?;
    let cid = id.citizen_id.as_deref().and_then(normalise_citizen_id);
    let user = match &linked {
        Some(l) => user_account::Entity::find_by_id(l.user_id)
            .one(&txn)
            .await
            .map_err(|e| failed(e.into()))?,
        None => match &cid {
            Some(c) => user_account::Entity::find()
                .filter(
                    user_account::Column::CitizenIdIndex
                        .eq(svc.auth.cipher.blind_index(CITIZEN_ID, c)),
                )
                .one(&txn)
                .await
                .map_err(|e| failed(e.into()))?,
            None => None,
        },
    };
    let (user, created) = match user {
        Some(u) => (u, false),
        None => (
            create_account(svc, &txn, id, cid.as_deref(), t)
                .await
                .map_err(failed)?,
            true,
        ),
    };
    if AccountKind::parse(&user.kind) == Some(AccountKind::Officer) {
        let _ = txn.rollback().await;
        let _ = audit(svc, entry(Some(user.id), "auth.sso.officer_refused", meta)).await;
        return Err(SsoRefusal::Officer);
    }
    if user.disabled_at.is_some() {
        let _ = txn.rollback().await;
        let _ = audit(svc, entry(Some(user.id), "auth.login.disabled", meta)).await;
        return Err(SsoRefusal::Disabled);
    }
    match linked {
        Some(l) => {
            let mut am = l.into_active_model();
            am.last_login_at = Set(Some(t));
            am.update(&txn).await.map_err(|e| failed(e.into()))?;
        }
        None => {
            external_identity::ActiveModel {
                user_id: Set(user.id),
                issuer: Set(id.issuer.clone()),
                subject: Set(id.subject.clone()),
                created_at: Set(t),
                last_login_at: Set(Some(t)),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .map_err(|e| failed(e.into()))?;
        }
    }
    user_account::Entity::update_many()
        .col_expr(user_account::Column::LastLoginAt, Expr::value(t))
        .filter(user_account::Column::Id.eq(user.id))
        .exec(&txn)
        .await
        .map_err(|e| failed(e.into()))?;
    txn.commit().await.map_err(|e| failed(e.into()))?;
    let stage = if user.totp_enabled_at.is_some() {
        Stage::Totp
    } else {
        Stage::Full
    };
    let issued = session::create(svc, user.id, stage, meta)
        .await
        .map_err(failed)?;
    let mut e = entry(Some(user.id), "auth.login.sso", meta);
    e.detail = Some(serde_json::json!({
        "issuer": id.issuer,
        "created": created,
        "session": session::short(&issued.session_id),
    }));
    let _ = audit(svc, e).await;
    Ok(LoggedIn { issued, stage })
}

/// A citizen (or organisation representative) account from the provider's claims. The
/// e-ID vouches for the person, so the account needs no password (it has none that works)
/// and no email check; consent was given on the login page next to the button.
async fn create_account(
    svc: &Services,
    txn: &sea_orm::DatabaseTransaction,
    id: &Identity,
    cid: Option<&str>,
    t: i64,
) -> Result<user_account::Model, AppError> {
    let email = match id.email.as_deref().and_then(normalise_email) {
        Some(e)
            if user_account::Entity::find()
                .filter(user_account::Column::Email.eq(e.clone()))
                .one(txn)
                .await?
                .is_none() =>
        {
            e
        }
        // No address, or one another account uses: a placeholder that can never receive mail
        // (RFC 2606 `.invalid`); the person can set theirs on the account page.
        _ => {
            let tag = super::crypto::sha256_hex(&format!("{}|{}", id.issuer, id.subject));
            format!("sso-{}@vneid.invalid", &tag[..16])
        }
    };
    let (enc, index) = match cid {
        Some(c) => (
            Some(
                svc.auth
                    .cipher
                    .encrypt(CITIZEN_ID, c)
                    .ok_or_else(|| crate::error::internal("encryption failed"))?,
            ),
            Some(svc.auth.cipher.blind_index(CITIZEN_ID, c)),
        ),
        None => (None, None),
    };
    let name = id
        .full_name
        .as_deref()
        .map(str::trim)
        .filter(|n| n.chars().count() >= 2)
        .map(|n| n.chars().take(200).collect())
        .unwrap_or_else(|| "Người dùng VNeID".to_owned());
    let kind = if id.organisation {
        AccountKind::Organisation
    } else {
        AccountKind::Citizen
    };
    let user = user_account::ActiveModel {
        kind: Set(kind.as_str().into()),
        email: Set(email),
        email_verified_at: Set(Some(t)),
        full_name: Set(name),
        phone: Set(id.phone.as_deref().and_then(normalise_phone)),
        citizen_id_enc: Set(enc),
        citizen_id_index: Set(index),
        // Not a password hash: no password verifies against it.
        password_hash: Set("!sso".into()),
        password_changed_at: Set(t),
        must_change_password: Set(false),
        failed_logins: Set(0),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record_consent(txn, user.id, t).await?;
    Ok(user)
}
