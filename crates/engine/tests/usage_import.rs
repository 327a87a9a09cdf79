//! Bulk usage import: all rows or none, the first bad row named, a dry run listing problems.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::Fixture;
use counterfoil_engine::ErrorCode;
use serde_json::{json, Value};

fn setup(f: &mut Fixture) -> (Value, Value) {
    let service = f.service("API");
    f.ok(
        "create_metric",
        json!({"service_id": service["id"], "friendly_name": "Storage", "unit": "GB"}),
    );
    let plan = f.plan(&service, "Pro", 0);
    let account = f.account("Buyer");
    let app = f.ok(
        "subscribe",
        json!({"account_id": account["id"], "plan_id": plan["id"], "name": "App"}),
    );
    f.clock.set(
        chrono::DateTime::parse_from_rfc3339("2025-03-20T00:00:00Z")
            .unwrap()
            .into(),
    );
    (app, service)
}

fn row(app: &Value, metric: &str, at: &str, value: &str) -> Value {
    json!({"application": app["id"], "metric": metric, "timestamp": at, "value": value})
}

#[test]
fn a_good_file_is_imported_whole() {
    let mut f = Fixture::new();
    let (app, _) = setup(&mut f);
    let rows: Vec<Value> = (11..=19)
        .map(|day| {
            row(
                &app,
                if day % 2 == 0 { "hits" } else { "storage" },
                &format!("2025-03-{day}T10:00:00Z"),
                "5",
            )
        })
        .collect();
    let report = f.ok("import_usage", json!({"rows": rows}));
    assert_eq!(report, json!({"imported": 9, "errors": []}));
    assert_eq!(
        f.ok("list_usage", json!({"application_id": app["id"]}))["total"],
        9
    );
    let audit = f.ok("list_audit", json!({"entity": "usage_import"}));
    assert_eq!(audit["total"], 1, "one audit record for the whole import");
}

#[test]
fn one_bad_row_imports_nothing_and_is_named() {
    let mut f = Fixture::new();
    let (app, _) = setup(&mut f);
    let cases = [
        (
            row(&app, "nonsense", "2025-03-11T10:00:00Z", "1"),
            "rows[1].metric",
        ),
        (row(&app, "hits", "yesterday", "1"), "rows[1].timestamp"),
        (
            row(&app, "hits", "2025-03-11T10:00:00Z", "-4"),
            "rows[1].value",
        ),
        (
            row(&app, "hits", "2025-03-11T10:00:00Z", "1.5"),
            "rows[1].value",
        ),
        (
            row(&app, "hits", "2025-04-11T10:00:00Z", "1"),
            "rows[1].timestamp",
        ),
        (
            row(&json!({"id": "999"}), "hits", "2025-03-11T10:00:00Z", "1"),
            "rows[1].application",
        ),
    ];
    for (bad, field) in cases {
        let rows = json!([
            row(&app, "hits", "2025-03-11T09:00:00Z", "1"),
            bad,
            row(&app, "hits", "2025-03-12T09:00:00Z", "1")
        ]);
        let error = f.refused(
            "import_usage",
            json!({"rows": rows}),
            ErrorCode::Validation,
            Some(field),
        );
        assert!(error.message.starts_with("Row 2: "), "{}", error.message);
        assert!(
            error.message.ends_with("Nothing was imported."),
            "{}",
            error.message
        );
    }
    assert_eq!(
        f.ok("list_usage", json!({"application_id": app["id"]}))["total"],
        0
    );
}

#[test]
fn a_dry_run_lists_every_problem_and_imports_nothing() {
    let mut f = Fixture::new();
    let (app, _) = setup(&mut f);
    let rows = json!([
        row(&app, "hits", "2025-03-11T09:00:00Z", "1"),
        row(&app, "nope", "2025-03-11T09:00:00Z", "1"),
        row(&app, "hits", "2025-03-11T09:00:00Z", "x"),
    ]);
    let report = f.ok("import_usage", json!({"rows": rows, "dry_run": true}));
    assert_eq!(report["imported"], 0);
    let problems: Vec<_> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].clone(), e["field"].clone()))
        .collect();
    assert_eq!(
        problems,
        [(json!(2), json!("metric")), (json!(3), json!("value"))]
    );
    assert_eq!(
        f.ok("list_usage", json!({"application_id": app["id"]}))["total"],
        0
    );
    f.refused(
        "import_usage",
        json!({"rows": []}),
        ErrorCode::Validation,
        Some("rows"),
    );
}
