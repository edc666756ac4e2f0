//! `make bench` part: dossier submissions and uploads measured through the service layer (the
//! code the HTTP handlers call), on SQLite or PostgreSQL.
//!
//!   cargo run --release --example dossier_bench -- <database-url> [drafts] [concurrency]
//!
//! Creates the demo data in a fresh database, prepares `drafts` complete drafts, submits them
//! with `concurrency` tasks at once and prints submissions per second with p50/p99 latency, then
//! the throughput of staging and storing a 20 MB upload.
use std::sync::Arc;
use std::time::Instant;

use app::domain::account::{AccountKind, Principal, Stage};
use app::server::dossier as ds;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const PROCEDURE: &str = "1.004222";

mod bench_common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    bench_common::run(bench())
}

async fn bench() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let given = args.next().ok_or("database url")?;
    let drafts: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(500);
    let conc: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(50);
    let bench = bench_common::Bench::start(&given).await?;
    let svc = bench.svc.clone();
    let user = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("congdan@demo.dichvucong.vn"))
        .one(&svc.db)
        .await?
        .ok_or("demo citizen")?;
    let p = Principal {
        user_id: user.id,
        session_id: "bench".into(),
        kind: AccountKind::Citizen,
        full_name: user.full_name.clone(),
        email: user.email.clone(),
        stage: Stage::Full,
        roles: vec![],
    };
    let proc = entity::procedure::Entity::find()
        .filter(entity::procedure::Column::Code.eq(PROCEDURE))
        .one(&svc.db)
        .await?
        .ok_or("procedure")?;
    let unit = ds::receiving_units(&svc, &proc).await?[0].id;
    let commune = entity::admin_area::Entity::find()
        .filter(entity::admin_area::Column::ParentCode.eq("48"))
        .one(&svc.db)
        .await?
        .ok_or("commune")?
        .code;
    let values: Vec<(String, String)> = [
        ("applicant_name", "Nguyễn Văn An"),
        ("applicant_birth", "1990-05-01"),
        ("applicant_gender", "nam"),
        ("applicant_id", "048199000123"),
        ("applicant_phone", "0905000123"),
        ("new_address.province", "48"),
        ("new_address.commune", commune.as_str()),
        ("new_address.street", "12 Lê Lợi"),
        ("basis", "so_huu"),
        ("declaration", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    // 20 MB upload: staged in 64 KB chunks (as multipart delivers them), hashed, stored.
    let first = ds::start(&svc, &p, PROCEDURE, unit, "bench-draft-00000000").await?;
    ds::save_form(&svc, &p, first, &values, 0).await?;
    let plan = ds::plan_upload(&svc, &p, first, "legal_home").await?;
    let mut body = b"%PDF-1.7\n".to_vec();
    body.resize(20 * 1024 * 1024 - 1024, b'x');
    let t = Instant::now();
    let mut staged = ds::stage(&svc, &plan).await?;
    for chunk in body.chunks(64 * 1024) {
        staged.write(chunk).await.map_err(|e| format!("{e:?}"))?;
    }
    let done = staged.finish().await.map_err(|e| format!("{e:?}"))?;
    ds::attach(&svc, &p, first, "legal_home", "so-do.pdf", done, true).await?;
    let upload = t.elapsed();
    let item = entity::data_store_item::Entity::find()
        .one(&svc.db)
        .await?
        .ok_or("store item")?;

    let mut ids = vec![first];
    for i in 1..drafts {
        let id = ds::start(&svc, &p, PROCEDURE, unit, &format!("bench-draft-{i:08}")).await?;
        ds::save_form(&svc, &p, id, &values, 0).await?;
        ds::attach_from_store(&svc, &p, id, "legal_home", item.id).await?;
        ids.push(id);
    }
    let queue = Arc::new(tokio::sync::Mutex::new(ids));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..conc {
        let (svc, p, queue) = (svc.clone(), p.clone(), queue.clone());
        tasks.spawn(async move {
            let mut lat = Vec::new();
            loop {
                let Some(id) = queue.lock().await.pop() else {
                    break;
                };
                let t = Instant::now();
                ds::submit(&svc, &p, id, "bench", &Default::default())
                    .await
                    .map_err(|e| e.to_string())?;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, String>(lat)
        });
    }
    let mut lat = Vec::new();
    while let Some(r) = tasks.join_next().await {
        lat.extend(r??);
    }
    let total = started.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |q| bench_common::pct(&lat, q);
    let backend = bench.backend();
    println!(
        "| {backend} | {} | {conc} | {:.0} | {:.1} ms | {:.1} ms | {:.0} MB/s |",
        lat.len(),
        lat.len() as f64 / total,
        pct(0.5),
        pct(0.99),
        20.0 / upload.as_secs_f64()
    );
    drop(svc);
    bench.finish().await
}
