//! Catalogue management on SQLite and PostgreSQL (B-a, B-e): publishing a procedure version
//! (facts, documents, form, workflow), invalid drafts refused whole, dossiers keeping the
//! version they were filed under, two publishers racing, creation, the holiday import (all or
//! nothing, and the deadline calendar follows it), other instances picking changes up, and
//! everyone but the system administrator kept out.
mod common;

use app::domain::account::{AccountKind, Principal, Role, RoleGrant, Stage};
use app::domain::calendar::Day;
use app::domain::editor::{DraftText, F_FORM, F_RETENTION, F_WORKFLOW};
use app::error::AppError;
use app::server::auth::RequestMeta;
use app::server::editor::{create, editor, import_holidays, list, publish, NewProcedure};
use app::server::Services;
use common::{Client, TestDb};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

const CODE: &str = "1.001193";

fn admin() -> Principal {
    Principal {
        user_id: 1,
        session_id: "s".into(),
        kind: AccountKind::Officer,
        full_name: "Quản trị".into(),
        email: "qt@example.vn".into(),
        stage: Stage::Full,
        roles: vec![RoleGrant {
            role: Role::SystemAdmin,
            agency_id: None,
            agency_name: None,
        }],
    }
}

fn unit_admin(unit: i32) -> Principal {
    Principal {
        roles: vec![RoleGrant {
            role: Role::AgencyAdmin,
            agency_id: Some(unit),
            agency_name: None,
        }],
        user_id: 2,
        ..admin()
    }
}

