//! Usage events (docs/events.md): a batch where each event is taken, a duplicate or refused
//! with every reason and one bad event never refuses the others; a key accepted once, ever;
//! amendments that keep the earlier version; deprecation; search and volume per hour.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use chrono::{Duration, TimeZone, Utc};
use counterfoil_engine::{dispatch, Actor, Book, Clock, ErrorCode};
use serde_json::{json, Value};

struct Fixture {
    _dir: tempfile::TempDir,
    book: Book,
    clock: Clock,
    /// An account subscribed at the start, and one without a subscription.
    customer: String,
    unsubscribed: String,
}

fn start() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap()
}

fn call(
    book: &mut Book,
    operation: &str,
    input: Value,
) -> Result<Value, counterfoil_engine::ApiError> {
    dispatch(book, &Actor::new("ann"), operation, input)
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::simulated(start());
    let mut book = Book::open(&dir.path().join("events.book"), clock.clone()).unwrap();
    let services = call(&mut book, "list_services", json!({})).unwrap();
    let plan = call(
        &mut book,
        "create_plan",
        json!({"service_id": services["items"][0]["id"], "name": "Tokens", "setup_fee": "0",
               "cost_per_month": "0", "trial_period_days": 0, "state": "published"}),
    )
    .unwrap();
    let account = call(&mut book, "create_account", json!({"org_name": "Acme"})).unwrap();
    call(
        &mut book,
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "Acme app"}),
    )
    .unwrap();
    let other = call(&mut book, "create_account", json!({"org_name": "Idle"})).unwrap();
    clock.set(start() + Duration::days(2));
    Fixture {
        _dir: dir,
        book,
        clock,
        customer: account["id"].as_str().unwrap().to_owned(),
        unsubscribed: other["id"].as_str().unwrap().to_owned(),
    }
}

fn event(key: &str, customer: &str, at: &str, tokens: i64) -> Value {
    json!({"idempotency_key": key, "event_name": "completion", "timestamp": at,
           "customer_id": customer, "properties": {"tokens": tokens, "region": "eu"}})
}

