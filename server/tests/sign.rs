//! P-4 e-signature against a local test CA made with the `openssl` command: PAdES signatures
//! from a PKCS#12 key (RSA and ECDSA P-256), checked by our verifier and independently by
//! `openssl cms -verify`; tampering, later additions and untrusted roots reported; results
//! signed when an officer attaches them; the public verify page; applicants signing their own
//! PDFs through a remote-signing CA (`peer remotesign`).
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use app::server::sign::{self, KeyPair, SignInfo};
use common::{location, Client, Peer, TestDb};

fn unique() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
        .unwrap_or(0)
}

fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A root CA, an agency certificate (RSA) and an ECDSA one it issued, each in a PKCS#12 file;
/// and an unrelated root.
fn pki() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portal-sign-{:08x}", unique()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ca = [
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ];
    let mut root = vec![
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
        "3650",
        "-utf8",
        "-subj",
        "/CN=Test Root CA/O=Portal Tests",
    ];
    root.extend(ca);
    openssl(&dir, &root);
    for (name, key) in [
        ("agency", vec!["-newkey", "rsa:2048"]),
        (
            "ec",
            vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ),
    ] {
        let subject = if name == "agency" {
            "/CN=UBND Phường Hải Châu/O=Thành phố Đà Nẵng"
        } else {
            "/CN=Chuyên viên Thử Nghiệm/O=Thành phố Đà Nẵng"
        };
        let mut req = vec!["req"];
        req.extend(key);
        let (k, csr, pem, p12) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.p12"),
        );
        req.extend([
            "-nodes", "-keyout", &k, "-out", &csr, "-utf8", "-subj", subject,
        ]);
        openssl(&dir, &req);
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "365",
            ],
        );
        openssl(
            &dir,
            &[
                "pkcs12",
                "-export",
                "-inkey",
                &k,
                "-in",
                &pem,
                "-certfile",
                "ca.pem",
                "-passout",
                "pass:mat khau p12",
                "-out",
                &p12,
            ],
        );
    }
    let mut other = vec![
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other.pem",
        "-days",
        "30",
        "-subj",
        "/CN=Other Root",
    ];
    other.extend(ca);
    openssl(&dir, &other);
    dir
}

fn key(dir: &Path, name: &str) -> KeyPair {
    let data = std::fs::read(dir.join(format!("{name}.p12"))).expect("p12");
    KeyPair::from_pkcs12(&data, "mat khau p12").expect("key opens")
}

fn roots(dir: &Path, name: &str) -> Vec<Vec<u8>> {
    sign::roots_from_pem(&std::fs::read(dir.join(name)).expect("pem"))
}

/// A real PDF from the app's own writer.
fn document(text: &str) -> Vec<u8> {
    let mut d = app::server::pdf::Doc::new("Giấy chứng nhận").expect("doc");
    d.field("Nội dung", text, 11.0).expect("field");
    d.finish().expect("pdf")
}

fn info(name: &str) -> SignInfo {
    SignInfo {
        name: name.into(),
        reason: "Kết quả giải quyết hồ sơ".into(),
        location: "Đà Nẵng".into(),
        time: app::server::auth::now(),
    }
}

/// The byte range and CMS blob of the `n`th signature, written out for openssl.
fn extract(dir: &Path, pdf: &[u8], n: usize) -> (PathBuf, PathBuf) {
    let at = pdf
        .windows(10)
        .enumerate()
        .filter(|(_, w)| *w == b"/ByteRange")
        .nth(n)
        .expect("signature")
        .0;
    let rest = std::str::from_utf8(&pdf[at + 10..at + 60]).expect("ascii");
    let nums: Vec<usize> = rest[rest.find('[').expect("[") + 1..rest.find(']').expect("]")]
        .split_whitespace()
        .map(|x| x.parse().expect("number"))
        .collect();
    let mut signed = pdf[..nums[1]].to_vec();
    signed.extend_from_slice(&pdf[nums[2]..nums[2] + nums[3]]);
    let hex = std::str::from_utf8(&pdf[nums[1] + 1..nums[2] - 1]).expect("hex");
    let mut der: Vec<u8> = (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex digit"))
        .collect();
    // The hole is padded with zeros after the DER: cut at the outer length.
    let len = match der[1] {
        l if l < 0x80 => 2 + l as usize,
        l => {
            let n = (l & 0x7f) as usize;
            2 + n
                + der[2..2 + n]
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | *b as usize)
        }
    };
    der.truncate(len);
    let (data, sig) = (
        dir.join(format!("data{n}.bin")),
        dir.join(format!("sig{n}.der")),
    );
    std::fs::write(&data, signed).expect("write");
    std::fs::write(&sig, der).expect("write");
    (data, sig)
}

