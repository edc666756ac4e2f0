//! The national monitoring and evaluation system, EMC (EMC-1 … EMC-5; spec/protocols.md §6).
//!
//! - **Tracking snippet** (EMC-1): the `_govaq` queue (page view, link tracking, tracker URL,
//!   site id) and the asynchronous load of EMC's script, in every page's `<head>` when
//!   `PORTAL_EMC_SITE_ID` is set. It carries the page's CSP nonce, and the CSP names the
//!   tracker's origin for the hits it sends.
//! - **Dossier push** (EMC-1): every dossier event is queued in the transaction of the change
//!   (topic [`TOPIC`]) and POSTed as JSON to `PORTAL_EMC_PUSH_URL` in the shape public
//!   implementations send to `TrackingMCDT` (field list in the README). The official appendix
//!   is not public, so the status mapping is configurable (`PORTAL_EMC_STATUS_MAP`). Like the
//!   NPSP push, the body is built from the dossier as it is when delivered, so a late
//!   redelivery never moves EMC back to an older status; `Data.SuKien` (the event id) lets EMC
//!   keep each event once.
//! - **Exports** (EMC-3): the user accounts and the procedure list as CSV for the admin.
//! - **Connection information** (EMC-4, Phụ lục VIII) and **reconciliation** (EMC-5): what was
//!   delivered against the dossiers that exist, and a re-send of the difference.
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use serde_json::{json, Value};

use entity::{
    dossier, dossier_event, dossier_file, external_identity, outbox_message, payment, procedure,
};

use super::outbox;
use super::Services;
use crate::domain::account::Principal;
use crate::domain::editor::Level;
pub use crate::domain::integration::{EmcView, Reconciliation};
use crate::error::AppError;

/// The outbox topic of dossier events for EMC.
pub const TOPIC: &str = "emc.dossier";
const TIMEOUT: Duration = Duration::from_secs(30);
/// Public implementations' mapping of national statuses: received (1, 2) → 1 TiepNhan, in
/// process (4) → 2 DangXuLy, result (9, 10) → 3 TraKetQua; anything else 0.
const DEFAULT_STATUS_MAP: &str = "1:1,2:1,4:2,9:3,10:3";

/// EMC settings, from `PORTAL_EMC_*`.
#[derive(Clone, Debug)]
pub struct EmcConfig {
    /// The numeric site id EMC issued to this portal.
    pub site_id: String,
    pub tracker_url: String,
    pub script_url: String,
    /// `TrackingMCDT`; None: the snippet only, no dossier push.
    pub push_url: Option<String>,
    /// Province code for the `User.LOCATION` field.
    pub location: String,
    /// National status (1–10) → EMC status.
    pub status_map: BTreeMap<i32, i32>,
    /// Phụ lục VIII: the system's name and the technical contact.
    pub system_name: String,
    pub contact: String,
}

fn plain_url(k: &str, v: String) -> Result<String, String> {
    let ok = (v.starts_with("https://") || v.starts_with("http://"))
        && !v.contains(['\'', '"', '<', '>', '\\', ' ', ';', ','])
        && v.len() <= 300;
    if ok {
        Ok(v)
    } else {
        Err(format!("{k} must be a plain http(s) address"))
    }
}

/// `1:1,2:1,…` → map; an error names the bad pair.
pub fn parse_status_map(s: &str) -> Result<BTreeMap<i32, i32>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (a, b) = p
                .split_once(':')
                .ok_or_else(|| format!("PORTAL_EMC_STATUS_MAP: {p} is not local:emc"))?;
            let a: i32 = a
                .trim()
                .parse()
                .map_err(|_| format!("PORTAL_EMC_STATUS_MAP: {p}"))?;
            let b: i32 = b
                .trim()
                .parse()
                .map_err(|_| format!("PORTAL_EMC_STATUS_MAP: {p}"))?;
            if !(1..=10).contains(&a) {
                return Err(format!(
                    "PORTAL_EMC_STATUS_MAP: {a} is not a national status (1-10)"
                ));
            }
            Ok((a, b))
        })
        .collect()
}

