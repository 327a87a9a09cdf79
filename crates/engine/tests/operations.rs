//! Every operation as a user of the API sees it: successes, and each validation failure with
//! the field it names. A refused operation must change nothing: `refused` checks that the
//! audit log did not grow. Operations are called through their typed functions (`op::`);
//! what only JSON parsing checks (unknown operations, missing fields, floats, unknown enum
//! names, paging, the defaults of fields left out) goes through `dispatch`, marked so.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{TimeZone, Utc};
use common::{
    account_fields, account_list, account_update, amount, application_list, audit_list, by_id,
    card, instant, new_invoice, new_plan, plan_change, plan_list, pricing_rule, subscription,
    transition, usage, usage_list, Fixture,
};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, ErrorCode};
use serde_json::{json, Value};

/// A change that makes an input invalid, and the field its refusal names.
type BadChange<T> = (fn(&mut T), &'static str);

#[test]
fn unknown_operations_and_malformed_inputs_are_clear_errors() {
    // The subject is the JSON transport: names, missing fields, numbers as JSON gives them.
    let mut f = Fixture::new();
    let error = f.refused_json("no_such_thing", json!({}), ErrorCode::NotFound, None);
    assert!(error.message.contains("no_such_thing"));
    // Every missing field is named at once, the first as `field`.
    let error = f.refused_json(
        "create_plan",
        json!({"name": "x"}),
        ErrorCode::Validation,
        Some("service_id"),
    );
    assert_eq!(
        error.message,
        "service_id is required. setup_fee is required. cost_per_month is required. \
         trial_period_days is required. state is required."
    );
    assert_eq!(
        error
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.message.as_str()))
            .collect::<Vec<_>>(),
        [
            ("service_id", "service_id is required."),
            ("setup_fee", "setup_fee is required."),
            ("cost_per_month", "cost_per_month is required."),
            ("trial_period_days", "trial_period_days is required."),
            ("state", "state is required."),
        ]
    );
    let service = f.service("API");
    let error = f.refused_json(
        "create_plan",
        json!({"service_id": service.id, "name": "Pro", "setup_fee": "abc",
               "cost_per_month": "1", "trial_period_days": 0, "state": "published"}),
        ErrorCode::Validation,
        Some("setup_fee"),
    );
    assert_eq!(error.message, "setup_fee must be a number such as 12.50.");
    // A JSON number with decimals is a binary float by the time it arrives: asked as text.
    let error = f.refused_json(
        "create_plan",
        json!({"service_id": service.id, "name": "Pro", "setup_fee": 0.1,
               "cost_per_month": "1", "trial_period_days": 0, "state": "published"}),
        ErrorCode::Validation,
        Some("setup_fee"),
    );
    assert_eq!(
        error.message,
        "setup_fee must be written as text, e.g. \"12.50\", so that it is kept exactly."
    );
    let plan = f.ok_json(
        "create_plan",
        json!({"service_id": service.id, "name": "Whole", "setup_fee": 5,
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
        let error = f.refused_json("list_accounts", paging, ErrorCode::Validation, Some(&field));
        assert_eq!(error.message, message);
    }
    let error = f.refused_json(
        "create_plan",
        json!({"service_id": service.id, "name": "Pro", "setup_fee": "1",
               "cost_per_month": "1", "trial_period_days": -1, "state": "published"}),
        ErrorCode::Validation,
        Some("trial_period_days"),
    );
    assert_eq!(
        error.message,
        "trial_period_days must be a whole number of 0 or more."
    );
    f.refused_json(
        "get_account",
        json!({"id": "twelve"}),
        ErrorCode::Validation,
        Some("id"),
    );
}

#[test]
fn settings_read_and_update() {
    let mut f = Fixture::new();
    let mut settings = f.ok(op::get_settings, NoInput {});
    assert_eq!(settings.currency, "EUR");
    assert_eq!(settings.billing_mode, BillingMode::Postpaid);
    settings.org_name = "Acme APIs GmbH".into();
    settings.currency = "usd".into();
    settings.address.country = "Germany".into();
    settings.numbering = Numbering::Yearly;
    let updated = f.ok(op::update_settings, settings.clone());
    assert_eq!(updated.currency, "USD", "currency codes are upper-cased");
    assert_eq!(f.ok(op::get_settings, NoInput {}), updated);

    let changes: [BadChange<Settings>; 4] = [
        (|s| s.currency = "EURO".into(), "currency"),
        (|s| s.currency = "E1R".into(), "currency"),
        (|s| s.org_name = "  ".into(), "org_name"),
        (
            |s| s.invoice_footnote = "x".repeat(2001),
            "invoice_footnote",
        ),
    ];
    for (change, field) in changes {
        let mut bad = settings.clone();
        change(&mut bad);
        f.refused(op::update_settings, bad, ErrorCode::Validation, Some(field));
    }
    // A billing mode that is none is refused by JSON parsing: the enum has no such value.
    let mut bad = serde_json::to_value(&settings).unwrap();
    bad["billing_mode"] = json!("weekly");
    f.refused_json(
        "update_settings",
        bad,
        ErrorCode::Validation,
        Some("billing_mode"),
    );
}

#[test]
fn services_come_with_hits_and_guard_their_names() {
    let mut f = Fixture::new();
    let service = f.service("Weather API (EU)");
    assert_eq!(service.system_name, "weather_api_eu");
    assert!(
        serde_json::to_value(service.id).unwrap().is_string(),
        "ids cross as strings"
    );
    let metrics = f.ok(
        op::list_metrics,
        ListMetrics {
            service_id: service.id,
        },
    );
    assert_eq!(metrics.len(), 1);
    assert_eq!(metrics[0].system_name, "hits");

    let named = |name: &str, system_name: Option<&str>| CreateService {
        system_name: system_name.map(str::to_owned),
        ..CreateService::named(name)
    };
    f.refused(
        op::create_service,
        named("Again", Some("weather_api_eu")),
        ErrorCode::Validation,
        Some("system_name"),
    );
    f.refused(
        op::create_service,
        named("Bad", Some("has space")),
        ErrorCode::Validation,
        Some("system_name"),
    );
    f.refused(
        op::create_service,
        named("", None),
        ErrorCode::Validation,
        Some("name"),
    );

    let rename = |id: Id, name: &str| UpdateService {
        name: Some(name.into()),
        description: Some(String::new()),
        ..UpdateService::of(id)
    };
    let renamed = f.ok(op::update_service, rename(service.id, "Weather"));
    assert_eq!(renamed.name, "Weather");
    assert_eq!(
        renamed.system_name, "weather_api_eu",
        "system names never change"
    );
    f.refused(
        op::update_service,
        rename(Id(999), "X"),
        ErrorCode::NotFound,
        None,
    );

    let page = f.ok(op::list_services, Paging::default());
    assert_eq!(
        page.items
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["API", "Weather"],
        "the new book's own service, then this one"
    );
    f.ok(op::delete_service, by_id(service.id));
    f.refused(
        op::get_service,
        by_id(service.id),
        ErrorCode::NotFound,
        None,
    );
}

/// A metric of `service` (a method when `parent` is given).
fn metric(
    service: &Service,
    parent: Option<&Metric>,
    friendly_name: &str,
    system_name: Option<&str>,
    unit: &str,
) -> CreateMetric {
    CreateMetric {
        service_id: service.id,
        parent_id: parent.map(|metric| metric.id),
        system_name: system_name.map(str::to_owned),
        friendly_name: friendly_name.into(),
        unit: unit.into(),
        description: String::new(),
    }
}

#[test]
fn metrics_and_methods() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let hits = f.hits(&service);
    let storage = f.ok(
        op::create_metric,
        metric(&service, None, "Storage", None, "GB"),
    );
    assert_eq!(storage.system_name, "storage");
    let method = f.ok(
        op::create_metric,
        metric(
            &service,
            Some(&hits),
            "Get forecast",
            Some("get_forecast"),
            "call",
        ),
    );
    assert_eq!(method.parent_id, Some(hits.id));
    let list = ListMetrics {
        service_id: service.id,
    };
    let listed = f.ok(op::list_metrics, list.clone());
    let names: Vec<_> = listed.iter().map(|m| m.system_name.as_str()).collect();
    assert_eq!(
        names,
        ["hits", "get_forecast", "storage"],
        "hits first, each metric followed by its methods"
    );

    f.refused(
        op::create_metric,
        metric(&service, Some(&storage), "Upload", None, "call"),
        ErrorCode::Validation,
        Some("parent_id"),
    );
    f.refused(
        op::create_metric,
        metric(&service, None, "Storage", None, "GB"),
        ErrorCode::Validation,
        Some("system_name"),
    );
    f.refused(
        op::create_metric,
        metric(&service, None, "Disk", None, ""),
        ErrorCode::Validation,
        Some("unit"),
    );
    // Lists and invoice lines name a metric by its name: a second "Storage" (or a method
    // renamed to it) would be two lines nobody can tell apart.
    let taken = f.refused(
        op::create_metric,
        metric(&service, None, " Storage ", Some("storage_2"), "GB"),
        ErrorCode::Validation,
        Some("friendly_name"),
    );
    assert_eq!(
        taken.message,
        "Name \"Storage\" is already used by a metric of this service."
    );
    f.refused(
        op::update_metric,
        UpdateMetric {
            friendly_name: Some("Storage".into()),
            ..UpdateMetric::of(method.id)
        },
        ErrorCode::Validation,
        Some("friendly_name"),
    );
    let other = f.service("Other API");
    f.ok(
        op::create_metric,
        metric(&other, None, "Storage", None, "GB"),
    );
    f.ok(
        op::update_metric,
        UpdateMetric {
            friendly_name: Some("Storage".into()),
            ..UpdateMetric::of(storage.id)
        },
    );
    f.refused(
        op::delete_metric,
        by_id(hits.id),
        ErrorCode::InvalidState,
        None,
    );

    let updated = f.ok(
        op::update_metric,
        UpdateMetric {
            id: storage.id,
            friendly_name: Some("Disk".into()),
            unit: Some("GiB".into()),
            description: Some(String::new()),
        },
    );
    assert_eq!(
        (updated.friendly_name.as_str(), updated.unit.as_str()),
        ("Disk", "GiB")
    );
    f.ok(op::delete_metric, by_id(method.id));
    assert_eq!(f.ok(op::list_metrics, list).len(), 2);
}

