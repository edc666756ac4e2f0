//! `peer webhook`: a partner system receiving the portal's webhooks (G-5), as a partner
//! following the Standard Webhooks specification would: `POST /hook` checks
//! `webhook-signature` against the secret it was given (`POST /_peer/secret` with the secret
//! as the body, as the partner would store it from the subscription's answer) and that
//! `webhook-timestamp` is within five minutes, answers 401 otherwise, and keeps each
//! `webhook-id` once (a repeat is acknowledged and counted as a duplicate).
//!
//! Test controls: `GET /_peer/state` (received messages, calls, duplicates, rejected),
//! `POST /_peer/fail/{n}` (the next n calls answer 503), `POST /_peer/delay/{ms}` (a message
//! is kept, then the answer waits: a sender killed meanwhile never hears it).
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

#[derive(Default)]
struct Partner {
    secret: String,
    received: Vec<Value>,
    calls: u64,
    duplicates: u64,
    rejected: u64,
    fail: u32,
    delay_ms: u64,
}

type Shared = Arc<Mutex<Partner>>;

pub fn app() -> Router {
    Router::new()
        .route("/hook", post(hook))
        .route("/_peer/secret", post(secret))
        .route("/_peer/state", get(state))
        .route("/_peer/fail/{n}", post(fail))
        .route("/_peer/delay/{ms}", post(delay))
        .with_state(Shared::default())
}

fn lock(p: &Shared) -> std::sync::MutexGuard<'_, Partner> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

async fn hook(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    let header = |k: &str| {
        h.get(k)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (id, ts, sig) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let wait = {
        let mut g = lock(&p);
        g.calls += 1;
        if g.fail > 0 {
            g.fail -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, "injected failure").into_response();
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let fresh = ts.parse::<i64>().is_ok_and(|t| (now - t).abs() <= 300);
        let expected = ts
            .parse::<i64>()
            .ok()
            .and_then(|t| app::server::api::webhook_signature(&g.secret, &id, t, &body));
        // The header may carry several space-separated signatures (secret rotation).
        let signed = expected.is_some_and(|e| sig.split(' ').any(|s| s == e));
        if id.is_empty() || !fresh || !signed {
            g.rejected += 1;
            return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
        }
        if g.received.iter().any(|m| m["id"] == id.as_str()) {
            g.duplicates += 1;
            return StatusCode::NO_CONTENT.into_response();
        }
        let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        g.received.push(json!({
            "id": id,
            "timestamp": ts,
            "signature": sig,
            "raw": body,
            "body": parsed,
        }));
        g.delay_ms
    };
    if wait > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn delay(State(p): State<Shared>, Path(ms): Path<u64>) -> Response {
    lock(&p).delay_ms = ms;
    StatusCode::NO_CONTENT.into_response()
}

async fn secret(State(p): State<Shared>, body: String) -> Response {
    lock(&p).secret = body.trim().to_owned();
    StatusCode::NO_CONTENT.into_response()
}

async fn state(State(p): State<Shared>) -> Response {
    let g = lock(&p);
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        json!({
            "received": g.received,
            "calls": g.calls,
            "duplicates": g.duplicates,
            "rejected": g.rejected,
        })
        .to_string(),
    )
        .into_response()
}

async fn fail(State(p): State<Shared>, Path(n): Path<u32>) -> Response {
    lock(&p).fail = n;
    StatusCode::NO_CONTENT.into_response()
}
