//! `make bench` part for the officer workspace (issue 5): a province's two years of dossiers in
//! the database, then the inbox, an action and a year's report measured through the service
//! layer (the code the pages and HTTP handlers call), on SQLite or PostgreSQL.
//!
//!   cargo run --release --example workspace_bench -- <database-url> [dossiers] [units]
//!
//! The generator spreads `dossiers` (default 1,000,000) over `units` one-stop units (default
//! 100, about a province's communes and departments) and 730 days: those filed in the last 20
//! days are still open (submitted, in process, awaiting supplement, processed), older ones were
//! returned, one in twelve late. One of the units is the demo ward whose counter officer the
//! inbox and actions are measured for; the report covers the last 365 days province-wide.
use std::time::Instant;

use app::domain::account::{AccountKind, Principal, Role, RoleGrant, Stage};
use app::domain::calendar::Day;
use app::domain::report::GroupBy;
use app::domain::workflow::{ActionKind, Scope};
use app::server::work;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

mod bench_common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    bench_common::run(bench())
}

const DAY: i64 = 86_400;

async fn bench() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let given = args.next().ok_or("database url")?;
    let total: usize = args
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let unit_count: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100);
    let bench = bench_common::Bench::start(&given).await?;
    let svc = &bench.svc;
    let db = &svc.db;

    // The demo ward's counter officer, and the units the dossiers are spread over.
    let officer = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("motcua1@demo.dichvucong.vn"))
        .one(db)
        .await?
        .ok_or("demo counter officer")?;
    let home = entity::role_assignment::Entity::find()
        .filter(entity::role_assignment::Column::UserId.eq(officer.id))
        .one(db)
        .await?
        .and_then(|r| r.agency_id)
        .ok_or("demo counter unit")?;
    let parent = entity::agency::Entity::find_by_id(home)
        .one(db)
        .await?
        .and_then(|a| a.parent_id);
    let mut units = vec![home];
    for i in 1..unit_count {
        let a = entity::agency::ActiveModel {
            id: NotSet,
            code: Set(None),
            name: Set(format!("Đơn vị thử tải {i}")),
            kind: Set("commune".into()),
            parent_id: Set(parent),
            area_code: Set(None),
            address: Set(None),
            hotline: Set(None),
        };
        units.push(
            entity::agency::Entity::insert(a)
                .exec(db)
                .await?
                .last_insert_id,
        );
    }
    // Procedures with a workflow, each with its version and workflow.
    let versions: Vec<(i32, i32, Option<i32>)> = entity::procedure_version::Entity::find()
        .select_only()
        .column(entity::procedure_version::Column::ProcedureId)
        .column(entity::procedure_version::Column::Id)
        .column(entity::procedure_version::Column::WorkflowId)
        .filter(entity::procedure_version::Column::WorkflowId.is_not_null())
        .limit(50)
        .into_tuple()
        .all(db)
        .await?;
    if versions.is_empty() {
        return Err("no procedure with a workflow".into());
    }

    let t = Instant::now();
    let now = app::server::auth::now();
    let today = Day::from_unix_vn(now);
    let cal = svc.calendar.get();
    let names = [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Minh Châu",
        "Phạm Quốc Dũng",
    ];
    const BATCH: usize = 500;
    let mut i = 0;
    while i < total {
        let txn = db.begin().await?;
        for _ in 0..40 {
            if i >= total {
                break;
            }
            let n = BATCH.min(total - i);
            let rows = (i..i + n).map(|k| {
                // Spread evenly over 730 days, newest last.
                let age = 730 - (k as i64 * 730 / total as i64);
                let submitted = now - age * DAY + (k as i64 % 28_800);
                let day = Day::from_unix_vn(submitted);
                let (procedure_id, version_id, workflow_id) = versions[k % versions.len()];
                let unit = units[k % units.len()];
                let due = cal.due_date(day, 5);
                let open = age <= 20;
                let (status, state) = if open {
                    match k % 4 {
                        0 => (1, "submitted"),
                        1 => (4, "processing"),
                        2 => (5, "supplement"),
                        _ => (9, "processed"),
                    }
                } else {
                    (10, "returned")
                };
                let late = k % 12 == 0;
                let finished = (!open).then(|| {
                    let end = if late { due.0 + 3 } else { due.0 - 1 };
                    i64::from(end) * DAY + 3 * 3600
                });
                entity::dossier::ActiveModel {
                    id: NotSet,
                    code: Set(Some(format!(
                        "BENCH-{}-{k:07}",
                        day.to_string().replace('-', "")
                    ))),
                    procedure_id: Set(procedure_id),
                    version_id: Set(version_id),
                    agency_id: Set(unit),
                    applicant_id: Set(None),
                    // Names cycle across units too, so every unit has every name.
                    applicant_name: Set(format!("{} {k}", names[(k / units.len()) % names.len()])),
                    applicant_phone: Set(Some(format!("09{:08}", k % 100_000_000))),
                    applicant_id_index: Set(None),
                    channel: Set(if k % 3 == 0 { "counter" } else { "online" }.into()),
                    status: Set(status),
                    form_data: Set("{}".into()),
                    schema_version: Set(1),
                    create_key: Set(None),
                    submit_key: Set(None),
                    revision: Set(1),
                    created_at: Set(submitted),
                    updated_at: Set(finished.unwrap_or(submitted)),
                    submitted_at: Set(Some(submitted)),
                    due_date: Set(Some(due.to_string())),
                    finished_at: Set(finished),
                    returned_at: Set(finished),
                    expires_at: Set(None),
                    reminded_at: Set(None),
                    supplement_request: Set(None),
                    workflow_id: Set(workflow_id),
                    state: Set(Some(state.into())),
                    back_state: Set(None),
                    unit_id: Set(Some(unit)),
                    assignee_id: Set(None),
                    step_started_at: Set(Some(submitted)),
                    step_due_at: Set((status != 10).then_some(submitted + 2 * DAY)),
                    paused_at: Set((status == 5).then_some(submitted + DAY)),
                    first_due_date: Set(Some(due.to_string())),
                    accepted_at: Set((status != 1).then_some(submitted + 3600)),
                    step_reminded_at: Set(None),
                    archived_at: Set(None),
                    archived_by: Set(None),
                    retain_until: Set(None),
                    fee_due: Set(None),
                }
            });
            entity::dossier::Entity::insert_many(rows)
                .exec(&txn)
                .await?;
            i += n;
        }
        txn.commit().await?;
    }
    let seeded = t.elapsed().as_secs_f64();
    let _ = today;

    let counter = Principal {
        user_id: officer.id,
        session_id: "bench".into(),
        kind: AccountKind::Officer,
        full_name: officer.full_name.clone(),
        email: officer.email.clone(),
        stage: Stage::Full,
        roles: vec![RoleGrant {
            role: Role::OneStopOfficer,
            agency_id: Some(home),
            agency_name: None,
        }],
    };
    let admin = Principal {
        roles: vec![RoleGrant {
            role: Role::SystemAdmin,
            agency_id: None,
            agency_name: None,
        }],
        ..counter.clone()
    };
    let backend = bench.backend();
    let timed = async |label: &str, runs: usize, p: &Principal, q: &str, scope: Scope| {
        let mut lat = Vec::with_capacity(runs);
        let mut listed = 0;
        for _ in 0..runs {
            let t = Instant::now();
            listed = work::inbox(svc, p, q, scope, 500)
                .await
                .map_err(|e| e.to_string())?
                .len();
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        lat.sort_by(|a, b| a.total_cmp(b));
        println!(
            "| {backend} | {label} | {listed} | {:.1} ms | {:.1} ms |",
            bench_common::pct(&lat, 0.5),
            bench_common::pct(&lat, 0.99)
        );
        Ok::<_, String>(())
    };
    println!(
        "{backend}: {total} dossiers over {} units seeded in {seeded:.0} s",
        units.len()
    );
    println!();
    println!("| database | inbox | rows listed | p50 | p99 |");
    println!("|---|---|---|---|---|");
    timed(
        "ward counter, open dossiers",
        200,
        &counter,
        "",
        Scope::Open,
    )
    .await?;
    timed(
        "ward counter, search by name",
        100,
        &counter,
        "Bình 4",
        Scope::Open,
    )
    .await?;
    timed("ward counter, all statuses", 50, &counter, "", Scope::All).await?;
    timed(
        "province (admin), open dossiers",
        20,
        &admin,
        "",
        Scope::Open,
    )
    .await?;

    // Accepting at the counter: 200 submitted dossiers of the ward, one after another.
    let waiting: Vec<(i32, i32)> = entity::dossier::Entity::find()
        .select_only()
        .column(entity::dossier::Column::Id)
        .column(entity::dossier::Column::Revision)
        .filter(entity::dossier::Column::UnitId.eq(home))
        .filter(entity::dossier::Column::Status.eq(1))
        .limit(200)
        .into_tuple()
        .all(db)
        .await?;
    let mut lat = Vec::new();
    for (id, revision) in &waiting {
        let t = Instant::now();
        work::act(
            svc,
            &counter,
            *id,
            ActionKind::Accept,
            work::ActInput {
                revision: Some(*revision),
                ..Default::default()
            },
            &Default::default(),
        )
        .await?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    println!();
    println!("| database | action | count | p50 | p99 |");
    println!("|---|---|---|---|---|");
    println!(
        "| {backend} | accept at the counter | {} | {:.1} ms | {:.1} ms |",
        lat.len(),
        bench_common::pct(&lat, 0.5),
        bench_common::pct(&lat, 0.99)
    );

    // A year's report for the whole province, by unit (B-d).
    let (from, to) = (Day(today.0 - 364), today);
    let t = Instant::now();
    let r = app::server::report::report(svc, &admin, from, to, GroupBy::Unit).await?;
    let took = t.elapsed().as_secs_f64();
    println!();
    println!("| database | report | rows | dossiers counted | time |");
    println!("|---|---|---|---|---|");
    println!(
        "| {backend} | {from} – {to}, by unit, province-wide | {} | {} | {took:.2} s |",
        r.rows.len(),
        r.total.received
    );
    // The supervisor dashboard over the whole province, and a month's tracking book of the ward.
    let t = Instant::now();
    let s = work::supervise(svc, &admin).await?;
    let took = t.elapsed().as_secs_f64();
    println!(
        "| {backend} | supervisor dashboard, province-wide | {} units | {} open | {took:.2} s |",
        s.units.len(),
        s.units.iter().map(|u| u.open).sum::<u32>()
    );
    let t = Instant::now();
    let book = app::server::report::tracking_book(svc, &counter, Day(today.0 - 30), today).await?;
    let took = t.elapsed().as_secs_f64();
    println!(
        "| {backend} | tracking book, ward, 31 days | {} lines | {} dossiers | {took:.2} s |",
        book.len() - 1,
        book.len() - 1
    );
    bench.finish().await
}