impl EmcConfig {
    /// None when `PORTAL_EMC_SITE_ID` is not set.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(site_id) = env("PORTAL_EMC_SITE_ID").filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        if site_id.len() > 12 || !site_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err("PORTAL_EMC_SITE_ID must be the numeric site id EMC issued".into());
        }
        let or = |k: &str, d: &str| env(k).filter(|v| !v.is_empty()).unwrap_or_else(|| d.into());
        Ok(Some(Self {
            site_id,
            tracker_url: plain_url(
                "PORTAL_EMC_TRACKER_URL",
                or(
                    "PORTAL_EMC_TRACKER_URL",
                    "https://f-emc.ngsp.gov.vn/tracking",
                ),
            )?,
            script_url: plain_url(
                "PORTAL_EMC_SCRIPT_URL",
                or(
                    "PORTAL_EMC_SCRIPT_URL",
                    "https://f-emc.ngsp.gov.vn/embed/gov-tracking.min.js",
                ),
            )?,
            push_url: env("PORTAL_EMC_PUSH_URL")
                .filter(|v| !v.is_empty())
                .map(|v| plain_url("PORTAL_EMC_PUSH_URL", v))
                .transpose()?,
            location: or("PORTAL_EMC_LOCATION", ""),
            status_map: parse_status_map(&or("PORTAL_EMC_STATUS_MAP", DEFAULT_STATUS_MAP))?,
            system_name: or(
                "PORTAL_EMC_SYSTEM_NAME",
                "Hệ thống thông tin giải quyết TTHC",
            ),
            contact: or("PORTAL_EMC_CONTACT", ""),
        }))
    }
}

pub struct Emc {
    pub cfg: EmcConfig,
    http: reqwest::Client,
}

impl Emc {
    pub fn new(cfg: EmcConfig) -> Result<Self, String> {
        let http =
            super::npsp::http_client(TIMEOUT).map_err(|e| format!("EMC HTTP client: {e}"))?;
        Ok(Self { cfg, http })
    }

    /// The origins the pages' CSP must allow for the tracker's hits.
    pub fn origins(&self) -> Vec<String> {
        let mut v = vec![
            super::payment::origin_of(&self.cfg.tracker_url),
            super::payment::origin_of(&self.cfg.script_url),
        ];
        v.dedup();
        v
    }

    /// The snippet's script (spec/protocols.md §6.1). Every value in it was checked at start-up
    /// (digits, plain URLs), so nothing can break out of the strings.
    pub fn snippet(&self) -> String {
        format!(
            "var _govaq=window._govaq||[];_govaq.push(['trackPageView']);_govaq.push(['enableLinkTracking']);\
             (function(){{_govaq.push(['setTrackerUrl','{}']);_govaq.push(['setSiteId','{}']);\
             var d=document,g=d.createElement('script'),s=d.getElementsByTagName('script')[0];\
             g.type='text/javascript';g.async=true;g.defer=true;g.src='{}';s.parentNode.insertBefore(g,s);}})();",
            self.cfg.tracker_url, self.cfg.site_id, self.cfg.script_url
        )
    }

    /// For the integrations page.
    pub fn describe(&self) -> String {
        format!(
            "EMC site {}: {}",
            self.cfg.site_id,
            self.cfg
                .push_url
                .as_deref()
                .unwrap_or("snippet only, no dossier push")
        )
    }

    /// Sends one queued event.
    pub async fn deliver(&self, svc: &Services, payload: &Value) -> Result<(), String> {
        let Some(url) = &self.cfg.push_url else {
            return Err("EMC push is not configured on this instance".into());
        };
        let num = |k: &str| {
            payload
                .get(k)
                .and_then(Value::as_i64)
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(|| format!("payload has no {k}"))
        };
        let (body, code) = build(svc, &self.cfg, num("dossier")?, num("event")?)
            .await
            .map_err(|e| format!("EMC body: {e}"))?;
        outbox::post_logged(
            svc,
            ("emc", "TrackingMCDT", Some(&code)),
            self.http.post(url).header("accept", "application/json"),
            body.to_string(),
            |status, _| {
                if status.is_success() {
                    Ok(())
                } else {
                    Err(format!("EMC answered HTTP {}", status.as_u16()))
                }
            },
        )
        .await
    }
}

/// Whether this instance pushes dossier events to EMC.
fn pushing(svc: &Services) -> bool {
    svc.integrations
        .emc
        .as_ref()
        .is_some_and(|e| e.cfg.push_url.is_some())
}

