//! The postal channel (P-3.5, Decision 45/2016/QĐ-TTg on receiving dossiers and returning
//! results through public postal services): the applicant chooses that the post collects the
//! paper originals from their address and/or delivers the result there; an order goes to the
//! post through the outbox, and the post's tracking reports come back to a signed callback.
//!
//! Protocol (spec/protocols.md §4: the public code shows the order fields of VNPost's
//! BCCI/LGSP interface and no tracking webhook; the tracking callback and its status table
//! are ours, documented in the README):
//! - Order: `POST {PORTAL_POST_URL}` with the header `access_token: {PORTAL_POST_TOKEN}` and
//!   the `OrderLGSPWithItemCode` fields (`CustomerCode, OrderNumber, CODAmount, Sender…,
//!   Receiver…, Description, FlagConfig`); since 1 July 2025 there are no districts, so the
//!   commune goes in `ReceiverWard`/`SenderWard` beside the unchanged `…District` (empty). The
//!   post answers `{"Status": "100", "Message", "ItemCode"}`; any other status is a refusal.
//!   The post keeps one order per `OrderNumber`, so a redelivery after a lost answer gets the
//!   same `ItemCode` back instead of a second pick-up.
//! - Tracking: the post POSTs `{"OrderNumber", "ItemCode", "StatusCode", "StatusMessage",
//!   "Time": "yyyyMMddHHmmss"}` to `/buu-chinh/trang-thai` with `X-Signature: hex(HMAC-SHA256(
//!   PORTAL_POST_CALLBACK_SECRET, body))`. Status codes: 1 accepted, 2 collected, 3 in
//!   transit, 4 delivered (as OpenCPS reads `statusCode == 4`), 5 delivery failed, 6 returned
//!   to sender, 7 cancelled. A report is kept once per (order, code, time); an older report
//!   never moves the status back.
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::{json, Value};
use sha2::Sha256;

use entity::{admin_area, agency, dossier, dossier_event, shipment, shipment_event};

use super::auth::{field, invalid, now};
use super::outbox;
use super::{write_lock, Services};
use crate::domain::account::Principal;
use crate::domain::dossier::{PostalView, ShipmentView, Status};
use crate::error::{AppError, FieldError};

/// The outbox topic of postal orders.
pub const TOPIC: &str = "post.order";
/// The outbox topic of order cancellations.
pub const CANCEL_TOPIC: &str = "post.cancel";
pub const PAPERS: &str = "papers";
pub const RESULT: &str = "result";
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Where the postal service is; from `PORTAL_POST_*`.
#[derive(Clone, Debug)]
pub struct PostConfig {
    pub url: String,
    pub token: String,
    pub customer_code: String,
    pub callback_secret: String,
    /// `PORTAL_POST_CANCEL_URL`: where orders are cancelled (OpenCPS's `apiCancelOrder`); when
    /// unset, a collection that is no longer needed is not cancelled automatically.
    pub cancel_url: Option<String>,
    /// `PORTAL_POST_TRACKING_URL`: where tracking can be asked for (OpenCPS's
    /// `apiGetOrderTracking`); when set, shipments whose reports stopped coming are polled.
    pub tracking_url: Option<String>,
}

impl PostConfig {
    /// None when `PORTAL_POST_URL` is not set; an error names a missing companion setting.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(url) = env("PORTAL_POST_URL") else {
            return Ok(None);
        };
        let need = |k: &str| env(k).ok_or_else(|| format!("{k} must be set with PORTAL_POST_URL"));
        Ok(Some(Self {
            url,
            token: need("PORTAL_POST_TOKEN")?,
            customer_code: need("PORTAL_POST_CUSTOMER_CODE")?,
            callback_secret: need("PORTAL_POST_CALLBACK_SECRET")?,
            cancel_url: env("PORTAL_POST_CANCEL_URL"),
            tracking_url: env("PORTAL_POST_TRACKING_URL"),
        }))
    }
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!())
}

/// The `X-Signature` of a callback body, lower-case hex.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(body);
    m.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `signature` (hex) signs `body`, in constant time.
