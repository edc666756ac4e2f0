//! HTML form posts and file downloads of the citizen's dossier pages (P-3.1 … P-3.4, P-5.2,
//! P-10.2). Each handler checks the CSRF token and the session, then calls one service in
//! `app::server::dossier`, which checks ownership. Failures re-render the page with the
//! user's input and the errors (422), never a bare error page.
use std::collections::HashMap;

use app::domain::account::Stage;
use app::domain::form::FormEcho;
use app::domain::workflow::ActionKind;
use app::error::AppError;
use app::server::dossier as svc_dossier;
use app::server::work as svc_work;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, State};
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::{csrf_error, ctx, f, fail, keep, rerender, see_other, with_form, Ctx, Fields};
use crate::AppState;
use app::domain::account::Principal;
use app::server::storage::Finished;
use app::server::Services;

/// Largest upload request: the dossier cap plus room for the multipart envelope. The per-file
/// and per-dossier caps of the procedure are enforced while the file streams in.
pub const MAX_UPLOAD_BODY: usize = 101 * 1024 * 1024;

pub fn is_upload_path(path: &str) -> bool {
    (path.starts_with("/ho-so/") && path.ends_with("/giay-to"))
        || (path.starts_with("/can-bo/ho-so/") && path.ends_with("/ket-qua"))
        || ((path.starts_with("/ho-so/") || path.starts_with("/can-bo/ho-so/"))
            && path.ends_with("/tin-nhan"))
        || path == "/xac-thuc-van-ban"
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ho-so/moi", post(start))
        .route("/ho-so/{id}", post(overview))
        .route("/ho-so/{id}/bieu-mau", post(save_form))
        .route("/ho-so/{id}/giay-to", post(documents))
        .route("/ho-so/{id}/tep/{file}", get(download))
        .route("/ho-so/{id}/bien-nhan.pdf", get(receipt))
        .route(
            "/kho-du-lieu/{item}",
            get(store_download).post(store_delete),
        )
        .route("/tra-cuu-ho-so", post(lookup))
        .route("/xac-thuc-van-ban", post(verify_document))
        .route("/ho-so/{id}/thanh-toan", post(pay))
        .route("/ho-so/{id}/buu-chinh", post(postal))
        .route("/buu-chinh/trang-thai", post(postal_tracking))
        .route("/ho-so/{id}/bien-lai/{file}", get(payment_receipt))
        .route(
            "/can-bo/ho-so/{id}/bien-lai/{file}",
            get(officer_payment_receipt),
        )
        .route(
            "/thanh-toan/{gateway}/ipn",
            get(pay_notify).post(pay_notify_json),
        )
        .route("/thanh-toan/{gateway}/ket-qua", get(pay_return))
        .route("/can-bo/ho-so", post(officer_bulk))
        .route("/can-bo/ho-so/{id}", post(officer_action))
        .route("/can-bo/ho-so/{id}/ket-qua", post(officer_result))
        .route("/ho-so/{id}/tin-nhan", post(message))
        .route("/can-bo/ho-so/{id}/tin-nhan", post(message))
        .route("/can-bo/ho-so/{id}/tep/{file}", get(officer_download))
        .route("/can-bo/ho-so/{id}/bien-nhan.pdf", get(officer_receipt))
        .route("/can-bo/ho-so/{id}/phieu/{kind}", get(officer_slip))
        .route("/can-bo/tiep-nhan", post(intake))
        .route("/can-bo/luu-tru", post(archive))
        .route("/can-bo/bao-cao.csv", get(report_csv))
        .route("/can-bo/doi-soat-thanh-toan.csv", get(reconciliation_csv))
        .route("/can-bo/bao-cao.xlsx", get(report_xlsx))
        .route("/can-bo/so-theo-doi.csv", get(book_csv))
        .route("/can-bo/so-theo-doi.xlsx", get(book_xlsx))
}

/// The signed-in user who finished signing in (password, and the second factor where
/// required), or where to send them instead.
pub(crate) fn user_of(c: &Ctx) -> Result<app::domain::account::Principal, &'static str> {
    match c.user.clone() {
        Some(p) if p.stage == Stage::Full => Ok(p),
        Some(p) => Err(p.stage.path()),
        None => Err("/dang-nhap"),
    }
}

/// The start of every form post: the CSRF token checked, then the signed-in user (the
/// service called next checks what they may do). Shared by the dossier and editor handlers.
macro_rules! applicant {
    ($state:expr, $c:expr, $fields:expr) => {{
        if !$c.csrf_ok {
            return $crate::auth::fail(&$state, $c, &$fields, $crate::auth::csrf_error()).await;
        }
        match $crate::dossier::user_of(&$c) {
            Ok(p) => p,
            Err(to) => return $crate::auth::see_other(to),
        }
    }};
}
pub(crate) use applicant;

