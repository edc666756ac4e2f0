//! HTTP face of the public API (G-3, G-5): `/api/v1/…` for partners, the OpenAPI document at
//! `/api/openapi.json` and its readable form at `/api/docs`. What each call does lives in
//! `app::server::api`; here are the routes, the problem documents and the integration log
//! (EMC-2: every call in is kept a year).
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Value};

use app::i18n::Lang;
use app::server::api::{self as service, ApiError, Caller, TokenError, TokenRequest};
use app::server::outbox::{log, Exchange};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/token", post(token))
        .route("/api/v1/dossiers", get(dossiers).post(receive))
        .route("/api/v1/dossiers/{code}", get(dossier))
        .route("/api/v1/dossiers/{code}/outcome", post(outcome))
        .route("/api/v1/payments/dptracuuthanhtoanhs", post(npsp_bill))
        .route("/api/v1/webhooks", get(webhooks).post(subscribe))
        .route("/api/v1/webhooks/{id}", delete(unsubscribe))
        .route("/lien-thong/tep/{id}/{exp}/{sig}", get(npsp_file))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs", get(docs))
}

/// The partner's language for problem documents: English when `Accept-Language` puts it
/// first, Vietnamese otherwise.
fn lang_of(h: &HeaderMap) -> Lang {
    let first = h
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if first.starts_with("en") {
        Lang::En
    } else {
        Lang::Vi
    }
}

fn json_response(status: u16, content_type: &'static str, v: &Value) -> Response {
    let mut r = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        v.to_string(),
    )
        .into_response();
    if status == 401 {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer realm=\"dvc\", error=\"invalid_token\""),
        );
    }
    if status == 429 {
        r.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("60"),
        );
    }
    r
}

/// Answers one call and writes it to the integration log under the partner's client id.
#[allow(clippy::too_many_arguments)]
async fn answer(
    state: &AppState,
    caller: Option<&Caller>,
    operation: &str,
    subject: Option<&str>,
    started: std::time::Instant,
    request: &str,
    lang: Lang,
    outcome: Result<(u16, Value), ApiError>,
) -> Response {
    let (status, ctype, body) = match outcome {
        Ok((s, v)) => (s, "application/json", v),
        Err(e) => {
            if let ApiError::Internal(r) = &e {
                tracing::error!(reference = %r, "public API call failed");
            }
            (e.status(), "application/problem+json", e.problem(lang))
        }
    };
    let system = match caller {
        Some(c) => format!("api:{}", c.client_id),
        None => "api".to_owned(),
    };
    log(
        &state.services,
        Exchange {
            system: &system,
            direction: "in",
            operation,
            subject,
            ok: status < 400,
            http_status: Some(status),
            duration_ms: started.elapsed().as_millis(),
            request,
            response: &body.to_string(),
        },
    )
    .await;
    if status == 204 {
        return StatusCode::NO_CONTENT.into_response();
    }
    json_response(status, ctype, &body)
}

/// Largest body of `POST /api/v1/dossiers`: the files come base64-encoded inside the JSON
/// (a third larger than the files), so 40 MiB carries about 30 MB of documents.
pub const MAX_DOSSIER_BODY: usize = 40 * 1024 * 1024;

