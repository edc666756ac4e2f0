//! National Public Service Portal adapter (B-m): pushes each dossier and every change of its
//! processing to the NPSP the way provincial systems do (spec/protocols.md §1, as OpenCPS
//! implements it): log in for a session (kept 10 minutes), look the dossier up (`TraCuuHoSo`),
//! create or update it (`DongBoHoSoMC` with `isUpdating`), then add the processing step
//! (`CapNhatTienDoHoSoMC`). Every call is a JSON POST with the `dstcode` header, and every
//! call is written to the integration log.
//!
//! Delivery is at least once, so each step is idempotent at the receiver: the dossier object
//! is built from the dossier as it is *now* (a late redelivery cannot move the portal back to
//! an older status), and a progress entry is identified by the dossier code, its time and its
//! status, which the NPSP keeps once.
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{json, Value};

use entity::{agency, dossier, dossier_event, procedure, user_account};

use super::outbox::{self, Exchange};
use super::Services;
use crate::domain::calendar::Day;
use crate::error::AppError;

/// The outbox topic of dossier changes for the NPSP.
pub const TOPIC: &str = "npsp.dossier";
/// OpenCPS keeps an NPSP session 10 minutes.
const SESSION_TTL: Duration = Duration::from_secs(600);
/// OpenCPS's read timeout.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where the NPSP adapter is and how this agency signs in; from `PORTAL_NPSP_*`.
#[derive(Clone, Debug)]
pub struct NpspConfig {
    /// `adapter_url`: base address of the NPSP adapter.
    pub url: String,
    pub auth_endpoint: String,
    pub integration_endpoint: String,
    pub username: String,
    pub password: String,
    /// Destination code sent in the `dstcode` header.
    pub dstcode: String,
    /// The agency's code on the NPSP (`madonvi`).
    pub madonvi: String,
}

impl NpspConfig {
    /// None when `PORTAL_NPSP_URL` is not set; an error names a missing companion setting.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(url) = env("PORTAL_NPSP_URL") else {
            return Ok(None);
        };
        let need = |k: &str| env(k).ok_or_else(|| format!("{k} must be set with PORTAL_NPSP_URL"));
        Ok(Some(Self {
            url: url.trim_end_matches('/').to_owned(),
            auth_endpoint: env("PORTAL_NPSP_AUTH_ENDPOINT").unwrap_or_else(|| "/auth".into()),
            integration_endpoint: env("PORTAL_NPSP_INTEGRATION_ENDPOINT")
                .unwrap_or_else(|| "/integration".into()),
            username: need("PORTAL_NPSP_USERNAME")?,
            password: need("PORTAL_NPSP_PASSWORD")?,
            dstcode: need("PORTAL_NPSP_DSTCODE")?,
            madonvi: need("PORTAL_NPSP_MADONVI")?,
        }))
    }
}

/// An HTTP client for calls to other systems. The TLS backend is rustls with ring (the one
/// lettre already brings); installing it for the process is idempotent. Redirects are never
/// followed: a partner's endpoint answers itself, and a redirect to elsewhere (an internal
/// address, say) would be a server-side request forgery (the openidconnect crate's advice).
pub fn http_client(timeout: Duration) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}

/// `yyyyMMddHHmmss` in Vietnam time (UTC+7), the NPSP's date format.
pub fn portal_time(secs: i64) -> String {
    let local = secs + 7 * 3600;
    let (y, m, d) = Day::from_unix(local).ymd();
    let r = local.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        r / 3600,
        (r % 3600) / 60,
        r % 60
    )
}

/// A due date (ISO day) as the NPSP time of the end of that working day (17:00).
fn due_time(iso: &str) -> Option<String> {
    Day::parse_iso(iso).map(|d| {
        let (y, m, dd) = d.ymd();
        format!("{y:04}{m:02}{dd:02}170000")
    })
}

/// `error_code` is 0 on success; older adapters send the string "00".
fn succeeded(reply: &Value) -> bool {
    match reply.get("error_code") {
        Some(Value::Number(n)) => n.as_i64() == Some(0),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok() == Some(0),
        _ => false,
    }
}

pub struct Npsp {
    cfg: NpspConfig,
    http: reqwest::Client,
    session: tokio::sync::Mutex<Option<(String, Instant)>>,
}

