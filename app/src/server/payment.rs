//! Online payment of fees (P-3.6) behind one gateway trait. An officer asks for a fee (status
//! 6, with the amount); the applicant pays from the dossier page: a `payment` row is written
//! and the browser goes to the gateway with a signed order. The gateway's server-to-server
//! notification (IPN) is the only thing that marks a payment paid: its signature, merchant,
//! order and amount are checked, the row moves from pending exactly once (a replayed or
//! duplicated notification changes nothing and is answered "already confirmed"), and in the
//! same transaction the dossier takes its "paid" step, so the clock restarts and the NPSP is
//! told. The browser's return address only shows what the database says.
use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use entity::{dossier, payment, procedure};

use super::auth::{invalid, now, RequestMeta};
use super::work::Who;
use super::{write_lock, Services};
use crate::domain::account::Principal;
use crate::domain::dossier::Status;
use crate::domain::workflow::ActionKind;
use crate::error::AppError;

pub const PENDING: &str = "pending";
pub const PAID: &str = "paid";
pub const FAILED: &str = "failed";

/// Refunds go to the gateway through the outbox: asked for in the officer's transaction,
/// delivered (and retried) by the worker.
pub const REFUND_TOPIC: &str = "payment.refund";
pub const REFUND_REQUESTED: &str = "requested";
pub const REFUNDED: &str = "refunded";
pub const REFUND_FAILED: &str = "failed";

/// A gateway's answer to a refund request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefundAnswer {
    /// Accepted: the gateway's refund transaction.
    Done { txn: String },
    /// A final no (the transaction is unknown there, already refunded, refused by the bank):
    /// asking again would not change it, so it is shown to the officer rather than retried.
    Refused { message: String },
}

/// An order as the gateway is told of it.
pub struct Order {
    pub txn_ref: String,
    /// Đồng.
    pub amount: i64,
    pub info: String,
    pub created_at: i64,
    pub ip: String,
    pub return_url: String,
    pub english: bool,
    /// What the bill (biên lai) names, for gateways that issue it (PayGov).
    pub bill: Bill,
}

/// The dossier side of an order.
#[derive(Clone, Debug, Default)]
pub struct Bill {
    pub dossier_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub payer_name: String,
}

/// A gateway's word on an order, its signature checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Callback {
    pub txn_ref: String,
    pub amount: i64,
    pub success: bool,
    pub response_code: String,
    pub gateway_txn: String,
    pub bank_code: String,
    pub pay_date: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallbackError {
    /// Unsigned, wrongly signed, or for another merchant.
    Signature,
    Amount,
}

/// What every payment gateway adapter does: VNPay (a signed redirect) and the NPSP payment
/// platform (an order registered server to server first), both confirmed by a server-to-server
/// notification.
pub trait Gateway: Send + Sync {
    fn name(&self) -> &'static str;
    /// What the pay button calls it (Vietnamese, English).
    fn label(&self) -> (&'static str, &'static str);
    /// Where to send the browser to pay `order` (registering the order first where the
    /// gateway wants that); an error when the gateway cannot be reached or refuses.
    fn pay_url<'a>(
        &'a self,
        svc: &'a Services,
        order: &'a Order,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, String>> + Send + 'a>>;
    /// Checks a notification's or return's signature and reads it.
    fn read_callback(&self, params: &BTreeMap<String, String>) -> Result<Callback, CallbackError>;
    /// The body that answers notification `params` with one of the reply codes: 00
    /// confirmed, 01 order not found, 02 already confirmed, 04 wrong amount, 97 bad
    /// signature, 99 other.
    fn ipn_reply(&self, code: &str, params: &BTreeMap<String, String>) -> String;
    /// The gateway's origin (`https://host[:port]`): the pay form's redirect goes there, so
    /// the pages' CSP `form-action` must name it.
    fn origin(&self) -> String;
    /// Asks the gateway what became of `order`, whose notification never came: `Some` with
    /// its checked answer when the order is final there (paid or failed), `None` while it is
    /// open or the gateway has no query configured.
    fn query<'a>(
        &'a self,
        svc: &'a Services,
        order: &'a payment::Model,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Option<Callback>, String>> + Send + 'a>,
    >;
    /// This portal's code at the gateway (VNPay's `vnp_TmnCode`, PayGov's `MaDoiTac`).
    fn merchant(&self) -> &str;
    /// Whether fees can be paid back through this gateway's API ([`Gateway::refund`]).
    fn refunds(&self) -> bool {
        false
    }
    /// Asks the gateway to pay `order` back in full, on behalf of `by` (the officer), as
    /// request `request_id` (the same on every delivery of one request). An error (gateway
    /// unreachable, busy, an answer that does not check out) is worth retrying;
    /// [`RefundAnswer::Refused`] is final.
    fn refund<'a>(
        &'a self,
        _svc: &'a Services,
        _order: &'a payment::Model,
        _by: &'a str,
        _request_id: &'a str,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<RefundAnswer, String>> + Send + 'a>,
    > {
        Box::pin(async { Err("this gateway has no refund API".to_owned()) })
    }
}

