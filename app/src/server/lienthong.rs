//! Inter-agency transfer (liên thông, B-m): an officer sends a dossier (form data, current
//! documents and history) to another agency's instance of this system, and that agency's
//! answer (its result documents, or its refusal or stop with the reason) comes back onto the
//! dossier here.
//!
//! Both directions use the public API of the other instance, so nothing new is exposed:
//! - sending is `POST /api/v1/dossiers` in the NPSP's field names (`inbound`), with
//!   `KenhNop: "lienthong"`, the sending agency (`CoQuanGui`), the form (`DuLieuBieuMau`) and
//!   the history (`QuaTrinhXuLy`); the dossier keeps its code on both sides;
//! - answering is `POST /api/v1/dossiers/{code}/outcome` ([`receive_outcome`]) when the
//!   receiving side's dossier ends: processed with a result (9), refused (3) or stopped (8).
//!
//! The two agencies exchange API credentials (each registers the other as a partner with
//! `dossier:write`) and list each other in `PORTAL_LIENTHONG` ([`LienThong::from_env`]). Both
//! calls go through the transactional outbox, so a peer that is down gets the message when it
//! comes back; the receiver is idempotent on the dossier code and on the answer's event id.
use base64::Engine;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use serde::Deserialize;
use serde_json::{json, Value};

use entity::{agency, dossier, dossier_event, dossier_file, notification, procedure, transfer};

use super::api::{ApiError, Caller};
use super::auth::{field, invalid, now, RequestMeta};
use super::npsp::portal_time;
use super::outbox::{self, Exchange};
use super::Services;
use crate::domain::account::Principal;
use crate::domain::dossier::{action_label, Status};
use crate::domain::eform::{FileType, Kind, Values};
use crate::domain::workflow::TransferView;
use crate::error::{AppError, FieldError};
use crate::i18n::Lang;

pub const TOPIC: &str = "lienthong";
/// The channel of a dossier received from another agency.
pub const CHANNEL: &str = "lienthong";
/// History actions: sent to a peer; the peer's answer; received from a peer.
pub const SENT: &str = "lienthong_send";
pub const ANSWERED: &str = "lienthong_result";
pub const RECEIVED: &str = "receive_lienthong";
/// The statuses that end the receiving side's work and are reported back.
pub const OUTCOMES: [i32; 3] = [9, 3, 8];
/// Files one answer may carry.
const MAX_FILES: usize = 20;

/// Another agency's instance.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Peer {
    /// The agency's name, as officers see it.
    pub name: String,
    /// Its base address (`https://dvc.example.gov.vn`).
    pub url: String,
    /// The credentials it gave this instance.
    pub client_id: String,
    pub client_secret: String,
    /// Its receiving unit's code; without one the peer only sends here and gets answers.
    #[serde(default)]
    pub unit: Option<String>,
    /// The client id this instance gave the peer: its calls here are recognised by it.
    pub partner: String,
}

#[derive(Clone, Debug, Default)]
pub struct LienThong {
    pub peers: Vec<Peer>,
}

impl LienThong {
    /// `PORTAL_LIENTHONG`: a JSON array of peers, e.g. `[{"name":"Sở Tư pháp","url":
    /// "https://…","client_id":"…","client_secret":"…","unit":"000.00.12.H26","partner":"…"}]`.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(raw) = env("PORTAL_LIENTHONG").filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        let mut peers: Vec<Peer> =
            serde_json::from_str(&raw).map_err(|e| format!("PORTAL_LIENTHONG: {e}"))?;
        for (i, p) in peers.iter_mut().enumerate() {
            p.url = p.url.trim().trim_end_matches('/').to_owned();
            if p.name.trim().is_empty()
                || p.client_id.is_empty()
                || p.client_secret.is_empty()
                || p.partner.is_empty()
            {
                return Err(format!(
                    "PORTAL_LIENTHONG[{i}]: name, client_id, client_secret and partner are required"
                ));
            }
            if !(p.url.starts_with("https://") || p.url.starts_with("http://")) {
                return Err(format!("PORTAL_LIENTHONG[{i}]: url must be http(s)"));
            }
        }
        Ok(Some(Self { peers }))
    }

    fn by_name(&self, name: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.name == name)
    }

    fn by_partner(&self, partner: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.partner == partner)
    }

    /// The peers a dossier can be sent to, by index.
    pub fn targets(&self) -> Vec<(usize, String)> {
        self.peers
            .iter()
            .enumerate()
            .filter(|(_, p)| p.unit.is_some())
            .map(|(i, p)| (i, p.name.clone()))
            .collect()
    }
}

