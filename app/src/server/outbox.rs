//! Transactional outbox and integration log (B-m, EMC-2).
//!
//! A change that another system must hear about writes an `outbox_message` in its own
//! transaction ([`enqueue`]); the message exists exactly when the change does. Workers on any
//! number of app instances claim due messages with a lease ([`claim`]; PostgreSQL skips rows
//! another worker holds with `FOR UPDATE SKIP LOCKED`), deliver them through the adapter of
//! their topic, and settle them: delivered, or retried later with exponential backoff, or after
//! [`MAX_ATTEMPTS`] marked dead for an administrator to retry. A worker that dies mid-delivery
//! leaves its lease to expire and another takes the message again, so delivery is at least
//! once; adapters make their receivers' effects idempotent (see `npsp`).
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use entity::{integration_log, outbox_message};

use super::auth::{now, RequestMeta};
use super::{write_lock, Services};
use crate::domain::account::{Permission, Principal};
use crate::domain::integration::{LogRow, MessageRow, OutboxView};
use crate::error::AppError;

/// As OpenCPS's publish queue (MAX_RETRY = 10): with the backoff below the last attempt comes
/// about 8.5 hours after the first.
pub const MAX_ATTEMPTS: i32 = 10;
/// EMC-2: the integration log is kept at least one year.
pub const LOG_KEEP_DAYS: i64 = 366;
/// How much of a request or response body the log keeps.
const LOG_CLIP: usize = 8000;

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const DEAD: &str = "dead";

/// Seconds before attempt `n + 1` after `n` failed ones: 30 s doubling, at most 4 hours.
pub fn backoff(attempts: i32) -> i64 {
    let n = attempts.clamp(1, 20) as u32 - 1;
    std::cmp::Ord::min(30i64 << n, 4 * 3600)
}

/// Queues a message in the caller's transaction. The same key is queued once.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    topic: &str,
    key: &str,
    payload: &serde_json::Value,
) -> Result<(), AppError> {
    let t = now();
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        topic: Set(topic.into()),
        key: Set(key.into()),
        payload: Set(payload.to_string()),
        status: Set(PENDING.into()),
        attempts: Set(0),
        next_at: Set(t),
        created_at: Set(t),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([outbox_message::Column::Key])
    .exec(db)
    .await?;
    Ok(())
}

