//! Every operation through the public dispatcher, as a user of the API sees it: successes,
//! and each validation failure with the field it names. A refused operation must change
//! nothing: `refused` checks that the audit log did not grow.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{TimeZone, Utc};
use common::Fixture;
use counterfoil_engine::ErrorCode;
use serde_json::{json, Value};

#[test]
fn unknown_operations_and_malformed_inputs_are_clear_errors() {
    let mut f = Fixture::new();
    let error = f.refused("no_such_thing", json!({}), ErrorCode::NotFound, None);
    assert!(error.message.contains("no_such_thing"));
    let error = f.refused(
        "create_plan",
        json!({"name": "x"}),
        ErrorCode::Validation,
        Some("service_id"),
    );
    assert_eq!(error.message, "service_id is required.");
    let service = f.service("API");
    let error = f.refused(
        "create_plan",
        json!({"service_id": service["id"], "name": "Pro", "setup_fee": "abc",
               "cost_per_month": "1", "trial_period_days": 0, "state": "published"}),
        ErrorCode::Validation,
        Some("setup_fee"),
    );
    assert_eq!(error.message, "setup_fee must be a number such as 12.50.");
    // A JSON number with decimals is a binary float by the time it arrives: asked as text.
    let error = f.refused(
        "create_plan",
        json!({"service_id": service["id"], "name": "Pro", "setup_fee": 0.1,
               "cost_per_month": "1", "trial_period_days": 0, "state": "published"}),
        ErrorCode::Validation,
        Some("setup_fee"),
    );
    assert_eq!(
        error.message,
        "setup_fee must be written as text, e.g. \"12.50\", so that it is kept exactly."
    );
    let plan = f.ok(
        "create_plan",
        json!({"service_id": service["id"], "name": "Whole", "setup_fee": 5,
               "cost_per_month": "1e1", "trial_period_days": 0, "state": "published"}),
    );
    assert_eq!(
        (plan["setup_fee"].clone(), plan["cost_per_month"].clone()),
        (json!("5.00"), json!("10.00"))
    );
    for (paging, message) in [
        (
            json!({"page": 1.5}),
            "page must be a whole number of 1 or more.",
        ),
        (
            json!({"per_page": 0}),
            "per_page must be a whole number from 1 to 500.",
        ),
        (
            json!({"per_page": "lots"}),
            "per_page must be a whole number from 1 to 500.",
        ),
    ] {
        let field = paging.as_object().unwrap().keys().next().unwrap().clone();
        let error = f.refused("list_accounts", paging, ErrorCode::Validation, Some(&field));
        assert_eq!(error.message, message);
    }
    let error = f.refused(
        "create_plan",
        json!({"service_id": service["id"], "name": "Pro", "setup_fee": "1",
               "cost_per_month": "1", "trial_period_days": -1, "state": "published"}),
        ErrorCode::Validation,
        Some("trial_period_days"),
    );
    assert_eq!(
        error.message,
        "trial_period_days must be a whole number of 0 or more."
    );
    f.refused(
        "get_account",
        json!({"id": "twelve"}),
        ErrorCode::Validation,
        Some("id"),
    );
}

#[test]
fn settings_read_and_update() {
    let mut f = Fixture::new();
    let mut settings = f.ok("get_settings", json!(null));
    assert_eq!(settings["currency"], "EUR");
    assert_eq!(settings["billing_mode"], "postpaid");
    settings["org_name"] = json!("Acme APIs GmbH");
    settings["currency"] = json!("usd");
    settings["address"]["country"] = json!("Germany");
    settings["numbering"] = json!("yearly");
    let updated = f.ok("update_settings", settings.clone());
    assert_eq!(updated["currency"], "USD", "currency codes are upper-cased");
    assert_eq!(f.ok("get_settings", json!({})), updated);

    for (change, field) in [
        (json!({"currency": "EURO"}), "currency"),
        (json!({"currency": "E1R"}), "currency"),
        (json!({"org_name": "  "}), "org_name"),
        (json!({"billing_mode": "weekly"}), "billing_mode"),
        (
            json!({"invoice_footnote": "x".repeat(2001)}),
            "invoice_footnote",
        ),
    ] {
        let mut bad = settings.clone();
        bad.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        f.refused("update_settings", bad, ErrorCode::Validation, Some(field));
    }
}

