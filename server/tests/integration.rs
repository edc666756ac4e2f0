//! The transactional outbox and the NPSP adapter (B-m, EMC-2) on SQLite and PostgreSQL,
//! against `peer npsp`, a separate process that speaks the NPSP protocol on loopback: the
//! happy path, the peer refusing and failing, the session expiring, redelivery, dead letters
//! and their retry, and an app process killed with SIGKILL in the middle of a delivery.
mod common;

use std::sync::Arc;

use app::domain::calendar::Day;
use app::domain::workflow::ActionKind as A;
use app::error::AppError;
use app::server::auth::RequestMeta;
use app::server::npsp::{Npsp, NpspConfig};
use app::server::outbox::{self, DEAD, DELIVERED, MAX_ATTEMPTS, PENDING};
use app::server::work::{act, ActInput};
use app::server::Services;
use common::{Peer, TestDb};
use entity::outbox_message;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

const DSTCODE: &str = "000.00.00.H48";

fn config(peer: &Peer) -> NpspConfig {
    NpspConfig {
        url: format!("http://{}", peer.addr),
        auth_endpoint: "/auth".into(),
        integration_endpoint: "/integration".into(),
        username: "portal".into(),
        password: "portal-secret".into(),
        dstcode: DSTCODE.into(),
        madonvi: "000.00.15.H48".into(),
    }
}

fn calls(s: &Value, service: &str) -> u64 {
    s["calls"][service].as_u64().unwrap_or(0)
}

fn progress(s: &Value, code: &str) -> Vec<Value> {
    s["progress"][code].as_array().cloned().unwrap_or_default()
}

/// A submitted dossier on the counter → specialist → leader workflow, received by `unit`.
async fn filed(svc: &Services, unit: i32, n: usize) -> (i32, String) {
    let today = Day::from_unix_vn(app::server::auth::now());
    let code = format!("H48.TN-{}-{n:04}", today.yymmdd());
    let id = common::filed(
        svc,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        code.clone(),
        None,
    )
    .await;
    (id, code)
}

