//! `peer paygov`: a simulator of the NPSP payment platform (PayGov, DvcPayment v1.0.6;
//! spec/protocols.md §2.2). `POST /init` checks the order as the platform would (message
//! type, version, partner code, amount, currency, bill, `MaXacThuc`) and answers
//! `{error_code, message}` with the payment page's address inside `message`. The page shows the
//! order with "Thanh toán" (pay) and "Huỷ giao dịch" (cancel); either way the platform POSTs
//! the signed confirm as JSON to the agency's confirm address (`PEER_PAYGOV_CONFIRM_URL`) and
//! sends the browser back to the order's `UrlTraVe` with the same fields in the query. It checks
//! the `MaXacThuc` of the agency's reply and records it. Keys: `PEER_PAYGOV_PARTNER` /
//! `PEER_PAYGOV_SECRET` (default `DVC01` / `BIMATTHUNGHIEMPAYGOV`).
//!
//! Test controls as `peer vnpay`: `POST /_peer/ipn/{once|twice|late|none}`, `POST
//! /_peer/ipn-target?url=…`, `GET /_peer/state`, and `POST /_peer/sign` (a JSON object → its
//! confirm `MaXacThuc`).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use app::server::paygov::{
    checksum, field, flatten, verify, CONFIRM_FIELDS, INIT_FIELDS, QUERY_FIELDS, REPLY_FIELDS,
    VERSION,
};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

type Params = BTreeMap<String, String>;

#[derive(Default)]
struct Gate {
    orders: BTreeMap<String, Params>,
    /// The signed confirm of each completed order, for QUERY.
    results: BTreeMap<String, Params>,
    notifications: Vec<Value>,
    mode: String,
    seq: u64,
}

struct Peer {
    gate: Mutex<Gate>,
    partner: String,
    secret: String,
    confirm_url: Mutex<String>,
    http: reqwest::Client,
}

type Shared = Arc<Peer>;

pub fn app() -> Router {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let peer = Arc::new(Peer {
        gate: Mutex::new(Gate {
            mode: "once".into(),
            ..Default::default()
        }),
        partner: env("PEER_PAYGOV_PARTNER", "DVC01"),
        secret: env("PEER_PAYGOV_SECRET", "BIMATTHUNGHIEMPAYGOV"),
        confirm_url: Mutex::new(env(
            "PEER_PAYGOV_CONFIRM_URL",
            "http://127.0.0.1:3000/thanh-toan/paygov/ipn",
        )),
        http: app::server::npsp::http_client(std::time::Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("HTTP client: {e}")),
    });
    Router::new()
        .route("/init", post(init))
        .route("/thanh-toan/{reference}", get(page))
        .route("/_sim/complete", get(complete))
        .route("/_peer/ipn/{mode}", post(set_mode))
        .route("/_peer/ipn-target", post(set_target))
        .route("/_peer/state", get(state))
        .route("/_peer/sign", post(sign))
        .with_state(peer)
}

fn lock(p: &Peer) -> std::sync::MutexGuard<'_, Gate> {
    p.gate.lock().unwrap_or_else(|e| e.into_inner())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn answer(code: &str, message: Value) -> Response {
    (
        [("content-type", "application/json")],
        json!({ "error_code": code, "message": message.to_string() }).to_string(),
    )
        .into_response()
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit())
}