#[test]
fn plans_validate_money_and_names() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let plan = f.plan(&service, "Pro Plan", 14);
    assert_eq!(plan.system_name, "pro_plan");
    assert_eq!(
        serde_json::to_value(plan.setup_fee).unwrap(),
        json!("10.00"),
        "amounts cross as strings, with at least 2 decimals"
    );
    assert_eq!(plan.cost_per_month.to_string(), "99.50");
    assert!(!plan.is_default);

    let base = CreatePlan {
        cost_per_month: amount("10"),
        state: PlanState::Hidden,
        ..new_plan(&service, "Basic")
    };
    let changes: [BadChange<CreatePlan>; 6] = [
        (|p| p.name = " ".into(), "name"),
        (|p| p.setup_fee = amount("-1"), "setup_fee"),
        (|p| p.cost_per_month = amount("1.23456"), "cost_per_month"),
        (|p| p.trial_period_days = 4000, "trial_period_days"),
        (|p| p.service_id = Id(424242), "service_id"),
        (|p| p.system_name = Some("pro_plan".into()), "system_name"),
    ];
    for (change, field) in changes {
        let mut bad = base.clone();
        change(&mut bad);
        f.refused(op::create_plan, bad, ErrorCode::Validation, Some(field));
    }
    // A state that is none is refused by JSON parsing: the enum has no such value.
    let mut bad = serde_json::to_value(&base).unwrap();
    bad["state"] = json!("visible");
    f.refused_json("create_plan", bad, ErrorCode::Validation, Some("state"));
    let basic = f.ok(op::create_plan, base.clone());
    assert_eq!(basic.cost_per_month.to_string(), "10.00");

    let updated = f.ok(
        op::update_plan,
        UpdatePlan {
            id: plan.id,
            name: Some("Pro".into()),
            setup_fee: Some(amount("0")),
            cost_per_month: Some(amount("120.1234")),
            trial_period_days: Some(30),
            state: Some(PlanState::Published),
            description: Some("Twice the calls.".into()),
            approval_required: Some(true),
        },
    );
    assert_eq!(updated.cost_per_month.to_string(), "120.1234");
    assert_eq!(updated.description, "Twice the calls.");
    assert_eq!(updated.system_name, "pro_plan");

    f.ok(op::make_default_plan, by_id(plan.id));
    f.ok(op::make_default_plan, by_id(basic.id));
    let of_service = ListPlans {
        service_id: Some(service.id),
        ..plan_list()
    };
    let defaults: Vec<_> = f
        .ok(op::list_plans, of_service.clone())
        .items
        .into_iter()
        .filter(|p| p.is_default)
        .map(|p| p.name)
        .collect();
    assert_eq!(defaults, ["Basic"], "one default plan per service");

    let by_id_order: Vec<i64> = f
        .ok(
            op::list_plans,
            ListPlans {
                order_by_id: true,
                ..of_service
            },
        )
        .items
        .iter()
        .map(|p| p.id.0)
        .collect();
    let mut sorted = by_id_order.clone();
    sorted.sort_unstable();
    assert!(by_id_order.len() > 1);
    assert_eq!(by_id_order, sorted, "order_by_id lists oldest first");

    let found = f.ok(
        op::list_plans,
        ListPlans {
            search: Some("PRO_PLAN".into()),
            ..plan_list()
        },
    );
    assert_eq!(found.total, 1);
    assert_eq!(
        f.ok(
            op::list_plans,
            ListPlans {
                state: Some(PlanState::Hidden),
                ..plan_list()
            }
        )
        .items[0]
            .name,
        "Basic"
    );

    let account = f.account("Buyer");
    f.ok(op::subscribe, subscription(&account, &plan, "App"));
    f.refused(op::delete_plan, by_id(plan.id), ErrorCode::Conflict, None);
    f.ok(op::delete_plan, by_id(basic.id));
    f.refused(op::get_plan, by_id(basic.id), ErrorCode::NotFound, None);
    // The service goes with its applications (tests/tenant.rs); the plan in use stays, hidden.
    f.ok(op::delete_service, by_id(service.id));
    assert_eq!(f.ok(op::get_plan, by_id(plan.id)).state, PlanState::Hidden);
}

