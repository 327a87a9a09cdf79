//! Signing in to the UI over HTTP (docs/access.md), over a real socket: with sign-in required
//! /rpc and the UI need a session cookie, and a user calls only what their scopes and
//! permission allow; on loopback without sign-in nothing changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

use chrono::{TimeZone, Utc};
use counterfoil_engine::model::{AddUser, Permission, Scope};
use counterfoil_engine::{op, Actor, Book, Clock};
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse battery staple";

struct Server {
    base: String,
    client: reqwest::Client,
    /// The book's simulated clock, which the sign-in waits follow.
    clock: Clock,
    _dir: tempfile::TempDir,
    _ui: tempfile::TempDir,
}

/// A book with three users (`reader`: both scopes, read only; `cashier`: finance, read-write;
/// `admin`: both scopes, read-write) served on 127.0.0.1 with sign-in `required` or not, and a
/// one-page UI.
async fn start(required: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::simulated(Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 0).unwrap());
    let mut book = Book::open(&dir.path().join("sessions.book"), clock.clone()).unwrap();
    for (username, scopes, permission) in [
        (
            "reader",
            vec![Scope::AccountManagement, Scope::Finance],
            Permission::Ro,
        ),
        ("cashier", vec![Scope::Finance], Permission::Rw),
        (
            "admin",
            vec![Scope::AccountManagement, Scope::Finance],
            Permission::Rw,
        ),
    ] {
        let user = AddUser {
            username: username.into(),
            password: PASSWORD.into(),
            scopes,
            permission,
        };
        op::add_user(&mut book, &Actor::new("test"), user).unwrap();
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
        clock,
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

    /// Signs in and returns the session's `name=value` cookie.
    async fn session_of(&self, username: &str, password: &str) -> String {
        let (status, body, set_cookie) = self.sign_in(username, password).await;
        assert_eq!(status, 200, "{username}: {body}");
        pair(&set_cookie.unwrap())
    }

    /// A 3scale API request with an access token.
    async fn api(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}?access_token={token}", self.base))
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
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

#[tokio::test]
async fn an_admin_makes_and_revokes_a_token_and_the_api_follows_at_once() {
    let server = start(true).await;
    let admin = server.session_of("admin", PASSWORD).await;
    let input = json!({"name": "Month-end export", "scopes": ["finance", "account_management"],
                       "permission": "ro", "expires_at": "2025-01-15T11:00:00Z"});
    let (status, made) = server.rpc("create_access_token", input, Some(&admin)).await;
    assert_eq!(status, 200, "{made}");
    let value = made["value"].as_str().unwrap().to_owned();
    let id = made["token"]["id"].clone();
    assert_eq!(server.api("/admin/api/accounts.json", &value).await.0, 200);

    // Listed (never with its value), then revoked: the API refuses it from the next request.
    let (_, listed) = server
        .rpc("list_access_tokens", json!({}), Some(&admin))
        .await;
    assert_eq!(listed[0]["name"], "Month-end export");
    assert!(!listed.to_string().contains(&value));
    let (status, _) = server
        .rpc("delete_access_token", json!({"id": id}), Some(&admin))
        .await;
    assert_eq!(status, 200);
    let (status, refused) = server.api("/admin/api/accounts.json", &value).await;
    assert_eq!(status, 403);
    assert_eq!(refused, json!({"error": "Access denied"}));

    // An expired one is refused too, by the book's clock.
    let input = json!({"name": "Hour", "scopes": ["finance"], "permission": "ro",
                       "expires_at": "2025-01-15T11:00:00Z"});
    let (_, made) = server.rpc("create_access_token", input, Some(&admin)).await;
    let value = made["value"].as_str().unwrap().to_owned();
    assert_eq!(server.api("/api/invoices.json", &value).await.0, 200);
    server
        .clock
        .set(Utc.with_ymd_and_hms(2025, 1, 15, 11, 0, 0).unwrap());
    assert_eq!(server.api("/api/invoices.json", &value).await.0, 403);
    let (_, listed) = server
        .rpc("list_access_tokens", json!({}), Some(&admin))
        .await;
    assert_eq!(listed[0]["expired"], true);
}

#[tokio::test]
async fn only_a_user_with_every_right_manages_people_and_tokens() {
    let server = start(true).await;
    let cashier = server.session_of("cashier", PASSWORD).await;
    let reader = server.session_of("reader", PASSWORD).await;
    for (cookie, operation, input) in [
        (&cashier, "list_users", json!({})),
        (&cashier, "list_access_tokens", json!({})),
        (
            &reader,
            "create_access_token",
            json!({"name": "x", "scopes": ["finance"], "permission": "ro"}),
        ),
        (
            &reader,
            "add_user",
            json!({"username": "eve", "password": PASSWORD, "scopes": ["finance"], "permission": "rw"}),
        ),
    ] {
        let (status, body) = server.rpc(operation, input, Some(cookie)).await;
        assert_eq!(status, 403, "{operation}: {body}");
        assert_eq!(body["code"], "forbidden");
    }
    let (status, users) = server.rpc("list_users", json!({}), Some(&reader)).await;
    assert_eq!(status, 200, "a read-only admin reads: {users}");
    assert!(!users.to_string().contains("argon2"), "{users}");
}

#[tokio::test]
async fn a_person_added_signs_in_and_is_signed_out_when_disabled_or_given_a_new_password() {
    let server = start(true).await;
    let admin = server.session_of("admin", PASSWORD).await;
    let (status, dana) = server
        .rpc(
            "add_user",
            json!({"username": "dana", "password": "dana's long password",
                   "scopes": ["finance"], "permission": "rw"}),
            Some(&admin),
        )
        .await;
    assert_eq!(status, 200, "{dana}");
    assert!(!dana.to_string().contains("long password"));
    let session = server.session_of("dana", "dana's long password").await;
    assert_eq!(
        server
            .rpc("list_invoices", json!({}), Some(&session))
            .await
            .0,
        200
    );

    // Disabled: the session ends at its next request, and signing in is refused.
    let id = dana["id"].clone();
    server
        .rpc("disable_user", json!({"id": id}), Some(&admin))
        .await;
    assert_eq!(
        server
            .rpc("list_invoices", json!({}), Some(&session))
            .await
            .0,
        401
    );
    assert_eq!(server.session(Some(&session)).await.0, 401);
    let (status, body, _) = server.sign_in("dana", "dana's long password").await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("disabled"));

    // Enabled and given a new password: her session from before that ends too.
    server
        .rpc("enable_user", json!({"id": id}), Some(&admin))
        .await;
    let session = server.session_of("dana", "dana's long password").await;
    server
        .rpc(
            "change_password",
            json!({"id": id, "password": "a new password for dana"}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        server
            .rpc("list_invoices", json!({}), Some(&session))
            .await
            .0,
        401
    );
    let (status, _, _) = server.sign_in("dana", "dana's long password").await;
    assert_eq!(status, 401);
    server.session_of("dana", "a new password for dana").await;
}

#[tokio::test]
async fn five_failed_sign_ins_then_a_wait_then_the_right_password_works() {
    let server = start(true).await;
    for attempt in 1..=5 {
        let (status, body, _) = server.sign_in("cashier", "not the password at all").await;
        assert_eq!(status, 401, "attempt {attempt}: {body}");
    }
    // The sixth waits, even with the right password, which is not checked.
    let response = server
        .client
        .post(format!("{}/session", server.base))
        .json(&json!({"username": "cashier", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(response.headers().get("set-cookie").is_none());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["field"], "password");
    assert_eq!(
        body["message"],
        "Too many failed sign-ins in a row for this user: wait 1 second and try again."
    );

    // The book's clock moves on past the wait: the right password signs in.
    server
        .clock
        .set(Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 1).unwrap());
    let (status, me, cookie) = server.sign_in("cashier", PASSWORD).await;
    assert_eq!(status, 200, "{me}");
    assert!(cookie.is_some());

    // Someone else's failures are theirs: an unknown username never waits (its answer stays
    // the wrong-credentials one).
    for _ in 0..6 {
        assert_eq!(server.sign_in("nobody", PASSWORD).await.0, 401);
    }
}