fn authorization(h: &HeaderMap) -> Option<&str> {
    h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

/// Authenticates the call or answers with the refusal (and logs it).
macro_rules! caller {
    ($state:expr, $h:expr, $scope:expr, $op:expr, $started:expr) => {
        match service::authenticate(&$state.services, authorization(&$h), $scope).await {
            Ok(c) => c,
            Err(e) => {
                return answer(&$state, None, $op, None, $started, "", lang_of(&$h), Err(e)).await
            }
        }
    };
}

/// `POST /api/v1/token`: the client-credentials grant (RFC 6749 §4.4).
async fn token(State(state): State<AppState>, req: Request<Body>) -> Response {
    use base64::Engine;
    let started = std::time::Instant::now();
    let meta = crate::auth::client_meta(&req, state.trust_proxy);
    let basic = authorization(req.headers())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let form: std::collections::HashMap<String, String> =
        match axum::extract::Form::from_request(req, &()).await {
            Ok(axum::extract::Form(f)) => f,
            Err(_) => Default::default(),
        };
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let (client_id, client_secret) = match basic {
        // RFC 6749 §2.3.1: the Basic credentials are form-encoded before encoding.
        Some((id, secret)) => (decode_form(&id), decode_form(&secret)),
        None => (get("client_id"), get("client_secret")),
    };
    let r = TokenRequest {
        grant_type: get("grant_type"),
        client_id,
        client_secret,
        scope: get("scope"),
    };
    let outcome = service::token(&state.services, &r, &meta).await;
    let (status, body) = match &outcome {
        Ok(v) => (200, v.clone()),
        Err(e) => (e.status(), e.body()),
    };
    log(
        &state.services,
        Exchange {
            system: &format!("api:{}", r.client_id.chars().take(40).collect::<String>()),
            direction: "in",
            operation: "token",
            subject: None,
            ok: outcome.is_ok(),
            http_status: Some(status),
            duration_ms: started.elapsed().as_millis(),
            request: &json!({ "grant_type": r.grant_type, "scope": r.scope }).to_string(),
            response: &body.to_string(),
        },
    )
    .await;
    let mut res = json_response(status, "application/json", &body);
    if matches!(outcome, Err(TokenError::InvalidClient)) {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Basic realm=\"dvc\""),
        );
    }
    res
}

use axum::extract::FromRequest;