/// Takes up to `n` due messages for `lease` seconds and counts the attempt.
pub async fn claim(
    svc: &Services,
    n: u64,
    lease: i64,
) -> Result<Vec<outbox_message::Model>, AppError> {
    use outbox_message::Column as C;
    let t = now();
    // Most rounds find nothing: look without the write lock first (partners' webhooks keep a
    // worker running on every instance, even where no adapter is configured).
    // An instance takes only messages it has an adapter for: one without the NPSP configured
    // must not fail the NPSP's messages another instance would deliver.
    let topics = svc.integrations.topics();
    let due = outbox_message::Entity::find()
        .filter(C::Topic.is_in(topics.clone()))
        .filter(C::Status.eq(PENDING))
        .filter(C::NextAt.lte(t))
        .filter(C::LockedUntil.is_null().or(C::LockedUntil.lt(t)))
        .count(&svc.db)
        .await?;
    if due == 0 {
        return Ok(Vec::new());
    }
    let txn = svc.db.begin().await?;
    write_lock(&txn).await?;
    let mut q = outbox_message::Entity::find()
        .filter(C::Topic.is_in(topics))
        .filter(C::Status.eq(PENDING))
        .filter(C::NextAt.lte(t))
        .filter(C::LockedUntil.is_null().or(C::LockedUntil.lt(t)))
        .order_by_asc(C::Id)
        .limit(n);
    if txn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = q.all(&txn).await?;
    if rows.is_empty() {
        return Ok(rows);
    }
    outbox_message::Entity::update_many()
        .col_expr(C::LockedUntil, Expr::value(Some(t + lease)))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .filter(C::Id.is_in(rows.iter().map(|m| m.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(rows
        .into_iter()
        .map(|mut m| {
            m.attempts += 1;
            m.locked_until = Some(t + lease);
            m
        })
        .collect())
}

/// Records the outcome of one attempt.
pub async fn settle(
    svc: &Services,
    m: &outbox_message::Model,
    outcome: Result<(), String>,
) -> Result<(), AppError> {
    use outbox_message::Column as C;
    let t = now();
    let q = outbox_message::Entity::update_many()
        .col_expr(C::LockedUntil, Expr::value(Option::<i64>::None))
        .filter(C::Id.eq(m.id))
        .filter(C::Status.eq(PENDING));
    let q = match outcome {
        Ok(()) => q
            .col_expr(C::Status, Expr::value(DELIVERED))
            .col_expr(C::DeliveredAt, Expr::value(Some(t)))
            .col_expr(C::LastError, Expr::value(Option::<String>::None)),
        Err(e) => {
            let e: String = e.chars().take(1000).collect();
            let q = q.col_expr(C::LastError, Expr::value(Some(e)));
            if m.attempts >= MAX_ATTEMPTS {
                q.col_expr(C::Status, Expr::value(DEAD))
            } else {
                q.col_expr(C::NextAt, Expr::value(t + backoff(m.attempts)))
            }
        }
    };
    q.exec(&svc.db).await?;
    Ok(())
}

/// Delivers one message through its topic's adapter.
async fn deliver(svc: &Services, m: &outbox_message::Model) -> Result<(), String> {
    let payload: serde_json::Value =
        serde_json::from_str(&m.payload).map_err(|e| format!("payload: {e}"))?;
    match m.topic.as_str() {
        super::npsp::TOPIC => match &svc.integrations.npsp {
            Some(n) => n.deliver(svc, &payload).await,
            None => Err("NPSP is not configured on this instance".into()),
        },
        super::sms::TOPIC => match &svc.integrations.sms {
            Some(s) => s.deliver(svc, &payload).await,
            None => Err("SMS is not configured on this instance".into()),
        },
        super::post::TOPIC => match &svc.integrations.post {
            Some(p) => p.deliver(svc, &payload).await,
            None => Err("the post is not configured on this instance".into()),
        },
        super::post::CANCEL_TOPIC => match &svc.integrations.post {
            Some(p) => p.cancel(svc, &payload).await,
            None => Err("the post is not configured on this instance".into()),
        },
        super::api::TOPIC => super::api::deliver(svc, &payload).await,
        super::payment::REFUND_TOPIC => super::payment::deliver_refund(svc, &payload).await,
        super::lienthong::TOPIC => super::lienthong::deliver(svc, &payload).await,
        super::emc::TOPIC => match &svc.integrations.emc {
            Some(e) => e.deliver(svc, &payload).await,
            None => Err("EMC is not configured on this instance".into()),
        },
        other => Err(format!("no adapter for topic {other}")),
    }
}

/// Queues a dossier event, in the caller's transaction, for every adapter that takes dossier
/// events on this instance (the NPSP push, B-m; postal orders, P-3.5; partners' webhooks, G-5;
/// the EMC push, EMC-1). The workflow calls this once per event; a new subscriber is added
/// here, not at every call site.
pub async fn on_dossier_event(
    svc: &Services,
    db: &impl ConnectionTrait,
    dossier_id: i32,
    event_id: i32,
) -> Result<(), AppError> {
    super::npsp::on_event(svc, db, dossier_id, event_id).await?;
    super::post::on_event(svc, db, dossier_id, event_id).await?;
    super::api::on_event(svc, db, dossier_id, event_id).await?;
    super::lienthong::on_event(svc, db, dossier_id, event_id).await?;
    super::emc::on_event(svc, db, dossier_id, event_id).await
}

/// One round of the worker: claims due messages and delivers them one by one, in order.
/// Returns how many were delivered.
pub async fn run_once(svc: &Services, batch: u64) -> Result<usize, AppError> {
    let lease = svc.integrations.lease_secs;
    let msgs = claim(svc, batch, lease).await?;
    let mut delivered = 0;
    for m in &msgs {
        let outcome = deliver(svc, m).await;
        if outcome.is_ok() {
            delivered += 1;
        } else if let Err(e) = &outcome {
            tracing::warn!(id = m.id, topic = %m.topic, attempts = m.attempts, "delivery failed: {e}");
        }
        settle(svc, m, outcome).await?;
    }
    Ok(delivered)
}

pub(crate) fn require(p: &Principal) -> Result<(), AppError> {
    if p.can(Permission::ManageIntegrations, None) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Puts a dead message back in the queue, due now with a fresh count.
pub async fn retry(
    svc: &Services,
    p: &Principal,
    id: i32,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    use outbox_message::Column as C;
    require(p)?;
    let r = outbox_message::Entity::update_many()
        .col_expr(C::Status, Expr::value(PENDING))
        .col_expr(C::Attempts, Expr::value(0))
        .col_expr(C::NextAt, Expr::value(now()))
        .col_expr(C::LockedUntil, Expr::value(Option::<i64>::None))
        .filter(C::Id.eq(id))
        .filter(C::Status.eq(DEAD))
        .exec(&svc.db)
        .await?;
    if r.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    svc.audit
        .append(
            &svc.db,
            super::audit::Entry {
                actor: Some(p.user_id.to_string()),
                action: "integration.retry".into(),
                object_type: Some("outbox_message".into()),
                object_id: Some(id.to_string()),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
                detail: None,
            },
        )
        .await?;
    Ok(())
}

/// Hides personal data in a logged body: the values of keys that carry names, contacts and
/// identity numbers (EMC-2 logs are read by technicians, not case officers).
pub fn mask(body: &str) -> String {
    const PERSONAL: [&str; 22] = [
        // EMC's `User` (a JSON string with the national identity).
        "User",
        "ChuHoSo",
        "phone",
        "Email",
        "SoDienThoai",
        "Fax",
        "SoDinhDanh",
        // The payer on a PayGov bill (P-3.6): the platform gets it, the log does not need it.
        "HoTenNguoiNop",
        "MaDoiTuong",
        "password",
        "session",
        // Credentials of the public API (G-3): a logged token or secret would be usable.
        "access_token",
        "client_secret",
        "secret",
        // File links given to the NPSP (B-m) open the files until they expire.
        "DuongDanTaiTepTin",
        "DuongDanTepTinKetQua",
        // Remote signing (P-4): the signer's citizen ID, the portal's password with the CA,
        // and certificates, which carry the signer's name and ID.
        "user_id",
        "sp_password",
        "cert_data",
        "ca_cert",
        "root_cert",
        "user_certificates",
    ];
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) => {
            fn walk(v: &mut serde_json::Value) {
                match v {
                    serde_json::Value::Object(m) => {
                        for (k, x) in m.iter_mut() {
                            if PERSONAL.contains(&k.as_str())
                                && !matches!(x, serde_json::Value::Null)
                            {
                                *x = serde_json::Value::String("***".into());
                            } else {
                                walk(x);
                            }
                        }
                    }
                    serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
                    _ => {}
                }
            }
            walk(&mut v);
            v.to_string()
        }
        Err(_) => body.to_owned(),
    }
}

fn clip(s: &str) -> String {
    if s.len() <= LOG_CLIP {
        return s.to_owned();
    }
    let mut end = LOG_CLIP;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// One exchange with another system, as the log keeps it.
pub struct Exchange<'a> {
    pub system: &'a str,
    pub direction: &'a str,
    pub operation: &'a str,
    pub subject: Option<&'a str>,
    pub ok: bool,
    pub http_status: Option<u16>,
    pub duration_ms: u128,
    pub request: &'a str,
    pub response: &'a str,
}

/// Sends `body` as JSON with `req` (address and headers set by the adapter), lets `judge`
/// decide from the answer whether the receiver took it, and writes the exchange to the
/// integration log either way (EMC-2).
pub async fn post_logged(
    svc: &Services,
    (system, operation, subject): (&str, &str, Option<&str>),
    req: reqwest::RequestBuilder,
    body: String,
    judge: impl FnOnce(reqwest::StatusCode, &str) -> Result<(), String>,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let sent = req
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await;
    let (status, response, outcome) = match sent {
        Err(e) => (None, String::new(), Err(format!("{system}: {e}"))),
        Ok(r) => {
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            let outcome = judge(status, &text);
            (Some(status.as_u16()), text, outcome)
        }
    };
    log(
        svc,
        Exchange {
            system,
            direction: "out",
            operation,
            subject,
            ok: outcome.is_ok(),
            http_status: status,
            duration_ms: started.elapsed().as_millis(),
            request: &body,
            response: &response,
        },
    )
    .await;
    outcome
}

/// Writes one exchange to the integration log. A failure to log is reported, not fatal to
/// the delivery.
pub async fn log(svc: &Services, x: Exchange<'_>) {
    let row = integration_log::ActiveModel {
        at: Set(now()),
        system: Set(x.system.into()),
        direction: Set(x.direction.into()),
        operation: Set(x.operation.into()),
        subject: Set(x.subject.map(str::to_owned)),
        ok: Set(x.ok),
        http_status: Set(x.http_status.map(i32::from)),
        duration_ms: Set(i32::try_from(x.duration_ms).unwrap_or(i32::MAX)),
        request: Set(clip(&mask(x.request))),
        response: Set(clip(&mask(x.response))),
        ..Default::default()
    };
    if let Err(e) = row.insert(&svc.db).await {
        tracing::warn!("integration log write failed: {e}");
    }
}

/// Deletes log rows older than the retention period; returns how many.
pub async fn prune_log(svc: &Services) -> Result<u64, AppError> {
    let r = integration_log::Entity::delete_many()
        .filter(integration_log::Column::At.lt(now() - LOG_KEEP_DAYS * 86_400))
        .exec(&svc.db)
        .await?;
    Ok(r.rows_affected)
}

/// What the integrations page shows: queue counts, dead and waiting messages, and the log
/// (filtered by subject, e.g. a dossier code).
pub async fn view(svc: &Services, p: &Principal, q: &str) -> Result<OutboxView, AppError> {
    use outbox_message::Column as C;
    require(p)?;
    let count = |status: &'static str| {
        outbox_message::Entity::find()
            .filter(C::Status.eq(status))
            .count(&svc.db)
    };
    let (pending, delivered, dead) = (
        count(PENDING).await?,
        count(DELIVERED).await?,
        count(DEAD).await?,
    );
    let rows = |m: outbox_message::Model| MessageRow {
        id: m.id,
        topic: m.topic,
        key: m.key,
        status: m.status,
        attempts: m.attempts,
        next_at: m.next_at,
        last_error: m.last_error,
        created_at: m.created_at,
    };
    let dead_rows = outbox_message::Entity::find()
        .filter(C::Status.eq(DEAD))
        .order_by_desc(C::Id)
        .limit(100)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(rows)
        .collect();
    let waiting = outbox_message::Entity::find()
        .filter(C::Status.eq(PENDING))
        .filter(C::Attempts.gt(0))
        .order_by_asc(C::NextAt)
        .limit(100)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(rows)
        .collect();
    let q: String = q.trim().chars().take(60).collect();
    let mut s = integration_log::Entity::find().order_by_desc(integration_log::Column::Id);
    if !q.is_empty() {
        s = s.filter(integration_log::Column::Subject.eq(q.clone()));
    }
    let log = s
        .limit(100)
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|l| LogRow {
            id: l.id,
            at: l.at,
            system: l.system,
            direction: l.direction,
            operation: l.operation,
            subject: l.subject,
            ok: l.ok,
            http_status: l.http_status,
            duration_ms: l.duration_ms,
            request: l.request,
            response: l.response,
        })
        .collect();
    Ok(OutboxView {
        configured: svc
            .integrations
            .npsp
            .as_ref()
            .map(|n| n.describe())
            .into_iter()
            .chain(svc.integrations.sms.as_ref().map(|s| s.describe()))
            .chain(svc.integrations.post.as_ref().map(|p| p.describe()))
            .chain(svc.integrations.emc.as_ref().map(|e| e.describe()))
            .chain(
                svc.integrations
                    .remote_sign
                    .as_ref()
                    .map(|r| format!("Ký số từ xa / remote signing (P-4): {}", r.describe())),
            )
            .chain(svc.integrations.signer.as_ref().map(|k| {
                format!(
                    "Ký số / signing key (P-4): {}; trust roots: {}",
                    k.subject,
                    svc.integrations.trust_roots.len()
                )
            }))
            .collect(),
        pending,
        delivered,
        dead,
        dead_rows,
        waiting,
        log,
        q,
        emc: super::emc::view(svc).await?,
        api_clients: super::api::clients(svc).await?,
    })
}