/// How old (seconds) an order without a notification must be before the gateway is asked:
/// VNPay's payment page expires after 15 minutes.
pub const QUERY_AFTER: i64 = 15 * 60;
/// Orders are asked about for a day; older ones are the reconciliation's to look into.
pub const QUERY_FOR: i64 = 24 * 3600;
/// An order the gateway does not know this long after it was made was never paid.
pub const UNKNOWN_AFTER: i64 = 30 * 60;

/// P-3.6: a notification lost on the way (the gateway down, the portal down, a network cut)
/// must not leave a paid fee unrecorded and the dossier waiting. Pending orders older than
/// `min_age` seconds (and younger than a day) are asked about, at most 20 a round; the answer
/// settles them exactly as the notification would have. Returns how many were settled.
pub async fn requery_stale(svc: &Services, min_age: i64) -> Result<usize, AppError> {
    let Some(gw) = svc.integrations.payment.as_deref() else {
        return Ok(0);
    };
    let t = now();
    let stale = payment::Entity::find()
        .filter(payment::Column::Status.eq(PENDING))
        .filter(payment::Column::Gateway.eq(gw.name()))
        .filter(payment::Column::CreatedAt.lte(t - min_age))
        .filter(payment::Column::CreatedAt.gt(t - QUERY_FOR))
        // Bills the NPSP pulled (no local payer) stay open until the platform confirms them:
        // the citizen may pay days later, so "unknown after 30 minutes" does not hold there.
        .filter(payment::Column::PayerId.is_not_null())
        .order_by_asc(payment::Column::Id)
        .limit(20)
        .all(&svc.db)
        .await?;
    let mut settled = 0;
    for p in stale {
        match gw.query(svc, &p).await {
            Ok(Some(cb)) if cb.txn_ref == p.txn_ref => {
                if apply(svc, gw, &cb).await? == "00" {
                    settled += 1;
                }
            }
            Ok(Some(_)) => tracing::warn!("payment query for {} answered another order", p.txn_ref),
            Ok(None) => {}
            Err(e) => tracing::warn!("payment query for {} failed: {e}", p.txn_ref),
        }
    }
    Ok(settled)
}

/// `scheme://host[:port]` of an absolute URL.
pub fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            format!("{scheme}://{host}")
        }
        None => String::new(),
    }
}

fn gateway(svc: &Services) -> Result<&dyn Gateway, AppError> {
    svc.integrations.payment.as_deref().ok_or_else(|| {
        invalid(
            "form",
            "Cổng thanh toán trực tuyến chưa được cấu hình; vui lòng nộp phí tại bộ phận một cửa.",
            "Online payment is not configured; please pay at the one-stop counter.",
        )
    })
}