/// A dossier may go to another agency while it is being processed here, and not while an
/// earlier transfer waits for its answer.
async fn open_transfer(
    db: &impl ConnectionTrait,
    dossier_id: i32,
) -> Result<Option<transfer::Model>, sea_orm::DbErr> {
    transfer::Entity::find()
        .filter(transfer::Column::DossierId.eq(dossier_id))
        .filter(transfer::Column::OutcomeAt.is_null())
        .one(db)
        .await
}

fn sendable(d: &dossier::Model) -> bool {
    d.status == Status::Accepted.code() || d.status == Status::InProcess.code()
}

/// What the officer's page shows: the transfers of the dossier, and the peers it may be sent
/// to now (empty when it may not).
pub async fn view(
    svc: &Services,
    p: &Principal,
    d: &dossier::Model,
) -> Result<(Vec<TransferView>, Vec<(usize, String)>), AppError> {
    let rows = transfer::Entity::find()
        .filter(transfer::Column::DossierId.eq(d.id))
        .order_by_asc(transfer::Column::Id)
        .all(&svc.db)
        .await?;
    let open = rows.iter().any(|t| t.outcome_at.is_none());
    let targets = match &svc.integrations.lienthong {
        Some(cfg) if !open && sendable(d) && super::work::officer_roles(p, d).is_ok() => {
            cfg.targets()
        }
        _ => Vec::new(),
    };
    let views = rows
        .into_iter()
        .map(|t| TransferView {
            peer: t.peer,
            note: t.note,
            sent_at: t.sent_at,
            delivered_at: t.delivered_at,
            outcome: t.outcome_status.and_then(Status::from_code),
            outcome_note: t.outcome_note,
            outcome_at: t.outcome_at,
        })
        .collect();
    Ok((views, targets))
}

