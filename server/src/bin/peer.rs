//! Local peers that speak the national protocols, for tests and demonstrations (never used in
//! production); `peer vnpay`, `peer paygov`, `peer sms`, `peer emc`, `peer post`, `peer remotesign` and
//! `peer webhook` are described in their modules. `peer npsp
//! [ADDR]` runs a National Public Service Portal adapter simulator (spec/protocols.md §1):
//! login with username/password and the `dstcode` header gives a session; the integration
//! endpoint takes `TraCuuHoSo`, `DongBoHoSoMC` and
//! `CapNhatTienDoHoSoMC` in the NPSP envelope, validates each payload and records it. It keeps
//! a dossier once per code and a progress entry once per (code, time, status), as the NPSP
//! does, and counts every call so tests can see duplicates.
//!
//! Test controls: `GET /_peer/state`, `POST /_peer/fail/{service}/{n}` (the next n calls of
//! `service`, or `login`, answer 503), `POST /_peer/delay/{ms}` (every call waits), `POST
//! /_peer/expire` (forgets all sessions, as a restarted portal would).
//! Credentials: `PEER_NPSP_USERNAME` / `PEER_NPSP_PASSWORD` / `PEER_NPSP_DSTCODE`
//! (default `portal` / `portal-secret` / `000.00.00.H48`).
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

#[derive(Default)]
struct Npsp {
    sessions: HashSet<String>,
    logins: u64,
    dossiers: BTreeMap<String, Value>,
    progress: BTreeMap<String, Vec<Value>>,
    calls: BTreeMap<String, u64>,
    fail: HashMap<String, u32>,
    delay_ms: u64,
    seq: u64,
}

struct Peer {
    state: Mutex<Npsp>,
    username: String,
    password: String,
    dstcode: String,
}

type Shared = Arc<Peer>;

fn env_or(k: &str, d: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| d.to_owned())
}

#[path = "peer/emc.rs"]
mod emc;
#[path = "peer/paygov.rs"]
mod paygov;
#[path = "peer/post.rs"]
mod postal;
#[path = "peer/remotesign.rs"]
mod remotesign;
#[path = "peer/sms.rs"]
mod sms;
#[path = "peer/vnpay.rs"]
mod vnpay;
#[path = "peer/webhook.rs"]
mod webhook;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr = args.get(2).cloned().unwrap_or_else(|| "127.0.0.1:0".into());
    let app = match args.get(1).map(String::as_str) {
        Some("npsp") => npsp_app(),
        Some("vnpay") => vnpay::app(),
        Some("paygov") => paygov::app(),
        Some("sms") => sms::app(),
        Some("emc") => emc::app(),
        Some("post") => postal::app(),
        Some("remotesign") => remotesign::app(),
        Some("webhook") => webhook::app(),
        _ => {
            eprintln!("usage: peer npsp|vnpay|paygov|sms|emc|post|remotesign|webhook [ADDR]");
            std::process::exit(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("bind {addr}: {e}");
            std::process::exit(1);
        }
    };
    // The test reads this line to learn the port.
    if let Ok(a) = listener.local_addr() {
        println!("listening on {a}");
    }
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("peer: {e}");
        std::process::exit(1);
    }
}

fn npsp_app() -> Router {
    let peer = Arc::new(Peer {
        state: Mutex::new(Npsp::default()),
        username: env_or("PEER_NPSP_USERNAME", "portal"),
        password: env_or("PEER_NPSP_PASSWORD", "portal-secret"),
        dstcode: env_or("PEER_NPSP_DSTCODE", "000.00.00.H48"),
    });
    Router::new()
        .route("/auth", post(login))
        .route("/integration", post(integration))
        .route("/_peer/state", get(state))
        .route("/_peer/fail/{service}/{n}", post(fail))
        .route("/_peer/delay/{ms}", post(delay))
        .route("/_peer/expire", post(expire))
        .with_state(peer)
}

fn lock(p: &Peer) -> std::sync::MutexGuard<'_, Npsp> {
    p.state.lock().unwrap_or_else(|e| e.into_inner())
}

fn reply(v: Value) -> Response {
    ([("content-type", "application/json")], v.to_string()).into_response()
}

fn refuse(message: &str) -> Response {
    reply(json!({ "error_code": 1, "message": message }))
}

/// Counts the call, applies an injected failure and the delay.
async fn enter(p: &Peer, service: &str) -> Option<Response> {
    let wait = {
        let mut s = lock(p);
        *s.calls.entry(service.to_owned()).or_default() += 1;
        if let Some(n) = s.fail.get_mut(service).filter(|n| **n > 0) {
            *n -= 1;
            return Some((StatusCode::SERVICE_UNAVAILABLE, "injected failure").into_response());
        }
        s.delay_ms
    };
    if wait > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    }
    None
}

fn body_json(body: &str) -> Option<Value> {
    serde_json::from_str(body).ok()
}

fn not_json() -> Response {
    (StatusCode::BAD_REQUEST, "body is not JSON").into_response()
}

fn dst_ok(p: &Peer, h: &HeaderMap) -> bool {
    h.get("dstcode").and_then(|v| v.to_str().ok()) == Some(p.dstcode.as_str())
}

async fn login(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    if let Some(r) = enter(&p, "login").await {
        return r;
    }
    let Some(v) = body_json(&body) else {
        return not_json();
    };
    if !dst_ok(&p, &h) {
        return refuse("dstcode không đúng");
    }
    let user = v.get("username").and_then(Value::as_str);
    let pass = v.get("password").and_then(Value::as_str);
    if user != Some(p.username.as_str()) || pass != Some(p.password.as_str()) {
        return refuse("Sai tên đăng nhập hoặc mật khẩu");
    }
    let mut s = lock(&p);
    s.seq += 1;
    s.logins += 1;
    let session = format!("phien-{}-{}", std::process::id(), s.seq);
    s.sessions.insert(session.clone());
    reply(json!({ "error_code": 0, "session": session }))
}