/// INIT: the order is checked and kept; the reply names the payment page.
async fn init(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return answer("99", json!("Dữ liệu không phải JSON"));
    };
    let m = flatten(&v);
    if field(&m, "LoaiBanTin") == "QUERY" {
        return query(&p, &m);
    }
    if !verify(&m, &INIT_FIELDS, &p.secret) {
        return answer("97", json!("Sai mã xác thực (MaXacThuc)"));
    }
    let bill = &v["ThongTinBienLai"];
    let checks = [
        (field(&m, "LoaiBanTin") == "INIT", "LoaiBanTin phải là INIT"),
        (field(&m, "PhienBan") == VERSION, "PhienBan phải là 1.0.6"),
        (
            field(&m, "MaDoiTac") == p.partner,
            "Sai mã đối tác (MaDoiTac)",
        ),
        (!field(&m, "MaThamChieu").is_empty(), "Thiếu MaThamChieu"),
        (digits(&field(&m, "SoTien")), "Số tiền không hợp lệ"),
        (field(&m, "MaTienTe") == "VND", "Chỉ hỗ trợ VND"),
        (
            field(&m, "LoaiHinhThanhToan") == "PAY",
            "LoaiHinhThanhToan phải là PAY",
        ),
        (
            field(&m, "ThoiGianGD").len() == 14,
            "ThoiGianGD phải là yyyyMMddHHmmss",
        ),
        (
            bill["MaDichVu"] == "2" && bill["MaHoSo"].as_str().is_some_and(|s| !s.is_empty()),
            "Thiếu thông tin biên lai (ThongTinBienLai: MaDichVu 2, MaHoSo)",
        ),
        (
            bill["PhiLePhi"][0]["SoTien"]
                .as_i64()
                .map(|n| n.to_string())
                == Some(field(&m, "SoTien")),
            "Tổng phí, lệ phí trong biên lai không khớp số tiền",
        ),
        (
            field(&m, "UrlTraVe").starts_with("http"),
            "Thiếu địa chỉ trả về (UrlTraVe)",
        ),
    ];
    if let Some((_, why)) = checks.iter().find(|(ok, _)| !ok) {
        return answer("01", json!(why));
    }
    let reference = field(&m, "MaThamChieu");
    let host = h
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let mut order = m.clone();
    order.insert(
        "MaHoSo".into(),
        bill["MaHoSo"].as_str().unwrap_or_default().to_owned(),
    );
    lock(&p).orders.insert(reference.clone(), order);
    answer(
        "0",
        json!({
            "UrlThanhToan": format!("http://{host}/thanh-toan/{reference}"),
            "MaThamChieu": reference,
        }),
    )
}

/// QUERY: `0` with the signed confirm of a completed order, `02` for one not completed yet,
/// `01` for an unknown one, `97` for a bad checksum.
fn query(p: &Peer, m: &Params) -> Response {
    if !verify(m, &QUERY_FIELDS, &p.secret) || field(m, "MaDoiTac") != p.partner {
        return answer("97", json!("Sai mã xác thực (MaXacThuc)"));
    }
    let reference = field(m, "MaThamChieu");
    let g = lock(p);
    match (g.results.get(&reference), g.orders.contains_key(&reference)) {
        (Some(c), _) => answer("0", json!(c)),
        (None, true) => answer("02", json!("Giao dịch chưa hoàn tất")),
        (None, false) => answer("01", json!("Không tìm thấy giao dịch")),
    }
}

fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Thanh toán DVCQG (mô phỏng) - Lỗi</title></head><body><main><h1>Giao dịch không hợp lệ</h1><p>{}</p></main></body></html>",
            escape(message)
        )),
    )
        .into_response()
}

async fn page(State(p): State<Shared>, Path(reference): Path<String>) -> Response {
    let Some(o) = lock(&p).orders.get(&reference).cloned() else {
        return error_page("Không tìm thấy giao dịch.");
    };
    let button = |outcome: &str, label: &str| {
        format!(
            "<form method=\"get\" action=\"/_sim/complete\"><input type=\"hidden\" name=\"ref\" value=\"{}\"><input type=\"hidden\" name=\"outcome\" value=\"{outcome}\"><button type=\"submit\">{label}</button></form>",
            escape(&reference)
        )
    };
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Thanh toán DVCQG (mô phỏng)</title></head><body><main><h1>Nền tảng thanh toán Cổng DVC quốc gia (mô phỏng)</h1><p>Hồ sơ: {}</p><p>Nội dung: {}</p><p>Số tiền: {} VND</p>{}{}</main></body></html>",
        escape(&field(&o, "MaHoSo")),
        escape(&field(&o, "ThongTinGiaoDich")),
        escape(&field(&o, "SoTien")),
        button("pay", "Thanh toán"),
        button("cancel", "Huỷ giao dịch"),
    ))
    .into_response()
}