#[test]
fn a_batch_takes_each_good_event_once_and_lists_every_reason_for_the_others() {
    let mut f = fixture();
    let c = f.customer.clone();
    let report = call(
        &mut f.book,
        "ingest_events",
        json!({"events": [
            event("a", &c, "2025-03-04T10:00:00Z", 10),
            event("b", &c, "2025-03-04T10:30:00.250Z", 20),
            event("a", &c, "2025-03-04T11:00:00Z", 99),
            {"event_name": "", "timestamp": "2025-03-09T00:00:00Z", "customer_id": "999",
             "properties": {"nested": {"no": 1}}},
            event("early", &c, "2025-03-01T00:00:00Z", 1),
            event("idle", &f.unsubscribed, "2025-03-04T10:00:00Z", 1),
            {"idempotency_key": "alias", "event_name": "completion",
             "timestamp": "2025-03-04T10:00:00", "external_customer_id": "nobody"},
        ]}),
    )
    .unwrap();
    assert_eq!(report["ingested"], json!(["a", "b"]));
    assert_eq!(
        report["duplicate"],
        json!(["a"]),
        "a key twice in one batch counts once"
    );
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(
        refused
            .iter()
            .map(|r| r["index"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![3, 4, 5, 6]
    );
    let reasons = |i: usize| -> Vec<String> {
        refused[i]["validation_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_owned())
            .collect()
    };
    let all = reasons(0).join(" | ");
    for expected in [
        "idempotency_key: an event needs an idempotency key.",
        "event_name: an event needs a name.",
        "timestamp: the event is in the future.",
        "properties: values are numbers, booleans, strings or null; \"nested\" is not.",
        "customer_id: there is no customer 999.",
    ] {
        assert!(all.contains(expected), "{expected} in {all}");
    }
    assert!(reasons(1)[0].starts_with(
        "timestamp: the event is before the customer's subscription began (2025-03-03T09:00:00Z)"
    ));
    assert_eq!(
        reasons(2),
        vec!["customer_id: the customer has no subscription to bill the event on."]
    );
    assert_eq!(
        reasons(3),
        vec!["external_customer_id: no customer is known as \"nobody\"."]
    );

    // Sent again (a client's retry): every key is a duplicate, nothing counts twice.
    let again = call(
        &mut f.book,
        "ingest_events",
        json!({"events": [event("a", &c, "2025-03-04T10:00:00Z", 10), event("b", &c, "2025-03-04T10:30:00Z", 20)]}),
    )
    .unwrap();
    assert_eq!(again["ingested"], json!([]));
    assert_eq!(again["duplicate"], json!(["a", "b"]));
    let found = call(
        &mut f.book,
        "search_events",
        json!({"event_ids": ["b", "a", "zzz"]}),
    )
    .unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["id"], "b");
    assert_eq!(found[0]["timestamp"], "2025-03-04T10:30:00.250Z");
    assert_eq!(
        found[1]["properties"]["tokens"], 10,
        "the first version, not the repeat"
    );
}

#[test]
fn a_batch_of_more_than_500_is_refused_whole() {
    let mut f = fixture();
    let c = f.customer.clone();
    let events: Vec<Value> = (0..501)
        .map(|i| event(&format!("k{i}"), &c, "2025-03-04T10:00:00Z", 1))
        .collect();
    let refused = call(&mut f.book, "ingest_events", json!({ "events": events })).unwrap_err();
    assert_eq!(refused.code, ErrorCode::Validation);
    assert_eq!(refused.field.as_deref(), Some("events"));
    let none = call(&mut f.book, "search_events", json!({})).unwrap();
    assert_eq!(none, json!([]));
}

#[test]
fn an_event_named_by_the_customers_alias_is_its() {
    let mut f = fixture();
    let c = f.customer.clone();
    call(
        &mut f.book,
        "set_external_customer_id",
        json!({"account_id": c, "external_customer_id": "acme-eu"}),
    )
    .unwrap();
    let taken = call(
        &mut f.book,
        "ingest_events",
        json!({"events": [{"idempotency_key": "x1", "event_name": "completion",
                            "timestamp": "2025-03-04T12:00:00Z", "external_customer_id": "acme-eu",
                            "properties": {"tokens": 5}}]}),
    )
    .unwrap();
    assert_eq!(taken["ingested"], json!(["x1"]));
    let event = call(&mut f.book, "get_event", json!({"id": "x1"})).unwrap();
    assert_eq!(event["customer_id"], c.as_str());
    assert_eq!(event["external_customer_id"], "acme-eu");
    // An alias names one account.
    let other = f.unsubscribed.clone();
    let taken_alias = call(
        &mut f.book,
        "set_external_customer_id",
        json!({"account_id": other, "external_customer_id": "acme-eu"}),
    )
    .unwrap_err();
    assert_eq!(taken_alias.field.as_deref(), Some("external_customer_id"));
}

#[test]
fn an_amended_event_keeps_its_earlier_version_and_a_deprecated_one_counts_for_nothing() {
    let mut f = fixture();
    let c = f.customer.clone();
    call(
        &mut f.book,
        "ingest_events",
        json!({"events": [event("a", &c, "2025-03-04T10:00:00Z", 10)]}),
    )
    .unwrap();
    let amended = call(
        &mut f.book,
        "amend_event",
        json!({"id": "a", "event_name": "completion", "timestamp": "2025-03-04T10:00:00Z",
               "customer_id": c, "properties": {"tokens": 12, "region": "eu"}}),
    )
    .unwrap();
    assert_eq!(amended["version"], 2);
    assert_eq!(amended["properties"]["tokens"], 12);
    let kept: String = rusqlite::Connection::open(f.book.path())
        .unwrap()
        .query_row(
            "SELECT properties FROM event_versions WHERE version = 1",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        kept, r#"{"tokens":10,"region":"eu"}"#,
        "the earlier version is kept"
    );
    let audit = call(&mut f.book, "list_audit", json!({"per_page": 100})).unwrap();
    let text = audit.to_string();
    assert!(text.contains("amend_event"), "the amendment is audited");
    assert!(
        text.contains("\\\"tokens\\\":10") || text.contains("\"tokens\":10"),
        "with what it said before"
    );

    let bad = call(
        &mut f.book,
        "amend_event",
        json!({"id": "a", "event_name": "", "timestamp": "next week", "customer_id": c}),
    )
    .unwrap_err();
    let fields: Vec<String> = bad.field_errors().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, vec!["event_name", "timestamp"], "{bad:?}");
    let missing = call(
        &mut f.book,
        "amend_event",
        json!({"id": "nope", "event_name": "x",
        "timestamp": "2025-03-04T10:00:00Z", "customer_id": c}),
    )
    .unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);

    let deprecated = call(&mut f.book, "deprecate_event", json!({"id": "a"})).unwrap();
    assert_eq!(deprecated["deprecated"], true);
    let volume = call(
        &mut f.book,
        "event_volume",
        json!({"timeframe_start": "2025-03-04T00:00:00Z", "timeframe_end": "2025-03-05T00:00:00Z"}),
    )
    .unwrap();
    assert_eq!(volume, json!([]), "a deprecated event is not counted");
    let again = call(
        &mut f.book,
        "ingest_events",
        json!({"events": [event("a", &c, "2025-03-04T10:00:00Z", 10)]}),
    )
    .unwrap();
    assert_eq!(
        again["duplicate"],
        json!(["a"]),
        "its key stays taken, ever"
    );
    let refused = call(
        &mut f.book,
        "amend_event",
        json!({"id": "a", "event_name": "completion",
        "timestamp": "2025-03-04T10:00:00Z", "customer_id": c}),
    )
    .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
}