/// Officer: sends the dossier to peer number `peer`. The message is queued with the record
/// of it, so it leaves exactly when the transfer is recorded.
pub async fn send(
    svc: &Services,
    officer: &Principal,
    id: i32,
    peer: Option<usize>,
    note: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let d = super::dossier::handled_by(svc, officer, id).await?;
    super::work::officer_roles(officer, &d)?;
    let cfg = svc
        .integrations
        .lienthong
        .clone()
        .ok_or(AppError::NotFound)?;
    let Some(peer) = peer
        .and_then(|i| cfg.peers.get(i))
        .filter(|p| p.unit.is_some())
    else {
        return Err(invalid(
            "peer",
            "Chọn cơ quan nhận hồ sơ liên thông.",
            "Choose the agency to send the dossier to.",
        ));
    };
    let note = note.trim();
    if note.chars().count() > 2000 {
        return Err(invalid(
            "lt_note",
            "Ghi chú tối đa 2000 ký tự.",
            "The note has at most 2000 characters.",
        ));
    }
    if !sendable(&d) {
        return Err(invalid(
            "form",
            "Chỉ chuyển liên thông hồ sơ đã tiếp nhận và đang giải quyết.",
            "Only a dossier accepted and being processed can be sent to another agency.",
        ));
    }
    let t = now();
    let txn = svc.db.begin().await?;
    super::write_lock(&txn).await?;
    if open_transfer(&txn, d.id).await?.is_some() {
        return Err(invalid(
            "form",
            "Hồ sơ đang chờ kết quả liên thông từ cơ quan khác.",
            "The dossier is waiting for another agency's answer.",
        ));
    }
    let row = transfer::ActiveModel {
        dossier_id: Set(d.id),
        peer: Set(peer.name.clone()),
        partner: Set(peer.partner.clone()),
        remote_unit: Set(peer.unit.clone().unwrap_or_default()),
        note: Set((!note.is_empty()).then(|| note.to_owned())),
        sent_by: Set(Some(officer.user_id)),
        sent_at: Set(t),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let text = if note.is_empty() {
        format!("Gửi đến {}", peer.name)
    } else {
        format!("Gửi đến {}: {note}", peer.name)
    };
    let ev = dossier_event::ActiveModel {
        dossier_id: Set(d.id),
        at: Set(t),
        actor_id: Set(Some(officer.user_id)),
        action: Set(SENT.into()),
        from_status: Set(Some(d.status)),
        to_status: Set(Some(d.status)),
        note: Set(Some(text)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    outbox::enqueue(
        &txn,
        TOPIC,
        &format!("lienthong:send:{}", row.id),
        &json!({ "op": "send", "transfer": row.id }),
    )
    .await?;
    super::outbox::on_dossier_event(svc, &txn, d.id, ev.id).await?;
    txn.commit().await?;
    let _ = svc
        .audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(officer.user_id.to_string()),
                action: "dossier.lienthong.send".into(),
                object_type: Some("dossier".into()),
                object_id: d.code.clone(),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(json!({ "peer": peer.name, "unit": peer.unit })),
            },
        )
        .await;
    Ok(())
}

/// Queues the answer when a dossier received from a peer ends here (in the caller's
/// transaction, from [`outbox::on_dossier_event`]).
pub async fn on_event(
    svc: &Services,
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<(), AppError> {
    if svc.integrations.lienthong.is_none() {
        return Ok(());
    }
    let Some(ev) = dossier_event::Entity::find_by_id(event_id).one(db).await? else {
        return Ok(());
    };
    let Some(to) = ev
        .to_status
        .filter(|s| Some(*s) != ev.from_status && OUTCOMES.contains(s))
    else {
        return Ok(());
    };
    let Some(d) = dossier::Entity::find_by_id(dossier_id).one(db).await? else {
        return Ok(());
    };
    if d.channel != CHANNEL {
        return Ok(());
    }
    let Some(partner) = d.submit_key.as_deref().and_then(|k| k.strip_prefix("api:")) else {
        return Ok(());
    };
    outbox::enqueue(
        db,
        TOPIC,
        &format!("lienthong:outcome:{event_id}"),
        &json!({ "op": "outcome", "dossier": d.id, "event": event_id, "partner": partner, "status": to }),
    )
    .await
}

fn http() -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    // Dossiers carry their documents: a slow link needs more than a status push.
    let c = super::npsp::http_client(std::time::Duration::from_secs(120))?;
    Ok(CLIENT.get_or_init(|| c))
}

/// Delivers one queued message (the outbox's adapter for [`TOPIC`]).
pub async fn deliver(svc: &Services, payload: &Value) -> Result<(), String> {
    let cfg = svc
        .integrations
        .lienthong
        .clone()
        .ok_or("liên thông is not configured on this instance")?;
    let num = |k: &str| {
        payload[k]
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .ok_or(format!("payload without {k}"))
    };
    match payload["op"].as_str() {
        Some("send") => deliver_send(svc, &cfg, num("transfer")?).await,
        Some("outcome") => {
            let partner = payload["partner"].as_str().unwrap_or_default();
            deliver_outcome(svc, &cfg, num("dossier")?, num("event")?, partner).await
        }
        _ => Err("unknown liên thông message".into()),
    }
}

/// A bearer token from the peer (the client-credentials grant of its public API).
async fn token(svc: &Services, peer: &Peer, system: &str) -> Result<String, String> {
    let started = std::time::Instant::now();
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", peer.client_id, peer.client_secret));
    let sent = http()?
        .post(format!("{}/api/v1/token", peer.url))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&scope=dossier%3Awrite")
        .send()
        .await;
    let (status, text, outcome) = match sent {
        Err(e) => (None, String::new(), Err(format!("{system}: {e}"))),
        Ok(r) => {
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            let token = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["access_token"].as_str().map(str::to_owned));
            let outcome = match token {
                Some(t) if status.is_success() => Ok(t),
                _ => Err(format!("{system}: token refused, HTTP {status}")),
            };
            (Some(status.as_u16()), text, outcome)
        }
    };
    outbox::log(
        svc,
        Exchange {
            system,
            direction: "out",
            operation: "token",
            subject: None,
            ok: outcome.is_ok(),
            http_status: status,
            duration_ms: started.elapsed().as_millis(),
            request: "grant_type=client_credentials",
            response: &text,
        },
    )
    .await;
    outcome
}

