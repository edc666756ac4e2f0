//! Online payment (P-3.6) on SQLite and PostgreSQL against `peer vnpay`, a separate process
//! that speaks VNPay 2.1.0: an officer asks for a fee, the citizen pays through the gateway's
//! page, the gateway's notification (IPN) restarts the dossier; cancelled, duplicated, late,
//! replayed, tampered and foreign notifications change nothing they should not.
mod common;

use std::collections::BTreeMap;

use app::domain::calendar::Day;
use app::domain::workflow::ActionKind as A;
use app::error::AppError;
use app::server::auth::RequestMeta;
use app::server::work::{act, ActInput};
use app::server::Services;
use common::{Client, Peer, TestDb};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;

const CITIZEN: &str = "congdan@demo.dichvucong.vn";
const PASSWORD: &str = "cong dan thu nghiem Da Nang";
const SECRET: &str = "BIMATTHUNGHIEMVNPAY";

/// Path and query of an absolute URL.
fn target(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.find('/')
        .map(|i| rest[i..].to_owned())
        .unwrap_or_else(|| "/".into())
}

fn query(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("3F");
                out.push(u8::from_str_radix(h, 16).unwrap_or(b'?'));
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(p: &BTreeMap<String, String>) -> String {
    p.iter()
        .map(|(k, v)| format!("{k}={}", app::server::vnpay::form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn ipn(addr: std::net::SocketAddr, p: &BTreeMap<String, String>) -> Value {
    let r = common::get(addr, &format!("/thanh-toan/vnpay/ipn?{}", encode(p))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).expect("JSON reply")
}

/// A dossier of the demo citizen waiting for a fee of `fee` đồng, asked by a specialist.
async fn awaiting_fee(
    svc: &Services,
    staff: &common::Staff,
    unit: i32,
    citizen: i32,
    n: usize,
    fee: i64,
) -> i32 {
    awaiting_fee_of(svc, staff, unit, Some(citizen), n, fee).await
}

/// [`awaiting_fee`] for `applicant` (none: filed elsewhere, no account here).
async fn awaiting_fee_of(
    svc: &Services,
    staff: &common::Staff,
    unit: i32,
    citizen: Option<i32>,
    n: usize,
    fee: i64,
) -> i32 {
    let today = Day::from_unix_vn(app::server::auth::now());
    let code = format!("H48.TT-{}-{n:04}", today.yymmdd());
    let d = common::filed(svc, "mot-cua-chuyen-vien-lanh-dao", unit, code, citizen).await;
    let meta = RequestMeta::default();
    act(
        svc,
        &staff.counter,
        d,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accept");
    let assign = ActInput {
        assignee: Some(staff.specialist.user_id),
        ..Default::default()
    };
    act(svc, &staff.leader, d, A::Assign, assign, &meta)
        .await
        .expect("assign");
    // A payment request needs an amount: refused without one, nothing changes.
    let e = act(
        svc,
        &staff.specialist,
        d,
        A::RequestPayment,
        ActInput::default(),
        &meta,
    )
    .await
    .expect_err("no amount");
    match e {
        AppError::Validation(v) => assert!(v[0].message_vi.contains("số tiền"), "{v:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(dossier(svc, d).await.status, 4);
    let ask = ActInput {
        amount: Some(fee),
        ..Default::default()
    };
    act(svc, &staff.specialist, d, A::RequestPayment, ask, &meta)
        .await
        .expect("payment requested");
    d
}

/// The demo citizen's account id, and a browser signed in as them.
async fn citizen_signed_in(svc: &Services, addr: std::net::SocketAddr) -> (i32, Client) {
    let citizen = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq(CITIZEN))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("demo citizen")
        .id;
    let mut c = Client::new(addr);
    c.get("/dang-nhap").await;
    let r = c
        .post("/dang-nhap", &[("email", CITIZEN), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 303);
    (citizen, c)
}

/// Settings of a portal paying through `peer`, a VNPay simulator, with its merchant API.
fn vnpay_settings(db: &TestDb, peer: &Peer) -> server::Settings {
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.vnpay = Some(app::server::vnpay::VnpayConfig {
        pay_url: format!("http://{}/paymentv2/vpcpay.html", peer.addr),
        tmn_code: "PORTAL01".into(),
        hash_secret: SECRET.into(),
        api_url: Some(format!(
            "http://{}/merchant_webapi/api/transaction",
            peer.addr
        )),
    });
    s
}

async fn dossier(svc: &Services, id: i32) -> entity::dossier::Model {
    entity::dossier::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .expect("q")
        .expect("dossier")
}

async fn payments(svc: &Services, id: i32) -> Vec<entity::payment::Model> {
    entity::payment::Entity::find()
        .filter(entity::payment::Column::DossierId.eq(id))
        .all(&svc.db)
        .await
        .expect("q")
}

async fn events(svc: &Services, id: i32, action: &str) -> u64 {
    entity::dossier_event::Entity::find()
        .filter(entity::dossier_event::Column::DossierId.eq(id))
        .filter(entity::dossier_event::Column::Action.eq(action))
        .count(&svc.db)
        .await
        .expect("q")
}

/// The citizen pays (or cancels) dossier `id` like a browser: the portal's button, the
/// gateway's page, its button, back to the portal. Returns the portal's last redirect and the
/// signed result the gateway sent back.
async fn pay(c: &mut Client, peer: &Peer, id: i32, fee: &str, outcome: &str) -> (String, String) {
    let page = c.get(&format!("/ho-so/{id}")).await;
    assert!(page.body.contains(fee), "the fee is shown as {fee}");
    // The pay form's redirect leaves the portal: the page's CSP lets forms go to the gateway.
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains(&format!("form-action 'self' http://{};", peer.addr)),
        "{csp}"
    );
    let r = c.post(&format!("/ho-so/{id}/thanh-toan"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let gateway = r.header("location").expect("to the gateway").to_owned();
    assert!(
        gateway.starts_with(&format!("http://{}/paymentv2/vpcpay.html?", peer.addr)),
        "{gateway}"
    );
    let shown = common::get(peer.addr, &target(&gateway)).await;
    assert_eq!(
        shown.status, 200,
        "the gateway accepts the signed order: {}",
        shown.body
    );
    let txn = query(&gateway)["vnp_TxnRef"].clone();
    let done = common::get(
        peer.addr,
        &format!("/_sim/complete?ref={txn}&outcome={outcome}"),
    )
    .await;
    assert_eq!(done.status, 302);
    let back = done
        .header("location")
        .expect("back to the portal")
        .to_owned();
    let r = c.get(&target(&back)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    (r.header("location").unwrap_or_default().to_owned(), back)
}

async fn run(db: TestDb) {
    let peer = Peer::start("vnpay").await;
    let s = vnpay_settings(&db, &peer);
    let vnpay = s.vnpay.clone().expect("config");
    let (addr, svc) = common::start_app(s).await;
    peer.control(&format!(
        "/_peer/ipn-target?url=http://{addr}/thanh-toan/vnpay/ipn"
    ))
    .await;
    let svc = &svc;
    let unit = common::one_stop(svc).await;
    let staff = common::staff(svc, unit, "pay").await;
    let (citizen, mut c) = citizen_signed_in(svc, addr).await;

    let d1 = awaiting_fee(svc, &staff, unit, citizen, 1, 50_000).await;
    let d = dossier(svc, d1).await;
    assert_eq!((d.status, d.fee_due), (6, Some(50_000)));

    // Happy path: paid on the gateway; the notification restarts the dossier.
    let (to, back) = pay(&mut c, &peer, d1, "50.000 đ", "pay").await;
    assert_eq!(to, format!("/ho-so/{d1}?thanh-toan=paid"));
    let p = payments(svc, d1).await;
    assert_eq!(
        (p.len(), p[0].status.as_str(), p[0].amount),
        (1, "paid", 50_000)
    );
    assert_eq!(p[0].response_code.as_deref(), Some("00"));
    assert_eq!(dossier(svc, d1).await.status, 4, "processing again");
    assert_eq!(events(svc, d1, "pay").await, 1);
    let st = peer.state().await;
    assert_eq!(
        st["notifications"][0]["reply"]["body"]["RspCode"], "00",
        "{st}"
    );
    let page = c.get(&format!("/ho-so/{d1}?thanh-toan=paid")).await;
    assert!(page.body.contains("Thanh toán thành công"));
    // The electronic receipt (biên lai) of the paid fee: linked on the page, a PDF for the
    // citizen and for the unit's counter; an officer is not the applicant.
    let p1 = p[0].id;
    let href = format!("/ho-so/{d1}/bien-lai/{p1}.pdf");
    assert!(page.body.contains(&href), "receipt link");
    let r = c.get(&href).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert!(r.body.starts_with("%PDF-"));
    let (name, bytes) = app::server::payment::receipt_pdf(svc, &staff.counter, d1, p1, true)
        .await
        .expect("the counter's copy");
    assert!(
        name.starts_with("bien-lai-") && bytes.starts_with(b"%PDF-"),
        "{name}"
    );
    assert_eq!(
        app::server::payment::receipt_pdf(svc, &staff.counter, d1, p1, false)
            .await
            .err(),
        Some(AppError::Forbidden)
    );

    // The same notification again (replay): already confirmed, nothing changes.
    let signed = query(&back);
    assert_eq!(ipn(addr, &signed).await["RspCode"], "02");
    assert_eq!(events(svc, d1, "pay").await, 1);
    // Tampered amount: bad signature.
    let mut tampered = signed.clone();
    tampered.insert("vnp_Amount".into(), "100".into());
    assert_eq!(ipn(addr, &tampered).await["RspCode"], "97");
    // Unsigned: bad signature.
    let mut unsigned = signed.clone();
    unsigned.remove("vnp_SecureHash");
    assert_eq!(ipn(addr, &unsigned).await["RspCode"], "97");
    // Correctly signed but for an order the portal never made.
    let mut foreign = signed.clone();
    foreign.remove("vnp_SecureHash");
    foreign.insert("vnp_TxnRef".into(), "KHONGCO1".into());
    let hash = common::get(peer.addr, &format!("/_peer/sign?{}", encode(&foreign)))
        .await
        .body;
    foreign.insert("vnp_SecureHash".into(), hash);
    assert_eq!(ipn(addr, &foreign).await["RspCode"], "01");

    // Cancelled on the gateway: the payment fails, the dossier still waits for the fee.
    let d2 = awaiting_fee(svc, &staff, unit, citizen, 2, 50_000).await;
    let (to, _) = pay(&mut c, &peer, d2, "50.000 đ", "cancel").await;
    assert_eq!(to, format!("/ho-so/{d2}?thanh-toan=failed"));
    assert_eq!(payments(svc, d2).await[0].status, "failed");
    assert_eq!(dossier(svc, d2).await.status, 6);
    // A failed payment has no receipt, and one dossier's receipt is not another's.
    let failed = payments(svc, d2).await[0].id;
    assert_eq!(
        c.get(&format!("/ho-so/{d2}/bien-lai/{failed}.pdf"))
            .await
            .status,
        404
    );
    assert_eq!(
        c.get(&format!("/ho-so/{d2}/bien-lai/{p1}.pdf"))
            .await
            .status,
        404
    );
    assert_eq!(
        c.get(&format!("/ho-so/{d1}/bien-lai/x.pdf")).await.status,
        404
    );
    // A signed notification with another amount for a pending order: refused.
    let r = c.post(&format!("/ho-so/{d2}/thanh-toan"), &[]).await;
    let order = query(r.header("location").expect("gateway"));
    let mut wrong = BTreeMap::new();
    for k in ["vnp_TmnCode", "vnp_TxnRef", "vnp_OrderInfo"] {
        wrong.insert(k.to_owned(), order[k].clone());
    }
    wrong.insert("vnp_Amount".into(), "100".into());
    wrong.insert("vnp_ResponseCode".into(), "00".into());
    wrong.insert("vnp_TransactionStatus".into(), "00".into());
    let hash = common::get(peer.addr, &format!("/_peer/sign?{}", encode(&wrong)))
        .await
        .body;
    wrong.insert("vnp_SecureHash".into(), hash);
    assert_eq!(ipn(addr, &wrong).await["RspCode"], "04");
    assert_eq!(dossier(svc, d2).await.status, 6);

    // The gateway notifies twice: one effect, the second answered "already confirmed".
    peer.control("/_peer/ipn/twice").await;
    let (to, _) = pay(&mut c, &peer, d2, "50.000 đ", "pay").await;
    assert_eq!(to, format!("/ho-so/{d2}?thanh-toan=paid"));
    let st = peer.state().await;
    let replies: Vec<&Value> = st["notifications"]
        .as_array()
        .expect("list")
        .iter()
        .rev()
        .take(2)
        .collect();
    assert_eq!(replies[0]["reply"]["body"]["RspCode"], "02");
    assert_eq!(replies[1]["reply"]["body"]["RspCode"], "00");
    assert_eq!(events(svc, d2, "pay").await, 1);
    assert_eq!(dossier(svc, d2).await.status, 4);

    // The notification comes after the browser: the page says it is waiting, then it is paid.
    peer.control("/_peer/ipn/late").await;
    let d3 = awaiting_fee(svc, &staff, unit, citizen, 3, 120_000).await;
    let (to, _) = pay(&mut c, &peer, d3, "120.000 đ", "pay").await;
    assert_eq!(to, format!("/ho-so/{d3}?thanh-toan=pending"));
    let mut paid = false;
    for _ in 0..40 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        if dossier(svc, d3).await.status == 4 {
            paid = true;
            break;
        }
    }
    assert!(paid, "the late notification restarted the dossier");
    assert_eq!(payments(svc, d3).await[0].amount, 120_000);

    // Nobody else pays a citizen's dossier, and a dossier not waiting for a fee has nothing
    // to pay.
    let officer_pay =
        app::server::payment::start(svc, &staff.counter, d3, false, &RequestMeta::default()).await;
    assert_eq!(officer_pay.err(), Some(AppError::NotFound));
    let r = c.post(&format!("/ho-so/{d3}/thanh-toan"), &[]).await;
    assert_eq!(r.status, 422, "nothing to pay now");
    assert!(r.body.contains("không có khoản phí"));
    assert_eq!(payments(svc, d3).await.len(), 1, "no order written");

    // The reconciliation (đối soát): every payment of the period with the ones to look into.
    let today = Day::from_unix_vn(app::server::auth::now());
    let period = (Day(today.0 - 1), today);
    let r = app::server::reconcile::reconciliation(svc, &staff.counter, period.0, period.1)
        .await
        .expect("reconciliation");
    assert_eq!(
        (
            r.paid_count,
            r.paid_sum,
            r.pending_count,
            r.failed_count,
            r.issue_count
        ),
        (3, 220_000, 1, 1, 0)
    );
    // Three things go wrong: the refused notification's order never hears back; a second
    // payment of d1 gets through; d4 is paid a wrong amount and the dossier never learns it.
    let t = app::server::auth::now();
    {
        use sea_orm::sea_query::Expr;
        use sea_orm::{ActiveModelTrait, Set};
        entity::payment::Entity::update_many()
            .col_expr(entity::payment::Column::CreatedAt, Expr::value(t - 3_600))
            .filter(entity::payment::Column::Status.eq("pending"))
            .exec(&svc.db)
            .await
            .expect("stale");
        let d4 = awaiting_fee(svc, &staff, unit, citizen, 4, 30_000).await;
        for (dossier_id, txn, amount) in [(d1, "TRUNGLAP1", 50_000), (d4, "SAISOTIEN1", 20_000)] {
            entity::payment::ActiveModel {
                dossier_id: Set(dossier_id),
                payer_id: Set(Some(citizen)),
                gateway: Set("vnpay".into()),
                txn_ref: Set(txn.into()),
                amount: Set(amount),
                status: Set("paid".into()),
                created_at: Set(t),
                settled_at: Set(Some(t)),
                response_code: Set(Some("00".into())),
                gateway_txn: Set(Some("14000001".into())),
                bank_code: Set(Some("NCB".into())),
                pay_date: Set(None),
                ..Default::default()
            }
            .insert(&svc.db)
            .await
            .expect("payment");
        }
    }
    let r = app::server::reconcile::reconciliation(svc, &staff.counter, period.0, period.1)
        .await
        .expect("reconciliation");
    assert_eq!(
        (
            r.paid_count,
            r.paid_sum,
            r.pending_count,
            r.failed_count,
            r.issue_count
        ),
        (5, 290_000, 1, 1, 3)
    );
    use app::domain::reconcile::Issue;
    let marked: Vec<(String, Vec<Issue>)> = r
        .lines
        .iter()
        .filter(|l| !l.issues.is_empty())
        .map(|l| (l.txn_ref.clone(), l.issues.clone()))
        .collect();
    let stale = payments(svc, d2)
        .await
        .into_iter()
        .find(|p| p.status == "pending")
        .expect("the pending order")
        .txn_ref;
    assert_eq!(
        marked,
        [
            (stale, vec![Issue::NoNotice]),
            ("TRUNGLAP1".into(), vec![Issue::Duplicate]),
            ("SAISOTIEN1".into(), vec![Issue::NotRecorded, Issue::Amount]),
        ]
    );
    let rows = app::server::reconcile::rows(&r);
    assert_eq!(rows.len(), 1 + r.lines.len());
    assert_eq!(rows[0][0], "Mã giao dịch");
    assert!(rows
        .iter()
        .any(|row| row[0] == "TRUNGLAP1" && row[11].contains("hoàn tiền")));
    // Another unit's officers see none of it; the system administrator sees all of it.
    let elsewhere = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .filter(entity::agency::Column::Id.ne(unit))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("another unit")
        .id;
    let other = common::staff(svc, elsewhere, "pay-other").await;
    let r2 = app::server::reconcile::reconciliation(svc, &other.counter, period.0, period.1)
        .await
        .expect("reconciliation");
    assert!(r2.lines.is_empty());
    let all = app::server::reconcile::reconciliation(svc, &common::admin(), period.0, period.1)
        .await
        .expect("reconciliation");
    assert_eq!(all.lines.len(), r.lines.len());

    // The notification never comes: the portal asks the gateway (querydr) and settles the
    // order as the notification would have. The stale order the gateway never saw (its date
    // is not the one VNPay knows) is closed as failed.
    peer.control("/_peer/ipn/none").await;
    let d5 = awaiting_fee(svc, &staff, unit, citizen, 5, 15_000).await;
    let (to, _) = pay(&mut c, &peer, d5, "15.000 đ", "pay").await;
    assert_eq!(to, format!("/ho-so/{d5}?thanh-toan=pending"));
    let mut asker = svc.clone();
    asker.integrations.payment = Some(std::sync::Arc::new(app::server::vnpay::Vnpay {
        cfg: vnpay,
    }));
    // A round as the worker runs it: the hour-old order is asked about and closed; d5's, a
    // minute old, is not asked about yet.
    assert_eq!(
        app::server::payment::requery_stale(&asker, app::server::payment::QUERY_AFTER)
            .await
            .expect("query"),
        1
    );
    assert_eq!(payments(svc, d5).await[0].status, "pending");
    // Later: d5's order is asked about and found paid.
    assert_eq!(
        app::server::payment::requery_stale(&asker, 0)
            .await
            .expect("query"),
        1
    );
    let p5 = payments(svc, d5).await;
    assert_eq!((p5[0].status.as_str(), p5[0].amount), ("paid", 15_000));
    assert_eq!(dossier(svc, d5).await.status, 4);
    assert_eq!(events(svc, d5, "pay").await, 1);
    let gone = payments(svc, d2)
        .await
        .into_iter()
        .filter(|p| p.response_code.as_deref() == Some("91"))
        .count();
    assert_eq!(gone, 1, "the order VNPay never saw is closed");
    assert_eq!(
        app::server::payment::requery_stale(&asker, 0)
            .await
            .expect("query"),
        0,
        "nothing pending is left"
    );

    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn vnpay_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn vnpay_postgres() {
    run(TestDb::postgres().await).await;
}

/// The refund message of `topic`'s latest outbox row: its attempts and last error.
async fn refund_outbox(svc: &Services) -> Vec<entity::outbox_message::Model> {
    use sea_orm::QueryOrder;
    entity::outbox_message::Entity::find()
        .filter(entity::outbox_message::Column::Topic.eq(app::server::payment::REFUND_TOPIC))
        .order_by_asc(entity::outbox_message::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

/// Waits (15 s at most) until payment `id`'s refund is `status`.
async fn refund_becomes(svc: &Services, dossier_id: i32, status: &str) -> entity::payment::Model {
    for _ in 0..75 {
        let p = payments(svc, dossier_id).await.remove(0);
        if p.refund_status.as_deref() == Some(status) {
            return p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!("the refund of dossier {dossier_id} did not become {status}");
}

/// Waits until the refund message has failed at least `n` times, with `error` in its error.
async fn refund_fails(svc: &Services, n: i32, error: &str) {
    for _ in 0..75 {
        let m = refund_outbox(svc).await;
        if let Some(last) = m.last() {
            if last.attempts >= n
                && last
                    .last_error
                    .as_deref()
                    .is_some_and(|e| e.contains(error))
            {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    panic!(
        "no failed refund attempt with {error}: {:?}",
        refund_outbox(svc).await
    );
}

/// P-3.6 refunds over HTTP, delivered by the app's own outbox worker to `peer vnpay`: refused
/// while the dossier is being dealt with and for officers without the right; after a stop,
/// the counter pays the fee back with a reason; a gateway that is down is retried; VNPay's
/// final no is shown and may be asked again; a tampered answer is not believed; the applicant
/// sees the refund and is told.
async fn run_refunds(db: TestDb) {
    let peer = Peer::start("vnpay").await;
    let mut s = vnpay_settings(&db, &peer);
    // The app's own outbox worker delivers the refunds, promptly.
    s.outbox_interval_ms = 100;
    let (addr, svc) = common::start_app(s).await;
    peer.control(&format!(
        "/_peer/ipn-target?url=http://{addr}/thanh-toan/vnpay/ipn"
    ))
    .await;
    let svc = &svc;
    let unit = common::one_stop(svc).await;
    let staff = common::staff(svc, unit, "refund").await;
    let (citizen, mut c) = citizen_signed_in(svc, addr).await;
    let meta = RequestMeta::default();
    let stop = |d: i32| {
        let input = ActInput {
            note: "Người nộp không thuộc đối tượng được giải quyết.".into(),
            ..Default::default()
        };
        act(svc, &staff.leader, d, A::Stop, input, &meta)
    };

    let d1 = awaiting_fee(svc, &staff, unit, citizen, 1, 40_000).await;
    let (to, _) = pay(&mut c, &peer, d1, "40.000 đ", "pay").await;
    assert_eq!(to, format!("/ho-so/{d1}?thanh-toan=paid"));
    let p1 = payments(svc, d1).await[0].id.to_string();
    let refund = |reason: &'static str, payment: String| {
        vec![
            ("action", "refund".to_owned()),
            ("payment", payment),
            ("refund_reason", reason.to_owned()),
        ]
    };
    let post = async |c: &mut Client, d: i32, fields: Vec<(&str, String)>| {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post(&format!("/can-bo/ho-so/{d}"), &f).await
    };

    // While the dossier is being dealt with the fee is owed: listed, not refundable.
    let mut counter = common::signed_in(addr, svc, staff.counter.user_id).await;
    let page = counter.get(&format!("/can-bo/ho-so/{d1}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Phí, lệ phí đã nộp trực tuyến"));
    assert!(page.body.contains("40.000 đ"));
    assert!(!page.body.contains("Hoàn trả phí"), "no refund offered yet");
    let r = post(
        &mut counter,
        d1,
        refund("Hồ sơ bị dừng giải quyết.", p1.clone()),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Chỉ hoàn trả khoản phí"), "{}", r.body);
    assert!(refund_outbox(svc).await.is_empty());

    stop(d1).await.expect("stopped");
    // Only the counter and the leader handle fees; the applicant cannot ask here either.
    let mut specialist = common::signed_in(addr, svc, staff.specialist.user_id).await;
    let r = post(
        &mut specialist,
        d1,
        refund("Hồ sơ bị dừng giải quyết.", p1.clone()),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = post(&mut c, d1, refund("Hồ sơ bị dừng giải quyết.", p1.clone())).await;
    assert_eq!(r.status, 403);
    // The form is offered now; without a reason nothing happens.
    let page = counter.get(&format!("/can-bo/ho-so/{d1}")).await;
    assert!(page.body.contains("Hoàn trả phí"));
    assert!(
        page.body.contains(&format!("<option value=\"{p1}\"")),
        "the payment is offered"
    );
    let r = post(&mut counter, d1, refund("", p1.clone())).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Hãy ghi lý do hoàn trả phí"), "{}", r.body);
    assert!(
        r.body.contains("href=\"#f-refund_reason\""),
        "the error links to the field"
    );
    assert_eq!(payments(svc, d1).await[0].refund_status, None);
    assert!(refund_outbox(svc).await.is_empty());
    // A payment of another dossier is not this one's to refund.
    let r = post(
        &mut counter,
        d1,
        refund("Hồ sơ bị dừng giải quyết.", "999999".into()),
    )
    .await;
    assert_eq!(r.status, 404);

    // VNPay is down: the request is recorded and queued, and the worker retries.
    peer.control("/_peer/refund/down").await;
    let r = post(
        &mut counter,
        d1,
        refund("Hồ sơ bị dừng giải quyết.", p1.clone()),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        common::location(&r),
        format!("/can-bo/ho-so/{d1}?ok=refund")
    );
    assert_eq!(
        payments(svc, d1).await[0].refund_status.as_deref(),
        Some("requested")
    );
    let page = c.get(&format!("/ho-so/{d1}")).await;
    assert!(
        page.body.contains("Đang hoàn trả 40.000 đ"),
        "the applicant sees it coming"
    );
    refund_fails(svc, 1, "503").await;
    // Asking twice while it is under way queues nothing more.
    let r = post(
        &mut counter,
        d1,
        refund("Hồ sơ bị dừng giải quyết.", p1.clone()),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(refund_outbox(svc).await.len(), 1);
    // VNPay is back: the next attempt pays the fee back, once, in full.
    peer.control("/_peer/refund/ok").await;
    common::make_due(svc).await;
    let done = refund_becomes(svc, d1, "refunded").await;
    let st = peer.state().await;
    let made = st["refunds"].as_array().expect("list");
    assert_eq!(made.len(), 1, "{st}");
    assert_eq!(
        made[0]["amount"], "4000000",
        "the full amount, in hundredths"
    );
    assert_eq!(
        made[0]["create_by"], "Tran Thi Mot Cua",
        "the officer, in plain letters"
    );
    assert_eq!(done.refund_txn.as_deref(), made[0]["refund_no"].as_str());
    assert!(done.refunded_at.is_some());
    let page = c.get(&format!("/ho-so/{d1}")).await;
    assert!(
        page.body.contains("Đã hoàn trả 40.000 đ"),
        "shown to the applicant"
    );
    assert!(page.body.contains("Hồ sơ bị dừng giải quyết."));
    let told = entity::notification::Entity::find()
        .filter(entity::notification::Column::UserId.eq(citizen))
        .filter(entity::notification::Column::DossierId.eq(d1))
        .all(&svc.db)
        .await
        .expect("q");
    assert!(
        told.iter()
            .any(|n| n.text_vi.contains("đã hoàn trả 40.000 đ")),
        "{told:?}"
    );
    let page = counter.get(&format!("/can-bo/ho-so/{d1}")).await;
    assert!(page.body.contains("Đã hoàn trả 40.000 đ"));
    assert!(
        !page.body.contains("Hoàn trả phí</button>"),
        "refunded once only"
    );
    let r = post(
        &mut counter,
        d1,
        refund("Hồ sơ bị dừng giải quyết.", p1.clone()),
    )
    .await;
    assert_eq!(r.status, 422);

    // VNPay's final no is shown, not retried; the counter may ask again. An answer whose
    // signature fails is not believed but retried; then it goes through.
    let d2 = awaiting_fee(svc, &staff, unit, citizen, 2, 25_000).await;
    pay(&mut c, &peer, d2, "25.000 đ", "pay").await;
    stop(d2).await.expect("stopped");
    let p2 = payments(svc, d2).await[0].id.to_string();
    peer.control("/_peer/refund/refuse").await;
    let r = post(
        &mut counter,
        d2,
        refund("Dừng giải quyết theo đề nghị.", p2.clone()),
    )
    .await;
    assert_eq!(r.status, 303);
    let failed = refund_becomes(svc, d2, "failed").await;
    assert!(failed
        .refund_message
        .as_deref()
        .is_some_and(|m| m.starts_with("VNPay 95")));
    assert_eq!(
        refund_outbox(svc)
            .await
            .last()
            .map(|m| m.status.clone())
            .as_deref(),
        Some("delivered")
    );
    let page = counter.get(&format!("/can-bo/ho-so/{d2}")).await;
    assert!(page
        .body
        .contains("Cổng thanh toán chưa hoàn trả được khoản phí này: VNPay 95"));
    assert!(page.body.contains("Hoàn trả phí</button>"), "offered again");
    peer.control("/_peer/refund/tamper").await;
    let r = post(
        &mut counter,
        d2,
        refund("Dừng giải quyết theo đề nghị.", p2.clone()),
    )
    .await;
    assert_eq!(r.status, 303);
    refund_fails(svc, 1, "bad signature").await;
    assert_eq!(
        payments(svc, d2).await[0].refund_status.as_deref(),
        Some("requested")
    );
    peer.control("/_peer/refund/ok").await;
    common::make_due(svc).await;
    // The refund behind the tampered answer did happen at VNPay: the retry, with the same
    // request id, is answered "duplicate" (94); querydr shows the refund, which is recorded.
    // Paid back once.
    let done = refund_becomes(svc, d2, "refunded").await;
    let st = peer.state().await;
    let made = st["refunds"].as_array().expect("list");
    assert_eq!(made.len(), 2, "{st}");
    let at_vnpay = made
        .iter()
        .find(|r| r["txn_ref"] == done.txn_ref.as_str())
        .expect("d2's refund");
    assert_eq!(done.refund_txn.as_deref(), at_vnpay["refund_no"].as_str());
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refunds_sqlite() {
    run_refunds(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refunds_postgres() {
    run_refunds(TestDb::postgres().await).await;
}

const PAYGOV_SECRET: &str = "BIMATTHUNGHIEMPAYGOV";

async fn confirm(addr: std::net::SocketAddr, body: &str) -> Value {
    let r = common::request(
        addr,
        "POST",
        "/thanh-toan/paygov/ipn",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).expect("JSON reply")
}

/// Signs `confirm` again through the peer, as the platform would sign it.
async fn resign(peer: &Peer, confirm: &mut BTreeMap<String, String>) {
    let body = serde_json::to_string(&*confirm).expect("json");
    let r = common::request(
        peer.addr,
        "POST",
        "/_peer/sign",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .await;
    confirm.insert("MaXacThuc".into(), r.body);
}

/// The citizen pays through the NPSP payment platform: the portal registers the order (INIT)
/// and sends the browser to the platform's page; its button confirms server to server and
/// sends the browser back. Returns the portal's last redirect and the confirm fields.
async fn pay_paygov(
    c: &mut Client,
    peer: &Peer,
    id: i32,
    outcome: &str,
) -> (String, BTreeMap<String, String>) {
    let page = c.get(&format!("/ho-so/{id}")).await;
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains(&format!("form-action 'self' http://{};", peer.addr)),
        "{csp}"
    );
    let r = c.post(&format!("/ho-so/{id}/thanh-toan"), &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let gateway = r.header("location").expect("to the platform").to_owned();
    let prefix = format!("http://{}/thanh-toan/", peer.addr);
    let reference = gateway
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{gateway}"))
        .to_owned();
    let shown = common::get(peer.addr, &target(&gateway)).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    let done = common::get(
        peer.addr,
        &format!("/_sim/complete?ref={reference}&outcome={outcome}"),
    )
    .await;
    assert_eq!(done.status, 302);
    let back = done.header("location").expect("back").to_owned();
    let r = c.get(&target(&back)).await;
    assert_eq!(r.status, 303, "{}", r.body);
    (
        r.header("location").unwrap_or_default().to_owned(),
        query(&back),
    )
}

async fn run_paygov(db: TestDb) {
    let peer = Peer::start("paygov").await;
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.paygov = Some(app::server::paygov::PaygovConfig {
        url: format!("http://{}/init", peer.addr),
        partner: "DVC01".into(),
        secret: PAYGOV_SECRET.into(),
        token: None,
        pay_origin: None,
        query_url: None,
    });
    let (addr, mut svc) = common::start_app(s.clone()).await;
    peer.control(&format!(
        "/_peer/ipn-target?url=http://{addr}/thanh-toan/paygov/ipn"
    ))
    .await;
    let unit = common::one_stop(&svc).await;
    let staff = common::staff(&svc, unit, "paygov").await;
    let (citizen, mut c) = citizen_signed_in(&svc, addr).await;

    // Happy path: INIT, the platform's page, paid; the confirm restarts the dossier and the
    // platform finds the portal's reply correctly signed.
    let d1 = awaiting_fee(&svc, &staff, unit, citizen, 11, 75_000).await;
    let (to, signed) = pay_paygov(&mut c, &peer, d1, "pay").await;
    assert_eq!(to, format!("/ho-so/{d1}?thanh-toan=paid"));
    let p = payments(&svc, d1).await;
    assert_eq!(
        (
            p.len(),
            p[0].gateway.as_str(),
            p[0].status.as_str(),
            p[0].amount
        ),
        (1, "paygov", "paid", 75_000)
    );
    assert!(p[0]
        .gateway_txn
        .as_deref()
        .is_some_and(|t| t.starts_with("PG")));
    assert_eq!(dossier(&svc, d1).await.status, 4);
    assert_eq!(events(&svc, d1, "pay").await, 1);
    let st = peer.state().await;
    assert_eq!(
        st["notifications"][0]["reply"]["body"]["MaLoi"], "00",
        "{st}"
    );
    assert_eq!(st["notifications"][0]["reply"]["checksum_ok"], true, "{st}");
    let log = entity::integration_log::Entity::find()
        .filter(entity::integration_log::Column::System.eq("paygov"))
        .all(&svc.db)
        .await
        .expect("q");
    assert!(log.iter().any(|l| l.operation == "INIT" && l.ok));
    // The bill names the payer for the platform; the log keeps it masked.
    let init = log.iter().find(|l| l.operation == "INIT").expect("INIT");
    assert!(
        init.request.contains("\"HoTenNguoiNop\":\"***\""),
        "{}",
        init.request
    );

    // Replayed: already confirmed. Tampered amount: bad checksum. Not JSON: bad checksum.
    let json_of = |m: &BTreeMap<String, String>| serde_json::to_string(m).expect("json");
    assert_eq!(confirm(addr, &json_of(&signed)).await["MaLoi"], "02");
    let mut tampered = signed.clone();
    tampered.insert("SoTien".into(), "1000".into());
    assert_eq!(confirm(addr, &json_of(&tampered)).await["MaLoi"], "97");
    assert_eq!(confirm(addr, "khong phai json").await["MaLoi"], "97");
    // Correctly signed, for an order the portal never made.
    let mut foreign = signed.clone();
    foreign.insert("MaThamChieu".into(), "KHONGCO1".into());
    resign(&peer, &mut foreign).await;
    assert_eq!(confirm(addr, &json_of(&foreign)).await["MaLoi"], "01");
    assert_eq!(events(&svc, d1, "pay").await, 1);

    // Cancelled: failed, the dossier still waits. A signed confirm with another amount for a
    // pending order is refused.
    let d2 = awaiting_fee(&svc, &staff, unit, citizen, 12, 40_000).await;
    let (to, _) = pay_paygov(&mut c, &peer, d2, "cancel").await;
    assert_eq!(to, format!("/ho-so/{d2}?thanh-toan=failed"));
    assert_eq!(dossier(&svc, d2).await.status, 6);
    let r = c.post(&format!("/ho-so/{d2}/thanh-toan"), &[]).await;
    let pending = r
        .header("location")
        .and_then(|l| l.rsplit('/').next())
        .expect("a second order")
        .to_owned();
    let mut wrong = signed.clone();
    wrong.insert("MaThamChieu".into(), pending);
    wrong.insert("SoTien".into(), "100".into());
    resign(&peer, &mut wrong).await;
    assert_eq!(confirm(addr, &json_of(&wrong)).await["MaLoi"], "04");
    assert_eq!(dossier(&svc, d2).await.status, 6);

    // Confirmed twice by the platform: one effect.
    peer.control("/_peer/ipn/twice").await;
    let (to, _) = pay_paygov(&mut c, &peer, d2, "pay").await;
    assert_eq!(to, format!("/ho-so/{d2}?thanh-toan=paid"));
    assert_eq!(events(&svc, d2, "pay").await, 1);

    // The confirm never comes: QUERY settles the completed order; an order shown but not
    // completed stays pending.
    peer.control("/_peer/ipn/none").await;
    let d4 = awaiting_fee(&svc, &staff, unit, citizen, 14, 20_000).await;
    let (to, _) = pay_paygov(&mut c, &peer, d4, "pay").await;
    assert_eq!(to, format!("/ho-so/{d4}?thanh-toan=pending"));
    let r = c.post(&format!("/ho-so/{d4}/thanh-toan"), &[]).await;
    assert_eq!(r.status, 303, "a second order, shown and left");
    svc.integrations.payment = Some(std::sync::Arc::new(
        app::server::paygov::Paygov::new(s.paygov.clone().expect("config")).expect("gateway"),
    ));
    assert_eq!(
        app::server::payment::requery_stale(&svc, 0)
            .await
            .expect("query"),
        1
    );
    let mut p4: Vec<String> = payments(&svc, d4)
        .await
        .into_iter()
        .map(|p| p.status)
        .collect();
    p4.sort();
    assert_eq!(p4, ["paid", "pending"]);
    assert_eq!(dossier(&svc, d4).await.status, 4);
    assert_eq!(events(&svc, d4, "pay").await, 1);

    // B-m, P-3.6: a dossier filed on the NPSP (its applicant has no account here) has its fee
    // collected there. The NPSP pulls the bill (dptracuuthanhtoanhs), the platform confirms
    // it, the dossier moves on.
    let meta = RequestMeta::default();
    let client = |scopes: &[&str]| app::server::api::NewClient {
        name: format!("Cổng DVC quốc gia ({})", scopes.join(" ")),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        agency_code: String::new(),
        rate: String::new(),
    };
    let admin = common::admin();
    let (npsp_id, npsp_secret) =
        app::server::api::create_client(&svc, &admin, &client(&["payment:read"]), &meta)
            .await
            .expect("the NPSP's client");
    let (reader_id, reader_secret) =
        app::server::api::create_client(&svc, &admin, &client(&["dossier:read"]), &meta)
            .await
            .expect("a reader");
    let token = async |id: &str, secret: &str| -> String {
        let form = format!(
            "grant_type=client_credentials&client_id={id}&client_secret={}",
            common::form_encode(secret)
        );
        let r = common::request(
            addr,
            "POST",
            "/api/v1/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )
        .await;
        let v: Value = serde_json::from_str(&r.body).expect("JSON");
        v["access_token"].as_str().expect("a token").to_owned()
    };
    let pull = async |token: &str, code: &str| -> (u16, Value) {
        let auth = format!("Bearer {token}");
        let r = common::request(
            addr,
            "POST",
            "/api/v1/payments/dptracuuthanhtoanhs",
            &[
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json"),
            ],
            serde_json::json!({ "MaHoSo": code }).to_string().as_bytes(),
        )
        .await;
        (
            r.status,
            serde_json::from_str(&r.body).unwrap_or(Value::Null),
        )
    };
    let npsp = token(&npsp_id, &npsp_secret).await;
    let d5 = awaiting_fee_of(&svc, &staff, unit, None, 15, 35_000).await;
    let code5 = dossier(&svc, d5).await.code.expect("code");
    let (status, v) = pull(&npsp, &code5).await;
    assert_eq!((status, v["error_code"].as_str()), (200, Some("1")), "{v}");
    let bill = &v["message"];
    assert_eq!(
        (
            &bill["SoTien"],
            &bill["MaHoSo"],
            &bill["MaDichVu"],
            &bill["client_id"]
        ),
        (
            &Value::from(35_000),
            &Value::from(code5.as_str()),
            &Value::from("2"),
            &Value::from("DVC01")
        ),
        "{bill}"
    );
    assert!(
        bill["TenDonVi"].as_str().is_some_and(|n| !n.is_empty()),
        "{bill}"
    );
    let reference = bill["MaTraCuuTT"].as_str().expect("MaTraCuuTT").to_owned();
    assert!(
        reference.starts_with(&code5) && reference.len() == code5.len() + 14,
        "{reference}"
    );
    assert_eq!(bill["transaction_id"], reference.as_str());
    // Pulled again: the same open bill, not a second one.
    let (_, again) = pull(&npsp, &code5).await;
    assert_eq!(again["message"]["MaTraCuuTT"], reference.as_str());
    let p5 = payments(&svc, d5).await;
    assert_eq!((p5.len(), p5[0].payer_id), (1, None));
    // An hour on, the stale-order query leaves it open: the citizen may pay days later.
    {
        use sea_orm::sea_query::Expr;
        entity::payment::Entity::update_many()
            .col_expr(
                entity::payment::Column::CreatedAt,
                Expr::value(app::server::auth::now() - 3_600),
            )
            .filter(entity::payment::Column::DossierId.eq(d5))
            .exec(&svc.db)
            .await
            .expect("older");
    }
    app::server::payment::requery_stale(&svc, app::server::payment::QUERY_AFTER)
        .await
        .expect("query");
    assert_eq!(payments(&svc, d5).await[0].status, "pending");
    // The platform confirms it: paid, and the dossier takes its step by the applicant, who has
    // no account here.
    let mut npsp_paid = signed.clone();
    npsp_paid.insert("MaThamChieu".into(), reference.clone());
    npsp_paid.insert("SoTien".into(), "35000".into());
    npsp_paid.insert("MaGiaoDich".into(), "PGNPSP0001".into());
    resign(&peer, &mut npsp_paid).await;
    assert_eq!(confirm(addr, &json_of(&npsp_paid)).await["MaLoi"], "00");
    assert_eq!(dossier(&svc, d5).await.status, 4);
    let step = entity::dossier_event::Entity::find()
        .filter(entity::dossier_event::Column::DossierId.eq(d5))
        .filter(entity::dossier_event::Column::Action.eq("pay"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("the paid step");
    assert_eq!(step.actor_id, None);
    // Nothing more to pay; a partner without the scope is refused; an unknown code is -1.
    let (_, v) = pull(&npsp, &code5).await;
    assert_eq!(v["error_code"], "0", "{v}");
    let reader = token(&reader_id, &reader_secret).await;
    assert_eq!(pull(&reader, &code5).await.0, 403);
    let (_, v) = pull(&npsp, "H48.KHONG-CO-0001").await;
    assert_eq!(v["error_code"], "-1", "{v}");

    // The platform cannot be reached: the citizen is told, and no order is left pending.
    let d3 = awaiting_fee(&svc, &staff, unit, citizen, 13, 10_000).await;
    let mut down = s.paygov.clone().expect("config");
    down.url = "http://127.0.0.1:9/init".into();
    svc.integrations.payment = Some(std::sync::Arc::new(
        app::server::paygov::Paygov::new(down).expect("gateway"),
    ));
    let me = app::domain::account::Principal {
        user_id: citizen,
        session_id: "c".into(),
        kind: app::domain::account::AccountKind::Citizen,
        full_name: "Công dân".into(),
        email: CITIZEN.into(),
        stage: app::domain::account::Stage::Full,
        roles: vec![],
    };
    match app::server::payment::start(&svc, &me, d3, false, &RequestMeta::default()).await {
        Err(AppError::Validation(v)) => {
            assert!(v[0].message_vi.contains("cổng thanh toán"), "{v:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(payments(&svc, d3).await.is_empty());
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paygov_sqlite() {
    run_paygov(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn paygov_postgres() {
    run_paygov(TestDb::postgres().await).await;
}
