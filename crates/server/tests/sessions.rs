//! Signing in to the UI over HTTP (docs/access.md), over a real socket: with sign-in required
//! /rpc and the UI need a session cookie, and a user calls only what their scopes and
//! permission allow; on loopback without sign-in nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

use chrono::{TimeZone, Utc};
use counterfoil_engine::model::{AddUser, Permission, Scope};
use counterfoil_engine::{add_user, Actor, Book, Clock};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

struct Server {
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
    _ui: tempfile::TempDir,
}

/// A book with two users (`reader`: both scopes, read only; `cashier`: finance, read-write)
/// served on 127.0.0.1 with sign-in `required` or not, and a one-page UI.
async fn start(required: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::simulated(Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 0).unwrap());
    let mut book = Book::open(&dir.path().join("sessions.book"), clock).unwrap();
    for (username, scopes, permission) in [
        (
            "reader",
            vec![Scope::AccountManagement, Scope::Finance],
            Permission::Ro,
        ),
        ("cashier", vec![Scope::Finance], Permission::Rw),
    ] {
        let user = AddUser {
            username: username.into(),
            password: PASSWORD.into(),
            scopes,
            permission,
        };
        add_user(&mut book, &Actor::new("test"), user).unwrap();
    }
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(ui.path().join("index.html"), "<h1>Counterfoil UI</h1>").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = counterfoil_server::AppState::new(book, Some(ui.path().to_owned()))
        .require_sign_in(required);
    tokio::spawn(counterfoil_server::serve(
        listener,
        counterfoil_server::app(state),
    ));
    Server {
        base,
        client: reqwest::Client::new(),
        _dir: dir,
        _ui: ui,
    }
}

impl Server {
    /// `POST /rpc/<operation>` with `cookie` (a `name=value` pair) when given.
    async fn rpc(&self, operation: &str, input: Value, cookie: Option<&str>) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}/rpc/{operation}", self.base))
            .json(&input);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// Signs in; returns the status, the body and the Set-Cookie header.
    async fn sign_in(&self, username: &str, password: &str) -> (u16, Value, Option<String>) {
        let response = self
            .client
            .post(format!("{}/session", self.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let cookie = response
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned());
        (
            response.status().as_u16(),
            response.json().await.unwrap(),
            cookie,
        )
    }

    async fn session(&self, cookie: Option<&str>) -> (u16, Value) {
        let mut request = self.client.get(format!("{}/session", self.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        // A 204 has no body.
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn page(&self, cookie: Option<&str>) -> String {
        let mut request = self.client.get(format!("{}/accounts", self.base));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }
}

/// `counterfoil_session=<id>` out of a Set-Cookie header.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().trim().to_owned()
}

#[tokio::test]
async fn with_sign_in_required_a_read_only_user_reads_and_is_refused_writes() {
    let server = start(true).await;

    let (status, body) = server.rpc("list_accounts", json!({}), None).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");
    let (status, _) = server
        .rpc(
            "list_accounts",
            json!({}),
            Some("counterfoil_session=forged"),
        )
        .await;
    assert_eq!(status, 401, "an unknown session id is nobody");
    assert_eq!(server.session(None).await.0, 401);
    let form = server.page(None).await;
    assert!(
        form.contains("/session/sign-in.js"),
        "the UI is behind the sign-in form: {form}"
    );

    // Wrong password and unknown user: the same 401.
    let (status, wrong, cookie) = server.sign_in("reader", "not the password at all").await;
    assert_eq!(status, 401);
    assert!(cookie.is_none());
    assert_eq!(wrong["code"], "unauthorized");
    assert_eq!(wrong["field"], "password");
    let (status, unknown, _) = server.sign_in("nobody", PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(unknown, wrong, "unknown user and wrong password look alike");
    let missing = server
        .client
        .post(format!("{}/session", server.base))
        .json(&json!({"username": "reader"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 422);
    let missing: Value = missing.json().await.unwrap();
    assert_eq!(missing["field"], "password");

    // Signed in: an HttpOnly, SameSite=Strict cookie for the whole site.
    let (status, me, set_cookie) = server.sign_in("READER", PASSWORD).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["username"], "reader");
    assert_eq!(me["permission"], "ro");
    let set_cookie = set_cookie.expect("a session cookie");
    assert!(
        set_cookie.starts_with("counterfoil_session="),
        "{set_cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    let cookie = pair(&set_cookie);
    assert_eq!(cookie.len(), "counterfoil_session=".len() + 64);
    let (status, me) = server.session(Some(&cookie)).await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "reader");
    assert_eq!(server.page(Some(&cookie)).await, "<h1>Counterfoil UI</h1>");

    // Reads pass; a write is 403 and changes nothing.
    let (status, accounts) = server.rpc("list_accounts", json!({}), Some(&cookie)).await;
    assert_eq!(status, 200, "{accounts}");
    assert_eq!(accounts["total"], 0);
    let (status, refused) = server
        .rpc("create_account", json!({"org_name": "Acme"}), Some(&cookie))
        .await;
    assert_eq!(status, 403);
    assert_eq!(refused["code"], "forbidden");
    assert_eq!(refused["field"], "operation");
    let (_, accounts) = server.rpc("list_accounts", json!({}), Some(&cookie)).await;
    assert_eq!(accounts["total"], 0, "nothing was created");

    // Signed out: 401 again, and the cookie is cleared.
    let out = server
        .client
        .delete(format!("{}/session", server.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    let cleared = out.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let (status, _) = server.rpc("list_accounts", json!({}), Some(&cookie)).await;
    assert_eq!(status, 401);
    assert_eq!(server.session(Some(&cookie)).await.0, 401);
}

#[tokio::test]
async fn a_user_reaches_only_the_operations_of_their_scopes() {
    let server = start(true).await;
    let (status, _, set_cookie) = server.sign_in("cashier", PASSWORD).await;
    assert_eq!(status, 200);
    let cookie = pair(&set_cookie.unwrap());

    let (status, _) = server.rpc("list_invoices", json!({}), Some(&cookie)).await;
    assert_eq!(status, 200, "finance reads invoices");
    let (status, body) = server.rpc("list_accounts", json!({}), Some(&cookie)).await;
    assert_eq!(status, 403, "accounts are account management: {body}");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("account_management"));
    let (status, _) = server.rpc("book_info", json!({}), Some(&cookie)).await;
    assert_eq!(status, 200, "any signed-in user sees the book's name");
    let (status, _) = server
        .rpc("no_such_operation", json!({}), Some(&cookie))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn on_loopback_without_sign_in_nothing_changes() {
    let server = start(false).await;
    let (status, account) = server
        .rpc("create_account", json!({"org_name": "Acme"}), None)
        .await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["org_name"], "Acme");
    assert_eq!(server.page(None).await, "<h1>Counterfoil UI</h1>");
    assert_eq!(
        server.session(None).await.0,
        204,
        "nobody is signed in, and nobody needs to be"
    );
    // Signing in still works (harmless), it just is not needed.
    let (status, _, cookie) = server.sign_in("reader", PASSWORD).await;
    assert_eq!(status, 200);
    assert!(cookie.is_some());
}