fn validation(e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => v
            .iter()
            .map(|f| (f.field.clone(), f.message_vi.clone()))
            .collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn counts(svc: &Services) -> (u64, u64, u64, u64) {
    (
        entity::procedure::Entity::find()
            .count(&svc.db)
            .await
            .expect("q"),
        entity::procedure_version::Entity::find()
            .count(&svc.db)
            .await
            .expect("q"),
        entity::workflow::Entity::find()
            .count(&svc.db)
            .await
            .expect("q"),
        entity::holiday::Entity::find()
            .count(&svc.db)
            .await
            .expect("q"),
    )
}

async fn run(db: TestDb) {
    let mut s = common::test_settings(&db.url);
    let portal = s.portal.clone();
    s.demo = true;
    let app = server::Application::build(s).await.expect("app builds");
    let addr = app.local_addr().expect("addr");
    tokio::spawn(app.serve());
    let connect = || async {
        let conn = sea_orm::Database::connect(db.url.as_str())
            .await
            .expect("db");
        Services::load(conn, portal.clone(), common::test_auth())
            .await
            .expect("services")
    };
    let svc = &connect().await;
    // A second instance of the app, loaded before any change: it must catch up.
    let other = connect().await;
    let meta = RequestMeta::default();
    let a = admin();
    let unit = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("unit")
        .id;

    // The list finds the procedure by words of its name and by its code.
    let found = list(svc, &a, "khai sinh").await.expect("list");
    assert!(
        found.rows.iter().any(|r| r.code == CODE),
        "{:?}",
        found.rows
    );
    assert_eq!(list(svc, &a, CODE).await.expect("list").rows[0].code, CODE);

    let v = editor(svc, &a, CODE).await.expect("editor");
    assert_eq!(v.version, 1);
    assert!(
        !v.text.form.is_empty(),
        "birth registration has its own form"
    );
    let proc = entity::procedure::Entity::find()
        .filter(entity::procedure::Column::Code.eq(CODE))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("procedure");
    let v1 = entity::procedure_version::Entity::find()
        .filter(entity::procedure_version::Column::ProcedureId.eq(proc.id))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("version 1");

    let row = |s: &Services| {
        s.catalogue
            .get()
            .row(proc.id)
            .map(|r| (r.summary.time_limit_days, r.summary.fee_free))
    };
    let original = row(svc);

    // A dossier filed under version 1 before anything changes.
    let t = app::server::auth::now();
    let filed = entity::dossier::ActiveModel {
        code: Set(Some("ED-1".into())),
        procedure_id: Set(proc.id),
        version_id: Set(v1.id),
        agency_id: Set(unit),
        applicant_name: Set("Người nộp".into()),
        channel: Set("online".into()),
        status: Set(1),
        form_data: Set("{}".into()),
        schema_version: Set(1),
        revision: Set(1),
        created_at: Set(t),
        updated_at: Set(t),
        submitted_at: Set(Some(t)),
        workflow_id: Set(v1.workflow_id),
        state: Set(Some("submitted".into())),
        unit_id: Set(Some(unit)),
        ..Default::default()
    }
    .insert(&svc.db)
    .await
    .expect("dossier");

    // Nothing changed: nothing to publish.
    let e = publish(svc, &a, CODE, 1, &v.text, &meta)
        .await
        .expect_err("no change");
    assert!(validation(&e)[0].1.contains("Không có thay đổi"), "{e:?}");

    // An invalid draft (a workflow state nobody reaches, a broken form) is refused whole,
    // with each flaw named, and nothing is written.
    let before = counts(svc).await;
    let mut wf: serde_json::Value = serde_json::from_str(&v.text.workflow).expect("json");
    wf["states"]
        .as_array_mut()
        .expect("states")
        .push(serde_json::json!({"key": "bo-quen", "name_vi": "Bỏ quên", "name_en": "Forgotten", "status": 4, "actions": []}));
    let bad = DraftText {
        time_limit: "5".into(),
        workflow: serde_json::to_string(&wf).expect("json"),
        form: "{\"sections\": [".into(),
        ..v.text.clone()
    };
    let e = publish(svc, &a, CODE, 1, &bad, &meta)
        .await
        .expect_err("invalid");
    let errs = validation(&e);
    assert!(
        errs.iter()
            .any(|(f, m)| f == F_WORKFLOW && m.contains("Không thể đi tới bước \"bo-quen\"")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|(f, _)| f == F_FORM), "{errs:?}");
    assert_eq!(counts(svc).await, before, "nothing written");

    // A valid change: time limit, documents and one step's time limit in the workflow.
    let mut wf: serde_json::Value = serde_json::from_str(&v.text.workflow).expect("json");
    wf["states"][0]["sla_hours"] = 6.into();
    let good = DraftText {
        time_limit: "5".into(),
        fee: "fee".into(),
        documents: format!("{}\nGiấy tờ mới | 01 bản sao", v.text.documents),
        workflow: serde_json::to_string(&wf).expect("json"),
        ..v.text.clone()
    };
    assert_eq!(
        publish(svc, &unit_admin(unit), CODE, 1, &good, &meta).await,
        Err(AppError::Forbidden),
        "a unit administrator does not manage the catalogue"
    );
    assert_eq!(
        publish(svc, &a, CODE, 1, &good, &meta).await,
        Ok(2),
        "published"
    );
    let after = counts(svc).await;
    assert_eq!(
        (after.1, after.2),
        (before.1 + 1, before.2 + 1),
        "one new version, one new workflow version"
    );
    // Publishing again from the page opened on version 1 is a conflict, not a silent
    // overwrite; racing publishers: one wins.
    let again = DraftText {
        time_limit: "7".into(),
        ..good.clone()
    };
    assert_eq!(
        publish(svc, &a, CODE, 1, &again, &meta).await,
        Err(AppError::Conflict)
    );
    let (x, y) = tokio::join!(
        publish(svc, &a, CODE, 2, &again, &meta),
        publish(svc, &a, CODE, 2, &again, &meta)
    );
    assert_eq!(
        [x.is_ok(), y.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{x:?} {y:?}"
    );
    assert!([x, y].contains(&Err(AppError::Conflict)));

    let v3 = editor(svc, &a, CODE).await.expect("editor");
    assert_eq!(v3.version, 3);
    assert_eq!(v3.text.time_limit, "7");
    assert!(v3.text.documents.contains("Giấy tờ mới | 01 bản sao"));
    assert_eq!(v3.versions.len(), 3);
    assert_eq!(v3.versions[2].dossiers, 1, "version 1 keeps its dossier");
    assert!(v3.changes.iter().any(|c| c.summary.contains("thời hạn")));
    // The portal shows the new facts at once on this instance…
    assert_eq!(row(svc), Some((Some(7), Some(false))));
    let detail = app::server::catalogue::detail(svc, CODE)
        .await
        .expect("detail");
    assert!(detail.documents.iter().any(|d| d.name == "Giấy tờ mới"));
    // …and on the other one once it checks.
    assert_eq!(row(&other), original, "stale until it checks");
    assert_eq!(other.refresh().await, Ok(true));
    assert_eq!(row(&other), Some((Some(7), Some(false))));
    assert_eq!(other.refresh().await, Ok(false), "nothing new");

    // The dossier filed before keeps version 1 and its workflow; a new one starts on v3.
    let kept = entity::dossier::Entity::find_by_id(filed.id)
        .one(&svc.db)
        .await
        .expect("q")
        .expect("dossier");
    assert_eq!((kept.version_id, kept.workflow_id), (v1.id, v1.workflow_id));
    let latest = entity::procedure_version::Entity::find()
        .filter(entity::procedure_version::Column::ProcedureId.eq(proc.id))
        .filter(entity::procedure_version::Column::Version.eq(3))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("v3");
    assert_ne!(latest.workflow_id, v1.workflow_id);
    let entry = app::server::work::entry(svc, &svc.db, &latest, t)
        .await
        .expect("entry");
    assert_eq!(Some(entry.workflow_id), latest.workflow_id);
    assert_eq!(
        entry.step_due_at,
        Some(svc.calendar.get().add_working_hours(t, 6)),
        "the new first step's limit applies"
    );

    // Creating a procedure: every problem listed, nothing written; then a good one.
    let before = counts(svc).await;
    let e = create(svc, &a, &NewProcedure::default(), &meta)
        .await
        .expect_err("empty");
    let fields: Vec<String> = validation(&e).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["code", "name", "field", "agency"]);
    let field_id = *svc.facets.get().field_names.keys().next().expect("a field");
    let agency_id = proc.agency_id;
    let dup = NewProcedure {
        code: CODE.into(),
        name: "Thủ tục trùng mã".into(),
        field_id: Some(field_id),
        agency_id: Some(agency_id),
    };
    let e = create(svc, &a, &dup, &meta).await.expect_err("duplicate");
    assert!(validation(&e)[0].1.contains("Đã có thủ tục"));
    assert_eq!(counts(svc).await, before);
    let fresh = NewProcedure {
        code: "DN.2027.01".into(),
        name: "Cấp giấy phép tổ chức lễ hội đường phố".into(),
        ..dup.clone()
    };
    assert_eq!(
        create(svc, &unit_admin(unit), &fresh, &meta).await,
        Err(AppError::Forbidden)
    );
    create(svc, &a, &fresh, &meta).await.expect("created");
    let made = editor(svc, &a, "DN.2027.01").await.expect("editor");
    assert_eq!((made.version, made.text.level.as_str()), (1, "offline"));
    assert!(list(svc, &a, "lễ hội đường phố")
        .await
        .expect("list")
        .rows
        .iter()
        .any(|r| r.code == "DN.2027.01"));

    // Holiday import: a bad file changes nothing and lists every bad line…
    let before = counts(svc).await;
    let report = import_holidays(
        svc,
        &a,
        "ngay,loai,ten\n2031-01-01,nghỉ,Tết Dương lịch\n2031-02-30,nghỉ,Sai ngày\n2031-01-08,làm bù,Thứ Tư\n",
        &meta,
    )
    .await
    .expect("report");
    assert_eq!(
        report.bad.iter().map(|b| b.line).collect::<Vec<_>>(),
        vec![3, 4]
    );
    assert_eq!(counts(svc).await, before, "nothing imported");
    // …a good one replaces the year's list, and deadlines follow it at once.
    let monday = Day::parse_iso("2031-03-03").expect("day");
    assert_eq!(monday.weekday(), 0);
    assert_eq!(
        svc.calendar.get().due_date(monday, 1).to_string(),
        "2031-03-04"
    );
    let report = import_holidays(
        svc,
        &a,
        "2031-03-04,nghỉ,Ngày nghỉ thử\n2031-03-05,nghỉ,Ngày nghỉ thử\n08/03/2031,làm bù,Làm bù\n",
        &meta,
    )
    .await
    .expect("imported");
    assert!(report.bad.is_empty(), "{report:?}");
    assert_eq!((report.imported, report.years.clone()), (3, vec![2031]));
    assert_eq!(
        svc.calendar.get().due_date(monday, 1).to_string(),
        "2031-03-06",
        "two days off"
    );
    assert_eq!(
        svc.calendar.get().due_date(monday, 2).to_string(),
        "2031-03-07"
    );
    let report = import_holidays(svc, &a, "2031-03-04,nghỉ,Chỉ một ngày\n", &meta)
        .await
        .expect("replaced");
    assert_eq!((report.imported, report.replaced), (1, 3));
    assert_eq!(
        svc.calendar.get().due_date(monday, 1).to_string(),
        "2031-03-05"
    );
    assert_eq!(other.refresh().await, Ok(true));
    assert_eq!(
        other.calendar.get().due_date(monday, 1).to_string(),
        "2031-03-05"
    );
    assert_eq!(
        import_holidays(svc, &unit_admin(unit), "2031-03-04,nghỉ,X\n", &meta)
            .await
            .err(),
        Some(AppError::Forbidden)
    );

    // Retention (B-đ) is part of a version: changing it publishes version 4.
    let v3 = editor(svc, &a, CODE).await.expect("editor");
    assert_eq!(v3.text.retention, "10", "the default");
    let keep = DraftText {
        retention: "0".into(),
        ..v3.text.clone()
    };
    assert_eq!(publish(svc, &a, CODE, 3, &keep, &meta).await, Ok(4));
    assert_eq!(
        editor(svc, &a, CODE).await.expect("editor").text.retention,
        "0"
    );
    let e = publish(
        svc,
        &a,
        CODE,
        4,
        &DraftText {
            retention: "vĩnh viễn".into(),
            ..keep.clone()
        },
        &meta,
    )
    .await
    .expect_err("not a number");
    assert!(validation(&e).iter().any(|(f, _)| f == F_RETENTION));

    // Shared catalogues (B-e): all or nothing, with every bad line named.
    use app::domain::shared::SharedCatalogue as SC;
    use app::server::shared;
    let n_areas = || async {
        entity::admin_area::Entity::find()
            .count(&svc.db)
            .await
            .expect("q")
    };
    let n_agencies = || async {
        entity::agency::Entity::find()
            .count(&svc.db)
            .await
            .expect("q")
    };
    let areas_before = n_areas().await;
    let r = shared::import(
        svc,
        &a,
        SC::Areas,
        "ma,ten,ten_day_du,loai,ma_tinh\n20999,Thử Nghiệm,Phường Thử Nghiệm,Phường,48\n20998,Lạc,Xã Lạc,Xã,99\n",
        &meta,
    )
    .await
    .expect("report");
    assert_eq!(r.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3]);
    assert!(r.bad[0].vi.contains("mã 99"), "{:?}", r.bad);
    assert_eq!(n_areas().await, areas_before, "nothing imported");
    let r = shared::import(
        svc,
        &a,
        SC::Areas,
        "20999,Thử Nghiệm,Phường Thử Nghiệm,Phường,48,Thu Nghiem Ward\n",
        &meta,
    )
    .await
    .expect("imported");
    assert_eq!((r.added, r.updated, r.bad.len()), (1, 0, 0));
    assert!(
        svc.communes("48")
            .await
            .expect("communes")
            .iter()
            .any(|(c, _)| c == "20999"),
        "address fields offer the new ward"
    );
    let r = shared::import(
        svc,
        &a,
        SC::Areas,
        "20999,Thử Nghiệm,Phường Thử Nghiệm mới,Phường,48,Thu Nghiem Ward\n",
        &meta,
    )
    .await
    .expect("updated");
    assert_eq!((r.added, r.updated), (0, 1));
    // The whole national list exported and imported again: every line passes, nothing changes.
    let all_areas = shared::export(svc, &a, SC::Areas).await.expect("export");
    let r = shared::import(svc, &a, SC::Areas, &all_areas, &meta)
        .await
        .expect("round trip");
    assert!(r.bad.is_empty(), "{:?}", &r.bad[..r.bad.len().min(3)]);
    assert_eq!((r.added, r.updated), (0, 0));
    assert_eq!(r.unchanged as u64, areas_before + 1);

    // Agencies: a child may come before its parent; kinds by their Vietnamese label.
    let agencies_before = n_agencies().await;
    let r = shared::import(
        svc,
        &a,
        SC::Agencies,
        ",H48.99.01,Bộ phận một cửa phường Thử Nghiệm,one_stop,H48.99,20999,\"1 Lê Lợi, Thử Nghiệm\",0236 3822 000\n,H48.99,Ủy ban nhân dân phường Thử Nghiệm,UBND xã,,20999,,\n",
        &meta,
    )
    .await
    .expect("agencies");
    assert_eq!((r.added, r.bad.len()), (2, 0), "{r:?}");
    let by_code = |code: &'static str| async move {
        entity::agency::Entity::find()
            .filter(entity::agency::Column::Code.eq(code))
            .one(&svc.db)
            .await
            .expect("q")
            .expect("agency")
    };
    let (child, parent) = (by_code("H48.99.01").await, by_code("H48.99").await);
    assert_eq!(child.parent_id, Some(parent.id));
    assert_eq!(parent.kind, "commune");
    assert_eq!(child.address.as_deref(), Some("1 Lê Lợi, Thử Nghiệm"));
    // Unknown parent and area, and a loop: refused, nothing changes.
    let r = shared::import(
        svc,
        &a,
        SC::Agencies,
        ",H48.99.02,Một cửa khác,one_stop,H48.77,77777,,\n",
        &meta,
    )
    .await
    .expect("report");
    assert_eq!(r.bad.len(), 2, "{:?}", r.bad);
    assert!(r.bad[0].vi.contains("H48.77") && r.bad[1].vi.contains("77777"));
    let r = shared::import(
        svc,
        &a,
        SC::Agencies,
        &format!(
            "{},H48.99,Ủy ban nhân dân phường Thử Nghiệm,commune,H48.99.01,20999,,\n",
            parent.id
        ),
        &meta,
    )
    .await
    .expect("report");
    assert!(r.bad[0].vi.contains("vòng lặp"), "{:?}", r.bad);
    assert_eq!(by_code("H48.99").await.parent_id, None, "rolled back");
    assert_eq!(n_agencies().await, agencies_before + 2);
    // Export, then import the same file: nothing changes, agencies without a code included.
    let csv = shared::export(svc, &a, SC::Agencies).await.expect("export");
    assert!(
        csv.contains(&format!(
            "{},H48.99.01,Bộ phận một cửa phường Thử Nghiệm,one_stop,H48.99,20999,\"1 Lê Lợi, Thử Nghiệm\",0236 3822 000",
            child.id
        )),
        "{csv}"
    );
    let r = shared::import(svc, &a, SC::Agencies, &csv, &meta)
        .await
        .expect("round trip");
    assert!(r.bad.is_empty(), "{:?}", r.bad);
    assert_eq!((r.added, r.updated), (0, 0));
    // An agency without a code gets one through its id.
    let uncoded = entity::agency::Entity::find()
        .filter(entity::agency::Column::Code.is_null())
        .one(&svc.db)
        .await
        .expect("q")
        .expect("a demo unit without a code");
    let r = shared::import(
        svc,
        &a,
        SC::Agencies,
        &format!(
            "{},H48.98,{},{},,,,\n",
            uncoded.id, uncoded.name, uncoded.kind
        ),
        &meta,
    )
    .await
    .expect("coded");
    assert_eq!(r.updated, 1, "{r:?}");
    assert_eq!(
        entity::agency::Entity::find_by_id(uncoded.id)
            .one(&svc.db)
            .await
            .expect("q")
            .expect("a")
            .code
            .as_deref(),
        Some("H48.98")
    );

    // Fields: new names are added and offered at once.
    let r = shared::import(
        svc,
        &a,
        SC::Fields,
        "ten\nHộ tịch\nLĩnh vực thử nghiệm\n",
        &meta,
    )
    .await
    .expect("fields");
    assert_eq!((r.added, r.unchanged), (1, 1), "{r:?}");
    assert!(svc
        .facets
        .get()
        .field_names
        .values()
        .any(|n| n == "Lĩnh vực thử nghiệm"));
    assert_eq!(
        shared::import(svc, &unit_admin(unit), SC::Fields, "X\n", &meta)
            .await
            .err(),
        Some(AppError::Forbidden)
    );
    assert_eq!(
        shared::export(svc, &unit_admin(unit), SC::Fields)
            .await
            .err(),
        Some(AppError::Forbidden)
    );

    // Document types: seeded from the catalogue's result codes; a changed name updates the
    // row, a new code is added, a lower-case code is the same code.
    let types = shared::list(svc, &a, SC::DocumentTypes, "KQ.G01.00262", Some(5))
        .await
        .expect("list");
    assert_eq!(types.rows.len(), 1, "{types:?}");
    assert!(types.rows[0][1].starts_with("Quyết định giải quyết khiếu nại"));
    let all_types = shared::list(svc, &a, SC::DocumentTypes, "", Some(1))
        .await
        .expect("count");
    assert!(all_types.total > 1500, "{}", all_types.total);
    let r = shared::import(
        svc,
        &a,
        SC::DocumentTypes,
        "ma,ten,co_quan_cap\nkq.g01.00262,Quyết định giải quyết khiếu nại,Thanh tra Bộ\nKQ.TN.0001,Giấy chứng nhận thử nghiệm,\n",
        &meta,
    )
    .await
    .expect("document types");
    assert_eq!((r.added, r.updated, r.bad.len()), (1, 1, 0), "{r:?}");
    let csv = shared::export(svc, &a, SC::DocumentTypes)
        .await
        .expect("export");
    assert!(csv.contains("KQ.G01.00262,Quyết định giải quyết khiếu nại,Thanh tra Bộ\r\n"));
    let r = shared::import(svc, &a, SC::DocumentTypes, &csv, &meta)
        .await
        .expect("round trip");
    assert_eq!(
        (r.added, r.updated, r.bad.len()),
        (0, 0, 0),
        "{:?}",
        r.bad.first()
    );
    // One bad line among good ones: nothing written.
    let r = shared::import(
        svc,
        &a,
        SC::DocumentTypes,
        "KQ.TN.0002,Giấy mới,\nKQ TN,Mã sai,\n",
        &meta,
    )
    .await
    .expect("report");
    assert_eq!(r.bad.len(), 1);
    assert_eq!(
        shared::list(svc, &a, SC::DocumentTypes, "KQ.TN.0002", None)
            .await
            .expect("list")
            .total,
        0,
        "nothing half-imported"
    );

    // Over HTTP: pages and posts need a system administrator.
    let r = common::get(addr, "/quan-tri/thu-tuc").await;
    assert_eq!(r.status, 303);
    let mut c = Client::new(addr);
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
    let r = c.get(&format!("/quan-tri/thu-tuc/{CODE}")).await;
    assert_eq!(r.status, 403);
    let before = counts(svc).await;
    let r = c
        .post(
            &format!("/quan-tri/thu-tuc/{CODE}"),
            &[("action", "publish"), ("p_base", "3"), ("p_name", "Bị đổi")],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = c
        .post("/quan-tri/ngay-nghi", &[("csv", "2031-03-04,nghỉ,X\n")])
        .await;
    assert_eq!(r.status, 403);
    let r = c
        .post(
            "/quan-tri/danh-muc?loai=linh-vuc",
            &[("csv", "Lĩnh vực lạ\n")],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(c.get("/quan-tri/danh-muc/linh-vuc.csv").await.status, 403);
    assert_eq!(c.get("/quan-tri/danh-muc").await.status, 403);
    assert_eq!(counts(svc).await, before, "a citizen changed nothing");

    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn editor_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn editor_postgres() {
    run(TestDb::postgres().await).await;
}
