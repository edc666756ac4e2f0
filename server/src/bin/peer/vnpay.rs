//! `peer vnpay`: a VNPay 2.1.0 gateway simulator (spec/protocols.md §2.4). Its payment page
//! (`/paymentv2/vpcpay.html`) checks the order's parameters and HMAC-SHA512 signature and
//! shows the order with "Thanh toán" (pay) and "Huỷ" (cancel). Either way it signs the result
//! and, like VNPay, sends it twice: server to server to the merchant's IPN address (set with
//! `PEER_VNPAY_IPN_URL`, as merchants register it with VNPay) and in the browser to the order's
//! return address. Keys: `PEER_VNPAY_TMN_CODE` / `PEER_VNPAY_HASH_SECRET` (default `PORTAL01` /
//! `BIMATTHUNGHIEMVNPAY`).
//!
//! Test controls: `POST /_peer/ipn-target?url=…` (where notifications go), `POST
//! /_peer/ipn/{mode}`: `once` (default), `twice` (a duplicate
//! notification), `late` (sent 2 s after the browser is redirected), `none` (never sent);
//! `GET /_peer/state`: orders seen, every notification with the merchant's reply, and the
//! refunds made; `GET /_peer/sign?…`: the signature of the given parameters, to build
//! tampered calls; `POST /_peer/refund/{mode}`: how refunds are answered, `ok` (default),
//! `refuse` (95, the bank says no), `busy` (99), `down` (HTTP 503) or `tamper` (a bad
//! signature on the answer).
//!
//! The merchant API (`/merchant_webapi/api/transaction`) answers `querydr` and `refund`. A
//! refund must name a paid order with its transaction number, date and full amount
//! (`vnp_TransactionType` 02); a request id seen before is answered 94, and a second refund of
//! the same order 95, so a retried delivery can never pay out twice.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use app::server::vnpay::{
    hash_data, sign, sign_fields, verify, QUERY_ANSWER_FIELDS, QUERY_FIELDS, REFUND_ANSWER_FIELDS,
    REFUND_FIELDS, VERSION,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

type Params = BTreeMap<String, String>;

#[derive(Default)]
struct Gate {
    orders: BTreeMap<String, Params>,
    /// The signed result of each completed order, for `querydr`.
    results: BTreeMap<String, Params>,
    notifications: Vec<Value>,
    mode: String,
    seq: u64,
    /// Refunds made, by order.
    refunds: BTreeMap<String, Value>,
    refund_ids: std::collections::BTreeSet<String>,
    refund_mode: String,
}

struct Peer {
    gate: Mutex<Gate>,
    tmn: String,
    secret: String,
    ipn_url: Mutex<String>,
    http: reqwest::Client,
}

type Shared = Arc<Peer>;

pub fn app() -> Router {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let peer = Arc::new(Peer {
        gate: Mutex::new(Gate {
            mode: "once".into(),
            refund_mode: "ok".into(),
            ..Default::default()
        }),
        tmn: env("PEER_VNPAY_TMN_CODE", "PORTAL01"),
        secret: env("PEER_VNPAY_HASH_SECRET", "BIMATTHUNGHIEMVNPAY"),
        ipn_url: Mutex::new(env(
            "PEER_VNPAY_IPN_URL",
            "http://127.0.0.1:3000/thanh-toan/vnpay/ipn",
        )),
        http: app::server::npsp::http_client(std::time::Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("HTTP client: {e}")),
    });
    Router::new()
        .route("/paymentv2/vpcpay.html", get(page))
        .route("/_sim/complete", get(complete))
        .route("/merchant_webapi/api/transaction", post(merchant_api))
        .route("/_peer/ipn/{mode}", post(set_mode))
        .route("/_peer/refund/{mode}", post(set_refund_mode))
        .route("/_peer/ipn-target", post(set_target))
        .route("/_peer/state", get(state))
        .route("/_peer/sign", get(sign_params))
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

fn error_page(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>VNPAY (mô phỏng) - Lỗi</title></head><body><main><h1>Giao dịch không hợp lệ</h1><p>{}</p></main></body></html>",
            escape(message)
        )),
    )
        .into_response()
}

