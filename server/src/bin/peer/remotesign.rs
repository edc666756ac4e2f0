//! `peer remotesign`: a remote-signing CA simulator speaking the SmartCA "SP769" shape that
//! `app::server::remotesign` documents (spec/protocols.md §3.3 (c)), under `/sca/sp769`.
//!
//! Signers come from the directory `PEER_SIGN_USERS`: for each citizen ID `N`, `N.key.pem`
//! (an RSA private key, PKCS#8 PEM) and `N.crt.pem` (its certificate); `ca.pem`, when present,
//! is sent as `chain_data.ca_cert`. With `PEER_SIGN_ENROL=1` and the CA's `ca.key` there too,
//! a citizen ID asked for the first time is enrolled: a key and a certificate are issued with
//! the `openssl` command (the browser tests register new citizens). The service provider's
//! credentials are `PEER_SIGN_SP_ID` /
//! `PEER_SIGN_SP_PASSWORD` (default `portal-sp` / `sp-secret`).
//! - `get_certificate` answers the signer's certificate, or an empty list for an unknown ID.
//! - `sign` checks the credentials, the serial number and the 64-hex-digit digest, and opens a
//!   transaction that waits for the signer (expires in `PEER_SIGN_WINDOW` seconds, default 300).
//! - `status` answers `signatures: null` while waiting, the PKCS#1 v1.5 signature of the
//!   digest once confirmed, and `status_code` 410 with `REJECTED` or `EXPIRED` otherwise.
//!
//! Test controls, standing in for the signer's phone: `POST /_peer/confirm/{tid}`,
//! `/_peer/reject/{tid}`, `/_peer/forge/{tid}` (confirms with a signature over another digest, a
//! CA answering wrongly); `{tid}` may be `latest`. `POST /_peer/auto/{0|1}` confirms every new
//! transaction at once (demonstrations); `POST /_peer/fail/{n}` makes the next n calls answer
//! 503; `GET /_peer/state` lists transactions and counts calls.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::{json, Value};

/// DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

#[derive(Clone, PartialEq)]
enum TxState {
    Waiting,
    Confirmed(Vec<u8>),
    Rejected,
}

struct Tx {
    id: String,
    user: String,
    digest: Vec<u8>,
    doc_id: String,
    state: TxState,
    expires: std::time::Instant,
}

#[derive(Default)]
struct Ca {
    txs: Vec<Tx>,
    calls: HashMap<String, u64>,
    fail: u32,
    auto: bool,
    seq: u64,
}

struct Peer {
    ca: Mutex<Ca>,
    sp_id: String,
    sp_password: String,
    users: PathBuf,
    window: u64,
    enrol: bool,
}

type Shared = Arc<Peer>;

pub fn app() -> Router {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let peer = Arc::new(Peer {
        ca: Mutex::new(Ca::default()),
        sp_id: env("PEER_SIGN_SP_ID", "portal-sp"),
        sp_password: env("PEER_SIGN_SP_PASSWORD", "sp-secret"),
        users: PathBuf::from(env("PEER_SIGN_USERS", "signers")),
        window: env("PEER_SIGN_WINDOW", "300").parse().unwrap_or(300),
        enrol: env("PEER_SIGN_ENROL", "0") == "1",
    });
    Router::new()
        .route(
            "/sca/sp769/v1/credentials/get_certificate",
            post(certificate),
        )
        .route("/sca/sp769/v1/signatures/sign", post(sign))
        .route("/sca/sp769/v1/signatures/sign/{tid}/status", post(status))
        .route("/_peer/confirm/{tid}", post(confirm))
        .route("/_peer/reject/{tid}", post(reject))
        .route("/_peer/forge/{tid}", post(forge))
        .route("/_peer/auto/{on}", post(auto))
        .route("/_peer/fail/{n}", post(fail))
        .route("/_peer/state", get(state))
        .with_state(peer)
}

fn lock(p: &Peer) -> std::sync::MutexGuard<'_, Ca> {
    p.ca.lock().unwrap_or_else(|e| e.into_inner())
}

fn answer(v: Value) -> Response {
    ([("content-type", "application/json")], v.to_string()).into_response()
}

fn refuse(code: u16, message: &str) -> Response {
    answer(json!({ "status_code": code, "message": message, "data": null }))
}

/// Counts the call and applies an injected failure.
fn enter(p: &Peer, op: &str) -> Option<Response> {
    let mut c = lock(p);
    *c.calls.entry(op.to_owned()).or_default() += 1;
    if c.fail > 0 {
        c.fail -= 1;
        return Some((StatusCode::SERVICE_UNAVAILABLE, "injected failure").into_response());
    }
    None
}

