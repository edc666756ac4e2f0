//! Citizen dossier journey (P-3.1 … P-3.4, P-5.2, P-10.2) over real sockets on SQLite and
//! PostgreSQL: drafts, the e-form, uploads and their refusals, idempotent submission with
//! unique codes under concurrency, ownership, and the public lookup.
mod common;

use std::path::PathBuf;

use app::domain::account::{AccountKind, Principal, Stage};
use app::domain::calendar::Day;
use app::server::storage::DiskStore;
use app::server::Services;
use common::{Client, TestDb};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

const CITIZEN: &str = "congdan@demo.dichvucong.vn";
const PASSWORD: &str = "cong dan thu nghiem Da Nang";
const OTHER: &str = "nguoikhac@example.vn";
/// Permanent residence registration: commune level, online, 7 working days.
const PROCEDURE: &str = "1.004222";

struct Env {
    addr: std::net::SocketAddr,
    svc: Services,
    files: PathBuf,
    db: TestDb,
}

async fn start(db: TestDb) -> Env {
    let files = std::env::temp_dir().join(format!(
        "portal-files-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.files_dir = files.display().to_string();
    // The tests' own handle on the same database and files, for driving services directly.
    let (addr, svc) = common::start_app(s).await;
    Env {
        addr,
        svc,
        files,
        db,
    }
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

async fn login(addr: std::net::SocketAddr, email: &str) -> Client {
    let mut c = Client::new(addr);
    c.get("/dang-nhap").await;
    let r = c
        .post("/dang-nhap", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, 303, "login of {email}: {}", r.body);
    c
}

/// A second verified citizen (a different person and ID number).
async fn other_citizen(svc: &Services) -> i32 {
    use entity::user_account;
    let t = app::server::auth::now();
    let hash = app::server::auth::crypto::hash_password(PASSWORD).expect("hash");
    let u = user_account::ActiveModel {
        kind: Set("citizen".into()),
        email: Set(OTHER.into()),
        full_name: Set("Trần Thị Bình".into()),
        phone: Set(Some("0912000999".into())),
        citizen_id_index: Set(Some(
            svc.auth.cipher.blind_index("citizen_id", "001099000777"),
        )),
        email_verified_at: Set(Some(t)),
        password_hash: Set(hash),
        password_changed_at: Set(t),
        must_change_password: Set(false),
        failed_logins: Set(0),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(&svc.db)
    .await
    .expect("other citizen");
    u.id
}

fn location(r: &common::HttpResponse) -> String {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("location"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(s[i..j].to_string())
}

async fn da_nang_commune(svc: &Services) -> String {
    entity::admin_area::Entity::find()
        .filter(entity::admin_area::Column::ParentCode.eq("48"))
        .one(&svc.db)
        .await
        .expect("query")
        .expect("a commune of Đà Nẵng")
        .code
}

/// Starts a draft through the pages: the start page offers the ward counters; returns its id.
async fn new_draft(c: &mut Client) -> i32 {
    let page = c.get(&format!("/ho-so/moi?thu-tuc={PROCEDURE}")).await;
    assert_eq!(page.status, 200);
    let key = between(&page.body, "name=\"key\" value=\"", "\"").expect("start key");
    let agency = between(&page.body, "name=\"agency_id\" value=\"", "\"").expect("a unit");
    let r = c
        .post(
            "/ho-so/moi",
            &[
                ("procedure", PROCEDURE),
                ("key", &key),
                ("agency_id", &agency),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let loc = location(&r);
    // A double click (same key) lands on the same draft.
    let again = c
        .post(
            "/ho-so/moi",
            &[
                ("procedure", PROCEDURE),
                ("key", &key),
                ("agency_id", &agency),
            ],
        )
        .await;
    assert_eq!(location(&again), loc);
    loc.trim_start_matches("/ho-so/").parse().expect("id")
}

fn good_form(commune: &str) -> Vec<(&'static str, String)> {
    vec![
        ("applicant_name", "Nguyễn Văn An".into()),
        ("applicant_birth", "1990-05-01".into()),
        ("applicant_gender", "nam".into()),
        ("applicant_id", "048199000123".into()),
        ("applicant_phone", "0905000123".into()),
        ("new_address.province", "48".into()),
        ("new_address.commune", commune.into()),
        ("new_address.street", "12 Lê Lợi".into()),
        ("basis", "so_huu".into()),
        ("declaration", "1".into()),
    ]
}

async fn save(
    c: &mut Client,
    id: i32,
    values: &[(&str, String)],
    action: &str,
) -> common::HttpResponse {
    let form = c.get(&format!("/ho-so/{id}/bieu-mau")).await;
    assert_eq!(form.status, 200);
    let rev = between(&form.body, "name=\"_revision\" value=\"", "\"").unwrap_or_else(|| {
        panic!(
            "revision in {}",
            &form.body[form.body.find("<main").unwrap_or(0)..]
                [..3000.min(form.body.len() - form.body.find("<main").unwrap_or(0))]
        )
    });
    let mut fields: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fields.push(("_revision", &rev));
    fields.push(("action", action));
    c.post(&format!("/ho-so/{id}/bieu-mau"), &fields).await
}

fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").into_bytes()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

async fn journey(db: TestDb) {
    let env = start(db).await;
    let commune = da_nang_commune(&env.svc).await;
    let mut c = login(env.addr, CITIZEN).await;
    let id = new_draft(&mut c).await;

    // The draft is prefilled from the profile and its task list shows what is left.
    let form = c.get(&format!("/ho-so/{id}/bieu-mau")).await;
    assert!(
        form.body.contains("value=\"0905000123\""),
        "phone prefilled"
    );
    let overview = c.get(&format!("/ho-so/{id}")).await;
    assert!(overview.body.contains("Chưa xong"));

    // A mistake: the page comes back with the error summary and the input kept.
    let mut bad = good_form(&commune);
    bad[4].1 = "12345".into();
    let r = save(&mut c, id, &bad, "continue").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"error-summary\""));
    assert!(r.body.contains("href=\"#f-applicant_phone\""));
    assert!(r.body.contains("value=\"12345\""), "input kept");
    // A commune outside the chosen province is refused by the server-side area check.
    let mut wrong_area = good_form(&commune);
    wrong_area[5].1 = "01".into();
    let r = save(&mut c, id, &wrong_area, "continue").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("không thuộc tỉnh"));
    // Fixed.
    let r = save(&mut c, id, &good_form(&commune), "continue").await;
    assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(3000)]);
    assert_eq!(location(&r), format!("/ho-so/{id}/giay-to"));

    // A stale page (another device saved since) cannot overwrite.
    let r = c
        .post(
            &format!("/ho-so/{id}/bieu-mau"),
            &[("request", "cũ"), ("_revision", "0"), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("thiết bị"));

    // Two uploads into the first slot; the second is also kept in the data store.
    let docs = c.get(&format!("/ho-so/{id}/giay-to")).await;
    let slot = between(&docs.body, "name=\"slot\" value=\"", "\"").expect("a slot");
    let up = |name: &'static str, bytes: Vec<u8>, keep: &'static str| {
        let slot = slot.clone();
        (name, bytes, keep, slot)
    };
    for (name, bytes, keep, slot) in [
        up("giay to 1.pdf", pdf("one"), ""),
        up("ảnh.png", PNG.to_vec(), "1"),
    ] {
        let mut fields = vec![("slot", slot.as_str())];
        if !keep.is_empty() {
            fields.push(("keep", keep));
        }
        let r = c
            .post_file(&format!("/ho-so/{id}/giay-to"), &fields, name, &bytes)
            .await;
        assert_eq!(r.status, 303, "{}", &r.body[..r.body.len().min(2000)]);
    }
    let docs = c.get(&format!("/ho-so/{id}/giay-to")).await;
    assert!(docs.body.contains("giay to 1.pdf") && docs.body.contains("ảnh.png"));
    let files = entity::dossier_file::Entity::find()
        .filter(entity::dossier_file::Column::DossierId.eq(id))
        .all(&env.svc.db)
        .await
        .expect("files");
    assert_eq!(files.len(), 2);
    let stored = entity::data_store_item::Entity::find()
        .count(&env.svc.db)
        .await
        .expect("store");
    assert_eq!(stored, 1, "only the file marked 'keep' is in the store");
    // The file downloads as uploaded, with its sniffed type and a sandbox.
    let dl = c.get(&format!("/ho-so/{id}/tep/{}", files[0].id)).await;
    assert_eq!(dl.status, 200);
    assert!(dl.body.contains("% one"));
    assert!(dl
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v == "application/pdf"));
    assert!(dl
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-security-policy") && v.contains("sandbox")));

    // Refused uploads: a program renamed .pdf, a zero-byte file, a path in the name and a
    // file over 20 MB. Each says why and leaves nothing on disk or in the database.
    let on_disk = DiskStore::new(&env.files).expect("store").count_files();
    let big = {
        let mut v = pdf("big");
        v.resize(20 * 1024 * 1024 + 1, b'0');
        v
    };
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "hoa-don.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec(),
            "Loại tệp không được chấp nhận",
        ),
        ("rong.pdf", vec![], "Tệp rỗng"),
        ("../../etc/passwd.pdf", pdf("x"), "Tên tệp không hợp lệ"),
        ("lon.pdf", big, "Tệp quá lớn"),
    ];
    for (name, bytes, message) in cases {
        let r = c
            .post_file(
                &format!("/ho-so/{id}/giay-to"),
                &[("slot", &slot)],
                name,
                &bytes,
            )
            .await;
        assert_eq!(r.status, 422, "{name}");
        assert!(
            r.body.contains(message),
            "{name}: {}",
            &r.body[..r.body.len().min(500)]
        );
    }
    assert_eq!(
        DiskStore::new(&env.files).expect("store").count_files(),
        on_disk
    );
    let counts = app::server::dossier::count_rows(&env.svc)
        .await
        .expect("counts");
    assert_eq!(counts["dossier_file"], 2);

    // Another citizen can neither see, change, upload to nor download from this dossier.
    other_citizen(&env.svc).await;
    let mut o = login(env.addr, OTHER).await;
    assert_eq!(o.get(&format!("/ho-so/{id}")).await.status, 403);
    assert_eq!(
        o.get(&format!("/ho-so/{id}/tep/{}", files[0].id))
            .await
            .status,
        403
    );
    let r = o
        .post(
            &format!("/ho-so/{id}/bieu-mau"),
            &[("request", "x"), ("_revision", "1"), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = o
        .post_file(
            &format!("/ho-so/{id}/giay-to"),
            &[("slot", &slot)],
            "a.pdf",
            &pdf("o"),
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        o.post(
            &format!("/ho-so/{id}"),
            &[("action", "submit"), ("key", "k")]
        )
        .await
        .status,
        403
    );
    assert_eq!(
        o.post(&format!("/ho-so/{id}"), &[("action", "delete")])
            .await
            .status,
        403
    );
    assert_eq!(o.get(&format!("/kho-du-lieu/{}", 1)).await.status, 403);

    // Submission: twice (double click / replay) gives one dossier with one code.
    let page = c.get(&format!("/ho-so/{id}")).await;
    let key = between(&page.body, "name=\"key\" value=\"", "\"").expect("submit key");
    let r1 = c
        .post(
            &format!("/ho-so/{id}"),
            &[("action", "submit"), ("key", &key)],
        )
        .await;
    assert_eq!(r1.status, 303, "{}", &r1.body[..r1.body.len().min(3000)]);
    let r2 = c
        .post(
            &format!("/ho-so/{id}"),
            &[("action", "submit"), ("key", &key)],
        )
        .await;
    assert_eq!(location(&r1), location(&r2));
    let d = entity::dossier::Entity::find_by_id(id)
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("dossier");
    let code = d.code.clone().expect("code assigned");
    let (agency, date, seq) = app::domain::dossier::parse_code(&code).expect("code format");
    assert!(agency.starts_with("H48.50."), "{agency}");
    assert_eq!(date, app::server::dossier::today().yymmdd());
    assert_eq!(seq, 1);
    assert_eq!(d.status, 1);
    assert!(d.due_date.is_some(), "7 working days give a due date");
    let events = entity::dossier_event::Entity::find()
        .filter(entity::dossier_event::Column::DossierId.eq(id))
        .filter(entity::dossier_event::Column::Action.eq("submit"))
        .count(&env.svc.db)
        .await
        .expect("events");
    assert_eq!(events, 1);
    // The history cannot be rewritten, even by a direct UPDATE.
    {
        use sea_orm::ConnectionTrait;
        let r = env
            .svc
            .db
            .execute_unprepared("UPDATE dossier_event SET action = 'forged'")
            .await;
        assert!(r.is_err(), "dossier_event refuses updates");
    }
    let receipt = c.get(&format!("/ho-so/{id}?ok=submitted")).await;
    assert!(receipt.body.contains(&code));
    assert!(receipt.body.contains("Ngày hẹn trả kết quả"));
    // The receipt slip is a PDF titled with the code.
    let slip = c.get(&format!("/ho-so/{id}/bien-nhan.pdf")).await;
    assert_eq!(slip.status, 200);
    assert!(slip.body.starts_with("%PDF-"));
    let title: String = format!("Giấy tiếp nhận hồ sơ {code}")
        .encode_utf16()
        .map(|u| format!("{u:04X}"))
        .collect();
    assert!(slip.body.contains(&title));
    assert_eq!(
        o.get(&format!("/ho-so/{id}/bien-nhan.pdf")).await.status,
        403
    );
    // Submitted: the form can no longer be changed.
    let form = c.get(&format!("/ho-so/{id}/bieu-mau")).await;
    assert!(form.body.contains("không sửa được nữa"));
    let r = c
        .post(
            &format!("/ho-so/{id}/bieu-mau"),
            &[
                ("request", "sửa sau khi nộp"),
                ("_revision", &d.revision.to_string()),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Hồ sơ đã nộp, không thể sửa"));
    // My dossiers lists it under "submitted".
    let mine = c.get("/ho-so?trang-thai=1").await;
    assert!(mine.body.contains(&code));

    // Public lookup: the code with a wrong phone reveals nothing; the right phone or ID works.
    let mut anon = Client::new(env.addr);
    anon.get("/tra-cuu-ho-so").await;
    let wrong = anon
        .post("/tra-cuu-ho-so", &[("ma", &code), ("so", "0999999999")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        !wrong.body.contains("Đăng ký thường trú tại"),
        "no procedure shown"
    );
    assert!(!wrong.body.contains("Nguyễn Văn An"));
    let unknown = anon
        .post(
            "/tra-cuu-ho-so",
            &[("ma", "H48.01-990101-0001"), ("so", "0905000123")],
        )
        .await;
    assert_eq!(error_summary(&wrong.body), error_summary(&unknown.body));
    let right = anon
        .post("/tra-cuu-ho-so", &[("ma", &code), ("so", "0905000123")])
        .await;
    assert_eq!(right.status, 200);
    assert!(right.body.contains("Mới đăng ký"));
    assert!(
        !right.body.contains("Nguyễn Văn An"),
        "no personal data in the public view"
    );
    let by_id = anon
        .post("/tra-cuu-ho-so", &[("ma", &code), ("so", "048199000123")])
        .await;
    assert_eq!(by_id.status, 200);
    // Rate-limited per client.
    let mut limited = false;
    for _ in 0..12 {
        let r = anon
            .post("/tra-cuu-ho-so", &[("ma", &code), ("so", "0911111111")])
            .await;
        if r.status == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "lookups are rate-limited");

    // The agency asks for a supplement (driven through the service layer, as the back office
    // does); an officer of another unit may not.
    let officer = |agency: i32| Principal {
        user_id: 1,
        session_id: "officer".into(),
        kind: AccountKind::Officer,
        full_name: "Cán bộ một cửa".into(),
        email: "canbo@example.vn".into(),
        stage: Stage::Full,
        roles: vec![app::domain::account::RoleGrant {
            role: app::domain::account::Role::OneStopOfficer,
            agency_id: Some(agency),
            agency_name: None,
        }],
    };
    use app::server::dossier as ds;
    let meta = app::server::auth::RequestMeta::default();
    let stranger = officer(d.agency_id + 1000);
    assert_eq!(
        ds::request_supplement(&env.svc, &stranger, id, "x", &meta).await,
        Err(app::error::AppError::Forbidden)
    );
    let clerk = officer(d.agency_id);
    assert!(
        ds::request_supplement(&env.svc, &clerk, id, "  ", &meta)
            .await
            .is_err(),
        "a request must say what is missing"
    );
    ds::request_supplement(
        &env.svc,
        &clerk,
        id,
        "Bổ sung bản chụp rõ nét trang 2 của hợp đồng thuê nhà.",
        &meta,
    )
    .await
    .expect("supplement requested");
    let page = c.get(&format!("/ho-so/{id}")).await;
    assert!(
        page.body.contains("trang 2 của hợp đồng thuê nhà"),
        "the citizen sees exactly what is asked"
    );
    // B-đ: the citizen replaces a submitted file. The old one stays in the record as version 1
    // (not deleted, bytes kept); the new one is version 2.
    let first = entity::dossier_file::Entity::find()
        .filter(entity::dossier_file::Column::DossierId.eq(id))
        .filter(entity::dossier_file::Column::Slot.eq(slot.clone()))
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("the submitted file");
    assert_eq!((first.version, first.digitised), (1, false));
    let r = c
        .post(
            &format!("/ho-so/{id}/giay-to"),
            &[("action", "remove"), ("file_id", &first.id.to_string())],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let kept = entity::dossier_file::Entity::find_by_id(first.id)
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("a submitted file is never deleted");
    assert!(kept.superseded_at.is_some());
    assert!(
        c.get(&format!("/ho-so/{id}/tep/{}", first.id))
            .await
            .body
            .starts_with("%PDF"),
        "its bytes are kept"
    );
    let r = c
        .post_file(
            &format!("/ho-so/{id}/giay-to"),
            &[("slot", &slot)],
            "trang-2.pdf",
            &pdf("page two"),
        )
        .await;
    assert_eq!(
        r.status, 303,
        "uploads are open again while a supplement is asked"
    );
    let v = ds::officer_view(&env.svc, &clerk, id).await.expect("view");
    let rounds: Vec<(i32, i32)> = v
        .files
        .iter()
        .filter(|f| f.slot == slot)
        .map(|f| (f.id, f.version))
        .collect();
    assert!(!rounds.iter().any(|(f, _)| *f == first.id), "{rounds:?}");
    assert_eq!(
        rounds.last().map(|r| r.1),
        Some(2),
        "the new file came with the first supplement"
    );
    assert!(rounds[..rounds.len() - 1].iter().all(|r| r.1 == 1));
    assert_eq!(
        v.history
            .iter()
            .map(|f| (f.id, f.version))
            .collect::<Vec<_>>(),
        vec![(first.id, 1)]
    );
    let r = c
        .post(&format!("/ho-so/{id}"), &[("action", "supplement")])
        .await;
    assert_eq!(location(&r), format!("/ho-so/{id}?ok=supplemented"));
    let back = entity::dossier::Entity::find_by_id(id)
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("d");
    assert_eq!(back.status, 1, "back to where it was before the request");
    assert!(back.supplement_request.is_none());
    let r = c
        .post_file(
            &format!("/ho-so/{id}/giay-to"),
            &[("slot", &slot)],
            "muon.pdf",
            &pdf("late"),
        )
        .await;
    assert_eq!(r.status, 422, "closed again after the supplement");

    // Messages both ways; the officer's reaches the citizen's notifications.
    let r = c
        .post_file(
            &format!("/ho-so/{id}/tin-nhan"),
            &[("body", "Tôi đã gửi bổ sung.")],
            "bien-lai.pdf",
            &pdf("receipt-attached"),
        )
        .await;
    assert_eq!(location(&r), format!("/ho-so/{id}?ok=message"));
    let r = c
        .post_file(&format!("/ho-so/{id}/tin-nhan"), &[("body", "")], "", b"")
        .await;
    assert_eq!(r.status, 422, "an empty message is refused");
    ds::post_message(&env.svc, &clerk, id, "Đã nhận, cảm ơn.", None)
        .await
        .expect("officer message");
    assert_eq!(
        o.post_file(
            &format!("/ho-so/{id}/tin-nhan"),
            &[("body", "xin chào")],
            "",
            b""
        )
        .await
        .status,
        403
    );
    let note = c.get("/thong-bao").await;
    assert!(note.body.contains("Đã nhận, cảm ơn."));
    let page = c.get(&format!("/ho-so/{id}")).await;
    assert!(page.body.contains("Tôi đã gửi bổ sung.") && page.body.contains("Đã nhận, cảm ơn."));
    let att = entity::dossier_file::Entity::find()
        .filter(entity::dossier_file::Column::DossierId.eq(id))
        .filter(entity::dossier_file::Column::Kind.eq("message"))
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("attachment stored");
    assert!(page.body.contains(&format!("/ho-so/{id}/tep/{}", att.id)));
    assert!(c
        .get(&format!("/ho-so/{id}/tep/{}", att.id))
        .await
        .body
        .contains("receipt-attached"));

    // Through the procedure's workflow (counter → specialist → leader): the result can only
    // be attached once the leader has approved.
    {
        use app::domain::workflow::ActionKind as A;
        use app::server::work::{act, ActInput};
        let staff = common::staff(&env.svc, d.agency_id, "journey").await;
        let plan = ds::plan_result(&env.svc, &clerk, id).await.expect("plan");
        let mut st = ds::stage(&env.svc, &plan).await.expect("stage");
        st.write(&pdf("TOO-EARLY")).await.expect("write");
        let early = st.finish().await.expect("finish");
        assert!(
            ds::attach_result(&env.svc, &clerk, id, "som.pdf", early)
                .await
                .is_err(),
            "no result before approval"
        );
        act(&env.svc, &clerk, id, A::Accept, ActInput::default(), &meta)
            .await
            .expect("accepted");
        let to = |who: i32| ActInput {
            assignee: Some(who),
            ..Default::default()
        };
        act(
            &env.svc,
            &staff.leader,
            id,
            A::Assign,
            to(staff.specialist.user_id),
            &meta,
        )
        .await
        .expect("assigned");
        act(
            &env.svc,
            &staff.specialist,
            id,
            A::Propose,
            ActInput::default(),
            &meta,
        )
        .await
        .expect("proposed");
        act(
            &env.svc,
            &staff.leader,
            id,
            A::Approve,
            ActInput::default(),
            &meta,
        )
        .await
        .expect("approved");
    }
    // The result: attached by the officer, downloaded by the citizen, kept in the data store.
    let plan = ds::plan_result(&env.svc, &clerk, id).await.expect("plan");
    let mut st = ds::stage(&env.svc, &plan).await.expect("stage");
    st.write(&pdf("RESULT-CERTIFICATE")).await.expect("write");
    let done = st.finish().await.expect("finish");
    ds::attach_result(&env.svc, &clerk, id, "ket-qua.pdf", done)
        .await
        .expect("result");
    let page = c.get(&format!("/ho-so/{id}")).await;
    assert!(page.body.contains("Đã xử lý xong"));
    let result_id = between(&page.body, "Tải kết quả", "").map(|_| ());
    assert!(result_id.is_some());
    let rf = entity::dossier_file::Entity::find()
        .filter(entity::dossier_file::Column::DossierId.eq(id))
        .filter(entity::dossier_file::Column::Kind.eq("result"))
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("result row");
    let dl = c.get(&format!("/ho-so/{id}/tep/{}", rf.id)).await;
    assert!(dl.body.contains("RESULT-CERTIFICATE"));
    let store = c.get("/kho-du-lieu").await;
    assert!(store.body.contains("Kết quả: Đăng ký thường trú"));
    // Rating only after the result is returned, once, and only by the applicant.
    let scores = [
        ("r-information", "5"),
        ("r-procedure", "4"),
        ("r-attitude", "5"),
        ("r-timeliness", "4"),
        ("r-result", "5"),
    ];
    let mut rate: Vec<(&str, &str)> = vec![("action", "rate"), ("comment", "Nhanh, gọn.")];
    rate.extend_from_slice(&scores);
    assert_eq!(
        c.post(&format!("/ho-so/{id}"), &rate).await.status,
        422,
        "not yet returned"
    );
    ds::return_result(&env.svc, &clerk, id, &meta)
        .await
        .expect("returned");
    assert_eq!(o.post(&format!("/ho-so/{id}"), &rate).await.status, 403);
    let mut bad = rate.clone();
    bad.retain(|(k, _)| *k != "r-attitude");
    let r = c.post(&format!("/ho-so/{id}"), &bad).await;
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("Thái độ của cán bộ: hãy chọn mức từ 1 đến 5."));
    let r = c.post(&format!("/ho-so/{id}"), &rate).await;
    assert_eq!(location(&r), format!("/ho-so/{id}?ok=rated"));
    assert_eq!(
        c.post(&format!("/ho-so/{id}"), &rate).await.status,
        422,
        "one rating per dossier"
    );
    let rating = entity::dossier_rating::Entity::find()
        .filter(entity::dossier_rating::Column::DossierId.eq(id))
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("stored for reports");
    assert_eq!(
        (rating.information, rating.procedure, rating.attitude),
        (5, 4, 5)
    );

    // B-đ: the returned dossier goes to the archive with the procedure's retention period;
    // once only, by the unit's officers only, and never an unfinished dossier.
    use app::server::archive;
    let v = archive::view(&env.svc, &clerk, false)
        .await
        .expect("archive view");
    assert!(
        v.pending.iter().any(|r| r.id == id),
        "waiting to be archived"
    );
    assert_eq!(
        archive::archive(&env.svc, &stranger, &[id], &meta).await,
        Err(app::error::AppError::Forbidden)
    );
    let r = c
        .post("/can-bo/luu-tru", &[(&*format!("chon-{id}"), "1")])
        .await;
    assert_eq!(r.status, 403, "a citizen cannot archive");
    assert_eq!(
        archive::archive(&env.svc, &clerk, &[id], &meta).await,
        Ok(1)
    );
    let a = entity::dossier::Entity::find_by_id(id)
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("d");
    let finished = Day::from_unix_vn(a.finished_at.expect("finished"));
    assert_eq!(
        a.retain_until,
        app::domain::dossier::retain_until(finished, 10),
        "the default 10 years"
    );
    let again = archive::archive(&env.svc, &clerk, &[id], &meta)
        .await
        .expect_err("archived once");
    assert!(AppErrorV::of(again).0[0].contains("đã được lưu trữ"));
    let v = archive::view(&env.svc, &clerk, false)
        .await
        .expect("archive view");
    assert!(!v.pending.iter().any(|r| r.id == id));
    assert!(v.archived.iter().any(|r| r.id == id && !r.expired));
    let page = ds::officer_view(&env.svc, &clerk, id).await.expect("view");
    assert!(page.archived_at.is_some());

    // Draft deletion removes the draft and its files.
    let id2 = new_draft(&mut c).await;
    let docs = c.get(&format!("/ho-so/{id2}/giay-to")).await;
    let slot2 = between(&docs.body, "name=\"slot\" value=\"", "\"").expect("slot");
    let r = c
        .post_file(
            &format!("/ho-so/{id2}/giay-to"),
            &[("slot", &slot2)],
            "rieng.pdf",
            &pdf("only-here"),
        )
        .await;
    assert_eq!(r.status, 303);
    let before = DiskStore::new(&env.files).expect("store").count_files();
    let unfinished = archive::archive(&env.svc, &clerk, &[id2], &meta)
        .await
        .expect_err("a draft is not finished");
    assert!(AppErrorV::of(unfinished).0[0].contains("chưa giải quyết xong"));
    let r = c
        .post(&format!("/ho-so/{id2}"), &[("action", "delete")])
        .await;
    assert_eq!(location(&r), "/ho-so?ok=deleted");
    assert!(entity::dossier::Entity::find_by_id(id2)
        .one(&env.svc.db)
        .await
        .expect("q")
        .is_none());
    assert_eq!(
        DiskStore::new(&env.files).expect("store").count_files(),
        before - 1
    );

    let _ = std::fs::remove_dir_all(&env.files);
    env.db.cleanup().await;
}

fn error_summary(body: &str) -> String {
    let i = body.find("id=\"error-summary\"").expect("summary");
    let j = body[i..]
        .find("</div>")
        .map(|j| i + j)
        .unwrap_or(body.len());
    body[i..j].to_string()
}

/// 100 drafts submitted at once get 100 distinct, consecutive codes.
async fn concurrent_codes(db: TestDb) {
    let env = start(db).await;
    let commune = da_nang_commune(&env.svc).await;
    let user = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq(CITIZEN))
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("demo citizen");
    let p = Principal {
        user_id: user.id,
        session_id: "test".into(),
        kind: AccountKind::Citizen,
        full_name: user.full_name.clone(),
        email: user.email.clone(),
        stage: Stage::Full,
        roles: vec![],
    };
    let proc = entity::procedure::Entity::find()
        .filter(entity::procedure::Column::Code.eq(PROCEDURE))
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("procedure");
    let unit = app::server::dossier::receiving_units(&env.svc, &proc)
        .await
        .expect("units")[0]
        .id;
    let values: Vec<(String, String)> = good_form(&commune)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let mut ids = Vec::new();
    for i in 0..100 {
        let id = app::server::dossier::start(
            &env.svc,
            &p,
            PROCEDURE,
            unit,
            &format!("concurrent-key-{i:04}"),
        )
        .await
        .expect("draft");
        app::server::dossier::save_form(&env.svc, &p, id, &values, 0)
            .await
            .expect("save");
        ids.push(id);
    }
    // One upload kept in the data store fills the required slot of every draft (P-10.2).
    use app::server::dossier as ds;
    let plan = ds::plan_upload(&env.svc, &p, ids[0], "legal_home")
        .await
        .expect("plan");
    let mut staged = ds::stage(&env.svc, &plan).await.expect("stage");
    staged.write(&pdf("proof")).await.expect("write");
    let done = staged.finish().await.expect("finish");
    ds::attach(&env.svc, &p, ids[0], "legal_home", "so-do.pdf", done, true)
        .await
        .expect("attach");
    let item = entity::data_store_item::Entity::find()
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("kept in the store");
    for id in &ids[1..] {
        ds::attach_from_store(&env.svc, &p, *id, "legal_home", item.id)
            .await
            .expect("from store");
    }
    let mut set = tokio::task::JoinSet::new();
    for id in ids.clone() {
        let svc = env.svc.clone();
        let p = p.clone();
        set.spawn(async move {
            app::server::dossier::submit(&svc, &p, id, "k", &Default::default()).await
        });
    }
    let mut codes = Vec::new();
    while let Some(r) = set.join_next().await {
        codes.push(r.expect("task").expect("submitted"));
    }
    let mut seqs: Vec<u32> = codes
        .iter()
        .map(|c| app::domain::dossier::parse_code(c).expect("format").2)
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=100).collect::<Vec<u32>>());
    let distinct: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(distinct.len(), 100);
    // Withdrawal (status 7) needs a reason and happens once.
    let first = ids[0];
    assert!(
        app::server::dossier::request_withdrawal(&env.svc, &p, first, " ")
            .await
            .is_err()
    );
    app::server::dossier::request_withdrawal(&env.svc, &p, first, "Tôi nộp nhầm thủ tục")
        .await
        .expect("withdrawal requested");
    let d = entity::dossier::Entity::find_by_id(first)
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("d");
    assert_eq!(d.status, 7);
    assert!(
        app::server::dossier::request_withdrawal(&env.svc, &p, first, "lại")
            .await
            .is_err()
    );

    // Counter intake (B-c): the ward's one-stop officer files for a walk-in applicant.
    let staff = common::staff(&env.svc, unit, "quay").await;
    let meta = app::server::auth::RequestMeta::default();
    let count = || async {
        entity::dossier::Entity::find()
            .count(&env.svc.db)
            .await
            .expect("count")
    };
    let before = count().await;
    let walk_in = |cid: &str| ds::WalkIn {
        full_name: "Nguyễn Văn An".into(),
        citizen_id: cid.into(),
        phone: "0905 000 123".into(),
        email: String::new(),
    };
    let bad = ds::intake_start(
        &env.svc,
        &staff.counter,
        "9.999999",
        &walk_in("12345"),
        "quay-key-000000001",
    )
    .await
    .expect_err("bad input");
    let AppErrorV(msgs) = AppErrorV::of(bad);
    assert!(msgs.iter().any(|m| m.contains("12 chữ số")), "{msgs:?}");
    assert!(
        msgs.iter().any(|m| m.contains("Không tìm thấy thủ tục")),
        "{msgs:?}"
    );
    assert_eq!(count().await, before, "nothing created");
    assert_eq!(
        ds::intake_start(
            &env.svc,
            &p,
            PROCEDURE,
            &walk_in("048199000123"),
            "quay-key-000000001"
        )
        .await,
        Err(app::error::AppError::Forbidden),
        "citizens do not file at the counter"
    );
    let id = ds::intake_start(
        &env.svc,
        &staff.counter,
        PROCEDURE,
        &walk_in("048199000123"),
        "quay-key-000000001",
    )
    .await
    .expect("counter draft");
    let again = ds::intake_start(
        &env.svc,
        &staff.counter,
        PROCEDURE,
        &walk_in("048199000123"),
        "quay-key-000000001",
    )
    .await
    .expect("same key");
    assert_eq!(id, again, "a double click makes one draft");
    let view = ds::view(&env.svc, &staff.counter, id)
        .await
        .expect("the counter sees it");
    assert_eq!(
        view.values.get("applicant_id").map(String::as_str),
        Some("048199000123"),
        "prefilled from the walk-in"
    );
    // Other officers and the (not yet linked) citizen cannot touch the draft.
    assert_eq!(
        ds::view(&env.svc, &staff.specialist, id).await.err(),
        Some(app::error::AppError::Forbidden)
    );
    assert_eq!(
        ds::view(&env.svc, &p, id).await.err(),
        Some(app::error::AppError::Forbidden)
    );
    ds::save_form(&env.svc, &staff.counter, id, &values, 0)
        .await
        .expect("form filled at the counter");
    let plan = ds::plan_upload(&env.svc, &staff.counter, id, "legal_home")
        .await
        .expect("plan");
    let mut staged = ds::stage(&env.svc, &plan).await.expect("stage");
    staged.write(&pdf("scan")).await.expect("write");
    let done = staged.finish().await.expect("finish");
    let stored = entity::data_store_item::Entity::find()
        .count(&env.svc.db)
        .await
        .expect("q");
    ds::attach(
        &env.svc,
        &staff.counter,
        id,
        "legal_home",
        "ban-quet.pdf",
        done,
        true,
    )
    .await
    .expect("scan attached");
    let scan = entity::dossier_file::Entity::find()
        .filter(entity::dossier_file::Column::DossierId.eq(id))
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("scan row");
    assert!(
        scan.digitised,
        "an officer's scan is marked as digitised (B-đ)"
    );
    assert_eq!(
        entity::data_store_item::Entity::find()
            .count(&env.svc.db)
            .await
            .expect("q"),
        stored,
        "a scan is not kept in the officer's store"
    );
    let code = ds::submit(&env.svc, &staff.counter, id, "quay-submit", &meta)
        .await
        .expect("submitted at the counter");
    let d = entity::dossier::Entity::find_by_id(id)
        .one(&env.svc.db)
        .await
        .expect("q")
        .expect("d");
    assert_eq!(
        (d.channel.as_str(), d.status),
        ("counter", 2),
        "accepted on the spot"
    );
    assert!(d.accepted_at.is_some());
    assert_eq!(d.code.as_deref(), Some(code.as_str()));
    assert_eq!(
        d.applicant_id,
        Some(p.user_id),
        "linked to the applicant's account by ID number"
    );
    assert_eq!(d.applicant_phone.as_deref(), Some("0905000123"));
    let mine = ds::list_mine(&env.svc, &p, None).await.expect("mine");
    assert!(
        mine.iter().any(|r| r.id == id),
        "the citizen follows it online"
    );
    let (_, receipt) = ds::officer_receipt_pdf(&env.svc, &staff.counter, id)
        .await
        .expect("receipt printed");
    assert!(receipt.starts_with(b"%PDF-"));

    let _ = std::fs::remove_dir_all(&env.files);
    env.db.cleanup().await;
}

/// Messages of a validation error.
struct AppErrorV(Vec<String>);

impl AppErrorV {
    fn of(e: app::error::AppError) -> Self {
        match e {
            app::error::AppError::Validation(v) => {
                AppErrorV(v.into_iter().map(|f| f.message_vi).collect())
            }
            other => AppErrorV(vec![format!("{other:?}")]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn citizen_journey_sqlite() {
    journey(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn citizen_journey_postgres() {
    journey(TestDb::postgres().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_sqlite() {
    concurrent_codes(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_postgres() {
    concurrent_codes(TestDb::postgres().await).await;
}