/// POSTs `body` with the peer's token. The log keeps `summary`, never the applicant's data or
/// the documents.
async fn post(
    svc: &Services,
    peer: &Peer,
    (operation, subject): (&str, &str),
    path: &str,
    body: String,
    summary: &Value,
) -> Result<(), String> {
    let system = format!("lienthong:{}", peer.name);
    let bearer = token(svc, peer, &system).await?;
    let started = std::time::Instant::now();
    let sent = http()?
        .post(format!("{}{path}", peer.url))
        .header("authorization", format!("Bearer {bearer}"))
        .header("content-type", "application/json")
        .header("accept-language", "vi")
        .body(body)
        .send()
        .await;
    let (status, text, outcome) = match sent {
        Err(e) => (None, String::new(), Err(format!("{system}: {e}"))),
        Ok(r) => {
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            let outcome = if status.is_success() {
                Ok(())
            } else {
                Err(format!("{system}: HTTP {status}: {}", clip(&text)))
            };
            (Some(status.as_u16()), text, outcome)
        }
    };
    outbox::log(
        svc,
        Exchange {
            system: &system,
            direction: "out",
            operation,
            subject: Some(subject),
            ok: outcome.is_ok(),
            http_status: status,
            duration_ms: started.elapsed().as_millis(),
            request: &summary.to_string(),
            response: &text,
        },
    )
    .await;
    outcome
}

fn clip(s: &str) -> String {
    s.chars().take(500).collect()
}

fn db_err(e: sea_orm::DbErr) -> String {
    e.to_string()
}

