//! Audit log (P-10.3, S-1) on SQLite and PostgreSQL: records chain, concurrent appends keep one
//! chain, the database refuses edits, and an edit made around that refusal is detected.
mod common;

use std::sync::Arc;

use app::server::audit::{AuditLog, Entry, GENESIS};
use common::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryOrder};

fn entry(action: &str, n: usize) -> Entry {
    Entry {
        actor: Some(format!("user-{n}")),
        action: action.into(),
        object_type: Some("account".into()),
        object_id: Some(n.to_string()),
        ip: Some("127.0.0.1".into()),
        user_agent: Some("test".into()),
        detail: Some(serde_json::json!({ "n": n })),
    }
}

async fn run_checks(db: &TestDb) {
    let conn = server::connect_and_migrate(&db.url).await.expect("migrate");
    let log = Arc::new(AuditLog::default());

    for n in 0..3 {
        log.append(&conn, entry("login.success", n))
            .await
            .expect("append");
    }
    let rows = entity::audit_log::Entity::find()
        .order_by_asc(entity::audit_log::Column::Id)
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(rows[0].prev_hash, GENESIS);
    assert_eq!(rows[1].prev_hash, rows[0].hash);
    assert_eq!(rows[2].prev_hash, rows[1].hash);

    // Concurrent writers still produce one unbroken chain.
    let mut tasks = Vec::new();
    for n in 3..23 {
        let (log, conn) = (log.clone(), conn.clone());
        tasks.push(tokio::spawn(async move {
            log.append(&conn, entry("login.failure", n)).await
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("append");
    }
    let v = AuditLog::verify(&conn).await.unwrap();
    assert_eq!((v.records, v.first_broken), (23, None));

    // The database refuses to change history.
    let upd = conn
        .execute_unprepared("UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
        .await;
    assert!(upd.is_err(), "UPDATE must be refused");
    let del = conn
        .execute_unprepared("DELETE FROM audit_log WHERE id = 2")
        .await;
    assert!(del.is_err(), "DELETE must be refused");
    assert_eq!(
        entity::audit_log::Entity::find()
            .count(&conn)
            .await
            .unwrap(),
        23
    );

    // Someone with owner rights bypasses the refusal: verification points at the edited record.
    let bypass = match conn.get_database_backend() {
        DbBackend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        _ => "DROP TRIGGER audit_log_no_update",
    };
    conn.execute_unprepared(bypass).await.unwrap();
    let second = rows[1].id;
    conn.execute_unprepared(&format!(
        "UPDATE audit_log SET actor = 'mallory' WHERE id = {second}"
    ))
    .await
    .unwrap();
    let v = AuditLog::verify(&conn).await.unwrap();
    assert_eq!(v.first_broken, Some(second));
}

#[tokio::test]
async fn audit_log_on_sqlite() {
    let db = TestDb::sqlite();
    run_checks(&db).await;
    db.cleanup().await;
}

#[tokio::test]
async fn audit_log_on_postgres() {
    let db = TestDb::postgres().await;
    run_checks(&db).await;
    db.cleanup().await;
}
