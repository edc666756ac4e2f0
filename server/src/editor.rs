//! HTML form posts of catalogue management (B-a, B-e): create a procedure, preview or publish
//! a new version, import the holiday list. Each handler checks CSRF and the session and calls
//! one service in `app::server::editor`, which checks the administrator's permission. Failures
//! re-render the page with everything the administrator typed (the JSON bodies in full).
use std::collections::HashMap;

use app::domain::editor::{DraftText, F_BASE};
use app::domain::form::FormEcho;
use app::server::editor as svc;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::{ctx, f, fail, rerender, see_other, with_form, Fields};
use crate::dossier::applicant;
use crate::AppState;

/// Largest editor post: a form design and a workflow as JSON, URL-encoded (about three bytes
/// per byte of JSON), or a holiday file.
pub const MAX_EDITOR_BODY: usize = 1024 * 1024;
/// Largest CSV file: a whole national list of administrative units is about 300 KB.
const MAX_CSV: usize = 900 * 1024;

pub fn is_editor_path(path: &str) -> bool {
    path.starts_with("/quan-tri/thu-tuc")
        || path == "/quan-tri/ngay-nghi"
        || path == "/quan-tri/danh-muc"
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/quan-tri/thu-tuc", post(create))
        .route("/quan-tri/thu-tuc/{code}", post(edit))
        .route("/quan-tri/ngay-nghi", post(holidays))
        .route("/quan-tri/danh-muc", post(shared_import))
        .route("/quan-tri/danh-muc/{file}", get(shared_export))
        .route("/quan-tri/tich-hop", post(integration_retry))
        .route("/quan-tri/emc/{file}", get(emc_export))
}

/// Every field back to the page, untruncated (the JSON bodies are long), except the token.
fn echo_all(fields: &Fields) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|(k, _)| *k != "_csrf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

async fn create(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let n = svc::NewProcedure {
        code: f(&fields, "code").trim().into(),
        name: f(&fields, "name").into(),
        field_id: f(&fields, "field").parse().ok(),
        agency_id: f(&fields, "agency").parse().ok(),
    };
    match svc::create(&c.svc, &p, &n, &c.meta).await {
        Ok(()) => see_other(&format!(
            "/quan-tri/thu-tuc/{}?tao=1",
            app::domain::text::urlencode(&n.code)
        )),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn edit(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request<Body>,
) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let text = DraftText::from_fields(|k| f(&fields, k).to_owned());
    if f(&fields, "action") == "preview" {
        // Previewing is for administrators only, like the editor itself.
        if !p.can(app::domain::account::Permission::ManageCatalogue, None) {
            return fail(&state, c, &fields, app::error::AppError::Forbidden).await;
        }
        // Preview publishes nothing: it checks the draft and shows the form as applicants
        // would see it, with every problem listed.
        let (errors, done) = match app::domain::editor::check(&text) {
            Ok(_) => (Vec::new(), true),
            Err(errs) => (errs, false),
        };
        let status = if done {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let echo = FormEcho {
            errors,
            values: echo_all(&fields),
            done,
            extra: vec!["preview".into()],
            ..Default::default()
        };
        return rerender(&state, c.parts, echo, status).await;
    }
    let base = f(&fields, F_BASE).parse().unwrap_or(0);
    match svc::publish(&c.svc, &p, &code, base, &text, &c.meta).await {
        Ok(v) => see_other(&format!(
            "/quan-tri/thu-tuc/{}?xuat-ban={v}",
            app::domain::text::urlencode(&code)
        )),
        Err(e) => {
            let status = crate::auth::status_of(&e);
            let mut echo = FormEcho::from_error(e, echo_all(&fields));
            if status == StatusCode::CONFLICT {
                echo.general = Some((
                    "Một phiên bản mới hơn vừa được xuất bản. Bản nháp của bạn vẫn còn dưới đây; hãy mở lại trang để xem phiên bản mới trước khi xuất bản.".into(),
                    "A newer version was published meanwhile. Your draft is kept below; reload the page to see the new version before publishing.".into(),
                ));
            }
            rerender(&state, c.parts, echo, status).await
        }
    }
}

/// A CSV file posted as multipart (a file input) or as pasted text (`csv`), with the other
/// fields of the form. Too large a file re-renders the page with its error.
async fn read_csv(
    state: &AppState,
    req: Request<Body>,
) -> Result<(axum::http::request::Parts, Fields, String), Response> {
    let (parts, body) = req.into_parts();
    let mut fields: Fields = HashMap::new();
    let mut csv = String::new();
    let multipart = parts
        .headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    if multipart {
        let Ok(mut mp) =
            Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await
        else {
            return Err(unreadable());
        };
        loop {
            match mp.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or("").to_owned();
                    let Ok(bytes) = field.bytes().await else {
                        return Err(unreadable());
                    };
                    if name == "file" {
                        if bytes.len() > MAX_CSV {
                            return Err(too_large(state, parts, fields).await);
                        }
                        if !bytes.is_empty() {
                            csv = String::from_utf8_lossy(&bytes).into_owned();
                        }
                    } else {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        if name == "csv" && !text.trim().is_empty() && csv.is_empty() {
                            csv = text.clone();
                        }
                        fields.insert(name, text);
                    }
                }
                Ok(None) => break,
                Err(_) => return Err(unreadable()),
            }
        }
    } else {
        let req = Request::from_parts(parts.clone(), body);
        let (_, fl) = with_form(req).await?;
        csv = fl.get("csv").cloned().unwrap_or_default();
        fields = fl;
    }
    Ok((parts, fields, csv))
}