#[test]
fn services_come_with_hits_and_guard_their_names() {
    let mut f = Fixture::new();
    let service = f.service("Weather API (EU)");
    assert_eq!(service["system_name"], "weather_api_eu");
    assert!(service["id"].is_string(), "ids cross as strings");
    let metrics = f.ok("list_metrics", json!({"service_id": service["id"]}));
    assert_eq!(metrics.as_array().unwrap().len(), 1);
    assert_eq!(metrics[0]["system_name"], "hits");

    f.refused(
        "create_service",
        json!({"name": "Again", "system_name": "weather_api_eu"}),
        ErrorCode::Validation,
        Some("system_name"),
    );
    f.refused(
        "create_service",
        json!({"name": "Bad", "system_name": "has space"}),
        ErrorCode::Validation,
        Some("system_name"),
    );
    f.refused(
        "create_service",
        json!({"name": ""}),
        ErrorCode::Validation,
        Some("name"),
    );

    let renamed = f.ok(
        "update_service",
        json!({"id": service["id"], "name": "Weather"}),
    );
    assert_eq!(renamed["name"], "Weather");
    assert_eq!(
        renamed["system_name"], "weather_api_eu",
        "system names never change"
    );
    f.refused(
        "update_service",
        json!({"id": "999", "name": "X"}),
        ErrorCode::NotFound,
        None,
    );

    let page = f.ok("list_services", json!({}));
    assert_eq!(page["total"], 1);
    f.ok("delete_service", json!({"id": service["id"]}));
    f.refused(
        "get_service",
        json!({"id": service["id"]}),
        ErrorCode::NotFound,
        None,
    );
}

#[test]
fn metrics_and_methods() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let hits = f.hits(&service);
    let storage = f.ok(
        "create_metric",
        json!({"service_id": service["id"], "friendly_name": "Storage", "unit": "GB"}),
    );
    assert_eq!(storage["system_name"], "storage");
    let method = f.ok(
        "create_metric",
        json!({"service_id": service["id"], "parent_id": hits["id"],
        "friendly_name": "Get forecast", "system_name": "get_forecast", "unit": "call"}),
    );
    assert_eq!(method["parent_id"], hits["id"]);
    let listed = f.ok("list_metrics", json!({"service_id": service["id"]}));
    let names: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["system_name"].clone())
        .collect();
    assert_eq!(
        names,
        [json!("hits"), json!("get_forecast"), json!("storage")],
        "hits first, each metric followed by its methods"
    );

    f.refused(
        "create_metric",
        json!({"service_id": service["id"], "parent_id": storage["id"],
        "friendly_name": "Upload", "unit": "call"}),
        ErrorCode::Validation,
        Some("parent_id"),
    );
    f.refused(
        "create_metric",
        json!({"service_id": service["id"], "friendly_name": "Storage",
        "unit": "GB"}),
        ErrorCode::Validation,
        Some("system_name"),
    );
    f.refused(
        "create_metric",
        json!({"service_id": service["id"], "friendly_name": "Disk",
        "unit": ""}),
        ErrorCode::Validation,
        Some("unit"),
    );
    f.refused(
        "delete_metric",
        json!({"id": hits["id"]}),
        ErrorCode::InvalidState,
        None,
    );

    let updated = f.ok(
        "update_metric",
        json!({"id": storage["id"], "friendly_name": "Disk",
        "unit": "GiB"}),
    );
    assert_eq!(
        (updated["friendly_name"].as_str(), updated["unit"].as_str()),
        (Some("Disk"), Some("GiB"))
    );
    f.ok("delete_metric", json!({"id": method["id"]}));
    assert_eq!(
        f.ok("list_metrics", json!({"service_id": service["id"]}))
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn plans_validate_money_and_names() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let plan = f.plan(&service, "Pro Plan", 14);
    assert_eq!(plan["system_name"], "pro_plan");
    assert_eq!(
        plan["setup_fee"], "10.00",
        "amounts cross as strings, with at least 2 decimals"
    );
    assert_eq!(plan["cost_per_month"], "99.50");
    assert_eq!(plan["is_default"], false);

    let base = json!({"service_id": service["id"], "name": "Basic", "setup_fee": "0",
        "cost_per_month": "10", "trial_period_days": 0, "state": "hidden"});
    for (change, field) in [
        (json!({"name": " "}), "name"),
        (json!({"setup_fee": "-1"}), "setup_fee"),
        (json!({"cost_per_month": "1.23456"}), "cost_per_month"),
        (json!({"trial_period_days": 4000}), "trial_period_days"),
        (json!({"service_id": "424242"}), "service_id"),
        (json!({"system_name": "pro_plan"}), "system_name"),
        (json!({"state": "visible"}), "state"),
    ] {
        let mut bad = base.clone();
        bad.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        f.refused("create_plan", bad, ErrorCode::Validation, Some(field));
    }
    let basic = f.ok("create_plan", base.clone());
    assert_eq!(basic["cost_per_month"], "10.00");

    let updated = f.ok(
        "update_plan",
        json!({"id": plan["id"], "name": "Pro", "setup_fee": "0",
        "cost_per_month": "120.1234", "trial_period_days": 30, "state": "published"}),
    );
    assert_eq!(updated["cost_per_month"], "120.1234");
    assert_eq!(updated["system_name"], "pro_plan");

    f.ok("make_default_plan", json!({"id": plan["id"]}));
    f.ok("make_default_plan", json!({"id": basic["id"]}));
    let defaults: Vec<_> = f.ok("list_plans", json!({"service_id": service["id"]}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["is_default"] == true)
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(defaults, [json!("Basic")], "one default plan per service");

    let by_id: Vec<i64> = f.ok(
        "list_plans",
        json!({"service_id": service["id"], "order_by_id": true}),
    )["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut sorted = by_id.clone();
    sorted.sort_unstable();
    assert!(by_id.len() > 1);
    assert_eq!(by_id, sorted, "order_by_id lists oldest first");

    let found = f.ok("list_plans", json!({"search": "PRO_PLAN"}));
    assert_eq!(found["total"], 1);
    assert_eq!(
        f.ok("list_plans", json!({"state": "hidden"}))["items"][0]["name"],
        "Basic"
    );

    let account = f.account("Buyer");
    f.ok(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "App"}),
    );
    f.refused(
        "delete_plan",
        json!({"id": plan["id"]}),
        ErrorCode::Conflict,
        None,
    );
    f.refused(
        "delete_service",
        json!({"id": service["id"]}),
        ErrorCode::Conflict,
        None,
    );
    f.ok("delete_plan", json!({"id": basic["id"]}));
    f.refused(
        "get_plan",
        json!({"id": basic["id"]}),
        ErrorCode::NotFound,
        None,
    );
}

