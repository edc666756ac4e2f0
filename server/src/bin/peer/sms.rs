//! `peer sms`: an SMS brandname gateway simulator speaking the shape `app::server::sms`
//! documents. `POST /sms` with `Authorization: Bearer {PEER_SMS_TOKEN}` (default
//! `sms-secret`) and `{"brandname", "phone", "message", "ref"}`: the brandname must be
//! `PEER_SMS_BRANDNAME` (default `UBND DA NANG`), the phone `84` and 9 digits, the message
//! printable ASCII of at most 459 characters, the ref non-empty. A good message answers
//! `{"code": "00", "id": …}` and is recorded once per ref (a repeated ref answers the first id
//! and is counted as a duplicate); a bad token answers 401, a bad body 400 with a code.
//!
//! Test controls: `GET /_peer/state` (messages, calls, duplicates), `POST /_peer/fail/{n}`
//! (the next n calls answer 503), `POST /_peer/delay/{ms}` (a message is taken, then the
//! answer waits: a sender killed meanwhile never hears it).
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

#[derive(Default)]
struct Gate {
    messages: Vec<Value>,
    calls: u64,
    duplicates: u64,
    fail: u32,
    delay_ms: u64,
}

struct Peer {
    gate: Mutex<Gate>,
    token: String,
    brandname: String,
}

type Shared = Arc<Peer>;

pub fn app() -> Router {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let peer = Arc::new(Peer {
        gate: Mutex::new(Gate::default()),
        token: env("PEER_SMS_TOKEN", "sms-secret"),
        brandname: env("PEER_SMS_BRANDNAME", "UBND DA NANG"),
    });
    Router::new()
        .route("/sms", post(send))
        .route("/_peer/state", get(state))
        .route("/_peer/fail/{n}", post(fail))
        .route("/_peer/delay/{ms}", post(delay))
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

fn bad(code: &str, message: &str) -> Response {
    answer(
        StatusCode::BAD_REQUEST,
        json!({ "code": code, "message": message }),
    )
}

async fn send(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    {
        let mut g = lock(&p);
        g.calls += 1;
        if g.fail > 0 {
            g.fail -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, "injected failure").into_response();
        }
    }
    let bearer = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(p.token.as_str()) {
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({ "code": "401", "message": "bad token" }),
        );
    }
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return bad("01", "body is not JSON");
    };
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let (brand, phone, message, reference) = (
        text("brandname"),
        text("phone"),
        text("message"),
        text("ref"),
    );
    if brand != p.brandname {
        return bad("02", "unknown brandname");
    }
    if phone.len() != 11 || !phone.starts_with("84") || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return bad("03", "phone must be 84 and 9 digits");
    }
    if message.is_empty()
        || message.chars().count() > 459
        || !message.bytes().all(|b| (0x20..0x7f).contains(&b))
    {
        return bad("04", "message must be 1-459 printable ASCII characters");
    }
    if reference.is_empty() {
        return bad("05", "ref is required");
    }
    let (id, wait) = {
        let mut g = lock(&p);
        if let Some(first) = g.messages.iter().find(|m| m["ref"] == reference) {
            let id = first["id"].clone();
            g.duplicates += 1;
            return answer(StatusCode::OK, json!({ "code": "00", "id": id }));
        }
        let id = format!("SMS{:06}", g.messages.len() + 1);
        g.messages
            .push(json!({ "id": id, "ref": reference, "phone": phone, "message": message }));
        (id, g.delay_ms)
    };
    if wait > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    }
    answer(StatusCode::OK, json!({ "code": "00", "id": id }))
}

async fn delay(State(p): State<Shared>, Path(ms): Path<u64>) -> Response {
    lock(&p).delay_ms = ms;
    StatusCode::NO_CONTENT.into_response()
}

async fn state(State(p): State<Shared>) -> Response {
    let g = lock(&p);
    answer(
        StatusCode::OK,
        json!({ "messages": g.messages, "calls": g.calls, "duplicates": g.duplicates }),
    )
}

async fn fail(State(p): State<Shared>, Path(n): Path<u32>) -> Response {
    lock(&p).fail = n;
    StatusCode::NO_CONTENT.into_response()
}
