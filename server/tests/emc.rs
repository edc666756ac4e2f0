//! EMC (EMC-1 … EMC-5) against the `peer emc` simulator: the tracking snippet and its CSP,
//! dossier events pushed through the outbox (peer down then back, nothing lost or doubled),
//! personal data masked in the log, the exports for administrators only, and the
//! reconciliation finding a lost event and re-sending it.
mod common;

use std::sync::Arc;

use app::domain::workflow::ActionKind as A;
use app::server::auth::RequestMeta;
use app::server::emc::{self, Emc, EmcConfig};
use app::server::outbox::{self, DEAD, DELIVERED};
use app::server::work::{act, ActInput};
use common::{Peer, TestDb};
use entity::{integration_log, outbox_message};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

fn config(peer: &Peer, push: bool) -> EmcConfig {
    EmcConfig {
        site_id: "12345".into(),
        tracker_url: format!("http://{}/tracking", peer.addr),
        script_url: format!("http://{}/embed/gov-tracking.min.js", peer.addr),
        push_url: push.then(|| format!("http://{}/TrackingMCDT", peer.addr)),
        location: "48".into(),
        status_map: emc::parse_status_map("1:1,2:1,4:2,9:3,10:3").expect("map"),
        system_name: "Hệ thống thông tin giải quyết TTHC thành phố Đà Nẵng".into(),
        contact: "Sở KH&CN Đà Nẵng, 0236 000 0000".into(),
    }
}