#[test]
fn pricing_rules_are_graduated_ranges_that_never_overlap() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let other_service = f.service("Other");
    let hits = f.hits(&service);
    let foreign_hits = f.hits(&other_service);
    let plan = f.plan(&service, "Pro", 0);
    let rule = |min: i64, max: Value, cost: &str| json!({"plan_id": plan["id"], "metric_id": hits["id"], "min": min, "max": max, "cost_per_unit": cost});
    let first = f.ok("create_pricing_rule", rule(1, json!(10), "4"));
    f.ok("create_pricing_rule", rule(11, json!(20), "3"));
    f.ok("create_pricing_rule", rule(21, json!(null), "0.0025"));

    let error = f.refused(
        "create_pricing_rule",
        rule(15, json!(30), "1"),
        ErrorCode::Validation,
        Some("min"),
    );
    assert!(error.message.contains("11–20"), "{}", error.message);
    let error = f.refused(
        "create_pricing_rule",
        rule(100, json!(null), "1"),
        ErrorCode::Validation,
        Some("min"),
    );
    assert!(error.message.contains("21–∞"), "{}", error.message);
    f.refused(
        "create_pricing_rule",
        rule(0, json!(5), "1"),
        ErrorCode::Validation,
        Some("min"),
    );
    f.refused(
        "create_pricing_rule",
        rule(50, json!(40), "1"),
        ErrorCode::Validation,
        Some("max"),
    );
    f.refused(
        "create_pricing_rule",
        rule(1, json!(1), "0.00001"),
        ErrorCode::Validation,
        Some("cost_per_unit"),
    );
    f.refused(
        "create_pricing_rule",
        rule(1, json!(1), "-2"),
        ErrorCode::Validation,
        Some("cost_per_unit"),
    );
    let mut foreign = rule(1, json!(5), "1");
    foreign["metric_id"] = foreign_hits["id"].clone();
    f.refused(
        "create_pricing_rule",
        foreign,
        ErrorCode::Validation,
        Some("metric_id"),
    );

    let rules = f.ok("list_pricing_rules", json!({"plan_id": plan["id"]}));
    assert_eq!(rules.as_array().unwrap().len(), 3);
    assert_eq!(rules[2]["max"], Value::Null, "open-ended rule");
    assert_eq!(rules[2]["cost_per_unit"], "0.0025");

    f.ok("delete_pricing_rule", json!({"id": first["id"]}));
    f.ok("create_pricing_rule", rule(1, json!(10), "5"));
}

