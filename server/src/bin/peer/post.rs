//! `peer post`: a public postal service simulator speaking the shape `app::server::post`
//! documents (VNPost's BCCI order fields, spec/protocols.md §4.2). `POST /order` with the
//! header `access_token: {PEER_POST_TOKEN}` (default `post-token`) and the order JSON: the
//! `CustomerCode` must be `PEER_POST_CUSTOMER_CODE` (default `PORTAL`), the sender's and
//! receiver's name, address, telephone and province present and the telephones 10 digits. A
//! good order answers `{"Status": "100", "ItemCode": "EB…VN"}` and is kept once per
//! `OrderNumber`: a repeated number answers the first tracking number and counts as a
//! duplicate. A bad order answers `Status` `101` with a message (HTTP 200, as the BCCI
//! interface does); a bad token HTTP 401.
//!
//! Tracking: `POST /_peer/track/{order}/{code}` sends the report `{"OrderNumber", "ItemCode",
//! "StatusCode", "StatusMessage", "Time"}` to the portal (`PEER_POST_CALLBACK_URL`, default
//! `http://127.0.0.1:3000/buu-chinh/trang-thai`), signed with `X-Signature: hex(HMAC-SHA256(
//! PEER_POST_CALLBACK_SECRET, body))` (default secret `post-callback-secret`), and answers with
//! what the portal replied. `?time=yyyyMMddHHmmss` dates the report (default now),
//! `?tamper=1` changes the body after signing.
//!
//! `?silent=1` only records the report (a callback the portal never got), for polling to find.
//!
//! Cancel: `POST /cancel` `{CustomerCode, OrderNumber}` answers `Status` `100` and marks the
//! order cancelled (again `100` if it already was); `102` when the item was already collected
//! (a report with code 2 or more), `103` for an unknown order. Tracking: `POST /tracking`
//! `{CustomerCode, OrderNumber}` answers `{"Status": "100", "Data": [reports…]}` with every
//! report made for the order, sent or silent.
//!
//! Test controls: `GET /_peer/state` (orders, calls, duplicates, reports sent), `POST
//! /_peer/fail/{n}` (the next n orders answer 503), `POST /_peer/callback-target?url=…`,
//! `POST /_peer/delay/{ms}` (an order is kept, then the answer waits: a sender killed
//! meanwhile never hears it).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

#[derive(Default)]
struct Gate {
    orders: Vec<Value>,
    reports: Vec<Value>,
    calls: u64,
    duplicates: u64,
    fail: u32,
    delay_ms: u64,
}

struct Peer {
    gate: Mutex<Gate>,
    token: String,
    customer: String,
    secret: String,
    callback: Mutex<String>,
    http: reqwest::Client,
}

type Shared = Arc<Peer>;

pub fn app() -> Router {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let peer = Arc::new(Peer {
        gate: Mutex::new(Gate::default()),
        token: env("PEER_POST_TOKEN", "post-token"),
        customer: env("PEER_POST_CUSTOMER_CODE", "PORTAL"),
        secret: env("PEER_POST_CALLBACK_SECRET", "post-callback-secret"),
        callback: Mutex::new(env(
            "PEER_POST_CALLBACK_URL",
            "http://127.0.0.1:3000/buu-chinh/trang-thai",
        )),
        http: app::server::npsp::http_client(std::time::Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("HTTP client: {e}")),
    });
    Router::new()
        .route("/order", post(order))
        .route("/cancel", post(cancel))
        .route("/tracking", post(tracking))
        .route("/_peer/state", get(state))
        .route("/_peer/fail/{n}", post(fail))
        .route("/_peer/delay/{ms}", post(delay))
        .route("/_peer/callback-target", post(target))
        .route("/_peer/track/{order}/{code}", post(track))
        .with_state(peer)
}

fn lock(p: &Peer) -> std::sync::MutexGuard<'_, Gate> {
    p.gate.lock().unwrap_or_else(|e| e.into_inner())
}