/// Queues the dossier event for EMC, in the caller's transaction, when the push is on.
pub async fn on_event(
    svc: &Services,
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<(), AppError> {
    if !pushing(svc) {
        return Ok(());
    }
    outbox::enqueue(
        db,
        TOPIC,
        &format!("emc:event:{event_id}"),
        &json!({ "dossier": dossier_id, "event": event_id }),
    )
    .await
}

/// The EMC body of one event (field list and value mapping in the README).
async fn build(
    svc: &Services,
    cfg: &EmcConfig,
    dossier_id: i32,
    event_id: i32,
) -> Result<(Value, String), AppError> {
    let db = &svc.db;
    let (d, e, p, code) = super::npsp::event_rows(db, dossier_id, event_id).await?;
    let paid: Vec<payment::Model> = payment::Entity::find()
        .filter(payment::Column::DossierId.eq(d.id))
        .filter(payment::Column::Status.eq("paid"))
        .all(db)
        .await?;
    let digitised = dossier_file::Entity::find()
        .filter(dossier_file::Column::DossierId.eq(d.id))
        .filter(dossier_file::Column::Digitised.eq(true))
        .count(db)
        .await?;
    let national_id = match d.applicant_id {
        Some(uid) => external_identity::Entity::find()
            .filter(external_identity::Column::UserId.eq(uid))
            .one(db)
            .await?
            .map(|x| x.subject),
        None => None,
    };
    let unit = entity::agency::Entity::find_by_id(d.unit_id.unwrap_or(d.agency_id))
        .one(db)
        .await?;
    let t = super::npsp::portal_time;
    let level = match Level::of(p.online, p.service_level.as_deref()) {
        Level::Full => 4,
        Level::Partial => 3,
        Level::Offline => 0,
    };
    let local_id = d.applicant_id.map(|i| i.to_string()).unwrap_or_default();
    let user = json!({
        "ID_local": local_id,
        "ID_QG": national_id.clone().unwrap_or_default(),
        // Public implementations: "1" when the id has 10 characters, else "2".
        "TYPE": if national_id.as_deref().unwrap_or(&local_id).chars().count() == 10 { "1" } else { "2" },
        "LOCATION": cfg.location,
    });
    let body = json!({
        "CodeProfile": code,
        "SiteId": cfg.site_id.parse::<i64>().unwrap_or_default(),
        "CodeTTHC": p.code,
        "NameTTHC": p.name,
        "MaHoSo": code,
        "Status": cfg.status_map.get(&d.status).copied().unwrap_or(0),
        "FormsReception": if matches!(d.channel.as_str(), "online" | "npsp") { 1 } else { 2 },
        // Paid online through a gateway, or a fee paid in person, or no fee.
        "FormsPayments": if !paid.is_empty() { 1 } else if d.fee_due.is_some() { 2 } else { 0 },
        "Level": level,
        "IsFromDVCQG": i32::from(d.channel == "npsp"),
        // Papers or result through the public postal service (P-3.5).
        "IsDVCBC": i32::from(
            entity::shipment::Entity::find()
                .filter(entity::shipment::Column::DossierId.eq(d.id))
                .count(db)
                .await?
                > 0
        ),
        "User": user.to_string(),
        "Data": {
            "SuKien": event_id,
            "HanhDong": e.action,
            "ThoiDiem": t(e.at),
            "TrangThaiQuocGia": d.status,
            "MaCoQuan": unit.as_ref().and_then(|u| u.code.clone()).unwrap_or_default(),
            "TenCoQuan": unit.map(|u| u.name).unwrap_or_default(),
            "KenhNop": d.channel,
            "NgayTiepNhan": d.submitted_at.map(t).unwrap_or_default(),
            "NgayHenTra": d.due_date.clone().unwrap_or_default(),
            "NgayKetThucXuLy": d.finished_at.map(t).unwrap_or_default(),
            "NgayTra": d.returned_at.map(t).unwrap_or_default(),
            "DaThanhToan": paid.iter().map(|x| x.amount).sum::<i64>(),
            "SoGiayToSoHoa": digitised,
        },
    });
    Ok((body, code))
}

/// Compares the dossiers with the outbox (EMC-5).
pub async fn reconcile(svc: &Services, days: u32) -> Result<Reconciliation, AppError> {
    let since = super::auth::now() - i64::from(days) * 86_400;
    let in_period = || {
        dossier::Entity::find()
            .filter(dossier::Column::Status.gt(0))
            .filter(dossier::Column::UpdatedAt.gte(since))
    };
    let dossiers: Vec<(i32, Option<String>)> = in_period()
        .select_only()
        .column(dossier::Column::Id)
        .column(dossier::Column::Code)
        .order_by_asc(dossier::Column::Id)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let latest: HashMap<i32, i32> = dossier_event::Entity::find()
        .select_only()
        .column(dossier_event::Column::DossierId)
        .column_as(dossier_event::Column::Id.max(), "latest")
        .filter(
            dossier_event::Column::DossierId.in_subquery(
                in_period()
                    .select_only()
                    .column(dossier::Column::Id)
                    .into_query(),
            ),
        )
        .group_by(dossier_event::Column::DossierId)
        .into_tuple::<(i32, i32)>()
        .all(&svc.db)
        .await?
        .into_iter()
        .collect();
    // The messages of the period, newest state per event (a re-send supersedes a dead one).
    let msgs: Vec<(String, String)> = outbox_message::Entity::find()
        .select_only()
        .column(outbox_message::Column::Payload)
        .column(outbox_message::Column::Status)
        .filter(outbox_message::Column::Topic.eq(TOPIC))
        .filter(outbox_message::Column::CreatedAt.gte(since))
        .order_by_asc(outbox_message::Column::Id)
        .into_tuple()
        .all(&svc.db)
        .await?;
    let mut by_event: HashMap<i64, String> = HashMap::new();
    for (payload, status) in msgs {
        if let Some(ev) = serde_json::from_str::<Value>(&payload)
            .ok()
            .and_then(|v| v.get("event").and_then(Value::as_i64))
        {
            let e = by_event.entry(ev).or_insert_with(|| status.clone());
            if status != outbox::DEAD {
                *e = status;
            }
        }
    }
    let mut r = Reconciliation {
        days,
        dossiers: dossiers.len() as u64,
        ..Default::default()
    };
    for (id, code) in dossiers {
        let Some(ev) = latest.get(&id) else {
            r.missing.push((id, code.unwrap_or_default()));
            continue;
        };
        match by_event.get(&i64::from(*ev)).map(String::as_str) {
            Some(s) if s == outbox::DELIVERED => r.up_to_date += 1,
            Some(s) if s == outbox::PENDING => r.in_flight += 1,
            _ => r.missing.push((id, code.unwrap_or_default())),
        }
    }
    Ok(r)
}

/// Re-sends the latest event of every dossier the reconciliation found missing; returns how
/// many were queued.
pub async fn resend_missing(
    svc: &Services,
    p: &Principal,
    days: u32,
    meta: &super::auth::RequestMeta,
) -> Result<usize, AppError> {
    outbox::require(p)?;
    if !pushing(svc) {
        return Ok(0);
    }
    let r = reconcile(svc, days).await?;
    let t = super::auth::now();
    let mut n = 0;
    for (id, _) in r.missing {
        let latest = dossier_event::Entity::find()
            .filter(dossier_event::Column::DossierId.eq(id))
            .order_by_desc(dossier_event::Column::Id)
            .one(&svc.db)
            .await?;
        if let Some(ev) = latest {
            outbox::enqueue(
                &svc.db,
                TOPIC,
                &format!("emc:resend:{}:{t}", ev.id),
                &json!({ "dossier": id, "event": ev.id }),
            )
            .await?;
            n += 1;
        }
    }
    svc.audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: "integration.emc_resend".into(),
                object_type: Some("emc".into()),
                object_id: None,
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(format!("{n} dossiers, {days} days").into()),
            },
        )
        .await?;
    Ok(n)
}

