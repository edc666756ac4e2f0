//! The public API (G-3, G-5) on SQLite and PostgreSQL, over real sockets: an administrator
//! registers partners (bad input refused with every reason, nothing stored); partners get
//! bearer tokens with the client-credentials grant (wrong secret, grant or scope refused as
//! RFC 6749 says); they read dossiers within their units only, without personal data, a page
//! at a time, in their language when refused, and are cut off beyond their rate; they
//! subscribe webhooks and `peer webhook`, a separate process that checks signatures as a
//! partner would, receives a status change signed per Standard Webhooks after two failures,
//! exactly once; another partner cannot remove a subscription; disabling a partner ends its
//! tokens; every call is in the integration log; the OpenAPI document names every route and
//! every route it names answers.
mod common;

use app::domain::workflow::ActionKind as A;
use app::error::AppError;
use app::server::api::{self, NewClient};
use app::server::auth::RequestMeta;
use app::server::outbox;
use app::server::work::{act, ActInput};
use app::server::Services;
use base64::Engine;
use common::{request, HttpResponse, Peer, TestDb};
use entity::{api_client, integration_log, outbox_message, webhook};
use hmac::Mac;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};

fn body(r: &HttpResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON body ({e}): {}", r.body))
}

async fn call(
    addr: std::net::SocketAddr,
    method: &str,
    target: &str,
    token: &str,
    payload: Option<&Value>,
) -> HttpResponse {
    let auth = format!("Bearer {token}");
    let mut headers = vec![("Authorization", auth.as_str())];
    let raw = payload.map(Value::to_string).unwrap_or_default();
    if payload.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    request(addr, method, target, &headers, raw.as_bytes()).await
}