fn answer(status: StatusCode, v: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        v.to_string(),
    )
        .into_response()
}

fn refuse(message: &str) -> Response {
    answer(
        StatusCode::OK,
        json!({ "Status": "101", "Message": message }),
    )
}

async fn order(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    {
        let mut g = lock(&p);
        g.calls += 1;
        if g.fail > 0 {
            g.fail -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, "injected failure").into_response();
        }
    }
    if h.get("access_token").and_then(|v| v.to_str().ok()) != Some(p.token.as_str()) {
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({ "Status": "401", "Message": "bad access_token" }),
        );
    }
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return refuse("body is not JSON");
    };
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    if text("CustomerCode") != p.customer {
        return refuse("unknown CustomerCode");
    }
    let number = text("OrderNumber");
    if number.is_empty() || number.len() > 50 {
        return refuse("OrderNumber is required");
    }
    for side in ["Sender", "Receiver"] {
        for k in ["Name", "Address", "Province"] {
            if text(&format!("{side}{k}")).trim().is_empty() {
                return refuse(&format!("{side}{k} is required"));
            }
        }
    }
    // The postman calls whoever is at the door; an agency may have no hotline on file.
    let phone_ok = |tel: &str| {
        let digits = tel.bytes().filter(u8::is_ascii_digit).count();
        (9..=11).contains(&digits)
            && tel
                .bytes()
                .all(|b| b.is_ascii_digit() || b" .+-()".contains(&b))
    };
    let (st, rt) = (text("SenderTel"), text("ReceiverTel"));
    if !(phone_ok(st) || phone_ok(rt)) || [st, rt].iter().any(|t| !t.is_empty() && !phone_ok(t)) {
        return refuse("SenderTel/ReceiverTel must be telephone numbers");
    }
    let (item, wait) = {
        let mut g = lock(&p);
        if let Some(first) = g.orders.iter().find(|o| o["OrderNumber"] == number) {
            let item = first["ItemCode"].clone();
            g.duplicates += 1;
            return answer(
                StatusCode::OK,
                json!({ "Status": "100", "Message": "OK", "ItemCode": item }),
            );
        }
        let item = format!("EB{:09}VN", 100_000_000 + g.orders.len() + 1);
        let mut kept = v.clone();
        kept["ItemCode"] = json!(item);
        g.orders.push(kept);
        (item, g.delay_ms)
    };
    if wait > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    }
    answer(
        StatusCode::OK,
        json!({ "Status": "100", "Message": "OK", "ItemCode": item }),
    )
}

async fn delay(State(p): State<Shared>, Path(ms): Path<u64>) -> Response {
    lock(&p).delay_ms = ms;
    StatusCode::NO_CONTENT.into_response()
}

