//! Inter-agency transfer (liên thông, B-m) between two real instances of the app, each with
//! its own database and file store, talking over real sockets through each other's public
//! API, on SQLite and on PostgreSQL:
//! - agency A sends a dossier (form, documents, history) while B is down: the message waits
//!   and is retried; when B is up it arrives once, with its code, form, documents and A's
//!   history, in B's workflow as a liên thông dossier;
//! - B processes it and attaches the result: the answer goes back to A with the result file,
//!   which A's officers see on the dossier with the history entry and a notification;
//! - a replayed answer changes nothing; a different answer is refused; another partner cannot
//!   answer; a malformed answer is refused with every reason and stores nothing.
mod common;

use std::sync::Arc;

use app::domain::workflow::ActionKind as A;
use app::error::AppError;
use app::server::api::{self, NewClient};
use app::server::auth::RequestMeta;
use app::server::lienthong::{self, LienThong, Peer};
use app::server::outbox;
use app::server::work::{act, work_view, ActInput};
use app::server::Services;
use base64::Engine;
use common::{request, HttpResponse, TestDb};
use entity::{dossier, dossier_event, dossier_file, integration_log, notification, transfer};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

fn settings(db: &TestDb) -> server::Settings {
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    // Each delivery round is the test's to start.
    s.outbox_interval_ms = 3_600_000;
    s.files_dir = std::env::temp_dir()
        .join(format!(
            "portal-lienthong-{}-{}",
            std::process::id(),
            app::server::auth::crypto::random_token()
        ))
        .display()
        .to_string();
    s
}

async fn partner(svc: &Services, name: &str) -> (String, String) {
    api::create_client(
        svc,
        &common::admin(),
        &NewClient {
            name: name.into(),
            scopes: vec!["dossier:write".into(), "dossier:read".into()],
            agency_code: String::new(),
            rate: String::new(),
        },
        &RequestMeta::default(),
    )
    .await
    .expect("partner registered")
}

async fn token(addr: std::net::SocketAddr, id: &str, secret: &str) -> String {
    let r = request(
        addr,
        "POST",
        "/api/v1/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("grant_type=client_credentials&client_id={id}&client_secret={secret}").as_bytes(),
    )
    .await;
    let v: Value = serde_json::from_str(&r.body).expect("token json");
    v["access_token"].as_str().expect("token").to_owned()
}

async fn post(addr: std::net::SocketAddr, path: &str, bearer: &str, v: &Value) -> HttpResponse {
    request(
        addr,
        "POST",
        path,
        &[
            ("Authorization", &format!("Bearer {bearer}")),
            ("Content-Type", "application/json"),
            ("Accept-Language", "en"),
        ],
        v.to_string().as_bytes(),
    )
    .await
}

async fn unit_code(svc: &Services, id: i32) -> String {
    entity::agency::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .expect("q")
        .and_then(|a| a.code)
        .expect("a unit with a code")
}

/// A loopback proxy in front of `to` that passes requests on at once and holds every answer
/// `hold` long: the receiver has acted while the sender still waits.
async fn slow_proxy(to: std::net::SocketAddr, hold: std::time::Duration) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = l.accept().await {
            tokio::spawn(async move {
                let Ok(mut outbound) = tokio::net::TcpStream::connect(to).await else {
                    return;
                };
                let (mut ri, mut wi) = inbound.split();
                let (mut ro, mut wo) = outbound.split();
                let up = tokio::io::copy(&mut ri, &mut wo);
                let down = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = ro.read(&mut buf).await?;
                        if n == 0 {
                            break;
                        }
                        tokio::time::sleep(hold).await;
                        wi.write_all(&buf[..n]).await?;
                    }
                    Ok::<_, std::io::Error>(())
                };
                let _ = tokio::join!(up, down);
            });
        }
    });
    addr
}

async fn by_code(svc: &Services, code: &str) -> Option<dossier::Model> {
    dossier::Entity::find()
        .filter(dossier::Column::Code.eq(code))
        .one(&svc.db)
        .await
        .expect("q")
}

async fn files(svc: &Services, id: i32, kind: &str) -> Vec<dossier_file::Model> {
    dossier_file::Entity::find()
        .filter(dossier_file::Column::DossierId.eq(id))
        .filter(dossier_file::Column::Kind.eq(kind))
        .all(&svc.db)
        .await
        .expect("q")
}