/// The request's JSON, if the service provider's credentials are right.
fn authorised(p: &Peer, body: &str) -> Result<Value, Box<Response>> {
    let v: Value = serde_json::from_str(body)
        .map_err(|_| Box::new((StatusCode::BAD_REQUEST, "body is not JSON").into_response()))?;
    if v["sp_id"].as_str() != Some(p.sp_id.as_str())
        || v["sp_password"].as_str() != Some(p.sp_password.as_str())
    {
        return Err(Box::new(refuse(401, "Invalid sp_id or sp_password")));
    }
    Ok(v)
}

/// A citizen ID (12 digits, 9 for the old identity card) or an organisation's tax code (10
/// digits, 13 with a branch: `0401234567-001`); anything else never names a file.
fn user_files(p: &Peer, user: &str) -> Option<(PathBuf, PathBuf)> {
    if !(9..=14).contains(&user.len())
        || !user.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        || user.starts_with('-')
    {
        return None;
    }
    let key = p.users.join(format!("{user}.key.pem"));
    let crt = p.users.join(format!("{user}.crt.pem"));
    if p.enrol && !(key.exists() && crt.exists()) {
        enrol(&p.users, user);
    }
    (key.exists() && crt.exists()).then_some((key, crt))
}

/// Issues a certificate for `user` with the directory's `ca.key` / `ca.pem` (the `openssl`
/// command, as the test PKI is made), as if the citizen had registered with the CA.
fn enrol(dir: &std::path::Path, user: &str) {
    let run = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let (key, csr, crt) = (
        format!("{user}.key.pem"),
        format!("{user}.csr"),
        format!("{user}.crt.pem"),
    );
    let subject = format!("/CN=Công dân {user}/serialNumber=CCCD:{user}");
    let _ = run(&[
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-utf8", "-subj",
        &subject,
    ]) && run(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        &crt,
        "-days",
        "365",
    ]);
}

/// The first certificate of a PEM file, DER.
fn pem_der(path: &std::path::Path) -> Option<Vec<u8>> {
    let pem = std::fs::read(path).ok()?;
    app::server::sign::roots_from_pem(&pem).into_iter().next()
}

/// The certificate's serial number, lower-case hex.
fn serial_of(der: &[u8]) -> String {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, c)| {
            c.tbs_certificate
                .raw_serial()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .unwrap_or_default()
}

