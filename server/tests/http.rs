//! HTTP tests: the real application on port 0 over a real socket, checking what a browser or a
//! screen reader gets: status codes, headers and the server-rendered HTML.
mod common;

use common::{get, request, TestDb};

async fn start() -> (std::net::SocketAddr, TestDb) {
    let db = TestDb::sqlite();
    let settings = common::test_settings(&db.url);
    let app = server::Application::build(settings)
        .await
        .expect("app builds");
    let addr = app.local_addr().unwrap();
    tokio::spawn(app.serve());
    (addr, db)
}

#[tokio::test]
async fn pages_render_on_the_server() {
    let (addr, db) = start().await;

    let home = get(addr, "/").await;
    assert_eq!(home.status, 200);
    assert!(home
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/html"));
    assert!(home.body.contains(r#"<html lang="vi""#));
    // L-1: identity, navigation, search, login, footer with hotline and accessibility link.
    for needle in [
        "Cổng Dịch vụ công thành phố Đà Nẵng",
        r#"aria-label="Điều hướng chính""#,
        r#"action="/tim-kiem""#,
        r#"href="/dang-nhap""#,
        "Đường dây nóng",
        r#"href="/ho-tro-tiep-can""#,
        "Thủ tục thường dùng",
        "Thủ tục đăng ký khai sinh",
    ] {
        assert!(home.body.contains(needle), "home page lacks {needle}");
    }

    let cat = get(addr, "/thu-tuc").await;
    assert_eq!(cat.status, 200);
    assert!(cat.body.contains("2849 thủ tục"));
    assert!(cat.body.contains(r#"name="linhvuc""#));

    let search = get(addr, "/tim-kiem?q=dang+ky+khai+sinh").await;
    assert_eq!(search.status, 200);
    let first = search
        .body
        .find("/thu-tuc/1.")
        .map(|i| &search.body[i..i + 17]);
    assert_eq!(first, Some("/thu-tuc/1.001193"));

    let detail = get(addr, "/thu-tuc/1.004222").await;
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("<title>Đăng ký thường trú</title>"));
    assert!(detail.body.contains("10.000 đồng"));
    assert!(detail.body.contains("Thành phần hồ sơ"));

    db.cleanup().await;
}

#[tokio::test]
async fn missing_and_bad_input_never_give_500() {
    let (addr, db) = start().await;

    let nf = get(addr, "/khong-co-trang-nay").await;
    assert_eq!(nf.status, 404);
    assert!(nf.body.contains("Không tìm thấy trang"));
    let nf = get(addr, "/thu-tuc/9.999999").await;
    assert_eq!(nf.status, 404);

    for target in [
        "/thu-tuc?trang=-1",
        "/thu-tuc?trang=abc&linhvuc=%27%20OR%201%3D1",
        "/tim-kiem?q=%27%3B%20DROP%20TABLE%20procedure%3B--",
        "/tim-kiem?q=",
        "/thu-tuc?mucdo=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ] {
        let r = get(addr, target).await;
        assert_eq!(r.status, 200, "{target}");
        assert!(!r.body.contains("<script>alert"), "{target}");
    }
    let bad_utf8 = get(addr, "/tim-kiem?q=%ff%fe").await;
    assert_eq!(bad_utf8.status, 400);
    assert!(bad_utf8.body.contains("không hợp lệ"));
    let long = format!("/tim-kiem?q={}", "a".repeat(5000));
    assert_eq!(get(addr, &long).await.status, 414);

    // Still serving the whole catalogue afterwards.
    assert!(get(addr, "/thu-tuc").await.body.contains("2849 thủ tục"));
    db.cleanup().await;
}

#[tokio::test]
async fn language_switch_health_and_headers() {
    let (addr, db) = start().await;

    let en = request(
        addr,
        "GET",
        "/thu-tuc/1.001193",
        &[("Cookie", "lang=en")],
        b"",
    )
    .await;
    assert_eq!(en.status, 200);
    assert!(en.body.contains(r#"<html lang="en""#));
    assert!(en.body.contains("Required documents"));

    let sw = request(
        addr,
        "GET",
        "/ngon-ngu?lang=en",
        &[("Referer", "http://127.0.0.1/thu-tuc?trang=2")],
        b"",
    )
    .await;
    assert_eq!(sw.status, 303);
    assert_eq!(sw.header("location"), Some("/thu-tuc?trang=2"));
    assert!(sw
        .header("set-cookie")
        .unwrap_or("")
        .starts_with("lang=en;"));
    // Never redirects off-site.
    let evil = request(
        addr,
        "GET",
        "/ngon-ngu?lang=vi",
        &[("Referer", "https://evil.example//x")],
        b"",
    )
    .await;
    assert_eq!(evil.header("location"), Some("/"));

    assert_eq!(get(addr, "/healthz").await.status, 200);
    assert_eq!(get(addr, "/readyz").await.status, 200);

    let home = get(addr, "/").await;
    assert_eq!(home.header("x-content-type-options"), Some("nosniff"));
    let gz = request(addr, "GET", "/thu-tuc", &[("Accept-Encoding", "gzip")], b"").await;
    assert_eq!(
        gz.header("content-encoding"),
        Some("gzip"),
        "HTML is sent compressed"
    );
    assert!(home
        .header("content-security-policy")
        .unwrap_or("")
        .contains("frame-ancestors 'none'"));

    // Server functions answer JSON and bound their input like the pages do.
    let origin = format!("http://{addr}");
    let body = br#"{"query":{"q":"ket hon","field":null,"agency":null,"level":null,"audience":null,"page":0}}"#;
    let api = request(
        addr,
        "POST",
        "/api/list_procedures",
        &[("Content-Type", "application/json"), ("Origin", &origin)],
        body,
    )
    .await;
    assert_eq!(api.status, 200);
    let v: serde_json::Value = serde_json::from_str(&api.body).expect("json");
    assert_eq!(v["page"], 1);
    assert_eq!(v["items"][0]["code"], "1.000894");
    let junk = request(
        addr,
        "POST",
        "/api/list_procedures",
        &[("Content-Type", "application/json"), ("Origin", &origin)],
        b"{not json",
    )
    .await;
    assert!(
        junk.status >= 400 && junk.status < 500
            || junk.status == 500 && !junk.body.contains("panick"),
        "status {}",
        junk.status
    );
    db.cleanup().await;
}