/// EMC-4 (Phụ lục VIII) and EMC-5 for the integrations page; None when EMC is not configured.
pub async fn view(svc: &Services) -> Result<Option<EmcView>, AppError> {
    let Some(e) = &svc.integrations.emc else {
        return Ok(None);
    };
    Ok(Some(EmcView {
        system_name: e.cfg.system_name.clone(),
        url: svc.auth.public_url.clone(),
        site_id: e.cfg.site_id.clone(),
        contact: e.cfg.contact.clone(),
        tracker_url: e.cfg.tracker_url.clone(),
        push_url: e.cfg.push_url.clone(),
        reconciliation: reconcile(svc, RECONCILE_DAYS).await?,
    }))
}

/// The reconciliation period of the page and its re-send button.
pub const RECONCILE_DAYS: u32 = 30;

/// EMC-3: the user accounts, one row each, without contact details or identity numbers (data
/// minimisation, Decree 13/2023): id, kind, name, created, e-mail verified, signed in with the
/// national e-ID, disabled, last sign-in. System administrators only; every export is audited.
pub async fn accounts_csv(
    svc: &Services,
    p: &Principal,
    meta: &super::auth::RequestMeta,
) -> Result<Vec<u8>, AppError> {
    use entity::user_account;
    outbox::require(p)?;
    svc.audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: "integration.emc_accounts_export".into(),
                object_type: Some("emc".into()),
                object_id: None,
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: None,
            },
        )
        .await?;
    let linked: std::collections::HashSet<i32> = external_identity::Entity::find()
        .select_only()
        .column(external_identity::Column::UserId)
        .into_tuple::<i32>()
        .all(&svc.db)
        .await?
        .into_iter()
        .collect();
    let t = super::npsp::portal_time;
    let mut rows = vec![[
        "MaTaiKhoan",
        "LoaiTaiKhoan",
        "HoVaTen",
        "NgayTao",
        "DaXacThucEmail",
        "DinhDanhDienTu",
        "BiKhoa",
        "LanDangNhapCuoi",
    ]
    .map(str::to_owned)
    .to_vec()];
    let users = user_account::Entity::find()
        .order_by_asc(user_account::Column::Id)
        .all(&svc.db)
        .await?;
    for u in users {
        rows.push(vec![
            u.id.to_string(),
            u.kind,
            u.full_name,
            t(u.created_at),
            u8::from(u.email_verified_at.is_some()).to_string(),
            u8::from(linked.contains(&u.id)).to_string(),
            u8::from(u.disabled_at.is_some()).to_string(),
            u.last_login_at.map(t).unwrap_or_default(),
        ]);
    }
    Ok(super::report::csv(&rows))
}