/// The adapters this instance delivers through, and how its worker runs.
#[derive(Clone)]
pub struct Integrations {
    pub npsp: Option<std::sync::Arc<super::npsp::Npsp>>,
    /// The online payment gateway (P-3.6).
    pub payment: Option<std::sync::Arc<dyn super::payment::Gateway>>,
    /// Text messages to applicants (P-3.2).
    pub sms: Option<std::sync::Arc<super::sms::Sms>>,
    /// Sign-in with the national e-ID (P-1); not delivered through the outbox.
    pub sso: Option<std::sync::Arc<super::auth::sso::Sso>>,
    /// The agency's signing key (P-4); results are signed when it is set.
    pub signer: Option<std::sync::Arc<super::sign::KeyPair>>,
    /// The remote-signing CA applicants sign their PDFs through (P-4).
    pub remote_sign: Option<std::sync::Arc<super::remotesign::RemoteSign>>,
    /// Root certificates the verify page trusts (P-4), DER.
    pub trust_roots: std::sync::Arc<Vec<Vec<u8>>>,
    /// The national monitoring system (EMC-1…5).
    pub emc: Option<std::sync::Arc<super::emc::Emc>>,
    /// The postal service (P-3.5).
    pub post: Option<std::sync::Arc<super::post::Post>>,
    /// Other agencies' instances for inter-agency transfer (liên thông, B-m).
    pub lienthong: Option<std::sync::Arc<super::lienthong::LienThong>>,
    /// How long a claimed message stays the claimer's.
    pub lease_secs: i64,
    /// `PORTAL_WEBHOOK_PRIVATE=1`: partners' webhooks may use plain HTTP and private
    /// addresses (a closed government network; tests).
    pub webhook_private: bool,
}