/// POSTs one confirm and records the agency's reply and whether its checksum holds.
async fn notify(p: &Peer, confirm: &Params) {
    let target = p
        .confirm_url
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let body = serde_json::to_string(confirm).unwrap_or_default();
    let reply = match p
        .http
        .post(&target)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
    {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
            let valid = verify(&flatten(&v), &REPLY_FIELDS, &p.secret);
            json!({ "status": status, "body": v, "checksum_ok": valid })
        }
        Err(e) => json!({ "error": e.to_string() }),
    };
    lock(p).notifications.push(json!({
        "reference": confirm.get("MaThamChieu"),
        "reply": reply,
    }));
}

async fn complete(State(p): State<Shared>, Query(q): Query<Params>) -> Response {
    let reference = q.get("ref").cloned().unwrap_or_default();
    let paid = q.get("outcome").map(String::as_str) == Some("pay");
    let (order, mode, seq) = {
        let mut g = lock(&p);
        g.seq += 1;
        (g.orders.get(&reference).cloned(), g.mode.clone(), g.seq)
    };
    let Some(order) = order else {
        return error_page("Không tìm thấy giao dịch.");
    };
    let mut c = Params::new();
    c.insert("LoaiBanTin".into(), "CONFIRM".into());
    c.insert("MaLoi".into(), if paid { "00" } else { "24" }.into());
    c.insert("MaDoiTac".into(), p.partner.clone());
    c.insert("MaThamChieu".into(), reference.clone());
    c.insert("SoTien".into(), field(&order, "SoTien"));
    c.insert("MaTienTe".into(), "VND".into());
    c.insert("MaGiaoDich".into(), format!("PG{}", 25_000_000 + seq));
    c.insert("MaNganHang".into(), "NCB".into());
    c.insert(
        "ThoiGianGD".into(),
        app::server::npsp::portal_time(app::server::auth::now()),
    );
    c.insert("ThongTinGiaoDich".into(), field(&order, "ThongTinGiaoDich"));
    let mac = checksum(&c, &CONFIRM_FIELDS, &p.secret);
    c.insert("MaXacThuc".into(), mac);
    lock(&p).results.insert(reference.clone(), c.clone());
    match mode.as_str() {
        "none" => {}
        "late" => {
            let (p2, c2) = (p.clone(), c.clone());
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                notify(&p2, &c2).await;
            });
        }
        "twice" => {
            notify(&p, &c).await;
            notify(&p, &c).await;
        }
        _ => notify(&p, &c).await,
    }
    let query = c
        .iter()
        .map(|(k, v)| format!("{k}={}", app::server::vnpay::form_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    (
        StatusCode::FOUND,
        [(
            axum::http::header::LOCATION,
            format!("{}?{query}", field(&order, "UrlTraVe")),
        )],
    )
        .into_response()
}

async fn set_mode(State(p): State<Shared>, Path(mode): Path<String>) -> Response {
    lock(&p).mode = mode;
    StatusCode::NO_CONTENT.into_response()
}

async fn set_target(State(p): State<Shared>, Query(q): Query<Params>) -> Response {
    match q.get("url") {
        Some(u) => {
            *p.confirm_url.lock().unwrap_or_else(|e| e.into_inner()) = u.clone();
            StatusCode::NO_CONTENT.into_response()
        }
        None => (StatusCode::BAD_REQUEST, "url missing").into_response(),
    }
}

async fn state(State(p): State<Shared>) -> Response {
    let g = lock(&p);
    (
        [("content-type", "application/json")],
        json!({ "orders": g.orders.keys().collect::<Vec<_>>(), "notifications": g.notifications })
            .to_string(),
    )
        .into_response()
}

async fn sign(State(p): State<Shared>, body: String) -> Response {
    let v: Value = serde_json::from_str(&body).unwrap_or_default();
    checksum(&flatten(&v), &CONFIRM_FIELDS, &p.secret).into_response()
}
