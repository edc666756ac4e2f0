//! `make bench` part (P-4): the time to sign a result PDF as PAdES with a PKCS#12 key and to
//! verify it, as the attach-result step and the verify page do.
//!
//!   cargo run --release --example sign_bench -- <work-dir> [rounds]
//!
//! Makes a test CA and an RSA-2048 agency certificate with the `openssl` command in
//! `work-dir`, builds one-page and twenty-page PDFs with the app's PDF writer, then signs and
//! verifies each `rounds` times and prints a Markdown table (p50, p99).
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use app::server::sign::{self, KeyPair, SignInfo};

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn pdf(pages: usize) -> Result<Vec<u8>, String> {
    let mut d = app::server::pdf::Doc::new("Kết quả giải quyết thủ tục hành chính")?;
    for p in 0..pages {
        if p > 0 {
            d.new_page();
        }
        for i in 0..30 {
            d.field(
                "Nội dung",
                &format!("Trang {} dòng {i}: giấy chứng nhận đăng ký hộ tịch.", p + 1),
                10.0,
            )?;
        }
    }
    d.finish()
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().ok_or("work dir")?);
    let rounds: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100);
    std::fs::create_dir_all(&dir)?;
    openssl(
        &dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Bench Root",
        ],
    )?;
    openssl(
        &dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "a.key",
            "-out",
            "a.csr",
            "-subj",
            "/CN=Bench Agency",
        ],
    )?;
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "a.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "a.pem",
            "-days",
            "30",
        ],
    )?;
    openssl(
        &dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            "a.key",
            "-in",
            "a.pem",
            "-certfile",
            "ca.pem",
            "-passout",
            "pass:bench",
            "-out",
            "a.p12",
        ],
    )?;
    let key = KeyPair::from_pkcs12(&std::fs::read(dir.join("a.p12"))?, "bench")?;
    let roots = sign::roots_from_pem(&std::fs::read(dir.join("ca.pem"))?);
    println!();
    println!("| document | size | sign p50 | sign p99 | verify p50 | verify p99 |");
    println!("|---|---|---|---|---|---|");
    for pages in [1usize, 20] {
        let doc = pdf(pages)?;
        let (mut s, mut v) = (Vec::new(), Vec::new());
        let mut signed = Vec::new();
        for _ in 0..rounds {
            let info = SignInfo {
                name: "Cán bộ một cửa".into(),
                reason: "Kết quả giải quyết hồ sơ".into(),
                location: "Đà Nẵng".into(),
                time: app::server::auth::now(),
            };
            let t = Instant::now();
            signed = sign::sign_pdf(&doc, &key, &info).map_err(|e| e.to_string())?;
            s.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let r = sign::verify_pdf(&signed, &roots, app::server::auth::now());
            v.push(t.elapsed().as_secs_f64() * 1000.0);
            if r.len() != 1 || !r[0].valid() {
                return Err(format!("verification failed: {r:?}").into());
            }
        }
        println!(
            "| {pages} page(s) | {} KB signed | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
            signed.len() / 1024,
            percentile(&mut s, 0.5),
            percentile(&mut s, 0.99),
            percentile(&mut v, 0.5),
            percentile(&mut v, 0.99),
        );
    }
    Ok(())
}
