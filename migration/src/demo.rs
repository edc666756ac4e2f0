//! Demo deployment (`make run`): one province with its one-stop agencies. Production
//! deployments switch it off with `PORTAL_DEMO=0` and load their own units.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// GSO code of the demo province (Thành phố Đà Nẵng).
pub const DEMO_PROVINCE: &str = "48";

/// Inserts the demo province's agencies once; running it again changes nothing.
pub async fn seed_demo<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let mut existing = Query::select();
    existing
        .column(Alias::new("id"))
        .from(Alias::new("agency"))
        .and_where(Expr::col(Alias::new("kind")).eq("province"))
        .and_where(Expr::col(Alias::new("area_code")).eq(DEMO_PROVINCE))
        .limit(1);
    let exists = db.query_one(&existing).await?.is_some();
    if !exists {
        seed_units(db).await?;
    }
    ensure_codes(db).await
}

/// Dossier codes need an agency code (Circular 01/2018/TT-VPCP). The demo's one-stop units get
/// illustrative codes in the QCVN 102:2016 shape: `H48.01` for the province's centre,
/// `H48.50.NN` for the wards' counters. Runs on every start so older demo databases get them.
async fn ensure_codes<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let mut q = Query::select();
    q.columns([
        Alias::new("id"),
        Alias::new("parent_id"),
        Alias::new("code"),
    ])
    .from(Alias::new("agency"))
    .and_where(Expr::col(Alias::new("kind")).eq("one_stop"))
    .and_where(Expr::col(Alias::new("area_code")).eq(DEMO_PROVINCE))
    .order_by(Alias::new("id"), Order::Asc);
    let rows = db.query_all(&q).await?;
    let mut ward = 0;
    for (i, r) in rows.iter().enumerate() {
        let id: i32 = r.try_get("", "id")?;
        let code: Option<String> = r.try_get("", "code")?;
        let new = if i == 0 {
            format!("H{DEMO_PROVINCE}.01")
        } else {
            ward += 1;
            format!("H{DEMO_PROVINCE}.50.{ward:02}")
        };
        if code.is_none() {
            let mut u = Query::update();
            u.table(Alias::new("agency"))
                .value(Alias::new("code"), new)
                .and_where(Expr::col(Alias::new("id")).eq(id));
            db.execute(&u).await?;
        }
    }
    Ok(())
}

async fn seed_units<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let root = insert_agency(
        db,
        "Ủy ban nhân dân thành phố Đà Nẵng",
        "province",
        None,
        None,
    )
    .await?;
    insert_agency(
        db,
        "Trung tâm Phục vụ hành chính công thành phố Đà Nẵng",
        "one_stop",
        Some(root),
        Some("Bộ phận Một cửa cấp tỉnh (dữ liệu minh hoạ)"),
    )
    .await?;
    for dept in [
        "Sở Tư pháp",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Nông nghiệp và Môi trường",
        "Công an thành phố Đà Nẵng",
    ] {
        insert_agency(db, dept, "department", Some(root), None).await?;
    }
    let mut wards = Query::select();
    wards
        .column(Alias::new("full_name"))
        .from(Alias::new("admin_area"))
        .and_where(Expr::col(Alias::new("parent_code")).eq(DEMO_PROVINCE))
        .order_by(Alias::new("code"), Order::Asc)
        .limit(3);
    let wards = db.query_all(&wards).await?;
    for w in wards {
        let name: String = w.try_get("", "full_name")?;
        let id = insert_agency(
            db,
            &format!("Ủy ban nhân dân {name}"),
            "commune",
            Some(root),
            None,
        )
        .await?;
        insert_agency(
            db,
            &format!("Bộ phận Một cửa {name}"),
            "one_stop",
            Some(id),
            None,
        )
        .await?;
    }
    Ok(())
}

async fn insert_agency<C: ConnectionTrait>(
    db: &C,
    name: &str,
    kind: &str,
    parent: Option<i32>,
    address: Option<&str>,
) -> Result<i32, DbErr> {
    let mut stmt = Query::insert();
    stmt.into_table(Alias::new("agency"))
        .columns(["name", "kind", "parent_id", "area_code", "address"].map(Alias::new))
        .values_panic([
            name.into(),
            kind.into(),
            parent.into(),
            DEMO_PROVINCE.into(),
            address.map(str::to_owned).into(),
        ])
        .returning_col(Alias::new("id"));
    let row = db
        .query_one(&stmt)
        .await?
        .ok_or_else(|| DbErr::Custom("agency insert returned no id".into()))?;
    row.try_get("", "id")
}