#[test]
fn accounts_keep_addresses_vat_and_only_the_cards_last_digits() {
    let mut f = Fixture::new();
    let full = json!({
        "org_name": "Müller & Søn GmbH",
        "legal_address": {"line1": "Hauptstraße 5", "city": "Berlin", "zip": "10115", "country": "Germany"},
        "billing_address": {"line1": "Postfach 12", "city": "Berlin", "country": "Germany"},
        "vat_code": "DE123456789", "fiscal_code": "FC-1", "po_number": "PO-77",
        "vat_rate": "19", "monthly_billing_enabled": true, "monthly_charging_enabled": false,
        "card": {"last4": "4242", "expiry_month": 12, "expiry_year": 2030, "gateway_reference": "tok_visa"}
    });
    let account = f.ok("create_account", full.clone());
    assert_eq!(account["org_name"], "Müller & Søn GmbH");
    assert_eq!(account["vat_rate"], "19");
    assert_eq!(account["billing_address"]["line1"], "Postfach 12");
    assert_eq!(account["card"]["last4"], "4242");
    assert_eq!(account["monthly_charging_enabled"], false);

    let plain = f.ok(
        "create_account",
        json!({"org_name": "Łódź Sp. z o.o.", "vat_rate": "0"}),
    );
    assert_eq!(
        plain["vat_rate"], "0",
        "a VAT rate of 0 is kept, distinct from none"
    );
    assert_eq!(plain["billing_address"], Value::Null);
    assert_eq!(
        plain["monthly_billing_enabled"], true,
        "billing is on by default"
    );
    let no_vat = f.account("ООО Ромашка");
    assert_eq!(no_vat["vat_rate"], Value::Null);

    for (change, field) in [
        (json!({"org_name": ""}), "org_name"),
        (json!({"vat_rate": "101"}), "vat_rate"),
        (json!({"vat_rate": "7.125"}), "vat_rate"),
        (json!({"vat_rate": "-1"}), "vat_rate"),
        (json!({"vat_rate": "abc"}), "vat_rate"),
        (
            json!({"legal_address": {"country": "x".repeat(300)}}),
            "legal_address.country",
        ),
        (
            json!({"card": {"last4": "4242424242424242", "expiry_month": 1, "expiry_year": 2030, "gateway_reference": ""}}),
            "card.last4",
        ),
        (
            json!({"card": {"last4": "4242", "expiry_month": 13, "expiry_year": 2030, "gateway_reference": ""}}),
            "card.expiry_month",
        ),
        (
            json!({"card": {"last4": "4242", "expiry_month": 1, "expiry_year": 30, "gateway_reference": ""}}),
            "card.expiry_year",
        ),
        (
            json!({"card": {"last4": "4242", "expiry_month": 1, "expiry_year": 2030, "gateway_reference": "4242 4242 4242 4242"}}),
            "card.gateway_reference",
        ),
    ] {
        let mut bad = full.clone();
        bad.as_object_mut()
            .unwrap()
            .extend(change.as_object().unwrap().clone());
        f.refused(
            "create_account",
            bad.clone(),
            ErrorCode::Validation,
            Some(field),
        );
        bad["id"] = account["id"].clone();
        f.refused("update_account", bad, ErrorCode::Validation, Some(field));
    }

    let mut edit = full.clone();
    edit["id"] = account["id"].clone();
    edit["vat_rate"] = Value::Null;
    edit["card"] = Value::Null;
    let updated = f.ok("update_account", edit);
    assert_eq!(updated["vat_rate"], Value::Null);
    assert_eq!(updated["card"], Value::Null);
    assert_eq!(updated["created_at"], account["created_at"]);

    let found = f.ok("list_accounts", json!({"search": "müller"}));
    assert_eq!(found["total"], 1);
    let found = f.ok("list_accounts", json!({"search": "ромашка"}));
    assert_eq!(
        found["items"][0]["org_name"], "ООО Ромашка",
        "search folds non-ASCII case too"
    );
    let found = f.ok("list_accounts", json!({"search": "DE1234"}));
    assert_eq!(found["items"][0]["id"], account["id"]);
    let all = f.ok("list_accounts", json!({"per_page": 2, "page": 2}));
    assert_eq!(
        (
            all["total"].as_i64(),
            all["items"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );
    let past_the_end = f.ok("list_accounts", json!({"per_page": 2, "page": 9}));
    assert_eq!(past_the_end["items"], json!([]));

    f.ok("delete_account", json!({"id": plain["id"]}));
    f.refused(
        "get_account",
        json!({"id": plain["id"]}),
        ErrorCode::NotFound,
        None,
    );
}

#[test]
fn applications_subscribe_change_plan_and_cancel() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let other = f.service("Other");
    let trial_plan = f.plan(&service, "Trial", 14);
    let pro = f.plan(&service, "Pro", 0);
    let foreign = f.plan(&other, "Foreign", 0);
    let account = f.account("Buyer");

    let app = f.ok(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": trial_plan["id"], "name": "Mobile"}),
    );
    assert_eq!(app["state"], "live");
    assert_eq!(app["created_at"], "2025-03-10T12:00:00Z");
    assert_eq!(app["trial_ends_at"], "2025-03-24T12:00:00Z");
    f.refused(
        "subscribe",
        json!({"account_id": "999", "plan_id": pro["id"], "name": "X"}),
        ErrorCode::Validation,
        Some("account_id"),
    );
    f.refused(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": "999", "name": "X"}),
        ErrorCode::Validation,
        Some("plan_id"),
    );
    f.refused(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": pro["id"], "name": ""}),
        ErrorCode::Validation,
        Some("name"),
    );

    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 15, 0, 0, 0).unwrap());
    let changed = f.ok(
        "change_plan",
        json!({"application_id": app["id"], "plan_id": pro["id"]}),
    );
    assert_eq!(changed["plan_id"], pro["id"]);
    f.refused(
        "change_plan",
        json!({"application_id": app["id"], "plan_id": foreign["id"]}),
        ErrorCode::Validation,
        Some("plan_id"),
    );
    f.refused(
        "change_plan",
        json!({"application_id": app["id"], "plan_id": pro["id"]}),
        ErrorCode::Validation,
        Some("plan_id"),
    );

    let detail = f.ok("get_application", json!({"id": app["id"]}));
    let history = detail["plan_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["from_plan_id"], Value::Null);
    assert_eq!(history[1]["from_plan_id"], trial_plan["id"]);
    assert_eq!(history[1]["changed_at"], "2025-03-15T00:00:00Z");

    let listed = f.ok(
        "list_applications",
        json!({"account_id": account["id"], "state": "live"}),
    );
    assert_eq!(listed["total"], 1);
    // An account with a live application cannot be deleted.
    f.refused(
        "delete_account",
        json!({"id": account["id"]}),
        ErrorCode::Conflict,
        None,
    );
    let cancelled = f.ok("cancel_application", json!({"id": app["id"]}));
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(cancelled["cancelled_at"], "2025-03-15T00:00:00Z");
    f.refused(
        "cancel_application",
        json!({"id": app["id"]}),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        "change_plan",
        json!({"application_id": app["id"], "plan_id": trial_plan["id"]}),
        ErrorCode::InvalidState,
        None,
    );
    // Once its applications are cancelled, an account never invoiced can go, and they with it.
    f.ok("delete_account", json!({"id": account["id"]}));
    f.refused(
        "get_application",
        json!({"id": app["id"]}),
        ErrorCode::NotFound,
        None,
    );
}