impl Default for Integrations {
    fn default() -> Self {
        Self {
            npsp: None,
            payment: None,
            sms: None,
            sso: None,
            signer: None,
            remote_sign: None,
            trust_roots: Default::default(),
            emc: None,
            post: None,
            lienthong: None,
            lease_secs: 70,
            webhook_private: false,
        }
    }
}

impl Integrations {
    /// The outbox topics this instance delivers: those of its configured adapters, and
    /// partners' webhooks, which need no configuration.
    pub fn topics(&self) -> Vec<&'static str> {
        let mut t = vec![super::api::TOPIC];
        if self.npsp.is_some() {
            t.push(super::npsp::TOPIC);
        }
        if self.sms.is_some() {
            t.push(super::sms::TOPIC);
        }
        if self.post.is_some() {
            t.push(super::post::TOPIC);
            t.push(super::post::CANCEL_TOPIC);
        }
        if self.payment.as_deref().is_some_and(|g| g.refunds()) {
            t.push(super::payment::REFUND_TOPIC);
        }
        if self.lienthong.is_some() {
            t.push(super::lienthong::TOPIC);
        }
        if self.emc.as_ref().is_some_and(|e| e.cfg.push_url.is_some()) {
            t.push(super::emc::TOPIC);
        }
        t
    }
}