async fn token_form(addr: std::net::SocketAddr, form: &str) -> HttpResponse {
    request(
        addr,
        "POST",
        "/api/v1/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
    .await
}

async fn unit_code(svc: &Services, id: i32) -> String {
    entity::agency::Entity::find_by_id(id)
        .one(&svc.db)
        .await
        .expect("q")
        .and_then(|a| a.code)
        .expect("a unit with a code")
}

async fn webhook_messages(svc: &Services) -> Vec<outbox_message::Model> {
    outbox_message::Entity::find()
        .filter(outbox_message::Column::Topic.eq(api::TOPIC))
        .order_by_asc(outbox_message::Column::Id)
        .all(&svc.db)
        .await
        .expect("q")
}

async fn run(db: TestDb) {
    let partner = Peer::start("webhook").await;
    let mut s = common::test_settings(&db.url);
    s.demo = true;
    s.webhook_private = true;
    // Each delivery round is the test's to start.
    s.outbox_interval_ms = 3_600_000;
    // Its own file store: the two databases' runs store the same documents at the same time.
    s.files_dir = std::env::temp_dir()
        .join(format!(
            "portal-api-{}-{}",
            std::process::id(),
            app::server::auth::crypto::random_token()
        ))
        .display()
        .to_string();
    let files_dir = s.files_dir.clone();
    let (addr, svc) = common::start_app(s).await;
    let svc = &svc;
    let meta = RequestMeta::default();
    let admin = common::admin();
    let unit = common::one_stop(svc).await;
    let staff = common::staff(svc, unit, "api").await;
    let today = app::domain::calendar::Day::from_unix_vn(app::server::auth::now());
    let code = format!("H48.API-{}-0001", today.yymmdd());
    let d = common::filed(
        svc,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        code.clone(),
        None,
    )
    .await;
    // A unit elsewhere: a unit the dossier's unit is not under.
    let elsewhere = entity::agency::Entity::find()
        .filter(entity::agency::Column::Kind.eq("one_stop"))
        .filter(entity::agency::Column::Id.ne(unit))
        .filter(entity::agency::Column::Code.is_not_null())
        .one(&svc.db)
        .await
        .expect("q")
        .expect("a second unit");
    let parent = entity::agency::Entity::find_by_id(unit)
        .one(&svc.db)
        .await
        .expect("q")
        .and_then(|a| a.parent_id)
        .expect("the counter belongs to a unit");
    // The demo leaves the province without a code; a deployment loads its own (QCVN 102:2016).
    entity::agency::Entity::update_many()
        .col_expr(entity::agency::Column::Code, Expr::value("H48"))
        .filter(entity::agency::Column::Id.eq(parent))
        .filter(entity::agency::Column::Code.is_null())
        .exec(&svc.db)
        .await
        .expect("code the province");

    // Registration: every reason at once, nothing stored; a citizen may not register.
    let bad = NewClient {
        name: " ".into(),
        scopes: vec!["dossier:delete".into()],
        agency_code: "H48.KHONG.CO".into(),
        rate: "0".into(),
    };
    match api::create_client(svc, &admin, &bad, &meta).await {
        Err(AppError::Validation(errs)) => {
            let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["api_name", "api_scopes", "api_agency", "api_rate"]);
            assert!(errs
                .iter()
                .all(|e| !e.message_en.is_empty() && !e.message_vi.is_empty()));
        }
        other => panic!("expected the reasons, got {other:?}"),
    }
    assert_eq!(
        api::create_client(svc, &staff.leader, &NewClient::default(), &meta).await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        api_client::Entity::find().count(&svc.db).await.expect("q"),
        0
    );
    let client = |name: &str, scopes: &[&str], agency: String, rate: &str| NewClient {
        name: name.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        agency_code: agency,
        rate: rate.into(),
    };
    let (a_id, a_secret) = api::create_client(
        svc,
        &admin,
        &client(
            "Sở Tư pháp",
            &["dossier:read", "webhook:manage"],
            String::new(),
            "",
        ),
        &meta,
    )
    .await
    .expect("partner A");
    let (b_id, b_secret) = api::create_client(
        svc,
        &admin,
        &client(
            "Phường khác",
            &["dossier:read"],
            unit_code(svc, elsewhere.id).await,
            "3",
        ),
        &meta,
    )
    .await
    .expect("partner B");
    let (c_id, c_secret) = api::create_client(
        svc,
        &admin,
        &client(
            "Phường này",
            &["dossier:read", "webhook:manage"],
            unit_code(svc, parent).await,
            "1000",
        ),
        &meta,
    )
    .await
    .expect("partner C");
    assert!(a_id.starts_with("dvc_") && a_secret.len() >= 40);
    let stored = api_client::Entity::find().all(&svc.db).await.expect("q");
    assert!(
        stored
            .iter()
            .all(|c| c.secret_hash != a_secret && c.secret_hash.len() == 64),
        "only a hash of the secret is kept"
    );

    // Tokens (RFC 6749 §4.4, §5.2).
    let r = token_form(
        addr,
        &format!("grant_type=client_credentials&client_id={a_id}&client_secret=wrong"),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(body(&r)["error"], "invalid_client");
    assert!(r.header("www-authenticate").is_some());
    let r = token_form(
        addr,
        &format!("grant_type=password&client_id={a_id}&client_secret={a_secret}"),
    )
    .await;
    assert_eq!(
        (r.status, body(&r)["error"].clone()),
        (400, json!("unsupported_grant_type"))
    );
    let r = token_form(addr, &format!("client_id={a_id}&client_secret={a_secret}")).await;
    assert_eq!(
        (r.status, body(&r)["error"].clone()),
        (400, json!("invalid_request"))
    );
    let r = token_form(
        addr,
        &format!("grant_type=client_credentials&client_id={b_id}&client_secret={b_secret}&scope=webhook%3Amanage"),
    )
    .await;
    assert_eq!(
        (r.status, body(&r)["error"].clone()),
        (400, json!("invalid_scope"))
    );
    // A by HTTP Basic, B and C by form fields.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{a_id}:{a_secret}"));
    let r = request(
        addr,
        "POST",
        "/api/v1/token",
        &[
            ("Authorization", &format!("Basic {basic}")),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        b"grant_type=client_credentials",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = body(&r);
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["scope"], "dossier:read webhook:manage");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let a = t["access_token"].as_str().expect("token").to_owned();
    let form_token = |id: &str, secret: &str| {
        format!("grant_type=client_credentials&client_id={id}&client_secret={secret}")
    };
    let b = body(&token_form(addr, &form_token(&b_id, &b_secret)).await)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let c = body(&token_form(addr, &form_token(&c_id, &c_secret)).await)["access_token"]
        .as_str()
        .expect("token")
        .to_owned();

    // Reading a dossier: a token is needed; refusals are problem documents in the caller's
    // language.
    let target = format!("/api/v1/dossiers/{code}");
    let r = request(addr, "GET", &target, &[], b"").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert!(r
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Bearer")));
    assert_eq!(
        body(&r)["title"],
        "Thiếu mã truy cập hoặc mã không còn hiệu lực."
    );
    let r = request(
        addr,
        "GET",
        &target,
        &[
            ("Authorization", "Bearer not-a-token"),
            ("Accept-Language", "en-GB,en;q=0.9"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        body(&r)["title"],
        "The access token is missing, expired or revoked."
    );
    let r = call(addr, "GET", &target, &a, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = body(&r);
    assert_eq!(v["code"], code.as_str());
    assert_eq!(v["status"]["code"], 1);
    assert_eq!(v["status"]["label"], "Mới đăng ký");
    assert_eq!(v["agency"]["code"], unit_code(svc, unit).await.as_str());
    assert!(v["submitted_at"]
        .as_str()
        .is_some_and(|t| t.ends_with("+07:00")));
    assert!(
        !r.body.contains("Nguyễn Văn Nộp"),
        "no personal data reaches a partner: {}",
        r.body
    );
    // C is limited to the ward the counter belongs to: it reaches the dossier. B's unit is
    // elsewhere: the dossier does not exist for it.
    assert_eq!(call(addr, "GET", &target, &c, None).await.status, 200);
    let r = call(addr, "GET", &target, &b, None).await;
    assert_eq!(r.status, 404);
    let r = call(addr, "GET", "/api/v1/dossiers", &b, None).await;
    assert_eq!(
        body(&r)["items"],
        json!([]),
        "B lists nothing of the other unit"
    );
    // B has no webhook scope.
    let r = call(addr, "GET", "/api/v1/webhooks", &b, None).await;
    assert_eq!(r.status, 403);
    assert_eq!(body(&r)["type"], "urn:dvc:problem:insufficient_scope");
    // B's limit is 3 calls a minute: it has used 3; the next is refused (a new minute may
    // have begun meanwhile, so allow it three more).
    let mut refused = None;
    for n in 0..4 {
        let r = call(addr, "GET", &target, &b, None).await;
        if r.status == 429 {
            assert_eq!(r.header("retry-after"), Some("60"));
            refused = Some(n);
            break;
        }
    }
    assert!(refused.is_some(), "a partner over its limit is refused");

    // The list, a page at a time, and bad parameters with their reasons.
    let second = format!("H48.API-{}-0002", today.yymmdd());
    let d2 = common::filed(
        svc,
        "mot-cua-chuyen-vien-lanh-dao",
        unit,
        second.clone(),
        None,
    )
    .await;
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let r = call(
            addr,
            "GET",
            &format!("/api/v1/dossiers?limit=1&cursor={cursor}"),
            &a,
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let page = body(&r);
        let items = page["items"].as_array().expect("items").clone();
        if items.is_empty() {
            break;
        }
        assert_eq!(items.len(), 1);
        seen.push(items[0]["code"].as_str().unwrap_or_default().to_owned());
        cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    }
    assert_eq!(seen, [code.clone(), second.clone()]);
    let r = call(
        addr,
        "GET",
        "/api/v1/dossiers?limit=0&cursor=x&updated_since=hom-qua",
        &a,
        None,
    )
    .await;
    assert_eq!(r.status, 422);
    let fields: Vec<String> = body(&r)["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(fields, ["updated_since", "cursor", "limit"]);

    // Webhooks: bad subscriptions are refused with their reasons and store nothing.
    let r = call(
        addr,
        "POST",
        "/api/v1/webhooks",
        &a,
        Some(&json!({ "url": "ftp://doi-tac.example.vn/hook", "events": ["dossier.nope"] })),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(body(&r)["errors"].as_array().map(Vec::len), Some(2));
    let r = request(
        addr,
        "POST",
        "/api/v1/webhooks",
        &[("Authorization", &format!("Bearer {a}"))],
        b"{not json",
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(webhook::Entity::find().count(&svc.db).await.expect("q"), 0);
    let hook_url = format!("http://{}/hook", partner.addr);
    let r = call(
        addr,
        "POST",
        "/api/v1/webhooks",
        &a,
        Some(&json!({ "url": hook_url, "events": ["dossier.status"] })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = body(&r);
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"));
    let hook_id = created["id"].as_i64().expect("id");
    let stored = webhook::Entity::find()
        .one(&svc.db)
        .await
        .expect("q")
        .expect("row");
    assert!(
        !stored.secret.contains(&secret[6..]),
        "the secret is kept encrypted"
    );
    let r = call(addr, "GET", "/api/v1/webhooks", &a, None).await;
    let listed = body(&r);
    assert_eq!(listed["items"][0]["url"], hook_url.as_str());
    assert!(
        listed["items"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    // The partner stores the secret as it would from the answer.
    let r = request(
        partner.addr,
        "POST",
        "/_peer/secret",
        &[],
        secret.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 204);

    // A status change queues the delivery in its own transaction; the partner is down twice,
    // then gets it once, signed.
    partner.control("/_peer/fail/2").await;
    act(
        svc,
        &staff.counter,
        d,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    assert_eq!(webhook_messages(svc).await.len(), 1);
    for _ in 0..2 {
        assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 0);
        common::make_due(svc).await;
    }
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 1);
    let st = partner.state().await;
    assert_eq!(st["calls"], 3);
    assert_eq!(st["rejected"], 0);
    let got = &st["received"][0];
    let (id, ts, raw) = (
        got["id"].as_str().expect("id"),
        got["timestamp"].as_str().expect("ts"),
        got["raw"].as_str().expect("raw"),
    );
    // The signature, computed here from the Standard Webhooks definition.
    let key = base64::engine::general_purpose::STANDARD
        .decode(&secret["whsec_".len()..])
        .expect("key");
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("hmac");
    m.update(format!("{id}.{ts}.{raw}").as_bytes());
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
    );
    assert_eq!(got["signature"], expected.as_str());
    let event = &got["body"];
    assert_eq!(event["type"], "dossier.status");
    assert_eq!(event["data"]["code"], code.as_str());
    assert_eq!(event["data"]["previous_status"], 1);
    assert_eq!(event["data"]["status"]["code"], 2);
    assert!(!raw.contains("Nguyễn Văn Nộp"));
    // An answer lost on the way: the portal sends again; the partner keeps it once.
    outbox_message::Entity::update_many()
        .col_expr(outbox_message::Column::Status, Expr::value(outbox::PENDING))
        .col_expr(outbox_message::Column::NextAt, Expr::value(0i64))
        .filter(outbox_message::Column::Topic.eq(api::TOPIC))
        .exec(&svc.db)
        .await
        .expect("again");
    assert_eq!(outbox::run_once(svc, 20).await.expect("round"), 1);
    let st = partner.state().await;
    assert_eq!(st["received"].as_array().map(Vec::len), Some(1));
    assert_eq!(st["duplicates"], 1);

    // Kill -9 mid-delivery: an app process delivers to a slow partner and is killed while a
    // call is open; after its lease another worker delivers everything, and the partner keeps
    // every event once.
    for n in 101..104 {
        let more = common::filed(
            svc,
            "mot-cua-chuyen-vien-lanh-dao",
            unit,
            format!("H48.API-{}-{n:04}", today.yymmdd()),
            None,
        )
        .await;
        act(
            svc,
            &staff.counter,
            more,
            A::Accept,
            ActInput::default(),
            &meta,
        )
        .await
        .expect("accepted");
    }
    partner.control("/_peer/delay/1500").await;
    let calls = |st: &Value| st["calls"].as_u64().unwrap_or_default();
    let before = calls(&partner.state().await);
    common::kill_mid_delivery(&db.url, &[], || async {
        calls(&partner.state().await) > before
    })
    .await;
    partner.control("/_peer/delay/0").await;
    common::drain(svc, api::TOPIC).await;
    assert!(webhook_messages(svc)
        .await
        .iter()
        .all(|m| m.status == outbox::DELIVERED));
    let st = partner.state().await;
    let received = st["received"].as_array().expect("received");
    assert_eq!(received.len(), 4, "one event a status change");
    for m in webhook_messages(svc).await {
        let id = serde_json::from_str::<Value>(&m.payload).expect("json")["id"].clone();
        assert_eq!(
            received.iter().filter(|r| r["id"] == id).count(),
            1,
            "{id}: kept once"
        );
    }
    let so_far = webhook_messages(svc).await.len();

    // C, limited to the dossier's ward, subscribes too. Another partner cannot remove A's
    // subscription; A can, and is then told nothing more, while C is.
    let r = call(
        addr,
        "POST",
        "/api/v1/webhooks",
        &c,
        Some(&json!({ "url": hook_url, "events": ["dossier.status", "dossier.status"] })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(body(&r)["events"], json!(["dossier.status"]));
    let c_hook = body(&r)["id"].as_i64().expect("id");
    let target = format!("/api/v1/webhooks/{hook_id}");
    assert_eq!(call(addr, "DELETE", &target, &c, None).await.status, 404);
    assert_eq!(call(addr, "DELETE", &target, &a, None).await.status, 204);
    assert_eq!(call(addr, "DELETE", &target, &a, None).await.status, 404);
    act(
        svc,
        &staff.counter,
        d2,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted");
    let queued = webhook_messages(svc).await;
    assert_eq!(queued.len(), so_far + 1);
    assert!(
        queued[so_far]
            .key
            .starts_with(&format!("webhook:{c_hook}:")),
        "{}",
        queued[so_far].key
    );

    // Disabling a partner ends its tokens at once.
    let a_row = api_client::Entity::find()
        .filter(api_client::Column::ClientId.eq(a_id.as_str()))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("A");
    api::disable_client(svc, &admin, a_row.id, &meta)
        .await
        .expect("disabled");
    assert_eq!(
        call(addr, "GET", &format!("/api/v1/dossiers/{code}"), &a, None)
            .await
            .status,
        401
    );
    let r = token_form(addr, &form_token(&a_id, &a_secret)).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        api::disable_client(svc, &admin, a_row.id, &meta).await,
        Err(AppError::NotFound)
    );
    let listed = api::clients(svc).await.expect("list");
    assert_eq!(listed.len(), 3);
    assert!(listed
        .iter()
        .any(|c| c.client_id == a_id && c.disabled_at.is_some()));

    // EMC-2: calls in and deliveries out are logged; tokens and secrets are masked.
    let logged = integration_log::Entity::find()
        .all(&svc.db)
        .await
        .expect("q");
    assert!(logged
        .iter()
        .any(|l| l.system == format!("api:{a_id}") && l.direction == "in"));
    assert!(logged
        .iter()
        .any(|l| l.system == "webhook" && l.direction == "out" && l.ok));
    assert!(
        logged
            .iter()
            .all(|l| !l.response.contains(&a) && !l.response.contains(&secret[6..])),
        "no token or secret in the log"
    );

    inbound(addr, svc, &staff, unit, &code, &files_dir).await;

    // The OpenAPI document: every operation it names answers (here, without a token: 401 or
    // 400, never 404 or 405), and it names every route of /api/v1.
    let r = request(addr, "GET", "/api/openapi.json", &[], b"").await;
    assert_eq!(r.status, 200);
    let doc = body(&r);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut named = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            named.push(format!("{} {path}", method.to_uppercase()));
            let concrete = path.replace("{code}", "X").replace("{id}", "1");
            let r = request(addr, &method.to_uppercase(), &concrete, &[], b"").await;
            assert!(
                r.status == 401 || r.status == 400,
                "{method} {path}: {} {}",
                r.status,
                r.body
            );
        }
    }
    named.sort();
    assert_eq!(
        named,
        [
            "DELETE /api/v1/webhooks/{id}",
            "GET /api/v1/dossiers",
            "GET /api/v1/dossiers/{code}",
            "GET /api/v1/webhooks",
            "POST /api/v1/dossiers",
            "POST /api/v1/dossiers/{code}/outcome",
            "POST /api/v1/payments/dptracuuthanhtoanhs",
            "POST /api/v1/token",
            "POST /api/v1/webhooks",
        ]
    );
    let r = request(addr, "GET", "/api/docs", &[], b"").await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<html lang=\"vi\""));
    assert!(r.body.contains("/api/v1/dossiers/{code}") && r.body.contains("dossier.status"));
    let r = request(addr, "GET", "/api/docs", &[("Cookie", "lang=en")], b"").await;
    assert!(r.body.contains("API for partner systems"));
    db.cleanup().await;
}

/// B-m: a dossier filed on the NPSP is delivered with `dossier:write`; bad payloads are refused
/// with every reason and store nothing (no row, no file); a retry answers the same dossier; a
/// code that is another dossier's is a conflict; the counter then receives it like any other.
async fn inbound(
    addr: std::net::SocketAddr,
    svc: &Services,
    staff: &common::Staff,
    unit: i32,
    local_code: &str,
    files_dir: &str,
) {
    let meta = RequestMeta::default();
    let admin = common::admin();
    let unit_code = unit_code(svc, unit).await;
    let (id, secret) = api::create_client(
        svc,
        &admin,
        &NewClient {
            name: "Cổng Dịch vụ công quốc gia".into(),
            scopes: vec!["dossier:write".into(), "dossier:read".into()],
            agency_code: String::new(),
            rate: String::new(),
        },
        &meta,
    )
    .await
    .expect("the NPSP as a partner");
    let t = body(
        &token_form(
            addr,
            &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        )
        .await,
    );
    assert_eq!(t["scope"], "dossier:read dossier:write");
    let npsp = t["access_token"].as_str().expect("token").to_owned();
    let (procedure, version) = common::procedure_received(svc, unit).await;
    let today = app::domain::calendar::Day::from_unix_vn(app::server::auth::now());
    let code = format!("{unit_code}-{}-0057", today.yymmdd());
    let pdf =
        base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n");
    let png = base64::engine::general_purpose::STANDARD
        .encode([0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]);
    let good = json!({
        "MaHoSo": code,
        "MaTTHC": procedure.code,
        "MaDonVi": unit_code,
        "ChuHoSo": "Trần Thị Quốc Gia",
        "SoDinhDanh": "048190000123",
        "SoDienThoai": "0905 123 456",
        "Email": "quocgia@example.vn",
        "DiaChi": "12 Bạch Đằng, Hải Châu, Đà Nẵng",
        "TrichYeuHoSo": "Đề nghị cấp giấy phép (nộp trên Cổng DVC quốc gia)",
        "NgayNopHoSo": "20261201083000",
        "TaiLieuNop": [
            { "TenTepDinhKem": "don-de-nghi.pdf", "Base64": pdf },
            { "TenTepDinhKem": "anh-chup.png", "MaThanhPhanHoSo": "khong-co", "Base64": png },
        ],
        "TruongMoiCuaCong": "bỏ qua",
    });
    let rows = || async {
        (
            app::server::dossier::count_rows(svc).await.expect("count"),
            app::server::storage::DiskStore::new(files_dir)
                .expect("store")
                .count_files(),
        )
    };
    let before = rows().await;

    // A token without the scope is refused.
    let read_only = body(
        &token_form(
            addr,
            &format!(
                "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=dossier:read"
            ),
        )
        .await,
    )["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let r = call(addr, "POST", "/api/v1/dossiers", &read_only, Some(&good)).await;
    assert_eq!(r.status, 403, "{}", r.body);

    // Everything wrong at once: every reason, in the caller's language.
    let bad = json!({
        "MaHoSo": "khong-phai-ma",
        "MaTTHC": procedure.code,
        "MaDonVi": "H48.KHONG.CO",
        "ChuHoSo": " ",
        "SoDinhDanh": "12345",
        "SoDienThoai": "12",
        "Email": "khong-phai-email",
        "NgayNopHoSo": "20991231000000",
        "TaiLieuNop": [
            { "TenTepDinhKem": "a.pdf", "Base64": pdf },
            { "TenTepDinhKem": "../../etc/passwd", "Base64": "bm90IGEgZmlsZQ==" },
            { "TenTepDinhKem": "c.pdf", "Base64": "***" },
        ],
    });
    let r = request(
        addr,
        "POST",
        "/api/v1/dossiers",
        &[
            ("Authorization", &format!("Bearer {npsp}")),
            ("Content-Type", "application/json"),
            ("Accept-Language", "en"),
        ],
        bad.to_string().as_bytes(),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let p = body(&r);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        fields,
        [
            "MaHoSo",
            "MaDonVi",
            "ChuHoSo",
            "SoDinhDanh",
            "SoDienThoai",
            "Email",
            "NgayNopHoSo",
            "TaiLieuNop[1].TenTepDinhKem",
            "TaiLieuNop[1].Base64",
            "TaiLieuNop[2].Base64",
        ]
    );
    assert_eq!(p["title"], "The request is not valid.");
    // A good payload but one file that is not a document: nothing of it is kept.
    let mut one_bad = good.clone();
    one_bad["TaiLieuNop"][1]["Base64"] = json!("PGh0bWw+PC9odG1sPg==");
    let r = call(addr, "POST", "/api/v1/dossiers", &npsp, Some(&one_bad)).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(body(&r)["errors"][0]["field"], "TaiLieuNop[1].Base64");
    let r = call(addr, "POST", "/api/v1/dossiers", &npsp, None).await;
    assert_eq!(r.status, 422);
    assert_eq!(body(&r)["errors"][0]["field"], "body");
    assert_eq!(rows().await, before, "a refused delivery stores nothing");

    // Received: the dossier keeps the NPSP's code and enters the workflow.
    let r = call(addr, "POST", "/api/v1/dossiers", &npsp, Some(&good)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = body(&r);
    assert_eq!(v["code"], code.as_str());
    assert_eq!(v["status"]["code"], 1);
    assert_eq!(v["channel"], "npsp");
    assert_eq!(v["submitted_at"], "2026-12-01T08:30:00+07:00");
    assert!(
        !r.body.contains("Trần Thị"),
        "no personal data in the answer"
    );
    let (counts, blobs) = rows().await;
    assert_eq!(counts["dossier"], before.0["dossier"] + 1);
    assert_eq!(counts["dossier_file"], before.0["dossier_file"] + 2);
    assert_eq!(blobs, before.1 + 2);
    // A retry (the answer was lost) gets the same dossier, and nothing new.
    let r = call(addr, "POST", "/api/v1/dossiers", &npsp, Some(&good)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(body(&r)["code"], code.as_str());
    assert_eq!(rows().await, (counts.clone(), blobs));
    // A code that is another dossier's is a conflict.
    let mut taken = good.clone();
    taken["MaHoSo"] = json!(local_code);
    let r = call(addr, "POST", "/api/v1/dossiers", &npsp, Some(&taken)).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(body(&r)["type"], "urn:dvc:problem:conflict");
    assert_eq!(rows().await, (counts, blobs));

    // The counter sees the applicant's data and files, and receives it.
    let d = entity::dossier::Entity::find()
        .filter(entity::dossier::Column::Code.eq(code.clone()))
        .one(&svc.db)
        .await
        .expect("q")
        .expect("received");
    assert_eq!(d.applicant_name, "Trần Thị Quốc Gia");
    assert_eq!(d.applicant_phone.as_deref(), Some("0905123456"));
    // The due date counts the procedure's working days from the filing day.
    let due = version.time_limit_days.map(|n| {
        svc.calendar
            .get()
            .due_date(
                app::domain::calendar::Day::parse_iso("2026-12-01").expect("day"),
                n as u32,
            )
            .to_string()
    });
    assert_eq!(d.due_date, due);
    let w = app::server::work::work_view(svc, &staff.counter, d.id)
        .await
        .expect("the counter sees it");
    let names: Vec<&str> = w
        .dossier
        .files
        .iter()
        .map(|f| f.file_name.as_str())
        .collect();
    assert_eq!(names, ["don-de-nghi.pdf", "anh-chup.png"]);
    assert_eq!(w.dossier.events[0].action, "receive_api");
    assert!(w.dossier.events[0]
        .note
        .as_deref()
        .is_some_and(|n| n.contains("Cổng DVC quốc gia") && n.contains("Bạch Đằng")));
    act(
        svc,
        &staff.counter,
        d.id,
        A::Accept,
        ActInput::default(),
        &meta,
    )
    .await
    .expect("accepted at the counter");
    // The partner reads its progress.
    let r = call(
        addr,
        "GET",
        &format!("/api/v1/dossiers/{code}"),
        &npsp,
        None,
    )
    .await;
    let v = body(&r);
    assert_eq!(v["history"][1]["action"], "accept", "{}", r.body);
    assert_eq!(v["status"]["code"], v["history"][1]["to_status"]);
    assert_ne!(v["status"]["code"], 1);
    // A dossier filed here later today does not take the NPSP's number.
    let next: i32 = {
        use sea_orm::ConnectionTrait;
        let backend = svc.db.get_database_backend();
        let row = svc
            .db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                if backend == sea_orm::DbBackend::Postgres {
                    "SELECT last FROM dossier_sequence WHERE agency_code = $1 AND day = $2"
                } else {
                    "SELECT last FROM dossier_sequence WHERE agency_code = ? AND day = ?"
                },
                [unit_code.clone().into(), today.yymmdd().into()],
            ))
            .await
            .expect("q")
            .expect("a sequence row");
        row.try_get("", "last").expect("last")
    };
    assert!(next >= 57, "the local sequence moved past 57: {next}");
    // The integration log has the delivery but not the applicant or the files.
    let logged = integration_log::Entity::find()
        .filter(integration_log::Column::Operation.eq("POST /api/v1/dossiers"))
        .all(&svc.db)
        .await
        .expect("q");
    assert!(logged.len() >= 5);
    assert!(logged
        .iter()
        .all(|l| !l.request.contains("Trần Thị") && !l.request.contains(&pdf)));
}

#[tokio::test]
async fn public_api_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test]
async fn public_api_postgres() {
    run(TestDb::postgres().await).await;
}