impl Npsp {
    pub fn new(cfg: NpspConfig) -> Result<Self, String> {
        let http = http_client(TIMEOUT).map_err(|e| format!("NPSP HTTP client: {e}"))?;
        Ok(Self {
            cfg,
            http,
            session: tokio::sync::Mutex::new(None),
        })
    }

    /// For the integrations page: where this instance sends, never the credentials.
    pub fn describe(&self) -> String {
        format!(
            "Cổng DVC quốc gia / NPSP: {} (madonvi {}, dstcode {})",
            self.cfg.url, self.cfg.madonvi, self.cfg.dstcode
        )
    }

    /// One JSON POST, logged. Returns the parsed reply of a 2xx answer.
    async fn post(
        &self,
        svc: &Services,
        path: &str,
        operation: &str,
        subject: Option<&str>,
        body: &Value,
    ) -> Result<Value, String> {
        let started = Instant::now();
        let request = body.to_string();
        let sent = self
            .http
            .post(format!("{}{}", self.cfg.url, path))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("Charset", "utf-8")
            .header("dstcode", &self.cfg.dstcode)
            .body(request.clone())
            .send()
            .await;
        let (status, text) = match sent {
            Ok(r) => {
                let status = r.status().as_u16();
                (Some(status), r.text().await.unwrap_or_default())
            }
            Err(e) => (None, format!("{e}")),
        };
        let reply: Option<Value> = serde_json::from_str(&text).ok();
        let ok = status.is_some_and(|s| (200..300).contains(&s))
            && reply.as_ref().is_some_and(succeeded);
        outbox::log(
            svc,
            Exchange {
                system: "npsp",
                direction: "out",
                operation,
                subject,
                ok,
                http_status: status,
                duration_ms: started.elapsed().as_millis(),
                request: &request,
                response: &text,
            },
        )
        .await;
        match (status, reply) {
            (Some(s), Some(v)) if (200..300).contains(&s) => Ok(v),
            (Some(s), _) => Err(format!("{operation}: HTTP {s}")),
            (None, _) => Err(format!("{operation}: {text}")),
        }
    }

    /// The current session, logging in when there is none or it is older than 10 minutes.
    async fn session(&self, svc: &Services) -> Result<String, String> {
        let mut held = self.session.lock().await;
        if let Some((s, at)) = held.as_ref() {
            if at.elapsed() < SESSION_TTL {
                return Ok(s.clone());
            }
        }
        let body = json!({ "username": self.cfg.username, "password": self.cfg.password });
        let reply = self
            .post(svc, &self.cfg.auth_endpoint, "login", None, &body)
            .await?;
        let session = reply
            .get("session")
            .and_then(Value::as_str)
            .filter(|s| succeeded(&reply) && !s.is_empty())
            .ok_or_else(|| "login refused".to_owned())?
            .to_owned();
        *held = Some((session.clone(), Instant::now()));
        Ok(session)
    }

    /// One business call in the NPSP envelope. A refusal drops the session, so the next
    /// attempt signs in again (the NPSP may have ended it early, e.g. after a restart).
    async fn call(
        &self,
        svc: &Services,
        service: &str,
        subject: &str,
        params: Value,
    ) -> Result<Value, String> {
        let session = self.session(svc).await?;
        let mut body = json!({
            "session": session,
            "madonvi": self.cfg.madonvi,
            "service": service,
        });
        if let (Some(b), Value::Object(p)) = (body.as_object_mut(), params) {
            b.extend(p);
        }
        let reply = self
            .post(
                svc,
                &self.cfg.integration_endpoint,
                service,
                Some(subject),
                &body,
            )
            .await?;
        if succeeded(&reply) {
            Ok(reply)
        } else {
            *self.session.lock().await = None;
            let why = reply
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message");
            Err(format!(
                "{service} refused: error_code {}: {why}",
                reply.get("error_code").cloned().unwrap_or(Value::Null)
            ))
        }
    }

    /// Delivers one queued dossier change (`{"dossier": id, "event": id}`).
    pub async fn deliver(&self, svc: &Services, payload: &Value) -> Result<(), String> {
        let id = |k: &str| {
            payload
                .get(k)
                .and_then(Value::as_i64)
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| format!("payload without {k}"))
        };
        let (dossier_id, event_id) = (id("dossier")?, id("event")?);
        let (mut obj, progress, code) = build(&svc.db, dossier_id, event_id)
            .await
            .map_err(|e| format!("reading dossier {dossier_id}: {e}"))?;
        attach_links(svc, &mut obj, dossier_id)
            .await
            .map_err(|e| format!("reading files of dossier {dossier_id}: {e}"))?;
        let found = self
            .call(svc, "TraCuuHoSo", &code, json!({ "mahoso": code }))
            .await?;
        let exists = found
            .get("result")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty());
        self.call(
            svc,
            "DongBoHoSoMC",
            &code,
            json!({
                "isUpdating": if exists { "True" } else { "False" },
                "data": [obj],
            }),
        )
        .await?;
        self.call(
            svc,
            "CapNhatTienDoHoSoMC",
            &code,
            json!({ "data": [progress] }),
        )
        .await?;
        Ok(())
    }
}