#[test]
fn pricing_rules_are_graduated_ranges_that_never_overlap() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let other_service = f.service("Other");
    let hits = f.hits(&service);
    let foreign_hits = f.hits(&other_service);
    let plan = f.plan(&service, "Pro", 0);
    let rule = |min: i64, max: Option<i64>, cost: &str| pricing_rule(&plan, &hits, min, max, cost);
    let first = f.ok(op::create_pricing_rule, rule(1, Some(10), "4"));
    f.ok(op::create_pricing_rule, rule(11, Some(20), "3"));
    f.ok(op::create_pricing_rule, rule(21, None, "0.0025"));

    let error = f.refused(
        op::create_pricing_rule,
        rule(15, Some(30), "1"),
        ErrorCode::Validation,
        Some("min"),
    );
    assert!(error.message.contains("11–20"), "{}", error.message);
    let error = f.refused(
        op::create_pricing_rule,
        rule(100, None, "1"),
        ErrorCode::Validation,
        Some("min"),
    );
    assert!(error.message.contains("21–∞"), "{}", error.message);
    f.refused(
        op::create_pricing_rule,
        rule(0, Some(5), "1"),
        ErrorCode::Validation,
        Some("min"),
    );
    f.refused(
        op::create_pricing_rule,
        rule(50, Some(40), "1"),
        ErrorCode::Validation,
        Some("max"),
    );
    f.refused(
        op::create_pricing_rule,
        rule(1, Some(1), "0.00001"),
        ErrorCode::Validation,
        Some("cost_per_unit"),
    );
    f.refused(
        op::create_pricing_rule,
        rule(1, Some(1), "-2"),
        ErrorCode::Validation,
        Some("cost_per_unit"),
    );
    f.refused(
        op::create_pricing_rule,
        pricing_rule(&plan, &foreign_hits, 1, Some(5), "1"),
        ErrorCode::Validation,
        Some("metric_id"),
    );

    let rules = f.ok(
        op::list_pricing_rules,
        ListPricingRules { plan_id: plan.id },
    );
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[2].max, None, "open-ended rule");
    assert_eq!(rules[2].cost_per_unit.to_string(), "0.0025");

    f.ok(op::delete_pricing_rule, by_id(first.id));
    f.ok(op::create_pricing_rule, rule(1, Some(10), "5"));
}

