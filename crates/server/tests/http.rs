//! What only the HTTP transport does: refuse non-JSON bodies (so other sites cannot post to
//! a local server without a CORS preflight), explain malformed JSON, and serve the UI.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

use chrono::{TimeZone, Utc};
use counterfoil_engine::{Book, Clock};
use serde_json::Value;

async fn start(ui_dir: Option<std::path::PathBuf>) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::simulated(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
    let book = Book::open(&dir.path().join("http.book"), clock).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = counterfoil_server::app(counterfoil_server::AppState::new(book, ui_dir));
    tokio::spawn(counterfoil_server::serve(listener, router));
    (base, dir)
}

#[tokio::test]
async fn rpc_accepts_only_json_and_explains_bad_bodies() {
    let (base, _dir) = start(None).await;
    let client = reqwest::Client::new();

    let form = client
        .post(format!("{base}/rpc/create_account"))
        .header("content-type", "text/plain")
        .body(r#"{"org_name":"Sneaky"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let error: Value = form.json().await.unwrap();
    assert_eq!(error["code"], "validation");

    let broken = client
        .post(format!("{base}/rpc/create_account"))
        .header("content-type", "application/json")
        .body("{org_name:")
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 422);
    let error: Value = broken.json().await.unwrap();
    assert_eq!(error["field"], "body");

    let nothing_created: Value = client
        .post(format!("{base}/rpc/list_accounts"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(nothing_created["total"], 0, "an empty body means no input");

    let missing = client
        .post(format!("{base}/rpc/get_plan"))
        .json(&serde_json::json!({"id": "7"}));
    assert_eq!(missing.send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn the_ui_is_served_with_a_strict_content_security_policy() {
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), "<h1>Counterfoil UI</h1>").unwrap();
    let (base, _dir) = start(Some(ui.path().to_owned())).await;

    for path in ["/", "/accounts/deep/link"] {
        let response = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(
            response.text().await.unwrap(),
            "<h1>Counterfoil UI</h1>",
            "{path}"
        );
    }
}
