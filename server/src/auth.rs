//! HTTP side of accounts (S-ACC): cookies, CSRF defence, per-request authentication, the
//! nonce-based CSP, and the plain HTML form posts of the account pages. Forms work without
//! JavaScript: a POST either redirects (303) on success or re-renders its page with the errors
//! and the user's input (422).
use std::collections::HashMap;
use std::net::SocketAddr;

use app::domain::account::{Permission, Stage};
use app::domain::form::FormEcho;
use app::error::AppError;
use app::server::auth::{accounts, crypto, session, CsrfToken, CurrentUser, RequestMeta};
use app::server::Services;
use app::shell;
use axum::body::Body;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;

use crate::AppState;

/// Cookie names: `__Host-` pins them to this host, path `/`, and HTTPS (or localhost).
pub struct CookieNames {
    pub access: &'static str,
    pub refresh: &'static str,
    pub csrf: &'static str,
}

pub fn cookie_names(secure: bool) -> CookieNames {
    if secure {
        CookieNames {
            access: "__Host-portal_at",
            refresh: "__Host-portal_rt",
            csrf: "__Host-portal_csrf",
        }
    } else {
        CookieNames {
            access: "portal_at",
            refresh: "portal_rt",
            csrf: "portal_csrf",
        }
    }
}

fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

pub(crate) fn client_meta(req: &Request<Body>, trust_proxy: bool) -> RequestMeta {
    let forwarded = trust_proxy
        .then(|| {
            req.headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|v| v.trim().to_owned())
        })
        .flatten();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    RequestMeta {
        ip: forwarded.or(peer),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(400).collect()),
    }
}

/// Whether an unsafe request comes from our own pages: `Origin` (or, failing that, `Referer`)
/// must be this site. Browsers send `Origin` on every cross-site POST, so a forged form or
/// fetch from another site is refused before it reaches a handler.
fn same_origin(req: &Request<Body>, public_url: &str) -> bool {
    let h = req.headers();
    let host = h.get(header::HOST).and_then(|v| v.to_str().ok());
    let allowed = |o: &str| {
        let o = o.trim_end_matches('/');
        o == public_url
            || host
                .is_some_and(|host| o == format!("http://{host}") || o == format!("https://{host}"))
    };
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        return allowed(origin);
    }
    h.get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            let (scheme, rest) = r.split_once("://")?;
            let authority = rest.split('/').next()?;
            Some(format!("{scheme}://{authority}"))
        })
        .is_some_and(|o| allowed(&o))
}

/// Server-to-server endpoints: partners sign each body (HMAC) or carry a bearer token (the
/// public API, G-3) instead of holding a browser session, and send no `Origin`; cookies are
/// never what authorises them.
pub fn machine_path(path: &str) -> bool {
    path == "/buu-chinh/trang-thai"
        // P-3.6: the NPSP payment platform POSTs its confirm (checked by its MaXacThuc).
        || path == "/thanh-toan/paygov/ipn"
        || path.starts_with("/api/v1/")
        || path.starts_with("/lien-thong/tep/")
}