#[test]
fn accounts_keep_addresses_vat_and_only_the_cards_last_digits() {
    let mut f = Fixture::new();
    let full = AccountFields {
        legal_address: Address {
            line1: "Hauptstraße 5".into(),
            city: "Berlin".into(),
            zip: "10115".into(),
            country: "Germany".into(),
            ..Address::default()
        },
        billing_address: Some(Address {
            line1: "Postfach 12".into(),
            city: "Berlin".into(),
            country: "Germany".into(),
            ..Address::default()
        }),
        vat_code: "DE123456789".into(),
        fiscal_code: "FC-1".into(),
        po_number: "PO-77".into(),
        vat_rate: Some(amount("19")),
        monthly_billing_enabled: true,
        monthly_charging_enabled: false,
        card: Some(card("4242", 12, 2030, "tok_visa")),
        ..account_fields("Müller & Søn GmbH")
    };
    let account = f.ok(op::create_account, full.clone());
    assert_eq!(account.fields.org_name, "Müller & Søn GmbH");
    assert_eq!(account.fields.vat_rate.unwrap().to_string(), "19");
    assert_eq!(
        account.fields.billing_address.as_ref().unwrap().line1,
        "Postfach 12"
    );
    assert_eq!(account.fields.card.as_ref().unwrap().last4, "4242");
    assert!(!account.fields.monthly_charging_enabled);

    // The defaults of the fields left out are JSON parsing's.
    let plain = f.ok_json(
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
    let plain: Account = serde_json::from_value(plain).unwrap();
    let no_vat = f.account("ООО Ромашка");
    assert_eq!(no_vat.fields.vat_rate, None);

    let changes: [BadChange<AccountFields>; 9] = [
        (|a| a.org_name = String::new(), "org_name"),
        (|a| a.vat_rate = Some(amount("101")), "vat_rate"),
        (|a| a.vat_rate = Some(amount("7.125")), "vat_rate"),
        (|a| a.vat_rate = Some(amount("-1")), "vat_rate"),
        (
            |a| {
                a.legal_address = Address {
                    country: "x".repeat(300),
                    ..Address::default()
                }
            },
            "legal_address.country",
        ),
        (
            |a| a.card = Some(card("4242424242424242", 1, 2030, "")),
            "card.last4",
        ),
        (
            |a| a.card = Some(card("4242", 13, 2030, "")),
            "card.expiry_month",
        ),
        (
            |a| a.card = Some(card("4242", 1, 30, "")),
            "card.expiry_year",
        ),
        (
            |a| a.card = Some(card("4242", 1, 2030, "4242 4242 4242 4242")),
            "card.gateway_reference",
        ),
    ];
    for (change, field) in changes {
        let mut bad = full.clone();
        change(&mut bad);
        f.refused(
            op::create_account,
            bad.clone(),
            ErrorCode::Validation,
            Some(field),
        );
        f.refused(
            op::update_account,
            account_update(account.id, bad),
            ErrorCode::Validation,
            Some(field),
        );
    }
    // A VAT rate that is no number is refused by JSON parsing, creating and updating.
    let mut bad = serde_json::to_value(&full).unwrap();
    bad["vat_rate"] = json!("abc");
    f.refused_json(
        "create_account",
        bad.clone(),
        ErrorCode::Validation,
        Some("vat_rate"),
    );
    bad["id"] = json!(account.id);
    f.refused_json(
        "update_account",
        bad,
        ErrorCode::Validation,
        Some("vat_rate"),
    );

    let edit = AccountFields {
        vat_rate: None,
        card: None,
        ..full.clone()
    };
    let updated = f.ok(op::update_account, account_update(account.id, edit));
    assert_eq!(updated.fields.vat_rate, None);
    assert_eq!(updated.fields.card, None);
    assert_eq!(updated.created_at, account.created_at);

    let search = |text: &str| ListAccounts {
        search: Some(text.into()),
        ..account_list()
    };
    let found = f.ok(op::list_accounts, search("müller"));
    assert_eq!(found.total, 1);
    let found = f.ok(op::list_accounts, search("ромашка"));
    assert_eq!(
        found.items[0].fields.org_name, "ООО Ромашка",
        "search folds non-ASCII case too"
    );
    let found = f.ok(op::list_accounts, search("DE1234"));
    assert_eq!(found.items[0].id, account.id);
    let page = |page: u32| ListAccounts {
        per_page: 2,
        page,
        ..account_list()
    };
    let all = f.ok(op::list_accounts, page(2));
    assert_eq!((all.total, all.items.len()), (3, 1));
    let past_the_end = f.ok(op::list_accounts, page(9));
    assert!(past_the_end.items.is_empty());

    f.ok(op::delete_account, by_id(plain.id));
    f.refused(op::get_account, by_id(plain.id), ErrorCode::NotFound, None);
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

    let app = f.ok(op::subscribe, subscription(&account, &trial_plan, "Mobile"));
    assert_eq!(app.state, ApplicationState::Live);
    assert_eq!(app.created_at, instant("2025-03-10T12:00:00Z"));
    assert_eq!(app.trial_ends_at, Some(instant("2025-03-24T12:00:00Z")));
    f.refused(
        op::subscribe,
        Subscribe {
            account_id: Id(999),
            ..subscription(&account, &pro, "X")
        },
        ErrorCode::Validation,
        Some("account_id"),
    );
    f.refused(
        op::subscribe,
        Subscribe {
            plan_id: Id(999),
            ..subscription(&account, &pro, "X")
        },
        ErrorCode::Validation,
        Some("plan_id"),
    );
    f.refused(
        op::subscribe,
        subscription(&account, &pro, ""),
        ErrorCode::Validation,
        Some("name"),
    );

    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 15, 0, 0, 0).unwrap());
    let changed = f.ok(op::change_plan, plan_change(&app, &pro));
    assert_eq!(changed.plan_id, pro.id);
    f.refused(
        op::change_plan,
        plan_change(&app, &foreign),
        ErrorCode::Validation,
        Some("plan_id"),
    );
    f.refused(
        op::change_plan,
        plan_change(&app, &pro),
        ErrorCode::Validation,
        Some("plan_id"),
    );

    let detail = f.ok(op::get_application, by_id(app.id));
    let history = &detail.plan_history;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].from_plan_id, None);
    assert_eq!(history[1].from_plan_id, Some(trial_plan.id));
    assert_eq!(history[1].changed_at, instant("2025-03-15T00:00:00Z"));

    let listed = f.ok(
        op::list_applications,
        ListApplications {
            account_id: Some(account.id),
            state: Some(ApplicationState::Live),
            ..application_list()
        },
    );
    assert_eq!(listed.total, 1);
    let cancelled = f.ok(op::cancel_application, by_id(app.id));
    assert_eq!(cancelled.state, ApplicationState::Cancelled);
    assert_eq!(
        cancelled.cancelled_at,
        Some(instant("2025-03-15T00:00:00Z"))
    );
    f.refused(
        op::cancel_application,
        by_id(app.id),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::change_plan,
        plan_change(&app, &trial_plan),
        ErrorCode::InvalidState,
        None,
    );
    // An account that had applications is scheduled for deletion: it leaves the lists, and
    // its applications stay for what they are still to be billed (tests/tenant.rs).
    let deleted = f.ok(op::delete_account, by_id(account.id));
    assert!(deleted.deleted_at.is_some());
    assert_eq!(
        f.ok(op::get_application, by_id(app.id)).application.state,
        ApplicationState::Cancelled
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
    let app = f.ok(op::subscribe, subscription(&account, &plan, "App"));
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 20, 0, 0, 0).unwrap());

    let used =
        |metric: &Metric, at: &str, value: i64| usage(&app, metric, Some(instant(at)), value);
    f.ok(op::record_usage, used(&hits, "2025-03-11T08:00:00Z", 500));
    f.ok(op::record_usage, used(&hits, "2025-03-12T08:00:00Z", 0));
    let now = f.ok(op::record_usage, usage(&app, &hits, None, 7));
    assert_eq!(
        now.timestamp,
        instant("2025-03-20T00:00:00Z"),
        "without a timestamp usage is now"
    );

    f.refused(
        op::record_usage,
        used(&hits, "2025-03-11T08:00:00Z", -1),
        ErrorCode::Validation,
        Some("value"),
    );
    f.refused(
        op::record_usage,
        used(&hits, "2025-03-21T08:00:00Z", 1),
        ErrorCode::Validation,
        Some("timestamp"),
    );
    f.refused(
        op::record_usage,
        used(&hits, "2025-03-01T08:00:00Z", 1),
        ErrorCode::Validation,
        Some("timestamp"),
    );
    f.refused(
        op::record_usage,
        used(&foreign_hits, "2025-03-11T08:00:00Z", 1),
        ErrorCode::Validation,
        Some("metric_id"),
    );
    // A timestamp that is no instant is refused by JSON parsing.
    let mut bad = serde_json::to_value(used(&hits, "2025-03-11T08:00:00Z", 1)).unwrap();
    bad["timestamp"] = json!("yesterday");
    f.refused_json(
        "record_usage",
        bad,
        ErrorCode::Validation,
        Some("timestamp"),
    );

    let window = f.ok(
        op::list_usage,
        ListUsage {
            from: Some(instant("2025-03-11T00:00:00Z")),
            to: Some(instant("2025-03-12T00:00:00Z")),
            ..usage_list(&app)
        },
    );
    assert_eq!(window.total, 1);
    assert_eq!(window.items[0].value, 500);
    assert_eq!(f.ok(op::list_usage, usage_list(&app)).total, 3);
}

