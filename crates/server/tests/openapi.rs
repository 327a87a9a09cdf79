//! `/api/openapi.json` is OpenAPI 3.1 and describes only routes the server serves: every
//! documented operation exists (without a token it is refused with 403, never a 404 or 405).
//! Routes and document come from the same declarations (src/endpoint.rs), so the paths
//! checked here are the declared ones, with no list kept by hand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::Api;

#[tokio::test]
async fn every_documented_operation_is_served() {
    let api = Api::start().await;
    let doc = api
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.len() >= 40, "only {} paths documented", paths.len());
    let mut checked = 0;
    for (path, operations) in paths {
        // Clients always send .json; the one answer that is no JSON is an invoice's PDF.
        assert!(
            path.ends_with(".json") || path == "/api/invoices/{id}/pdf",
            "{path}: clients always send .json"
        );
        if path == "/api/openapi.json" {
            continue;
        }
        let concrete = path
            .split('/')
            .map(|segment| match segment.find('{') {
                Some(at) => format!(
                    "{}1{}",
                    &segment[..at],
                    &segment[segment.find('}').unwrap() + 1..]
                ),
                None => segment.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in operations.as_object().unwrap() {
            assert_common_parts_documented(path, method, operation);
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let answer = api.call(method.clone(), &concrete, None, None).await;
            assert_eq!(
                (answer.status, &answer.body["error"]),
                (403, &serde_json::json!("Access denied")),
                "{method} {concrete} is documented but not served as documented"
            );
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} operations checked");
}

/// What every 3scale endpoint shares is in its entry: the token, 403, 404 where a path names
/// a thing, 422 where a request writes.
fn assert_common_parts_documented(path: &str, method: &str, operation: &serde_json::Value) {
    let token = operation["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|parameter| parameter["name"] == "access_token")
        .unwrap_or_else(|| panic!("{method} {path}: no access_token parameter"));
    assert_eq!(token["in"], "query", "{method} {path}");
    let responses = &operation["responses"];
    let mut expected = vec!["403"];
    if path.contains('{') {
        expected.push("404");
    }
    if method != "get" {
        expected.push("422");
    }
    for status in expected {
        assert!(
            responses.get(status).is_some(),
            "{method} {path}: no {status} documented"
        );
    }
}