/// EMC-3: the procedure (service) list: code, name, level, online, agency.
pub async fn services_csv(svc: &Services, p: &Principal) -> Result<Vec<u8>, AppError> {
    outbox::require(p)?;
    let agencies: HashMap<i32, String> = entity::agency::Entity::find()
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    let mut rows = vec![
        ["MaTTHC", "TenTTHC", "MucDo", "TrucTuyen", "CoQuanThucHien"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for p in procedure::Entity::find()
        .order_by_asc(procedure::Column::Code)
        .all(&svc.db)
        .await?
    {
        let level = Level::of(p.online, p.service_level.as_deref());
        rows.push(vec![
            p.code,
            p.name,
            level.as_str().to_owned(),
            u8::from(p.online).to_string(),
            agencies.get(&p.agency_id).cloned().unwrap_or_default(),
        ]);
    }
    Ok(super::report::csv(&rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_map_parses_and_refuses_bad_pairs() {
        let m = parse_status_map(DEFAULT_STATUS_MAP).expect("default");
        assert_eq!(m.get(&1), Some(&1));
        assert_eq!(m.get(&4), Some(&2));
        assert_eq!(m.get(&10), Some(&3));
        assert_eq!(m.get(&5), None);
        assert!(parse_status_map("1:1,x:2").is_err());
        assert!(parse_status_map("11:1").is_err());
        assert!(parse_status_map("1-1").is_err());
    }

    #[test]
    fn config_refuses_what_could_break_the_snippet() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(a, _)| *a == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(EmcConfig::from_env(env(&[])).expect("off").is_none());
        assert!(EmcConfig::from_env(env(&[("PORTAL_EMC_SITE_ID", "12a")])).is_err());
        assert!(EmcConfig::from_env(env(&[
            ("PORTAL_EMC_SITE_ID", "12"),
            ("PORTAL_EMC_SCRIPT_URL", "https://x/';alert(1);'"),
        ]))
        .is_err());
        let c = EmcConfig::from_env(env(&[("PORTAL_EMC_SITE_ID", "12")]))
            .expect("ok")
            .expect("on");
        assert_eq!(c.tracker_url, "https://f-emc.ngsp.gov.vn/tracking");
        assert!(c.push_url.is_none());
    }
}
