//! SMS notifications (P-3.2) through the outbox, on SQLite and PostgreSQL, against `peer sms`,
//! a separate process speaking the gateway protocol on loopback: a walk-in applicant (phone, no
//! account) and a citizen with an account are texted, in plain ASCII; the gateway down means
//! retries and then one message; a redelivery after a lost answer texts nobody twice; a wrong
//! token is refused, logged and kept for retry; an instance without SMS queues nothing.
mod common;

use std::sync::Arc;

use app::domain::calendar::Day;
use app::domain::workflow::ActionKind as A;
use app::server::auth::RequestMeta;
use app::server::outbox::{self, DELIVERED, PENDING};
use app::server::sms::{Sms, SmsConfig};
use app::server::work::{act, ActInput};
use app::server::Services;
use common::{Peer, TestDb};
use entity::{integration_log, outbox_message};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::Value;

fn config(peer: &Peer, token: &str) -> SmsConfig {
    SmsConfig {
        url: format!("http://{}/sms", peer.addr),
        token: token.into(),
        brandname: "UBND DA NANG".into(),
    }
}

async fn sms_messages(svc: &Services) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Topic.eq("sms"))
        .order_by_asc(outbox_message::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

fn texts(state: &Value) -> Vec<(String, String)> {
    state["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            (
                m["phone"].as_str().unwrap_or_default().to_owned(),
                m["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn run(db: TestDb) {
    let peer = Peer::start("sms").await;
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    // Building the app migrates and seeds the demo units and citizen.
    let (_, mut svc) = common::start_app(s).await;
    let plain = svc.clone();
    svc.integrations.sms = Some(Arc::new(
        Sms::new(config(&peer, "sms-secret")).expect("sms"),
    ));
    let svc = &svc;
    let meta = RequestMeta::default();
    let unit = common::one_stop(svc).await;
    let staff = common::staff(svc, unit, "sms").await;
    let today = Day::from_unix_vn(app::server::auth::now());

    // A walk-in applicant: a phone on the dossier, no account. The gateway is down for two
    // calls; accepting queues the text, and the third round delivers it.
    let c1 = format!("H48.SMS-{}-0001", today.yymmdd());
    let d1 = common::filed(svc, "mot-cua-chuyen-vien-lanh-dao", unit, c1.clone(), None).await;
    let mut m: entity::dossier::ActiveModel = entity::dossier::Entity::find_by_id(d1)
        .one(&svc.db)
        .await
        .expect("q")
        .expect("dossier")
        .into();
    m.applicant_phone = Set(Some("0905123456".into()));
    m.update(&svc.db).await.expect("phone");
    peer.control("/_peer/fail/2").await;
    act(
        svc,
        &staff.counter,
        d1,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    let queued = sms_messages(svc).await;
    assert_eq!(queued.len(), 1);
    let payload: Value = serde_json::from_str(&queued[0].payload).expect("json");
    assert_eq!(payload["phone"], "84905123456");
    assert_eq!(
        payload["message"],
        format!("Ho so {c1} da duoc tiep nhan va chuyen xu ly.")
    );
    for round in 1..=2 {
        assert_eq!(
            outbox::run_once(svc, 10).await.expect("round"),
            0,
            "round {round}"
        );
        common::make_due(svc).await;
    }
    assert_eq!(sms_messages(svc).await[0].status, PENDING);
    assert_eq!(sms_messages(svc).await[0].attempts, 2);
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let sent = peer.state().await;
    assert_eq!(
        texts(&sent),
        vec![(
            "84905123456".to_owned(),
            format!("Ho so {c1} da duoc tiep nhan va chuyen xu ly.")
        )]
    );
    assert_eq!(sms_messages(svc).await[0].status, DELIVERED);
    // The log has every attempt, without the phone number.
    let log = integration_log::Entity::find()
        .filter(integration_log::Column::System.eq("sms"))
        .all(&svc.db)
        .await
        .expect("log");
    assert_eq!(log.len(), 3);
    assert_eq!(log.iter().filter(|l| l.ok).count(), 1);
    assert!(
        log.iter().all(|l| !l.request.contains("905123456")),
        "{log:?}"
    );

    // The answer is lost after the gateway took the message (the worker died before settling):
    // the next worker sends it again under the same ref, and the applicant gets one text.
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(PENDING))
        .filter(outbox_message::Column::Topic.eq("sms"))
        .exec(&svc.db)
        .await
        .expect("undo");
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let again = peer.state().await;
    assert_eq!(texts(&again).len(), 1);
    assert_eq!(again["duplicates"], 1);

    // A citizen with an account is texted at the phone of the account, about what to add.
    let citizen = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("congdan@demo.dichvucong.vn"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("demo citizen");
    let c2 = format!("H48.SMS-{}-0002", today.yymmdd());
    let d2 = common::filed(
        svc,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        c2.clone(),
        Some(citizen.id),
    )
    .await;
    let ask = ActInput {
        note: "Bổ sung bản sao Giấy chứng sinh.".into(),
        ..Default::default()
    };
    act(svc, &staff.counter, d2, A::RequestSupplement, ask, &meta)
        .await
        .expect("supplement asked");
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let both = texts(&peer.state().await);
    assert_eq!(both.len(), 2);
    let phone = app::server::sms::msisdn(citizen.phone.as_deref().expect("demo phone"));
    assert_eq!(Some(both[1].0.clone()), phone);
    assert_eq!(
        both[1].1,
        format!("Ho so {c2} can bo sung: Bo sung ban sao Giay chung sinh.")
    );

    // A wrong token: refused (401), logged, and kept for a later retry.
    let mut wrong = svc.clone();
    wrong.integrations.sms = Some(Arc::new(Sms::new(config(&peer, "wrong")).expect("sms")));
    let c3 = format!("H48.SMS-{}-0003", today.yymmdd());
    let d3 = common::filed(
        &wrong,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        c3,
        Some(citizen.id),
    )
    .await;
    act(
        &wrong,
        &staff.counter,
        d3,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    assert_eq!(outbox::run_once(&wrong, 10).await.expect("round"), 0);
    let last = sms_messages(svc).await.pop().expect("queued");
    assert_eq!((last.status.as_str(), last.attempts), (PENDING, 1));
    assert!(
        last.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("401"),
        "{last:?}"
    );
    assert_eq!(texts(&peer.state().await).len(), 2);

    // An instance without SMS queues no text.
    let before = sms_messages(svc).await.len();
    let c4 = format!("H48.SMS-{}-0004", today.yymmdd());
    let d4 = common::filed(
        &plain,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        c4,
        Some(citizen.id),
    )
    .await;
    act(
        &plain,
        &staff.counter,
        d4,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    assert_eq!(sms_messages(svc).await.len(), before);

    // Kill -9 mid-delivery: an app process texts through a slow gateway and is killed while
    // a call is open; after its lease another worker delivers everything, and every text
    // reached the gateway once.
    for n in 5..8 {
        let code = format!("H48.SMS-{}-{n:04}", today.yymmdd());
        let d = common::filed(
            svc,
            "mot-cua-chuyen-vien-lanh-dao",
            unit,
            code,
            Some(citizen.id),
        )
        .await;
        act(
            svc,
            &staff.counter,
            d,
            A::Accept,
            ActInput::default(),
            &meta,
        )
        .await
        .expect("accepted");
    }
    common::make_due(svc).await;
    peer.control("/_peer/delay/1500").await;
    let calls = |st: &Value| st["calls"].as_u64().unwrap_or_default();
    let before = calls(&peer.state().await);
    common::kill_mid_delivery(
        &db.url,
        &[
            ("PORTAL_SMS_URL", format!("http://{}/sms", peer.addr)),
            ("PORTAL_SMS_TOKEN", "sms-secret".into()),
            ("PORTAL_SMS_BRANDNAME", "UBND DA NANG".into()),
        ],
        || async { calls(&peer.state().await) > before },
    )
    .await;
    peer.control("/_peer/delay/0").await;
    assert!(
        sms_messages(svc)
            .await
            .iter()
            .any(|m| m.status == PENDING && m.locked_until.is_some()),
        "the killed process held a claim"
    );
    common::drain(svc, "sms").await;
    assert!(sms_messages(svc)
        .await
        .iter()
        .all(|m| m.status == DELIVERED));
    let st = peer.state().await;
    let refs: Vec<String> = sms_messages(svc)
        .await
        .iter()
        .map(|m| {
            serde_json::from_str::<Value>(&m.payload).expect("json")["ref"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for r in &refs {
        let taken = st["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter(|m| m["ref"] == r.as_str())
            .count();
        assert_eq!(taken, 1, "{r}: taken once");
    }
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_postgres() {
    run(TestDb::postgres().await).await;
}