#[test]
fn every_change_is_audited_with_before_and_after() {
    let mut f = Fixture::new();
    let account = f.account("Before Ltd");
    let edit = AccountFields {
        org_name: "After Ltd".into(),
        ..account.fields.clone()
    };
    f.ok(op::update_account, account_update(account.id, edit));
    let audit = f.ok(
        op::list_audit,
        ListAudit {
            entity: Some("account".into()),
            entity_id: Some(account.id),
            ..audit_list()
        },
    );
    let records = &audit.items;
    assert_eq!(records.len(), 2);
    let update = &records[0];
    assert_eq!(update.operation, "update_account");
    assert_eq!(update.actor, "test");
    assert_eq!(update.at, instant("2025-03-10T12:00:00Z"));
    assert_eq!(update.before.as_ref().unwrap()["org_name"], "Before Ltd");
    assert_eq!(update.after.as_ref().unwrap()["org_name"], "After Ltd");
    assert_eq!(records[1].operation, "create_account");
    assert_eq!(records[1].before, None);
}

/// A sign-up with only a name and a username.
fn sign_up(org_name: &str, username: &str) -> SignUp {
    let fields = account_fields(org_name);
    SignUp {
        org_name: fields.org_name,
        username: username.into(),
        email: None,
        legal_address: fields.legal_address,
        vat_code: fields.vat_code,
        fiscal_code: fields.fiscal_code,
        po_number: fields.po_number,
        vat_rate: fields.vat_rate,
        monthly_billing_enabled: fields.monthly_billing_enabled,
        monthly_charging_enabled: fields.monthly_charging_enabled,
    }
}

