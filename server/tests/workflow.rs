//! The back office's workflow engine on SQLite and PostgreSQL (B-b, B-c, B-i, B-k): the three
//! seeded shapes walked end to end by real officer accounts, unit isolation, citizens kept out,
//! two officers racing on one dossier, clock pauses that give days back, and the apology slip.
mod common;

use app::domain::account::{AccountKind, Principal, Stage};
use app::domain::calendar::Day;
use app::domain::workflow::{ActionKind as A, Scope};
use app::error::AppError;
use app::server::auth::RequestMeta;
use app::server::work::{
    act, apologise, bulk, bulk_assignees, inbox, supervise, sweep_steps, work_view, ActInput,
};
use app::server::Services;
use common::{Client, TestDb};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

struct Env {
    addr: std::net::SocketAddr,
    svc: Services,
    db: TestDb,
    /// Two ward counters (units A and B) and a province department.
    a: i32,
    b: i32,
    dept: i32,
}

async fn start(db: TestDb) -> Env {
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    let (addr, svc) = common::start_app(s).await;
    let units = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .order_by_asc(entity::agency::Column::Id)
        .all(&svc.db)
        .await
        .expect("units");
    let dept = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("department"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("a department");
    Env {
        addr,
        a: units[1].id,
        b: units[2].id,
        dept: dept.id,
        svc,
        db,
    }
}

/// A submitted dossier following workflow `code`, received by `unit`, due in `days` working
/// days, with a code unique within the test.
async fn filed(env: &Env, code: &str, unit: i32, days: u32) -> i32 {
    let today = Day::from_unix_vn(app::server::auth::now());
    let n = entity::dossier::Entity::find()
        .count(&env.svc.db)
        .await
        .expect("q");
    let number = format!("T{unit}-{}-{n:04}", today.yymmdd());
    common::filed_due(&env.svc, code, unit, number, None, days).await
}

async fn row(env: &Env, id: i32) -> entity::dossier::Model {
    entity::dossier::Entity::find_by_id(id)
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("dossier")
}

fn plain() -> ActInput {
    ActInput::default()
}

fn note(n: &str) -> ActInput {
    ActInput {
        note: n.into(),
        ..Default::default()
    }
}

fn message(e: &AppError) -> String {
    match e {
        AppError::Validation(v) => v.iter().map(|f| f.message_vi.clone()).collect(),
        other => format!("{other:?}"),
    }
}

async fn run(db: TestDb) {
    let env = start(db).await;
    let svc = &env.svc;
    let meta = RequestMeta::default();
    let sa = common::staff(svc, env.a, "a").await;
    let sb = common::staff(svc, env.b, "b").await;
    let sd = common::staff(svc, env.dept, "d").await;

    // Counter → specialist → leader, with a send-back, assignment rules and a result.
    let id = filed(&env, "mot-cua-chuyen-vien-lanh-dao", env.a, 10).await;
    // Illegal now: approving a dossier nobody has accepted, with a clear message.
    let e = act(svc, &sa.leader, id, A::Approve, plain(), &meta)
        .await
        .expect_err("not legal here");
    assert!(message(&e).contains("Không thể"), "{e:?}");
    // Wrong role: a specialist cannot accept at the counter.
    assert_eq!(
        act(svc, &sa.specialist, id, A::Accept, plain(), &meta).await,
        Err(AppError::Forbidden)
    );
    // Another unit's officers neither see nor act.
    assert_eq!(
        act(svc, &sb.counter, id, A::Accept, plain(), &meta).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        work_view(svc, &sb.counter, id).await.err(),
        Some(AppError::Forbidden)
    );
    let theirs = inbox(svc, &sb.counter, "", Scope::Open, 100)
        .await
        .expect("inbox");
    assert!(theirs.iter().all(|r| r.id != id));
    let ours = inbox(svc, &sa.counter, "", Scope::Open, 100)
        .await
        .expect("inbox");
    assert!(ours.iter().any(|r| r.id == id && r.can_act));

    act(svc, &sa.counter, id, A::Accept, plain(), &meta)
        .await
        .expect("accepted");
    let d = row(&env, id).await;
    assert_eq!((d.status, d.state.as_deref()), (2, Some("assigning")));
    assert!(d.accepted_at.is_some() && d.step_due_at.is_some());
    // Only a specialist of the unit may be assigned.
    let e = act(
        svc,
        &sa.leader,
        id,
        A::Assign,
        ActInput {
            assignee: Some(sb.specialist.user_id),
            ..Default::default()
        },
        &meta,
    )
    .await
    .expect_err("not of this unit");
    assert!(message(&e).contains("chuyên viên"), "{e:?}");
    act(
        svc,
        &sa.leader,
        id,
        A::Assign,
        ActInput {
            assignee: Some(sa.specialist.user_id),
            ..Default::default()
        },
        &meta,
    )
    .await
    .expect("assigned");
    // The specialist it is not assigned to cannot take it over.
    let e = act(svc, &sa.other_specialist, id, A::Propose, plain(), &meta)
        .await
        .expect_err("assigned to someone else");
    assert!(message(&e).contains("cán bộ khác"), "{e:?}");
    let mine = inbox(svc, &sa.specialist, "", Scope::Open, 100)
        .await
        .expect("inbox");
    assert!(mine.iter().any(|r| r.id == id && r.mine && r.can_act));
    act(svc, &sa.specialist, id, A::Propose, plain(), &meta)
        .await
        .expect("proposed");
    // Sending back needs a reason.
    let e = act(svc, &sa.leader, id, A::SendBack, plain(), &meta)
        .await
        .expect_err("reason required");
    assert!(message(&e).contains("Lý do trả lại"), "{e:?}");
    act(
        svc,
        &sa.leader,
        id,
        A::SendBack,
        note("Thiếu căn cứ pháp lý."),
        &meta,
    )
    .await
    .expect("sent back");
    assert_eq!(row(&env, id).await.state.as_deref(), Some("processing"));
    act(svc, &sa.specialist, id, A::Propose, plain(), &meta)
        .await
        .expect("proposed again");
    act(svc, &sa.leader, id, A::Approve, plain(), &meta)
        .await
        .expect("approved");
    let v = work_view(svc, &sa.counter, id).await.expect("view");
    assert!(v.can_attach_result, "the counter issues the result");
    let events = entity::dossier_event::Entity::find()
        .filter(entity::dossier_event::Column::DossierId.eq(id))
        .order_by_asc(entity::dossier_event::Column::Id)
        .all(&svc.db)
        .await
        .expect("events");
    let trail: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        trail,
        [
            "accept",
            "assign",
            "propose",
            "send_back",
            "propose",
            "approve"
        ]
    );
    assert_eq!(events[3].note.as_deref(), Some("Thiếu căn cứ pháp lý."));
    assert_eq!(events[3].actor_id, Some(sa.leader.user_id));
    assert_eq!(events[0].from_state.as_deref(), Some("submitted"));

    // A citizen cannot reach officer functions, through the service or over HTTP.
    let citizen = Principal {
        user_id: 999_999,
        session_id: "c".into(),
        kind: AccountKind::Citizen,
        full_name: "Công dân".into(),
        email: "c@example.vn".into(),
        stage: Stage::Full,
        roles: vec![],
    };
    assert_eq!(
        act(svc, &citizen, id, A::Stop, note("x"), &meta).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        inbox(svc, &citizen, "", Scope::Open, 10).await.err(),
        Some(AppError::Forbidden)
    );
    let mut c = Client::new(env.addr);
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
    let r = c
        .post(
            &format!("/can-bo/ho-so/{id}"),
            &[("action", "stop"), ("note", "x")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(row(&env, id).await.state.as_deref(), Some("result"));

    // Two officers act at once on the same page revision: one wins, the other is told.
    let race = filed(&env, "mot-cua", env.a, 3).await;
    let rev = row(&env, race).await.revision;
    let second = common::staff(svc, env.a, "a2").await;
    let input = ActInput {
        revision: Some(rev),
        ..Default::default()
    };
    let (x, y) = tokio::join!(
        act(svc, &sa.counter, race, A::Accept, input.clone(), &meta),
        act(svc, &second.counter, race, A::Accept, input.clone(), &meta)
    );
    let outcomes = [x.clone(), y.clone()];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{x:?} {y:?}"
    );
    assert!(outcomes.contains(&Err(AppError::Conflict)), "{x:?} {y:?}");
    let accepted = entity::dossier_event::Entity::find()
        .filter(entity::dossier_event::Column::DossierId.eq(race))
        .all(&svc.db)
        .await
        .expect("q");
    assert_eq!(accepted.len(), 1, "one event, not two");

    // The clock stops while the applicant is asked to pay: the working days it covered come
    // back when the payment is recorded (at the counter here).
    // P-3.6: the request names the fee.
    let fee = ActInput {
        amount: Some(30_000),
        ..Default::default()
    };
    act(svc, &sa.counter, race, A::RequestPayment, fee, &meta)
        .await
        .expect("payment asked");
    let before = row(&env, race).await;
    assert_eq!((before.status, before.paused_at.is_some()), (6, true));
    let v = work_view(svc, &sa.counter, race).await.expect("view");
    assert!(v.paused && v.urgency.is_none());
    // Pretend the request went out three working days ago.
    let t = app::server::auth::now();
    let today = Day::from_unix_vn(t);
    let mut asked = today;
    for _ in 0..3 {
        asked = svc.calendar.get().previous_working(asked);
    }
    let mut m: entity::dossier::ActiveModel = before.clone().into();
    m.paused_at = Set(Some(i64::from(asked.0) * 86_400 + 3 * 3600));
    m.update(&svc.db).await.expect("backdate");
    act(svc, &sa.counter, race, A::Pay, plain(), &meta)
        .await
        .expect("payment recorded");
    let after = row(&env, race).await;
    let due = Day::parse_iso(before.due_date.as_deref().expect("due")).expect("day");
    assert_eq!(
        after.state.as_deref(),
        Some("processing"),
        "back where it was"
    );
    assert_eq!((after.status, after.paused_at), (4, None));
    let lost = svc.calendar.get().working_days_between(asked, today);
    assert!(lost >= 2, "{asked} → {today}");
    assert_eq!(
        after.due_date,
        Some(svc.calendar.get().due_date(due, lost).to_string()),
        "the paused working days are given back"
    );

    // Apology and new appointment: before the last working day, once only.
    let late = filed(&env, "mot-cua", env.a, 5).await;
    let due = Day::parse_iso(&row(&env, late).await.due_date.expect("due")).expect("day");
    let new_due = svc.calendar.get().due_date(due, 3).to_string();
    let e = apologise(svc, &sa.counter, late, &new_due, "", None, &meta)
        .await
        .expect_err("reason required");
    assert!(message(&e).contains("lý do"), "{e:?}");
    let e = apologise(
        svc,
        &sa.counter,
        late,
        &due.to_string(),
        "Chờ xác minh.",
        None,
        &meta,
    )
    .await
    .expect_err("the new date must be later");
    assert!(message(&e).contains("ngày làm việc sau"), "{e:?}");
    assert_eq!(
        apologise(svc, &sa.specialist, late, &new_due, "x", None, &meta).await,
        Err(AppError::Forbidden),
        "counter officers and leaders issue it"
    );
    apologise(
        svc,
        &sa.counter,
        late,
        &new_due,
        "Chờ kết quả xác minh của cơ quan công an.",
        None,
        &meta,
    )
    .await
    .expect("apology issued");
    let d = row(&env, late).await;
    assert_eq!(d.due_date.as_deref(), Some(new_due.as_str()));
    assert_eq!(d.first_due_date, Some(due.to_string()));
    let again = svc.calendar.get().due_date(due, 5).to_string();
    let e = apologise(svc, &sa.counter, late, &again, "Lần nữa.", None, &meta)
        .await
        .expect_err("once only");
    assert!(message(&e).contains("một lần"), "{e:?}");
    // The slips print as PDF for the unit's officers, only when their event happened.
    let (name, pdf) = app::server::work::slip_pdf(svc, &sa.counter, late, "phieu-xin-loi")
        .await
        .expect("apology slip");
    assert!(pdf.starts_with(b"%PDF-") && name.starts_with("phieu-xin-loi-"));
    let (_, pdf) = app::server::work::slip_pdf(svc, &sa.counter, id, "phieu-kiem-soat")
        .await
        .expect("control slip");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        app::server::work::slip_pdf(svc, &sa.counter, id, "phieu-tu-choi")
            .await
            .err(),
        Some(AppError::NotFound),
        "never refused"
    );
    assert_eq!(
        app::server::work::slip_pdf(svc, &sb.counter, late, "phieu-xin-loi")
            .await
            .err(),
        Some(AppError::Forbidden)
    );
    let refused = filed(&env, "mot-cua", env.a, 3).await;
    act(
        svc,
        &sa.counter,
        refused,
        A::Refuse,
        note("Không thuộc thẩm quyền."),
        &meta,
    )
    .await
    .expect("refused");
    assert_eq!(row(&env, refused).await.status, 3);
    // A finished dossier leaves the default inbox; "all" and a status filter still list it.
    let listed = |rows: Vec<app::domain::workflow::InboxRow>| rows.iter().any(|r| r.id == refused);
    assert!(!listed(
        inbox(svc, &sa.counter, "", Scope::Open, 100)
            .await
            .expect("inbox")
    ));
    assert!(listed(
        inbox(svc, &sa.counter, "", Scope::All, 100)
            .await
            .expect("inbox")
    ));
    assert!(listed(
        inbox(
            svc,
            &sa.counter,
            "",
            Scope::Only(app::domain::dossier::Status::Refused),
            100
        )
        .await
        .expect("inbox")
    ));
    assert!(
        app::server::work::slip_pdf(svc, &sa.counter, refused, "phieu-tu-choi")
            .await
            .is_ok()
    );
    assert!(
        act(svc, &sa.counter, refused, A::Accept, plain(), &meta)
            .await
            .is_err(),
        "an end state has no way out"
    );
    // Due today: too late for the slip.
    let today_due = filed(&env, "mot-cua", env.a, 0).await;
    let later = svc.calendar.get().due_date(today, 2).to_string();
    let e = apologise(svc, &sa.counter, today_due, &later, "Chậm.", None, &meta)
        .await
        .expect_err("too late");
    assert!(message(&e).contains("quá thời điểm"), "{e:?}");

    // The inbox puts the dossier due today before the others.
    let rows = inbox(svc, &sa.counter, "", Scope::Open, 100)
        .await
        .expect("inbox");
    let first = rows.iter().position(|r| r.id == today_due).expect("listed");
    let other = rows.iter().position(|r| r.id == late).expect("listed");
    assert!(first < other, "most urgent first");
    // Search by code.
    let code = row(&env, late).await.code.expect("code");
    let found = inbox(svc, &sa.counter, &code, Scope::Open, 100)
        .await
        .expect("search");
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![late]);

    // Appraisal by another unit and back (liên thông).
    let lt = filed(&env, "lien-thong-tham-dinh", env.a, 20).await;
    act(svc, &sa.counter, lt, A::Accept, plain(), &meta)
        .await
        .expect("accepted");
    let v = work_view(svc, &sa.specialist, lt).await.expect("view");
    assert!(v.units.iter().any(|(u, _)| *u == env.dept));
    let send = ActInput {
        note: "Đề nghị thẩm định hồ sơ kỹ thuật.".into(),
        unit: Some(env.dept),
        ..Default::default()
    };
    act(svc, &sa.specialist, lt, A::Transfer, send, &meta)
        .await
        .expect("sent for appraisal");
    assert_eq!(row(&env, lt).await.unit_id, Some(env.dept));
    // The home unit still sees it but cannot act while the department holds it.
    assert!(work_view(svc, &sa.specialist, lt)
        .await
        .expect("view")
        .actions
        .is_empty());
    assert_eq!(
        act(
            svc,
            &sa.specialist,
            lt,
            A::ReturnAppraisal,
            note("x"),
            &meta
        )
        .await,
        Err(AppError::Forbidden)
    );
    let dept_box = inbox(svc, &sd.specialist, "", Scope::Open, 100)
        .await
        .expect("inbox");
    assert!(dept_box.iter().any(|r| r.id == lt && r.can_act));
    act(
        svc,
        &sd.specialist,
        lt,
        A::ReturnAppraisal,
        note("Đạt yêu cầu kỹ thuật."),
        &meta,
    )
    .await
    .expect("appraisal returned");
    let d = row(&env, lt).await;
    assert_eq!(
        (d.unit_id, d.state.as_deref()),
        (Some(env.a), Some("processing"))
    );
    assert_eq!(
        work_view(svc, &sd.specialist, lt).await.err(),
        Some(AppError::Forbidden),
        "the department no longer holds it"
    );

    // Reports (B-d): this month's counts for unit A, nothing of A in B's report.
    let (from, to) = app::server::report::period("", "").expect("this month");
    use app::server::report::{report, GroupBy};
    let r = report(svc, &sa.leader, from, to, GroupBy::Unit)
        .await
        .expect("report");
    let c = &r.total;
    assert_eq!((c.received, c.received_online), (6, 6), "{c:?}");
    assert_eq!((c.refused, c.processed, c.in_progress), (1, 0, 5), "{c:?}");
    assert_eq!(r.rows.len(), 1, "one unit");
    let by_officer = report(svc, &sa.leader, from, to, GroupBy::Officer)
        .await
        .expect("report");
    assert!(by_officer
        .rows
        .iter()
        .any(|row| row.name == sa.specialist.full_name));
    let other = report(svc, &sb.leader, from, to, GroupBy::Unit)
        .await
        .expect("report");
    assert_eq!(other.total.received, 0);
    assert_eq!(
        report(svc, &citizen, from, to, GroupBy::Unit).await.err(),
        Some(AppError::Forbidden)
    );
    // The tracking book lists the same six dossiers, one line each, in the order received.
    use app::server::report::tracking_book;
    let book = tracking_book(svc, &sa.leader, from, to)
        .await
        .expect("book");
    assert_eq!(book.len(), 7, "header and six lines");
    assert_eq!(book[0][1], "Mã hồ sơ");
    assert_eq!(book[1][0], "1");
    assert!(book[1..]
        .iter()
        .all(|l| l[1].starts_with(&format!("T{}-", env.a))));
    let refused_line = book
        .iter()
        .find(|l| l[12].starts_with("Không được tiếp nhận"));
    assert!(refused_line.is_some_and(|l| !l[10].is_empty()), "{book:?}");
    assert_eq!(
        tracking_book(svc, &sb.leader, from, to)
            .await
            .expect("book")
            .len(),
        1
    );
    assert_eq!(
        tracking_book(svc, &citizen, from, to).await.err(),
        Some(AppError::Forbidden)
    );
    let table = app::server::report::table(&r);
    assert_eq!(table.last().map(|row| row[2].as_str()), Some("6"));
    let csv = String::from_utf8(app::server::report::csv(&table)).expect("utf-8");
    assert!(csv.starts_with('\u{feff}') && csv.contains("Tổng cộng,"));
    let xlsx = app::server::xlsx::workbook("Báo cáo", &table).expect("xlsx");
    assert!(xlsx.starts_with(b"PK\x03\x04"));
    // The index is computed live: 1.2 counts the six dossiers, nobody rated yet.
    let idx = &r.index;
    assert_eq!(idx.groups[0].indicators[1].denominator, 6);
    assert_eq!(idx.groups[3].points(), None);
    assert!(app::server::report::period("2026-12-31", "2026-01-01").is_err());
    assert!(app::server::report::period("hôm qua", "").is_err());

    // Bulk from the inbox (B-c): three of unit A's dossiers accepted in one go; a dossier of
    // unit B ticked in the same request is refused by its code and left untouched.
    let mut batch = Vec::new();
    for _ in 0..3 {
        batch.push(filed(&env, "mot-cua-chuyen-vien-lanh-dao", env.a, 10).await);
    }
    let foreign = filed(&env, "mot-cua-chuyen-vien-lanh-dao", env.b, 10).await;
    let rows = inbox(svc, &sa.counter, "", Scope::Open, 500)
        .await
        .expect("inbox");
    for id in &batch {
        let r = rows.iter().find(|r| r.id == *id).expect("listed");
        assert_eq!(r.bulk, vec![A::Accept], "the counter may accept it");
    }
    let mut ticked = batch.clone();
    ticked.push(foreign);
    let out = bulk(svc, &sa.counter, &ticked, "accept", None, &meta)
        .await
        .expect("bulk accept");
    assert_eq!(out.done.len(), 3, "{out:?}");
    assert_eq!(out.failed.len(), 1, "{out:?}");
    assert_eq!(
        out.failed[0].0,
        row(&env, foreign).await.code.unwrap_or_default()
    );
    assert!(out.failed[0].1.contains("không có quyền"), "{out:?}");
    assert_eq!(row(&env, foreign).await.status, 1, "B's dossier unchanged");
    for id in &batch {
        assert_eq!(row(&env, *id).await.state.as_deref(), Some("assigning"));
    }
    // Ticking them again: each is refused as an illegal step, nothing changes.
    let again = bulk(svc, &sa.counter, &batch, "accept", None, &meta)
        .await
        .expect("bulk");
    assert_eq!((again.done.len(), again.failed.len()), (0, 3), "{again:?}");
    // The leader hands them all to one specialist; a specialist of another unit is refused.
    let assignees = bulk_assignees(svc, &sa.leader).await.expect("assignees");
    assert!(assignees.iter().any(|(i, _)| *i == sa.specialist.user_id));
    assert!(assignees.iter().all(|(i, _)| *i != sb.specialist.user_id));
    let wrong = bulk(
        svc,
        &sa.leader,
        &batch,
        "assign",
        Some(sb.specialist.user_id),
        &meta,
    )
    .await
    .expect("bulk");
    assert_eq!(wrong.done.len(), 0, "{wrong:?}");
    assert!(wrong.failed.iter().all(|f| f.1.contains("chuyên viên")));
    let out = bulk(
        svc,
        &sa.leader,
        &batch,
        "assign",
        Some(sa.specialist.user_id),
        &meta,
    )
    .await
    .expect("bulk assign");
    assert_eq!(out.done.len(), 3, "{out:?}");
    for id in &batch {
        assert_eq!(
            row(&env, *id).await.assignee_id,
            Some(sa.specialist.user_id)
        );
    }
    // Bad requests change nothing and say why.
    let e = bulk(svc, &sa.counter, &[], "accept", None, &meta)
        .await
        .expect_err("nothing ticked");
    assert!(message(&e).contains("ít nhất một"), "{e:?}");
    let e = bulk(svc, &sa.counter, &[foreign], "stop", None, &meta)
        .await
        .expect_err("not a bulk action");
    assert!(message(&e).contains("Hãy chọn thao tác"), "{e:?}");
    let e = bulk(svc, &sa.leader, &batch, "assign", None, &meta)
        .await
        .expect_err("no officer chosen");
    assert!(message(&e).contains("cán bộ"), "{e:?}");
    assert_eq!(
        bulk(svc, &citizen, &[foreign], "accept", None, &meta)
            .await
            .err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(row(&env, foreign).await.status, 1);

    // The supervisor dashboard (B-c): an accepted dossier nobody took, five working days
    // past its date, is listed as late and unassigned for unit A's leader only.
    let late = filed(&env, "mot-cua-chuyen-vien-lanh-dao", env.a, 10).await;
    act(svc, &sa.counter, late, A::Accept, plain(), &meta)
        .await
        .expect("accepted");
    let today = Day::from_unix_vn(app::server::auth::now());
    let mut due = today;
    for _ in 0..5 {
        due = svc.calendar.get().previous_working(due);
    }
    let mut m: entity::dossier::ActiveModel = row(&env, late).await.into();
    m.due_date = Set(Some(due.to_string()));
    m.update(&svc.db).await.expect("backdated");
    let s = supervise(svc, &sa.leader).await.expect("dashboard");
    assert_eq!(s.units.len(), 1, "{:?}", s.units);
    let unit = &s.units[0];
    assert_eq!(unit.id, env.a);
    assert!(unit.overdue >= 1 && unit.unassigned >= 1, "{unit:?}");
    let listed = s
        .overdue
        .iter()
        .find(|l| l.id == late)
        .expect("late listed");
    assert_eq!(listed.days_late, 5);
    assert_eq!(listed.assignee_name, None);
    // The officer rows agree with the dossiers themselves.
    let open_of_specialist = entity::dossier::Entity::find()
        .filter(entity::dossier::Column::AssigneeId.eq(sa.specialist.user_id))
        .filter(entity::dossier::Column::Status.is_in([1, 2, 4, 5, 6, 7, 9]))
        .all(&svc.db)
        .await
        .expect("q")
        .len() as u32;
    let load = s
        .officers
        .iter()
        .find(|l| l.id == sa.specialist.user_id)
        .expect("specialist row");
    assert_eq!(load.open, open_of_specialist);
    assert!(load.open >= 3 && load.name == sa.specialist.full_name);
    assert_eq!(s.recent.received, 10, "{:?}", s.recent);
    let theirs = supervise(svc, &sb.leader).await.expect("B's dashboard");
    assert!(theirs.overdue.iter().all(|l| l.id != late));
    assert!(theirs.units.iter().all(|u| u.id != env.a));
    for who in [&sa.counter, &sa.specialist, &citizen] {
        assert_eq!(supervise(svc, who).await.err(), Some(AppError::Forbidden));
    }

    // Step deadline reminders (B-i): a step due in half an hour reminds its assigned officer,
    // once; a step due in a month does not; a late step nobody holds reminds the leader.
    let now = app::server::auth::now();
    let set_step_due = async |id: i32, at: i64| {
        let mut m: entity::dossier::ActiveModel = row(&env, id).await.into();
        m.step_due_at = Set(Some(at));
        m.update(&svc.db).await.expect("step due set");
    };
    set_step_due(batch[0], now + 1800).await;
    set_step_due(batch[1], now + 30 * 86_400).await;
    set_step_due(late, now - 60).await;
    let notes = async |user: i32, id: i32| {
        entity::notification::Entity::find()
            .filter(entity::notification::Column::UserId.eq(user))
            .filter(entity::notification::Column::DossierId.eq(id))
            .filter(entity::notification::Column::TextVi.contains("bước"))
            .all(&svc.db)
            .await
            .expect("q")
    };
    assert!(sweep_steps(svc).await.expect("sweep") >= 2);
    let soon = notes(sa.specialist.user_id, batch[0]).await;
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert!(soon[0].text_vi.contains("đến hạn lúc"), "{soon:?}");
    assert!(notes(sa.specialist.user_id, batch[1]).await.is_empty());
    let overdue_note = notes(sa.leader.user_id, late).await;
    assert_eq!(overdue_note.len(), 1);
    assert!(overdue_note[0].text_vi.contains("đã quá hạn"));
    assert!(notes(sb.leader.user_id, late).await.is_empty());
    sweep_steps(svc).await.expect("sweep again");
    assert_eq!(
        notes(sa.specialist.user_id, batch[0]).await.len(),
        1,
        "once per step"
    );
    act(svc, &sa.specialist, batch[0], A::Propose, plain(), &meta)
        .await
        .expect("proposed");
    assert_eq!(
        row(&env, batch[0]).await.step_reminded_at,
        None,
        "new step, new reminder"
    );

    env.db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workflow_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workflow_postgres() {
    run(TestDb::postgres().await).await;
}
