//! The postal channel (P-3.5) on SQLite and PostgreSQL, over real sockets, against `peer
//! post`, a separate process speaking the postal protocol on loopback: a citizen chooses that
//! the post collects the papers and delivers the result (a bad address is refused with the
//! reasons and stores nothing); submitting queues the collection order, which reaches the post
//! after two failures exactly once and brings back a tracking number shown on the dossier; a
//! redelivery after a lost answer creates no second order; the post's signed tracking reports
//! move the status (a repeat is kept once, an older report does not move it back, a tampered,
//! unsigned, malformed or unknown report is refused and changes nothing); returning the result
//! queues the delivery order to the applicant's address; once sent, the choice is closed.
mod common;

use app::domain::workflow::ActionKind as A;
use app::server::auth::RequestMeta;
use app::server::outbox;
use app::server::post::PostConfig;
use app::server::work::{act, ActInput};
use app::server::Services;
use common::{between, location, ready_draft, Client, Peer, TestDb};
use entity::{outbox_message, shipment, shipment_event};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::Value;

const CITIZEN: &str = "congdan@demo.dichvucong.vn";
const PASSWORD: &str = "cong dan thu nghiem Da Nang";
async fn shipments(svc: &Services, id: i32) -> Vec<shipment::Model> {
    shipment::Entity::find()
        .filter(shipment::Column::DossierId.eq(id))
        .order_by_asc(shipment::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

async fn orders(svc: &Services) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Topic.eq("post.order"))
        .order_by_asc(outbox_message::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

async fn run(db: TestDb) {
    let post = Peer::start("post").await;
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.post = Some(PostConfig {
        url: format!("http://{}/order", post.addr),
        token: "post-token".into(),
        customer_code: "PORTAL".into(),
        callback_secret: "post-callback-secret".into(),
        cancel_url: Some(format!("http://{}/cancel", post.addr)),
        tracking_url: Some(format!("http://{}/tracking", post.addr)),
    });
    // The test drives the outbox itself.
    s.outbox_interval_ms = 3_600_000;
    let (addr, mut svc) = common::start_app(s.clone()).await;
    svc.integrations.post = Some(std::sync::Arc::new(
        app::server::post::Post::new(s.post.clone().expect("post")).expect("post"),
    ));
    let svc = &svc;
    post.control(&format!(
        "/_peer/callback-target?url=http://{addr}/buu-chinh/trang-thai"
    ))
    .await;
    let communes = svc.communes("48").await.expect("communes");
    let (commune, commune_name) = communes.first().cloned().expect("a commune of Đà Nẵng");
    let foreign = svc
        .communes("01")
        .await
        .expect("communes")
        .first()
        .cloned()
        .expect("a commune of Hà Nội")
        .0;

    let mut c = Client::new(addr);
    c.get("/dang-nhap").await;
    let r = c
        .post("/dang-nhap", &[("email", CITIZEN), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 303);
    let id = ready_draft(&mut c, &commune).await;

    // The draft offers the post as an optional step.
    let page = c.get(&format!("/ho-so/{id}")).await;
    assert!(page.body.contains(&format!("/ho-so/{id}/buu-chinh")));
    assert!(page.body.contains("Không bắt buộc"));
    let form = c.get(&format!("/ho-so/{id}/buu-chinh")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("value=\"0905000123\"") || form.body.contains("Nguyễn"));

    // Bad input: every reason at once, translated; nothing stored.
    let bad = c
        .post(
            &format!("/ho-so/{id}/buu-chinh"),
            &[
                ("papers", "1"),
                ("result", "1"),
                ("name", ""),
                ("phone", "12345"),
                ("province", "48"),
                ("commune", &foreign),
                ("street", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for m in [
        "Nhập họ tên người nhận",
        "số điện thoại di động",
        "xã, phường thuộc tỉnh",
        "Nhập số nhà",
    ] {
        assert!(bad.body.contains(m), "{m}");
    }
    assert!(shipments(svc, id).await.is_empty());
    // English too.
    let mut en = Client::new(addr);
    en.cookies = c.cookies.clone();
    en.get("/ngon-ngu?lang=en&next=/").await;
    let bad_en = en
        .post(
            &format!("/ho-so/{id}/buu-chinh"),
            &[("result", "1"), ("phone", "x"), ("action", "save")],
        )
        .await;
    assert_eq!(bad_en.status, 422);
    assert!(
        bad_en.body.contains("10-digit mobile number"),
        "English message"
    );
    c.get("/ngon-ngu?lang=vi&next=/").await;

    // "Update the list of communes" keeps the input and lists the province's communes.
    let refreshed = c
        .post(
            &format!("/ho-so/{id}/buu-chinh"),
            &[
                ("papers", "1"),
                ("name", "Nguyễn Văn An"),
                ("province", "48"),
                ("street", "12 Lê Lợi"),
                ("action", "refresh"),
            ],
        )
        .await;
    assert_eq!(refreshed.status, 200);
    assert!(refreshed.body.contains(&commune_name));
    assert!(refreshed.body.contains("value=\"12 Lê Lợi\""));
    assert!(shipments(svc, id).await.is_empty());

    // Another citizen cannot see or change this choice.
    let stranger = common::admin();
    assert!(app::server::post::page(svc, &stranger, id, None)
        .await
        .is_err());

    let good = [
        ("papers", "1"),
        ("result", "1"),
        ("name", "Nguyễn Văn An"),
        ("phone", "0905 000 123"),
        ("province", "48"),
        ("commune", commune.as_str()),
        ("street", "12 Lê Lợi"),
        ("action", "save"),
    ];
    let r = c.post(&format!("/ho-so/{id}/buu-chinh"), &good).await;
    assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(2000)]);
    assert_eq!(location(&r), format!("/ho-so/{id}?ok=postal"));
    let legs = shipments(svc, id).await;
    assert_eq!(
        legs.iter()
            .map(|s| (s.kind.as_str(), s.status.as_str()))
            .collect::<Vec<_>>(),
        vec![("papers", "chosen"), ("result", "chosen")]
    );
    assert!(
        orders(svc).await.is_empty(),
        "nothing is sent before submission"
    );

    // Submitting queues the collection order in the same transaction; the post is down for two
    // calls, then takes it once and gives a tracking number.
    let page = c.get(&format!("/ho-so/{id}")).await;
    let key = between(&page.body, "name=\"key\" value=\"", "\"").expect("submit key");
    let r = c
        .post(
            &format!("/ho-so/{id}"),
            &[("action", "submit"), ("key", &key)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(2000)]);
    let code = entity::dossier::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .expect("q")
        .and_then(|d| d.code)
        .expect("a code");
    let queued = orders(svc).await;
    assert_eq!(queued.len(), 1);
    let payload: Value = serde_json::from_str(&queued[0].payload).expect("json");
    assert_eq!(payload["order"]["OrderNumber"], format!("{code}-HS"));
    assert_eq!(payload["order"]["SenderName"], "Nguyễn Văn An");
    assert_eq!(payload["order"]["SenderTel"], "0905 000 123");
    assert_eq!(payload["order"]["SenderWard"], commune.as_str());
    assert!(payload["order"]["SenderAddress"]
        .as_str()
        .unwrap_or_default()
        .contains(&commune_name));
    post.control("/_peer/fail/2").await;
    for _ in 0..2 {
        assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 0);
        common::make_due(svc).await;
    }
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let st = post.state().await;
    assert_eq!(st["orders"].as_array().map(Vec::len), Some(1));
    let item = st["orders"][0]["ItemCode"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(item.starts_with("EB") && item.ends_with("VN"), "{item}");
    // The papers travel to the agency, a ward of Đà Nẵng.
    assert_eq!(st["orders"][0]["ReceiverProvince"], "48");
    let papers = &shipments(svc, id).await[0];
    assert_eq!(papers.status, "accepted");
    assert_eq!(papers.item_code.as_deref(), Some(item.as_str()));
    let page = c.get(&format!("/ho-so/{id}")).await;
    assert!(page.body.contains(&item), "tracking number on the dossier");
    assert!(page.body.contains("Bưu điện đã nhận yêu cầu"));

    // The answer is lost after the post took the order: the redelivery gets the same tracking
    // number back and the post keeps one order.
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(outbox::PENDING))
        .filter(outbox_message::Column::Topic.eq("post.order"))
        .exec(&svc.db)
        .await
        .expect("reset");
    common::make_due(svc).await;
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let st = post.state().await;
    assert_eq!(st["orders"].as_array().map(Vec::len), Some(1));
    assert_eq!(st["duplicates"], 1);

    // Tracking reports from the post, signed.
    let order = format!("{code}-HS");
    let track = |code: u8, extra: &str| format!("/_peer/track/{order}/{code}{extra}");
    let report = |v: &Value| (v["status"].as_u64().unwrap_or(0), v["reply"].clone());
    let r = common::request(
        post.addr,
        "POST",
        &track(2, "?time=20261203090000"),
        &[],
        b"",
    )
    .await;
    let (status, _) = report(&serde_json::from_str(&r.body).expect("json"));
    assert_eq!(status, 200, "{}", r.body);
    let r = common::request(
        post.addr,
        "POST",
        &track(3, "?time=20261203100000"),
        &[],
        b"",
    )
    .await;
    assert_eq!(report(&serde_json::from_str(&r.body).expect("json")).0, 200);
    // The same report again: 200, kept once.
    let r = common::request(
        post.addr,
        "POST",
        &track(3, "?time=20261203100000"),
        &[],
        b"",
    )
    .await;
    assert_eq!(report(&serde_json::from_str(&r.body).expect("json")).0, 200);
    // An older report arriving late does not move the status back.
    let r = common::request(
        post.addr,
        "POST",
        &track(1, "?time=20261203080000"),
        &[],
        b"",
    )
    .await;
    assert_eq!(report(&serde_json::from_str(&r.body).expect("json")).0, 200);
    // Changed after signing: refused.
    let r = common::request(
        post.addr,
        "POST",
        &track(4, "?time=20261203110000&tamper=1"),
        &[],
        b"",
    )
    .await;
    assert_eq!(report(&serde_json::from_str(&r.body).expect("json")).0, 401);
    let papers = &shipments(svc, id).await[0];
    assert_eq!(papers.status, "in_transit");
    let events = shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.eq(papers.id))
        .count(&svc.db)
        .await
        .expect("q");
    assert_eq!(events, 3);

    // Straight to the endpoint: unsigned, malformed, unknown order.
    let url = "/buu-chinh/trang-thai";
    let body = br#"{"OrderNumber":"X","StatusCode":4,"Time":"20261203110000"}"#;
    let r = common::request(
        addr,
        "POST",
        url,
        &[("Content-Type", "application/json")],
        body,
    )
    .await;
    assert_eq!(r.status, 401);
    let signed = |b: &[u8]| app::server::post::sign("post-callback-secret", b);
    let sig = signed(body);
    let r = common::request(addr, "POST", url, &[("X-Signature", &sig)], body).await;
    assert_eq!(r.status, 404, "{}", r.body);
    let junk = b"{not json";
    let sig = signed(junk);
    let r = common::request(addr, "POST", url, &[("X-Signature", &sig)], junk).await;
    assert_eq!(r.status, 400);
    let no_code = format!(r#"{{"OrderNumber":"{order}","StatusCode":99,"Time":"20261203110000"}}"#);
    let sig = signed(no_code.as_bytes());
    let r = common::request(
        addr,
        "POST",
        url,
        &[("X-Signature", &sig)],
        no_code.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(shipments(svc, id).await[0].status, "in_transit");
    // Every report is in the integration log.
    let logged = entity::integration_log::Entity::find()
        .filter(entity::integration_log::Column::System.eq("post"))
        .filter(entity::integration_log::Column::Direction.eq("in"))
        .count(&svc.db)
        .await
        .expect("q");
    assert_eq!(logged, 9);

    // The papers leg is closed now; the result leg may still change.
    let moved = c
        .post(
            &format!("/ho-so/{id}/buu-chinh"),
            &[
                ("result", "1"),
                ("name", "Nguyễn Văn An"),
                ("phone", "0905000123"),
                ("province", "48"),
                ("commune", commune.as_str()),
                ("street", "12 Lê Lợi"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(
        moved.status, 422,
        "papers cannot be un-chosen after submission"
    );
    assert_eq!(shipments(svc, id).await.len(), 2);

    // The officers process the dossier and return the result: the delivery order is queued
    // to the applicant's address.
    let unit = entity::dossier::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .expect("q")
        .expect("d")
        .agency_id;
    let staff = common::staff(svc, unit, "post").await;
    let meta = RequestMeta::default();
    let to = |who: i32| ActInput {
        assignee: Some(who),
        ..Default::default()
    };
    for (who, kind, input) in [
        (&staff.counter, A::Accept, ActInput::default()),
        (&staff.leader, A::Assign, to(staff.specialist.user_id)),
        (&staff.specialist, A::Propose, ActInput::default()),
        (&staff.leader, A::Approve, ActInput::default()),
    ] {
        act(svc, who, id, kind, input, &meta)
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
    }
    let ds = app::server::dossier::plan_result(svc, &staff.counter, id)
        .await
        .expect("plan");
    let mut st = app::server::dossier::stage(svc, &ds).await.expect("stage");
    st.write(b"%PDF-1.4\n% KET-QUA\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        .await
        .expect("write");
    let done = st.finish().await.expect("finish");
    app::server::dossier::attach_result(svc, &staff.counter, id, "ket-qua.pdf", done)
        .await
        .expect("result");
    assert_eq!(orders(svc).await.len(), 1, "nothing sent before the return");
    app::server::dossier::return_result(svc, &staff.counter, id, &meta)
        .await
        .expect("returned");
    let queued = orders(svc).await;
    assert_eq!(queued.len(), 2);
    let payload: Value = serde_json::from_str(&queued[1].payload).expect("json");
    assert_eq!(payload["order"]["OrderNumber"], format!("{code}-KQ"));
    assert_eq!(payload["order"]["ReceiverName"], "Nguyễn Văn An");
    assert_eq!(payload["order"]["ReceiverWard"], commune.as_str());
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let result = &shipments(svc, id).await[1];
    assert_eq!(result.status, "accepted");
    assert!(result.item_code.is_some());
    // Sent: the choice can no longer change.
    let closed = c.post(&format!("/ho-so/{id}/buu-chinh"), &good).await;
    assert_eq!(closed.status, 303, "unchanged choice is fine");
    let off = c
        .post(
            &format!("/ho-so/{id}/buu-chinh"),
            &[("papers", "1"), ("action", "save")],
        )
        .await;
    assert_eq!(off.status, 422);
    assert_eq!(shipments(svc, id).await.len(), 2);

    // Kill -9 mid-delivery: two more applicants submit with the post; an app process sends
    // the collection orders to a slow post and is killed while a call is open; after its
    // lease another worker delivers both, and the post took each order once.
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let more = ready_draft(&mut c, &commune).await;
        let r = c.post(&format!("/ho-so/{more}/buu-chinh"), &good).await;
        assert_eq!(r.status, 303);
        let page = c.get(&format!("/ho-so/{more}")).await;
        let key = between(&page.body, "name=\"key\" value=\"", "\"").expect("submit key");
        let r = c
            .post(
                &format!("/ho-so/{more}"),
                &[("action", "submit"), ("key", &key)],
            )
            .await;
        assert_eq!(r.status, 303);
        let code = entity::dossier::Entity::find_by_id(more)
            .one(&svc.db)
            .await
            .expect("q")
            .and_then(|d| d.code)
            .expect("a code");
        numbers.push(format!("{code}-HS"));
    }
    post.control("/_peer/delay/1500").await;
    let calls = |st: &Value| st["calls"].as_u64().unwrap_or_default();
    let before = calls(&post.state().await);
    let cfg = s.post.clone().expect("post");
    common::kill_mid_delivery(
        &db.url,
        &[
            ("PORTAL_POST_URL", cfg.url.clone()),
            ("PORTAL_POST_TOKEN", cfg.token.clone()),
            ("PORTAL_POST_CUSTOMER_CODE", cfg.customer_code.clone()),
            ("PORTAL_POST_CALLBACK_SECRET", cfg.callback_secret.clone()),
        ],
        || async { calls(&post.state().await) > before },
    )
    .await;
    post.control("/_peer/delay/0").await;
    common::drain(svc, app::server::post::TOPIC).await;
    let st = post.state().await;
    for n in &numbers {
        let taken = st["orders"]
            .as_array()
            .expect("orders")
            .iter()
            .filter(|o| o["OrderNumber"] == n.as_str())
            .count();
        assert_eq!(taken, 1, "{n}: taken once");
    }

    // A lost callback: the post collected the first one but its report never came. Polling
    // the tracking finds it, once, however often it asks.
    let by_number = |n: String| async move {
        shipment::Entity::find()
            .filter(shipment::Column::OrderNumber.eq(n))
            .one(&svc.db)
            .await
            .expect("q")
            .expect("shipment")
    };
    let r = common::request(
        post.addr,
        "POST",
        &format!("/_peer/track/{}/2?silent=1", numbers[0]),
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(by_number(numbers[0].clone()).await.status, "accepted");
    // Not asked while its status is recent.
    assert_eq!(
        app::server::post::poll_tracking(svc, 3600)
            .await
            .expect("poll"),
        0
    );
    assert!(
        app::server::post::poll_tracking(svc, 0)
            .await
            .expect("poll")
            >= 1
    );
    let collected = by_number(numbers[0].clone()).await;
    assert_eq!(collected.status, "collected");
    app::server::post::poll_tracking(svc, 0)
        .await
        .expect("poll again");
    let events = shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.eq(collected.id))
        .count(&svc.db)
        .await
        .expect("q");
    assert_eq!(events, 1, "the same report is kept once");

    // The second is refused at intake before the postman came: its collection is cancelled
    // with the post, and the applicant's page says so. The collected one cannot be.
    let second = by_number(numbers[1].clone()).await;
    act(
        svc,
        &staff.counter,
        second.dossier_id,
        A::Refuse,
        ActInput {
            note: "Hồ sơ không thuộc thẩm quyền giải quyết.".into(),
            ..Default::default()
        },
        &meta,
    )
    .await
    .expect("refused");
    assert_eq!(by_number(numbers[1].clone()).await.status, "cancelling");
    common::drain(svc, app::server::post::CANCEL_TOPIC).await;
    let st = post.state().await;
    let cancelled: Vec<_> = st["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .filter(|o| o["Cancelled"] == true)
        .map(|o| o["OrderNumber"].clone())
        .collect();
    assert_eq!(cancelled, vec![Value::from(numbers[1].clone())]);
    assert_eq!(by_number(numbers[1].clone()).await.status, "cancelled");
    let page = c.get(&format!("/ho-so/{}", second.dossier_id)).await;
    assert!(page.body.contains("Đã huỷ"), "shown to the applicant");
    // Cancelled shipments are not polled any more; the collected one still is.
    let polled = |n: String| async move {
        entity::integration_log::Entity::find()
            .filter(entity::integration_log::Column::System.eq("post"))
            .filter(entity::integration_log::Column::Operation.eq("tracking"))
            .filter(entity::integration_log::Column::Direction.eq("out"))
            .filter(entity::integration_log::Column::Subject.eq(n))
            .count(&svc.db)
            .await
            .expect("q")
    };
    let before = (
        polled(numbers[0].clone()).await,
        polled(numbers[1].clone()).await,
    );
    app::server::post::poll_tracking(svc, 0)
        .await
        .expect("poll");
    assert_eq!(polled(numbers[0].clone()).await, before.0 + 1);
    assert_eq!(polled(numbers[1].clone()).await, before.1);
    db.cleanup().await;
}

#[tokio::test]
async fn postal_channel_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test]
async fn postal_channel_postgres() {
    run(TestDb::postgres().await).await;
}
