//! Bulk usage import: all rows or none, the first bad row named, a dry run listing problems.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{audit_list, instant, subscription, usage_list, Fixture};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, ErrorCode};
use serde_json::json;

fn setup(f: &mut Fixture) -> Application {
    let service = f.service("API");
    f.ok(
        op::create_metric,
        CreateMetric {
            service_id: service.id,
            parent_id: None,
            system_name: None,
            friendly_name: "Storage".into(),
            unit: "GB".into(),
            description: String::new(),
        },
    );
    let plan = f.plan(&service, "Pro", 0);
    let account = f.account("Buyer");
    let app = f.ok(op::subscribe, subscription(&account, &plan, "App"));
    f.clock.set(instant("2025-03-20T00:00:00Z"));
    app
}

/// A row as the file gives it, for application `id`.
fn row(id: Id, metric: &str, at: &str, value: &str) -> UsageRow {
    UsageRow {
        application: id.to_string(),
        metric: metric.into(),
        timestamp: at.into(),
        value: value.into(),
        idempotency_key: None,
    }
}

fn import(rows: Vec<UsageRow>) -> ImportUsage {
    ImportUsage {
        rows,
        dry_run: false,
    }
}

#[test]
fn a_good_file_is_imported_whole() {
    let mut f = Fixture::new();
    let app = setup(&mut f);
    let rows: Vec<UsageRow> = (11..=19)
        .map(|day| {
            row(
                app.id,
                if day % 2 == 0 { "hits" } else { "storage" },
                &format!("2025-03-{day}T10:00:00Z"),
                "5",
            )
        })
        .collect();
    let report = f.ok(op::import_usage, import(rows));
    assert_eq!(
        serde_json::to_value(report).unwrap(),
        json!({"imported": 9, "errors": [], "duplicates": []})
    );
    assert_eq!(f.ok(op::list_usage, usage_list(&app)).total, 9);
    let audit = f.ok(
        op::list_audit,
        ListAudit {
            entity: Some("usage_import".into()),
            ..audit_list()
        },
    );
    assert_eq!(audit.total, 1, "one audit record for the whole import");
}

#[test]
fn one_bad_row_imports_nothing_and_is_named() {
    let mut f = Fixture::new();
    let app = setup(&mut f);
    let cases = [
        (
            row(app.id, "nonsense", "2025-03-11T10:00:00Z", "1"),
            "rows[1].metric",
        ),
        (row(app.id, "hits", "yesterday", "1"), "rows[1].timestamp"),
        (
            row(app.id, "hits", "2025-03-11T10:00:00Z", "-4"),
            "rows[1].value",
        ),
        (
            row(app.id, "hits", "2025-03-11T10:00:00Z", "1.5"),
            "rows[1].value",
        ),
        (
            row(app.id, "hits", "2025-04-11T10:00:00Z", "1"),
            "rows[1].timestamp",
        ),
        (
            row(Id(999), "hits", "2025-03-11T10:00:00Z", "1"),
            "rows[1].application",
        ),
    ];
    for (bad, field) in cases {
        let rows = vec![
            row(app.id, "hits", "2025-03-11T09:00:00Z", "1"),
            bad,
            row(app.id, "hits", "2025-03-12T09:00:00Z", "1"),
        ];
        let error = f.refused(
            op::import_usage,
            import(rows),
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
    assert_eq!(f.ok(op::list_usage, usage_list(&app)).total, 0);
}

#[test]
fn a_dry_run_lists_every_problem_and_imports_nothing() {
    let mut f = Fixture::new();
    let app = setup(&mut f);
    let rows = vec![
        row(app.id, "hits", "2025-03-11T09:00:00Z", "1"),
        row(app.id, "nope", "2025-03-11T09:00:00Z", "1"),
        row(app.id, "hits", "2025-03-11T09:00:00Z", "x"),
    ];
    let report = f.ok(
        op::import_usage,
        ImportUsage {
            rows,
            dry_run: true,
        },
    );
    assert_eq!(report.imported, 0);
    let problems: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.row, e.field.as_str()))
        .collect();
    assert_eq!(problems, [(2, "metric"), (3, "value")]);
    assert_eq!(f.ok(op::list_usage, usage_list(&app)).total, 0);
    f.refused(
        op::import_usage,
        import(vec![]),
        ErrorCode::Validation,
        Some("rows"),
    );
}