fn decode_form(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn dossiers(
    State(state): State<AppState>,
    h: HeaderMap,
    q: Result<Query<service::ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let started = std::time::Instant::now();
    let op = "GET /api/v1/dossiers";
    let c = caller!(state, h, "dossier:read", op, started);
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let outcome = service::dossiers(&state.services, &c, &q)
        .await
        .map(|v| (200, v));
    answer(
        &state,
        Some(&c),
        op,
        None,
        started,
        "",
        lang_of(&h),
        outcome,
    )
    .await
}

/// `POST /api/v1/dossiers`: a dossier filed on the NPSP or another front office (B-m).
async fn receive(State(state): State<AppState>, h: HeaderMap, req: Request<Body>) -> Response {
    let started = std::time::Instant::now();
    let op = "POST /api/v1/dossiers";
    let c = caller!(state, h, "dossier:write", op, started);
    let meta = crate::auth::client_meta(&req, state.trust_proxy);
    let (outcome, request) = match axum::body::to_bytes(req.into_body(), MAX_DOSSIER_BODY).await {
        Ok(body) => {
            // The log keeps what identifies the delivery, not the applicant's data or files.
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let request = json!({
                "MaHoSo": v["MaHoSo"], "MaTTHC": v["MaTTHC"], "MaDonVi": v["MaDonVi"],
                "TaiLieuNop": v["TaiLieuNop"].as_array().map(Vec::len),
                "bytes": body.len(),
            });
            let outcome = app::server::inbound::receive(&state.services, &c, &body, &meta)
                .await
                .map(|(v, created)| (if created { 201 } else { 200 }, v));
            (outcome, request)
        }
        Err(_) => (
            Err(ApiError::Invalid(vec![app::server::auth::field(
                "body",
                "Nội dung quá lớn hoặc bị ngắt giữa chừng.",
                "The body is too large or was cut off.",
            )])),
            Value::Null,
        ),
    };
    let subject = request["MaHoSo"]
        .as_str()
        .map(|s| s.chars().take(60).collect::<String>());
    answer(
        &state,
        Some(&c),
        op,
        subject.as_deref(),
        started,
        &request.to_string(),
        lang_of(&h),
        outcome,
    )
    .await
}

async fn dossier(
    State(state): State<AppState>,
    h: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let started = std::time::Instant::now();
    let op = "GET /api/v1/dossiers/{code}";
    let c = caller!(state, h, "dossier:read", op, started);
    let outcome = service::dossier(&state.services, &c, &code)
        .await
        .map(|v| (200, v));
    let subject: String = code.chars().take(60).collect();
    answer(
        &state,
        Some(&c),
        op,
        Some(&subject),
        started,
        "",
        lang_of(&h),
        outcome,
    )
    .await
}

/// `POST /api/v1/dossiers/{code}/outcome`: the answer of the agency a dossier was sent to
/// (liên thông, B-m).
/// `POST /api/v1/payments/dptracuuthanhtoanhs`: the NPSP pulls a dossier's bill
/// (`{MaHoSo}`), answered in OpenCPS's `{error_code, message}` shape
/// (`app::server::paygov::npsp_bill`).
async fn npsp_bill(
    State(state): State<AppState>,
    h: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let op = "POST /api/v1/payments/dptracuuthanhtoanhs";
    let c = caller!(state, h, "payment:read", op, started);
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let code: String = v["MaHoSo"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .take(60)
        .collect();
    let outcome = app::server::paygov::npsp_bill(&state.services, &c, &code)
        .await
        .map(|v| (200, v));
    answer(
        &state,
        Some(&c),
        op,
        Some(&code),
        started,
        &json!({ "MaHoSo": code }).to_string(),
        lang_of(&h),
        outcome,
    )
    .await
}

async fn outcome(
    State(state): State<AppState>,
    h: HeaderMap,
    Path(code): Path<String>,
    req: Request<Body>,
) -> Response {
    let started = std::time::Instant::now();
    let op = "POST /api/v1/dossiers/{code}/outcome";
    let c = caller!(state, h, "dossier:write", op, started);
    let meta = crate::auth::client_meta(&req, state.trust_proxy);
    let (outcome, request) = match axum::body::to_bytes(req.into_body(), MAX_DOSSIER_BODY).await {
        Ok(body) => {
            // The log keeps what identifies the answer, not the documents.
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let request = json!({
                "MaSuKien": v["MaSuKien"], "TrangThai": v["TrangThai"],
                "KetQua": v["KetQua"].as_array().map(Vec::len), "bytes": body.len(),
            });
            let outcome =
                app::server::lienthong::receive_outcome(&state.services, &c, &code, &body, &meta)
                    .await
                    .map(|(v, created)| (if created { 201 } else { 200 }, v));
            (outcome, request)
        }
        Err(_) => (
            Err(ApiError::Invalid(vec![app::server::auth::field(
                "body",
                "Nội dung quá lớn hoặc bị ngắt giữa chừng.",
                "The body is too large or was cut off.",
            )])),
            Value::Null,
        ),
    };
    let subject: String = code.chars().take(60).collect();
    answer(
        &state,
        Some(&c),
        op,
        Some(&subject),
        started,
        &request.to_string(),
        lang_of(&h),
        outcome,
    )
    .await
}

async fn webhooks(State(state): State<AppState>, h: HeaderMap) -> Response {
    let started = std::time::Instant::now();
    let op = "GET /api/v1/webhooks";
    let c = caller!(state, h, "webhook:manage", op, started);
    let outcome = service::webhooks(&state.services, &c)
        .await
        .map(|v| (200, v));
    answer(
        &state,
        Some(&c),
        op,
        None,
        started,
        "",
        lang_of(&h),
        outcome,
    )
    .await
}

async fn subscribe(
    State(state): State<AppState>,
    h: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let op = "POST /api/v1/webhooks";
    let c = caller!(state, h, "webhook:manage", op, started);
    let outcome = service::subscribe(&state.services, &c, &body)
        .await
        .map(|v| (201, v));
    let request = String::from_utf8_lossy(&body).into_owned();
    answer(
        &state,
        Some(&c),
        op,
        None,
        started,
        &request,
        lang_of(&h),
        outcome,
    )
    .await
}

async fn unsubscribe(
    State(state): State<AppState>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let started = std::time::Instant::now();
    let op = "DELETE /api/v1/webhooks/{id}";
    let c = caller!(state, h, "webhook:manage", op, started);
    let outcome = match id.parse::<i32>() {
        Ok(id) => service::unsubscribe(&state.services, &c, id)
            .await
            .map(|()| (204, Value::Null)),
        Err(_) => Err(ApiError::NotFound),
    };
    answer(
        &state,
        Some(&c),
        op,
        None,
        started,
        "",
        lang_of(&h),
        outcome,
    )
    .await
}

/// A submitted or result file fetched by the NPSP through the link it was sent (B-m); every
/// fetch is in the integration log. A forged, altered or expired link is 404, like a file
/// that does not exist.
async fn npsp_file(
    State(state): State<AppState>,
    Path((id, exp, sig)): Path<(String, String, String)>,
) -> Response {
    let started = std::time::Instant::now();
    let (Ok(id), Ok(exp)) = (id.parse::<i32>(), exp.parse::<i64>()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let outcome = app::server::npsp::linked_file(&state.services, id, exp, &sig).await;
    let status = match &outcome {
        Ok(Some(_)) => 200,
        Ok(None) => 404,
        Err(_) => 500,
    };
    let subject = id.to_string();
    log(
        &state.services,
        Exchange {
            system: "npsp",
            direction: "in",
            operation: "GET file",
            subject: Some(&subject),
            ok: status == 200,
            http_status: Some(status),
            duration_ms: started.elapsed().as_millis(),
            request: "",
            response: "",
        },
    )
    .await;
    match outcome {
        Ok(Some((name, ctype, bytes))) => {
            let mut r = crate::dossier::file_response(&name, &ctype, bytes);
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            r
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!("NPSP file {id}: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn openapi_json() -> Response {
    json_response(200, "application/json", &openapi())
}

/// The OpenAPI 3.1 description of `/api/v1`. Written by hand beside the routes above; the
/// API tests check that every path it names answers and that it names every route.
pub fn openapi() -> Value {
    let problem = json!({ "$ref": "#/components/responses/Problem" });
    let secured = |scope: &str| json!([{ "oauth2": [scope] }]);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Cổng Dịch vụ công — API cho hệ thống đối tác / Public Service Portal — partner API",
            "version": "1.0.0",
            "description": "Versioned REST API for partner systems (Circular 21/2023/TT-BTTTT, G-3, G-5). \
    Obtain a token with the OAuth 2.0 client-credentials grant at /api/v1/token using the client id and secret \
    the portal's administrator issued; send it as `Authorization: Bearer …`. Each client has scopes, may be limited \
    to one unit and the units under it, and has a per-minute call limit (429 with Retry-After beyond it). \
    Errors are RFC 9457 problem documents in Vietnamese, or English with `Accept-Language: en`. \
    Dossier data never includes the applicant's personal data. Times are RFC 3339 in Vietnam time (+07:00).",
        },
        "servers": [{ "url": "/" }],
        "paths": {
            "/api/v1/token": {
                "post": {
                    "summary": "Get an access token (client credentials)",
                    "x-summary-vi": "Lấy mã truy cập (client credentials)",
                    "description": "RFC 6749 §4.4. Credentials by HTTP Basic or as the form fields client_id and client_secret. Tokens live one hour. Errors follow RFC 6749 §5.2.",
                    "security": [],
                    "requestBody": {
                        "required": true,
                        "content": { "application/x-www-form-urlencoded": { "schema": {
                            "type": "object",
                            "required": ["grant_type"],
                            "properties": {
                                "grant_type": { "const": "client_credentials" },
                                "client_id": { "type": "string" },
                                "client_secret": { "type": "string" },
                                "scope": { "type": "string", "description": "Space-separated; default all the client's scopes." },
                            },
                        } } },
                    },
                    "responses": {
                        "200": { "description": "A token.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Token" } } } },
                        "400": { "description": "invalid_request, unsupported_grant_type or invalid_scope.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OAuthError" } } } },
                        "401": { "description": "invalid_client.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OAuthError" } } } },
                        "429": { "description": "Too many token requests from this address." },
                    },
                },
            },
            "/api/v1/dossiers": {
                "get": {
                    "summary": "List dossiers in the order they changed",
                    "x-summary-vi": "Danh sách hồ sơ theo thứ tự thay đổi",
                    "description": "Submitted dossiers of the client's units, oldest change first. Keep next_cursor and ask again to get what changed since.",
                    "security": secured("dossier:read"),
                    "parameters": [
                        { "name": "updated_since", "in": "query", "schema": { "type": "integer" }, "description": "Unix seconds: only dossiers changed at or after." },
                        { "name": "cursor", "in": "query", "schema": { "type": "string" }, "description": "next_cursor of the previous page." },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 } },
                    ],
                    "responses": {
                        "200": { "description": "A page.", "content": { "application/json": { "schema": {
                            "type": "object",
                            "properties": {
                                "items": { "type": "array", "items": { "$ref": "#/components/schemas/Dossier" } },
                                "next_cursor": { "type": ["string", "null"] },
                            },
                        } } } },
                        "401": problem, "403": problem, "422": problem, "429": problem,
                    },
                },
                "post": {
                    "summary": "Deliver a dossier filed on the NPSP or another front office",
                    "x-summary-vi": "Chuyển đến hồ sơ đã nộp trên Cổng DVC quốc gia hoặc hệ thống khác",
                    "description": "The dossier enters this system's workflow at the receiving unit, with the code the sender gave it. Field names follow the NPSP's DongBoHoSoMC; files are base64 inside the JSON (PDF, JPEG or PNG, recognised by content; 40 MiB a request). Idempotent on MaHoSo: the same client sending it again gets 200 and the dossier it created; a code that belongs to another dossier is 409. Invalid fields are refused together (422) and nothing is stored.",
                    "security": secured("dossier:write"),
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InboundDossier" } } } },
                    "responses": {
                        "201": { "description": "Received.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Dossier" } } } },
                        "200": { "description": "Received before from this client.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Dossier" } } } },
                        "401": problem, "403": problem, "409": problem, "422": problem, "429": problem,
                    },
                },
            },
            "/api/v1/dossiers/{code}": {
                "get": {
                    "summary": "One dossier and its status history",
                    "x-summary-vi": "Một hồ sơ và lịch sử trạng thái",
                    "security": secured("dossier:read"),
                    "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" }, "description": "The dossier code (mã hồ sơ)." }],
                    "responses": {
                        "200": { "description": "The dossier.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DossierWithHistory" } } } },
                        "401": problem, "403": problem,
                        "404": { "description": "No such dossier within the client's units.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                        "429": problem,
                    },
                },
            },
            "/api/v1/dossiers/{code}/outcome": {
                "post": {
                    "summary": "Answer a dossier another agency sent you (inter-agency transfer)",
                    "x-summary-vi": "Trả kết quả hồ sơ liên thông cho cơ quan đã gửi",
                    "description": "Only the partner the dossier was sent to may answer, once: 9 processed (with the result files), 3 refused or 8 stopped, with a note. The same MaSuKien again answers 200 and changes nothing; a different answer after the first is 409. Invalid fields are refused together (422) and nothing is stored.",
                    "security": secured("dossier:write"),
                    "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" }, "description": "The dossier code (mã hồ sơ), the same on both sides." }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["MaSuKien", "TrangThai"], "properties": {
                        "MaSuKien": { "type": "string", "maxLength": 100, "description": "The answering side's event id; the receiver takes each once." },
                        "TrangThai": { "type": "integer", "enum": [9, 3, 8] },
                        "GhiChu": { "type": "string", "maxLength": 4000 },
                        "ThoiGian": { "type": "string", "pattern": "^[0-9]{14}$" },
                        "CoQuanXuLy": { "type": "string", "description": "The answering unit's name." },
                        "KetQua": { "type": "array", "items": { "type": "object", "required": ["TenTepDinhKem", "Base64"], "properties": {
                            "TenTepDinhKem": { "type": "string" },
                            "Base64": { "type": "string", "contentEncoding": "base64" },
                        } } },
                    } } } } },
                    "responses": {
                        "201": { "description": "Taken." },
                        "200": { "description": "Taken before." },
                        "401": problem, "403": problem,
                        "404": { "description": "No such dossier sent to this client.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
                        "409": problem, "422": problem, "429": problem,
                    },
                },
            },
            "/api/v1/payments/dptracuuthanhtoanhs": {
                "post": {
                    "summary": "The bill of a dossier, for the NPSP to collect the fee (dptracuuthanhtoanhs)",
                    "x-summary-vi": "Tra cứu khoản phí của hồ sơ để thu qua Cổng DVC quốc gia",
                    "description": "For dossiers whose fee is collected on the NPSP's payment platform (PayGov must be this instance's gateway). Answered in OpenCPS's shape, always 200: error_code \"1\" with the bill in message (ThongTinBienLai fields, SoTien, MaTraCuuTT = transaction_id = the dossier code and yyyyMMddHHmmss, client_id = our partner code); \"0\" when nothing is to be paid; \"-1\" for an unknown dossier or one outside the client's units. Pulling again returns the same open bill. The platform's confirm names MaTraCuuTT as MaThamChieu and settles it like any PayGov order.",
                    "security": secured("payment:read"),
                    "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["MaHoSo"], "properties": {
                        "MaHoSo": { "type": "string", "maxLength": 60 },
                    } } } } },
                    "responses": {
                        "200": { "description": "The answer.", "content": { "application/json": { "schema": { "type": "object", "required": ["error_code", "message"], "properties": {
                            "error_code": { "type": "string", "enum": ["1", "0", "-1"] },
                            "message": { "description": "The bill (error_code 1) or a sentence." },
                        } } } } },
                        "401": problem, "403": problem, "429": problem,
                    },
                },
            },
            "/api/v1/webhooks": {
                "get": {
                    "summary": "The client's webhook subscriptions",
                    "x-summary-vi": "Các đăng ký nhận sự kiện của đối tác",
                    "security": secured("webhook:manage"),
                    "responses": {
                        "200": { "description": "Subscriptions (without secrets).", "content": { "application/json": { "schema": {
                            "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Webhook" } } },
                        } } } },
                        "401": problem, "403": problem, "429": problem,
                    },
                },
                "post": {
                    "summary": "Subscribe to dossier events",
                    "x-summary-vi": "Đăng ký nhận sự kiện hồ sơ",
                    "description": "The answer carries the signing secret (whsec_…) once. Deliveries are POSTed at least once and signed as the Standard Webhooks specification says: webhook-id, webhook-timestamp and webhook-signature = v1,base64(HMAC-SHA256(secret bytes, id.timestamp.body)). Drop repeats by webhook-id; answer 2xx to acknowledge. The address must be public https. At most 10 per client.",
                    "security": secured("webhook:manage"),
                    "requestBody": { "required": true, "content": { "application/json": { "schema": {
                        "type": "object",
                        "required": ["url", "events"],
                        "properties": {
                            "url": { "type": "string", "format": "uri" },
                            "events": { "type": "array", "items": { "enum": service::EVENTS } },
                        },
                    } } } },
                    "responses": {
                        "201": { "description": "Subscribed.", "content": { "application/json": { "schema": {
                            "allOf": [{ "$ref": "#/components/schemas/Webhook" }, { "type": "object", "properties": { "secret": { "type": "string" } } }],
                        } } } },
                        "401": problem, "403": problem, "422": problem, "429": problem,
                    },
                },
            },
            "/api/v1/webhooks/{id}": {
                "delete": {
                    "summary": "Unsubscribe",
                    "x-summary-vi": "Huỷ đăng ký nhận sự kiện",
                    "security": secured("webhook:manage"),
                    "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                    "responses": { "204": { "description": "Removed." }, "401": problem, "403": problem, "404": problem, "429": problem },
                },
            },
        },
        "webhooks": {
            "dossier.status": {
                "post": {
                    "summary": "A dossier's status changed",
                    "x-summary-vi": "Trạng thái hồ sơ thay đổi",
                    "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DossierStatusEvent" } } } },
                    "responses": { "2XX": { "description": "Received." } },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "oauth2": {
                    "type": "oauth2",
                    "flows": { "clientCredentials": {
                        "tokenUrl": "/api/v1/token",
                        "scopes": app::domain::integration::API_SCOPES.iter().map(|(s, _, en)| (s.to_string(), Value::String(en.to_string()))).collect::<serde_json::Map<_, _>>(),
                    } },
                },
            },
            "responses": {
                "Problem": { "description": "An RFC 9457 problem.", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
            },
            "schemas": {
                "Token": { "type": "object", "properties": {
                    "access_token": { "type": "string" }, "token_type": { "const": "Bearer" },
                    "expires_in": { "type": "integer" }, "scope": { "type": "string" },
                } },
                "OAuthError": { "type": "object", "properties": { "error": { "type": "string" }, "error_description": { "type": "string" } } },
                "Problem": { "type": "object", "properties": {
                    "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                    "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "message": { "type": "string" } } } },
                } },
                "InboundDossier": { "type": "object", "required": ["MaHoSo", "MaTTHC", "MaDonVi", "ChuHoSo"], "properties": {
                    "MaHoSo": { "type": "string", "description": "The dossier code, <unit code>-<yyMMdd>-<sequence>." },
                    "MaTTHC": { "type": "string", "description": "The national procedure code." },
                    "MaDonVi": { "type": "string", "description": "The receiving unit's code; it must receive this procedure and be within the client's reach." },
                    "ChuHoSo": { "type": "string", "maxLength": 120 },
                    "SoDinhDanh": { "type": "string", "description": "12-digit personal ID number." },
                    "SoDienThoai": { "type": "string" }, "Email": { "type": "string" },
                    "DiaChi": { "type": "string", "maxLength": 300 },
                    "TrichYeuHoSo": { "type": "string", "maxLength": 1000 },
                    "NgayNopHoSo": { "type": "string", "pattern": "^[0-9]{14}$", "description": "yyyyMMddHHmmss, Vietnam time; default now." },
                    "TaiLieuNop": { "type": "array", "maxItems": app::server::inbound::MAX_FILES, "items": { "type": "object", "required": ["TenTepDinhKem", "Base64"], "properties": {
                        "TenTepDinhKem": { "type": "string" },
                        "MaThanhPhanHoSo": { "type": "string", "description": "The document slot of the procedure's form, when known." },
                        "Base64": { "type": "string", "contentEncoding": "base64" },
                    } } },
                    "KenhNop": { "type": "string", "enum": ["lienthong"], "description": "Set by another agency's instance of this system (inter-agency transfer); absent from the NPSP." },
                    "CoQuanGui": { "type": "string", "description": "The sending agency (liên thông)." },
                    "DuLieuBieuMau": { "type": "object", "additionalProperties": { "type": ["string", "number", "boolean"] }, "description": "The e-form by field id (liên thông: the same procedure's form); fields this form lacks are ignored." },
                    "QuaTrinhXuLy": { "type": "array", "items": { "type": "object", "properties": {
                        "ThoiGian": { "type": "string", "pattern": "^[0-9]{14}$" }, "NoiDung": { "type": "string" }, "GhiChu": { "type": "string" },
                    } }, "description": "The sender's history (liên thông)." },
                } },
                "Status": { "type": "object", "description": "The national status code (1 submitted … 10 returned) and its label.", "properties": {
                    "code": { "type": "integer" }, "label": { "type": "string" }, "label_en": { "type": "string" },
                } },
                "Dossier": { "type": "object", "properties": {
                    "code": { "type": "string" },
                    "procedure": { "type": "object", "properties": { "code": { "type": "string" }, "name": { "type": "string" } } },
                    "agency": { "type": "object", "properties": { "code": { "type": ["string", "null"] }, "name": { "type": "string" } } },
                    "channel": { "type": "string" },
                    "status": { "$ref": "#/components/schemas/Status" },
                    "submitted_at": { "type": ["string", "null"], "format": "date-time" },
                    "due_date": { "type": ["string", "null"], "format": "date" },
                    "finished_at": { "type": ["string", "null"], "format": "date-time" },
                    "returned_at": { "type": ["string", "null"], "format": "date-time" },
                    "updated_at": { "type": "string", "format": "date-time" },
                } },
                "DossierWithHistory": { "allOf": [{ "$ref": "#/components/schemas/Dossier" }, { "type": "object", "properties": {
                    "history": { "type": "array", "items": { "type": "object", "properties": {
                        "at": { "type": "string", "format": "date-time" }, "action": { "type": "string" },
                        "from_status": { "type": ["integer", "null"] }, "to_status": { "type": "integer" },
                    } } },
                } }] },
                "Webhook": { "type": "object", "properties": {
                    "id": { "type": "integer" }, "url": { "type": "string" },
                    "events": { "type": "array", "items": { "type": "string" } },
                    "created_at": { "type": "string", "format": "date-time" },
                } },
                "DossierStatusEvent": { "type": "object", "properties": {
                    "type": { "const": "dossier.status" },
                    "timestamp": { "type": "string", "format": "date-time" },
                    "data": { "type": "object", "properties": {
                        "code": { "type": "string" }, "procedure_code": { "type": ["string", "null"] },
                        "status": { "$ref": "#/components/schemas/Status" },
                        "previous_status": { "type": ["integer", "null"] },
                        "action": { "type": "string" }, "at": { "type": "string", "format": "date-time" },
                    } },
                } },
            },
        },
    })
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `/api/docs`: the OpenAPI document as a plain page (no script), in the visitor's language.
async fn docs(req: Request<Body>) -> Response {
    let lang = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_cookie_header)
        .unwrap_or_default();
    let t = |vi: &'static str, en: &'static str| if lang == Lang::Vi { vi } else { en };
    let doc = openapi();
    let mut body = String::new();
    body.push_str(&format!(
        "<p>{}</p><p>{} <a href=\"/api/openapi.json\">/api/openapi.json</a></p>",
        esc(doc["info"]["description"].as_str().unwrap_or_default()),
        t(
            "Tài liệu OpenAPI 3.1 (máy đọc được):",
            "Machine-readable OpenAPI 3.1 document:"
        ),
    ));
    body.push_str(&format!("<h2>{}</h2><ul>", t("Quyền (scope)", "Scopes")));
    for (s, vi, en) in app::domain::integration::API_SCOPES {
        body.push_str(&format!(
            "<li><code>{s}</code>: {}</li>",
            esc(if lang == Lang::Vi { vi } else { en })
        ));
    }
    body.push_str("</ul>");
    body.push_str(&format!("<h2>{}</h2>", t("Các lời gọi", "Operations")));
    let section = |path: &str, method: &str, op: &Value| -> String {
        let summary = if lang == Lang::Vi {
            op["x-summary-vi"].as_str()
        } else {
            op["summary"].as_str()
        }
        .unwrap_or_default();
        let mut s = format!(
            "<section class=\"mb-6\"><h3 class=\"text-lg font-bold\"><code>{} {}</code>: {}</h3>",
            method.to_uppercase(),
            esc(path),
            esc(summary)
        );
        if let Some(d) = op["description"].as_str() {
            s.push_str(&format!("<p>{}</p>", esc(d)));
        }
        if let Some(scopes) = op["security"][0]["oauth2"].as_array() {
            let list: Vec<&str> = scopes.iter().filter_map(Value::as_str).collect();
            s.push_str(&format!(
                "<p>{} <code>{}</code></p>",
                t("Quyền cần có:", "Scope needed:"),
                list.join(" ")
            ));
        }
        if let Some(ps) = op["parameters"].as_array() {
            s.push_str(&format!("<p>{}</p><ul>", t("Tham số:", "Parameters:")));
            for p in ps {
                s.push_str(&format!(
                    "<li><code>{}</code> ({}){}</li>",
                    esc(p["name"].as_str().unwrap_or_default()),
                    esc(p["in"].as_str().unwrap_or_default()),
                    p["description"]
                        .as_str()
                        .map(|d| format!(": {}", esc(d)))
                        .unwrap_or_default()
                ));
            }
            s.push_str("</ul>");
        }
        if let Some(rs) = op["responses"].as_object() {
            let codes: Vec<&str> = rs.keys().map(String::as_str).collect();
            s.push_str(&format!(
                "<p>{} {}</p>",
                t("Mã trả lời:", "Responses:"),
                codes.join(", ")
            ));
        }
        s.push_str("</section>");
        s
    };
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            body.push_str(&section(path, method, op));
        }
    }
    body.push_str(&format!("<h2>{}</h2>", t("Webhook", "Webhooks")));
    for (name, item) in doc["webhooks"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            body.push_str(&section(name, method, op));
        }
    }
    let title = t("API cho hệ thống đối tác", "API for partner systems");
    let html = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head>\
<body class=\"bg-white text-slate-900\"><header class=\"p-4 border-b\"><a href=\"/\" class=\"underline\">{}</a></header>\
<main class=\"p-4 max-w-3xl break-words\"><h1 class=\"text-2xl font-bold mb-4\">{title}</h1>{body}</main></body></html>",
        lang.code(),
        t("Trang chủ Cổng Dịch vụ công", "Public Service Portal home"),
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_of_basic_credentials() {
        assert_eq!(decode_form("a%2Bb+c"), "a+b c");
        assert_eq!(decode_form("plain"), "plain");
        assert_eq!(decode_form("bad%zz"), "bad%zz");
        assert_eq!(decode_form("end%4"), "end%4");
    }

    #[test]
    fn the_document_names_its_scopes_and_events() {
        let d = openapi();
        let scopes =
            &d["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["scopes"];
        assert!(scopes["dossier:read"].is_string());
        assert!(scopes["webhook:manage"].is_string());
        assert!(scopes["dossier:write"].is_string());
        assert!(d["webhooks"]["dossier.status"]["post"].is_object());
    }
}