/// Files of the dossier as `[{TenTepDinhKem, MaThanhPhanHoSo, Base64}]`.
async fn files_json(svc: &Services, dossier_id: i32, kind: &str) -> Result<Vec<Value>, String> {
    let rows = dossier_file::Entity::find()
        .filter(dossier_file::Column::DossierId.eq(dossier_id))
        .filter(dossier_file::Column::Kind.eq(kind))
        .filter(dossier_file::Column::SupersededAt.is_null())
        .order_by_asc(dossier_file::Column::Id)
        .all(&svc.db)
        .await
        .map_err(db_err)?;
    let mut out = Vec::new();
    for f in rows {
        let bytes = svc
            .storage
            .read(&f.sha256)
            .await
            .map_err(|e| format!("file {}: {e}", f.id))?;
        out.push(json!({
            "TenTepDinhKem": f.file_name,
            "MaThanhPhanHoSo": f.slot,
            "Base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        }));
    }
    Ok(out)
}

async fn deliver_send(svc: &Services, cfg: &LienThong, id: i32) -> Result<(), String> {
    let Some(t) = transfer::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    if t.delivered_at.is_some() {
        return Ok(());
    }
    let peer = cfg
        .by_name(&t.peer)
        .ok_or(format!("peer {} is no longer configured", t.peer))?;
    let d = dossier::Entity::find_by_id(t.dossier_id)
        .one(&svc.db)
        .await
        .map_err(db_err)?
        .ok_or("the dossier is gone")?;
    let code = d.code.clone().unwrap_or_default();
    let proc = procedure::Entity::find_by_id(d.procedure_id)
        .one(&svc.db)
        .await
        .map_err(db_err)?
        .ok_or("the procedure is gone")?;
    let sender = agency::Entity::find_by_id(d.unit_id.unwrap_or(d.agency_id))
        .one(&svc.db)
        .await
        .map_err(db_err)?
        .map(|a| a.name)
        .unwrap_or_default();
    let values: Values = serde_json::from_str(&d.form_data).unwrap_or_default();
    let schema = super::dossier::schema_of(svc, &d)
        .await
        .map_err(|e| e.to_string())?;
    let of_kind = |k: Kind| {
        schema
            .fields()
            .find(|f| f.kind == k)
            .and_then(|f| values.get(&f.id).cloned())
    };
    let history: Vec<Value> = dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(d.id))
        .order_by_asc(dossier_event::Column::Id)
        .all(&svc.db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|e| {
            json!({
                "ThoiGian": portal_time(e.at),
                "NoiDung": action_label(&e.action, Lang::Vi),
                "GhiChu": e.note,
            })
        })
        .collect();
    let files = files_json(svc, d.id, "input").await?;
    let summary = json!({
        "MaHoSo": code, "MaTTHC": proc.code, "MaDonVi": peer.unit, "TaiLieuNop": files.len(),
    });
    let body = json!({
        "MaHoSo": code,
        "MaTTHC": proc.code,
        "MaDonVi": peer.unit,
        "ChuHoSo": d.applicant_name,
        "SoDinhDanh": of_kind(Kind::CitizenId),
        "SoDienThoai": d.applicant_phone.clone().or_else(|| of_kind(Kind::Phone)),
        "Email": of_kind(Kind::Email),
        "TrichYeuHoSo": t.note,
        "NgayNopHoSo": d.submitted_at.map(portal_time),
        "KenhNop": CHANNEL,
        "CoQuanGui": sender,
        "DuLieuBieuMau": values,
        "QuaTrinhXuLy": history,
        "TaiLieuNop": files,
    });
    post(
        svc,
        peer,
        ("POST /api/v1/dossiers", &code),
        "/api/v1/dossiers",
        body.to_string(),
        &summary,
    )
    .await?;
    transfer::Entity::update_many()
        .col_expr(transfer::Column::DeliveredAt, Expr::value(Some(now())))
        .filter(transfer::Column::Id.eq(t.id))
        .exec(&svc.db)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn deliver_outcome(
    svc: &Services,
    cfg: &LienThong,
    dossier_id: i32,
    event_id: i32,
    partner: &str,
) -> Result<(), String> {
    let peer = cfg
        .by_partner(partner)
        .ok_or(format!("no peer is configured for partner {partner}"))?;
    let d = dossier::Entity::find_by_id(dossier_id)
        .one(&svc.db)
        .await
        .map_err(db_err)?
        .ok_or("the dossier is gone")?;
    let ev = dossier_event::Entity::find_by_id(event_id)
        .one(&svc.db)
        .await
        .map_err(db_err)?
        .ok_or("the event is gone")?;
    let status = ev.to_status.unwrap_or(d.status);
    let code = d.code.clone().unwrap_or_default();
    let unit = agency::Entity::find_by_id(d.unit_id.unwrap_or(d.agency_id))
        .one(&svc.db)
        .await
        .map_err(db_err)?
        .map(|a| a.name)
        .unwrap_or_default();
    let files = if status == Status::Processed.code() {
        files_json(svc, d.id, "result").await?
    } else {
        Vec::new()
    };
    let summary = json!({ "MaHoSo": code, "TrangThai": status, "KetQua": files.len() });
    let body = json!({
        "MaSuKien": event_id.to_string(),
        "TrangThai": status,
        "GhiChu": ev.note,
        "ThoiGian": portal_time(ev.at),
        "CoQuanXuLy": unit,
        "KetQua": files,
    });
    post(
        svc,
        peer,
        ("POST /api/v1/dossiers/{code}/outcome", &code),
        &format!("/api/v1/dossiers/{code}/outcome"),
        body.to_string(),
        &summary,
    )
    .await
}

/// One file of an answer (`KetQua[]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct OutFile {
    #[serde(rename = "TenTepDinhKem")]
    name: String,
    #[serde(rename = "Base64")]
    base64: String,
}

/// `POST /api/v1/dossiers/{code}/outcome`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct Outcome {
    #[serde(rename = "MaSuKien")]
    key: String,
    #[serde(rename = "TrangThai")]
    status: Option<i32>,
    #[serde(rename = "GhiChu")]
    note: Option<String>,
    #[serde(rename = "CoQuanXuLy")]
    agency: Option<String>,
    #[serde(rename = "KetQua")]
    files: Vec<OutFile>,
}

/// The answer of the peer a dossier was sent to. Only that peer (by its client id) may
/// answer, once: the same answer again (a retry after a lost reply) answers 200 and changes
/// nothing; a different one is a conflict. Everything is checked before anything is stored.
pub async fn receive_outcome(
    svc: &Services,
    caller: &Caller,
    code: &str,
    body: &[u8],
    meta: &RequestMeta,
) -> Result<(Value, bool), ApiError> {
    let d = dossier::Entity::find()
        .filter(dossier::Column::Code.eq(code))
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Another partner learns nothing about the dossier: not ours to answer is not found.
    let t = transfer::Entity::find()
        .filter(transfer::Column::DossierId.eq(d.id))
        .filter(transfer::Column::Partner.eq(caller.client_id.as_str()))
        .order_by_desc(transfer::Column::Id)
        .one(&svc.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let input: Outcome = serde_json::from_slice(body).map_err(|_| {
        ApiError::Invalid(vec![field(
            "body",
            "Nội dung phải là một đối tượng JSON theo tài liệu API.",
            "The body must be a JSON object as the API documentation describes.",
        )])
    })?;
    let key = input.key.trim().to_owned();
    let answer = |created: bool| {
        Ok((
            json!({ "MaHoSo": code, "MaSuKien": key, "TrangThai": t.outcome_status.or(input.status) }),
            created,
        ))
    };
    if let Some(k) = &t.outcome_key {
        return if *k == key {
            answer(false)
        } else {
            Err(ApiError::Conflict)
        };
    }
    let mut errors: Vec<FieldError> = Vec::new();
    if key.is_empty() || key.chars().count() > 100 {
        errors.push(field(
            "MaSuKien",
            "Mã sự kiện bắt buộc, tối đa 100 ký tự.",
            "The event id is required, at most 100 characters.",
        ));
    }
    let status = input.status.filter(|s| OUTCOMES.contains(s));
    if status.is_none() {
        errors.push(field(
            "TrangThai",
            "Trạng thái phải là 9 (đã có kết quả), 3 (từ chối) hoặc 8 (dừng xử lý).",
            "The status must be 9 (processed), 3 (refused) or 8 (stopped).",
        ));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if note.as_deref().is_some_and(|n| n.chars().count() > 4000) {
        errors.push(field(
            "GhiChu",
            "Ghi chú tối đa 4000 ký tự.",
            "The note has at most 4000 characters.",
        ));
    }
    let policy = crate::domain::eform::FilePolicy::default();
    if input.files.len() > MAX_FILES {
        errors.push(field(
            "KetQua",
            &format!("Tối đa {MAX_FILES} tệp."),
            &format!("At most {MAX_FILES} files."),
        ));
    }
    let mut decoded: Vec<(String, FileType, Vec<u8>)> = Vec::new();
    for (i, f) in input.files.iter().enumerate().take(MAX_FILES) {
        let key = format!("KetQua[{i}]");
        if let Some(file) =
            super::inbound::check_file(&key, &f.name, &f.base64, &policy, &mut errors)
        {
            decoded.push(file);
        }
    }
    let Some(status) = status else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let mut stored: Vec<String> = Vec::new();
    for (_, kind, bytes) in &decoded {
        match super::inbound::put_blob(svc, bytes, *kind).await {
            Ok(sha) => stored.push(sha),
            Err(e) => {
                for sha in &stored {
                    super::dossier::release_blob(svc, sha).await;
                }
                return Err(e);
            }
        }
    }
    let label = Status::from_code(status)
        .map(|s| s.label(Lang::Vi))
        .unwrap_or_default();
    let by = input
        .agency
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| a.chars().take(200).collect::<String>())
        .unwrap_or_else(|| t.peer.clone());
    let text = match &note {
        Some(n) => format!("{by}: {label}. {n}"),
        None => format!("{by}: {label}."),
    };
    let at = now();
    let written = async {
        let txn = svc.db.begin().await?;
        super::write_lock(&txn).await?;
        // Two deliveries at once: only one takes the transfer.
        let took = transfer::Entity::update_many()
            .col_expr(transfer::Column::OutcomeKey, Expr::value(Some(key.clone())))
            .col_expr(transfer::Column::OutcomeStatus, Expr::value(Some(status)))
            .col_expr(transfer::Column::OutcomeNote, Expr::value(note.clone()))
            .col_expr(transfer::Column::OutcomeAt, Expr::value(Some(at)))
            .col_expr(
                transfer::Column::DeliveredAt,
                Expr::value(Some(t.delivered_at.unwrap_or(at))),
            )
            .filter(transfer::Column::Id.eq(t.id))
            .filter(transfer::Column::OutcomeKey.is_null())
            .exec(&txn)
            .await?;
        if took.rows_affected == 0 {
            return Err(AppError::Conflict);
        }
        for ((name, kind, bytes), sha) in decoded.iter().zip(&stored) {
            dossier_file::ActiveModel {
                dossier_id: Set(d.id),
                slot: Set(CHANNEL.into()),
                kind: Set(CHANNEL.into()),
                file_name: Set(name.clone()),
                content_type: Set(kind.mime().into()),
                size: Set(bytes.len() as i64),
                sha256: Set(sha.clone()),
                uploaded_by: Set(None),
                created_at: Set(at),
                version: Set(1),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let ev = dossier_event::ActiveModel {
            dossier_id: Set(d.id),
            at: Set(at),
            actor_id: Set(None),
            action: Set(ANSWERED.into()),
            from_status: Set(Some(d.status)),
            to_status: Set(Some(d.status)),
            note: Set(Some(text.clone())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        super::outbox::on_dossier_event(svc, &txn, d.id, ev.id).await?;
        // The officer who sent it, and the one the dossier is assigned to, are told.
        let mut told = Vec::new();
        for uid in [t.sent_by, d.assignee_id].into_iter().flatten() {
            if told.contains(&uid) {
                continue;
            }
            told.push(uid);
            notification::ActiveModel {
                user_id: Set(uid),
                dossier_id: Set(Some(d.id)),
                text_vi: Set(format!("Hồ sơ {code}: {text}")),
                text_en: Set(format!("Dossier {code}: {} answered.", t.peer)),
                link: Set(format!("/can-bo/ho-so/{}", d.id)),
                created_at: Set(at),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(e) = written {
        for sha in &stored {
            super::dossier::release_blob(svc, sha).await;
        }
        // The loser of two deliveries at once answers as a retry would.
        if matches!(e, AppError::Conflict) {
            let again = transfer::Entity::find_by_id(t.id).one(&svc.db).await?;
            return match again.and_then(|t| t.outcome_key) {
                Some(k) if k == key => answer(false),
                _ => Err(ApiError::Conflict),
            };
        }
        return Err(e.into());
    }
    let _ = svc
        .audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(format!("api:{}", caller.client_id)),
                action: "dossier.lienthong.outcome".into(),
                object_type: Some("dossier".into()),
                object_id: Some(code.to_owned()),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(json!({ "status": status, "files": stored.len() })),
            },
        )
        .await;
    answer(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peers_come_from_json() {
        let env = |v: &'static str| move |k: &str| (k == "PORTAL_LIENTHONG").then(|| v.to_owned());
        assert_eq!(
            LienThong::from_env(env(""))
                .ok()
                .flatten()
                .map(|c| c.peers.len()),
            None
        );
        let cfg = LienThong::from_env(env(
            r#"[{"name":"Sở Tư pháp","url":"https://b.example.vn/","client_id":"c","client_secret":"s","unit":"U1","partner":"p"},
                {"name":"Công an","url":"http://10.0.0.2","client_id":"c2","client_secret":"s2","partner":"p2"}]"#,
        ))
        .ok()
        .flatten()
        .expect("config");
        assert_eq!(cfg.peers[0].url, "https://b.example.vn");
        assert_eq!(cfg.targets(), vec![(0, "Sở Tư pháp".to_owned())]);
        assert_eq!(
            cfg.by_partner("p2").map(|p| p.name.as_str()),
            Some("Công an")
        );
        for bad in [
            "not json",
            r#"[{"name":"X","url":"ftp://x","client_id":"c","client_secret":"s","partner":"p"}]"#,
            r#"[{"name":"","url":"https://x","client_id":"c","client_secret":"s","partner":"p"}]"#,
            r#"[{"name":"X","url":"https://x","client_id":"c","client_secret":"s","partner":""}]"#,
        ] {
            assert!(LienThong::from_env(env(bad)).is_err(), "{bad}");
        }
    }
}