pub fn verify(secret: &str, body: &[u8], signature: &str) -> bool {
    let sig = signature.trim();
    if sig.len() != 64 {
        return false;
    }
    let Some(bytes) = (0..sig.len())
        .step_by(2)
        .map(|i| {
            sig.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut m = mac(secret);
    m.update(body);
    m.verify_slice(&bytes).is_ok()
}

/// `yyyyMMddHHmmss` in Vietnam's time (the national protocols' form) to Unix seconds.
pub fn parse_portal_time(s: &str) -> Option<i64> {
    if s.len() != 14 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let day = crate::domain::calendar::Day::from_ymd(n(0..4)? as i32, n(4..6)?, n(6..8)?)?;
    let (h, mi, se) = (n(8..10)?, n(10..12)?, n(12..14)?);
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    Some(i64::from(day.0) * 86_400 + i64::from(h * 3600 + mi * 60 + se) - 7 * 3600)
}

/// The shipment status a tracking code sets.
pub fn status_of_code(code: i64) -> Option<&'static str> {
    Some(match code {
        1 => "accepted",
        2 => "collected",
        3 => "in_transit",
        4 => "delivered",
        5 => "failed",
        6 => "returned",
        7 => "cancelled",
        _ => return None,
    })
}

/// What the applicant fills in on the postal page.
#[derive(Clone, Debug, Default)]
pub struct Choice {
    pub papers: bool,
    pub result: bool,
    pub name: String,
    pub phone: String,
    pub province: String,
    pub commune: String,
    pub street: String,
}

fn papers_open(d: &dossier::Model) -> bool {
    d.status == Status::Draft.code()
}

/// The result can be chosen for post until it is sent, and not on a dossier that ended
/// without one.
fn result_open(d: &dossier::Model, result: Option<&shipment::Model>) -> bool {
    let ended = [
        Status::Refused,
        Status::Stopped,
        Status::Returned,
        Status::WithdrawalRequested,
    ]
    .iter()
    .any(|s| s.code() == d.status);
    !ended && result.is_none_or(|s| s.status == "chosen")
}

async fn legs(db: &impl ConnectionTrait, id: i32) -> Result<Vec<shipment::Model>, AppError> {
    Ok(shipment::Entity::find()
        .filter(shipment::Column::DossierId.eq(id))
        .order_by_asc(shipment::Column::Id)
        .all(db)
        .await?)
}

async fn area_name(db: &impl ConnectionTrait, code: &str) -> Result<String, AppError> {
    Ok(admin_area::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .map(|a| a.full_name)
        .unwrap_or_default())
}

/// A dossier's shipments for its pages.
pub async fn views(db: &impl ConnectionTrait, id: i32) -> Result<Vec<ShipmentView>, AppError> {
    let mut out = Vec::new();
    for s in legs(db, id).await? {
        let events = shipment_event::Entity::find()
            .filter(shipment_event::Column::ShipmentId.eq(s.id))
            .order_by_asc(shipment_event::Column::At)
            .order_by_asc(shipment_event::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| {
                (
                    e.at,
                    status_of_code(i64::from(e.code)).unwrap_or("").to_owned(),
                    e.note,
                )
            })
            .collect();
        let address = format!(
            "{}, {}, {}",
            s.street,
            area_name(db, &s.commune_code).await?,
            area_name(db, &s.province_code).await?
        );
        out.push(ShipmentView {
            kind: s.kind,
            status: s.status,
            receiver_name: s.receiver_name,
            phone: s.phone,
            province_code: s.province_code,
            commune_code: s.commune_code,
            street: s.street,
            address,
            item_code: s.item_code,
            events,
        });
    }
    Ok(out)
}

/// The postal page: what is chosen and what may still change. `province` is the province the
/// form shows (just picked, before saving), for its list of communes.
pub async fn page(
    svc: &Services,
    p: &Principal,
    id: i32,
    province: Option<String>,
) -> Result<PostalView, AppError> {
    if svc.integrations.post.is_none() {
        return Err(AppError::NotFound);
    }
    let d = super::dossier::owned(svc, p, id).await?;
    let rows = legs(&svc.db, id).await?;
    let result_row = rows.iter().find(|s| s.kind == RESULT);
    let result_open = result_open(&d, result_row);
    let shown = views(&svc.db, id).await?;
    let take = |k: &str| shown.iter().find(|s| s.kind == k).cloned();
    let (papers, result) = (take(PAPERS), take(RESULT));
    let province = province.filter(|p| !p.is_empty()).or_else(|| {
        papers
            .as_ref()
            .or(result.as_ref())
            .map(|s| s.province_code.clone())
    });
    let communes = match province {
        Some(pv) => svc.communes(&pv).await?,
        None => Vec::new(),
    };
    let proc = entity::procedure::Entity::find_by_id(d.procedure_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PostalView {
        id,
        code: d.code.clone(),
        procedure_name: proc.name,
        status: Status::from_code(d.status).unwrap_or(Status::Draft),
        papers_open: papers_open(&d),
        result_open,
        papers,
        result,
        default_name: d.applicant_name.clone(),
        default_phone: d.applicant_phone.clone().unwrap_or_default(),
        provinces: svc.provinces().await?,
        communes,
    })
}

/// Checks the address; every problem at once, in both languages.
async fn check(svc: &Services, c: &Choice) -> Result<(), AppError> {
    let mut errs: Vec<FieldError> = Vec::new();
    let name = c.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        errs.push(field(
            "name",
            "Nhập họ tên người nhận (tối đa 100 ký tự).",
            "Enter the receiver's name (at most 100 characters).",
        ));
    }
    if super::sms::msisdn(&c.phone).is_none() {
        errs.push(field(
            "phone",
            "Nhập số điện thoại di động 10 chữ số, ví dụ 0905123456, để bưu tá liên hệ.",
            "Enter a 10-digit mobile number, such as 0905123456, for the postman to call.",
        ));
    }
    let in_province = admin_area::Entity::find_by_id(c.commune.clone())
        .one(&svc.db)
        .await?
        .is_some_and(|a| !c.province.is_empty() && a.parent_code.as_deref() == Some(&c.province));
    if c.province.is_empty() {
        errs.push(field(
            "province",
            "Chọn tỉnh, thành phố.",
            "Choose the province or city.",
        ));
    } else if !in_province {
        errs.push(field(
            "commune",
            "Chọn xã, phường thuộc tỉnh, thành phố đã chọn.",
            "Choose a commune in the chosen province.",
        ));
    }
    let street = c.street.trim();
    if street.is_empty() || street.chars().count() > 200 {
        errs.push(field(
            "street",
            "Nhập số nhà, đường, thôn, tổ dân phố (tối đa 200 ký tự).",
            "Enter the house number, street or hamlet (at most 200 characters).",
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errs))
    }
}