#[test]
fn search_by_timeframe_is_newest_first_and_volume_counts_per_hour() {
    let mut f = fixture();
    let c = f.customer.clone();
    call(
        &mut f.book,
        "ingest_events",
        json!({"events": [
            event("h10a", &c, "2025-03-04T10:05:00Z", 1),
            event("h10b", &c, "2025-03-04T10:55:00Z", 1),
            event("h12", &c, "2025-03-04T12:00:00Z", 1),
        ]}),
    )
    .unwrap();
    // The default window is the week before the book's now.
    let all = call(&mut f.book, "search_events", json!({})).unwrap();
    let keys: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["h12", "h10b", "h10a"]);
    let window = call(
        &mut f.book,
        "search_events",
        json!({"timeframe_start": "2025-03-04T10:00:00Z", "timeframe_end": "2025-03-04T11:00:00Z"}),
    )
    .unwrap();
    assert_eq!(window.as_array().unwrap().len(), 2);
    let volume = call(
        &mut f.book,
        "event_volume",
        json!({"timeframe_start": "2025-03-04T00:00:00Z", "timeframe_end": "2025-03-05T00:00:00Z"}),
    )
    .unwrap();
    assert_eq!(
        volume,
        json!([
            {"timeframe_start": "2025-03-04T10:00:00Z", "timeframe_end": "2025-03-04T11:00:00Z", "count": 2},
            {"timeframe_start": "2025-03-04T12:00:00Z", "timeframe_end": "2025-03-04T13:00:00Z", "count": 1},
        ])
    );
    f.clock.set(start() + Duration::days(30));
    let later = call(&mut f.book, "search_events", json!({})).unwrap();
    assert_eq!(
        later,
        json!([]),
        "a month after, the default window holds none"
    );
}

fn metric(f: &mut Fixture, input: Value) -> Value {
    call(&mut f.book, "create_billable_metric", input).unwrap()
}

fn quantity(f: &mut Fixture, metric: &Value) -> Value {
    let customer = f.customer.clone();
    call(
        &mut f.book,
        "metric_quantity",
        json!({"metric_id": metric["id"], "customer_id": customer,
               "timeframe_start": "2025-03-04T00:00:00Z", "timeframe_end": "2025-03-05T00:00:00Z"}),
    )
    .unwrap()
}

