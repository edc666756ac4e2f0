//! `peer emc`: a simulator of the national monitoring system (EMC) in the shapes
//! `app::server::emc` documents (spec/protocols.md §6).
//!
//! - `GET /embed/gov-tracking.min.js`: a small tracker that reads the page's `_govaq` queue
//!   (`setTrackerUrl`, `setSiteId`, `trackPageView`) and reports the page view as an image
//!   request to the tracker URL, as Matomo-style trackers do.
//! - `GET /tracking?idsite=…&url=…&action_name=…`: records a page view.
//! - `POST /TrackingMCDT`: a dossier event. The body must be JSON with `CodeProfile` = `MaHoSo`
//!   (non-empty), `SiteId` = `PEER_EMC_SITE_ID` (default 12345), `CodeTTHC`, `Status` 0–4,
//!   `FormsReception` 1–2, `FormsPayments` 0–2, `Level` 0, 1, 3 or 4, `IsFromDVCQG` and
//!   `IsDVCBC` numbers, `User` a JSON *string* with `ID_local`, `ID_QG`, `TYPE` and `LOCATION`,
//!   and `Data.SuKien` (the event). Each (MaHoSo, SuKien) is kept once; a repeat is counted as a
//!   duplicate and answered like the first. A bad body answers 400.
//!
//! Test controls: `GET /_peer/state` (pushes, hits, calls, duplicates), `POST /_peer/fail/{n}`
//! (the next n pushes answer 503), `POST /_peer/delay/{ms}` (a push is kept, then the answer
//! waits: a sender killed meanwhile never hears it).
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

#[derive(Default)]
struct Emc {
    pushes: Vec<Value>,
    hits: Vec<Value>,
    calls: u64,
    duplicates: u64,
    fail: u32,
    delay_ms: u64,
}

struct Peer {
    emc: Mutex<Emc>,
    site_id: i64,
}

type Shared = Arc<Peer>;

pub fn app() -> Router {
    let peer = Arc::new(Peer {
        emc: Mutex::new(Emc::default()),
        site_id: std::env::var("PEER_EMC_SITE_ID")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(12345),
    });
    Router::new()
        .route("/embed/gov-tracking.min.js", get(script))
        .route("/tracking", get(hit))
        .route("/TrackingMCDT", post(push))
        .route("/_peer/state", get(state))
        .route("/_peer/fail/{n}", post(fail))
        .route("/_peer/delay/{ms}", post(delay))
        .with_state(peer)
}

fn lock(p: &Peer) -> std::sync::MutexGuard<'_, Emc> {
    p.emc.lock().unwrap_or_else(|e| e.into_inner())
}

fn answer(status: StatusCode, v: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        v.to_string(),
    )
        .into_response()
}

const TRACKER: &str = r#"(function(){var q=window._govaq||[],u=null,s=null,views=0;
for(var i=0;i<q.length;i++){var c=q[i];if(c[0]==='setTrackerUrl')u=c[1];else if(c[0]==='setSiteId')s=c[1];else if(c[0]==='trackPageView')views++;}
if(!u||!s)return;for(var j=0;j<views;j++){var img=new Image();
img.src=u+'?idsite='+encodeURIComponent(s)+'&rec=1&url='+encodeURIComponent(location.href)+'&action_name='+encodeURIComponent(document.title);}})();"#;

async fn script() -> Response {
    (
        [("content-type", "text/javascript; charset=utf-8")],
        TRACKER,
    )
        .into_response()
}

async fn hit(
    State(p): State<Shared>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let field = |k: &str| q.get(k).cloned().unwrap_or_default();
    lock(&p).hits.push(json!({
        "idsite": field("idsite"),
        "url": field("url"),
        "action_name": field("action_name"),
    }));
    StatusCode::NO_CONTENT.into_response()
}

fn check(v: &Value, site_id: i64) -> Result<(String, i64), String> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let num = |k: &str| v.get(k).and_then(Value::as_i64);
    let code = text("CodeProfile");
    if code.is_empty() || text("MaHoSo") != code {
        return Err("CodeProfile and MaHoSo must be the dossier code".into());
    }
    if num("SiteId") != Some(site_id) {
        return Err("unknown SiteId".into());
    }
    if text("CodeTTHC").is_empty() {
        return Err("CodeTTHC is required".into());
    }
    let within = |k: &str, ok: &[i64]| num(k).is_some_and(|x| ok.contains(&x));
    if !within("Status", &[0, 1, 2, 3, 4])
        || !within("FormsReception", &[1, 2])
        || !within("FormsPayments", &[0, 1, 2])
        || !within("Level", &[0, 1, 3, 4])
        || !within("IsFromDVCQG", &[0, 1])
        || !within("IsDVCBC", &[0, 1, 2])
    {
        return Err("a coded field is out of range".into());
    }
    let user: Value =
        serde_json::from_str(text("User")).map_err(|_| "User must be a JSON string")?;
    for k in ["ID_local", "ID_QG", "TYPE", "LOCATION"] {
        if user.get(k).and_then(Value::as_str).is_none() {
            return Err(format!("User.{k} is required"));
        }
    }
    let event = v
        .pointer("/Data/SuKien")
        .and_then(Value::as_i64)
        .ok_or("Data.SuKien is required")?;
    Ok((code.to_owned(), event))
}

async fn push(State(p): State<Shared>, body: String) -> Response {
    {
        let mut g = lock(&p);
        g.calls += 1;
        if g.fail > 0 {
            g.fail -= 1;
            return (StatusCode::SERVICE_UNAVAILABLE, "injected failure").into_response();
        }
    }
    let Ok(v) = serde_json::from_str::<Value>(&body) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({ "error": "body is not JSON" }),
        );
    };
    let (code, event) = match check(&v, p.site_id) {
        Ok(x) => x,
        Err(e) => return answer(StatusCode::BAD_REQUEST, json!({ "error": e })),
    };
    let wait = {
        let mut g = lock(&p);
        if g.pushes.iter().any(|x| {
            x["MaHoSo"] == code.as_str() && x.pointer("/Data/SuKien") == Some(&json!(event))
        }) {
            g.duplicates += 1;
        } else {
            g.pushes.push(v);
        }
        g.delay_ms
    };
    if wait > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    }
    answer(StatusCode::OK, json!({ "status": "success" }))
}

async fn delay(State(p): State<Shared>, Path(ms): Path<u64>) -> Response {
    lock(&p).delay_ms = ms;
    StatusCode::NO_CONTENT.into_response()
}

async fn state(State(p): State<Shared>) -> Response {
    let g = lock(&p);
    answer(
        StatusCode::OK,
        json!({ "pushes": g.pushes, "hits": g.hits, "calls": g.calls, "duplicates": g.duplicates }),
    )
}

async fn fail(State(p): State<Shared>, Path(n): Path<u32>) -> Response {
    lock(&p).fail = n;
    StatusCode::NO_CONTENT.into_response()
}