#[test]
fn usage_is_recorded_per_application_and_metric() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let other = f.service("Other");
    let hits = f.hits(&service);
    let foreign_hits = f.hits(&other);
    let plan = f.plan(&service, "Pro", 0);
    let account = f.account("Buyer");
    let app = f.ok(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "App"}),
    );
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 20, 0, 0, 0).unwrap());

    let usage = |metric: &Value, at: &str, value: i64| json!({"application_id": app["id"], "metric_id": metric["id"], "timestamp": at, "value": value});
    f.ok("record_usage", usage(&hits, "2025-03-11T08:00:00Z", 500));
    f.ok("record_usage", usage(&hits, "2025-03-12T08:00:00Z", 0));
    let now = f.ok(
        "record_usage",
        json!({"application_id": app["id"], "metric_id": hits["id"], "value": 7}),
    );
    assert_eq!(
        now["timestamp"], "2025-03-20T00:00:00Z",
        "without a timestamp usage is now"
    );

    f.refused(
        "record_usage",
        usage(&hits, "2025-03-11T08:00:00Z", -1),
        ErrorCode::Validation,
        Some("value"),
    );
    f.refused(
        "record_usage",
        usage(&hits, "2025-03-21T08:00:00Z", 1),
        ErrorCode::Validation,
        Some("timestamp"),
    );
    f.refused(
        "record_usage",
        usage(&hits, "2025-03-01T08:00:00Z", 1),
        ErrorCode::Validation,
        Some("timestamp"),
    );
    f.refused(
        "record_usage",
        usage(&foreign_hits, "2025-03-11T08:00:00Z", 1),
        ErrorCode::Validation,
        Some("metric_id"),
    );
    f.refused(
        "record_usage",
        usage(&hits, "yesterday", 1),
        ErrorCode::Validation,
        Some("timestamp"),
    );

    let window = f.ok(
        "list_usage",
        json!({"application_id": app["id"],
        "from": "2025-03-11T00:00:00Z", "to": "2025-03-12T00:00:00Z"}),
    );
    assert_eq!(window["total"], 1);
    assert_eq!(window["items"][0]["value"], 500);
    assert_eq!(
        f.ok("list_usage", json!({"application_id": app["id"]}))["total"],
        3
    );
}

