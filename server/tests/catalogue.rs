//! Service tests: the real migrations and seed on SQLite and on PostgreSQL, then the catalogue
//! use-cases a citizen relies on. The same checks run on both backends.
mod common;

use app::domain::catalogue::{Audience, CatalogueQuery, LevelFilter, PortalInfo};
use app::error::AppError;
use app::server::{catalogue, Services};
use common::TestDb;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn portal() -> PortalInfo {
    PortalInfo {
        name: "Cổng thử nghiệm".into(),
        agency: "UBND".into(),
        address: "1 Đường A".into(),
        hotline: "1900 0000".into(),
        email: "a@example.vn".into(),
    }
}

fn query(q: Option<&str>) -> CatalogueQuery {
    CatalogueQuery {
        q: q.map(str::to_owned),
        page: 1,
        ..Default::default()
    }
}

async fn run_checks(db: &TestDb) {
    let conn = server::connect_and_migrate(&db.url).await.expect("migrate");
    // Running migrations again (every start does) changes nothing.
    let conn2 = server::connect_and_migrate(&db.url)
        .await
        .expect("migrate again");
    drop(conn2);

    // Reference data: the whole catalogue, the 2-level units and the holiday calendar.
    assert_eq!(
        entity::procedure::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        2849
    );
    assert_eq!(
        entity::procedure_version::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        2849
    );
    let provinces = entity::admin_area::Entity::find()
        .filter(entity::admin_area::Column::ParentCode.is_null())
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(provinces, 34);
    assert_eq!(
        entity::admin_area::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        34 + 3321
    );
    let tet = entity::holiday::Entity::find()
        .filter(entity::holiday::Column::Day.eq("2026-02-17"))
        .one(&conn)
        .await
        .unwrap()
        .expect("Tết 2026 is a day off");
    assert_eq!(tet.kind, "off");
    let makeup = entity::holiday::Entity::find()
        .filter(entity::holiday::Column::Day.eq("2026-01-10"))
        .one(&conn)
        .await
        .unwrap()
        .expect("Saturday 10/1/2026 is a make-up working day");
    assert_eq!(makeup.kind, "makeup");

    // The demo province seeds once.
    migration::demo::seed_demo(&conn).await.unwrap();
    migration::demo::seed_demo(&conn).await.unwrap();
    let one_stop = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(
        one_stop, 4,
        "provincial centre + 3 communes' one-stop sections"
    );

    let svc = Services::load(conn.clone(), portal(), common::test_auth())
        .await
        .expect("load services");

    // Catalogue: everything, paginated.
    let all = catalogue::list(&svc, &query(None)).await.unwrap();
    assert_eq!(all.total, 2849);
    assert_eq!(all.items.len(), 20);
    assert_eq!(all.pages, 143);

    // Search without diacritics ranks the birth registration first, with a count.
    for q in [
        "dang ky khai sinh",
        "đăng ki khai sinh",
        "DANG KY KHAI SINH",
        "1.001193",
    ] {
        let r = catalogue::list(&svc, &query(Some(q))).await.unwrap();
        assert_eq!(
            r.items.first().map(|p| p.code.as_str()),
            Some("1.001193"),
            "query {q}"
        );
        assert!(r.total >= 1);
    }

    // Filters combine with search: the birth registration is a Justice (Hộ tịch) procedure.
    let ho_tich = all_fields_named(&svc, "Hộ tịch");
    let mut q = query(Some("khai sinh"));
    q.field = Some(ho_tich);
    let r = catalogue::list(&svc, &q).await.unwrap();
    assert!(r.total > 0);
    assert!(r.items.iter().all(|p| p.field == "Hộ tịch"));
    q.audience = Some(Audience::Organisation);
    q.level = Some(LevelFilter::Offline);
    let narrowed = catalogue::list(&svc, &q).await.unwrap();
    assert!(narrowed.total < r.total);

    let mut online = query(None);
    online.level = Some(LevelFilter::Online);
    let online = catalogue::list(&svc, &online).await.unwrap();
    assert!(online.items.iter().all(|p| p.online));
    assert_eq!(online.total, svc.facets.get().online);

    // A page past the end is empty, not an error; hostile text finds nothing and breaks nothing.
    let mut far = query(None);
    far.page = 500;
    assert!(catalogue::list(&svc, &far).await.unwrap().items.is_empty());
    let r = catalogue::list(&svc, &query(Some("'; DROP TABLE procedure; --")))
        .await
        .unwrap();
    assert!(r.items.len() <= 20);
    assert_eq!(
        entity::procedure::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        2849
    );

    // Procedure detail: documents, fee, time limit, legal basis.
    let d = catalogue::detail(&svc, "1.004222").await.unwrap();
    assert_eq!(d.summary.name, "Đăng ký thường trú");
    assert_eq!(d.summary.time_limit_days, Some(7));
    assert!(d.channels.iter().any(|c| c.fee_vnd == Some(10_000)));
    assert!(!d.documents.is_empty());
    assert!(d
        .legal_basis
        .iter()
        .any(|l| l.code.as_deref() == Some("54/2025/TT-BCA")));
    let birth = catalogue::detail(&svc, "1.001193").await.unwrap();
    assert!(birth
        .documents
        .iter()
        .any(|doc| doc.name.contains("Văn bản ủy quyền")));
    assert_eq!(birth.summary.fee_free, Some(true));
    // Defence procedures come from the structured source with their legal basis.
    let bqp = catalogue::detail(&svc, "1.013124").await.unwrap();
    assert_eq!(bqp.summary.agency, "Bộ Quốc phòng");
    assert_eq!(bqp.summary.time_limit_days, Some(30));
    assert!(matches!(
        catalogue::detail(&svc, "9.999999").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        catalogue::detail(&svc, &"x".repeat(500)).await,
        Err(AppError::NotFound)
    ));

    // Home: the featured list in its order, fields by size.
    let home = catalogue::home(&svc).await.unwrap();
    assert_eq!(
        home.featured.first().map(|p| p.code.as_str()),
        Some("1.001193")
    );
    assert_eq!(home.total, 2849);
    assert!(home.fields.windows(2).all(|w| w[0].count >= w[1].count));

    conn.execute_unprepared("SELECT 1").await.unwrap();
}

fn all_fields_named(svc: &Services, name: &str) -> i32 {
    svc.facets
        .get()
        .fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.id)
        .expect("field exists")
}

#[tokio::test]
async fn catalogue_on_sqlite() {
    let db = TestDb::sqlite();
    run_checks(&db).await;
    db.cleanup().await;
}

#[tokio::test]
async fn catalogue_on_postgres() {
    let db = TestDb::postgres().await;
    run_checks(&db).await;
    db.cleanup().await;
}