/// How long a file link given to the NPSP stays valid at least (to the end of the day, and
/// then this): long enough for its retries and its
/// own queue, short enough that a leaked payload does not open the files for good.
pub const FILE_LINK_SECS: i64 = 7 * 86_400;

/// The path of a file link: `/lien-thong/tep/{id}/{expires}/{signature}`. The NPSP fetches
/// submitted and result files from the URL it is given (`DuongDanTaiTepTin`,
/// `DuongDanTepTinKetQua`, spec/protocols.md §1.3) without a session, so the link itself is
/// the credential: a keyed MAC of the file and the expiry, checked in constant time.
pub fn file_link(svc: &Services, file_id: i32, now: i64) -> String {
    // The expiry is whole days, so every delivery of one day sends the same link and a
    // redelivered dossier object is the same object.
    let exp = (now.div_euclid(86_400) + 1) * 86_400 + FILE_LINK_SECS;
    format!(
        "{}/lien-thong/tep/{file_id}/{exp}/{}",
        svc.auth.public_url,
        link_mac(svc, file_id, exp)
    )
}

fn link_mac(svc: &Services, file_id: i32, exp: i64) -> String {
    let mut mac = svc
        .auth
        .cipher
        .blind_index("npsp_file_link", &format!("{file_id}:{exp}"));
    mac.truncate(32);
    mac
}

/// Whether a file link is genuine and not expired.
pub fn link_ok(svc: &Services, file_id: i32, exp: i64, sig: &str, now: i64) -> bool {
    exp >= now
        && exp <= now + FILE_LINK_SECS + 86_400
        && super::auth::crypto::constant_time_eq(
            sig.as_bytes(),
            link_mac(svc, file_id, exp).as_bytes(),
        )
}

/// Fills `TaiLieuNop` (current submitted files) and `DanhSachGiayToKetQua` (results) with
/// links the NPSP can fetch, built at delivery so they are fresh whenever it is retried.
async fn attach_links(svc: &Services, obj: &mut Value, dossier_id: i32) -> Result<(), AppError> {
    use entity::dossier_file;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let files = dossier_file::Entity::find()
        .filter(dossier_file::Column::DossierId.eq(dossier_id))
        .filter(dossier_file::Column::SupersededAt.is_null())
        .order_by_asc(dossier_file::Column::Id)
        .all(&svc.db)
        .await?;
    let t = super::auth::now();
    let (mut inputs, mut results) = (Vec::new(), Vec::new());
    for f in files {
        let url = file_link(svc, f.id, t);
        match f.kind.as_str() {
            "input" => inputs.push(json!({
                "TenTepDinhKem": f.file_name,
                "MaThanhPhanHoSo": f.slot,
                "TepDinhKemId": f.id.to_string(),
                "DuongDanTaiTepTin": url,
                "IsDeleted": "False",
            })),
            "result" => results.push(json!({
                "TenGiayTo": f.file_name,
                "MaThanhPhanHoSo": f.slot,
                "GiayToId": f.id.to_string(),
                "DuongDanTepTinKetQua": url,
            })),
            _ => {}
        }
    }
    obj["TaiLieuNop"] = Value::Array(inputs);
    obj["DanhSachGiayToKetQua"] = Value::Array(results);
    Ok(())
}

/// A file by its link, for the NPSP: its name, type and bytes; `None` when the link is not
/// genuine, has expired or the file is gone.
pub async fn linked_file(
    svc: &Services,
    file_id: i32,
    exp: i64,
    sig: &str,
) -> Result<Option<(String, String, Vec<u8>)>, AppError> {
    if !link_ok(svc, file_id, exp, sig, super::auth::now()) {
        return Ok(None);
    }
    let Some(f) = entity::dossier_file::Entity::find_by_id(file_id)
        .one(&svc.db)
        .await?
    else {
        return Ok(None);
    };
    let bytes = svc
        .storage
        .read(&f.sha256)
        .await
        .map_err(crate::error::internal)?;
    Ok(Some((f.file_name, f.content_type, bytes)))
}