async fn start(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let agency = f(&fields, "agency_id").parse().unwrap_or(0);
    match svc_dossier::start(
        &c.svc,
        &p,
        f(&fields, "procedure"),
        agency,
        f(&fields, "key"),
    )
    .await
    {
        Ok(id) => see_other(&format!("/ho-so/{id}")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn overview(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let r = match f(&fields, "action") {
        "delete" => svc_dossier::delete_draft(&c.svc, &p, id)
            .await
            .map(|_| "/ho-so?ok=deleted".to_string()),
        "supplement" => svc_dossier::submit_supplement(&c.svc, &p, id)
            .await
            .map(|_| format!("/ho-so/{id}?ok=supplemented")),
        "withdraw" => svc_dossier::request_withdrawal(&c.svc, &p, id, f(&fields, "reason"))
            .await
            .map(|_| format!("/ho-so/{id}?ok=withdrawn")),
        "rate" => {
            use app::domain::dossier::RATING_CRITERIA;
            let scores = RATING_CRITERIA.map(|(k, _, _)| f(&fields, &format!("r-{k}")));
            svc_dossier::rate(&c.svc, &p, id, scores, f(&fields, "comment"))
                .await
                .map(|_| format!("/ho-so/{id}?ok=rated"))
        }
        // A counter officer lands back in the workspace, where the receipt prints.
        _ => svc_dossier::submit(&c.svc, &p, id, f(&fields, "key"), &c.meta)
            .await
            .map(|_| {
                if p.is_officer() {
                    format!("/can-bo/ho-so/{id}?ok=1")
                } else {
                    format!("/ho-so/{id}?ok=submitted")
                }
            }),
    };
    match r {
        Ok(to) => see_other(&to),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// The e-form post. The values are always saved (a draft may be incomplete); "continue"
/// then shows what is still wrong, "refresh" and "add a row" come back to the form.
async fn save_form(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let (parts, body) = req.into_parts();
    let pairs: Vec<(String, String)> =
        match axum::extract::Form::<Vec<(String, String)>>::from_request(
            Request::from_parts(parts.clone(), body),
            &(),
        )
        .await
        {
            Ok(axum::extract::Form(v)) => v,
            Err(_) => {
                return crate::plain_error(
                    StatusCode::BAD_REQUEST,
                    "Biểu mẫu không hợp lệ. / The form could not be read.",
                )
            }
        };
    let fields: Fields = pairs.iter().cloned().collect::<HashMap<_, _>>();
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let action = f(&fields, "action").to_string();
    let revision = f(&fields, "_revision").parse().unwrap_or(-1);
    let mut values: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| !k.starts_with('_') && k != "action")
        .collect();
    // "+ Add a row" (works without JavaScript): one more row in that group.
    if let Some(group) = action.strip_prefix("add:") {
        let key = format!("{group}.rows");
        let rows = values
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.parse::<u32>().ok())
            .unwrap_or(1);
        values.retain(|(k, _)| *k != key);
        values.push((key, (rows + 1).to_string()));
    }
    let saved = svc_dossier::save_form(&c.svc, &p, id, &values, revision).await;
    if let Err(e) = saved {
        return fail(&state, c, &fields, e).await;
    }
    match action.as_str() {
        "continue" => match svc_dossier::view(&c.svc, &p, id).await {
            Ok(v) => {
                let form_problems: Vec<_> = v
                    .problems
                    .into_iter()
                    .filter(|e| !e.field.starts_with("doc-"))
                    .collect();
                if form_problems.is_empty() {
                    let next = if v.schema.documents.is_empty() {
                        format!("/ho-so/{id}")
                    } else {
                        format!("/ho-so/{id}/giay-to")
                    };
                    see_other(&next)
                } else {
                    let echo = FormEcho {
                        errors: form_problems,
                        values: v.values.into_iter().collect(),
                        ..Default::default()
                    };
                    rerender(&state, c.parts, echo, StatusCode::UNPROCESSABLE_ENTITY).await
                }
            }
            Err(e) => fail(&state, c, &fields, e).await,
        },
        a if a == "refresh" || a.starts_with("add:") => see_other(&format!("/ho-so/{id}/bieu-mau")),
        _ => see_other(&format!("/ho-so/{id}/bieu-mau?ok=saved")),
    }
}

/// Documents page posts: an upload (multipart) or remove / reuse from the store.
async fn documents(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        return upload(state, id, req).await;
    }
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let r = match f(&fields, "action") {
        "remove" => {
            let file = f(&fields, "file_id").parse().unwrap_or(0);
            svc_dossier::remove_file(&c.svc, &p, id, file)
                .await
                .map(|_| "removed")
        }
        // P-4: the applicant signs one of their PDFs through the remote-signing CA.
        "sign" => {
            let file = f(&fields, "file_id").parse().unwrap_or(0);
            app::server::remotesign::start(&c.svc, &p, id, file)
                .await
                .map(|_| "sign_sent")
        }
        "sign_check" => {
            let file = f(&fields, "file_id").parse().unwrap_or(0);
            app::server::remotesign::check(&c.svc, &p, id, file)
                .await
                .map(|r| match r {
                    app::server::remotesign::Checked::Signed => "signed",
                    app::server::remotesign::Checked::Waiting => "sign_waiting",
                })
        }
        "from_store" => {
            let item = f(&fields, "item_id").parse().unwrap_or(0);
            svc_dossier::attach_from_store(&c.svc, &p, id, f(&fields, "slot"), item)
                .await
                .map(|_| "uploaded")
        }
        _ => Err(AppError::NotFound),
    };
    match r {
        Ok(ok) => see_other(&format!("/ho-so/{id}/giay-to?ok={ok}")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// Streams one file to staging under the limits `plan` gives once the fields before the file
/// (CSRF token, slot) have arrived. The CSRF token and the user are checked before the first
/// byte is written; a refused or interrupted upload drops its staging file, so nothing is left
/// on disk or in the database. `key` names the form field errors point at.
async fn receive_file<F, Fut>(
    state: &AppState,
    req: Request<Body>,
    key: impl Fn(&Fields) -> String,
    optional: bool,
    plan: F,
) -> Result<(Ctx, Fields, Principal, Option<(String, Finished)>), Response>
where
    F: FnOnce(Services, Principal, Fields) -> Fut,
    Fut: std::future::Future<Output = Result<svc_dossier::UploadPlan, AppError>>,
{
    let (parts, body) = req.into_parts();
    let mut mp = match Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await
    {
        Ok(m) => m,
        Err(_) => {
            return Err(crate::plain_error(
                StatusCode::BAD_REQUEST,
                "Biểu mẫu không hợp lệ. / The form could not be read.",
            ))
        }
    };
    let mut fields: Fields = HashMap::new();
    let mut staged: Option<(String, Finished)> = None;
    let mut plan = Some(plan);
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(fl)) => fl,
            Ok(None) => break,
            Err(_) => {
                let c = ctx(state, parts, &fields);
                let k = key(&fields);
                return Err(fail(state, c, &fields, upload_interrupted(&k)).await);
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name != "file" {
            let text = field.text().await.unwrap_or_default();
            fields.insert(name, text.chars().take(200).collect());
            continue;
        }
        let c = ctx(state, parts.clone(), &fields);
        if !c.csrf_ok {
            return Err(fail(state, c, &fields, csrf_error()).await);
        }
        let p = match user_of(&c) {
            Ok(p) => p,
            Err(to) => return Err(see_other(to)),
        };
        let k = key(&fields);
        let original = field.file_name().unwrap_or("").to_string();
        if original.is_empty() {
            // A file input left empty: browsers still send the part.
            if optional {
                continue;
            }
            return Err(fail(state, c, &fields, no_file(&k)).await);
        }
        if !app::server::storage::name_is_safe(&original) {
            let e = app::server::auth::invalid(
                &k,
                "Tên tệp không hợp lệ (không được chứa đường dẫn hoặc ký tự điều khiển). Hãy đổi tên tệp rồi tải lên lại.",
                "The file name is not valid (no paths or control characters). Rename the file and upload it again.",
            );
            return Err(fail(state, c, &fields, e).await);
        }
        let Some(plan_fn) = plan.take() else {
            return Err(fail(state, c, &fields, no_file(&k)).await);
        };
        let pl = match plan_fn(c.svc.clone(), p.clone(), fields.clone()).await {
            Ok(pl) => pl,
            Err(e) => return Err(fail(state, c, &fields, e).await),
        };
        let mut st = match svc_dossier::stage(&c.svc, &pl).await {
            Ok(s) => s,
            Err(e) => return Err(fail(state, c, &fields, e).await),
        };
        let file_mb = (pl.limit / (1024 * 1024)) as u32;
        loop {
            match field.chunk().await {
                Ok(Some(bytes)) => {
                    if let Err(e) = st.write(&bytes).await {
                        drop(st);
                        let err = svc_dossier::upload_error(e, &k, &pl, file_mb);
                        return Err(fail(state, c, &fields, err).await);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    drop(st);
                    return Err(fail(state, c, &fields, upload_interrupted(&k)).await);
                }
            }
        }
        match st.finish().await {
            Ok(done) => staged = Some((original, done)),
            Err(e) => {
                let err = svc_dossier::upload_error(e, &k, &pl, file_mb);
                return Err(fail(state, c, &fields, err).await);
            }
        }
    }
    let c = ctx(state, parts, &fields);
    if !c.csrf_ok {
        return Err(fail(state, c, &fields, csrf_error()).await);
    }
    let p = match user_of(&c) {
        Ok(p) => p,
        Err(to) => return Err(see_other(to)),
    };
    if staged.is_none() && !optional {
        let k = key(&fields);
        return Err(fail(state, c, &fields, no_file(&k)).await);
    }
    Ok((c, fields, p, staged))
}

async fn upload(state: AppState, id: i32, req: Request<Body>) -> Response {
    let slot_key = |f: &Fields| format!("doc-{}", f.get("slot").cloned().unwrap_or_default());
    let got = receive_file(
        &state,
        req,
        slot_key,
        false,
        move |svc, p, fields| async move {
            let slot = fields.get("slot").cloned().unwrap_or_default();
            svc_dossier::plan_upload(&svc, &p, id, &slot).await
        },
    )
    .await;
    let (c, fields, p, original, done) = match got {
        Ok((c, fields, p, Some((original, done)))) => (c, fields, p, original, done),
        Ok(_) => return see_other(&format!("/ho-so/{id}/giay-to")),
        Err(r) => return r,
    };
    let slot = f(&fields, "slot").to_string();
    let keep_in_store = f(&fields, "keep") == "1";
    match svc_dossier::attach(&c.svc, &p, id, &slot, &original, done, keep_in_store).await {
        Ok(_) => see_other(&format!("/ho-so/{id}/giay-to?ok=uploaded")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

fn no_file(key: &str) -> AppError {
    app::server::auth::invalid(
        key,
        "Chưa chọn tệp. Hãy chọn một tệp để tải lên.",
        "No file chosen. Choose a file to upload.",
    )
}

fn upload_interrupted(key: &str) -> AppError {
    app::server::auth::invalid(
        key,
        "Tải tệp bị gián đoạn hoặc quá lớn. Hãy thử lại.",
        "The upload was interrupted or too large. Please try again.",
    )
}

/// Serves a stored file to its owner, shown inline (preview) but never able to run script:
/// the type is the one sniffed at upload and the response is sandboxed.
pub(crate) fn file_response(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        )
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// The signed-in user of a GET request (downloads); the auth layer has put it there.
pub(crate) fn signed_in(req: &Request<Body>) -> Option<Principal> {
    req.extensions()
        .get::<app::server::auth::CurrentUser>()
        .map(|u| u.0.clone())
}

pub(crate) fn error_response(e: AppError) -> Response {
    let (status, msg) = match e {
        AppError::NotFound => (
            StatusCode::NOT_FOUND,
            "Không tìm thấy tệp. / File not found.",
        ),
        AppError::Forbidden => (
            StatusCode::FORBIDDEN,
            "Bạn không có quyền xem tệp này. / You may not see this file.",
        ),
        AppError::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            "Vui lòng đăng nhập. / Please log in.",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Không đọc được tệp. / The file could not be read.",
        ),
    };
    crate::plain_error(status, msg)
}

async fn download(
    State(state): State<AppState>,
    Path((id, file)): Path<(i32, i32)>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match svc_dossier::file_bytes(&state.services, &p, id, file).await {
        Ok((f, bytes)) => file_response(&f.file_name, &f.content_type, bytes),
        Err(e) => error_response(e),
    }
}

/// P-3.6: the applicant pays the fee; the browser goes on to the gateway.
async fn pay(State(state): State<AppState>, Path(id): Path<i32>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let english = parts
        .headers
        .get(axum::http::header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(app::i18n::Lang::from_cookie_header)
        == Some(app::i18n::Lang::En);
    let mut c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    match app::server::payment::start(&c.svc, &p, id, english, &c.meta).await {
        Ok(url) => see_other(&url),
        Err(e) => {
            // The form has no page of its own: the dossier page shows the error.
            if let Ok(uri) = format!("/ho-so/{id}").parse() {
                c.parts.uri = uri;
            }
            fail(&state, c, &fields, e).await
        }
    }
}

/// The gateway's server-to-server notification (IPN): signed parameters in the query; the
/// reply is the gateway's JSON. Never a redirect or an HTML error: the gateway reads the body.
async fn pay_notify(
    State(state): State<AppState>,
    Path(gateway): Path<String>,
    axum::extract::Query(params): axum::extract::Query<std::collections::BTreeMap<String, String>>,
) -> Response {
    notified(&state, &gateway, &params).await
}

/// The same notification as a JSON object in the body (the NPSP payment platform's confirm).
/// A body that is not a JSON object reads as no fields: a bad-checksum reply, nothing changed.
async fn pay_notify_json(
    State(state): State<AppState>,
    Path(gateway): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let params = app::server::paygov::flatten(&v);
    notified(&state, &gateway, &params).await
}

async fn notified(
    state: &AppState,
    gateway: &str,
    params: &std::collections::BTreeMap<String, String>,
) -> Response {
    let known = state
        .services
        .integrations
        .payment
        .as_ref()
        .is_some_and(|g| g.name() == gateway);
    if !known {
        return crate::plain_error(
            StatusCode::NOT_FOUND,
            "Không có cổng thanh toán này. / No such gateway.",
        );
    }
    match app::server::payment::notify(&state.services, params).await {
        Ok(body) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!("payment notification failed: {e}");
            let body = state
                .services
                .integrations
                .payment
                .as_ref()
                .map(|g| g.ipn_reply("99", params))
                .unwrap_or_default();
            (
                StatusCode::OK,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
    }
}

/// The browser back from the gateway: shows the dossier with what the database says of the
/// payment (the notification decides, this page only reports).
async fn pay_return(
    State(state): State<AppState>,
    axum::extract::Query(params): axum::extract::Query<std::collections::BTreeMap<String, String>>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match app::server::payment::returned(&state.services, &p, &params).await {
        Ok((id, status)) => see_other(&format!("/ho-so/{id}?thanh-toan={status}")),
        Err(e) => error_response(e),
    }
}

async fn receipt(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match svc_dossier::receipt_pdf(&state.services, &p, id).await {
        Ok((name, bytes)) => file_response(&name, "application/pdf", bytes),
        Err(e) => error_response(e),
    }
}

async fn officer_receipt(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match svc_dossier::officer_receipt_pdf(&state.services, &p, id).await {
        Ok((name, bytes)) => file_response(&name, "application/pdf", bytes),
        Err(e) => error_response(e),
    }
}

/// P-3.6: the electronic receipt of a paid fee, `bien-lai/{payment id}.pdf`, for the applicant.
async fn payment_receipt(
    State(state): State<AppState>,
    Path((id, file)): Path<(i32, String)>,
    req: Request<Body>,
) -> Response {
    fee_receipt(state, id, &file, req, false).await
}

/// The same receipt for an officer of the unit handling the dossier.
async fn officer_payment_receipt(
    State(state): State<AppState>,
    Path((id, file)): Path<(i32, String)>,
    req: Request<Body>,
) -> Response {
    fee_receipt(state, id, &file, req, true).await
}

async fn fee_receipt(
    state: AppState,
    id: i32,
    file: &str,
    req: Request<Body>,
    officer: bool,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    let Some(pid) = file.strip_suffix(".pdf").and_then(|n| n.parse().ok()) else {
        return error_response(AppError::NotFound);
    };
    match app::server::payment::receipt_pdf(&state.services, &p, id, pid, officer).await {
        Ok((name, bytes)) => file_response(&name, "application/pdf", bytes),
        Err(e) => error_response(e),
    }
}

/// Slips of the one-stop forms (B-l): `phieu-yeu-cau-bo-sung`, `phieu-tu-choi`,
/// `phieu-xin-loi`, `phieu-kiem-soat`.
async fn officer_slip(
    State(state): State<AppState>,
    Path((id, kind)): Path<(i32, String)>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match svc_work::slip_pdf(&state.services, &p, id, kind.trim_end_matches(".pdf")).await {
        Ok((name, bytes)) => file_response(&name, "application/pdf", bytes),
        Err(e) => error_response(e),
    }
}

/// Counter intake (B-c): a draft for a walk-in applicant, then the usual form and documents.
async fn intake(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let w = svc_dossier::WalkIn {
        full_name: f(&fields, "full_name").to_string(),
        citizen_id: f(&fields, "citizen_id").to_string(),
        phone: f(&fields, "phone").to_string(),
        email: f(&fields, "email").to_string(),
    };
    match svc_dossier::intake_start(&c.svc, &p, f(&fields, "procedure"), &w, f(&fields, "key"))
        .await
    {
        Ok(id) => see_other(&format!("/ho-so/{id}")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// A table (heading row first) as a CSV or XLSX download named `name`.
fn table_file(name: &str, sheet: &str, rows: &[Vec<String>], xlsx: bool) -> Response {
    if !xlsx {
        return file_response(
            &format!("{name}.csv"),
            "text/csv; charset=utf-8",
            app::server::report::csv(rows),
        );
    }
    match app::server::xlsx::workbook(sheet, rows) {
        Ok(bytes) => file_response(
            &format!("{name}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes,
        ),
        Err(e) => error_response(app::error::internal(e)),
    }
}

/// The report table (B-d) as CSV or XLSX, for the same period and grouping as the page.
async fn report_export(
    state: &AppState,
    q: HashMap<String, String>,
    p: Option<Principal>,
    xlsx: bool,
) -> Response {
    let Some(p) = p else {
        return see_other("/dang-nhap");
    };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let svc = &state.services;
    let r = match app::server::report::period(get("tu"), get("den")) {
        Ok((from, to)) => {
            let by = app::server::report::GroupBy::parse(get("theo"));
            app::server::report::report(svc, &p, from, to, by).await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(r) => {
            let rows = app::server::report::table(&r);
            let name = format!("bao-cao-{}-{}", r.from, r.to);
            table_file(&name, "Báo cáo", &rows, xlsx)
        }
        Err(e) => error_response(e),
    }
}

/// The payment reconciliation (P-3.6) as CSV, for matching against the gateway's statement.
async fn reconciliation_csv(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let svc = &state.services;
    let r = match app::server::report::period(get("tu"), get("den")) {
        Ok((from, to)) => app::server::reconcile::reconciliation(svc, &p, from, to).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(r) => {
            let rows = app::server::reconcile::rows(&r);
            let name = format!("doi-soat-thanh-toan-{}-{}", r.from, r.to);
            table_file(&name, "Đối soát", &rows, false)
        }
        Err(e) => error_response(e),
    }
}

/// The tracking book (sổ theo dõi hồ sơ, B-l) of the same period as the report page.
async fn book_export(
    state: &AppState,
    q: HashMap<String, String>,
    p: Option<Principal>,
    xlsx: bool,
) -> Response {
    let Some(p) = p else {
        return see_other("/dang-nhap");
    };
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let svc = &state.services;
    let r = match app::server::report::period(get("tu"), get("den")) {
        Ok((from, to)) => app::server::report::tracking_book(svc, &p, from, to)
            .await
            .map(|rows| (from, to, rows)),
        Err(e) => Err(e),
    };
    match r {
        Ok((from, to, rows)) => {
            let name = format!("so-theo-doi-ho-so-{from}-{to}");
            table_file(&name, "Sổ theo dõi hồ sơ", &rows, xlsx)
        }
        Err(e) => error_response(e),
    }
}

async fn book_csv(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    book_export(&state, q, signed_in(&req), false).await
}

async fn book_xlsx(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    book_export(&state, q, signed_in(&req), true).await
}

async fn report_csv(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    report_export(&state, q, signed_in(&req), false).await
}

async fn report_xlsx(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    req: Request<Body>,
) -> Response {
    report_export(&state, q, signed_in(&req), true).await
}

async fn store_download(
    State(state): State<AppState>,
    Path(item): Path<i32>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match svc_dossier::store_bytes(&state.services, &p, item).await {
        Ok((i, bytes)) => file_response(&i.file_name, &i.content_type, bytes),
        Err(e) => error_response(e),
    }
}

/// Public lookup (P-5.2): answered on the same page; the second factor never goes in a URL.
/// The largest document the verify page reads (it is held in memory, never stored).
const VERIFY_LIMIT: usize = 20 * 1024 * 1024;

/// P-4: the public "verify a document" form. Anyone may check a PDF: the file is read in
/// memory, its signatures checked against the configured trust roots, and the page rendered
/// again with the report. Nothing is stored or logged about the document.
async fn verify_document(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let mut mp = match Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await
    {
        Ok(m) => m,
        Err(_) => {
            return crate::plain_error(
                StatusCode::BAD_REQUEST,
                "Biểu mẫu không hợp lệ. / The form could not be read.",
            )
        }
    };
    let mut fields: Fields = HashMap::new();
    let mut data: Option<Vec<u8>> = None;
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(fl)) => fl,
            Ok(None) => break,
            Err(_) => {
                let c = ctx(&state, parts, &fields);
                return fail(&state, c, &fields, upload_interrupted("file")).await;
            }
        };
        if field.name() != Some("file") {
            let name = field.name().unwrap_or("").to_string();
            let text = field.text().await.unwrap_or_default();
            fields.insert(name, text.chars().take(200).collect());
            continue;
        }
        // The token is checked before the file is read.
        let c = ctx(&state, parts.clone(), &fields);
        if !c.csrf_ok {
            return fail(&state, c, &fields, csrf_error()).await;
        }
        let mut buf = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(bytes)) if buf.len() + bytes.len() <= VERIFY_LIMIT => {
                    buf.extend_from_slice(&bytes)
                }
                Ok(Some(_)) => {
                    let e = app::server::auth::invalid(
                        "file",
                        "Tệp lớn hơn 20 MB, không kiểm tra được.",
                        "The file is larger than 20 MB and cannot be checked.",
                    );
                    return fail(&state, c, &fields, e).await;
                }
                Ok(None) => break,
                Err(_) => return fail(&state, c, &fields, upload_interrupted("file")).await,
            }
        }
        data = Some(buf).filter(|b| !b.is_empty());
    }
    let c = ctx(&state, parts, &fields);
    if !c.csrf_ok {
        return fail(&state, c, &fields, csrf_error()).await;
    }
    let Some(data) = data else {
        return fail(&state, c, &fields, no_file("file")).await;
    };
    if app::domain::eform::FileType::sniff(&data) != Some(app::domain::eform::FileType::Pdf) {
        let e = app::server::auth::invalid(
            "file",
            "Tệp này không phải PDF. Chỉ kiểm tra được chữ ký số trong tệp PDF.",
            "This file is not a PDF. Only signatures in PDF files can be checked.",
        );
        return fail(&state, c, &fields, e).await;
    }
    let roots = c.svc.integrations.trust_roots.clone();
    let now = app::server::auth::now();
    let reports =
        tokio::task::spawn_blocking(move || app::server::sign::verify_pdf(&data, &roots, now))
            .await
            .unwrap_or_default();
    let echo = FormEcho {
        done: true,
        extra: vec![serde_json::to_string(&reports).unwrap_or_default()],
        ..Default::default()
    };
    rerender(&state, c.parts, echo, StatusCode::OK).await
}

async fn lookup(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    if !c.csrf_ok {
        return fail(&state, c, &fields, csrf_error()).await;
    }
    match svc_dossier::lookup(&c.svc, f(&fields, "ma"), f(&fields, "so"), &c.meta).await {
        Ok(status) => {
            let echo = FormEcho {
                values: keep(&fields)
                    .into_iter()
                    .filter(|(k, _)| k == "ma")
                    .collect(),
                done: true,
                extra: vec![serde_json::to_string(&status).unwrap_or_default()],
                ..Default::default()
            };
            rerender(&state, c.parts, echo, StatusCode::OK).await
        }
        Err(e) => {
            let mut fields = fields;
            fields.remove("so");
            fail(&state, c, &fields, e).await
        }
    }
}

/// Back-office actions on one dossier (B-c): any workflow action the officer's page offers,
/// and the apology slip (B-i). The workflow engine decides what is legal.
async fn officer_action(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let revision = f(&fields, "revision").parse().ok();
    let action = match f(&fields, "action") {
        // The names of the first back-office page.
        "supplement" => "request_supplement",
        "return" => "return_result",
        other => other,
    };
    let r = if action == "lienthong" {
        app::server::lienthong::send(
            &c.svc,
            &p,
            id,
            f(&fields, "peer").parse().ok(),
            f(&fields, "lt_note"),
            &c.meta,
        )
        .await
    } else if action == "refund" {
        // P-3.6: pay a fee back through the gateway.
        return match app::server::payment::refund(
            &c.svc,
            &p,
            id,
            f(&fields, "payment").parse().ok(),
            f(&fields, "refund_reason"),
            &c.meta,
        )
        .await
        {
            Ok(()) => see_other(&format!("/can-bo/ho-so/{id}?ok=refund")),
            Err(e) => fail(&state, c, &fields, e).await,
        };
    } else if action == "apology" {
        svc_work::apologise(
            &c.svc,
            &p,
            id,
            f(&fields, "new_due"),
            f(&fields, "reason"),
            revision,
            &c.meta,
        )
        .await
    } else {
        match ActionKind::parse(action) {
            Some(kind) => {
                let input = svc_work::ActInput {
                    note: f(&fields, "note").to_string(),
                    assignee: f(&fields, "assignee").parse().ok(),
                    unit: f(&fields, "unit").parse().ok(),
                    revision,
                    amount: app::domain::text::parse_vnd(f(&fields, "amount")),
                };
                svc_work::act(&c.svc, &p, id, kind, input, &c.meta).await
            }
            None => Err(AppError::NotFound),
        }
    };
    match r {
        Ok(()) => see_other(&format!("/can-bo/ho-so/{id}?ok=1")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// The dossiers ticked in a list form: boxes named `chon-<id>` with value 1.
fn ticked(fields: &Fields) -> Vec<i32> {
    fields
        .iter()
        .filter(|(_, v)| v.as_str() == "1")
        .filter_map(|(k, _)| k.strip_prefix("chon-")?.parse().ok())
        .collect()
}

/// Bulk accept or assign from the inbox (B-c): the ticked boxes are named `chon-<id>`. The
/// inbox is shown again with what was done and what was refused, each with its reason.
async fn officer_bulk(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let ids = ticked(&fields);
    let assignee = f(&fields, "bulk_assignee").parse().ok();
    match svc_work::bulk(
        &c.svc,
        &p,
        &ids,
        f(&fields, "bulk_action"),
        assignee,
        &c.meta,
    )
    .await
    {
        Ok(outcome) => {
            let echo = FormEcho {
                values: keep(&fields)
                    .into_iter()
                    .filter(|(k, _)| k.starts_with("bulk_"))
                    .collect(),
                done: true,
                extra: vec![serde_json::to_string(&outcome).unwrap_or_default()],
                ..Default::default()
            };
            rerender(&state, c.parts, echo, StatusCode::OK).await
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// Archives the ticked finished dossiers (B-đ); boxes are named `chon-<id>` as in the inbox.
async fn archive(State(state): State<AppState>, req: Request<Body>) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    let ids = ticked(&fields);
    match app::server::archive::archive(&c.svc, &p, &ids, &c.meta).await {
        Ok(n) => see_other(&format!("/can-bo/luu-tru?ok={n}")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn officer_result(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        // P-4: "Kiểm tra kết quả ký" for a result waiting for the agency's remote signature.
        let (parts, fields) = match with_form(req).await {
            Ok(x) => x,
            Err(r) => return r,
        };
        let c = ctx(&state, parts, &fields);
        let p = applicant!(state, c, fields);
        return match app::server::remotesign::check_result(&c.svc, &p, id).await {
            Ok(app::server::remotesign::Checked::Signed) => {
                see_other(&format!("/can-bo/ho-so/{id}?ok=signed"))
            }
            Ok(app::server::remotesign::Checked::Waiting) => {
                see_other(&format!("/can-bo/ho-so/{id}?ok=sign_waiting"))
            }
            Err(e) => fail(&state, c, &fields, e).await,
        };
    }
    let got = receive_file(
        &state,
        req,
        |_| "result".to_string(),
        false,
        move |svc, p, _| async move { svc_dossier::plan_result(&svc, &p, id).await },
    )
    .await;
    let (c, fields, p, original, done) = match got {
        Ok((c, fields, p, Some((original, done)))) => (c, fields, p, original, done),
        Ok(_) => return see_other(&format!("/can-bo/ho-so/{id}")),
        Err(r) => return r,
    };
    match svc_dossier::attach_result(&c.svc, &p, id, &original, done).await {
        Ok(svc_dossier::Attached::Filed) => see_other(&format!("/can-bo/ho-so/{id}?ok=1")),
        Ok(svc_dossier::Attached::AwaitingSignature) => {
            see_other(&format!("/can-bo/ho-so/{id}?ok=sign_sent"))
        }
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

async fn officer_download(
    State(state): State<AppState>,
    Path((id, file)): Path<(i32, i32)>,
    req: Request<Body>,
) -> Response {
    let Some(p) = signed_in(&req) else {
        return see_other("/dang-nhap");
    };
    match svc_dossier::officer_file(&state.services, &p, id, file).await {
        Ok((f, bytes)) => file_response(&f.file_name, &f.content_type, bytes),
        Err(e) => error_response(e),
    }
}

async fn store_delete(
    State(state): State<AppState>,
    Path(item): Path<i32>,
    req: Request<Body>,
) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    match svc_dossier::delete_store_item(&c.svc, &p, item).await {
        Ok(()) => see_other("/kho-du-lieu?ok=deleted"),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// A message on the dossier's thread with an optional attachment (P-3.2), from the applicant
/// (`/ho-so/…`) or an officer of the unit (`/can-bo/ho-so/…`).
async fn message(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let back = if req.uri().path().starts_with("/can-bo/") {
        format!("/can-bo/ho-so/{id}?ok=1")
    } else {
        format!("/ho-so/{id}?ok=message")
    };
    let got = receive_file(
        &state,
        req,
        |_| "attachment".to_string(),
        true,
        move |svc, p, _| async move { svc_dossier::plan_message(&svc, &p, id).await },
    )
    .await;
    let (c, fields, p, file) = match got {
        Ok(x) => x,
        Err(r) => return r,
    };
    match svc_dossier::post_message(&c.svc, &p, id, f(&fields, "body"), file).await {
        Ok(()) => see_other(&back),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// The postal choice (P-3.5). "Update the list of communes" shows the page again with the
/// input kept and the new province's communes (without JavaScript); saving checks everything
/// and changes nothing on an error.
async fn postal(
    State(state): State<AppState>,
    Path(id): Path<i32>,
    req: Request<Body>,
) -> Response {
    let (parts, fields) = match with_form(req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = ctx(&state, parts, &fields);
    let p = applicant!(state, c, fields);
    if f(&fields, "action") == "refresh" {
        let echo = FormEcho {
            values: keep(&fields),
            ..Default::default()
        };
        return rerender(&state, c.parts, echo, StatusCode::OK).await;
    }
    let choice = app::server::post::Choice {
        papers: f(&fields, "papers") == "1",
        result: f(&fields, "result") == "1",
        name: f(&fields, "name").into(),
        phone: f(&fields, "phone").into(),
        province: f(&fields, "province").into(),
        commune: f(&fields, "commune").into(),
        street: f(&fields, "street").into(),
    };
    match app::server::post::choose(&c.svc, &p, id, choice).await {
        Ok(()) => see_other(&format!("/ho-so/{id}?ok=postal")),
        Err(e) => fail(&state, c, &fields, e).await,
    }
}

/// The post's tracking report (P-3.5): signed with HMAC-SHA256 in `X-Signature`. Answers
/// JSON the post reads: 200 when kept (also for a repeat), 401 for a bad signature, 400 for
/// a malformed report, 404 for an order this portal never placed.
async fn postal_tracking(State(state): State<AppState>, req: Request<Body>) -> Response {
    use app::server::post::Refusal;
    let signature = req
        .headers()
        .get("x-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let json = |status: StatusCode, code: &str, message: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "Status": code, "Message": message }).to_string(),
        )
            .into_response()
    };
    let Ok(body) = axum::body::to_bytes(req.into_body(), 64 * 1024).await else {
        return json(StatusCode::PAYLOAD_TOO_LARGE, "413", "body too large");
    };
    match app::server::post::callback(&state.services, &body, &signature).await {
        Ok(()) => json(StatusCode::OK, "100", "OK"),
        Err(Refusal::Signature) => json(StatusCode::UNAUTHORIZED, "401", "bad signature"),
        Err(Refusal::Malformed(m)) => json(StatusCode::BAD_REQUEST, "400", &m),
        Err(Refusal::UnknownOrder) => json(StatusCode::NOT_FOUND, "404", "unknown order"),
        Err(Refusal::Busy) => json(StatusCode::SERVICE_UNAVAILABLE, "503", "try again later"),
    }
}
