//! Sign-in with the national e-ID (P-1) on SQLite and PostgreSQL, against a real OpenID
//! provider in its own process (the npm package `oidc-provider`, end2end/scripts/oidc-peer.mjs),
//! driven like a browser over HTTP: first sign-in creates the account from the claims, the
//! next one finds it; an account with the same personal ID number is linked; officers are
//! refused; a replayed callback, a callback in another browser (login CSRF), a cancelled
//! sign-in and a forged code change nothing; logout goes on to the provider's logout.
mod common;

use common::{Client, HttpResponse, Peer, TestDb};
use entity::{consent, external_identity, oidc_login, sso_session, user_account};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

const CID: &str = "048095001234";

/// A free loopback port for the app: the provider must know the callback address before the
/// app starts.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn location(r: &HttpResponse) -> String {
    r.header("location").unwrap_or_default().to_owned()
}

/// `http://host:port/path?q` → `/path?q` when it is on `addr`; None when elsewhere.
fn on(addr: std::net::SocketAddr, url: &str) -> Option<String> {
    if url.starts_with('/') {
        return Some(url.to_owned());
    }
    url.strip_prefix(&format!("http://{addr}"))
        .map(str::to_owned)
}

/// At the provider: follows its redirects, signs in on its page, and returns the portal
/// callback address it sends the browser to.
async fn at_provider(op: &mut Client, start: &str, cid: &str, password: &str) -> String {
    let mut next = on(op.addr, start).expect("to the provider");
    for _ in 0..8 {
        let r = op.get(&next).await;
        if r.status == 200 {
            let action = r
                .body
                .split("action=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .expect("the provider's sign-in form")
                .to_owned();
            assert!(r.body.contains("Số định danh cá nhân"), "{}", r.body);
            let r = op
                .post_raw(
                    &action,
                    &[("so_dinh_danh", cid), ("mat_khau", password)],
                    None,
                )
                .await;
            assert_eq!(r.status, 303, "{}", r.body);
            next = location(&r);
            continue;
        }
        assert!(matches!(r.status, 302 | 303), "{} {}", r.status, r.body);
        let to = location(&r);
        match on(op.addr, &to) {
            Some(path) => next = path,
            None => return to,
        }
    }
    panic!("the provider never sent the browser back");
}

/// The whole sign-in in a fresh browser: portal → provider → portal. Returns the portal's
/// answer to the callback and the browser.
async fn sign_in(
    app: std::net::SocketAddr,
    op: std::net::SocketAddr,
    cid: &str,
    pw: &str,
) -> (HttpResponse, Client, String) {
    let mut browser = Client::new(app);
    let r = browser.get("/dang-nhap/vneid?next=/ho-so").await;
    assert_eq!(r.status, 303, "{}", r.body);
    let mut at_op = Client::new(op);
    let back = at_provider(&mut at_op, &location(&r), cid, pw).await;
    let path = on(app, &back).expect("back to the portal");
    assert!(path.starts_with("/dang-nhap/vneid/ket-qua?"), "{path}");
    let r = browser.get(&path).await;
    (r, browser, path)
}

/// Starts a sign-in in `browser` and returns its `state`.
async fn started(browser: &mut Client) -> String {
    let r = browser.get("/dang-nhap/vneid").await;
    location(&r)
        .split("state=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .expect("state")
        .to_owned()
}

async fn run(db: TestDb) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let peer = Peer::oidc(
        &format!("{base}/dang-nhap/vneid/ket-qua"),
        &format!("{base}/dang-nhap?ok=logged_out"),
    )
    .await;
    let issuer = format!("http://{}", peer.addr);
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.addr = format!("127.0.0.1:{port}").parse().expect("addr");
    s.sso = Some(app::server::auth::sso::SsoConfig {
        issuer: issuer.clone(),
        client_id: "portal".into(),
        client_secret: "portal-oidc-secret".into(),
        scopes: "openid profile email phone".into(),
        acr_values: Some("LoA1".into()),
    });
    let (addr, svc) = common::start_app(s).await;
    let users = || user_account::Entity::find().count(&svc.db);

    // The login page offers the e-ID, and its CSP lets the logout form go on to the provider.
    let page = common::get(addr, "/dang-nhap").await;
    assert!(page
        .body
        .contains("Đăng nhập bằng VNeID / tài khoản Cổng DVC quốc gia"));
    assert!(
        page.header("content-security-policy")
            .unwrap_or_default()
            .contains(&format!("form-action 'self' {issuer}")),
        "{:?}",
        page.header("content-security-policy")
    );

    // The authorization request: code flow, PKCE S256, state, nonce, the level of assurance.
    let mut b = Client::new(addr);
    let r = b.get("/dang-nhap/vneid").await;
    let auth = location(&r);
    for part in [
        "response_type=code",
        "client_id=portal",
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "acr_values=LoA1",
        "scope=openid",
    ] {
        assert!(auth.contains(part), "{part} in {auth}");
    }

    // First sign-in: an account from the claims, linked to the provider's subject.
    let before = users().await.expect("count");
    let (r, mut browser, used) = sign_in(addr, peer.addr, CID, "vneid thu nghiem 1").await;
    assert_eq!(
        (r.status, location(&r).as_str()),
        (303, "/ho-so"),
        "{}",
        r.body
    );
    assert_eq!(users().await.expect("count"), before + 1);
    let account = browser.get("/tai-khoan").await;
    assert!(account.body.contains("Trần Thị Định Danh"), "signed in");
    let u = user_account::Entity::find()
        .filter(user_account::Column::Email.eq("dinhdanh@vneid.example.vn"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("account created");
    assert_eq!(u.kind, "citizen");
    assert_eq!(u.phone.as_deref(), Some("0905777888"));
    assert_eq!(
        u.citizen_id_index.as_deref(),
        Some(svc.auth.cipher.blind_index("citizen_id", CID).as_str())
    );
    let link = external_identity::Entity::find()
        .filter(external_identity::Column::UserId.eq(u.id))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("linked");
    assert_eq!(
        (link.issuer.as_str(), link.subject.as_str()),
        (issuer.as_str(), "vneid-048095001234")
    );
    let consents = consent::Entity::find()
        .filter(consent::Column::UserId.eq(u.id))
        .count(&svc.db)
        .await
        .expect("q");
    assert_eq!(consents, 1);
    // The password form cannot open this account: it has no password.
    let mut pw = Client::new(addr);
    pw.get("/dang-nhap").await;
    let r = pw
        .post(
            "/dang-nhap",
            &[("email", "dinhdanh@vneid.example.vn"), ("password", "!sso")],
        )
        .await;
    assert_eq!(r.status, 422);

    // The same callback again: the sign-in was used, nothing happens.
    let again = browser.get(&used).await;
    assert_eq!(location(&again), "/dang-nhap?sso=het-han");

    // Logout ends the portal session and goes on to the provider's logout with the ID token.
    let out = browser.post("/dang-xuat", &[]).await;
    let to = location(&out);
    assert!(
        to.starts_with(&format!("{issuer}/session/end?id_token_hint=")),
        "{to}"
    );
    assert!(to.contains("post_logout_redirect_uri="), "{to}");
    assert_eq!(browser.get("/tai-khoan").await.status, 303, "signed out");

    // Next time the same person reaches the same account.
    let (r, _, _) = sign_in(addr, peer.addr, CID, "vneid thu nghiem 1").await;
    assert_eq!(location(&r), "/ho-so");
    assert_eq!(users().await.expect("count"), before + 1);
    assert_eq!(
        external_identity::Entity::find()
            .count(&svc.db)
            .await
            .expect("q"),
        1
    );

    // A local account with the personal ID number the e-ID attests is linked, not doubled; the
    // provider gives no email, so the account keeps its own.
    let local = user_account::ActiveModel {
        kind: Set("citizen".into()),
        email: Set("khongthu@example.vn".into()),
        full_name: Set("Lê Văn Không Thư".into()),
        citizen_id_index: Set(Some(
            svc.auth.cipher.blind_index("citizen_id", "079200009999"),
        )),
        password_hash: Set("!".into()),
        password_changed_at: Set(0),
        must_change_password: Set(false),
        failed_logins: Set(0),
        created_at: Set(0),
        email_verified_at: Set(Some(0)),
        ..Default::default()
    }
    .insert(&svc.db)
    .await
    .expect("local account");
    let n = users().await.expect("count");
    let (r, _, _) = sign_in(addr, peer.addr, "079200009999", "vneid thu nghiem 2").await;
    assert_eq!(location(&r), "/ho-so");
    assert_eq!(users().await.expect("count"), n);
    let linked = external_identity::Entity::find()
        .filter(external_identity::Column::Subject.eq("vneid-079200009999"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("linked");
    assert_eq!(linked.user_id, local.id);

    // An officer's personal ID number: refused, no session, no link.
    let unit = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("a one-stop unit")
        .id;
    let staff = common::staff(&svc, unit, "sso").await;
    let mut officer: user_account::ActiveModel =
        user_account::Entity::find_by_id(staff.counter.user_id)
            .one(&svc.db)
            .await
            .expect("q")
            .expect("officer")
            .into();
    officer.citizen_id_index = Set(Some(
        svc.auth.cipher.blind_index("citizen_id", "001099000777"),
    ));
    officer.update(&svc.db).await.expect("officer id");
    let (r, mut refused, _) = sign_in(addr, peer.addr, "001099000777", "vneid thu nghiem 3").await;
    assert_eq!(location(&r), "/dang-nhap?sso=can-bo");
    assert_eq!(refused.get("/tai-khoan").await.status, 303, "not signed in");
    assert_eq!(
        external_identity::Entity::find()
            .filter(external_identity::Column::Subject.eq("vneid-001099000777"))
            .count(&svc.db)
            .await
            .expect("q"),
        0
    );

    // Login CSRF: a callback finished in one browser and opened in another is refused.
    let mut victim = Client::new(addr);
    let mut attacker = Client::new(addr);
    let r = attacker.get("/dang-nhap/vneid").await;
    let mut at_op = Client::new(peer.addr);
    let back = at_provider(&mut at_op, &location(&r), CID, "vneid thu nghiem 1").await;
    let r = victim.get(&on(addr, &back).expect("portal")).await;
    assert_eq!(location(&r), "/dang-nhap?sso=het-han");
    assert_eq!(victim.get("/tai-khoan").await.status, 303, "not signed in");

    // Cancelled at the provider, and a forged code with a real state.
    let mut c = Client::new(addr);
    let state = started(&mut c).await;
    let r = c
        .get(&format!(
            "/dang-nhap/vneid/ket-qua?error=access_denied&state={state}"
        ))
        .await;
    assert_eq!(location(&r), "/dang-nhap?sso=huy");
    let state = started(&mut c).await;
    let r = c
        .get(&format!(
            "/dang-nhap/vneid/ket-qua?code=forged&state={state}"
        ))
        .await;
    assert_eq!(location(&r), "/dang-nhap?sso=loi");
    let page = c.get("/dang-nhap?sso=loi").await;
    assert!(page
        .body
        .contains("Không đăng nhập được bằng VNeID lúc này"));
    assert_eq!(c.get("/tai-khoan").await.status, 303, "not signed in");

    // Housekeeping (hourly): a sign-in abandoned at the provider and the logout hint of a
    // session that has ended by age go; a sign-in started a moment ago stays and finishes.
    let t = app::server::auth::now();
    let mut gone = Client::new(addr);
    let abandoned = started(&mut gone).await;
    oidc_login::Entity::update_many()
        .col_expr(oidc_login::Column::CreatedAt, Expr::value(t - 601))
        .filter(oidc_login::Column::State.eq(abandoned.clone()))
        .exec(&svc.db)
        .await
        .expect("age the sign-in");
    sso_session::ActiveModel {
        session_id: Set("ended-long-ago".into()),
        id_token: Set("x".into()),
        created_at: Set(t - 13 * 3600),
    }
    .insert(&svc.db)
    .await
    .expect("old session");
    let mut fresh = Client::new(addr);
    let r = fresh.get("/dang-nhap/vneid").await;
    assert_eq!(app::server::auth::sso::prune(&svc).await.expect("prune"), 2);
    assert!(oidc_login::Entity::find_by_id(abandoned)
        .one(&svc.db)
        .await
        .expect("q")
        .is_none());
    let mut at_op = Client::new(peer.addr);
    let back = at_provider(&mut at_op, &location(&r), CID, "vneid thu nghiem 1").await;
    let r = fresh.get(&on(addr, &back).expect("portal")).await;
    assert_eq!(
        location(&r),
        "/tai-khoan",
        "the fresh sign-in still finishes"
    );

    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sso_postgres() {
    run(TestDb::postgres().await).await;
}