/// The rows an outbound event message is built from: the dossier as it is now, the event, the
/// procedure, and the dossier code (a dossier without one was never submitted: not found).
pub(crate) async fn event_rows(
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<
    (
        dossier::Model,
        dossier_event::Model,
        procedure::Model,
        String,
    ),
    AppError,
> {
    let d = dossier::Entity::find_by_id(dossier_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = d.code.clone().ok_or(AppError::NotFound)?;
    let e = dossier_event::Entity::find_by_id(event_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let p = procedure::Entity::find_by_id(d.procedure_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((d, e, p, code))
}

/// The `DongBoHoSoMC` dossier object (spec/protocols.md §1.3) and the `CapNhatTienDoHoSoMC`
/// progress object (§1.4) of one event. Local status codes are the national ones (1–10).
async fn build(
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<(Value, Value, String), AppError> {
    let (d, e, p, code) = event_rows(db, dossier_id, event_id).await?;
    let unit = agency::Entity::find_by_id(d.unit_id.unwrap_or(d.agency_id))
        .one(db)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let actor = match e.actor_id {
        Some(a) => user_account::Entity::find_by_id(a)
            .one(db)
            .await?
            .map(|u| u.full_name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let finished = d.finished_at.map(portal_time).unwrap_or_default();
    let obj = json!({
        "MaHoSo": code,
        "MaTTHC": p.code,
        "TenTTHC": p.name,
        "ChuHoSo": d.applicant_name,
        // Organisations file through their members' accounts; the citizen type is the default.
        "LoaiDoiTuong": "1",
        "TrichYeuHoSo": p.name.chars().take(1000).collect::<String>(),
        "NgayTiepNhan": d.submitted_at.map(portal_time).unwrap_or_default(),
        "NgayHenTra": d.due_date.as_deref().and_then(due_time).unwrap_or_default(),
        "TrangThaiHoSo": d.status.to_string(),
        "NgayTra": d.returned_at.map(portal_time).unwrap_or_default(),
        "NgayKetThucXuLy": finished,
        "HinhThuc": "0",
        "KenhThucHien": if matches!(d.channel.as_str(), "online" | "npsp") { "2" } else { "1" },
        "DonViXuLy": unit,
        "DanhSachLePhi": [],
        "DanhSachTepDinhKemKhac": [],
        "DanhSachHoSoBoSung": [],
        "TaiLieuNop": [],
        "DanhSachGiayToKetQua": [],
    });
    let progress = json!({
        "MaHoSo": code,
        "NguoiXuLy": actor,
        "ChucDanh": "",
        "ThoiDiemXuLy": portal_time(e.at),
        "PhongBanXuLy": unit,
        "NoiDungXuLy": e.note.clone().unwrap_or_else(|| e.action.clone()),
        "TrangThai": e.to_status.unwrap_or(d.status).to_string(),
        "NgayBatDau": "",
        "NgayKetThucTheoQuyDinh": "",
    });
    Ok((obj, progress, code))
}

/// Queues the dossier change of `event_id` for the NPSP, in the caller's transaction, when
/// this instance is connected to it.
pub async fn on_event(
    svc: &Services,
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<(), AppError> {
    if svc.integrations.npsp.is_none() {
        return Ok(());
    }
    outbox::enqueue(
        db,
        TOPIC,
        &format!("npsp:event:{event_id}"),
        &json!({ "dossier": dossier_id, "event": event_id }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_vietnam_local() {
        // 2026-12-02 01:30:05 UTC is 08:30:05 in Hanoi.
        assert_eq!(portal_time(1_796_175_005), "20261202083005");
        // 17:00 UTC is past midnight in Vietnam: the next day.
        assert_eq!(portal_time(1_796_144_400), "20261202000000");
        assert_eq!(due_time("2026-12-09").as_deref(), Some("20261209170000"));
        assert_eq!(due_time("9.12.2026"), None);
    }

    #[test]
    fn both_success_spellings_are_accepted() {
        assert!(succeeded(&json!({"error_code": 0})));
        assert!(succeeded(&json!({"error_code": "00"})));
        assert!(!succeeded(&json!({"error_code": 1})));
        assert!(!succeeded(&json!({"result": []})));
    }
}
