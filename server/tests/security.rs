//! Security suite (S-ACC, S-PD, P-10.3): the real application over real sockets, a real SMTP
//! sink, on SQLite and on PostgreSQL. Each assertion is something a user or an attacker would
//! notice: a status, a cookie, a message, a row.
mod common;

use common::{Client, SmtpSink, TestDb};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter};

struct Running {
    addr: std::net::SocketAddr,
    smtp: SmtpSink,
}

async fn start(db: &TestDb, tweak: impl FnOnce(&mut server::Settings)) -> Running {
    let smtp = SmtpSink::start().await;
    let mut s = common::test_settings(&db.url);
    s.smtp_url = Some(smtp.url());
    s.demo = true;
    s.policy.refresh_reuse_grace_secs = 0;
    tweak(&mut s);
    let app = server::Application::build(s).await.expect("app builds");
    let addr = app.local_addr().expect("addr");
    tokio::spawn(app.serve());
    Running { addr, smtp }
}

fn link_in(mail: &str, path: &str) -> String {
    let start = mail.find(path).expect("link in mail");
    let rest = &mail[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    rest[..end].to_owned()
}

fn token_of(link: &str) -> String {
    link.split("token=").nth(1).expect("token").to_owned()
}

fn error_text(body: &str) -> String {
    let start = body.find("id=\"error-summary\"").expect("error summary");
    body[start..start + 600.min(body.len() - start)].to_owned()
}

const PASSWORD: &str = "mùa thu Hà Nội rất đẹp";

async fn citizen_flow(db: TestDb) {
    let r = start(&db, |_| {}).await;
    let conn = Database::connect(db.url.as_str()).await.expect("db");
    let mut c = Client::new(r.addr);

    // Headers on pages: nonce CSP matching the page's scripts, framing refused, cookie flags.
    let page = c.get("/dang-ky").await;
    assert_eq!(page.status, 200);
    let csp = page
        .header("content-security-policy")
        .expect("csp")
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("nonce in CSP");
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "scripts carry the nonce"
    );
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    // Account pages are plain server-rendered forms: no WASM is loaded for them.
    assert!(!page.body.contains("/pkg/portal.js"));
    assert!(c.get("/").await.body.contains("/pkg/portal.js"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("referrer-policy").is_some());
    let again = Client::new(r.addr).get("/dang-ky").await;
    assert_ne!(
        again.header("content-security-policy"),
        Some(csp.as_str()),
        "a fresh nonce per response"
    );
    let set_csrf = page
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("__Host-portal_csrf="))
        .map(|(_, v)| v.clone())
        .expect("csrf cookie");
    for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(set_csrf.contains(flag), "{flag} in {set_csrf}");
    }

    // A forged cross-site post and a form without the token change nothing.
    let users = || async {
        entity::user_account::Entity::find()
            .all(&conn)
            .await
            .expect("users")
            .len()
    };
    let before = users().await;
    let fields = [
        ("full_name", "Kẻ Gian"),
        ("email", "gian@example.vn"),
        ("phone", "0905111333"),
        ("citizen_id", "048099000777"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
        ("consent", "yes"),
    ];
    let csrf = c.csrf();
    let mut forged: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
    forged.extend_from_slice(&fields);
    let cross = c
        .post_raw("/dang-ky", &forged, Some("https://evil.example"))
        .await;
    assert_eq!(cross.status, 403);
    let no_origin = c.post_raw("/dang-ky", &forged, None).await;
    assert_eq!(no_origin.status, 403);
    let no_token = c
        .post_raw("/dang-ky", &fields, Some(&format!("http://{}", r.addr)))
        .await;
    assert_eq!(no_token.status, 422);
    assert_eq!(users().await, before, "no account from rejected posts");

    // Bad input: every problem explained, the input kept (not the password), nothing stored.
    let bad = c
        .post(
            "/dang-ky",
            &[
                ("full_name", "Trần Thị Bình"),
                ("email", "binh@example"),
                ("phone", "12"),
                ("citizen_id", "04809900012"),
                ("password", "123456789012"),
                ("password_confirm", "123456789012"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    for text in [
        "12 chữ số",
        "email hợp lệ",
        "điện thoại",
        "đồng ý",
        "Trần Thị Bình",
    ] {
        assert!(bad.body.contains(text), "{text} in the re-rendered form");
    }
    assert!(
        !bad.body.contains("value=\"123456789012\""),
        "password never echoed"
    );
    assert_eq!(users().await, before);

    // Registration: verification mail over SMTP; hashes are argon2id with unique salts; the ID
    // number is encrypted.
    let ok = c
        .post(
            "/dang-ky",
            &[
                ("kind", "citizen"),
                ("full_name", "Trần Thị Bình"),
                ("email", "Binh@Example.vn"),
                ("phone", "0905 111 222"),
                ("citizen_id", "048099000123"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.header("location"), Some("/dang-ky?ok=1"));
    let mail = r
        .smtp
        .last_to("binh@example.vn")
        .expect("verification mail");
    let link = link_in(&mail, "http://");
    assert!(link.contains("/xac-thuc-email?token="));
    let mut other = Client::new(r.addr);
    other.get("/").await;
    let ok2 = other
        .post(
            "/dang-ky",
            &[
                ("kind", "organisation"),
                ("full_name", "Lê Văn Cường"),
                ("email", "cuong@example.vn"),
                ("phone", "0905222333"),
                ("citizen_id", "048099000456"),
                ("organisation_name", "Công ty TNHH Sông Hàn"),
                ("tax_code", "0401234567"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(ok2.status, 303);
    let rows = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.is_in(["binh@example.vn", "cuong@example.vn"]))
        .all(&conn)
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    for u in &rows {
        assert!(u
            .password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!u.password_hash.contains(PASSWORD));
        let enc = u.citizen_id_enc.as_deref().expect("encrypted id");
        assert!(!enc.contains("048099"));
    }
    let salt = |h: &str| h.split('$').nth(4).unwrap_or("").to_owned();
    assert_ne!(salt(&rows[0].password_hash), salt(&rows[1].password_hash));
    assert_ne!(
        rows[0].password_hash, rows[1].password_hash,
        "same password, different hashes"
    );
    let consents = entity::consent::Entity::find()
        .all(&conn)
        .await
        .expect("consents");
    assert!(consents
        .iter()
        .any(|k| k.user_id == rows[0].id && k.version == "2026-11"));

    // Registering the same email again reveals nothing on screen; the owner gets a mail.
    let sent = r.smtp.count();
    let dup = Client::new(r.addr);
    let mut dup = dup;
    dup.get("/").await;
    let dup_res = dup
        .post(
            "/dang-ky",
            &[
                ("full_name", "Ai Đó"),
                ("email", "binh@example.vn"),
                ("phone", "0905999888"),
                ("citizen_id", "048099000999"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(dup_res.status, 303);
    assert_eq!(dup_res.header("location"), Some("/dang-ky?ok=1"));
    assert_eq!(r.smtp.count(), sent + 1);

    // Login before verification says so (the password was right) and sends a new link.
    let early = c
        .post(
            "/dang-nhap",
            &[("email", "binh@example.vn"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(early.status, 422);
    assert!(early.body.contains("chưa được xác thực"));

    // Verify: the link works once.
    let token = token_of(&link);
    let v = c.post("/xac-thuc-email", &[("token", &token)]).await;
    assert_eq!(v.status, 303);
    let v2 = c.post("/xac-thuc-email", &[("token", &token)]).await;
    assert_eq!(v2.status, 422);

    // Wrong password and unknown email: the same answer.
    let wrong = c
        .post(
            "/dang-nhap",
            &[
                ("email", "binh@example.vn"),
                ("password", "sai mật khẩu rồi nhé"),
            ],
        )
        .await;
    let unknown = c
        .post(
            "/dang-nhap",
            &[
                ("email", "nobody@example.vn"),
                ("password", "sai mật khẩu rồi nhé"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(error_text(&wrong.body), error_text(&unknown.body));

    // Login: session cookies with the right flags; the profile shows the masked ID.
    let login = c
        .post(
            "/dang-nhap",
            &[("email", "binh@example.vn"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(login.status, 303);
    assert_eq!(login.header("location"), Some("/tai-khoan"));
    for name in ["__Host-portal_at=", "__Host-portal_rt="] {
        let v = login
            .headers
            .iter()
            .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with(name))
            .map(|(_, v)| v.clone())
            .expect("session cookie");
        for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(v.contains(flag), "{flag} in {v}");
        }
        assert!(!v.contains("Domain="));
    }
    let me = c.get("/tai-khoan").await;
    assert_eq!(me.status, 200);
    assert!(me.body.contains("Trần Thị Bình"));
    assert!(me.body.contains("•••••••••123"));
    assert!(!me.body.contains("048099000123"));
    assert_eq!(me.header("cache-control"), Some("no-store"));

    // Anonymous users are sent to login; citizens get 403 on officer pages, not empty pages.
    let anon = Client::new(r.addr).get("/tai-khoan").await;
    assert_eq!(anon.status, 303);
    assert!(anon
        .header("location")
        .unwrap_or("")
        .starts_with("/dang-nhap?next="));
    for page in ["/quan-tri/can-bo", "/quan-tri/nhat-ky"] {
        let res = c.get(page).await;
        assert_eq!(res.status, 403, "{page}");
        assert!(!res.body.contains("officer-table") && !res.body.contains("audit-table"));
    }
    let create = c
        .post(
            "/quan-tri/can-bo",
            &[
                ("full_name", "X"),
                ("email", "x@example.vn"),
                ("agency_id", "1"),
                ("role", "system_admin"),
            ],
        )
        .await;
    assert_eq!(create.status, 403);
    let api = common::request(
        r.addr,
        "POST",
        "/api/my_account",
        &[
            ("Content-Type", "application/json"),
            ("Origin", &format!("http://{}", r.addr)),
        ],
        b"{}",
    )
    .await;
    assert_eq!(
        api.status, 401,
        "server functions authenticate themselves: {}",
        api.body
    );

    // Tokens: forged, unsigned, alg=none, expired or for another audience are all refused.
    let claims = |aud: &str, iat: i64, exp: i64| {
        let sid = c
            .cookies
            .get("__Host-portal_at")
            .cloned()
            .unwrap_or_default();
        let payload = sid.split('.').nth(1).unwrap_or("").to_owned();
        let mut v: serde_json::Value =
            serde_json::from_slice(&base64_url_decode(&payload)).expect("claims");
        v["aud"] = aud.into();
        v["iat"] = iat.into();
        v["nbf"] = iat.into();
        v["exp"] = exp.into();
        v
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    let real = claims("portal-web", now, now + 300);
    let forged = [
        jwt_none(&real),
        format!("{}.", jwt_none(&real).trim_end_matches('.')),
        jwt_hs256(
            &claims("portal-web", now - 1000, now - 500),
            common::TEST_JWT_SECRET,
        ),
        jwt_hs256(
            &claims("other-app", now, now + 300),
            common::TEST_JWT_SECRET,
        ),
        jwt_hs256(&real, b"a different key a different key 123"),
    ];
    for t in forged {
        let mut thief = Client::new(r.addr);
        thief.cookies.insert("__Host-portal_at".into(), t.clone());
        let res = thief.get("/tai-khoan").await;
        assert_eq!(res.status, 303, "token refused: {t}");
    }
    // The genuine token re-signed with the right key works: the checks above are not vacuous.
    let mut good = Client::new(r.addr);
    good.cookies.insert(
        "__Host-portal_at".into(),
        jwt_hs256(&real, common::TEST_JWT_SECRET),
    );
    assert_eq!(good.get("/tai-khoan").await.status, 200);

    // Refresh rotation: the refresh token renews the session once; presenting the old one
    // again revokes the whole family.
    let old_rt = c.cookies.get("__Host-portal_rt").cloned().expect("rt");
    let mut fresh = Client::new(r.addr);
    fresh
        .cookies
        .insert("__Host-portal_rt".into(), old_rt.clone());
    let renewed = fresh.get("/tai-khoan").await;
    assert_eq!(renewed.status, 200);
    let new_rt = fresh
        .cookies
        .get("__Host-portal_rt")
        .cloned()
        .expect("new rt");
    assert_ne!(new_rt, old_rt);
    let mut replay = Client::new(r.addr);
    replay.cookies.insert("__Host-portal_rt".into(), old_rt);
    assert_eq!(replay.get("/tai-khoan").await.status, 303);
    let mut after = Client::new(r.addr);
    after.cookies.insert("__Host-portal_rt".into(), new_rt);
    assert_eq!(after.get("/tai-khoan").await.status, 303, "family revoked");
    assert_eq!(
        c.get("/tai-khoan").await.status,
        303,
        "access token of the family too"
    );

    // Logout revokes the access token at once; password change ends other sessions.
    let mut a = Client::new(r.addr);
    a.get("/").await;
    a.post(
        "/dang-nhap",
        &[("email", "binh@example.vn"), ("password", PASSWORD)],
    )
    .await;
    let kept_at = a.cookies.get("__Host-portal_at").cloned().expect("at");
    assert_eq!(a.post("/dang-xuat", &[]).await.status, 303);
    let mut stolen = Client::new(r.addr);
    stolen.cookies.insert("__Host-portal_at".into(), kept_at);
    assert_eq!(
        stolen.get("/tai-khoan").await.status,
        303,
        "revoked after logout"
    );

    let mut s1 = Client::new(r.addr);
    let mut s2 = Client::new(r.addr);
    for s in [&mut s1, &mut s2] {
        s.get("/").await;
        let res = s
            .post(
                "/dang-nhap",
                &[("email", "binh@example.vn"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status, 303);
    }
    let new_password = "hoa phượng đỏ sân trường";
    let ch = s1
        .post(
            "/tai-khoan/mat-khau",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("password_confirm", new_password),
            ],
        )
        .await;
    assert_eq!(ch.status, 303, "{}", ch.body);
    assert_eq!(
        s1.get("/tai-khoan").await.status,
        200,
        "this session continues"
    );
    assert_eq!(s2.get("/tai-khoan").await.status, 303, "other sessions end");

    // Forgotten password: the same answer for unknown emails; the mailed link resets once and
    // ends every session.
    let mut f = Client::new(r.addr);
    f.get("/").await;
    let sent = r.smtp.count();
    let unknown = f
        .post("/quen-mat-khau", &[("email", "nobody@example.vn")])
        .await;
    let known = f
        .post("/quen-mat-khau", &[("email", "binh@example.vn")])
        .await;
    assert_eq!(unknown.status, 303);
    assert_eq!(unknown.header("location"), known.header("location"));
    assert_eq!(r.smtp.count(), sent + 1, "mail only to the real account");
    let reset_link = link_in(&r.smtp.last_to("binh@example.vn").expect("mail"), "http://");
    assert!(reset_link.contains("/dat-lai-mat-khau?token="));
    let reset_token = token_of(&reset_link);
    let short = f
        .post(
            "/dat-lai-mat-khau",
            &[
                ("token", &reset_token),
                ("new_password", "ngắn"),
                ("password_confirm", "ngắn"),
            ],
        )
        .await;
    assert_eq!(
        short.status, 422,
        "a weak password does not use up the link"
    );
    let third = "ba lần đổi mật khẩu trong ngày";
    let done = f
        .post(
            "/dat-lai-mat-khau",
            &[
                ("token", &reset_token),
                ("new_password", third),
                ("password_confirm", third),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        s1.get("/tai-khoan").await.status,
        303,
        "reset ends every session"
    );
    let again = f
        .post(
            "/dat-lai-mat-khau",
            &[
                ("token", &reset_token),
                ("new_password", third),
                ("password_confirm", third),
            ],
        )
        .await;
    assert_eq!(again.status, 422, "the link works once");
    let mut s1 = Client::new(r.addr);
    s1.get("/").await;
    let res = s1
        .post(
            "/dang-nhap",
            &[("email", "binh@example.vn"), ("password", third)],
        )
        .await;
    assert_eq!(res.status, 303);

    // Personal data export carries the ID number (to its owner only) and the consent.
    let export = s1.get("/tai-khoan/du-lieu.json").await;
    assert_eq!(export.status, 200);
    let v: serde_json::Value = serde_json::from_str(&export.body).expect("json");
    assert_eq!(v["account"]["citizen_id"], "048099000123");
    assert_eq!(v["consents"][0]["version"], "2026-11");

    // The audit trail records logins with IP and user agent, and its chain is intact.
    let failures = entity::audit_log::Entity::find()
        .filter(entity::audit_log::Column::Action.eq("auth.login.failure"))
        .all(&conn)
        .await
        .expect("audit");
    assert!(failures
        .iter()
        .any(|e| e.ip.as_deref() == Some("127.0.0.1")
            && e.user_agent.as_deref() == Some("test-browser")));
    let v = app::server::audit::AuditLog::verify(&conn)
        .await
        .expect("verify");
    assert_eq!(v.first_broken, None);
    db.cleanup().await;
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .expect("base64")
}

fn b64(v: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v)
}

fn jwt_none(claims: &serde_json::Value) -> String {
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

fn jwt_hs256(claims: &serde_json::Value, key: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let head = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = b64(claims.to_string().as_bytes());
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("key");
    mac.update(format!("{head}.{body}").as_bytes());
    format!("{head}.{body}.{}", b64(&mac.finalize().into_bytes()))
}

async fn lockout_and_rate_limit(db: TestDb) {
    let r = start(&db, |s| {
        s.policy.lockout_secs = 2;
        s.policy.login_per_minute = 12;
    })
    .await;
    let mut c = Client::new(r.addr);
    c.get("/").await;
    let email = "congdan@demo.dichvucong.vn";
    let good = server::DEMO_CITIZEN_PASSWORD;
    for _ in 0..5 {
        let res = c
            .post(
                "/dang-nhap",
                &[("email", email), ("password", "không phải mật khẩu")],
            )
            .await;
        assert_eq!(res.status, 422);
    }
    let locked = c
        .post("/dang-nhap", &[("email", email), ("password", good)])
        .await;
    assert_eq!(locked.status, 422, "locked: even the right password fails");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let unlocked = c
        .post("/dang-nhap", &[("email", email), ("password", good)])
        .await;
    assert_eq!(unlocked.status, 303, "unlocked after the lockout period");
    // 7 attempts so far this minute; the limit is 12. Even if the minute turns during the
    // loop, 30 more attempts cross the limit.
    let mut limited = false;
    for _ in 0..30 {
        let res = c
            .post(
                "/dang-nhap",
                &[("email", "x@example.vn"), ("password", "y")],
            )
            .await;
        if res.status == 429 {
            limited = true;
            assert!(
                res.body.contains("Bạn thao tác quá nhanh")
                    || res.body.contains("too many")
                    || res.body.contains("quá")
            );
            break;
        }
    }
    assert!(limited, "one IP is rate-limited");
    db.cleanup().await;
}

async fn officer_flow(db: TestDb) {
    let r = start(&db, |_| {}).await;
    let conn = Database::connect(db.url.as_str()).await.expect("db");
    let mut admin = Client::new(r.addr);
    admin.get("/").await;
    let res = admin
        .post(
            "/dang-nhap",
            &[
                ("email", "quantri@demo.dichvucong.vn"),
                ("password", server::DEMO_ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.header("location"), Some("/tai-khoan/mat-khau"));
    // Until the password is changed and 2FA enrolled, nothing else opens.
    let gate = admin.get("/quan-tri/nhat-ky").await;
    assert_eq!(gate.header("location"), Some("/tai-khoan/mat-khau"));
    let pw = "một mật khẩu quản trị mới";
    let res = admin
        .post(
            "/tai-khoan/mat-khau",
            &[
                ("current_password", server::DEMO_ADMIN_PASSWORD),
                ("new_password", pw),
                ("password_confirm", pw),
            ],
        )
        .await;
    assert_eq!(res.header("location"), Some("/tai-khoan/xac-thuc-hai-buoc"));
    let (codes, secret, enrol_step) = enrol(&mut admin).await;
    assert_eq!(codes.len(), 10);

    // Now the admin's pages open, and the audit chain verifies.
    let audit = admin.get("/quan-tri/nhat-ky?kiem_tra=1").await;
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("id=\"chain-status\""));
    assert!(audit.body.contains("Chuỗi nhật ký nguyên vẹn"));
    assert!(audit.body.contains("auth.login.password_ok"));

    // The same TOTP code does not work twice; a recovery code works once.
    let mut again = Client::new(r.addr);
    again.get("/").await;
    again
        .post(
            "/dang-nhap",
            &[("email", "quantri@demo.dichvucong.vn"), ("password", pw)],
        )
        .await;
    // The code used at enrolment, and the one before it, whatever the clock says now.
    let used = app::server::auth::crypto::totp(&secret, enrol_step);
    let prev = app::server::auth::crypto::totp(&secret, enrol_step - 1);
    for code in [used, prev] {
        let res = again
            .post("/dang-nhap/ma-xac-thuc", &[("code", &code)])
            .await;
        assert_eq!(res.status, 422, "a used or older code is refused");
    }
    let rc = again
        .post("/dang-nhap/ma-xac-thuc", &[("code", &codes[0])])
        .await;
    assert_eq!(rc.status, 303);
    let mut third = Client::new(r.addr);
    third.get("/").await;
    third
        .post(
            "/dang-nhap",
            &[("email", "quantri@demo.dichvucong.vn"), ("password", pw)],
        )
        .await;
    let rc2 = third
        .post("/dang-nhap/ma-xac-thuc", &[("code", &codes[0])])
        .await;
    assert_eq!(rc2.status, 422, "recovery codes work once");

    // The admin creates a unit administrator for one ward.
    let wards: Vec<entity::agency::Model> = entity::agency::Entity::find()
        .all(&conn)
        .await
        .expect("agencies");
    let demo: Vec<&entity::agency::Model> = wards
        .iter()
        .filter(|a| a.name.starts_with("Bộ phận Một cửa"))
        .collect();
    assert!(demo.len() >= 2, "demo wards");
    let (unit_a, unit_b) = (demo[0].id, demo[1].id);
    let created = admin
        .post(
            "/quan-tri/can-bo",
            &[
                ("full_name", "Phạm Thị Dung"),
                ("email", "dung@phuong.example.vn"),
                ("agency_id", &unit_a.to_string()),
                ("role", "agency_admin"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let initial = between(
        &created.body,
        "id=\"initial-password\" class=\"font-mono\">",
        "<",
    )
    .expect("initial password shown once");

    // First login of the new officer: forced change, 2FA, then the workspace.
    let mut dung = Client::new(r.addr);
    dung.get("/").await;
    let res = dung
        .post(
            "/dang-nhap",
            &[("email", "dung@phuong.example.vn"), ("password", &initial)],
        )
        .await;
    assert_eq!(res.header("location"), Some("/tai-khoan/mat-khau"));
    let dpw = "đường về quê hương xa";
    dung.post(
        "/tai-khoan/mat-khau",
        &[
            ("current_password", &initial),
            ("new_password", dpw),
            ("password_confirm", dpw),
        ],
    )
    .await;
    enrol(&mut dung).await;
    let home = dung.get("/can-bo").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Quản trị đơn vị"));

    // A unit administrator acts in their unit, and is refused in another.
    let ok = dung
        .post(
            "/quan-tri/can-bo",
            &[
                ("full_name", "Võ Văn E"),
                ("email", "e@phuong.example.vn"),
                ("agency_id", &unit_a.to_string()),
                ("role", "one_stop_officer"),
            ],
        )
        .await;
    assert_eq!(ok.status, 200);
    let e_initial = between(
        &ok.body,
        "id=\"initial-password\" class=\"font-mono\">",
        "<",
    )
    .expect("initial password");
    let denied = dung
        .post(
            "/quan-tri/can-bo",
            &[
                ("full_name", "Võ Văn F"),
                ("email", "f@phuong.example.vn"),
                ("agency_id", &unit_b.to_string()),
                ("role", "one_stop_officer"),
            ],
        )
        .await;
    assert_eq!(denied.status, 403);
    let none = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("f@phuong.example.vn"))
        .one(&conn)
        .await
        .expect("query");
    assert!(none.is_none(), "nothing created in the other unit");
    // Nor can they read the audit log (system administrators only).
    assert_eq!(dung.get("/quan-tri/nhat-ky").await.status, 403);

    // An officer account unused for more than 45 days is disabled at its next login.
    let long_ago = now() - 46 * 86_400;
    conn.execute_unprepared(&format!(
        "UPDATE user_account SET created_at = {long_ago} WHERE email = 'e@phuong.example.vn'"
    ))
    .await
    .expect("age the account");
    let mut e = Client::new(r.addr);
    e.get("/").await;
    let stale = e
        .post(
            "/dang-nhap",
            &[("email", "e@phuong.example.vn"), ("password", &e_initial)],
        )
        .await;
    assert_eq!(stale.status, 422);
    assert!(stale.body.contains("không sử dụng"));
    let row = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("e@phuong.example.vn"))
        .one(&conn)
        .await
        .expect("query")
        .expect("e");
    assert_eq!(row.disabled_reason.as_deref(), Some("inactive"));

    // Disabling an account ends its sessions at once.
    let dung_id = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("dung@phuong.example.vn"))
        .one(&conn)
        .await
        .expect("query")
        .expect("dung")
        .id;
    let res = admin
        .post(
            "/quan-tri/can-bo",
            &[("action", "disable"), ("user_id", &dung_id.to_string())],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(dung.get("/can-bo").await.status, 303);

    // S-PD: a citizen asks for deletion; the administrator carries it out; the account is
    // anonymised, its sessions end and it can no longer log in.
    let mut citizen = Client::new(r.addr);
    citizen.get("/").await;
    let res = citizen
        .post(
            "/dang-nhap",
            &[
                ("email", "congdan@demo.dichvucong.vn"),
                ("password", server::DEMO_CITIZEN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let asked = citizen
        .post(
            "/tai-khoan",
            &[("action", "delete"), ("reason", "không dùng nữa")],
        )
        .await;
    assert_eq!(asked.header("location"), Some("/tai-khoan?ok=deletion"));
    assert_eq!(
        citizen
            .post("/tai-khoan", &[("action", "delete"), ("reason", "lần hai")])
            .await
            .status,
        409,
        "one pending request at a time"
    );
    assert_eq!(citizen.get("/quan-tri/yeu-cau-xoa").await.status, 403);
    let list = admin.get("/quan-tri/yeu-cau-xoa").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("congdan@demo.dichvucong.vn"));
    let req_id = entity::deletion_request::Entity::find()
        .one(&conn)
        .await
        .expect("query")
        .expect("request")
        .id;
    let done = admin
        .post(
            "/quan-tri/yeu-cau-xoa",
            &[("request_id", &req_id.to_string()), ("decision", "approve")],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        citizen.get("/tai-khoan").await.status,
        303,
        "sessions ended"
    );
    let gone = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::Email.eq("congdan@demo.dichvucong.vn"))
        .one(&conn)
        .await
        .expect("query");
    assert!(gone.is_none(), "email removed");
    let row = entity::user_account::Entity::find()
        .filter(entity::user_account::Column::DisabledReason.eq("deleted"))
        .one(&conn)
        .await
        .expect("query")
        .expect("anonymised row");
    assert!(row.citizen_id_enc.is_none() && row.phone.is_none() && row.citizen_id_index.is_none());
    assert!(admin
        .get("/quan-tri/yeu-cau-xoa")
        .await
        .body
        .contains("deletion-empty"));

    // Tampering with a stored audit record is detected (after lifting the database's own
    // refusal, as an attacker with full database access could).
    match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            conn.execute_unprepared("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
                .await
                .expect("disable trigger");
        }
        _ => {
            conn.execute_unprepared("DROP TRIGGER audit_log_no_update")
                .await
                .expect("drop trigger");
        }
    }
    conn.execute_unprepared(
        "UPDATE audit_log SET ip = '10.0.0.66' WHERE action = 'account.officer_created'",
    )
    .await
    .expect("tamper");
    let broken = admin.get("/quan-tri/nhat-ky?kiem_tra=1").await;
    assert!(broken.body.contains("Chuỗi nhật ký bị phá vỡ"));
    db.cleanup().await;
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64
}

fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)?;
    Some(s[i..i + j].to_owned())
}

/// Enrols TOTP from the page's secret; returns the recovery codes, the secret and the time step
/// of the code used.
async fn enrol(c: &mut Client) -> (Vec<String>, Vec<u8>, i64) {
    let page = c.get("/tai-khoan/xac-thuc-hai-buoc").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg"), "QR code shown");
    let secret = between(
        &page.body,
        "id=\"totp-secret\" class=\"font-mono break-all\">",
        "<",
    )
    .expect("secret");
    let key = app::server::auth::crypto::base32_decode(&secret).expect("base32");
    let step = now() / 30;
    let code = app::server::auth::crypto::totp(&key, step);
    let done = c
        .post("/tai-khoan/xac-thuc-hai-buoc", &[("code", &code)])
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    let list = between(&done.body, "id=\"recovery-codes\"", "</ul>").expect("codes");
    let codes: Vec<String> = list
        .split("<li>")
        .skip(1)
        .filter_map(|x| x.split('<').next())
        .map(str::to_owned)
        .collect();
    (codes, key, step)
}

#[tokio::test]
async fn citizen_accounts_sqlite() {
    citizen_flow(TestDb::sqlite()).await;
}

#[tokio::test]
async fn citizen_accounts_postgres() {
    citizen_flow(TestDb::postgres().await).await;
}

#[tokio::test]
async fn lockout_and_rate_limit_sqlite() {
    lockout_and_rate_limit(TestDb::sqlite()).await;
}

#[tokio::test]
async fn lockout_and_rate_limit_postgres() {
    lockout_and_rate_limit(TestDb::postgres().await).await;
}

#[tokio::test]
async fn officers_roles_and_audit_sqlite() {
    officer_flow(TestDb::sqlite()).await;
}

#[tokio::test]
async fn officers_roles_and_audit_postgres() {
    officer_flow(TestDb::postgres().await).await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_without_side_effects() {
    let db = TestDb::sqlite();
    let r = start(&db, |_| {}).await;
    let mut c = Client::new(r.addr);
    c.get("/").await;
    let big = "x".repeat(200 * 1024);
    let res = c.post("/dang-ky", &[("full_name", &big)]).await;
    assert_eq!(res.status, 413);
    assert!(!res.body.contains("panicked"));
    db.cleanup().await;
}

#[tokio::test]
async fn idle_sessions_end() {
    let db = TestDb::postgres().await;
    let r = start(&db, |s| {
        s.policy.idle_timeout_secs = 2;
    })
    .await;
    let mut c = Client::new(r.addr);
    c.get("/").await;
    let res = c
        .post(
            "/dang-nhap",
            &[
                ("email", "congdan@demo.dichvucong.vn"),
                ("password", server::DEMO_CITIZEN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(c.get("/tai-khoan").await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    // The access token itself is still within its 5 minutes; the session's idle limit ends it.
    assert_eq!(c.get("/tai-khoan").await.status, 303);
    db.cleanup().await;
}