async fn certificate(State(p): State<Shared>, body: String) -> Response {
    if let Some(r) = enter(&p, "get_certificate") {
        return r;
    }
    let v = match authorised(&p, &body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let user = v["user_id"].as_str().unwrap_or_default();
    let Some((_, crt)) = user_files(&p, user) else {
        return answer(json!({ "status_code": 200, "message": "success",
            "data": { "user_certificates": [] } }));
    };
    let Some(der) = pem_der(&crt) else {
        return refuse(500, "certificate store unreadable");
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let ca = pem_der(&p.users.join("ca.pem")).map(|d| b64.encode(d));
    answer(json!({
        "status_code": 200,
        "message": "success",
        "data": { "user_certificates": [{
            "cert_id": format!("cert-{user}"),
            "cert_data": b64.encode(&der),
            "serial_number": serial_of(&der),
            "cert_status_code": "VALID",
            "chain_data": { "ca_cert": ca },
        }] }
    }))
}

fn signature(p: &Peer, user: &str, digest: &[u8]) -> Option<Vec<u8>> {
    let (key, _) = user_files(p, user)?;
    let pem = std::fs::read_to_string(key).ok()?;
    let key = RsaPrivateKey::from_pkcs8_pem(&pem).ok()?;
    let mut info = SHA256_PREFIX.to_vec();
    info.extend_from_slice(digest);
    key.sign(Pkcs1v15Sign::new_unprefixed(), &info).ok()
}

async fn sign(State(p): State<Shared>, body: String) -> Response {
    if let Some(r) = enter(&p, "sign") {
        return r;
    }
    let v = match authorised(&p, &body) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let user = v["user_id"].as_str().unwrap_or_default().to_owned();
    let Some((_, crt)) = user_files(&p, &user) else {
        return refuse(404, "Unknown user_id");
    };
    let serial = pem_der(&crt).map(|d| serial_of(&d)).unwrap_or_default();
    if v["serial_number"].as_str() != Some(serial.as_str()) {
        return refuse(400, "serial_number does not match the user's certificate");
    }
    let time = v["time_stamp"].as_str().unwrap_or_default();
    if time.len() != 14 || !time.bytes().all(|b| b.is_ascii_digit()) {
        return refuse(400, "time_stamp must be yyyyMMddHHmmss");
    }
    let files = v["sign_files"].as_array().cloned().unwrap_or_default();
    let [file] = files.as_slice() else {
        return refuse(400, "sign_files must hold one file");
    };
    let hex = file["data_to_be_signed"].as_str().unwrap_or_default();
    let digest: Option<Vec<u8>> = (hex.len() == 64)
        .then(|| {
            (0..32)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
                .collect()
        })
        .flatten();
    let Some(digest) = digest else {
        return refuse(400, "data_to_be_signed must be a hex SHA-256 digest");
    };
    if file["sign_type"].as_str() != Some("hash") {
        return refuse(400, "sign_type must be hash");
    }
    let auto_sig = signature(&p, &user, &digest);
    let mut c = lock(&p);
    c.seq += 1;
    let id = format!("SCA{:06}", c.seq);
    let state = match (c.auto, auto_sig) {
        (true, Some(sig)) => TxState::Confirmed(sig),
        _ => TxState::Waiting,
    };
    c.txs.push(Tx {
        id: id.clone(),
        user,
        digest,
        doc_id: file["doc_id"].as_str().unwrap_or_default().to_owned(),
        state,
        expires: std::time::Instant::now() + std::time::Duration::from_secs(p.window),
    });
    answer(json!({
        "status_code": 200,
        "message": "success",
        "data": { "transaction_id": id, "tran_code": id, "expired_in": p.window },
    }))
}

async fn status(State(p): State<Shared>, Path(tid): Path<String>) -> Response {
    if let Some(r) = enter(&p, "status") {
        return r;
    }
    let c = lock(&p);
    let Some(t) = c.txs.iter().find(|t| t.id == tid) else {
        return refuse(404, "Transaction not found");
    };
    match &t.state {
        TxState::Confirmed(sig) => answer(json!({
            "status_code": 200,
            "message": "SUCCESS",
            "data": { "transaction_id": t.id, "signatures": [{
                "doc_id": t.doc_id,
                "signature_value": base64::engine::general_purpose::STANDARD.encode(sig),
            }] },
        })),
        TxState::Rejected => refuse(410, "REJECTED"),
        TxState::Waiting if std::time::Instant::now() > t.expires => refuse(410, "EXPIRED"),
        TxState::Waiting => answer(json!({
            "status_code": 200,
            "message": "WAITING_FOR_SIGNER_CONFIRM",
            "data": { "transaction_id": t.id, "signatures": null },
        })),
    }
}

/// The signer's answer on their phone: sign what was asked (or, forging, something else).
fn decide(p: &Peer, tid: &str, verdict: &str) -> Response {
    let (id, user, mut digest) = {
        let c = lock(p);
        let found = if tid == "latest" {
            c.txs.iter().rev().find(|t| t.state == TxState::Waiting)
        } else {
            c.txs.iter().find(|t| t.id == tid)
        };
        let Some(t) = found.filter(|t| t.state == TxState::Waiting) else {
            return (StatusCode::NOT_FOUND, "no such waiting transaction").into_response();
        };
        (t.id.clone(), t.user.clone(), t.digest.clone())
    };
    let new = match verdict {
        "reject" => TxState::Rejected,
        _ => {
            if verdict == "forge" {
                digest[0] ^= 0xff;
            }
            match signature(p, &user, &digest) {
                Some(sig) => TxState::Confirmed(sig),
                None => {
                    return (StatusCode::INTERNAL_SERVER_ERROR, "signer key unreadable")
                        .into_response()
                }
            }
        }
    };
    if let Some(t) = lock(p).txs.iter_mut().find(|t| t.id == id) {
        t.state = new;
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn confirm(State(p): State<Shared>, Path(tid): Path<String>) -> Response {
    decide(&p, &tid, "confirm")
}

async fn reject(State(p): State<Shared>, Path(tid): Path<String>) -> Response {
    decide(&p, &tid, "reject")
}

async fn forge(State(p): State<Shared>, Path(tid): Path<String>) -> Response {
    decide(&p, &tid, "forge")
}

async fn auto(State(p): State<Shared>, Path(on): Path<u8>) -> Response {
    lock(&p).auto = on == 1;
    StatusCode::NO_CONTENT.into_response()
}

async fn fail(State(p): State<Shared>, Path(n): Path<u32>) -> Response {
    lock(&p).fail = n;
    StatusCode::NO_CONTENT.into_response()
}

async fn state(State(p): State<Shared>) -> Response {
    let c = lock(&p);
    let txs: Vec<Value> = c
        .txs
        .iter()
        .map(|t| {
            let state = match t.state {
                TxState::Waiting => "waiting",
                TxState::Confirmed(_) => "confirmed",
                TxState::Rejected => "rejected",
            };
            json!({ "id": t.id, "user": t.user, "doc_id": t.doc_id, "state": state })
        })
        .collect();
    answer(json!({ "transactions": txs, "calls": c.calls }))
}
