//! Orb's event routes over a real socket (docs/events.md, docs/orb-api.md): ingest with
//! debug, duplicates, refusals listed with a 200, amend both ways, deprecate, search, volume;
//! Orb's error bodies for a missing or narrow token, an unknown path and a wrong method.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::Api;
use serde_json::{json, Value};

struct Orb {
    api: Api,
    customer: String,
}

impl Orb {
    async fn start() -> Orb {
        let api = Api::start().await;
        let services = api.rpc("list_services", json!({})).await;
        let plan = api
            .rpc(
                "create_plan",
                json!({"service_id": services["items"][0]["id"], "name": "Tokens",
                       "setup_fee": "0", "cost_per_month": "0", "trial_period_days": 0,
                       "state": "published"}),
            )
            .await;
        let account = api.rpc("create_account", json!({"org_name": "Acme"})).await;
        api.rpc(
            "subscribe",
            json!({"account_id": account["id"], "plan_id": plan["id"], "name": "Acme app"}),
        )
        .await;
        api.rpc(
            "set_external_customer_id",
            json!({"account_id": account["id"], "external_customer_id": "acme"}),
        )
        .await;
        // The subscription began at 10:00; the events below are of that day's afternoon.
        api.rpc("advance_clock", json!({"to": "2025-01-15T18:00:00Z"}))
            .await;
        let customer = account["id"].as_str().unwrap().to_owned();
        Orb { api, customer }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .api
            .client
            .request(method, format!("{}/orb/v1{path}", self.api.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(
            reqwest::Method::POST,
            path,
            Some(&self.api.finance),
            Some(body),
        )
        .await
    }
}

fn event(key: &str, at: &str, tokens: i64) -> Value {
    json!({"idempotency_key": key, "event_name": "completion", "timestamp": at,
           "external_customer_id": "acme", "properties": {"tokens": tokens}})
}

#[tokio::test]
async fn a_batch_is_answered_200_with_its_refusals_and_duplicates_are_never_counted_twice() {
    let orb = Orb::start().await;
    let (status, answer) = orb
        .post(
            "/ingest?debug=true",
            json!({"events": [
                event("e1", "2025-01-15T13:00:00Z", 100),
                event("e2", "2025-01-15T13:30:00.500Z", 50),
                event("e1", "2025-01-15T13:45:00Z", 1),
                {"idempotency_key": "bad", "event_name": "completion",
                 "timestamp": "2025-01-16T00:00:00Z", "customer_id": "404404"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["debug"],
        json!({"duplicate": ["e1"], "ingested": ["e1", "e2"]})
    );
    assert_eq!(answer["validation_failed"][0]["idempotency_key"], "bad");
    let reasons = answer["validation_failed"][0]["validation_errors"].to_string();
    assert!(
        reasons.contains("the event is in the future")
            && reasons.contains("there is no customer 404404"),
        "{reasons}"
    );

    // Without debug: only the refusals.
    let (_, again) = orb
        .post(
            "/ingest",
            json!({"events": [event("e1", "2025-01-15T13:00:00Z", 100)]}),
        )
        .await;
    assert_eq!(again, json!({"validation_failed": [], "debug": null}));

    let (status, found) = orb
        .post("/events/search", json!({"event_ids": ["e1", "e2"]}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(found["data"][0]["id"], "e1");
    assert_eq!(
        found["data"][0]["properties"]["tokens"], 100,
        "the first version stands"
    );
    assert_eq!(found["data"][0]["customer_id"], orb.customer.as_str());
    assert_eq!(found["data"][0]["external_customer_id"], "acme");
    assert_eq!(found["data"][1]["timestamp"], "2025-01-15T13:30:00.500Z");
    assert_eq!(found["data"][1]["deprecated"], false);
}

#[tokio::test]
async fn amend_both_ways_deprecate_and_count_per_hour() {
    let orb = Orb::start().await;
    orb.post(
        "/ingest",
        json!({"events": [event("e1", "2025-01-15T13:00:00Z", 100), event("e2", "2025-01-15T13:10:00Z", 1)]}),
    )
    .await;
    let amended = json!({"event_name": "completion", "timestamp": "2025-01-15T13:00:00Z",
                         "external_customer_id": "acme", "properties": {"tokens": 120}});
    let (status, answer) = orb
        .send(
            reqwest::Method::PUT,
            "/events/e1/amend",
            Some(&orb.api.finance),
            Some(amended.clone()),
        )
        .await;
    assert_eq!((status, answer), (200, json!({"amended": "e1"})));
    let (status, answer) = orb
        .send(
            reqwest::Method::PUT,
            "/events/e1",
            Some(&orb.api.finance),
            Some(amended),
        )
        .await;
    assert_eq!(
        (status, answer),
        (200, json!({"amended": "e1"})),
        "as Orb's client sends it"
    );
    let (_, found) = orb
        .post("/events/search", json!({"event_ids": ["e1"]}))
        .await;
    assert_eq!(found["data"][0]["properties"]["tokens"], 120);

    let (status, answer) = orb
        .send(
            reqwest::Method::PUT,
            "/events/e2/deprecate",
            Some(&orb.api.finance),
            None,
        )
        .await;
    assert_eq!((status, answer), (200, json!({"deprecated": "e2"})));
    let (status, volume) = orb
        .send(
            reqwest::Method::GET,
            "/events/volume?timeframe_start=2025-01-15T00:00:00Z&timeframe_end=2025-01-16T00:00:00Z",
            Some(&orb.api.finance),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        volume,
        json!({"data": [{"timeframe_start": "2025-01-15T13:00:00Z", "timeframe_end": "2025-01-15T14:00:00Z", "count": 1}]})
    );

    let (status, missing) = orb
        .send(reqwest::Method::PUT, "/events/nope/amend", Some(&orb.api.finance),
              Some(json!({"event_name": "x", "timestamp": "2025-01-15T13:00:00Z", "customer_id": orb.customer})))
        .await;
    assert_eq!(status, 404);
    assert_eq!(missing["title"], "Resource not found");
    let (status, bad) = orb
        .send(
            reqwest::Method::PUT,
            "/events/e1/amend",
            Some(&orb.api.finance),
            Some(json!({"event_name": "", "timestamp": "soon", "customer_id": orb.customer})),
        )
        .await;
    assert_eq!(status, 400);
    let errors = bad["validation_errors"].to_string();
    assert!(
        errors.contains("event_name") && errors.contains("timestamp"),
        "{bad}"
    );
}

#[tokio::test]
async fn refusals_are_orbs_error_bodies() {
    let orb = Orb::start().await;
    let (status, body) = orb
        .send(
            reqwest::Method::POST,
            "/ingest",
            None,
            Some(json!({"events": []})),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(body["status"], 401);
    assert_eq!(body["title"], "Authentication error");
    assert!(body["type"]
        .as_str()
        .unwrap()
        .starts_with("https://docs.withorb.com/reference/error-responses#401"));
    let admin = orb.api.admin.clone();
    let (status, body) = orb
        .send(
            reqwest::Method::POST,
            "/ingest",
            Some(&admin),
            Some(json!({"events": []})),
        )
        .await;
    assert_eq!((status, body["title"].as_str()), (403, Some("Forbidden")));
    let ro = orb.api.ro.clone();
    let (status, _) = orb
        .send(
            reqwest::Method::POST,
            "/ingest",
            Some(&ro),
            Some(json!({"events": []})),
        )
        .await;
    assert_eq!(status, 403, "a read-only token cannot ingest");
    let (status, body) = orb
        .send(
            reqwest::Method::GET,
            "/no/such/path",
            Some(&orb.api.finance),
            None,
        )
        .await;
    assert_eq!((status, body["status"].as_i64()), (404, Some(404)));
    let (status, body) = orb
        .send(
            reqwest::Method::DELETE,
            "/ingest",
            Some(&orb.api.finance),
            None,
        )
        .await;
    assert_eq!((status, body["status"].as_i64()), (405, Some(405)));
    let events: Vec<Value> = (0..501)
        .map(|i| event(&format!("k{i}"), "2025-01-15T13:00:00Z", 1))
        .collect();
    let (status, body) = orb.post("/ingest", json!({ "events": events })).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["validation_errors"].to_string().contains("events"));
    let (status, doc) = orb
        .send(reqwest::Method::GET, "/openapi.json", None, None)
        .await;
    assert_eq!(status, 200);
    for path in [
        "/orb/v1/ingest",
        "/orb/v1/events/{event_id}/amend",
        "/orb/v1/events/{event_id}",
        "/orb/v1/events/{event_id}/deprecate",
        "/orb/v1/events/search",
        "/orb/v1/events/volume",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
}
