//! Bad input is refused, never reshaped, over /rpc and the 3scale API: each refusal is a
//! 4xx JSON answer naming the field, and the book is left as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{buyer, Api};
use serde_json::{json, Value};

/// POSTs `input` to /rpc/`operation`; returns the status, the headers and the JSON body.
async fn rpc(api: &Api, operation: &str, body: String) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = api
        .client
        .post(format!("{}/rpc/{operation}", api.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, headers, body)
}

async fn refused_over_rpc(api: &Api, operation: &str, body: String, field: &str) {
    let (status, _, answer) = rpc(api, operation, body.clone()).await;
    assert_eq!(status, 422, "{operation} {body}: {answer}");
    assert_eq!(answer["code"], "validation", "{operation} {body}: {answer}");
    assert_eq!(answer["field"], field, "{operation} {body}: {answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.starts_with(field) || message.contains(' '),
        "{message}"
    );
}

async fn new_invoice(api: &Api) -> String {
    let acme = buyer(api, "Acme", None).await;
    let invoice = api
        .rpc("create_invoice", json!({"account_id": acme.to_string()}))
        .await;
    invoice["invoice"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn amounts_the_book_cannot_keep_exactly_are_refused_over_rpc() {
    let api = Api::start().await;
    let invoice = new_invoice(&api).await;
    for cost in [
        r#""0.00001""#,
        r#""5e-7""#,
        r#""12.345678901234567890123""#,
        "12.345678901234567890123",
        r#""1_000""#,
        r#""12,50""#,
        r#""NaN""#,
        "true",
    ] {
        let body = format!(r#"{{"invoice_id":"{invoice}","name":"Fee","cost":{cost}}}"#);
        refused_over_rpc(&api, "add_line_item", body, "cost").await;
    }
    let too_many = format!(r#"{{"invoice_id":"{invoice}","name":"Fee","cost":"0.00001"}}"#);
    let (_, _, answer) = rpc(&api, "add_line_item", too_many).await;
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("4 decimal places"),
        "the refusal says how many decimals the book keeps: {answer}"
    );
    for quantity in [r#""0""#, r#""-2""#, "0"] {
        let body = format!(
            r#"{{"invoice_id":"{invoice}","name":"Fee","cost":"1","quantity":{quantity}}}"#
        );
        refused_over_rpc(&api, "add_line_item", body, "quantity").await;
    }
    let lines = api.rpc("get_invoice", json!({"id": invoice})).await;
    assert_eq!(lines["line_items"], json!([]), "nothing was added");

    // A JSON number with decimals is taken exactly as written, not through a float.
    let body = format!(r#"{{"invoice_id":"{invoice}","name":"Fee","cost":12.5}}"#);
    let (status, _, detail) = rpc(&api, "add_line_item", body).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["line_items"][0]["cost"], "12.50");

    let service = api.rpc("create_service", json!({"name": "Maps"})).await;
    let plan = format!(
        r#"{{"service_id":"{}","name":"Pro","setup_fee":"0","cost_per_month":"1_000","trial_period_days":0,"state":"published"}}"#,
        service["id"].as_str().unwrap()
    );
    refused_over_rpc(&api, "create_plan", plan, "cost_per_month").await;
}

#[tokio::test]
async fn control_characters_long_searches_and_nonsense_paging_are_refused_over_rpc() {
    let api = Api::start().await;
    for name in ["\"A\\u0000B\"", "\"Evil\\u001b[31m\"", "\"Pay\\u202eusd\""] {
        refused_over_rpc(
            &api,
            "create_service",
            format!(r#"{{"name":{name}}}"#),
            "name",
        )
        .await;
    }
    // A description may run over several lines.
    let service = api
        .rpc(
            "create_service",
            json!({"name": "Maps", "description": "One\nTwo\tthree"}),
        )
        .await;
    assert_eq!(service["description"], "One\nTwo\tthree");

    let long = "%".repeat(100_000);
    refused_over_rpc(
        &api,
        "list_accounts",
        json!({"search": long}).to_string(),
        "search",
    )
    .await;
    refused_over_rpc(
        &api,
        "list_plans",
        json!({"search": long}).to_string(),
        "search",
    )
    .await;
    refused_over_rpc(
        &api,
        "list_invoices",
        json!({"buyer_query": long}).to_string(),
        "buyer_query",
    )
    .await;
    let found = api
        .rpc("list_accounts", json!({"search": "%".repeat(200)}))
        .await;
    assert_eq!(
        found["total"], 0,
        "a search of 200 characters is still a search"
    );

    for (paging, field) in [
        (json!({"per_page": -1}), "per_page"),
        (json!({"per_page": "abc"}), "per_page"),
        (json!({"per_page": 0}), "per_page"),
        (json!({"per_page": 501}), "per_page"),
        (json!({"page": 0}), "page"),
        (json!({"page": "abc"}), "page"),
        (json!({"page": 1.5}), "page"),
    ] {
        refused_over_rpc(&api, "list_accounts", paging.to_string(), field).await;
        refused_over_rpc(&api, "list_services", paging.to_string(), field).await;
    }
    let page = api
        .rpc("list_accounts", json!({"page": "2", "per_page": 500}))
        .await;
    assert_eq!(
        (page["page"].clone(), page["per_page"].clone()),
        (json!(2), json!(500))
    );
}

#[tokio::test]
async fn the_3scale_api_refuses_the_same_input_naming_the_field() {
    let api = Api::start().await;
    let acme = buyer(&api, "Acme", None).await;
    let created = api
        .post("/api/invoices.json", json!({"account_id": acme}))
        .await;
    let lines = format!(
        "/api/invoices/{}/line_items.json",
        created.body["invoice"]["id"]
    );
    for (body, field) in [
        (json!({"name": "Fee", "cost": "0.00001"}), "cost"),
        (json!({"name": "Fee", "cost": "5e-7"}), "cost"),
        (json!({"name": "Fee", "cost": "1_000"}), "cost"),
        (
            json!({"name": "Fee", "cost": "1", "quantity": "0"}),
            "quantity",
        ),
        (json!({"name": "Fee\u{0}", "cost": "1"}), "name"),
    ] {
        let answer = api.post(&lines, body.clone()).await;
        assert_eq!(answer.status, 422, "{body}: {:?}", answer.body);
        assert!(
            answer.body["errors"][field][0].as_str().is_some(),
            "{body}: {:?}",
            answer.body
        );
    }
    // A number written with more decimals than a float holds is refused, not shortened.
    let raw = api
        .client
        .post(format!("{}{lines}?access_token={}", api.base, api.rw))
        .header("content-type", "application/json")
        .body(r#"{"name":"Fee","cost":12.345678901234567890123}"#)
        .send()
        .await
        .unwrap();
    let answer = common::answer(raw).await;
    assert_eq!(answer.status, 422, "{:?}", answer.body);
    assert!(answer.body["errors"]["cost"][0].is_string());
    let listed = api.get(&lines).await;
    assert_eq!(listed.body["line_items"], json!([]), "nothing was added");

    let service = api
        .post("/admin/api/services.json", json!({"name": "Bad\u{7}Bell"}))
        .await;
    assert_eq!(service.status, 422);
    assert!(service.body["errors"]["name"][0].is_string());
    let service = api
        .post("/admin/api/services.json", json!({"name": "Maps"}))
        .await;
    let plans = format!(
        "/admin/api/services/{}/application_plans.json",
        service.body["service"]["id"]
    );
    let plan = api
        .post(&plans, json!({"name": "Pro", "cost_per_month": "1_000"}))
        .await;
    assert_eq!(plan.status, 422, "{:?}", plan.body);
    assert!(plan.body["errors"]["cost_per_month"][0].is_string());

    // A search longer than the engine takes is refused by name, as over /rpc.
    let long = "%".repeat(201);
    let search = api
        .get(&format!("/api/invoices.json?buyer_query={long}"))
        .await;
    assert_eq!(search.status, 422, "{:?}", search.body);
    assert!(search.body["errors"]["buyer_query"][0].is_string());

    // 3scale's paging is lenient by contract (threescale-api.md §1.6): nonsense is the default.
    let page = api
        .get("/admin/api/accounts.json?page=abc&per_page=-1")
        .await;
    assert_eq!(page.status, 200, "{:?}", page.body);
}

#[tokio::test]
async fn a_token_cannot_revoke_a_token_with_scopes_it_lacks() {
    let api = Api::start().await;
    let tokens = api.get("/admin/api/personal/access_tokens.json").await;
    let finance_only = tokens.body["access_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["access_token"])
        .find(|t| t["scopes"] == json!(["finance"]))
        .unwrap()
        .clone();
    let path = format!(
        "/admin/api/personal/access_tokens/{}.json",
        finance_only["id"]
    );
    let refused = api
        .call(reqwest::Method::DELETE, &path, Some(&api.admin), None)
        .await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.body["error"].as_str().unwrap().contains("scope"));
    let still = api
        .call(
            reqwest::Method::GET,
            "/api/invoices.json",
            Some(&api.finance),
            None,
        )
        .await;
    assert_eq!(still.status, 200, "the finance token still works");
    let revoked = api.delete(&path).await;
    assert_eq!(
        revoked.status, 200,
        "a token holding both scopes may revoke it"
    );
}

#[tokio::test]
async fn every_refusal_is_json_and_json_is_never_cached() {
    let api = Api::start().await;
    let long = "a".repeat(20_000);
    for path in [
        format!("/rpc/list_accounts?{long}"),
        format!("/admin/api/accounts.json?q={long}"),
    ] {
        let answer = common::answer(
            api.client
                .get(format!("{}{path}", api.base))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, 414);
        assert!(answer.content_type.starts_with("application/json"));
        assert!(answer.body["error"].is_string(), "{:?}", answer.body);
    }
    for (method, path, status) in [
        (reqwest::Method::GET, "/rpc/list_accounts", 405),
        (reqwest::Method::GET, "/rpc/", 404),
        (reqwest::Method::POST, "/rpc/", 404),
        (reqwest::Method::POST, "/rpc/list_accounts/extra", 404),
    ] {
        let answer = common::answer(
            api.client
                .request(method.clone(), format!("{}{path}", api.base))
                .header("content-type", "application/json")
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, status, "{method} {path}");
        assert!(
            answer.content_type.starts_with("application/json"),
            "{method} {path}"
        );
        assert!(answer.body.is_object(), "{method} {path}");
    }

    let (_, headers, _) = rpc(&api, "list_accounts", "{}".into()).await;
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let rest = api
        .client
        .get(format!(
            "{}/admin/api/accounts.json?access_token={}",
            api.base, api.rw
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(rest.headers()["cache-control"], "no-store");
}