#[test]
fn sign_up_find_and_account_states() {
    let mut f = Fixture::new();
    // The defaults of the fields left out are JSON parsing's.
    let acme = f.ok_json(
        "sign_up",
        json!({"org_name": "Acme", "username": "acme-admin", "email": "it@acme.example"}),
    );
    assert_eq!(acme["state"], "approved");
    assert_eq!(acme["admin_username"], "acme-admin");
    assert_eq!(acme["monthly_billing_enabled"], true);
    let acme: Account = serde_json::from_value(acme).unwrap();
    f.refused(
        op::sign_up,
        sign_up("Other", "ACME-admin"),
        ErrorCode::Validation,
        Some("username"),
    );
    for (input, field) in [
        (sign_up("---", "abc"), "org_name"),
        (sign_up("", "abc"), "org_name"),
        (sign_up("X", "ab"), "username"),
        (sign_up("X", &"a".repeat(41)), "username"),
        (
            SignUp {
                email: Some("not an email".into()),
                ..sign_up("X", "abc")
            },
            "email",
        ),
    ] {
        f.refused(op::sign_up, input, ErrorCode::Validation, Some(field));
    }

    let find = |change: fn(&mut FindAccount)| {
        let mut find = FindAccount::default();
        change(&mut find);
        find
    };
    let found = f.ok(
        op::find_account,
        find(|a| a.username = Some("ACME-ADMIN".into())),
    );
    assert_eq!(found.id, acme.id);
    let found = f.ok(
        op::find_account,
        find(|a| a.email = Some("IT@acme.example".into())),
    );
    assert_eq!(found.id, acme.id);
    let found = f.ok(
        op::find_account,
        FindAccount {
            user_id: Some(acme.id),
            ..FindAccount::default()
        },
    );
    assert_eq!(found.id, acme.id);
    f.refused(
        op::find_account,
        find(|a| a.username = Some("nobody".into())),
        ErrorCode::NotFound,
        None,
    );
    f.refused(
        op::find_account,
        FindAccount::default(),
        ErrorCode::NotFound,
        None,
    );
    // An account made in the UI has no user.
    let plain = f.account("Plain");
    f.refused(
        op::find_account,
        FindAccount {
            user_id: Some(plain.id),
            ..FindAccount::default()
        },
        ErrorCode::NotFound,
        None,
    );

    let id = acme.id;
    let state = |f: &mut Fixture, event: AccountEvent| {
        f.call(op::change_account_state, ChangeAccountState { id, event })
            .map(|account| account.state)
            .map_err(|error| error.code)
    };
    use AccountEvent::*;
    assert_eq!(state(&mut f, Approve), Err(ErrorCode::InvalidState));
    assert_eq!(state(&mut f, MakePending), Ok(AccountState::Pending));
    assert_eq!(state(&mut f, MakePending), Err(ErrorCode::InvalidState));
    assert_eq!(state(&mut f, Reject), Ok(AccountState::Rejected));
    assert_eq!(state(&mut f, Suspend), Err(ErrorCode::InvalidState));
    assert_eq!(state(&mut f, Approve), Ok(AccountState::Approved));
    assert_eq!(state(&mut f, Suspend), Ok(AccountState::Suspended));
    assert_eq!(state(&mut f, Resume), Ok(AccountState::Approved));

    let pending = f.ok(
        op::list_accounts,
        ListAccounts {
            state: Some(AccountState::Pending),
            oldest_first: true,
            ..account_list()
        },
    );
    assert_eq!(pending.total, 0);
    // An update keeps the state and the admin user.
    let updated = f.ok(
        op::update_account,
        account_update(id, account_fields("Acme Ltd")),
    );
    assert_eq!(updated.state, AccountState::Approved);
    assert_eq!(updated.admin_username.as_deref(), Some("acme-admin"));
}