/// Applicant: chooses (or stops choosing) the post for the papers and the result, with one
/// address for both (P-3.5). Refuses what can no longer change; changes nothing on an error.
pub async fn choose(svc: &Services, p: &Principal, id: i32, c: Choice) -> Result<(), AppError> {
    if svc.integrations.post.is_none() {
        return Err(AppError::NotFound);
    }
    let d = super::dossier::owned(svc, p, id).await?;
    if c.papers || c.result {
        check(svc, &c).await?;
    }
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    let rows = legs(&txn, id).await?;
    let t = now();
    for (kind, wanted, open) in [
        (PAPERS, c.papers, papers_open(&d)),
        (
            RESULT,
            c.result,
            result_open(&d, rows.iter().find(|s| s.kind == RESULT)),
        ),
    ] {
        let existing = rows.iter().find(|s| s.kind == kind);
        let same = existing.is_some_and(|s| {
            s.receiver_name == c.name.trim()
                && s.phone == c.phone.trim()
                && s.commune_code == c.commune
                && s.street == c.street.trim()
        });
        // Nothing changes for this leg: fine even when it is closed.
        if existing.is_some() == wanted && (!wanted || same) {
            continue;
        }
        if !open {
            return Err(invalid(
                if kind == PAPERS { "papers" } else { "result" },
                if kind == PAPERS {
                    "Hồ sơ đã nộp; không đổi được cách gửi giấy tờ nữa."
                } else {
                    "Kết quả đã được gửi hoặc hồ sơ đã kết thúc; không đổi được cách nhận kết quả nữa."
                },
                if kind == PAPERS {
                    "The dossier has been submitted; how the papers are sent can no longer change."
                } else {
                    "The result has been sent or the dossier has ended; how it is received can no longer change."
                },
            ));
        }
        match (existing, wanted) {
            (Some(s), false) => {
                shipment::Entity::delete_by_id(s.id).exec(&txn).await?;
            }
            (Some(s), true) => {
                let mut a: shipment::ActiveModel = s.clone().into();
                a.receiver_name = Set(c.name.trim().into());
                a.phone = Set(c.phone.trim().into());
                a.province_code = Set(c.province.clone());
                a.commune_code = Set(c.commune.clone());
                a.street = Set(c.street.trim().into());
                a.updated_at = Set(t);
                a.update(&txn).await?;
            }
            (None, true) => {
                shipment::ActiveModel {
                    dossier_id: Set(id),
                    kind: Set(kind.into()),
                    status: Set("chosen".into()),
                    receiver_name: Set(c.name.trim().into()),
                    phone: Set(c.phone.trim().into()),
                    province_code: Set(c.province.clone()),
                    commune_code: Set(c.commune.clone()),
                    street: Set(c.street.trim().into()),
                    created_at: Set(t),
                    updated_at: Set(t),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
            (None, false) => {}
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Queues the order for a leg when its moment comes, in the event's transaction: the papers
/// when the dossier is submitted, the result when the officer returns it (status 10).
pub async fn on_event(
    svc: &Services,
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<(), AppError> {
    if svc.integrations.post.is_none() {
        return Ok(());
    }
    let Some(e) = dossier_event::Entity::find_by_id(event_id).one(db).await? else {
        return Ok(());
    };
    let kind = match (e.from_status, e.to_status) {
        (Some(0), Some(1)) => PAPERS,
        (_, Some(10)) => RESULT,
        // Refused at intake or stopped (also after a withdrawal): nothing more travels.
        (_, Some(3)) | (_, Some(8)) => return cancel_legs(svc, db, dossier_id).await,
        _ => return Ok(()),
    };
    let Some(s) = shipment::Entity::find()
        .filter(shipment::Column::DossierId.eq(dossier_id))
        .filter(shipment::Column::Kind.eq(kind))
        .filter(shipment::Column::Status.eq("chosen"))
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let d = dossier::Entity::find_by_id(dossier_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = d.code.clone().unwrap_or_else(|| format!("{dossier_id}"));
    let order_number = format!("{code}-{}", if kind == PAPERS { "HS" } else { "KQ" });
    let cfg = svc
        .integrations
        .post
        .as_ref()
        .map(|p| p.cfg.clone())
        .ok_or_else(|| crate::error::internal("post vanished"))?;
    let order = order_body(db, &cfg, &d, &s, &order_number).await?;
    shipment::Entity::update_many()
        .col_expr(shipment::Column::Status, Expr::value("queued"))
        .col_expr(
            shipment::Column::OrderNumber,
            Expr::value(Some(order_number.clone())),
        )
        .col_expr(shipment::Column::UpdatedAt, Expr::value(now()))
        .filter(shipment::Column::Id.eq(s.id))
        .exec(db)
        .await?;
    outbox::enqueue(
        db,
        TOPIC,
        &format!("post:order:{}", s.id),
        &json!({ "shipment": s.id, "dossier": code, "order": order }),
    )
    .await
}

/// A dossier ended without a result: a result leg never ordered is dropped; a collection the
/// post has not made yet is cancelled with the post through the outbox (when the deployment
/// gives a cancel address), in the event's transaction.
async fn cancel_legs(
    svc: &Services,
    db: &impl ConnectionTrait,
    dossier_id: i32,
) -> Result<(), AppError> {
    let t = now();
    shipment::Entity::update_many()
        .col_expr(shipment::Column::Status, Expr::value("cancelled"))
        .col_expr(
            shipment::Column::StatusNote,
            Expr::value(Some("Hồ sơ đã kết thúc, không gửi qua bưu chính.")),
        )
        .col_expr(shipment::Column::UpdatedAt, Expr::value(t))
        .filter(shipment::Column::DossierId.eq(dossier_id))
        .filter(shipment::Column::Status.eq("chosen"))
        .exec(db)
        .await?;
    let can_cancel = svc
        .integrations
        .post
        .as_ref()
        .is_some_and(|p| p.cfg.cancel_url.is_some());
    if !can_cancel {
        return Ok(());
    }
    let open = shipment::Entity::find()
        .filter(shipment::Column::DossierId.eq(dossier_id))
        .filter(shipment::Column::Kind.eq(PAPERS))
        .filter(shipment::Column::Status.is_in(["queued", "accepted"]))
        .all(db)
        .await?;
    for s in open {
        let Some(number) = s.order_number.clone() else {
            continue;
        };
        shipment::Entity::update_many()
            .col_expr(shipment::Column::Status, Expr::value("cancelling"))
            .col_expr(shipment::Column::UpdatedAt, Expr::value(t))
            .filter(shipment::Column::Id.eq(s.id))
            .exec(db)
            .await?;
        outbox::enqueue(
            db,
            CANCEL_TOPIC,
            &format!("post:cancel:{}", s.id),
            &json!({ "shipment": s.id, "order_number": number }),
        )
        .await?;
    }
    Ok(())
}

/// The order in the post's field names: the agency on one side, the applicant's address on
/// the other (the papers travel to the agency, the result to the applicant).
async fn order_body(
    db: &impl ConnectionTrait,
    cfg: &PostConfig,
    d: &dossier::Model,
    s: &shipment::Model,
    order_number: &str,
) -> Result<Value, AppError> {
    let unit = agency::Entity::find_by_id(d.agency_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    // The agency's own area: its commune, or itself when it is a province.
    let (agency_province, agency_commune) = match unit.area_code.clone() {
        Some(code) => {
            let area = admin_area::Entity::find_by_id(code.clone()).one(db).await?;
            match area.and_then(|a| a.parent_code) {
                Some(parent) => (parent, code),
                None => (code, String::new()),
            }
        }
        None => (String::new(), String::new()),
    };
    let applicant = json!({
        "Name": s.receiver_name,
        "Address": format!("{}, {}, {}", s.street, area_name(db, &s.commune_code).await?, area_name(db, &s.province_code).await?),
        "Tel": s.phone,
        "Province": s.province_code,
        "District": "",
        "Ward": s.commune_code,
        "Email": "",
    });
    let office_address = match unit.address.clone().filter(|a| !a.trim().is_empty()) {
        Some(a) => a,
        None => format!(
            "{}, {}, {}",
            unit.name,
            area_name(db, &agency_commune).await?,
            area_name(db, &agency_province).await?
        ),
    };
    let office = json!({
        "Name": unit.name,
        "Address": office_address,
        "Tel": unit.hotline.clone().unwrap_or_default(),
        "Province": agency_province,
        "District": "",
        "Ward": agency_commune,
        "Email": "",
    });
    let (sender, receiver, what) = if s.kind == PAPERS {
        (&applicant, &office, "Hồ sơ giấy")
    } else {
        (&office, &applicant, "Kết quả giải quyết thủ tục hành chính")
    };
    let mut body = serde_json::Map::new();
    body.insert("CustomerCode".into(), json!(cfg.customer_code));
    body.insert("OrderNumber".into(), json!(order_number));
    body.insert("CODAmount".into(), json!(0));
    for (prefix, who) in [("Sender", sender), ("Receiver", receiver)] {
        for k in [
            "Name", "Address", "Tel", "Province", "District", "Ward", "Email",
        ] {
            body.insert(format!("{prefix}{k}"), who[k].clone());
        }
    }
    body.insert(
        "SenderDesc".into(),
        json!(format!("Mã hồ sơ {}", d.code.clone().unwrap_or_default())),
    );
    body.insert(
        "Description".into(),
        json!(format!(
            "{what} – hồ sơ {}",
            d.code.clone().unwrap_or_default()
        )),
    );
    body.insert("FlagConfig".into(), json!(2));
    Ok(Value::Object(body))
}

pub struct Post {
    pub cfg: PostConfig,
    http: reqwest::Client,
}

impl Post {
    pub fn new(cfg: PostConfig) -> Result<Self, String> {
        let http =
            super::npsp::http_client(TIMEOUT).map_err(|e| format!("post HTTP client: {e}"))?;
        Ok(Self { cfg, http })
    }

    /// For the integrations page: where orders go, never the token or the secret.
    pub fn describe(&self) -> String {
        format!(
            "Bưu chính / post (P-3.5), customer {}: {}",
            self.cfg.customer_code, self.cfg.url
        )
    }

    /// Sends one queued order and keeps the tracking number the post gives it.
    pub async fn deliver(&self, svc: &Services, payload: &Value) -> Result<(), String> {
        let order = payload.get("order").ok_or("payload has no order")?;
        let shipment_id = payload
            .get("shipment")
            .and_then(Value::as_i64)
            .and_then(|i| i32::try_from(i).ok())
            .ok_or("payload has no shipment")?;
        let mut item: Option<String> = None;
        outbox::post_logged(
            svc,
            (
                "post",
                "order",
                payload.get("dossier").and_then(Value::as_str),
            ),
            self.http
                .post(&self.cfg.url)
                .header("access_token", &self.cfg.token),
            order.to_string(),
            |status, text| {
                let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                let code = v.get("Status").and_then(|s| match s {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
                item = v
                    .get("ItemCode")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty() && s.len() <= 40)
                    .map(str::to_owned);
                match (status.is_success(), code.as_deref(), &item) {
                    (true, Some("100"), Some(_)) => Ok(()),
                    _ => Err(format!(
                        "post answered HTTP {} Status {}: {}",
                        status.as_u16(),
                        code.unwrap_or_else(|| "-".into()),
                        v.get("Message").and_then(Value::as_str).unwrap_or("")
                    )),
                }
            },
        )
        .await?;
        // Only a queued leg moves on: a callback may already have said more, or the dossier
        // ended meanwhile (then its cancellation follows this order in the outbox).
        shipment::Entity::update_many()
            .col_expr(shipment::Column::ItemCode, Expr::value(item))
            .col_expr(shipment::Column::Status, Expr::value("accepted"))
            .col_expr(shipment::Column::UpdatedAt, Expr::value(now()))
            .filter(shipment::Column::Id.eq(shipment_id))
            .filter(shipment::Column::Status.eq("queued"))
            .exec(&svc.db)
            .await
            .map_err(|e| format!("saving the tracking number: {e}"))?;
        Ok(())
    }
}

impl Post {
    /// Cancels one order (`{CustomerCode, OrderNumber}`, as OpenCPS's `cancelOrder`). The post
    /// answers `Status` `100` when it is cancelled, or when it already was; anything else is
    /// retried and ends as a dead letter an administrator sees.
    pub async fn cancel(&self, svc: &Services, payload: &Value) -> Result<(), String> {
        let url = self
            .cfg
            .cancel_url
            .as_deref()
            .ok_or("PORTAL_POST_CANCEL_URL is not set")?;
        let number = payload
            .get("order_number")
            .and_then(Value::as_str)
            .ok_or("payload has no order_number")?;
        let shipment_id = payload
            .get("shipment")
            .and_then(Value::as_i64)
            .and_then(|i| i32::try_from(i).ok())
            .ok_or("payload has no shipment")?;
        outbox::post_logged(
            svc,
            ("post", "cancel", Some(number)),
            self.http.post(url).header("access_token", &self.cfg.token),
            json!({ "CustomerCode": self.cfg.customer_code, "OrderNumber": number }).to_string(),
            |status, text| {
                let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                match (status.is_success(), status_text(&v).as_deref()) {
                    (true, Some("100")) => Ok(()),
                    (_, code) => Err(format!(
                        "post cancel answered HTTP {} Status {}: {}",
                        status.as_u16(),
                        code.unwrap_or("-"),
                        v.get("Message").and_then(Value::as_str).unwrap_or("")
                    )),
                }
            },
        )
        .await?;
        shipment::Entity::update_many()
            .col_expr(shipment::Column::Status, Expr::value("cancelled"))
            .col_expr(
                shipment::Column::StatusNote,
                Expr::value(Some("Đã huỷ yêu cầu thu gom với bưu điện.")),
            )
            .col_expr(shipment::Column::UpdatedAt, Expr::value(now()))
            .filter(shipment::Column::Id.eq(shipment_id))
            .exec(&svc.db)
            .await
            .map_err(|e| format!("saving the cancellation: {e}"))?;
        Ok(())
    }

    /// Asks the post for the reports of one order (`{CustomerCode, OrderNumber}` →
    /// `{Status: "100", Data: [{StatusCode, StatusMessage, Time, ItemCode}]}`) and keeps them as
    /// if they had come by callback; how many it kept.
    async fn track(&self, svc: &Services, number: &str) -> Result<usize, String> {
        let url = self
            .cfg
            .tracking_url
            .as_deref()
            .ok_or("PORTAL_POST_TRACKING_URL is not set")?;
        let mut answer = Value::Null;
        outbox::post_logged(
            svc,
            ("post", "tracking", Some(number)),
            self.http.post(url).header("access_token", &self.cfg.token),
            json!({ "CustomerCode": self.cfg.customer_code, "OrderNumber": number }).to_string(),
            |status, text| {
                answer = serde_json::from_str(text).unwrap_or(Value::Null);
                match (status.is_success(), status_text(&answer).as_deref()) {
                    (true, Some("100")) => Ok(()),
                    _ => Err(format!("post tracking answered HTTP {}", status.as_u16())),
                }
            },
        )
        .await?;
        let mut kept = 0;
        for r in answer["Data"].as_array().cloned().unwrap_or_default() {
            let mut r = r;
            r["OrderNumber"] = json!(number);
            match apply_report(svc, &r).await {
                Ok(()) => kept += 1,
                Err(e) => tracing::warn!("post tracking report for {number} not kept: {e:?}"),
            }
        }
        Ok(kept)
    }
}

/// `Status` as text whether the post sends it as a string or a number.
fn status_text(v: &Value) -> Option<String> {
    v.get("Status").and_then(|s| match s {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Polls the tracking of shipments the post has and whose status has not moved for
/// `min_age` seconds (a lost or delayed callback), oldest first, 20 a round; how many reports
/// it kept. Nothing when no tracking address is configured.
pub async fn poll_tracking(svc: &Services, min_age: i64) -> Result<usize, AppError> {
    let Some(post) = svc.integrations.post.clone() else {
        return Ok(0);
    };
    if post.cfg.tracking_url.is_none() {
        return Ok(0);
    }
    let stale = shipment::Entity::find()
        .filter(shipment::Column::Status.is_in(["accepted", "collected", "in_transit"]))
        .filter(shipment::Column::OrderNumber.is_not_null())
        .filter(shipment::Column::UpdatedAt.lte(now() - min_age))
        .order_by_asc(shipment::Column::UpdatedAt)
        .limit(20)
        .all(&svc.db)
        .await?;
    let mut kept = 0;
    for s in stale {
        let Some(number) = s.order_number.clone() else {
            continue;
        };
        match post.track(svc, &number).await {
            Ok(n) => kept += n,
            Err(e) => tracing::warn!("post tracking of {number}: {e}"),
        }
        // Asked: the next round asks others first, even if nothing new came.
        shipment::Entity::update_many()
            .col_expr(shipment::Column::UpdatedAt, Expr::value(now()))
            .filter(shipment::Column::Id.eq(s.id))
            .exec(&svc.db)
            .await?;
    }
    Ok(kept)
}

/// Why a tracking callback was refused; the handler answers with the status code.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 401: no or a wrong signature.
    Signature,
    /// 400: not the documented JSON.
    Malformed(String),
    /// 404: no such order here.
    UnknownOrder,
    /// 503: the database failed; the post sends the report again later.
    Busy,
}

/// A tracking report from the post. Verified, then kept once; the shipment's status follows
/// the newest report. Logged either way (EMC-2).
pub async fn callback(svc: &Services, body: &[u8], signature: &str) -> Result<(), Refusal> {
    let started = std::time::Instant::now();
    let outcome = take_report(svc, body, signature).await;
    let text = String::from_utf8_lossy(body);
    let subject = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        v.get("OrderNumber")
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    outbox::log(
        svc,
        outbox::Exchange {
            system: "post",
            direction: "in",
            operation: "tracking",
            subject: subject.as_deref(),
            ok: outcome.is_ok(),
            http_status: Some(match &outcome {
                Ok(()) => 200,
                Err(Refusal::Signature) => 401,
                Err(Refusal::Malformed(_)) => 400,
                Err(Refusal::UnknownOrder) => 404,
                Err(Refusal::Busy) => 503,
            }),
            duration_ms: started.elapsed().as_millis(),
            request: &text,
            response: &format!("{outcome:?}"),
        },
    )
    .await;
    outcome
}

async fn take_report(svc: &Services, body: &[u8], signature: &str) -> Result<(), Refusal> {
    let Some(post) = svc.integrations.post.as_ref() else {
        return Err(Refusal::UnknownOrder);
    };
    if !verify(&post.cfg.callback_secret, body, signature) {
        return Err(Refusal::Signature);
    }
    let v: Value =
        serde_json::from_slice(body).map_err(|_| Refusal::Malformed("body is not JSON".into()))?;
    apply_report(svc, &v).await
}

/// Keeps one tracking report (from a callback or from polling) once; the shipment's status
/// follows the newest report.
async fn apply_report(svc: &Services, v: &Value) -> Result<(), Refusal> {
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= 100)
            .ok_or_else(|| Refusal::Malformed(format!("{k} is missing")))
    };
    let order = text("OrderNumber")?;
    let time = text("Time")?;
    let at = parse_portal_time(time)
        .ok_or_else(|| Refusal::Malformed("Time is not yyyyMMddHHmmss".into()))?;
    let code = v
        .get("StatusCode")
        .and_then(|c| match c {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        })
        .ok_or_else(|| Refusal::Malformed("StatusCode is missing".into()))?;
    let status = status_of_code(code)
        .ok_or_else(|| Refusal::Malformed(format!("StatusCode {code} is not known")))?;
    let note: Option<String> = v
        .get("StatusMessage")
        .and_then(Value::as_str)
        .map(|s| s.chars().take(500).collect());
    let item = v
        .get("ItemCode")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 40)
        .map(str::to_owned);
    let internal = |e: sea_orm::DbErr| {
        tracing::error!("post callback: {e}");
        Refusal::Busy
    };
    let txn = svc.db.begin().await.map_err(internal)?;
    write_lock(&txn).await.map_err(|_| Refusal::Busy)?;
    let s = shipment::Entity::find()
        .filter(shipment::Column::OrderNumber.eq(order))
        .one(&txn)
        .await
        .map_err(internal)?
        .ok_or(Refusal::UnknownOrder)?;
    let latest = shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.eq(s.id))
        .order_by_desc(shipment_event::Column::At)
        .one(&txn)
        .await
        .map_err(internal)?
        .map(|e| e.at);
    let inserted = shipment_event::Entity::insert(shipment_event::ActiveModel {
        shipment_id: Set(s.id),
        code: Set(code as i32),
        note: Set(note.clone()),
        at: Set(at),
        received_at: Set(now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        shipment_event::Column::ShipmentId,
        shipment_event::Column::Code,
        shipment_event::Column::At,
    ])
    .exec_without_returning(&txn)
    .await
    .map_err(internal)?;
    let inserted = matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0);
    if inserted && latest.is_none_or(|l| at >= l) {
        let mut q = shipment::Entity::update_many()
            .col_expr(shipment::Column::Status, Expr::value(status))
            .col_expr(shipment::Column::StatusNote, Expr::value(note))
            .col_expr(shipment::Column::UpdatedAt, Expr::value(now()));
        if s.item_code.is_none() {
            q = q.col_expr(shipment::Column::ItemCode, Expr::value(item));
        }
        q.filter(shipment::Column::Id.eq(s.id))
            .exec(&txn)
            .await
            .map_err(internal)?;
    }
    txn.commit().await.map_err(internal)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_signatures_verify_only_their_body() {
        let body = br#"{"OrderNumber":"A-KQ","StatusCode":4}"#;
        let sig = sign("secret", body);
        assert!(verify("secret", body, &sig));
        assert!(verify("secret", body, &sig.to_uppercase()));
        assert!(!verify("other", body, &sig));
        assert!(!verify(
            "secret",
            br#"{"OrderNumber":"A-KQ","StatusCode":5}"#,
            &sig
        ));
        assert!(!verify("secret", body, ""));
        assert!(!verify("secret", body, &"zz".repeat(32)));
    }

    #[test]
    fn portal_times_read_as_vietnam_time() {
        // 2026-12-02 08:30:00 in Hà Nội is 01:30 UTC.
        let t = parse_portal_time("20261202083000").unwrap_or_default();
        assert_eq!(super::super::npsp::portal_time(t), "20261202083000");
        assert_eq!(t % 86_400, 3600 + 1800);
        assert_eq!(parse_portal_time("20261302083000"), None);
        assert_eq!(parse_portal_time("2026120208300"), None);
        assert_eq!(parse_portal_time("20261202246000"), None);
        assert_eq!(parse_portal_time("2026120208300x"), None);
    }

    #[test]
    fn tracking_codes_map_to_statuses() {
        assert_eq!(status_of_code(4), Some("delivered"));
        assert_eq!(status_of_code(1), Some("accepted"));
        assert_eq!(status_of_code(0), None);
        assert_eq!(status_of_code(8), None);
    }
}