/// A row carrying an idempotency key.
fn keyed(id: Id, at: &str, value: &str, key: &str) -> UsageRow {
    UsageRow {
        idempotency_key: Some(key.into()),
        ..row(id, "hits", at, value)
    }
}

#[test]
fn a_file_imported_twice_bills_once_by_its_idempotency_keys() {
    let mut f = Fixture::new();
    let app = setup(&mut f);
    let file = vec![
        keyed(app.id, "2025-03-11T10:00:00Z", "5", "row-1"),
        keyed(app.id, "2025-03-12T10:00:00Z", "7", "row-2"),
        // A key twice in one file: the second is a duplicate.
        keyed(app.id, "2025-03-12T11:00:00Z", "100", "row-2"),
        // A row without a key is recorded every time, as before.
        row(app.id, "hits", "2025-03-13T10:00:00Z", "1"),
    ];
    let first = f.ok(op::import_usage, import(file.clone()));
    assert_eq!((first.imported, first.duplicates.clone()), (3, vec![3]));

    let checked = f.ok(
        op::import_usage,
        ImportUsage {
            rows: file.clone(),
            dry_run: true,
        },
    );
    assert_eq!(
        checked.duplicates,
        vec![1, 2, 3],
        "a dry run says which rows were imported before"
    );

    let again = f.ok(op::import_usage, import(file));
    assert_eq!((again.imported, again.duplicates), (1, vec![1, 2, 3]));
    let usage = f.ok(op::list_usage, usage_list(&app));
    assert_eq!(usage.total, 4, "5 + 7 once, and the keyless row twice");
    let total: i64 = usage.items.iter().map(|u| u.value).sum();
    assert_eq!(total, 5 + 7 + 1 + 1);

    // A file of nothing but rows imported before changes nothing, and says so.
    let only_old = f.ok(
        op::import_usage,
        import(vec![keyed(app.id, "2025-03-11T10:00:00Z", "5", "row-1")]),
    );
    assert_eq!((only_old.imported, only_old.duplicates), (0, vec![1]));
}

#[test]
fn a_usage_value_may_carry_a_decimal_comma_when_it_is_whole() {
    let mut f = Fixture::new();
    let app = setup(&mut f);
    let report = f.ok(
        op::import_usage,
        import(vec![
            row(app.id, "hits", "2025-03-11T10:00:00Z", "12,0"),
            row(app.id, "hits", "2025-03-11T11:00:00Z", "3.00"),
        ]),
    );
    assert_eq!(report.imported, 2);
    let total: i64 = f
        .ok(op::list_usage, usage_list(&app))
        .items
        .iter()
        .map(|u| u.value)
        .sum();
    assert_eq!(total, 15);
    let refused = f
        .call(
            op::import_usage,
            import(vec![row(app.id, "hits", "2025-03-11T10:00:00Z", "12,5")]),
        )
        .unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("rows[0].value"));
}

#[test]
fn usage_recorded_twice_with_one_key_is_recorded_once() {
    let mut f = Fixture::new();
    let app = setup(&mut f);
    let service_id = f.ok(op::get_plan, ById { id: app.plan_id }).service_id;
    let metric = f.ok(op::list_metrics, ListMetrics { service_id })[0].clone();
    let record = |value: i64| RecordUsage {
        application_id: app.id,
        metric_id: metric.id,
        timestamp: Some(instant("2025-03-11T10:00:00Z")),
        value,
        idempotency_key: Some("meter-42".into()),
    };
    let first = f.ok(op::record_usage, record(9));
    let again = f.ok(op::record_usage, record(9));
    assert_eq!(again.id, first.id, "the record that carries the key");
    assert_eq!(f.ok(op::list_usage, usage_list(&app)).total, 1);
}