fn digits(s: Option<&String>, n: std::ops::RangeInclusive<usize>) -> bool {
    s.is_some_and(|v| n.contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
}

/// The payment page: the order is checked as VNPay checks it.
async fn page(State(p): State<Shared>, Query(q): Query<Params>) -> Response {
    if !verify(&p.secret, &q) {
        return error_page("Sai chữ ký (vnp_SecureHash).");
    }
    let checks = [
        (
            q.get("vnp_Version").map(String::as_str) == Some(VERSION),
            "vnp_Version phải là 2.1.0",
        ),
        (
            q.get("vnp_Command").map(String::as_str) == Some("pay"),
            "vnp_Command phải là pay",
        ),
        (
            q.get("vnp_TmnCode") == Some(&p.tmn),
            "Sai mã website (vnp_TmnCode)",
        ),
        (digits(q.get("vnp_Amount"), 1..=12), "Số tiền không hợp lệ"),
        (
            q.get("vnp_CurrCode").map(String::as_str) == Some("VND"),
            "Chỉ hỗ trợ VND",
        ),
        (
            q.get("vnp_TxnRef").is_some_and(|v| !v.is_empty()),
            "Thiếu vnp_TxnRef",
        ),
        (
            q.get("vnp_ReturnUrl")
                .is_some_and(|v| v.starts_with("http")),
            "Thiếu vnp_ReturnUrl",
        ),
        (
            digits(q.get("vnp_CreateDate"), 14..=14),
            "vnp_CreateDate phải là yyyyMMddHHmmss",
        ),
        (
            !q.contains_key("vnp_SecureHashType"),
            "Phiên bản 2.1.0 không gửi vnp_SecureHashType",
        ),
    ];
    if let Some((_, why)) = checks.iter().find(|(ok, _)| !ok) {
        return error_page(why);
    }
    let txn = q.get("vnp_TxnRef").cloned().unwrap_or_default();
    let amount: i64 = q
        .get("vnp_Amount")
        .and_then(|a| a.parse().ok())
        .unwrap_or(0)
        / 100;
    let info = q.get("vnp_OrderInfo").cloned().unwrap_or_default();
    lock(&p).orders.insert(txn.clone(), q);
    let link = |outcome: &str, label: &str| {
        format!(
            "<form method=\"get\" action=\"/_sim/complete\"><input type=\"hidden\" name=\"ref\" value=\"{}\"><input type=\"hidden\" name=\"outcome\" value=\"{outcome}\"><button type=\"submit\">{label}</button></form>",
            escape(&txn)
        )
    };
    Html(format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>VNPAY (mô phỏng) - Thanh toán</title></head><body><main><h1>Cổng thanh toán VNPAY (mô phỏng)</h1><p>Đơn hàng: {}</p><p>Nội dung: {}</p><p>Số tiền: {amount} VND</p>{}{}</main></body></html>",
        escape(&txn),
        escape(&info),
        link("pay", "Thanh toán"),
        link("cancel", "Huỷ giao dịch"),
    ))
    .into_response()
}

/// Sends one notification and records the merchant's reply.
async fn notify(p: &Peer, params: &Params) {
    let target = p.ipn_url.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let url = format!(
        "{target}?{}&vnp_SecureHash={}",
        hash_data(params),
        sign(&p.secret, params)
    );
    let reply = match p.http.get(&url).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let body = r.text().await.unwrap_or_default();
            json!({ "status": status, "body": serde_json::from_str::<Value>(&body).unwrap_or(Value::String(body)) })
        }
        Err(e) => json!({ "error": e.to_string() }),
    };
    lock(p).notifications.push(json!({
        "txn_ref": params.get("vnp_TxnRef"),
        "reply": reply,
    }));
}

/// The customer paid or cancelled: the signed result goes to the IPN and the browser.
async fn complete(State(p): State<Shared>, Query(q): Query<Params>) -> Response {
    let txn = q.get("ref").cloned().unwrap_or_default();
    let paid = q.get("outcome").map(String::as_str) == Some("pay");
    let (order, mode, seq) = {
        let mut g = lock(&p);
        g.seq += 1;
        (g.orders.get(&txn).cloned(), g.mode.clone(), g.seq)
    };
    let Some(order) = order else {
        return error_page("Không tìm thấy giao dịch.");
    };
    let now = app::server::npsp::portal_time(app::server::auth::now());
    let mut r = Params::new();
    for k in ["vnp_Amount", "vnp_OrderInfo", "vnp_TmnCode", "vnp_TxnRef"] {
        if let Some(v) = order.get(k) {
            r.insert(k.into(), v.clone());
        }
    }
    let code = if paid { "00" } else { "24" };
    r.insert("vnp_ResponseCode".into(), code.into());
    r.insert(
        "vnp_TransactionStatus".into(),
        if paid { "00" } else { "02" }.into(),
    );
    r.insert("vnp_TransactionNo".into(), format!("{}", 14_000_000 + seq));
    r.insert("vnp_BankCode".into(), "NCB".into());
    r.insert("vnp_CardType".into(), "ATM".into());
    r.insert("vnp_PayDate".into(), now);
    if paid {
        r.insert("vnp_BankTranNo".into(), format!("VNP{}", 14_000_000 + seq));
    }
    lock(&p).results.insert(txn.clone(), r.clone());
    match mode.as_str() {
        "none" => {}
        "late" => {
            let (p2, r2) = (p.clone(), r.clone());
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                notify(&p2, &r2).await;
            });
        }
        "twice" => {
            notify(&p, &r).await;
            notify(&p, &r).await;
        }
        _ => notify(&p, &r).await,
    }
    let back = order.get("vnp_ReturnUrl").cloned().unwrap_or_default();
    let hash = sign(&p.secret, &r);
    (
        StatusCode::FOUND,
        [(
            axum::http::header::LOCATION,
            format!("{back}?{}&vnp_SecureHash={hash}", hash_data(&r)),
        )],
    )
        .into_response()
}