#[test]
fn billable_metrics_add_the_events_up_exactly_by_name_and_property() {
    let mut f = fixture();
    let c = f.customer.clone();
    let with = |key: &str, at: &str, props: Value| {
        json!({"idempotency_key": key, "event_name": "completion", "timestamp": at,
               "customer_id": c, "properties": props})
    };
    call(
        &mut f.book,
        "ingest_events",
        json!({"events": [
            with("a", "2025-03-04T10:00:00Z", json!({"tokens": 1000, "region": "eu", "user": "ann", "seats": 3})),
            with("b", "2025-03-04T11:00:00Z", json!({"tokens": "0.000002", "region": "eu", "user": "bob", "seats": 5})),
            with("c", "2025-03-04T12:00:00Z", json!({"tokens": 250, "region": "us", "user": "ann", "seats": 4})),
            with("d", "2025-03-04T13:00:00Z", json!({"tokens": 7, "region": "eu", "user": "ann"})),
            // Outside the day, another name, deprecated: none counts.
            with("e", "2025-03-05T10:00:00Z", json!({"tokens": 9, "region": "eu"})),
            {"idempotency_key": "f", "event_name": "embedding", "timestamp": "2025-03-04T10:00:00Z",
             "customer_id": c, "properties": {"tokens": 9, "region": "eu"}},
            with("g", "2025-03-04T14:00:00Z", json!({"tokens": 100000, "region": "eu"})),
        ]}),
    )
    .unwrap();
    call(&mut f.book, "deprecate_event", json!({"id": "g"})).unwrap();

    let eu_tokens = metric(
        &mut f,
        json!({"name": "EU tokens", "event_name": "completion", "aggregation": "sum",
               "property": "tokens", "filters": {"region": "eu"}}),
    );
    assert_eq!(
        eu_tokens["sql"],
        "SELECT sum(tokens) FROM events WHERE event_name = 'completion' AND region = 'eu'"
    );
    assert_eq!(
        quantity(&mut f, &eu_tokens),
        json!({"quantity": "1007.000002", "events": 3})
    );

    let count = metric(
        &mut f,
        json!({"name": "Calls", "event_name": "completion", "aggregation": "count"}),
    );
    assert_eq!(
        count["sql"],
        "SELECT count(*) FROM events WHERE event_name = 'completion'"
    );
    assert_eq!(quantity(&mut f, &count)["quantity"], "4");

    let max = metric(
        &mut f,
        json!({"name": "Peak", "event_name": "completion", "aggregation": "max", "property": "tokens"}),
    );
    assert_eq!(quantity(&mut f, &max)["quantity"], "1000");

    let users = metric(
        &mut f,
        json!({"name": "Users", "event_name": "completion", "aggregation": "unique_count", "property": "user"}),
    );
    assert_eq!(
        users["sql"],
        "SELECT count(DISTINCT user) FROM events WHERE event_name = 'completion'"
    );
    assert_eq!(quantity(&mut f, &users)["quantity"], "2");

    let seats = metric(
        &mut f,
        json!({"name": "Seats", "event_name": "completion", "aggregation": "latest", "property": "seats"}),
    );
    assert_eq!(
        quantity(&mut f, &seats)["quantity"],
        "4",
        "the latest event that has seats"
    );

    // An amended event counts as it says now.
    call(
        &mut f.book,
        "amend_event",
        json!({"id": "d", "event_name": "completion", "timestamp": "2025-03-04T13:00:00Z",
               "customer_id": c, "properties": {"tokens": 8, "region": "eu"}}),
    )
    .unwrap();
    assert_eq!(quantity(&mut f, &eu_tokens)["quantity"], "1008.000002");

    let listed = call(&mut f.book, "list_billable_metrics", json!({})).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 5);
}

#[test]
fn a_metric_is_refused_with_every_bad_field_named() {
    let mut f = fixture();
    let refused = call(
        &mut f.book,
        "create_billable_metric",
        json!({"name": " ", "event_name": "completion", "aggregation": "sum",
               "filters": {"region": {"nested": true}}}),
    )
    .unwrap_err();
    let fields: Vec<String> = refused
        .field_errors()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, vec!["name", "property", "filters"], "{refused:?}");
    let missing = call(&mut f.book, "get_billable_metric", json!({"id": "99"})).unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);
    let odd = metric(
        &mut f,
        json!({"name": "Odd", "event_name": "it's", "aggregation": "max", "property": "response time",
               "filters": {"tier": 2, "beta": true}}),
    );
    assert_eq!(
        odd["sql"],
        "SELECT max(\"response time\") FROM events WHERE event_name = 'it''s' AND tier = 2 AND beta = true"
    );
}