/// The applicant's own dossier that waits for a fee, and the fee.
async fn payable(
    svc: &Services,
    p: &Principal,
    id: i32,
) -> Result<(dossier::Model, i64), AppError> {
    let d = dossier::Entity::find_by_id(id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if d.applicant_id != Some(p.user_id) {
        return Err(AppError::NotFound);
    }
    match (Status::from_code(d.status), d.fee_due) {
        (Some(Status::PaymentRequested), Some(fee)) if fee > 0 => Ok((d, fee)),
        _ => Err(invalid(
            "form",
            "Hồ sơ này hiện không có khoản phí nào cần nộp.",
            "This dossier has no fee to pay now.",
        )),
    }
}

/// What the bill of dossier `d` names, and the order's description (ASCII: gateways take no
/// diacritics there).
pub(crate) async fn bill_of(
    svc: &Services,
    d: &dossier::Model,
) -> Result<(Bill, String), AppError> {
    let proc = procedure::Entity::find_by_id(d.procedure_id)
        .one(&svc.db)
        .await?;
    let name = proc.as_ref().map(|x| x.name.clone()).unwrap_or_default();
    let code = d.code.clone().unwrap_or_default();
    let unit = entity::agency::Entity::find_by_id(d.agency_id)
        .one(&svc.db)
        .await?;
    let info: String = format!("Nop phi ho so {code} {}", crate::domain::text::fold(&name))
        .chars()
        .take(255)
        .collect();
    let bill = Bill {
        dossier_code: code,
        procedure_code: proc.map(|x| x.code).unwrap_or_default(),
        procedure_name: name,
        unit_code: unit
            .as_ref()
            .and_then(|u| u.code.clone())
            .unwrap_or_default(),
        unit_name: unit.map(|u| u.name).unwrap_or_default(),
        payer_name: d.applicant_name.clone(),
    };
    Ok((bill, info))
}

/// Starts a payment: records the order and returns the gateway address to send the browser
/// to.
pub async fn start(
    svc: &Services,
    p: &Principal,
    id: i32,
    english: bool,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let (d, fee) = payable(svc, p, id).await?;
    let gw = gateway(svc)?;
    let t = now();
    // Letters and digits only, unique: the dossier, the second, and a random tail.
    let txn_ref = format!("{}T{t}R{:04}", d.id, rand::random::<u16>() % 10_000);
    let (bill, info) = bill_of(svc, &d).await?;
    let order = Order {
        txn_ref: txn_ref.clone(),
        amount: fee,
        info,
        created_at: t,
        ip: meta.ip.clone().unwrap_or_else(|| "127.0.0.1".into()),
        return_url: format!(
            "{}/thanh-toan/{}/ket-qua",
            svc.auth.public_url.trim_end_matches('/'),
            gw.name()
        ),
        english,
        bill,
    };
    // The order is registered with the gateway before it is recorded here: a gateway that
    // refuses or cannot be reached leaves no pending payment behind.
    let url = gw.pay_url(svc, &order).await.map_err(|e| {
        tracing::warn!("payment of dossier {} not started: {e}", d.id);
        invalid(
            "form",
            "Chưa kết nối được cổng thanh toán; vui lòng thử lại sau ít phút hoặc nộp phí tại bộ phận một cửa.",
            "The payment gateway could not be reached; try again in a few minutes or pay at the one-stop counter.",
        )
    })?;
    payment::ActiveModel {
        dossier_id: Set(d.id),
        payer_id: Set(Some(p.user_id)),
        gateway: Set(gw.name().into()),
        txn_ref: Set(txn_ref.clone()),
        amount: Set(fee),
        status: Set(PENDING.into()),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&svc.db)
    .await?;
    Ok(url)
}

/// The electronic receipt of a settled online payment (biên lai thu phí, lệ phí, P-3.6) as a
/// PDF: for the dossier's applicant (`officer` false) or an officer of the unit handling it.
/// Only a paid payment has one. Returns the file name and the bytes.
pub async fn receipt_pdf(
    svc: &Services,
    p: &Principal,
    dossier_id: i32,
    payment_id: i32,
    officer: bool,
) -> Result<(String, Vec<u8>), AppError> {
    let d = if officer {
        super::dossier::handled_by(svc, p, dossier_id).await?
    } else {
        super::dossier::owned(svc, p, dossier_id).await?
    };
    let pay = payment::Entity::find_by_id(payment_id)
        .filter(payment::Column::DossierId.eq(d.id))
        .filter(payment::Column::Status.eq("paid"))
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let code = d.code.clone().ok_or(AppError::NotFound)?;
    let unit = entity::agency::Entity::find_by_id(d.agency_id)
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let parent = match unit.parent_id {
        Some(pid) => entity::agency::Entity::find_by_id(pid).one(&svc.db).await?,
        None => None,
    };
    let number = format!("{:07}", pay.id);
    let paid_at = pay.settled_at.unwrap_or(pay.created_at);
    let s = super::pdf::Slip {
        agency_parent: parent.map(|a| a.name).unwrap_or_default(),
        agency: unit.name,
        code: code.clone(),
        title: "Biên lai thu phí, lệ phí".into(),
        fields: vec![
            ("Số biên lai:".into(), number.clone()),
            ("Người nộp:".into(), d.applicant_name.clone()),
            ("Hồ sơ:".into(), code.clone()),
            ("Thủ tục:".into(), svc.procedure_name(d.procedure_id)),
            (
                "Nội dung thu:".into(),
                format!("Phí, lệ phí giải quyết hồ sơ {code}"),
            ),
            (
                "Số tiền:".into(),
                crate::domain::dossier::vnd(pay.amount),
            ),
            (
                "Bằng chữ:".into(),
                crate::domain::dossier::vnd_words(pay.amount),
            ),
            (
                "Hình thức thanh toán:".into(),
                format!("Trực tuyến qua {}", pay.gateway.to_uppercase()),
            ),
            (
                "Mã giao dịch:".into(),
                format!(
                    "{} (mã đơn hàng {})",
                    pay.gateway_txn.clone().unwrap_or_default(),
                    pay.txn_ref
                ),
            ),
            (
                "Thời điểm thanh toán:".into(),
                crate::domain::calendar::time_vn(paid_at),
            ),
        ],
        paragraphs: vec![
            "Biên lai điện tử lập từ giao dịch thanh toán trực tuyến đã được cổng thanh toán xác nhận. Tra cứu hồ sơ bằng mã QR dưới đây.".into(),
        ],
        table: Vec::new(),
        lookup_url: Some(format!("{}/tra-cuu-ho-so?ma={code}", svc.auth.public_url)),
    };
    let bytes = tokio::task::spawn_blocking(move || super::pdf::slip(&s))
        .await
        .map_err(crate::error::internal)?
        .map_err(crate::error::internal)?;
    Ok((format!("bien-lai-{number}-{code}.pdf"), bytes))
}

/// Handles the gateway's server-to-server notification; returns the reply body.
pub async fn notify(svc: &Services, params: &BTreeMap<String, String>) -> Result<String, AppError> {
    let Some(gw) = svc.integrations.payment.as_deref() else {
        return Err(AppError::NotFound);
    };
    let started = std::time::Instant::now();
    let code = settle(svc, gw, params).await?;
    let reply = gw.ipn_reply(code, params);
    super::outbox::log(
        svc,
        super::outbox::Exchange {
            system: gw.name(),
            direction: "in",
            operation: "ipn",
            subject: params
                .get("vnp_TxnRef")
                .or_else(|| params.get("MaThamChieu"))
                .map(String::as_str),
            ok: code == "00",
            http_status: Some(200),
            duration_ms: started.elapsed().as_millis(),
            request: &serde_json::to_string(params).unwrap_or_default(),
            response: &reply,
        },
    )
    .await;
    Ok(reply)
}

async fn settle(
    svc: &Services,
    gw: &dyn Gateway,
    params: &BTreeMap<String, String>,
) -> Result<&'static str, AppError> {
    match gw.read_callback(params) {
        Ok(cb) => apply(svc, gw, &cb).await,
        Err(CallbackError::Signature) => Ok("97"),
        Err(CallbackError::Amount) => Ok("04"),
    }
}