/// The merchant API: one address, the command in the body.
async fn merchant_api(State(p): State<Shared>, body: String) -> Response {
    let q = app::server::paygov::flatten(&serde_json::from_str(&body).unwrap_or_default());
    if q.get("vnp_Command").map(String::as_str) == Some("refund") {
        return refund(&p, &q);
    }
    querydr(&p, &q)
}

/// `refund`: the merchant pays an order back. Checked: the hash, the merchant, a paid order
/// with its transaction number and date, the full amount; then the request id (94 when seen
/// before) and earlier refunds (95). The answer is signed over its own fields.
fn refund(p: &Peer, q: &Params) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mode = lock(p).refund_mode.clone();
    if mode == "down" {
        return (StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response();
    }
    let good =
        get("vnp_SecureHash").eq_ignore_ascii_case(&sign_fields(&p.secret, q, &REFUND_FIELDS))
            && get("vnp_TmnCode") == p.tmn;
    let mut g = lock(p);
    let order = g.orders.get(&get("vnp_TxnRef")).cloned();
    let paid = g
        .results
        .get(&get("vnp_TxnRef"))
        .filter(|r| r.get("vnp_TransactionStatus").map(String::as_str) == Some("00"))
        .cloned();
    let (code, message) = match (&order, &paid) {
        _ if !good => ("97", "Invalid Checksum"),
        (Some(o), Some(r))
            if o.get("vnp_CreateDate") == q.get("vnp_TransactionDate")
                && r.get("vnp_TransactionNo") == q.get("vnp_TransactionNo") =>
        {
            if get("vnp_TransactionType") != "02" || o.get("vnp_Amount") != q.get("vnp_Amount") {
                ("03", "Invalid amount or transaction type")
            } else if g.refund_ids.contains(&get("vnp_RequestId")) {
                ("94", "Duplicate request")
            } else if g.refunds.contains_key(&get("vnp_TxnRef")) {
                ("95", "Transaction already refunded")
            } else {
                match mode.as_str() {
                    "refuse" => ("95", "Refund refused by the bank"),
                    "busy" => ("99", "Unknown error"),
                    _ => ("00", "Refund success"),
                }
            }
        }
        _ => ("91", "Transaction not found"),
    };
    if code != "97" && code != "99" {
        g.refund_ids.insert(get("vnp_RequestId"));
    }
    g.seq += 1;
    let refund_no = format!("{}", 15_000_000 + g.seq);
    let mut a = Params::new();
    for (k, v) in [
        ("vnp_ResponseId", format!("R{}", get("vnp_RequestId"))),
        ("vnp_Command", "refund".into()),
        ("vnp_ResponseCode", code.into()),
        ("vnp_Message", message.into()),
        ("vnp_TmnCode", p.tmn.clone()),
        ("vnp_TxnRef", get("vnp_TxnRef")),
        ("vnp_Amount", get("vnp_Amount")),
        ("vnp_OrderInfo", get("vnp_OrderInfo")),
        ("vnp_TransactionType", "02".into()),
    ] {
        a.insert(k.into(), v);
    }
    if code == "00" {
        let r = paid.unwrap_or_default();
        a.insert(
            "vnp_BankCode".into(),
            r.get("vnp_BankCode").cloned().unwrap_or_default(),
        );
        a.insert("vnp_PayDate".into(), get("vnp_CreateDate"));
        a.insert("vnp_TransactionNo".into(), refund_no.clone());
        // 05: VNPay is paying it back through the bank.
        a.insert("vnp_TransactionStatus".into(), "05".into());
        g.refunds.insert(
            get("vnp_TxnRef"),
            json!({
                "txn_ref": get("vnp_TxnRef"),
                "amount": get("vnp_Amount"),
                "request_id": get("vnp_RequestId"),
                "create_by": get("vnp_CreateBy"),
                "refund_no": refund_no,
            }),
        );
    }
    drop(g);
    let mut hash = sign_fields(&p.secret, &a, REFUND_ANSWER_FIELDS);
    if mode == "tamper" {
        let first = if hash.starts_with('0') { "1" } else { "0" };
        hash = format!("{first}{}", &hash[1..]);
    }
    a.insert("vnp_SecureHash".into(), hash);
    (
        [("content-type", "application/json")],
        serde_json::to_string(&a).unwrap_or_default(),
    )
        .into_response()
}