async fn messages(svc: &app::server::Services) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Topic.eq(emc::TOPIC))
        .order_by_asc(outbox_message::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

async fn run(db: TestDb) {
    let peer = Peer::start("emc").await;
    // The app serves the pages with the snippet only (its own worker would race the test's);
    // the test's services push, one delivery round at a time.
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.emc = Some(config(&peer, false));
    let (addr, mut svc) = common::start_app(s).await;
    svc.integrations.emc = Some(Arc::new(Emc::new(config(&peer, true)).expect("emc")));
    let svc = &svc;
    let meta = RequestMeta::default();
    let origin = format!("http://{}", peer.addr);

    // EMC-1, the snippet: in the page's head with its CSP nonce; the CSP lets the hits out.
    let home = common::get(addr, "/").await;
    assert!(
        home.body.contains("_govaq.push(['setSiteId','12345'])"),
        "{}",
        home.body
    );
    assert!(home
        .body
        .contains(&format!("g.src='{origin}/embed/gov-tracking.min.js'")));
    let csp = home.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains(&format!("img-src 'self' data: {origin}")),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("connect-src 'self' {origin}")),
        "{csp}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("nonce");
    assert!(home
        .body
        .contains(&format!("<script nonce=\"{nonce}\">var _govaq")));

    // EMC-1, the push: an accepted dossier reaches EMC after the peer was down twice.
    let unit = common::one_stop(svc).await;
    let staff = common::staff(svc, unit, "emc").await;
    let code = format!("EMC-{}", app::server::auth::now() % 1_000_000);
    let id = common::filed(
        svc,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        code.clone(),
        None,
    )
    .await;
    peer.control("/_peer/fail/2").await;
    act(
        svc,
        &staff.counter,
        id,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    assert_eq!(messages(svc).await.len(), 1, "queued with the change");
    for _ in 0..2 {
        assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 0);
        common::make_due(svc).await;
    }
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let st = peer.state().await;
    let pushes = st["pushes"].as_array().cloned().unwrap_or_default();
    assert_eq!(pushes.len(), 1, "{st}");
    let p = &pushes[0];
    assert_eq!(p["MaHoSo"], code.as_str());
    assert_eq!(p["CodeProfile"], code.as_str());
    assert_eq!(p["SiteId"], 12345);
    assert_eq!(p["Status"], 1, "accepted (national 2) is TiepNhan");
    assert_eq!(p["FormsReception"], 1, "filed online");
    assert_eq!(p["Data"]["TrangThaiQuocGia"], 2);
    assert_eq!(p["Data"]["HanhDong"], "accept");
    let user: Value = serde_json::from_str(p["User"].as_str().expect("a string")).expect("JSON");
    assert_eq!(user["LOCATION"], "48");
    let event = p["Data"]["SuKien"].as_i64().expect("event");

    // Delivered twice (a lost answer, or a re-send): EMC keeps the event once.
    outbox::enqueue(
        &svc.db,
        emc::TOPIC,
        &format!("emc:again:{event}"),
        &serde_json::json!({ "dossier": id, "event": event }),
    )
    .await
    .expect("queued");
    assert_eq!(outbox::run_once(svc, 10).await.expect("round"), 1);
    let st = peer.state().await;
    assert_eq!(st["pushes"].as_array().map(Vec::len), Some(1));
    assert_eq!(st["duplicates"], 1);

    // EMC-2: every attempt is logged, the user's identity masked.
    let log = integration_log::Entity::find()
        .filter(integration_log::Column::System.eq("emc"))
        .all(&svc.db)
        .await
        .expect("log");
    assert_eq!(log.len(), 4);
    assert_eq!(log.iter().filter(|l| l.ok).count(), 2);
    assert!(
        log.iter().all(|l| !l.request.contains("LOCATION")),
        "User masked"
    );

    // EMC-5: a second dossier's event dies at EMC; the reconciliation finds it and re-sends.
    let code2 = format!("{code}-B");
    let id2 = common::filed(
        svc,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        code2.clone(),
        None,
    )
    .await;
    act(
        svc,
        &staff.counter,
        id2,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(DEAD))
        .filter(outbox_message::Column::Topic.eq(emc::TOPIC))
        .filter(outbox_message::Column::Status.eq(outbox::PENDING))
        .exec(&svc.db)
        .await
        .expect("dead");
    let r = emc::reconcile(svc, 30).await.expect("reconcile");
    assert!(
        r.missing.iter().any(|(d, c)| *d == id2 && *c == code2),
        "{r:?}"
    );
    assert!(!r.missing.iter().any(|(d, _)| *d == id), "{r:?}");
    assert!(r.up_to_date >= 1);
    assert!(
        matches!(
            emc::resend_missing(svc, &staff.leader, 30, &meta).await,
            Err(app::error::AppError::Forbidden)
        ),
        "a unit leader cannot re-send"
    );
    let queued = emc::resend_missing(svc, &common::admin(), 30, &meta)
        .await
        .expect("resend");
    assert!(queued >= 1);
    while outbox::run_once(svc, 10).await.expect("round") > 0 {}
    let st = peer.state().await;
    assert!(st["pushes"]
        .as_array()
        .is_some_and(|v| v.iter().any(|x| x["MaHoSo"] == code2.as_str())));
    let r = emc::reconcile(svc, 30).await.expect("reconcile");
    assert!(!r.missing.iter().any(|(d, _)| *d == id2), "{r:?}");
    assert!(
        messages(svc)
            .await
            .iter()
            .filter(|m| m.status == DELIVERED)
            .count()
            >= 3
    );
    // The admin page shows the connection information and the reconciliation.
    let v = outbox::view(svc, &common::admin(), "").await.expect("view");
    let e = v.emc.expect("EMC section");
    assert_eq!(e.site_id, "12345");
    assert!(e.push_url.is_some());

    // EMC-3: the exports, for administrators only, without contact details.
    let accounts = String::from_utf8(
        emc::accounts_csv(svc, &common::admin(), &meta)
            .await
            .expect("accounts"),
    )
    .expect("utf-8");
    assert!(accounts.starts_with("\u{feff}MaTaiKhoan,LoaiTaiKhoan,HoVaTen"));
    let citizen = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("congdan@demo.dichvucong.vn"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("demo citizen");
    assert!(accounts.contains(&format!("{},citizen,{}", citizen.id, citizen.full_name)));
    assert!(
        !accounts.contains("@demo.dichvucong.vn"),
        "no e-mail addresses"
    );
    let services = String::from_utf8(
        emc::services_csv(svc, &common::admin())
            .await
            .expect("services"),
    )
    .expect("utf-8");
    assert!(services.contains("1.001193"));
    assert!(matches!(
        emc::services_csv(svc, &staff.leader).await,
        Err(app::error::AppError::Forbidden)
    ));
    let mut c = common::Client::new(addr);
    c.get("/dang-nhap").await;
    c.post(
        "/dang-nhap",
        &[
            ("email", "congdan@demo.dichvucong.vn"),
            ("password", "cong dan thu nghiem Da Nang"),
        ],
    )
    .await;
    assert_eq!(c.get("/quan-tri/emc/tai-khoan.csv").await.status, 403);
    assert_eq!(c.get("/quan-tri/emc/thu-tuc.csv").await.status, 403);

    // Kill -9 mid-delivery: an app process pushes to a slow EMC and is killed while a call is
    // open; after its lease another worker delivers everything, and EMC holds each event of
    // each dossier once.
    let mut codes = Vec::new();
    for n in 0..3 {
        let code = format!("EMC-K{n}-{}", app::server::auth::now() % 1_000_000);
        let id = common::filed(
            svc,
            "mot-cua-chuyen-vien-lanh-dao",
            unit,
            code.clone(),
            None,
        )
        .await;
        act(
            svc,
            &staff.counter,
            id,
            A::Accept,
            ActInput::default(),
            &meta,
        )
        .await
        .expect("accepted");
        codes.push(code);
    }
    common::make_due(svc).await;
    peer.control("/_peer/delay/1500").await;
    let calls = |st: &serde_json::Value| st["calls"].as_u64().unwrap_or_default();
    let before = calls(&peer.state().await);
    common::kill_mid_delivery(
        &db.url,
        &[
            ("PORTAL_EMC_SITE_ID", "12345".into()),
            (
                "PORTAL_EMC_PUSH_URL",
                format!("http://{}/TrackingMCDT", peer.addr),
            ),
            ("PORTAL_EMC_LOCATION", "48".into()),
        ],
        || async { calls(&peer.state().await) > before },
    )
    .await;
    peer.control("/_peer/delay/0").await;
    common::drain(svc, emc::TOPIC).await;
    let st = peer.state().await;
    for code in &codes {
        let held = st["pushes"]
            .as_array()
            .expect("pushes")
            .iter()
            .filter(|x| x["MaHoSo"] == code.as_str())
            .count();
        assert_eq!(held, 1, "{code}: one event, once");
    }
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emc_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emc_postgres() {
    run(TestDb::postgres().await).await;
}