/// `openssl cms -verify` on the `n`th signature: an independent check of the CMS, its
/// digest over the byte range and the chain to `ca.pem`.
fn openssl_accepts(dir: &Path, pdf: &[u8], n: usize) -> bool {
    let (data, sig) = extract(dir, pdf, n);
    Command::new("openssl")
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-in",
        ])
        .arg(&sig)
        .arg("-content")
        .arg(&data)
        .args(["-CAfile", "ca.pem", "-out", "/dev/null"])
        .current_dir(dir)
        .output()
        .expect("openssl runs")
        .status
        .success()
}

#[test]
fn pades_signatures_verify_and_tampering_shows() {
    let dir = pki();
    let trusted = roots(&dir, "ca.pem");
    let now = app::server::auth::now();
    let original = document("Đăng ký khai sinh cho Nguyễn Văn An");
    let agency = key(&dir, "agency");
    assert!(
        agency.subject.contains("UBND Phường Hải Châu"),
        "{}",
        agency.subject
    );

    // Signed: the original bytes are untouched (an incremental update), lopdf still reads it.
    let signed = sign::sign_pdf(&original, &agency, &info("Trần Văn Ký")).expect("signed");
    assert!(signed.starts_with(&original));
    let r = sign::verify_pdf(&signed, &trusted, now);
    assert_eq!(r.len(), 1);
    assert!(r[0].valid() && r[0].covers_whole_file, "{r:?}");
    assert_eq!(r[0].signer, "UBND Phường Hải Châu");
    assert_eq!(r[0].organisation.as_deref(), Some("Thành phố Đà Nẵng"));
    assert_eq!(r[0].issuer, "Test Root CA");
    assert_eq!(r[0].reason.as_deref(), Some("Kết quả giải quyết hồ sơ"));
    assert!(r[0].signed_at.is_some());
    assert!(
        openssl_accepts(&dir, &signed, 0),
        "openssl verifies the CMS"
    );

    // A second signature (ECDSA) on top: both verify; the first no longer covers the file.
    let twice = sign::sign_pdf(&signed, &key(&dir, "ec"), &info("Chuyên viên")).expect("twice");
    let r = sign::verify_pdf(&twice, &trusted, now);
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|s| s.valid()), "{r:?}");
    assert!(!r[0].covers_whole_file && r[1].covers_whole_file, "{r:?}");
    assert!(openssl_accepts(&dir, &twice, 0) && openssl_accepts(&dir, &twice, 1));

    // One byte changed inside the signed range: not intact, and openssl agrees.
    let mut tampered = signed.clone();
    let at = tampered
        .windows(4)
        .position(|w| w == b"/Tit")
        .expect("a byte to change");
    tampered[at + 1] = b'X';
    let r = sign::verify_pdf(&tampered, &trusted, now);
    assert!(!r[0].intact && !r[0].valid(), "{r:?}");
    assert!(!openssl_accepts(&dir, &tampered, 0));

    // Bytes added after signing: the signature holds but no longer covers the file.
    let mut appended = signed.clone();
    appended.extend_from_slice(b"9 0 obj\n(added later)\nendobj\n");
    let r = sign::verify_pdf(&appended, &trusted, now);
    assert!(r[0].intact && !r[0].covers_whole_file, "{r:?}");

    // Another root: intact but not trusted.
    let r = sign::verify_pdf(&signed, &roots(&dir, "other.pem"), now);
    assert!(r[0].intact && !r[0].trusted, "{r:?}");

    // Crafted byte ranges (reversed, past the end, not around a hex string) are reported, not
    // a crash; a file naming thousands of signatures is checked for the first sixteen only.
    for range in ["[0 50 10 5]", "[0 10 999999 5]", "[0 5 9 0]", "[0 -1 2 3]"] {
        let crafted =
            format!("%PDF-1.4\n1 0 obj<</Type/Sig/ByteRange {range}/Contents <00>>>endobj\n");
        for r in sign::verify_pdf(crafted.as_bytes(), &trusted, now) {
            assert!(!r.valid() && r.problem.is_some(), "{range}: {r:?}");
        }
    }
    let many = "/ByteRange [0 1 2 3] ".repeat(5000);
    assert_eq!(sign::verify_pdf(many.as_bytes(), &trusted, now).len(), 16);

    // No signature, and not a PDF.
    assert!(sign::verify_pdf(&original, &trusted, now).is_empty());
    assert!(sign::sign_pdf(b"%PDF-1.4\nnot really", &agency, &info("x")).is_err());
    // A wrong password or a file that is not PKCS#12 does not open.
    let p12 = std::fs::read(dir.join("agency.p12")).expect("p12");
    assert!(KeyPair::from_pkcs12(&p12, "sai mat khau").is_err());
    assert!(KeyPair::from_pkcs12(b"not a key", "").is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

async fn run(db: TestDb) {
    let dir = pki();
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    let files = dir.join("files");
    s.files_dir = files.display().to_string();
    s.sign.p12 = Some(dir.join("agency.p12").display().to_string());
    s.sign.p12_password = "mat khau p12".into();
    s.sign.trust_roots = Some(dir.join("ca.pem").display().to_string());
    let (addr, mut svc) = common::start_app(s).await;
    svc.integrations.signer = Some(Arc::new(key(&dir, "agency")));
    svc.integrations.trust_roots = Arc::new(roots(&dir, "ca.pem"));
    let svc = &svc;
    let meta = app::server::auth::RequestMeta::default();
    let unit = common::one_stop(svc).await;
    let staff = common::staff(svc, unit, "sign").await;
    let code = format!("SIGN-{:06}", unique() % 1_000_000);
    let id = common::filed(svc, "mot-cua", unit, code.clone(), None).await;
    {
        use app::domain::workflow::ActionKind as A;
        use app::server::work::{act, ActInput};
        act(
            svc,
            &staff.counter,
            id,
            A::Accept,
            ActInput::default(),
            &meta,
        )
        .await
        .expect("accepted");
    }
    let plan = app::server::dossier::plan_result(svc, &staff.counter, id)
        .await
        .expect("plan");
    let (plan, counter) = (&plan, &staff.counter);
    let attach = |bytes: Vec<u8>| async move {
        let mut st = app::server::dossier::stage(svc, plan).await.expect("stage");
        st.write(&bytes).await.expect("write");
        let done = st.finish().await.expect("finish");
        app::server::dossier::attach_result(svc, counter, id, "ket-qua.pdf", done).await
    };
    // A PDF that cannot be read is refused with a clear message, and nothing is attached.
    let e = attach(b"%PDF-1.4\nbroken".to_vec())
        .await
        .expect_err("unreadable");
    assert!(format!("{e:?}").contains("Không ký được"), "{e:?}");
    let results = || {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::dossier_file::Entity::find()
            .filter(entity::dossier_file::Column::DossierId.eq(id))
            .filter(entity::dossier_file::Column::Kind.eq("result"))
            .all(&svc.db)
    };
    assert!(results().await.expect("q").is_empty());

    // The officer's result is stored signed with the agency's key, named for the officer.
    attach(document(&format!("Kết quả hồ sơ {code}")))
        .await
        .expect("attached");
    let rows = results().await.expect("q");
    assert_eq!(rows.len(), 1);
    let stored = svc.storage.read(&rows[0].sha256).await.expect("blob");
    assert_eq!(stored.len() as i64, rows[0].size);
    let r = sign::verify_pdf(
        &stored,
        &svc.integrations.trust_roots,
        app::server::auth::now(),
    );
    assert_eq!(r.len(), 1);
    assert!(r[0].valid() && r[0].covers_whole_file, "{r:?}");
    assert_eq!(
        r[0].reason.as_deref(),
        Some(format!("Kết quả giải quyết hồ sơ {code}").as_str())
    );

    // The public verify page: valid, tampered, unsigned, not a PDF, no token.
    let mut b = Client::new(addr);
    let page = b.get("/xac-thuc-van-ban").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Xác thực văn bản điện tử"));
    let r = b
        .post_file("/xac-thuc-van-ban", &[], "ket-qua.pdf", &stored)
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body
            .contains("Chữ ký số hợp lệ: văn bản không bị thay đổi sau khi ký."),
        "{}",
        r.body
    );
    assert!(r.body.contains("UBND Phường Hải Châu"));
    let mut tampered = stored.clone();
    let at = tampered
        .windows(4)
        .position(|w| w == b"/Tit")
        .expect("a byte to change");
    tampered[at + 1] = b'X';
    let r = b
        .post_file("/xac-thuc-van-ban", &[], "sua.pdf", &tampered)
        .await;
    assert!(r.body.contains("Chữ ký số KHÔNG hợp lệ"), "{}", r.body);
    let r = b
        .post_file("/xac-thuc-van-ban", &[], "goc.pdf", &document("chưa ký"))
        .await;
    assert!(r.body.contains("Tệp này không có chữ ký số."));
    let r = b
        .post_file("/xac-thuc-van-ban", &[], "anh.png", b"\x89PNG\r\n\x1a\nxx")
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Tệp này không phải PDF"));
    let r = common::request(
        addr,
        "POST",
        "/xac-thuc-van-ban",
        &[("Content-Type", "multipart/form-data; boundary=x")],
        b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--x--\r\n",
    )
    .await;
    assert_eq!(r.status, 403, "a post from no page of ours is not checked");
    assert!(!r.body.contains("verify-result"));
    // From the page but without its form token: the form asks to be sent again.
    let r = b
        .post_file("/xac-thuc-van-ban", &[("_csrf", "sai")], "a.pdf", &stored)
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Phiên biểu mẫu đã hết hạn"));
    assert!(!r.body.contains("verify-result"));
    let _ = std::fs::remove_dir_all(&dir);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_postgres() {
    run(TestDb::postgres().await).await;
}

/// The citizen ID of the demo citizen, whose personal certificate the remote CA holds.
const CITIZEN_ID: &str = "048199000123";
/// The tax code under which the CA holds the agency's organisation certificate.
const AGENCY_TAX_CODE: &str = "0401234567";

/// P-4, applicants signing "the same way": the demo citizen signs the PDF in a draft through
/// the remote-signing CA simulator, confirming "on the phone" through the peer's controls.
async fn run_remote(db: TestDb) {
    use entity::{dossier_file, integration_log, remote_signature};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
    let dir = pki();
    let signers = dir.join("signers");
    std::fs::create_dir_all(&signers).expect("dir");
    let (key, crt) = (
        format!("signers/{CITIZEN_ID}.key.pem"),
        format!("signers/{CITIZEN_ID}.crt.pem"),
    );
    openssl(
        &dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            "citizen.csr",
            "-utf8",
            "-subj",
            "/CN=Nguyễn Văn An/serialNumber=CCCD:048199000123",
        ],
    );
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "citizen.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            "365",
        ],
    );
    std::fs::copy(dir.join("ca.pem"), signers.join("ca.pem")).expect("copy");
    // The agency's organisation certificate, held by the CA under its tax code.
    std::fs::copy(
        dir.join("agency.key"),
        signers.join(format!("{AGENCY_TAX_CODE}.key.pem")),
    )
    .expect("copy");
    std::fs::copy(
        dir.join("agency.pem"),
        signers.join(format!("{AGENCY_TAX_CODE}.crt.pem")),
    )
    .expect("copy");
    let users = signers.display().to_string();
    let ca = Peer::start_env("remotesign", &[("PEER_SIGN_USERS", &users)]).await;
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.files_dir = dir.join("files").display().to_string();
    s.sign.trust_roots = Some(dir.join("ca.pem").display().to_string());
    let cfg = app::server::remotesign::RemoteSignConfig {
        url: format!("http://{}/sca/sp769", ca.addr),
        sp_id: "portal-sp".into(),
        sp_password: "sp-secret".into(),
        label: "SmartCA".into(),
        agency_id: Some(AGENCY_TAX_CODE.into()),
    };
    s.remote_sign = Some(cfg.clone());
    let (addr, mut svc) = common::start_app(s).await;
    svc.integrations.remote_sign = Some(Arc::new(
        app::server::remotesign::RemoteSign::new(cfg).expect("adapter"),
    ));
    let svc = &svc;
    let commune = svc
        .communes("48")
        .await
        .expect("communes")
        .first()
        .cloned()
        .expect("a commune")
        .0;
    let mut c = Client::new(addr);
    c.get("/dang-nhap").await;
    let r = c
        .post(
            "/dang-nhap",
            &[
                ("email", "congdan@demo.dichvucong.vn"),
                ("password", server::DEMO_CITIZEN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let original = document("Tờ khai của Nguyễn Văn An");
    let id = common::ready_draft_with(&mut c, &commune, &original).await;
    let docs = format!("/ho-so/{id}/giay-to");
    let current = || async {
        dossier_file::Entity::find()
            .filter(dossier_file::Column::DossierId.eq(id))
            .filter(dossier_file::Column::SupersededAt.is_null())
            .all(&svc.db)
            .await
            .expect("q")
    };
    let first = current().await.pop().expect("the uploaded PDF");
    let fid = first.id.to_string();

    // The page offers signing, names the CA, and says how it works.
    let page = c.get(&docs).await;
    assert!(page.body.contains("id=\"f-sign\""), "{}", page.body);
    assert!(page.body.contains("SmartCA"));
    assert!(page.body.contains("value=\"sign\""));

    // "Ký số": the request reaches the CA for the citizen's ID; the page says to confirm.
    let r = c
        .post(&docs, &[("file_id", &fid), ("action", "sign")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(location(&r).ends_with("ok=sign_sent"));
    let page = c.get(&location(&r)).await;
    assert!(page.body.contains("Đã gửi yêu cầu ký số"));
    assert!(page
        .body
        .contains("Đang chờ bạn xác nhận trên ứng dụng ký số."));
    assert!(page.body.contains("value=\"sign_check\""));
    let st = ca.state().await;
    assert_eq!(st["transactions"].as_array().map(Vec::len), Some(1), "{st}");
    assert_eq!(st["transactions"][0]["user"], CITIZEN_ID);
    assert_eq!(st["transactions"][0]["state"], "waiting");
    // Pressing again while the phone has not answered asks nothing new.
    let r = c
        .post(&docs, &[("file_id", &fid), ("action", "sign")])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        ca.state().await["transactions"].as_array().map(Vec::len),
        Some(1)
    );
    // Checking before the signer confirmed: still waiting, nothing changed.
    let r = c
        .post(&docs, &[("file_id", &fid), ("action", "sign_check")])
        .await;
    assert!(location(&r).ends_with("ok=sign_waiting"), "{}", r.body);
    assert_eq!(current().await, vec![first.clone()]);

    // The signer confirms on the phone: the dossier holds the signed copy.
    ca.control("/_peer/confirm/latest").await;
    let r = c
        .post(&docs, &[("file_id", &fid), ("action", "sign_check")])
        .await;
    assert!(location(&r).ends_with("ok=signed"), "{}", r.body);
    let page = c.get(&location(&r)).await;
    assert!(
        page.body.contains("Đã ký số: Nguyễn Văn An"),
        "{}",
        page.body
    );
    let now_files = current().await;
    assert_eq!(now_files.len(), 1);
    let signed_row = now_files[0].clone();
    assert_ne!(signed_row.sha256, first.sha256);
    assert_eq!(
        (signed_row.slot.as_str(), signed_row.file_name.as_str()),
        (first.slot.as_str(), first.file_name.as_str())
    );
    let signed = svc.storage.read(&signed_row.sha256).await.expect("blob");
    assert!(signed.starts_with(&original), "an incremental update");
    let r = sign::verify_pdf(&signed, &roots(&dir, "ca.pem"), app::server::auth::now());
    assert_eq!(r.len(), 1);
    assert!(r[0].valid() && r[0].covers_whole_file, "{r:?}");
    assert_eq!(r[0].signer, "Nguyễn Văn An");
    assert!(r[0]
        .reason
        .as_deref()
        .is_some_and(|x| x.starts_with("Người nộp ký giấy tờ")));
    assert!(openssl_accepts(&dir, &signed, 0), "openssl verifies it");
    // A draft's unsigned original is not kept; the download is the signed copy.
    assert!(!svc.storage.exists(&first.sha256).await);
    let got = c.get(&format!("/ho-so/{id}/tep/{}", signed_row.id)).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        got.header("content-length"),
        Some(signed.len().to_string().as_str())
    );
    assert!(got.body.contains("/SubFilter/ETSI.CAdES.detached"));
    let req = remote_signature::Entity::find()
        .filter(remote_signature::Column::DossierId.eq(id))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("the request");
    assert_eq!(req.state, "signed");
    assert_eq!(req.signed_file_id, Some(signed_row.id));
    // The public verify page agrees.
    let mut b = Client::new(addr);
    b.get("/xac-thuc-van-ban").await;
    let v = b
        .post_file("/xac-thuc-van-ban", &[], "to-khai.pdf", &signed)
        .await;
    assert!(v.body.contains("Chữ ký số hợp lệ"), "{}", v.body);
    assert!(v.body.contains("Nguyễn Văn An"));

    // Refused on the phone, or a CA answering with a signature that does not match: a clear
    // message, and the file stays as it was.
    let fid = signed_row.id.to_string();
    for (control, message, state) in [
        ("reject", "không được xác nhận", "refused"),
        ("forge", "không khớp với chứng thư số", "failed"),
    ] {
        let r = c
            .post(&docs, &[("file_id", &fid), ("action", "sign")])
            .await;
        assert!(location(&r).ends_with("ok=sign_sent"), "{}", r.body);
        ca.control(&format!("/_peer/{control}/latest")).await;
        let r = c
            .post(&docs, &[("file_id", &fid), ("action", "sign_check")])
            .await;
        assert_eq!(r.status, 422, "{control}");
        assert!(r.body.contains(message), "{control}: {}", r.body);
        assert_eq!(current().await, vec![signed_row.clone()], "{control}");
        let last = remote_signature::Entity::find()
            .filter(remote_signature::Column::DossierId.eq(id))
            .order_by_desc(remote_signature::Column::Id)
            .one(&svc.db)
            .await
            .expect("q")
            .expect("row");
        assert_eq!(last.state, state);
    }
    // The CA unreachable: asked to try later, nothing recorded.
    let before = remote_signature::Entity::find()
        .count(&svc.db)
        .await
        .expect("q");
    ca.control("/_peer/fail/1").await;
    let r = c
        .post(&docs, &[("file_id", &fid), ("action", "sign")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Dịch vụ ký số từ xa đang không trả lời"));
    assert_eq!(
        remote_signature::Entity::find()
            .count(&svc.db)
            .await
            .expect("q"),
        before
    );
    // Not a file of this dossier, or a check with nothing waiting: refused, nothing changes.
    let r = c
        .post(&docs, &[("file_id", "999999"), ("action", "sign")])
        .await;
    assert_eq!(r.status, 404);
    let r = c
        .post(&docs, &[("file_id", &fid), ("action", "sign_check")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Không có yêu cầu ký số nào đang chờ"));
    // In English too.
    let mut en = Client::new(addr);
    en.cookies = c.cookies.clone();
    en.get("/ngon-ngu?lang=en&next=/").await;
    let docs_en = en.get(&docs).await;
    assert!(docs_en.body.contains("You can sign your PDF files"));
    let r = en
        .post(&docs, &[("file_id", &fid), ("action", "sign_check")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r
        .body
        .contains("No signing request is waiting for this file."));
    // Someone not signed in as its applicant cannot sign this dossier's file.
    let mut other = Client::new(addr);
    other.get("/dang-nhap").await;
    let r = other
        .post(&docs, &[("file_id", &fid), ("action", "sign")])
        .await;
    assert!(!location(&r).contains("ok="), "{}", r.status);
    assert_eq!(current().await, vec![signed_row.clone()]);

    // The agency signs a result through the CA too (no PKCS#12 key here). It is filed, and the
    // dossier moves on, only once the agency's signer confirms; a refusal files nothing.
    {
        use app::domain::workflow::ActionKind as A;
        use app::server::dossier::{self as ds, Attached};
        use app::server::remotesign::{check_result, Checked};
        use app::server::work::{act, ActInput};
        let meta = app::server::auth::RequestMeta::default();
        let unit = common::one_stop(svc).await;
        let staff = common::staff(svc, unit, "rsign").await;
        let counter = &staff.counter;
        let results = |rid: i32| async move {
            dossier_file::Entity::find()
                .filter(dossier_file::Column::DossierId.eq(rid))
                .filter(dossier_file::Column::Kind.eq("result"))
                .all(&svc.db)
                .await
                .expect("q")
        };
        let waiting_source = |rid: i32| async move {
            app::server::remotesign::result_waiting(svc, rid)
                .await
                .expect("q")
                .and_then(|r| r.source_sha)
        };
        let mut filed = Vec::new();
        for n in 0..3 {
            let code = format!("RSIGN{n}-{:06}", unique() % 1_000_000);
            let rid = common::filed(svc, "mot-cua", unit, code, None).await;
            act(svc, counter, rid, A::Accept, ActInput::default(), &meta)
                .await
                .expect("accepted");
            let plan = ds::plan_result(svc, counter, rid).await.expect("plan");
            let mut st = ds::stage(svc, &plan).await.expect("stage");
            st.write(&document(&format!("Giấy xác nhận cư trú số {n}")))
                .await
                .expect("write");
            let done = st.finish().await.expect("finish");
            let got = ds::attach_result(svc, counter, rid, "ket-qua.pdf", done)
                .await
                .expect("sent to be signed");
            assert_eq!(got, Attached::AwaitingSignature);
            assert!(results(rid).await.is_empty(), "nothing filed yet");
            let view = app::server::work::work_view(svc, counter, rid)
                .await
                .expect("view");
            assert_eq!(view.result_signing.as_deref(), Some("ket-qua.pdf"));
            assert_eq!(
                check_result(svc, counter, rid).await.expect("checked"),
                Checked::Waiting
            );
            filed.push(rid);
        }
        // Confirmed: the signed result is filed with the step, as a locally signed one.
        let source = waiting_source(filed[0]).await.expect("unsigned copy kept");
        assert!(svc.storage.exists(&source).await);
        let st = ca.state().await;
        let tx = st["transactions"]
            .as_array()
            .and_then(|t| {
                t.iter()
                    .find(|t| t["user"] == AGENCY_TAX_CODE && t["state"] == "waiting")
            })
            .and_then(|t| t["id"].as_str())
            .expect("the first result's transaction")
            .to_owned();
        ca.control(&format!("/_peer/confirm/{tx}")).await;
        assert_eq!(
            check_result(svc, counter, filed[0]).await.expect("checked"),
            Checked::Signed
        );
        let rows = results(filed[0]).await;
        assert_eq!(rows.len(), 1);
        let bytes = svc.storage.read(&rows[0].sha256).await.expect("blob");
        let r = sign::verify_pdf(&bytes, &roots(&dir, "ca.pem"), app::server::auth::now());
        assert!(r.len() == 1 && r[0].valid(), "{r:?}");
        assert_eq!(r[0].signer, "UBND Phường Hải Châu");
        assert!(
            openssl_accepts(&dir, &bytes, 0),
            "openssl verifies the result"
        );
        let steps = entity::dossier_event::Entity::find()
            .filter(entity::dossier_event::Column::DossierId.eq(filed[0]))
            .filter(entity::dossier_event::Column::Action.eq(A::AttachResult.as_str()))
            .count(&svc.db)
            .await
            .expect("q");
        assert_eq!(steps, 1);
        assert!(
            !svc.storage.exists(&source).await,
            "the unsigned copy is gone"
        );
        let view = app::server::work::work_view(svc, counter, filed[0])
            .await
            .expect("view");
        assert_eq!(view.result_signing, None);
        // Refused on the signer's phone: a clear message, nothing filed, the unsigned copy
        // gone, and the upload form offered again.
        let source = waiting_source(filed[1]).await.expect("unsigned copy kept");
        let st = ca.state().await;
        let tx = st["transactions"]
            .as_array()
            .and_then(|t| {
                t.iter().find(|t| {
                    t["doc_id"]
                        .as_str()
                        .is_some_and(|d| d.starts_with(&format!("KQ{}-", filed[1])))
                })
            })
            .and_then(|t| t["id"].as_str())
            .expect("the second result's transaction")
            .to_owned();
        ca.control(&format!("/_peer/reject/{tx}")).await;
        let e = check_result(svc, counter, filed[1])
            .await
            .expect_err("refused");
        assert!(format!("{e:?}").contains("không được xác nhận"), "{e:?}");
        assert!(results(filed[1]).await.is_empty());
        assert!(!svc.storage.exists(&source).await);
        assert!(waiting_source(filed[1]).await.is_none());
        // Nobody comes back for the third: an hour after its window it is closed, and its
        // unsigned copy leaves the store.
        let source = waiting_source(filed[2]).await.expect("unsigned copy kept");
        assert_eq!(
            app::server::remotesign::sweep_expired(svc)
                .await
                .expect("sweep"),
            0,
            "not while its window is open"
        );
        remote_signature::Entity::update_many()
            .col_expr(
                remote_signature::Column::ExpiresAt,
                sea_orm::sea_query::Expr::value(app::server::auth::now() - 7200),
            )
            .filter(remote_signature::Column::DossierId.eq(filed[2]))
            .exec(&svc.db)
            .await
            .expect("age it");
        assert_eq!(
            app::server::remotesign::sweep_expired(svc)
                .await
                .expect("sweep"),
            1
        );
        assert!(!svc.storage.exists(&source).await);
        assert!(waiting_source(filed[2]).await.is_none());
        assert!(results(filed[2]).await.is_empty());
    }

    // The integration log keeps the exchanges without the citizen ID or the CA password.
    let logs = integration_log::Entity::find()
        .filter(integration_log::Column::System.eq("remotesign"))
        .all(&svc.db)
        .await
        .expect("q");
    assert!(logs.len() >= 6, "{}", logs.len());
    for l in &logs {
        let text = format!("{} {}", l.request, l.response);
        assert!(
            !text.contains(CITIZEN_ID) && !text.contains("sp-secret"),
            "{text}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_signing_sqlite() {
    run_remote(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_signing_postgres() {
    run_remote(TestDb::postgres().await).await;
}