/// Pages that need a completed login.
fn protected(path: &str) -> bool {
    [
        "/tai-khoan",
        "/can-bo",
        "/quan-tri",
        "/ho-so",
        "/kho-du-lieu",
    ]
    .iter()
    .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// Per request: client address, CSRF cookie, origin check on state changes, session from
/// cookies (with silent refresh), stage gate, cookies out.
pub async fn auth_layer(
    State(state): State<AppState>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let svc = &state.services;
    let policy = &svc.auth.policy;
    let names = cookie_names(policy.secure_cookies);
    let meta = client_meta(&req, state.trust_proxy);
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !machine_path(req.uri().path()) && !same_origin(&req, &svc.auth.public_url)
    {
        return forbidden_page("cross-origin");
    }
    let existing_csrf = read_cookie(req.headers(), names.csrf).map(str::to_owned);
    let new_csrf = existing_csrf.is_none().then(crypto::random_token);
    let csrf = existing_csrf
        .clone()
        .or(new_csrf.clone())
        .unwrap_or_default();
    let access = read_cookie(req.headers(), names.access).map(str::to_owned);
    let refresh = read_cookie(req.headers(), names.refresh).map(str::to_owned);
    let authn = if access.is_some() || refresh.is_some() {
        match session::authenticate(svc, access.as_deref(), refresh.as_deref(), &meta).await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(error = %e, "authentication failed");
                return (StatusCode::SERVICE_UNAVAILABLE, "Service unavailable").into_response();
            }
        }
    } else {
        Default::default()
    };
    let path = req.uri().path().to_owned();
    if req.method() == Method::GET && protected(&path) {
        match &authn.principal {
            None => {
                let next_path = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default();
                return see_other(&format!(
                    "/dang-nhap?next={}",
                    app::domain::text::urlencode(&next_path)
                ));
            }
            Some(p) if p.stage != Stage::Full && path != p.stage.path() => {
                return see_other(p.stage.path());
            }
            _ => {}
        }
    }
    if req.method() == Method::GET
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
    {
        svc.auth.count_visit();
    }
    req.extensions_mut().insert(meta);
    req.extensions_mut().insert(CsrfToken(csrf));
    if let Some(p) = authn.principal.clone() {
        req.extensions_mut().insert(CurrentUser(p));
    }
    let mut res = next.run(req).await;
    let secure = policy.secure_cookies;
    let hs = res.headers_mut();
    if let Some(t) = new_csrf {
        append_cookie(hs, &cookie(names.csrf, &t, 86_400 * 30, secure));
    }
    if let Some(i) = authn.reissued {
        set_session_cookies(hs, &i, policy.access_ttl_secs, secure);
    } else if authn.clear {
        clear_session_cookies(hs, secure);
    }
    if policy.hsts {
        hs.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // Pages that show personal data are never stored by shared caches or the back button.
    if authn.principal.is_some() {
        hs.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn append_cookie(h: &mut HeaderMap, c: &str) {
    if let Ok(v) = HeaderValue::from_str(c) {
        h.append(header::SET_COOKIE, v);
    }
}

pub fn set_session_cookies(h: &mut HeaderMap, i: &session::Issued, access_ttl: i64, secure: bool) {
    let n = cookie_names(secure);
    append_cookie(h, &cookie(n.access, &i.access, access_ttl, secure));
    append_cookie(h, &cookie(n.refresh, &i.refresh, i.refresh_max_age, secure));
}

pub fn clear_session_cookies(h: &mut HeaderMap, secure: bool) {
    let n = cookie_names(secure);
    append_cookie(h, &cookie(n.access, "", 0, secure));
    append_cookie(h, &cookie(n.refresh, "", 0, secure));
}

pub fn see_other(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn forbidden_page(why: &str) -> Response {
    tracing::info!(reason = why, "request refused");
    crate::plain_error(
        StatusCode::FORBIDDEN,
        "Yêu cầu bị từ chối vì không xuất phát từ trang của Cổng. Hãy tải lại trang và thử lại. / The request was refused because it did not come from this portal's pages. Reload the page and try again.",
    )
}

/// A local path to continue to after login; anything else (other sites, `//host`) is ignored.
fn safe_next(next: Option<&String>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .cloned()
}

pub(crate) type Fields = HashMap<String, String>;

/// What a form handler needs about its request.
pub(crate) struct Ctx {
    pub svc: Services,
    pub meta: RequestMeta,
    pub user: Option<app::domain::account::Principal>,
    pub csrf_ok: bool,
    pub parts: axum::http::request::Parts,
}

pub(crate) fn ctx(state: &AppState, parts: axum::http::request::Parts, fields: &Fields) -> Ctx {
    let expected = parts.extensions.get::<CsrfToken>().map(|t| t.0.clone());
    let given = fields.get("_csrf");
    let csrf_ok = match (expected, given) {
        (Some(e), Some(g)) if !e.is_empty() => crypto::constant_time_eq(e.as_bytes(), g.as_bytes()),
        _ => false,
    };
    Ctx {
        svc: state.services.clone(),
        meta: parts
            .extensions
            .get::<RequestMeta>()
            .cloned()
            .unwrap_or_default(),
        user: parts.extensions.get::<CurrentUser>().map(|u| u.0.clone()),
        csrf_ok,
        parts,
    }
}

/// Renders the page at this request's path with `echo` available to it, as 422 (or the given
/// status): the user sees their input and what to fix.
pub(crate) async fn rerender(
    state: &AppState,
    parts: axum::http::request::Parts,
    echo: FormEcho,
    status: StatusCode,
) -> Response {
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    let ctx_fn = move || {
        provide_context(services.clone());
        provide_context(echo.clone());
    };
    let mut parts = parts;
    parts.method = Method::GET;
    let handler =
        leptos_axum::render_app_async_with_context(ctx_fn, move || shell(options.clone()));
    let mut res = handler(Request::from_parts(parts, Body::empty())).await;
    *res.status_mut() = status;
    res
}

/// Keeps what the user typed, except secrets.
pub(crate) fn keep(fields: &Fields) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|(k, _)| !k.contains("password") && *k != "_csrf" && *k != "code")
        .map(|(k, v)| (k.clone(), v.chars().take(500).collect()))
        .collect()
}

pub(crate) fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::Unauthorized => StatusCode::UNAUTHORIZED,
        AppError::Conflict => StatusCode::CONFLICT,
        AppError::NotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub(crate) async fn fail(state: &AppState, c: Ctx, fields: &Fields, err: AppError) -> Response {
    let status = status_of(&err);
    let echo = FormEcho::from_error(err, keep(fields));
    rerender(state, c.parts, echo, status).await
}

pub(crate) fn csrf_error() -> AppError {
    app::server::auth::invalid(
        "form",
        "Phiên biểu mẫu đã hết hạn. Hãy gửi lại biểu mẫu.",
        "The form session has expired. Please submit the form again.",
    )
}

/// Reads the posted form and the request context, or answers 400 for an unreadable body.
macro_rules! form {
    ($state:expr, $req:expr) => {
        match with_form($req).await {
            Ok((parts, fields)) => (ctx(&$state, parts, &fields), fields),
            Err(r) => return r,
        }
    };
}

macro_rules! guard {
    ($state:expr, $c:expr, $fields:expr) => {
        if !$c.csrf_ok {
            return fail(&$state, $c, &$fields, csrf_error()).await;
        }
    };
}

pub(crate) fn f<'a>(fields: &'a Fields, k: &str) -> &'a str {
    fields.get(k).map(String::as_str).unwrap_or("")
}

