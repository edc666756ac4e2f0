//! `make bench` part (B-m): outbox throughput and delivery latency against a local peer.
//!
//!   cargo run --release --example outbox_bench -- <database-url> [messages] [workers]
//!
//! Starts the SMS gateway simulator (`peer sms`, next to this example's directory), queues
//! `messages` texts in one transaction, then lets `workers` delivery loops (as several app
//! instances would run) drain the outbox with `app::server::outbox::run_once`. Prints messages
//! per second and the p50/p99 of queue-to-delivered time (measured here, per message, from the
//! moment the batch was committed) and of the HTTP call to the peer (from the integration log).
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

mod bench_common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    bench_common::run(bench())
}

/// The value at quantile `q`, 0 for no samples.
fn percentile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    bench_common::pct(v, q)
}

async fn bench() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let given = args.next().ok_or("database url")?;
    let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let workers: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(4);
    let peer_bin = std::env::current_exe()?
        .parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("peer"))
        .ok_or("peer path")?;
    let mut peer = Command::new(&peer_bin)
        .args(["sms", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", peer_bin.display()))?;
    let mut line = String::new();
    BufReader::new(peer.stdout.take().ok_or("peer stdout")?).read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or("peer address")?
        .to_owned();

    let bench = bench_common::Bench::start(&given).await?;
    let mut svc = bench.svc.clone();
    svc.integrations.sms = Some(Arc::new(app::server::sms::Sms::new(
        app::server::sms::SmsConfig {
            url: format!("http://{addr}/sms"),
            token: "sms-secret".into(),
            brandname: "UBND DA NANG".into(),
        },
    )?));
    let txn = svc.db.begin().await?;
    for i in 0..n {
        app::server::sms::enqueue(
            &svc,
            &txn,
            &format!("bench:{i}"),
            "0905123456",
            "BENCH",
            &format!("Ho so BENCH-{i} da duoc tiep nhan."),
        )
        .await?;
    }
    txn.commit().await?;
    let start = Instant::now();
    let done: Arc<Mutex<Vec<f64>>> = Arc::default();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (svc, done) = (svc.clone(), done.clone());
        tasks.push(tokio::task::spawn_local(async move {
            loop {
                match app::server::outbox::run_once(&svc, 20).await {
                    Ok(0) => break,
                    Ok(k) => {
                        let t = start.elapsed().as_secs_f64() * 1000.0;
                        if let Ok(mut d) = done.lock() {
                            d.extend(std::iter::repeat_n(t, k));
                        }
                    }
                    Err(e) => {
                        eprintln!("round failed: {e}");
                        break;
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let secs = start.elapsed().as_secs_f64();
    let delivered = entity::outbox_message::Entity::find()
        .filter(entity::outbox_message::Column::Status.eq(app::server::outbox::DELIVERED))
        .all(&svc.db)
        .await?
        .len();
    let mut calls: Vec<f64> = entity::integration_log::Entity::find()
        .filter(entity::integration_log::Column::System.eq("sms"))
        .all(&svc.db)
        .await?
        .into_iter()
        .map(|l| f64::from(l.duration_ms))
        .collect();
    let mut lat = done.lock().map(|d| d.clone()).unwrap_or_default();
    println!(
        "| {} | {n} | {workers} | {delivered} | {:.0} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
        bench.backend(),
        delivered as f64 / secs,
        percentile(&mut lat, 0.5),
        percentile(&mut lat, 0.99),
        percentile(&mut calls, 0.5),
        percentile(&mut calls, 0.99),
    );
    let _ = peer.kill();
    bench.finish().await?;
    Ok(())
}