#[test]
fn applications_keys_descriptions_suspension_and_account_deletion() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let plan = f.plan(&service, "Pro", 0);
    let account = f.account("Buyer");
    let app = f.ok(
        op::subscribe,
        Subscribe {
            description: "Mobile".into(),
            user_key: Some("key-1".into()),
            ..subscription(&account, &plan, "App")
        },
    );
    assert_eq!(app.description, "Mobile");
    assert_eq!(app.user_key.as_deref(), Some("key-1"));
    assert!(!app.suspended);
    let keyless = f.ok(op::subscribe, subscription(&account, &plan, "Other"));
    assert_eq!(keyless.user_key, None, "no key unless given");
    let keyed = |key: &str| Subscribe {
        user_key: Some(key.into()),
        ..subscription(&account, &plan, "X")
    };
    f.refused(
        op::subscribe,
        keyed("key-1"),
        ErrorCode::Validation,
        Some("user_key"),
    );
    f.refused(
        op::subscribe,
        keyed("has/slash"),
        ErrorCode::Validation,
        Some("user_key"),
    );

    let edit = |id: Id| UpdateApplication {
        id,
        name: None,
        description: None,
        user_key: None,
    };
    let updated = f.ok(
        op::update_application,
        UpdateApplication {
            name: Some("Renamed".into()),
            user_key: Some("key-1".into()),
            ..edit(app.id)
        },
    );
    assert_eq!(
        (updated.name.as_str(), updated.description.as_str()),
        ("Renamed", "Mobile")
    );
    f.refused(
        op::update_application,
        UpdateApplication {
            user_key: Some("key-1".into()),
            ..edit(keyless.id)
        },
        ErrorCode::Validation,
        Some("user_key"),
    );
    f.refused(
        op::update_application,
        UpdateApplication {
            name: Some(" ".into()),
            ..edit(app.id)
        },
        ErrorCode::Validation,
        Some("name"),
    );

    let suspend = |suspended: bool| SuspendApplication {
        id: app.id,
        suspended,
    };
    let suspended = f.ok(op::suspend_application, suspend(true));
    assert!(suspended.suspended);
    assert_eq!(
        suspended.state,
        ApplicationState::Live,
        "billing follows the subscription"
    );
    f.refused(
        op::suspend_application,
        suspend(true),
        ErrorCode::InvalidState,
        None,
    );
    f.ok(op::suspend_application, suspend(false));

    f.ok(op::cancel_application, by_id(keyless.id));
    // With invoices the account stays on the books, scheduled for deletion; its live
    // application ends with it.
    let invoice = f.ok(op::create_invoice, new_invoice(&account, None));
    f.ok(
        op::transition_invoice,
        transition(invoice.invoice.id, InvoiceState::Cancelled),
    );
    f.ok(op::delete_account, by_id(account.id));
    let ended = f.ok(op::get_application, by_id(app.id)).application;
    assert_eq!(ended.state, ApplicationState::Cancelled);
    assert_eq!(
        f.ok(op::get_invoice, by_id(invoice.invoice.id))
            .invoice
            .account_name,
        "Buyer"
    );
    f.refused(
        op::delete_account,
        by_id(account.id),
        ErrorCode::NotFound,
        None,
    );
}