/// Records a gateway's checked word on an order: the payment leaves pending once, and a paid
/// one moves the dossier on in the same transaction. Returns the reply code.
async fn apply(svc: &Services, gw: &dyn Gateway, cb: &Callback) -> Result<&'static str, AppError> {
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    let Some(pay) = payment::Entity::find()
        .filter(payment::Column::TxnRef.eq(cb.txn_ref.clone()))
        .filter(payment::Column::Gateway.eq(gw.name()))
        .one(&txn)
        .await?
    else {
        return Ok("01");
    };
    if pay.amount != cb.amount {
        return Ok("04");
    }
    if pay.status != PENDING {
        return Ok("02");
    }
    let t = now();
    let r = payment::Entity::update_many()
        .col_expr(
            payment::Column::Status,
            Expr::value(if cb.success { PAID } else { FAILED }),
        )
        .col_expr(payment::Column::SettledAt, Expr::value(Some(t)))
        .col_expr(
            payment::Column::ResponseCode,
            Expr::value(Some(cb.response_code.clone())),
        )
        .col_expr(
            payment::Column::GatewayTxn,
            Expr::value(Some(cb.gateway_txn.clone())),
        )
        .col_expr(
            payment::Column::BankCode,
            Expr::value(Some(cb.bank_code.clone())),
        )
        .col_expr(
            payment::Column::PayDate,
            Expr::value(Some(cb.pay_date.clone())),
        )
        .filter(payment::Column::Id.eq(pay.id))
        .filter(payment::Column::Status.eq(PENDING))
        .exec(&txn)
        .await?;
    if r.rows_affected == 0 {
        return Ok("02");
    }
    if cb.success {
        let d = dossier::Entity::find_by_id(pay.dossier_id)
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        // The dossier may have left the payment state meanwhile (paid at the counter, stopped):
        // the money is recorded all the same, for reconciliation and refund.
        if Status::from_code(d.status) == Some(Status::PaymentRequested) {
            super::work::step(
                svc,
                &txn,
                &d,
                ActionKind::Pay,
                &Who::Applicant(pay.payer_id),
                Some(format!(
                    "Đã thanh toán trực tuyến {} đồng qua {} (mã giao dịch {})",
                    pay.amount,
                    gw.name(),
                    cb.gateway_txn
                )),
                |q| q,
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok("00")
}

/// What the browser's return from the gateway shows: the dossier and the payment as the
/// database has it (the notification may come a moment later).
pub async fn returned(
    svc: &Services,
    p: &Principal,
    params: &BTreeMap<String, String>,
) -> Result<(i32, String), AppError> {
    let gw = svc
        .integrations
        .payment
        .as_deref()
        .ok_or(AppError::NotFound)?;
    let cb = gw.read_callback(params).map_err(|_| {
        invalid(
            "form",
            "Kết quả thanh toán không hợp lệ (sai chữ ký).",
            "The payment result is not valid (bad signature).",
        )
    })?;
    let pay = payment::Entity::find()
        .filter(payment::Column::TxnRef.eq(cb.txn_ref))
        .one(&svc.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if pay.payer_id != Some(p.user_id) {
        return Err(AppError::NotFound);
    }
    Ok((pay.dossier_id, pay.status))
}

/// Whether `pay`, one of a dossier's payments `all`, may be refunded now. P-3.6 leaves the
/// rule to the system; this one follows the fee law's principle that a fee is owed for a
/// service rendered (Law on Fees and Charges 2015, art. 4):
/// - the dossier ended without being dealt with: refused at intake (3), stopped (8) or
///   withdrawn by the applicant (7, once the withdrawal is accepted);
/// - or the payment is a duplicate: an earlier payment of the same dossier is paid and not
///   being paid back.
///
/// Only full refunds are made: a refund is delivered at least once, and the gateway refuses a
/// second full refund of the same transaction, so a retry can never pay out twice.
pub fn refund_allowed(d: &dossier::Model, all: &[payment::Model], pay: &payment::Model) -> bool {
    let settled = |x: &payment::Model| {
        x.status == PAID
            && !matches!(
                x.refund_status.as_deref(),
                Some(REFUND_REQUESTED | REFUNDED)
            )
    };
    if !settled(pay) {
        return false;
    }
    // A withdrawal keeps status 7 at its end; only a finished one counts.
    let ended = match Status::from_code(d.status) {
        Some(Status::Refused | Status::Stopped) => true,
        Some(Status::WithdrawalRequested) => d.finished_at.is_some(),
        _ => false,
    };
    ended || all.iter().any(|x| x.id < pay.id && settled(x))
}

/// Whether the officer may ask for refunds on the dossier (one-stop officers and leaders of
/// the unit holding it: they receive and account for fees) through the configured gateway.
pub fn may_refund(svc: &Services, p: &Principal, d: &dossier::Model) -> bool {
    use crate::domain::account::Role;
    let unit = d.unit_id.unwrap_or(d.agency_id);
    svc.integrations
        .payment
        .as_deref()
        .is_some_and(|g| g.refunds())
        && p.roles_in(unit)
            .iter()
            .any(|r| matches!(r, Role::OneStopOfficer | Role::UnitLeader))
}

/// Officer: asks the gateway to pay back payment `payment_id` of dossier `dossier_id`, with
/// the reason. The request is recorded and queued in one transaction; the outbox worker
/// delivers it ([`deliver_refund`]) and the dossier's pages follow it.
pub async fn refund(
    svc: &Services,
    p: &Principal,
    dossier_id: i32,
    payment_id: Option<i32>,
    reason: &str,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let d = super::dossier::handled_by(svc, p, dossier_id).await?;
    if !may_refund(svc, p, &d) {
        return Err(AppError::Forbidden);
    }
    let payment_id = payment_id.ok_or(AppError::NotFound)?;
    let reason = reason.trim();
    if !(5..=500).contains(&reason.chars().count()) {
        return Err(invalid(
            "refund_reason",
            "Hãy ghi lý do hoàn trả phí (từ 5 đến 500 ký tự).",
            "Give the reason for the refund (5 to 500 characters).",
        ));
    }
    let gw = gateway(svc)?;
    let t = now();
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    // Read again under the lock: the dossier and its payments as they are now.
    let d = dossier::Entity::find_by_id(d.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = payment::Entity::find()
        .filter(payment::Column::DossierId.eq(d.id))
        .all(&txn)
        .await?;
    let pay = all
        .iter()
        .find(|x| x.id == payment_id)
        .ok_or(AppError::NotFound)?;
    if pay.gateway != gw.name() {
        return Err(invalid(
            "form",
            "Khoản phí này được nộp qua một cổng thanh toán khác; vui lòng hoàn trả tại bộ phận một cửa.",
            "This fee was paid through another gateway; please refund it at the one-stop counter.",
        ));
    }
    if !refund_allowed(&d, &all, pay) {
        return Err(invalid(
            "form",
            "Chỉ hoàn trả khoản phí đã nộp của hồ sơ bị từ chối, dừng giải quyết hoặc đã rút, hoặc khoản nộp trùng; khoản đã hoặc đang được hoàn trả không hoàn lại lần nữa.",
            "Only a fee paid for a refused, stopped or withdrawn dossier, or paid twice, is refunded, and only once.",
        ));
    }
    payment::Entity::update_many()
        .col_expr(
            payment::Column::RefundStatus,
            Expr::value(Some(REFUND_REQUESTED)),
        )
        .col_expr(
            payment::Column::RefundReason,
            Expr::value(Some(reason.to_owned())),
        )
        .col_expr(payment::Column::RefundBy, Expr::value(Some(p.user_id)))
        .col_expr(payment::Column::RefundRequestedAt, Expr::value(Some(t)))
        .col_expr(
            payment::Column::RefundMessage,
            Expr::value(Option::<String>::None),
        )
        .filter(payment::Column::Id.eq(pay.id))
        .exec(&txn)
        .await?;
    // The officer's name as VNPay's `vnp_CreateBy` wants it: plain ASCII.
    let by: String = crate::domain::text::unaccent(&p.full_name)
        .chars()
        .take(100)
        .collect();
    // One id per request, kept by every delivery of it: letters and digits, at most 32.
    let request = format!("HT{}T{t}R{:04}", pay.id, rand::random::<u16>() % 10_000);
    super::outbox::enqueue(
        &txn,
        REFUND_TOPIC,
        &format!("payment:refund:{request}"),
        &serde_json::json!({ "payment": pay.id, "by": by, "request": request }),
    )
    .await?;
    txn.commit().await?;
    let _ = svc
        .audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: "payment.refund.request".into(),
                object_type: Some("dossier".into()),
                object_id: d.code.clone(),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: Some(serde_json::json!({
                    "payment": pay.id, "amount": pay.amount, "reason": reason,
                })),
            },
        )
        .await;
    Ok(())
}

/// The outbox's delivery of a refund request: asks the gateway and records its answer. A
/// request already answered (a second delivery) is left as it is.
pub async fn deliver_refund(svc: &Services, payload: &serde_json::Value) -> Result<(), String> {
    let gw = svc
        .integrations
        .payment
        .as_deref()
        .ok_or("no payment gateway is configured on this instance")?;
    let id = payload
        .get("payment")
        .and_then(serde_json::Value::as_i64)
        .and_then(|i| i32::try_from(i).ok())
        .ok_or("payload has no payment")?;
    let text = |k: &str| {
        payload
            .get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    };
    let (by, request) = (text("by"), text("request"));
    if request.is_empty() {
        return Err("payload has no request id".into());
    }
    let pay = payment::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no such payment")?;
    if pay.refund_status.as_deref() != Some(REFUND_REQUESTED) {
        return Ok(());
    }
    let answer = gw.refund(svc, &pay, by, request).await?;
    let t = now();
    let (status, refund_txn, message) = match &answer {
        RefundAnswer::Done { txn } => (REFUNDED, Some(txn.clone()), None),
        RefundAnswer::Refused { message } => (REFUND_FAILED, None, Some(message.clone())),
    };
    let record = async {
        let txn = svc.db.begin().await?;
        write_lock(&txn).await?;
        let r = payment::Entity::update_many()
            .col_expr(payment::Column::RefundStatus, Expr::value(Some(status)))
            .col_expr(payment::Column::RefundTxn, Expr::value(refund_txn))
            .col_expr(payment::Column::RefundMessage, Expr::value(message))
            .col_expr(
                payment::Column::RefundedAt,
                Expr::value((status == REFUNDED).then_some(t)),
            )
            .filter(payment::Column::Id.eq(pay.id))
            .filter(payment::Column::RefundStatus.eq(REFUND_REQUESTED))
            .exec(&txn)
            .await?;
        // P-3.2: the applicant hears that the money is on its way back.
        let mut notice = None;
        if r.rows_affected == 1 && status == REFUNDED {
            if let Some(d) = dossier::Entity::find_by_id(pay.dossier_id)
                .one(&txn)
                .await?
            {
                let code = d.code.clone().unwrap_or_default();
                let amount = crate::domain::dossier::vnd(pay.amount);
                notice = Some(
                    super::dossier::queue_notice(
                        svc,
                        &txn,
                        &d,
                        format!(
                            "Cơ quan đã hoàn trả {amount} phí, lệ phí của hồ sơ {code} qua {}.",
                            gw.label().0
                        ),
                        format!(
                            "The agency refunded the {amount} fee of dossier {code} through {}.",
                            gw.label().1
                        ),
                    )
                    .await?,
                );
            }
        }
        txn.commit().await?;
        Ok::<_, AppError>(notice)
    };
    match record.await {
        Ok(Some(n)) => {
            n.send(svc).await;
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => Err(format!(
            "refund of payment {} answered but not recorded: {e}",
            pay.id
        )),
    }
}

/// The payments of a dossier, newest first (for its page and the receipt).
pub async fn of_dossier(svc: &Services, id: i32) -> Result<Vec<payment::Model>, AppError> {
    Ok(payment::Entity::find()
        .filter(payment::Column::DossierId.eq(id))
        .order_by_desc(payment::Column::Id)
        .all(&svc.db)
        .await?)
}