/// `yyyyMMddHHmmss`, or empty where the field is optional.
fn is_time(v: Option<&Value>, required: bool) -> bool {
    match v.and_then(Value::as_str) {
        Some("") | None => !required,
        Some(s) => s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()),
    }
}

fn is_status(v: Option<&Value>) -> bool {
    v.and_then(Value::as_str)
        .and_then(|s| s.parse::<u32>().ok())
        .is_some_and(|n| (1..=10).contains(&n))
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

async fn integration(State(p): State<Shared>, h: HeaderMap, body: String) -> Response {
    let Some(v) = body_json(&body) else {
        return not_json();
    };
    let service = text(&v, "service").to_owned();
    if let Some(r) = enter(&p, &service).await {
        return r;
    }
    if !dst_ok(&p, &h) {
        return refuse("dstcode không đúng");
    }
    let mut s = lock(&p);
    if !s.sessions.contains(text(&v, "session")) {
        return refuse("Phiên làm việc không hợp lệ hoặc đã hết hạn");
    }
    if text(&v, "madonvi").is_empty() {
        return refuse("Thiếu madonvi");
    }
    let data: Vec<Value> = v
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    match service.as_str() {
        "TraCuuHoSo" => {
            let code = text(&v, "mahoso");
            let result: Vec<Value> = s.dossiers.get(code).cloned().into_iter().collect();
            reply(json!({ "error_code": 0, "result": result }))
        }
        "DongBoHoSoMC" => {
            let updating = match text(&v, "isUpdating") {
                "True" => true,
                "False" => false,
                _ => return refuse("isUpdating phải là \"True\" hoặc \"False\""),
            };
            if data.is_empty() {
                return refuse("Thiếu data");
            }
            for d in &data {
                let code = text(d, "MaHoSo");
                if code.is_empty() || text(d, "MaTTHC").is_empty() {
                    return refuse("Thiếu MaHoSo hoặc MaTTHC");
                }
                if !is_status(d.get("TrangThaiHoSo")) {
                    return refuse("TrangThaiHoSo không hợp lệ");
                }
                let times_ok = is_time(d.get("NgayTiepNhan"), true)
                    && ["NgayHenTra", "NgayTra", "NgayKetThucXuLy"]
                        .iter()
                        .all(|k| is_time(d.get(*k), false));
                if !times_ok {
                    return refuse("Ngày phải theo định dạng yyyyMMddHHmmss");
                }
                // Files come as links the portal fetches (spec/protocols.md §1.3).
                let links_ok = [
                    ("TaiLieuNop", "TenTepDinhKem", "DuongDanTaiTepTin"),
                    ("DanhSachGiayToKetQua", "TenGiayTo", "DuongDanTepTinKetQua"),
                ]
                .iter()
                .all(|(list, name, url)| {
                    d.get(*list).and_then(Value::as_array).is_none_or(|a| {
                        a.iter().all(|f| {
                            !text(f, name).is_empty()
                                && (text(f, url).starts_with("http://")
                                    || text(f, url).starts_with("https://"))
                        })
                    })
                });
                if !links_ok {
                    return refuse("Tệp đính kèm thiếu tên hoặc đường dẫn tải");
                }
                match (updating, s.dossiers.contains_key(code)) {
                    (false, true) => return refuse("Hồ sơ đã tồn tại"),
                    (true, false) => return refuse("Không tìm thấy hồ sơ để cập nhật"),
                    _ => {}
                }
            }
            for d in data {
                s.dossiers.insert(text(&d, "MaHoSo").to_owned(), d);
            }
            reply(json!({ "error_code": 0 }))
        }
        "CapNhatTienDoHoSoMC" => {
            if data.is_empty() {
                return refuse("Thiếu data");
            }
            for d in &data {
                if !s.dossiers.contains_key(text(d, "MaHoSo")) {
                    return refuse("Không tìm thấy hồ sơ");
                }
                if !is_time(d.get("ThoiDiemXuLy"), true) || !is_status(d.get("TrangThai")) {
                    return refuse("ThoiDiemXuLy hoặc TrangThai không hợp lệ");
                }
            }
            for d in data {
                let list = s.progress.entry(text(&d, "MaHoSo").to_owned()).or_default();
                let same = |x: &Value| {
                    text(x, "ThoiDiemXuLy") == text(&d, "ThoiDiemXuLy")
                        && text(x, "TrangThai") == text(&d, "TrangThai")
                        && text(x, "NoiDungXuLy") == text(&d, "NoiDungXuLy")
                };
                if !list.iter().any(same) {
                    list.push(d);
                }
            }
            reply(json!({ "error_code": 0 }))
        }
        other => refuse(&format!("Dịch vụ {other} không được hỗ trợ")),
    }
}

async fn state(State(p): State<Shared>) -> Response {
    let s = lock(&p);
    reply(json!({
        "logins": s.logins,
        "dossiers": s.dossiers,
        "progress": s.progress,
        "calls": s.calls,
    }))
}

async fn fail(State(p): State<Shared>, Path((service, n)): Path<(String, u32)>) -> Response {
    lock(&p).fail.insert(service, n);
    StatusCode::NO_CONTENT.into_response()
}

async fn delay(State(p): State<Shared>, Path(ms): Path<u64>) -> Response {
    lock(&p).delay_ms = ms;
    StatusCode::NO_CONTENT.into_response()
}

async fn expire(State(p): State<Shared>) -> Response {
    lock(&p).sessions.clear();
    StatusCode::NO_CONTENT.into_response()
}