async fn messages(svc: &Services) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .order_by_asc(outbox_message::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

async fn run(db: TestDb) {
    let peer = Peer::start("npsp").await;
    // The app over HTTP (for the page's permissions) has no NPSP; the test's own services
    // queue and deliver, so each delivery round is the test's to start.
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    let (addr, mut svc) = common::start_app(s).await;
    svc.integrations.npsp = Some(Arc::new(Npsp::new(config(&peer)).expect("adapter")));
    svc.integrations.lease_secs = 2;
    let svc = &svc;
    let meta = RequestMeta::default();
    let unit = common::one_stop(svc).await;
    let staff = common::staff(svc, unit, "npsp").await;

    // Happy path: accepting queues one message in the same transaction; one round registers
    // the dossier with status 2 and its first progress step.
    let (d1, c1) = filed(svc, unit, 1).await;
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
    assert_eq!(messages(svc).await.len(), 1);
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 1);
    let st = peer.state().await;
    assert_eq!(st["dossiers"][&c1]["TrangThaiHoSo"], "2", "{st}");
    assert_eq!(
        st["dossiers"][&c1]["NgayHenTra"].as_str().map(str::len),
        Some(14)
    );
    assert_eq!(progress(&st, &c1).len(), 1);
    assert_eq!(progress(&st, &c1)[0]["NguoiXuLy"], "Trần Thị Một Cửa");
    assert_eq!(st["logins"], 1);
    // The log has each call, the applicant's name masked.
    let log = outbox::view(svc, &common::admin(), &c1)
        .await
        .expect("view");
    let ops: Vec<&str> = log.log.iter().map(|l| l.operation.as_str()).collect();
    assert_eq!(ops, ["CapNhatTienDoHoSoMC", "DongBoHoSoMC", "TraCuuHoSo"]);
    assert!(log.log.iter().all(|l| l.ok));
    let sync = &log.log[1].request;
    assert!(
        sync.contains("\"ChuHoSo\":\"***\"") && !sync.contains("Nguyễn Văn Nộp"),
        "{sync}"
    );
    assert!(!log.log.iter().any(|l| l.request.contains("portal-secret")));
    assert_eq!((log.delivered, log.pending, log.dead), (1, 0, 0));

    // The applicant's file: the NPSP is given a link to it with the next update.
    let pdf: &[u8] = b"%PDF-1.7\n% to khai NPSP\n%%EOF\n";
    let mut staged = app::server::storage::Staged::new(
        svc.storage.as_ref(),
        1 << 20,
        vec![app::domain::eform::FileType::Pdf],
    )
    .await
    .expect("stage");
    staged.write(pdf).await.expect("write");
    let f = staged.finish().await.expect("finish");
    svc.storage.put(&f.path, &f.sha256).await.expect("put");
    let sha = f.sha256.clone();
    f.consumed();
    {
        use sea_orm::{ActiveModelTrait, Set};
        entity::dossier_file::ActiveModel {
            dossier_id: Set(d1),
            slot: Set("to-khai".into()),
            kind: Set("input".into()),
            file_name: Set("tờ khai.pdf".into()),
            content_type: Set("application/pdf".into()),
            size: Set(pdf.len() as i64),
            sha256: Set(sha),
            created_at: Set(app::server::auth::now()),
            version: Set(1),
            ..Default::default()
        }
        .insert(&svc.db)
        .await
        .expect("file");
    }

    // The next step updates the same dossier (isUpdating) with status 4.
    act(
        svc,
        &staff.leader,
        d1,
        A::Assign,
        ActInput {
            assignee: Some(staff.specialist.user_id),
            ..Default::default()
        },
        &meta,
    )
    .await
    .expect("assigned");
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 1);
    let st = peer.state().await;
    assert_eq!(st["dossiers"][&c1]["TrangThaiHoSo"], "4");
    assert_eq!(progress(&st, &c1).len(), 2);
    // B-m: the NPSP fetches the file through its link without a session; an altered link is
    // refused like a missing file, and the log keeps the fetch but never the link.
    let item = &st["dossiers"][&c1]["TaiLieuNop"][0];
    assert_eq!(item["TenTepDinhKem"], "tờ khai.pdf", "{st}");
    assert_eq!(item["MaThanhPhanHoSo"], "to-khai");
    let link = item["DuongDanTaiTepTin"]
        .as_str()
        .expect("a link")
        .to_owned();
    let path = link
        .strip_prefix("http://127.0.0.1")
        .expect("under the public address")
        .to_owned();
    assert!(path.starts_with("/lien-thong/tep/"), "{path}");
    let r = common::get(addr, &path).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.as_bytes(), pdf);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    let (head, sig) = path.rsplit_once('/').expect("signature");
    let forged = format!("{head}/{}", "0".repeat(sig.len()));
    assert_eq!(common::get(addr, &forged).await.status, 404);
    let (rest, _) = head.rsplit_once('/').expect("expiry");
    let longer = format!("{rest}/{}/{sig}", app::server::auth::now() + 400 * 86_400);
    assert_eq!(common::get(addr, &longer).await.status, 404);
    let log = outbox::view(svc, &common::admin(), "").await.expect("view");
    assert!(log
        .log
        .iter()
        .any(|l| l.operation == "GET file" && l.http_status == Some(200)));
    assert!(
        log.log.iter().all(|l| !l.request.contains(sig)),
        "the link is masked in the log"
    );
    assert_eq!(st["logins"], 1, "the session is reused");

    // The peer fails: the message waits with its error and a later attempt time, then goes
    // through; nothing is lost or doubled.
    let (d2, c2) = filed(svc, unit, 2).await;
    peer.control("/_peer/fail/DongBoHoSoMC/2").await;
    act(
        svc,
        &staff.counter,
        d2,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 0);
    let m = messages(svc).await.pop().expect("message");
    assert_eq!((m.status.as_str(), m.attempts), (PENDING, 1));
    assert!(
        m.last_error.as_deref().unwrap_or("").contains("503"),
        "{m:?}"
    );
    assert!(m.next_at > app::server::auth::now() + 20, "backoff");
    assert_eq!(
        outbox::run_once(svc, 20).await.expect("round"),
        0,
        "not due yet"
    );
    common::make_due(svc).await;
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 0);
    common::make_due(svc).await;
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 1);
    let st = peer.state().await;
    assert_eq!(st["dossiers"][&c2]["TrangThaiHoSo"], "2");
    assert_eq!(progress(&st, &c2).len(), 1);

    // The portal restarts and forgets the session: one refused round, then a new login.
    peer.control("/_peer/expire").await;
    act(
        svc,
        &staff.leader,
        d2,
        A::Assign,
        ActInput {
            assignee: Some(staff.specialist.user_id),
            ..Default::default()
        },
        &meta,
    )
    .await
    .expect("assigned");
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 0);
    common::make_due(svc).await;
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 1);
    let st = peer.state().await;
    assert_eq!(st["logins"], 2);
    assert_eq!(st["dossiers"][&c2]["TrangThaiHoSo"], "4");

    // A message delivered twice (a worker died after the NPSP answered): the NPSP keeps one
    // dossier and one progress entry.
    let before = peer.state().await;
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(PENDING))
        .filter(outbox_message::Column::Status.eq(DELIVERED))
        .exec(&svc.db)
        .await
        .expect("redeliver");
    common::make_due(svc).await;
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 4);
    let st = peer.state().await;
    assert_eq!(st["dossiers"], before["dossiers"]);
    assert_eq!(st["progress"], before["progress"]);
    assert_eq!(
        calls(&st, "DongBoHoSoMC"),
        calls(&before, "DongBoHoSoMC") + 4
    );

    // Dead letter: after the last attempt the message is dead; an administrator retries it.
    let (d3, c3) = filed(svc, unit, 3).await;
    peer.control(&format!("/_peer/fail/CapNhatTienDoHoSoMC/{MAX_ATTEMPTS}"))
        .await;
    act(
        svc,
        &staff.counter,
        d3,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    for _ in 0..MAX_ATTEMPTS {
        common::make_due(svc).await;
        assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 0);
    }
    let m = messages(svc).await.pop().expect("message");
    assert_eq!((m.status.as_str(), m.attempts), (DEAD, MAX_ATTEMPTS));
    let v = outbox::view(svc, &common::admin(), "").await.expect("view");
    assert_eq!(v.dead, 1);
    assert_eq!(v.dead_rows[0].id, m.id);
    assert_eq!(
        outbox::retry(svc, &staff.leader, m.id, &meta).await,
        Err(AppError::Forbidden),
        "a unit leader cannot retry"
    );
    assert_eq!(
        outbox::view(svc, &staff.leader, "").await.err(),
        Some(AppError::Forbidden)
    );
    outbox::retry(svc, &common::admin(), m.id, &meta)
        .await
        .expect("retried");
    assert_eq!(
        outbox::retry(svc, &common::admin(), m.id, &meta).await,
        Err(AppError::NotFound),
        "only a dead message can be retried"
    );
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 1);
    assert_eq!(progress(&peer.state().await, &c3).len(), 1);

    // Over HTTP the page is for administrators: a citizen is refused.
    let mut c = common::Client::new(addr);
    c.get("/dang-nhap").await;
    let r = c
        .post(
            "/dang-nhap",
            &[
                ("email", "congdan@demo.dichvucong.vn"),
                ("password", "cong dan thu nghiem Da Nang"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(c.get("/quan-tri/tich-hop").await.status, 403);
    assert_eq!(
        c.post("/quan-tri/tich-hop", &[("thu_lai", "1")])
            .await
            .status,
        403
    );

    // Kill -9 mid-delivery: an app process delivers with a slow peer and is killed while a
    // call is in flight; after its lease runs out another worker delivers everything, and
    // the NPSP holds each dossier and step once.
    let mut queued = Vec::new();
    for n in 4..7 {
        let (d, code) = filed(svc, unit, n).await;
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
        queued.push(code);
    }
    peer.control("/_peer/delay/1500").await;
    let before = calls(&peer.state().await, "TraCuuHoSo");
    common::kill_mid_delivery(
        &db.url,
        &[
            ("PORTAL_NPSP_URL", format!("http://{}", peer.addr)),
            ("PORTAL_NPSP_USERNAME", "portal".into()),
            ("PORTAL_NPSP_PASSWORD", "portal-secret".into()),
            ("PORTAL_NPSP_DSTCODE", DSTCODE.into()),
            ("PORTAL_NPSP_MADONVI", "000.00.15.H48".into()),
        ],
        || async { calls(&peer.state().await, "TraCuuHoSo") > before },
    )
    .await;
    peer.control("/_peer/delay/0").await;
    let claimed = messages(svc)
        .await
        .into_iter()
        .filter(|m| m.locked_until.is_some() && m.status == PENDING)
        .count();
    assert!(claimed >= 1, "the killed process held a claim");
    // Its claim blocks others until the lease ends.
    common::drain(svc, app::server::npsp::TOPIC).await;
    assert!(messages(svc).await.iter().all(|m| m.status == DELIVERED));
    let st = peer.state().await;
    for code in &queued {
        assert_eq!(st["dossiers"][code]["TrangThaiHoSo"], "2", "{code}");
        assert_eq!(progress(&st, code).len(), 1, "{code}: one step, once");
    }
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn npsp_outbox_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn npsp_outbox_postgres() {
    run(TestDb::postgres().await).await;
}