async fn set_refund_mode(State(p): State<Shared>, Path(mode): Path<String>) -> Response {
    lock(&p).refund_mode = mode;
    StatusCode::NO_CONTENT.into_response()
}

/// `querydr`: the merchant asks what became of an order. The request's hash is checked; the
/// answer (00 with the transaction, 91 unknown, 97 bad hash) is signed over its own fields.
fn querydr(p: &Peer, q: &Params) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let mut a = Params::new();
    a.insert(
        "vnp_ResponseId".into(),
        format!("R{}", get("vnp_RequestId")),
    );
    a.insert("vnp_Command".into(), "querydr".into());
    a.insert("vnp_TmnCode".into(), p.tmn.clone());
    a.insert("vnp_TxnRef".into(), get("vnp_TxnRef"));
    let good =
        get("vnp_SecureHash").eq_ignore_ascii_case(&sign_fields(&p.secret, q, &QUERY_FIELDS))
            && get("vnp_Command") == "querydr"
            && get("vnp_TmnCode") == p.tmn;
    let (order, result, refunded) = {
        let g = lock(p);
        (
            g.orders.get(&get("vnp_TxnRef")).cloned(),
            g.results.get(&get("vnp_TxnRef")).cloned(),
            g.refunds.get(&get("vnp_TxnRef")).cloned(),
        )
    };
    let code = match (&order, good) {
        (_, false) => "97",
        (None, _) => "91",
        (Some(o), _) if o.get("vnp_CreateDate") != q.get("vnp_TransactionDate") => "91",
        _ => "00",
    };
    a.insert("vnp_ResponseCode".into(), code.into());
    a.insert(
        "vnp_Message".into(),
        match code {
            "00" => "QueryDR Success",
            "91" => "Transaction not found",
            _ => "Invalid checksum",
        }
        .into(),
    );
    if let (Some(o), "00") = (&order, code) {
        a.insert(
            "vnp_Amount".into(),
            o.get("vnp_Amount").cloned().unwrap_or_default(),
        );
        a.insert(
            "vnp_OrderInfo".into(),
            o.get("vnp_OrderInfo").cloned().unwrap_or_default(),
        );
        a.insert("vnp_TransactionType".into(), "01".into());
        match &result {
            Some(r) => {
                for k in [
                    "vnp_BankCode",
                    "vnp_PayDate",
                    "vnp_TransactionNo",
                    "vnp_TransactionStatus",
                ] {
                    a.insert(k.into(), r.get(k).cloned().unwrap_or_default());
                }
            }
            // Shown but not completed: still open.
            None => {
                a.insert("vnp_TransactionStatus".into(), "01".into());
            }
        }
    }
    // A refunded order shows its refund: type 02, status 05 (VNPay is paying it back).
    if let (Some(r), "00") = (&refunded, code) {
        a.insert("vnp_TransactionType".into(), "02".into());
        a.insert("vnp_TransactionStatus".into(), "05".into());
        a.insert(
            "vnp_TransactionNo".into(),
            r["refund_no"].as_str().unwrap_or_default().into(),
        );
    }
    let hash = sign_fields(&p.secret, &a, &QUERY_ANSWER_FIELDS);
    a.insert("vnp_SecureHash".into(), hash);
    (
        [("content-type", "application/json")],
        serde_json::to_string(&a).unwrap_or_default(),
    )
        .into_response()
}

async fn set_mode(State(p): State<Shared>, Path(mode): Path<String>) -> Response {
    lock(&p).mode = mode;
    StatusCode::NO_CONTENT.into_response()
}

/// Where notifications go (`?url=`): a merchant registers its IPN address with VNPay.
async fn set_target(State(p): State<Shared>, Query(q): Query<Params>) -> Response {
    match q.get("url") {
        Some(u) => {
            *p.ipn_url.lock().unwrap_or_else(|e| e.into_inner()) = u.clone();
            StatusCode::NO_CONTENT.into_response()
        }
        None => (StatusCode::BAD_REQUEST, "url missing").into_response(),
    }
}

async fn state(State(p): State<Shared>) -> Response {
    let g = lock(&p);
    (
        [("content-type", "application/json")],
        json!({
            "orders": g.orders.keys().collect::<Vec<_>>(),
            "notifications": g.notifications,
            "refunds": g.refunds.values().collect::<Vec<_>>(),
        })
        .to_string(),
    )
        .into_response()
}

async fn sign_params(State(p): State<Shared>, Query(q): Query<Params>) -> Response {
    sign(&p.secret, &q).into_response()
}