/// The page again with the import's report (in `extra`); a refused file stays in the text box.
async fn report_page<R: serde::Serialize>(
    state: &AppState,
    parts: axum::http::request::Parts,
    csv: &str,
    report: &R,
    ok: bool,
) -> Response {
    let echo = FormEcho {
        values: if ok {
            Vec::new()
        } else {
            vec![("csv".into(), csv.chars().take(MAX_CSV).collect())]
        },
        done: ok,
        extra: vec![serde_json::to_string(report).unwrap_or_default()],
        ..Default::default()
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    rerender(state, parts, echo, status).await
}

fn no_file(vi: &str, en: &str) -> app::error::AppError {
    app::server::auth::invalid("file", vi, en)
}

/// The holiday list (B-i) from a CSV file, all or nothing.
async fn holidays(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields, csv) = match read_csv(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    if csv.trim().is_empty() {
        let e = no_file(
            "Chọn tệp CSV danh sách ngày nghỉ (hoặc dán nội dung vào ô bên dưới).",
            "Choose the holiday list's CSV file (or paste its content below).",
        );
        return fail(&state, c, &fields, e).await;
    }
    match svc::import_holidays(&c.svc, &p, &csv, &c.meta).await {
        Ok(report) => {
            let ok = report.bad.is_empty();
            report_page(&state, c.parts, &csv, &report, ok).await
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// A shared catalogue (B-e) from a CSV file, all or nothing; which one is in `?loai=`.
async fn shared_import(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields, csv) = match read_csv(&state, req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let cat = shared_kind(parts.uri.query());
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let Some(cat) = cat else {
        return crate::plain_error(
            StatusCode::NOT_FOUND,
            "Không có danh mục này. / No such catalogue.",
        );
    };
    if csv.trim().is_empty() {
        let e = no_file(
            "Chọn tệp CSV của danh mục (hoặc dán nội dung vào ô bên dưới).",
            "Choose the catalogue's CSV file (or paste its content below).",
        );
        return fail(&state, c, &fields, e).await;
    }
    match app::server::shared::import(&c.svc, &p, cat, &csv, &c.meta).await {
        Ok(report) => {
            let ok = report.bad.is_empty();
            report_page(&state, c.parts, &csv, &report, ok).await
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

fn shared_kind(query: Option<&str>) -> Option<app::domain::shared::SharedCatalogue> {
    let slug = query?
        .split('&')
        .find_map(|kv| kv.strip_prefix("loai="))
        .unwrap_or("");
    app::domain::shared::SharedCatalogue::parse(slug)
}

/// The whole catalogue as CSV, in the import's columns.
async fn shared_export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request<Body>,
) -> Response {
    let Some(cat) = file
        .strip_suffix(".csv")
        .and_then(app::domain::shared::SharedCatalogue::parse)
    else {
        return crate::plain_error(
            StatusCode::NOT_FOUND,
            "Không có danh mục này. / No such catalogue.",
        );
    };
    let Some(p) = crate::dossier::signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match app::server::shared::export(&state.services, &p, cat).await {
        Ok(body) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"danh-muc-{}.csv\"", cat.slug()),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => crate::dossier::error_response(e),
    }
}

/// Puts a dead outbox message back in the queue (B-m); system administrators only.
async fn integration_retry(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    // EMC-5: re-send what the reconciliation found missing.
    if f(&fields, "emc") == "gui-lai" {
        let days = app::server::emc::RECONCILE_DAYS;
        return match app::server::emc::resend_missing(&c.svc, &p, days, &c.meta).await {
            Ok(n) => see_other(&format!("/quan-tri/tich-hop?emc-gui-lai={n}")),
            Err(e) => fail(&state, c, &fields, e).await,
        };
    }
    // G-3: partners of the public API.
    if f(&fields, "api") == "tao" {
        let input = app::server::api::NewClient {
            name: f(&fields, "api_name").into(),
            scopes: app::domain::integration::API_SCOPES
                .iter()
                .filter(|(s, _, _)| fields.contains_key(&format!("scope_{}", s.replace(':', "_"))))
                .map(|(s, _, _)| s.to_string())
                .collect(),
            agency_code: f(&fields, "api_agency").into(),
            rate: f(&fields, "api_rate").into(),
        };
        return match app::server::api::create_client(&c.svc, &p, &input, &c.meta).await {
            Ok((client_id, secret)) => {
                // Shown once, in this answer only: never in an address or a log.
                let echo = app::domain::form::FormEcho {
                    done: true,
                    extra: vec![client_id, secret],
                    ..Default::default()
                };
                crate::auth::rerender(&state, c.parts, echo, StatusCode::OK).await
            }
            Err(e) => fail(&state, c, &fields, e).await,
        };
    }
    if let Ok(id) = f(&fields, "api_tat").parse::<i32>() {
        return match app::server::api::disable_client(&c.svc, &p, id, &c.meta).await {
            Ok(()) => see_other(&format!("/quan-tri/tich-hop?api-tat={id}")),
            Err(e) => fail(&state, c, &fields, e).await,
        };
    }
    let id = f(&fields, "thu_lai").parse().unwrap_or(0);
    match app::server::outbox::retry(&c.svc, &p, id, &c.meta).await {
        Ok(()) => see_other(&format!("/quan-tri/tich-hop?thu-lai={id}")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// EMC-3: the account list and the procedure list as CSV; system administrators only.
async fn emc_export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    req: Request<Body>,
) -> Response {
    let Some(p) = crate::dossier::signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    let meta = crate::auth::client_meta(&req, state.trust_proxy);
    let body = match file.as_str() {
        "tai-khoan.csv" => app::server::emc::accounts_csv(&state.services, &p, &meta).await,
        "thu-tuc.csv" => app::server::emc::services_csv(&state.services, &p).await,
        _ => Err(app::error::AppError::NotFound),
    };
    match body {
        Ok(body) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_string(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"emc-{file}\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => crate::dossier::error_response(e),
    }
}

fn unreadable() -> Response {
    crate::plain_error(
        StatusCode::BAD_REQUEST,
        "Biểu mẫu không hợp lệ. / The form could not be read.",
    )
}

async fn too_large(
    state: &AppState,
    parts: axum::http::request::Parts,
    fields: Fields,
) -> Response {
    let c = ctx(state, parts, &fields);
    fail(
        state,
        c,
        &fields,
        app::server::auth::invalid(
            "file",
            "Tệp quá lớn (tối đa 900 KB).",
            "The file is too large (at most 900 KB).",
        ),
    )
    .await
}
