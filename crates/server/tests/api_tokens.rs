//! Personal access tokens (threescale-api.md §11) over a real socket: envelopes, the value
//! shown once, read by id or value, delete, 422 bodies, and tokens that stop working.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{TimeZone, Utc};
use common::{answer, Api};
use counterfoil_engine::{dispatch, Actor, Book, Clock};
use reqwest::Method;
use serde_json::{json, Value};

const TOKENS: &str = "/admin/api/personal/access_tokens";

async fn create(api: &Api, body: Value) -> common::Answer {
    api.post(&format!("{TOKENS}.json"), body).await
}

#[tokio::test]
async fn create_read_list_and_delete_a_token() {
    let api = Api::start().await;

    let created = create(
        &api,
        json!({"token": {"name": "ci", "permission": "rw", "scopes": ["account_management"]}}),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert!(created.content_type.starts_with("application/json"));
    let token = &created.body["access_token"];
    let id = token["id"].as_i64().expect("ids are JSON integers");
    assert_eq!(token["name"], "ci");
    assert_eq!(token["permission"], "rw");
    assert_eq!(token["scopes"], json!(["account_management"]));
    assert!(
        token.get("expires_at").is_none(),
        "no expiry, no expires_at"
    );
    let value = token["value"].as_str().unwrap().to_owned();
    assert_eq!(value.len(), 96);
    assert!(value.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(
        created.location.as_deref(),
        Some(&*format!("{TOKENS}/{id}.json"))
    );

    // A read (by id or by value) is the create answer without the value.
    let mut without_value = token.clone();
    without_value.as_object_mut().unwrap().remove("value");
    let read = api.get(&format!("{TOKENS}/{id}.json")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["access_token"], without_value);
    let by_value = api.get(&format!("{TOKENS}/{value}.json")).await;
    assert_eq!(by_value.status, 200);
    assert_eq!(by_value.body["access_token"], without_value);

    // Flat keys, an expiry and several scopes.
    let flat = create(
        &api,
        json!({"name": "Nightly export", "permission": "ro",
               "scopes": ["finance", "account_management"], "expires_at": "2030-06-01T12:00:00Z"}),
    )
    .await;
    assert_eq!(flat.status, 201, "{:?}", flat.body);
    assert_eq!(
        flat.body["access_token"]["expires_at"],
        "2030-06-01T12:00:00Z"
    );
    assert_eq!(flat.body["access_token"]["permission"], "ro");

    // The list: every token (the four of the test setup too), wrapped, never a value.
    let list = api.get(&format!("{TOKENS}.json")).await;
    assert_eq!(list.status, 200);
    let items = list.body["access_tokens"].as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert!(items
        .iter()
        .all(|item| item["access_token"].get("value").is_none()));
    assert_eq!(items[4]["access_token"], without_value);
    let filtered = api.get(&format!("{TOKENS}.json?name=NIGHT")).await;
    let names: Vec<&Value> = filtered.body["access_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| &item["access_token"]["name"])
        .collect();
    assert_eq!(names, vec!["Nightly export"]);

    // The new token works; deleted, it does not, and reading it is 404.
    let works = api
        .call(
            Method::GET,
            &format!("{TOKENS}/{id}.json"),
            Some(&value),
            None,
        )
        .await;
    assert_eq!(works.status, 200, "{:?}", works.body);
    let deleted = api.delete(&format!("{TOKENS}/{id}.json")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, Value::Null, "an empty body");
    assert_eq!(api.get(&format!("{TOKENS}/{id}.json")).await.status, 404);
    let refused = api
        .call(Method::GET, &format!("{TOKENS}.json"), Some(&value), None)
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.body, json!({"error": "Access denied"}));
    assert_eq!(api.delete(&format!("{TOKENS}/{id}.json")).await.status, 404);
}

#[tokio::test]
async fn unknown_tokens_are_404_and_only_json_is_served() {
    let api = Api::start().await;
    for path in [
        format!("{TOKENS}/999.json"),
        format!("{TOKENS}/{}.json", "ab".repeat(48)),
    ] {
        let answer = api.get(&path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.body, json!({"status": "Not found"}));
    }
    assert_eq!(api.delete(&format!("{TOKENS}/999.json")).await.status, 404);
    assert_eq!(api.get(&format!("{TOKENS}.xml")).await.status, 406);
    assert_eq!(api.get(&format!("{TOKENS}/1.xml")).await.status, 406);
}

#[tokio::test]
async fn invalid_input_is_422_naming_each_field() {
    let api = Api::start().await;
    let everything_wrong = create(
        &api,
        json!({"token": {"name": " ", "permission": "admin", "scopes": [], "expires_at": "soon"}}),
    )
    .await;
    assert_eq!(everything_wrong.status, 422);
    let errors = everything_wrong.body["errors"].as_object().unwrap();
    for field in ["name", "permission", "scopes", "expires_at"] {
        assert!(errors.contains_key(field), "{field}: {errors:?}");
    }

    for (body, field) in [
        (
            json!({"name": "x", "permission": "ro", "scopes": ["root"]}),
            "scopes",
        ),
        (json!({"name": "x", "permission": "ro"}), "scopes"),
        (json!({"name": "x", "scopes": ["finance"]}), "permission"),
        (json!({"permission": "ro", "scopes": ["finance"]}), "name"),
        (
            json!({"name": "x", "permission": "ro", "scopes": ["finance"],
                   "expires_at": "2020-01-01T00:00:00Z"}),
            "expires_at",
        ),
    ] {
        let answer = create(&api, body.clone()).await;
        assert_eq!(answer.status, 422, "{body}");
        assert!(
            answer.body["errors"][field].is_array(),
            "{body} → {:?}",
            answer.body
        );
    }

    // A token cannot hand out a scope it lacks itself.
    let wider = api
        .call(
            Method::POST,
            &format!("{TOKENS}.json"),
            Some(&api.admin),
            Some(json!({"name": "x", "permission": "rw", "scopes": ["finance"]})),
        )
        .await;
    assert_eq!(wider.status, 422);
    assert!(wider.body["errors"]["scopes"].is_array());

    let list = api.get(&format!("{TOKENS}.json")).await;
    assert_eq!(
        list.body["access_tokens"].as_array().unwrap().len(),
        4,
        "nothing was made"
    );
}

#[tokio::test]
async fn refusals_without_a_token_with_the_wrong_scope_or_read_only() {
    let api = Api::start().await;
    let path = format!("{TOKENS}.json");
    let body = json!({"name": "x", "permission": "ro", "scopes": ["finance"]});

    let none = api.call(Method::GET, &path, None, None).await;
    assert_eq!(none.status, 403);
    assert_eq!(none.body, json!({"error": "Access denied"}));
    let unknown = api.call(Method::GET, &path, Some("nope"), None).await;
    assert_eq!(unknown.body, json!({"error": "Access denied"}));

    let wrong_permissions =
        json!({"error": "Your access token does not have the correct permissions"});
    let finance_only = api.call(Method::GET, &path, Some(&api.finance), None).await;
    assert_eq!(finance_only.status, 403);
    assert_eq!(finance_only.body, wrong_permissions);

    let read_only_list = api.call(Method::GET, &path, Some(&api.ro), None).await;
    assert_eq!(read_only_list.status, 200);
    let read_only_create = api
        .call(Method::POST, &path, Some(&api.ro), Some(body))
        .await;
    assert_eq!(read_only_create.status, 403);
    assert_eq!(read_only_create.body, wrong_permissions);
    let read_only_delete = api
        .call(
            Method::DELETE,
            &format!("{TOKENS}/1.json"),
            Some(&api.ro),
            None,
        )
        .await;
    assert_eq!(read_only_delete.status, 403);
    assert_eq!(api.get(&format!("{TOKENS}/1.json")).await.status, 200);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::simulated(Utc.with_ymd_and_hms(2025, 1, 15, 10, 0, 0).unwrap());
    let mut book = Book::open(&dir.path().join("expiry.book"), clock.clone()).unwrap();
    let made = dispatch(
        &mut book,
        &Actor::new("test"),
        "create_access_token",
        json!({"name": "short-lived", "scopes": ["account_management"], "permission": "ro",
               "expires_at": "2025-01-16T10:00:00Z"}),
    )
    .unwrap();
    let value = made["value"].as_str().unwrap().to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = counterfoil_server::app(counterfoil_server::AppState::new(book, None));
    tokio::spawn(counterfoil_server::serve(listener, router));
    let client = reqwest::Client::new();
    let get = |value: String| {
        let request = client.get(format!("{base}{TOKENS}.json?access_token={value}"));
        async move { answer(request.send().await.unwrap()).await }
    };

    let before = get(value.clone()).await;
    assert_eq!(before.status, 200);
    assert_eq!(
        before.body["access_tokens"][0]["access_token"]["expires_at"],
        "2025-01-16T10:00:00Z"
    );
    clock.set(Utc.with_ymd_and_hms(2025, 1, 16, 10, 0, 0).unwrap());
    let after = get(value).await;
    assert_eq!(after.status, 403);
    assert_eq!(after.body, json!({"error": "Access denied"}));
}