async fn events(svc: &Services, id: i32) -> Vec<dossier_event::Model> {
    dossier_event::Entity::find()
        .filter(dossier_event::Column::DossierId.eq(id))
        .order_by_asc(dossier_event::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

async fn run(db_a: TestDb, db_b: TestDb) {
    let meta = RequestMeta::default();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);

    // B, the agency that decides; A, where the citizen filed. Each registers the other as a
    // partner and configures the other as a peer.
    let (addr_b, mut svc_b) = common::start_app(settings(&db_b)).await;
    let s_a = settings(&db_a);
    let files_a = s_a.files_dir.clone();
    let (addr_a, mut svc_a) = common::start_app(s_a).await;
    let (a_at_b, a_at_b_secret) = partner(&svc_b, "UBND phường (liên thông)").await;
    let (b_at_a, b_at_a_secret) = partner(&svc_a, "Sở Tư pháp (liên thông)").await;
    let (npsp_at_a, npsp_secret) = partner(&svc_a, "Cổng Dịch vụ công quốc gia").await;
    let unit_a = common::one_stop(&svc_a).await;
    let unit_b = common::one_stop(&svc_b).await;
    let code_b = unit_code(&svc_b, unit_b).await;
    let proc_code = common::procedure_received(&svc_b, unit_b).await.0.code;
    let peer_b = Peer {
        name: "Sở Tư pháp".into(),
        // Nothing listens here yet: B is "down" for the first attempt.
        url: "http://127.0.0.1:9".into(),
        client_id: a_at_b.clone(),
        client_secret: a_at_b_secret.clone(),
        unit: Some(code_b.clone()),
        partner: b_at_a.clone(),
    };
    svc_a.integrations.lienthong = Some(Arc::new(LienThong {
        peers: vec![peer_b.clone()],
    }));
    svc_b.integrations.lienthong = Some(Arc::new(LienThong {
        peers: vec![Peer {
            name: "UBND phường".into(),
            url: format!("http://{addr_a}"),
            client_id: b_at_a.clone(),
            client_secret: b_at_a_secret.clone(),
            unit: None,
            partner: a_at_b.clone(),
        }],
    }));
    let (svc_a, svc_b) = (&svc_a, &svc_b);
    let staff_a = common::staff(svc_a, unit_a, "lta").await;
    let staff_b = common::staff(svc_b, unit_b, "ltb").await;

    // The citizen's dossier at A (filed on the NPSP and delivered to A), accepted there.
    let today = app::domain::calendar::Day::from_unix_vn(app::server::auth::now());
    let code = format!("{}-{}-0042", unit_code(svc_a, unit_a).await, today.yymmdd());
    let application = b"%PDF-1.7\n% DON DE NGHI\n1 0 obj<<>>endobj\n%%EOF\n";
    let npsp = token(addr_a, &npsp_at_a, &npsp_secret).await;
    let r = post(
        addr_a,
        "/api/v1/dossiers",
        &npsp,
        &json!({
            "MaHoSo": code, "MaTTHC": proc_code, "MaDonVi": unit_code(svc_a, unit_a).await,
            "ChuHoSo": "Đỗ Thị Liên Thông", "SoDinhDanh": "048190000777",
            "SoDienThoai": "0905 000 777",
            "TaiLieuNop": [{ "TenTepDinhKem": "don-de-nghi.pdf", "Base64": b64(application) }],
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id_a = by_code(svc_a, &code).await.expect("dossier at A").id;

    // Not yet accepted: nothing to send.
    assert!(work_view(svc_a, &staff_a.counter, id_a)
        .await
        .expect("view")
        .lienthong_targets
        .is_empty());
    act(
        svc_a,
        &staff_a.counter,
        id_a,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted at A");
    let view = work_view(svc_a, &staff_a.counter, id_a)
        .await
        .expect("view");
    assert_eq!(view.lienthong_targets, vec![(0, "Sở Tư pháp".to_owned())]);

    // Bad choices are refused and change nothing; a citizen cannot send.
    assert!(matches!(
        lienthong::send(svc_a, &staff_a.counter, id_a, Some(7), "", &meta).await,
        Err(AppError::Validation(_))
    ));
    assert!(matches!(
        lienthong::send(
            svc_a,
            &staff_a.counter,
            id_a,
            Some(0),
            &"x".repeat(2001),
            &meta
        )
        .await,
        Err(AppError::Validation(_))
    ));
    let mut citizen = staff_a.counter.clone();
    citizen.kind = app::domain::account::AccountKind::Citizen;
    citizen.roles.clear();
    assert_eq!(
        lienthong::send(svc_a, &citizen, id_a, Some(0), "", &meta).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        transfer::Entity::find().count(&svc_a.db).await.expect("q"),
        0
    );

    lienthong::send(
        svc_a,
        &staff_a.counter,
        id_a,
        Some(0),
        "Đề nghị Sở xác nhận hộ tịch.",
        &meta,
    )
    .await
    .expect("sent");
    // Once at a time.
    assert!(matches!(
        lienthong::send(svc_a, &staff_a.counter, id_a, Some(0), "", &meta).await,
        Err(AppError::Validation(_))
    ));
    let view = work_view(svc_a, &staff_a.counter, id_a)
        .await
        .expect("view");
    assert!(view.lienthong_targets.is_empty());
    assert_eq!(view.transfers.len(), 1);
    assert_eq!(view.transfers[0].delivered_at, None);

    // B is down: the attempt fails and is logged; the message waits.
    assert_eq!(outbox::run_once(svc_a, 10).await.expect("round"), 0);
    let m = entity::outbox_message::Entity::find()
        .filter(entity::outbox_message::Column::Topic.eq(lienthong::TOPIC))
        .one(&svc_a.db)
        .await
        .expect("q")
        .expect("queued");
    assert_eq!((m.status.as_str(), m.attempts), (outbox::PENDING, 1));
    assert!(by_code(svc_b, &code).await.is_none());

    // B is up (the deployment's address corrected): delivered once, retries change nothing.
    let mut up = peer_b.clone();
    up.url = format!("http://{addr_b}");
    let mut svc_a2 = svc_a.clone();
    svc_a2.integrations.lienthong = Some(Arc::new(LienThong { peers: vec![up] }));
    let svc_a = &svc_a2;
    common::make_due(svc_a).await;
    assert_eq!(outbox::run_once(svc_a, 10).await.expect("round"), 1);
    let at_b = by_code(svc_b, &code).await.expect("the dossier reached B");
    assert_eq!(at_b.channel, lienthong::CHANNEL);
    assert_eq!(at_b.agency_id, unit_b);
    assert_eq!(at_b.applicant_name, "Đỗ Thị Liên Thông");
    let first = &events(svc_b, at_b.id).await[0];
    assert_eq!(first.action, lienthong::RECEIVED);
    let note = first.note.clone().unwrap_or_default();
    assert!(note.contains("Cơ quan gửi:"), "{note}");
    assert!(note.contains("Đề nghị Sở xác nhận hộ tịch."), "{note}");
    assert!(
        note.contains("Đã tiếp nhận hồ sơ"),
        "A's history travels: {note}"
    );
    let docs = files(svc_b, at_b.id, "input").await;
    assert_eq!(docs.len(), 1);
    assert_eq!(
        svc_b.storage.read(&docs[0].sha256).await.expect("blob"),
        application.to_vec()
    );
    let values: Value = serde_json::from_str(&at_b.form_data).expect("form");
    assert!(
        values
            .as_object()
            .expect("form")
            .values()
            .any(|v| v == "048190000777"),
        "the form's ID number travels: {values}"
    );
    let t = transfer::Entity::find()
        .one(&svc_a.db)
        .await
        .expect("q")
        .expect("t");
    assert!(t.delivered_at.is_some());
    // The same message again (a lost acknowledgement): still one dossier at B.
    outbox::enqueue(
        &svc_a.db,
        lienthong::TOPIC,
        "lienthong:send:again",
        &json!({ "op": "send", "transfer": t.id }),
    )
    .await
    .expect("again");
    transfer::Entity::update_many()
        .col_expr(
            transfer::Column::DeliveredAt,
            Expr::value(Option::<i64>::None),
        )
        .exec(&svc_a.db)
        .await
        .expect("forget");
    assert_eq!(outbox::run_once(svc_a, 10).await.expect("round"), 1);
    assert_eq!(
        dossier::Entity::find()
            .filter(dossier::Column::Code.eq(code.as_str()))
            .count(&svc_b.db)
            .await
            .expect("q"),
        1
    );
    let log = integration_log::Entity::find()
        .filter(integration_log::Column::System.eq("lienthong:Sở Tư pháp"))
        .all(&svc_a.db)
        .await
        .expect("q");
    assert!(log.iter().any(|l| !l.ok), "the failed attempt is logged");
    assert!(
        log.iter()
            .all(|l| !l.request.contains("048190000777") && !l.request.contains("JVBER")),
        "no personal data or documents in the log"
    );

    // B processes it and attaches the result; the answer goes back to A.
    let to = |who: i32| ActInput {
        assignee: Some(who),
        ..Default::default()
    };
    for (who, kind, input) in [
        (&staff_b.counter, A::Accept, ActInput::default()),
        (&staff_b.leader, A::Assign, to(staff_b.specialist.user_id)),
        (&staff_b.specialist, A::Propose, ActInput::default()),
        (&staff_b.leader, A::Approve, ActInput::default()),
    ] {
        act(svc_b, who, at_b.id, kind, input, &meta)
            .await
            .unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
    }
    let result = b"%PDF-1.4\n% KET QUA LIEN THONG\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let plan = app::server::dossier::plan_result(svc_b, &staff_b.counter, at_b.id)
        .await
        .expect("plan");
    let mut st = app::server::dossier::stage(svc_b, &plan)
        .await
        .expect("stage");
    st.write(result).await.expect("write");
    let done = st.finish().await.expect("finish");
    app::server::dossier::attach_result(svc_b, &staff_b.counter, at_b.id, "ket-qua.pdf", done)
        .await
        .expect("result at B");
    assert_eq!(outbox::run_once(svc_b, 10).await.expect("round"), 1);
    let got = files(svc_a, id_a, lienthong::CHANNEL).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        svc_a.storage.read(&got[0].sha256).await.expect("blob"),
        result.to_vec()
    );
    let answered = events(svc_a, id_a).await;
    let last = answered.last().expect("event");
    assert_eq!(last.action, lienthong::ANSWERED);
    let label = app::domain::dossier::Status::Processed.label(app::i18n::Lang::Vi);
    assert!(
        last.note.clone().unwrap_or_default().contains(label),
        "{:?}",
        last.note
    );
    let view = work_view(svc_a, &staff_a.counter, id_a)
        .await
        .expect("view");
    assert_eq!(
        view.transfers[0].outcome,
        Some(app::domain::dossier::Status::Processed)
    );
    assert!(view
        .dossier
        .files
        .iter()
        .any(|f| f.kind == lienthong::CHANNEL));
    // The sender may send again now that the answer is in.
    assert_eq!(view.lienthong_targets.len(), 1);
    assert!(notification::Entity::find()
        .filter(notification::Column::UserId.eq(staff_a.counter.user_id))
        .filter(notification::Column::DossierId.eq(id_a))
        .one(&svc_a.db)
        .await
        .expect("q")
        .is_some());

    // The answer again (a retry): 200, nothing new.
    let ev_b = events(svc_b, at_b.id)
        .await
        .into_iter()
        .rfind(|e| e.to_status == Some(9))
        .expect("processed event");
    let b_token = token(addr_a, &b_at_a, &b_at_a_secret).await;
    let path = format!("/api/v1/dossiers/{code}/outcome");
    let replay = json!({ "MaSuKien": ev_b.id.to_string(), "TrangThai": 9, "KetQua": [] });
    let r = post(addr_a, &path, &b_token, &replay).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = post(
        addr_a,
        &path,
        &b_token,
        &json!({ "MaSuKien": "khac", "TrangThai": 3, "GhiChu": "Đổi ý" }),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(files(svc_a, id_a, lienthong::CHANNEL).await.len(), 1);
    // Another partner (the NPSP) cannot answer for B: not found, not even a hint.
    let r = post(addr_a, &path, &npsp, &replay).await;
    assert_eq!(r.status, 404, "{}", r.body);

    // A second transfer, then a malformed answer: every reason, nothing stored.
    lienthong::send(svc_a, &staff_a.counter, id_a, Some(0), "", &meta)
        .await
        .expect("sent again");
    let before = (
        files(svc_a, id_a, lienthong::CHANNEL).await.len(),
        events(svc_a, id_a).await.len(),
    );
    let r = post(
        addr_a,
        &path,
        &b_token,
        &json!({
            "MaSuKien": "",
            "TrangThai": 4,
            "KetQua": [
                { "TenTepDinhKem": "../x.pdf", "Base64": b64(result) },
                { "TenTepDinhKem": "b.exe", "Base64": b64(b"MZ not a document") },
                { "TenTepDinhKem": "c.pdf", "Base64": "***" },
            ],
        }),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let p: Value = serde_json::from_str(&r.body).expect("problem");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        fields,
        [
            "MaSuKien",
            "TrangThai",
            "KetQua[0].TenTepDinhKem",
            "KetQua[1].Base64",
            "KetQua[2].Base64"
        ]
    );
    assert_eq!(
        (
            files(svc_a, id_a, lienthong::CHANNEL).await.len(),
            events(svc_a, id_a).await.len(),
        ),
        before
    );
    let r = post(addr_a, &path, &b_token, &json!("not an object")).await;
    assert_eq!(r.status, 422);
    // A refusal with its reason is taken.
    let r = post(
        addr_a,
        &path,
        &b_token,
        &json!({ "MaSuKien": "refuse-1", "TrangThai": 3, "GhiChu": "Không thuộc thẩm quyền." }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let view = work_view(svc_a, &staff_a.counter, id_a)
        .await
        .expect("view");
    assert_eq!(
        view.transfers[1].outcome,
        Some(app::domain::dossier::Status::Refused)
    );
    assert_eq!(
        view.transfers[1].outcome_note.as_deref(),
        Some("Không thuộc thẩm quyền.")
    );

    // Kill -9 mid-delivery: A's own process sends another dossier through a proxy that holds
    // B's answers, and is killed once B has filed it; after the lease another worker sends it
    // again, and B holds it once.
    let code2 = format!("{}-{}-0043", unit_code(svc_a, unit_a).await, today.yymmdd());
    let r = post(
        addr_a,
        "/api/v1/dossiers",
        &npsp,
        &json!({
            "MaHoSo": code2, "MaTTHC": proc_code, "MaDonVi": unit_code(svc_a, unit_a).await,
            "ChuHoSo": "Đỗ Văn Hai", "SoDinhDanh": "048190000778",
            "TaiLieuNop": [{ "TenTepDinhKem": "don.pdf", "Base64": b64(application) }],
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id2 = by_code(svc_a, &code2).await.expect("dossier at A").id;
    act(
        svc_a,
        &staff_a.counter,
        id2,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    lienthong::send(svc_a, &staff_a.counter, id2, Some(0), "", &meta)
        .await
        .expect("sent");
    let proxy = slow_proxy(addr_b, std::time::Duration::from_millis(1500)).await;
    let peers = json!([{
        "name": "Sở Tư pháp", "url": format!("http://{proxy}"),
        "client_id": a_at_b, "client_secret": a_at_b_secret,
        "unit": code_b, "partner": b_at_a,
    }])
    .to_string();
    common::kill_mid_delivery(
        &db_a.url,
        &[
            ("PORTAL_LIENTHONG", peers),
            ("PORTAL_FILES_DIR", files_a.clone()),
        ],
        || async { by_code(svc_b, &code2).await.is_some() },
    )
    .await;
    let delivered = || async {
        transfer::Entity::find()
            .filter(transfer::Column::DossierId.eq(id2))
            .one(&svc_a.db)
            .await
            .expect("q")
            .and_then(|t| t.delivered_at)
            .is_some()
    };
    assert!(
        !delivered().await,
        "the killed process never heard B's answer"
    );
    let mut rounds = 0;
    while !delivered().await {
        rounds += 1;
        assert!(rounds < 60, "delivered within the bound");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        outbox::run_once(svc_a, 20).await.expect("round");
    }
    assert_eq!(
        dossier::Entity::find()
            .filter(dossier::Column::Code.eq(code2.as_str()))
            .count(&svc_b.db)
            .await
            .expect("q"),
        1
    );
    db_a.cleanup().await;
    db_b.cleanup().await;
}

#[tokio::test]
async fn lienthong_sqlite() {
    run(TestDb::sqlite(), TestDb::sqlite()).await;
}

#[tokio::test]
async fn lienthong_postgres() {
    run(TestDb::postgres().await, TestDb::postgres().await).await;
}