pub(crate) async fn with_form(
    req: Request<Body>,
) -> Result<(axum::http::request::Parts, Fields), Response> {
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts.clone(), body);
    match Form::<Fields>::from_request(req, &()).await {
        Ok(Form(fields)) => Ok((parts, fields)),
        Err(_) => Err(crate::plain_error(
            StatusCode::BAD_REQUEST,
            "Biểu mẫu không hợp lệ. / The form could not be read.",
        )),
    }
}

use axum::extract::FromRequest;

async fn register(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    guard!(state, c, fields);
    let r = accounts::Registration {
        kind: f(&fields, "kind").into(),
        full_name: f(&fields, "full_name").into(),
        email: f(&fields, "email").into(),
        phone: f(&fields, "phone").into(),
        citizen_id: f(&fields, "citizen_id").into(),
        organisation_name: f(&fields, "organisation_name").into(),
        tax_code: f(&fields, "tax_code").into(),
        password: f(&fields, "password").into(),
        password_confirm: f(&fields, "password_confirm").into(),
        consent: fields.get("consent").is_some_and(|v| v == "yes"),
    };
    match accounts::register(&c.svc, r, &c.meta).await {
        Ok(()) => see_other("/dang-ky?ok=1"),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn verify_email(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    guard!(state, c, fields);
    match accounts::verify_email(&c.svc, f(&fields, "token"), &c.meta).await {
        Ok(()) => see_other("/dang-nhap?ok=verified"),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn login(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    guard!(state, c, fields);
    match accounts::login(&c.svc, f(&fields, "email"), f(&fields, "password"), &c.meta).await {
        Ok(done) => {
            let to = match done.stage {
                Stage::Full => safe_next(fields.get("next")).unwrap_or_else(|| "/tai-khoan".into()),
                s => s.path().into(),
            };
            let mut res = see_other(&to);
            let p = &c.svc.auth.policy;
            set_session_cookies(
                res.headers_mut(),
                &done.issued,
                p.access_ttl_secs,
                p.secure_cookies,
            );
            res
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn second_factor(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    guard!(state, c, fields);
    let Some(p) = c.user.clone() else {
        return see_other("/dang-nhap");
    };
    match accounts::verify_second_factor(&c.svc, &p, f(&fields, "code"), &c.meta).await {
        Ok(()) => see_other(if p.is_officer() {
            "/can-bo"
        } else {
            "/tai-khoan"
        }),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn logout(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    guard!(state, c, fields);
    if let Some(p) = &c.user {
        if let Err(e) = session::revoke(&c.svc, &p.session_id, "logout").await {
            return fail(&state, c, &fields, e).await;
        }
        let _ = c
            .svc
            .audit
            .append(
                &c.svc.db,
                app::server::audit::Entry {
                    actor: Some(p.user_id.to_string()),
                    action: "auth.logout".into(),
                    ip: c.meta.ip.clone(),
                    user_agent: c.meta.user_agent.clone(),
                    ..Default::default()
                },
            )
            .await;
    }
    // A session opened through the national e-ID ends there too (RP-initiated logout, P-1).
    let sso_logout = match (&c.user, c.svc.integrations.sso.as_deref()) {
        (Some(p), Some(sso)) => sso.logout_url(&c.svc, &p.session_id).await,
        _ => None,
    };
    let mut res = see_other(sso_logout.as_deref().unwrap_or("/dang-nhap?ok=logged_out"));
    clear_session_cookies(res.headers_mut(), c.svc.auth.policy.secure_cookies);
    res
}

/// The cookie that ties a national e-ID sign-in to the browser that started it (P-1).
const SSO_STATE: &str = "portal_sso_state";

fn sso_state_cookie(value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{SSO_STATE}={value}; Path=/dang-nhap/vneid; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// P-1: starts a sign-in with the national e-ID and sends the browser to the provider.
async fn sso_start(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let svc = &state.services;
    let next = safe_next(q.get("next"));
    match app::server::auth::sso::begin(svc, next.as_deref()).await {
        Ok((url, st)) => {
            let mut res = see_other(&url);
            append_cookie(
                res.headers_mut(),
                &sso_state_cookie(&st, 600, svc.auth.policy.secure_cookies),
            );
            res
        }
        Err(AppError::NotFound) => crate::dossier::error_response(AppError::NotFound),
        Err(e) => {
            tracing::warn!("SSO start: {e}");
            see_other("/dang-nhap?sso=loi")
        }
    }
}

/// P-1: the provider's callback: validates, signs in, and goes where the sign-in started.
async fn sso_callback(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    let svc = &state.services;
    let cb = app::server::auth::sso::Callback {
        code: q.get("code").cloned(),
        state: q.get("state").cloned(),
        error: q.get("error").cloned(),
    };
    let meta = client_meta(&req, state.trust_proxy);
    let cookie_state = read_cookie(req.headers(), SSO_STATE).map(str::to_owned);
    let secure = svc.auth.policy.secure_cookies;
    let mut res = match app::server::auth::sso::finish(svc, cookie_state.as_deref(), &cb, &meta)
        .await
    {
        Ok(done) => {
            let to = match done.logged_in.stage {
                Stage::Full => safe_next(done.next.as_ref()).unwrap_or_else(|| "/tai-khoan".into()),
                s => s.path().into(),
            };
            let mut res = see_other(&to);
            set_session_cookies(
                res.headers_mut(),
                &done.logged_in.issued,
                svc.auth.policy.access_ttl_secs,
                secure,
            );
            res
        }
        Err(refusal) => see_other(&format!("/dang-nhap?sso={}", refusal.code())),
    };
    append_cookie(res.headers_mut(), &sso_state_cookie("", 0, secure));
    res
}

async fn forgot(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    guard!(state, c, fields);
    match accounts::request_reset(&c.svc, f(&fields, "email"), &c.meta).await {
        Ok(()) => see_other("/quen-mat-khau?ok=1"),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn reset(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    guard!(state, c, fields);
    let r = accounts::reset_password(
        &c.svc,
        f(&fields, "token"),
        f(&fields, "new_password"),
        f(&fields, "password_confirm"),
        &c.meta,
    )
    .await;
    match r {
        Ok(()) => see_other("/dang-nhap?ok=reset"),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// The remaining account forms need a signed-in user.
macro_rules! signed_in {
    ($state:expr, $c:expr, $fields:expr) => {{
        guard!($state, $c, $fields);
        match $c.user.clone() {
            Some(p) => p,
            None => return see_other("/dang-nhap"),
        }
    }};
}

async fn contact(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    let p = signed_in!(state, c, fields);
    if p.stage != Stage::Full {
        return see_other(p.stage.path());
    }
    let r = match f(&fields, "action") {
        "delete" => accounts::request_deletion(&c.svc, &p, f(&fields, "reason"), &c.meta)
            .await
            .map(|_| "/tai-khoan?ok=deletion"),
        _ => accounts::update_contact(&c.svc, &p, f(&fields, "phone"), &c.meta)
            .await
            .map(|_| "/tai-khoan?ok=saved"),
    };
    match r {
        Ok(to) => see_other(to),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn change_password(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    let p = signed_in!(state, c, fields);
    let r = accounts::change_password(
        &c.svc,
        &p,
        f(&fields, "current_password"),
        f(&fields, "new_password"),
        f(&fields, "password_confirm"),
        &c.meta,
    )
    .await;
    match r {
        Ok(Stage::Full) => see_other("/tai-khoan?ok=password"),
        Ok(next) => see_other(next.path()),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn enrol_totp(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    let p = signed_in!(state, c, fields);
    match accounts::confirm_totp(&c.svc, &p, f(&fields, "code"), &c.meta).await {
        Ok(codes) => {
            // Shown once, on this response only; the next page load no longer has them.
            let echo = FormEcho {
                done: true,
                extra: codes,
                ..Default::default()
            };
            let mut parts = c.parts;
            // The session is now complete: render as such.
            if let Some(mut u) = c.user.clone() {
                u.stage = Stage::Full;
                parts.extensions.insert(CurrentUser(u));
            }
            rerender(&state, parts, echo, StatusCode::OK).await
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn sessions(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    let p = signed_in!(state, c, fields);
    let r = session::revoke_all(&c.svc.db, p.user_id, "logout_others", Some(&p.session_id)).await;
    match r {
        Ok(n) => {
            let _ = c
                .svc
                .audit
                .append(
                    &c.svc.db,
                    app::server::audit::Entry {
                        actor: Some(p.user_id.to_string()),
                        action: "auth.logout_others".into(),
                        ip: c.meta.ip.clone(),
                        detail: Some(serde_json::json!({ "sessions": n })),
                        ..Default::default()
                    },
                )
                .await;
            see_other("/tai-khoan/phien?ok=1")
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn export(State(state): State<AppState>, req: Request<Body>) -> Response {
    let Some(p) = req.extensions().get::<CurrentUser>().map(|u| u.0.clone()) else {
        return see_other("/dang-nhap?next=/tai-khoan/du-lieu");
    };
    match accounts::export(&state.services, &p).await {
        Ok(v) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"du-lieu-ca-nhan.json\"",
                ),
            ],
            serde_json::to_string_pretty(&v).unwrap_or_default(),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn officers(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    let p = signed_in!(state, c, fields);
    if p.stage != Stage::Full
        || p.units_for(Permission::ManageOfficers).is_empty() && !p.is_system_admin()
    {
        return fail(&state, c, &fields, AppError::Forbidden).await;
    }
    if f(&fields, "action") == "disable" {
        let id = f(&fields, "user_id").parse().unwrap_or(0);
        return match accounts::disable_account(&c.svc, &p, id, &c.meta).await {
            Ok(()) => see_other("/quan-tri/can-bo?ok=disabled"),
            Err(e) => fail(&state, c, &fields, e).await,
        };
    }
    let n = accounts::NewOfficer {
        full_name: f(&fields, "full_name").into(),
        email: f(&fields, "email").into(),
        agency_id: f(&fields, "agency_id").parse().unwrap_or(0),
        role: f(&fields, "role").into(),
    };
    match accounts::create_officer(&c.svc, &p, n, &c.meta).await {
        Ok(initial) => {
            let echo = FormEcho {
                done: true,
                extra: vec![f(&fields, "email").trim().to_lowercase(), initial],
                ..Default::default()
            };
            rerender(&state, c.parts, echo, StatusCode::OK).await
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn deletions(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (c, fields) = form!(state, req);
    let p = signed_in!(state, c, fields);
    let id = f(&fields, "request_id").parse().unwrap_or(0);
    let approve = f(&fields, "decision") == "approve";
    match accounts::decide_deletion(&c.svc, &p, id, approve, &c.meta).await {
        Ok(()) => see_other("/quan-tri/yeu-cau-xoa?ok=1"),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dang-ky", post(register))
        .route("/xac-thuc-email", post(verify_email))
        .route("/dang-nhap", post(login))
        .route("/dang-nhap/ma-xac-thuc", post(second_factor))
        .route("/dang-nhap/vneid", get(sso_start))
        .route("/dang-nhap/vneid/ket-qua", get(sso_callback))
        .route("/dang-xuat", post(logout))
        .route("/quen-mat-khau", post(forgot))
        .route("/dat-lai-mat-khau", post(reset))
        .route("/tai-khoan", post(contact))
        .route("/tai-khoan/mat-khau", post(change_password))
        .route("/tai-khoan/xac-thuc-hai-buoc", post(enrol_totp))
        .route("/tai-khoan/phien", post(sessions))
        .route("/tai-khoan/du-lieu.json", get(export))
        .route("/quan-tri/can-bo", post(officers))
        .route("/quan-tri/yeu-cau-xoa", post(deletions))
}

/// Flushes page-view counts to the statistics table every half minute (P-10.3).
pub fn spawn_stats_flusher(svc: Services) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            tick.tick().await;
            let n = svc
                .auth
                .visits
                .swap(0, std::sync::atomic::Ordering::Relaxed);
            if n > 0 {
                if let Err(e) = accounts::bump_stat(&svc, n as i64, 0).await {
                    tracing::warn!(error = %e, "statistics flush failed");
                    svc.auth
                        .visits
                        .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
    });
}