#[test]
fn an_update_changes_only_the_fields_it_names() {
    let mut f = Fixture::new();
    let mut fields = account_fields("Acme");
    fields.vat_code = "IT123".into();
    fields.vat_rate = Some(amount("22"));
    fields.legal_address.city = "Milano".into();
    fields.legal_address.country = "IT".into();
    fields.billing_address = Some(Address {
        line1: "PO Box 7".into(),
        ..Address::default()
    });
    fields.card = Some(card("4242", 9, 2030, "tok_1"));
    let account = f.ok(op::create_account, fields.clone());

    // One field named: only it changes (what the desktop's billing switch sends).
    let switched = f.ok(
        op::update_account,
        UpdateAccount {
            monthly_billing_enabled: Some(false),
            ..UpdateAccount::of(account.id)
        },
    );
    let mut expected = fields.clone();
    expected.monthly_billing_enabled = false;
    assert_eq!(switched.fields, expected);

    // One part of an address: the other parts stay.
    let moved = f.ok(
        op::update_account,
        UpdateAccount {
            legal_address: Some(AddressUpdate {
                city: Some("Torino".into()),
                ..AddressUpdate::default()
            }),
            ..UpdateAccount::of(account.id)
        },
    );
    assert_eq!(moved.fields.legal_address.city, "Torino");
    assert_eq!(moved.fields.legal_address.country, "IT");

    // JSON (what absent and null mean): absent keeps, null removes the billing address, the
    // VAT rate and the card.
    let kept = f.ok_json(
        "update_account",
        json!({"id": account.id, "org_name": "Acme SpA"}),
    );
    assert_eq!(kept["vat_rate"], "22");
    assert_eq!(kept["billing_address"]["line1"], "PO Box 7");
    assert_eq!(kept["card"]["last4"], "4242");
    let removed = f.ok_json(
        "update_account",
        json!({"id": account.id, "billing_address": null, "vat_rate": null, "card": null}),
    );
    assert_eq!(removed["org_name"], "Acme SpA");
    assert!(removed["billing_address"].is_null());
    assert!(removed["vat_rate"].is_null());
    assert!(removed["card"].is_null());

    // A plan: the price changes, the name and the trial stay.
    let service = f.service("API");
    let plan = f.plan(&service, "Basic", 14);
    let repriced = f.ok(
        op::update_plan,
        UpdatePlan {
            cost_per_month: Some(amount("120")),
            ..UpdatePlan::of(plan.id)
        },
    );
    assert_eq!(repriced.name, "Basic");
    assert_eq!(repriced.trial_period_days, 14);
    assert_eq!(repriced.cost_per_month.to_string(), "120.00");

    // A blank name is still refused when it is named, and nothing is written.
    f.refused(
        op::update_plan,
        UpdatePlan {
            name: Some("  ".into()),
            ..UpdatePlan::of(plan.id)
        },
        ErrorCode::Validation,
        Some("name"),
    );
}