async fn track(
    State(p): State<Shared>,
    Path((number, code)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let item = lock(&p)
        .orders
        .iter()
        .find(|o| o["OrderNumber"] == number.as_str())
        .map(|o| o["ItemCode"].clone())
        .unwrap_or(Value::Null);
    let message = match code {
        1 => "Đã nhận đơn hàng",
        2 => "Bưu tá đã nhận bưu gửi",
        3 => "Đang vận chuyển",
        4 => "Phát thành công",
        5 => "Phát không thành công",
        6 => "Chuyển hoàn",
        _ => "Huỷ",
    };
    let time = q
        .get("time")
        .cloned()
        .unwrap_or_else(|| app::server::npsp::portal_time(app::server::auth::now()));
    let body = json!({
        "OrderNumber": number,
        "ItemCode": item,
        "StatusCode": code,
        "StatusMessage": message,
        "Time": time,
    })
    .to_string();
    let signature = app::server::post::sign(&p.secret, body.as_bytes());
    let sent = if q.get("tamper").is_some_and(|t| t == "1") {
        body.replace(message, "Phát thành công (sửa)")
    } else {
        body.clone()
    };
    if q.get("silent").is_some_and(|t| t == "1") {
        let record = json!({ "body": body, "status": 0, "reply": "silent" });
        lock(&p).reports.push(record.clone());
        return answer(StatusCode::OK, record);
    }
    let url = p.callback.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (status, reply) = match p
        .http
        .post(&url)
        .header("content-type", "application/json")
        .header("x-signature", signature)
        .body(sent)
        .send()
        .await
    {
        Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
        Err(e) => (0, e.to_string()),
    };
    let record = json!({ "body": body, "status": status, "reply": reply });
    lock(&p).reports.push(record.clone());
    answer(StatusCode::OK, record)
}

/// The token and customer of a cancel or tracking request; its order number.
fn order_request(p: &Peer, h: &HeaderMap, body: &str) -> Result<String, Box<Response>> {
    if h.get("access_token").and_then(|v| v.to_str().ok()) != Some(p.token.as_str()) {
        return Err(Box::new(answer(
            StatusCode::UNAUTHORIZED,
            json!({ "Status": "401", "Message": "bad access_token" }),
        )));
    }
    let v: Value = serde_json::from_str(body).map_err(|_| Box::new(refuse("body is not JSON")))?;
    if v["CustomerCode"].as_str() != Some(p.customer.as_str()) {
        return Err(Box::new(refuse("unknown CustomerCode")));
    }
    Ok(v["OrderNumber"].as_str().unwrap_or_default().to_owned())
}

/// Every report made for `number` (sent to the portal or silent), as the post keeps them.
fn reports_of(g: &Gate, number: &str) -> Vec<Value> {
    g.reports
        .iter()
        .filter_map(|r| {
            r["body"]
                .as_str()
                .and_then(|b| serde_json::from_str::<Value>(b).ok())
        })
        .filter(|b| b["OrderNumber"] == number)
        .collect()
}

async fn cancel(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    let number = match order_request(&p, &h, &body) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let mut g = lock(&p);
    g.calls += 1;
    let collected = reports_of(&g, &number).iter().any(|r| {
        r["StatusCode"]
            .as_i64()
            .is_some_and(|c| (2..7).contains(&c))
    });
    let Some(o) = g
        .orders
        .iter_mut()
        .find(|o| o["OrderNumber"] == number.as_str())
    else {
        return answer(
            StatusCode::OK,
            json!({ "Status": "103", "Message": "unknown order" }),
        );
    };
    if collected {
        return answer(
            StatusCode::OK,
            json!({ "Status": "102", "Message": "already collected" }),
        );
    }
    o["Cancelled"] = json!(true);
    answer(StatusCode::OK, json!({ "Status": "100", "Message": "OK" }))
}

async fn tracking(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    let number = match order_request(&p, &h, &body) {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let g = lock(&p);
    if !g.orders.iter().any(|o| o["OrderNumber"] == number.as_str()) {
        return answer(
            StatusCode::OK,
            json!({ "Status": "103", "Message": "unknown order" }),
        );
    }
    answer(
        StatusCode::OK,
        json!({ "Status": "100", "Message": "OK", "Data": reports_of(&g, &number) }),
    )
}

async fn state(State(p): State<Shared>) -> Response {
    let g = lock(&p);
    answer(
        StatusCode::OK,
        json!({ "orders": g.orders, "calls": g.calls, "duplicates": g.duplicates, "reports": g.reports }),
    )
}

async fn fail(State(p): State<Shared>, Path(n): Path<u32>) -> Response {
    lock(&p).fail = n;
    StatusCode::NO_CONTENT.into_response()
}

async fn target(State(p): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("url") {
        Some(u) => {
            *p.callback.lock().unwrap_or_else(|e| e.into_inner()) = u.clone();
            StatusCode::NO_CONTENT.into_response()
        }
        None => (StatusCode::BAD_REQUEST, "url is required").into_response(),
    }
}