#[test]
fn every_change_is_audited_with_before_and_after() {
    let mut f = Fixture::new();
    let account = f.account("Before Ltd");
    let mut edit = account.clone();
    edit["org_name"] = json!("After Ltd");
    f.ok("update_account", edit);
    let audit = f.ok(
        "list_audit",
        json!({"entity": "account", "entity_id": account["id"]}),
    );
    let records = audit["items"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    let update = &records[0];
    assert_eq!(update["operation"], "update_account");
    assert_eq!(update["actor"], "test");
    assert_eq!(update["at"], "2025-03-10T12:00:00Z");
    assert_eq!(update["before"]["org_name"], "Before Ltd");
    assert_eq!(update["after"]["org_name"], "After Ltd");
    assert_eq!(records[1]["operation"], "create_account");
    assert_eq!(records[1]["before"], Value::Null);
}

#[test]
fn sign_up_find_and_account_states() {
    let mut f = Fixture::new();
    let acme = f.ok(
        "sign_up",
        json!({"org_name": "Acme", "username": "acme-admin", "email": "it@acme.example"}),
    );
    assert_eq!(acme["state"], "approved");
    assert_eq!(acme["admin_username"], "acme-admin");
    assert_eq!(acme["monthly_billing_enabled"], true);
    f.refused(
        "sign_up",
        json!({"org_name": "Other", "username": "ACME-admin"}),
        ErrorCode::Validation,
        Some("username"),
    );
    for (input, field) in [
        (json!({"org_name": "---", "username": "abc"}), "org_name"),
        (json!({"org_name": "", "username": "abc"}), "org_name"),
        (json!({"org_name": "X", "username": "ab"}), "username"),
        (
            json!({"org_name": "X", "username": "a".repeat(41)}),
            "username",
        ),
        (
            json!({"org_name": "X", "username": "abc", "email": "not an email"}),
            "email",
        ),
    ] {
        f.refused("sign_up", input, ErrorCode::Validation, Some(field));
    }

    let found = f.ok("find_account", json!({"username": "ACME-ADMIN"}));
    assert_eq!(found["id"], acme["id"]);
    let found = f.ok("find_account", json!({"email": "IT@acme.example"}));
    assert_eq!(found["id"], acme["id"]);
    let found = f.ok("find_account", json!({"user_id": acme["id"]}));
    assert_eq!(found["id"], acme["id"]);
    f.refused(
        "find_account",
        json!({"username": "nobody"}),
        ErrorCode::NotFound,
        None,
    );
    f.refused("find_account", json!({}), ErrorCode::NotFound, None);
    // An account made in the UI has no user.
    let plain = f.account("Plain");
    f.refused(
        "find_account",
        json!({"user_id": plain["id"]}),
        ErrorCode::NotFound,
        None,
    );

    let id = acme["id"].clone();
    let state = |f: &mut Fixture, event: &str| {
        f.call("change_account_state", json!({"id": id, "event": event}))
            .map(|account| account["state"].as_str().unwrap_or_default().to_owned())
            .map_err(|error| error.code)
    };
    assert_eq!(state(&mut f, "approve"), Err(ErrorCode::InvalidState));
    assert_eq!(state(&mut f, "make_pending").as_deref(), Ok("pending"));
    assert_eq!(state(&mut f, "make_pending"), Err(ErrorCode::InvalidState));
    assert_eq!(state(&mut f, "reject").as_deref(), Ok("rejected"));
    assert_eq!(state(&mut f, "suspend"), Err(ErrorCode::InvalidState));
    assert_eq!(state(&mut f, "approve").as_deref(), Ok("approved"));
    assert_eq!(state(&mut f, "suspend").as_deref(), Ok("suspended"));
    assert_eq!(state(&mut f, "resume").as_deref(), Ok("approved"));

    let pending = f.ok(
        "list_accounts",
        json!({"state": "pending", "oldest_first": true}),
    );
    assert_eq!(pending["total"], 0);
    // An update keeps the state and the admin user.
    let updated = f.ok("update_account", json!({"id": id, "org_name": "Acme Ltd"}));
    assert_eq!(updated["state"], "approved");
    assert_eq!(updated["admin_username"], "acme-admin");
}

#[test]
fn applications_keys_descriptions_suspension_and_account_deletion() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let plan = f.plan(&service, "Pro", 0);
    let account = f.account("Buyer");
    let app = f.ok(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "App",
               "description": "Mobile", "user_key": "key-1"}),
    );
    assert_eq!(app["description"], "Mobile");
    assert_eq!(app["user_key"], "key-1");
    assert_eq!(app["suspended"], false);
    let keyless = f.ok(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "Other"}),
    );
    assert_eq!(keyless["user_key"], Value::Null, "no key unless given");
    f.refused(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "X",
               "user_key": "key-1"}),
        ErrorCode::Validation,
        Some("user_key"),
    );
    f.refused(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "X",
               "user_key": "has/slash"}),
        ErrorCode::Validation,
        Some("user_key"),
    );

    let updated = f.ok(
        "update_application",
        json!({"id": app["id"], "name": "Renamed", "user_key": "key-1"}),
    );
    assert_eq!(
        (updated["name"].as_str(), updated["description"].as_str()),
        (Some("Renamed"), Some("Mobile"))
    );
    f.refused(
        "update_application",
        json!({"id": keyless["id"], "user_key": "key-1"}),
        ErrorCode::Validation,
        Some("user_key"),
    );
    f.refused(
        "update_application",
        json!({"id": app["id"], "name": " "}),
        ErrorCode::Validation,
        Some("name"),
    );

    let suspended = f.ok(
        "suspend_application",
        json!({"id": app["id"], "suspended": true}),
    );
    assert_eq!(suspended["suspended"], true);
    assert_eq!(
        suspended["state"], "live",
        "billing follows the subscription"
    );
    f.refused(
        "suspend_application",
        json!({"id": app["id"], "suspended": true}),
        ErrorCode::InvalidState,
        None,
    );
    f.ok(
        "suspend_application",
        json!({"id": app["id"], "suspended": false}),
    );

    f.refused(
        "delete_account",
        json!({"id": account["id"]}),
        ErrorCode::Conflict,
        None,
    );
    f.ok("cancel_application", json!({"id": app["id"]}));
    f.ok("cancel_application", json!({"id": keyless["id"]}));
    // With invoices the account stays on the books.
    let invoice = f.ok("create_invoice", json!({"account_id": account["id"]}));
    f.refused(
        "delete_account",
        json!({"id": account["id"]}),
        ErrorCode::Conflict,
        None,
    );
    f.ok(
        "transition_invoice",
        json!({"id": invoice["invoice"]["id"], "state": "cancelled"}),
    );
    f.refused(
        "delete_account",
        json!({"id": account["id"]}),
        ErrorCode::Conflict,
        None,
    );
}
