//! The earnings table (billing-rules.md §10): its total row and its 12-month windows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::Fixture;
use counterfoil_engine::ErrorCode;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

const COLUMNS: [&str; 4] = ["total", "in_process", "overdue", "paid"];

/// An invoice of one line of `cost` (before VAT) for `account`, moved through `states`.
fn invoice(f: &mut Fixture, account: &Value, period: &str, cost: &str, states: &[&str]) {
    let created = f.ok(
        "create_invoice",
        json!({"account_id": account["id"], "period": period}),
    );
    let id = created["invoice"]["id"].clone();
    f.ok(
        "add_line_item",
        json!({"invoice_id": id, "name": "Fee", "cost": cost}),
    );
    for state in states {
        f.ok("transition_invoice", json!({"id": id, "state": state}));
    }
}

/// A book on 2025-03-10 with half cents everywhere VAT touches them:
/// - 2024-10, 2024-11, 2024-12: a paid invoice of 0.0125 (22% VAT: 0.01525, shown 0.02; without
///   VAT shown 0.01), and in 2024-11 an unpaid one of 0.0125 too (the month's total 0.0305 is
///   shown 0.03, a cent less than its parts 0.02 + 0.02);
/// - 2025-01: 42.00 unpaid, no VAT; 2025-02: 100.005 pending (122.0061 with VAT);
/// - 2025-03: 19.99 not issued yet (open), with the buyer's live 22%;
/// - a cancelled invoice (counted nowhere), and invoices before the default window: 500.00 paid
///   in 2024-03 and 7.00 paid in 2023-03.
fn book() -> Fixture {
    let mut f = Fixture::new();
    let vat22 = f.ok(
        "create_account",
        json!({"org_name": "Acme S.r.l.", "vat_rate": "22"}),
    );
    let no_vat = f.account("Initech Ltd");
    for period in ["2024-10", "2024-11", "2024-12"] {
        invoice(&mut f, &vat22, period, "0.0125", &["pending", "paid"]);
    }
    invoice(&mut f, &vat22, "2024-11", "0.0125", &["pending", "unpaid"]);
    invoice(&mut f, &no_vat, "2025-01", "42", &["pending", "unpaid"]);
    invoice(&mut f, &vat22, "2025-02", "100.005", &["pending"]);
    invoice(&mut f, &vat22, "2025-03", "19.99", &[]);
    invoice(&mut f, &vat22, "2025-02", "1000", &["pending", "cancelled"]);
    invoice(&mut f, &no_vat, "2024-03", "500", &["pending", "paid"]);
    invoice(&mut f, &no_vat, "2023-03", "7", &["pending", "paid"]);
    f.assert_earnings_summary_matches_invoices();
    f
}

/// Each column of the total row is the sum of that column's month figures, to the cent; the
/// plain month list (`earnings_by_month`) is the same months.
fn assert_totals_foot(f: &mut Fixture, input: &Value, table: &Value) {
    let months = table["months"].as_array().unwrap();
    for column in COLUMNS {
        let summed: Decimal = months
            .iter()
            .map(|month| Decimal::from_str(month[column].as_str().unwrap()).unwrap())
            .sum();
        let total = Decimal::from_str(table["totals"][column].as_str().unwrap()).unwrap();
        assert_eq!(total, summed, "{input}: total row's {column}");
        assert!(
            total.scale() == 2,
            "{input}: {column} {total} is to the cent"
        );
    }
    assert_eq!(
        f.ok("earnings_by_month", input.clone()),
        table["months"],
        "{input}: earnings_by_month lists the same months"
    );
}

struct Case {
    why: &'static str,
    input: Value,
    from: &'static str,
    to: &'static str,
    /// total, in process, overdue, paid.
    totals: [&'static str; 4],
}

#[test]
fn the_total_row_foots_each_column_of_the_window_shown() {
    let mut f = book();
    let cases = [
        Case {
            why: "the last 12 months, VAT included: half cents rounded per month, then added",
            input: json!({}),
            from: "2024-04",
            to: "2025-03",
            // in process 122.01 + 24.39; overdue 0.02 + 42.00; paid 3 × 0.02. The total adds
            // the months' totals (0.03 in 2024-11), a cent less than the row's parts.
            totals: ["188.47", "146.40", "42.02", "0.06"],
        },
        Case {
            why: "the same months without VAT",
            input: json!({"include_vat": false}),
            from: "2024-04",
            to: "2025-03",
            // 2024-11: 0.0125 + 0.0125 = 0.025, shown 0.03 (half up), its parts 0.01 + 0.01.
            totals: ["162.05", "120.00", "42.01", "0.03"],
        },
        Case {
            why: "the 12 months before: 2024-03 is in, 2023-03 is not",
            input: json!({"to": "2024-03"}),
            from: "2023-04",
            to: "2024-03",
            totals: ["500.00", "0.00", "0.00", "500.00"],
        },
        Case {
            why: "12 months with nothing invoiced yet",
            input: json!({"to": "2026-03", "include_vat": false}),
            from: "2025-04",
            to: "2026-03",
            totals: ["0.00", "0.00", "0.00", "0.00"],
        },
        Case {
            why: "a window given by both ends",
            input: json!({"from": "2024-11", "to": "2024-12"}),
            from: "2024-11",
            to: "2024-12",
            totals: ["0.05", "0.00", "0.02", "0.04"],
        },
    ];
    for case in cases {
        let table = f.ok("earnings", case.input.clone());
        let why = case.why;
        assert_eq!(table["from"], case.from, "{why}");
        assert_eq!(table["to"], case.to, "{why}");
        assert_eq!(table["current_month"], "2025-03", "{why}");
        assert_eq!(
            table["include_vat"],
            case.input
                .get("include_vat")
                .cloned()
                .unwrap_or(json!(true)),
            "{why}"
        );
        let months = table["months"].as_array().unwrap();
        assert_eq!(months.first().unwrap()["period"], case.from, "{why}");
        assert_eq!(months.last().unwrap()["period"], case.to, "{why}");
        let expected: Value = COLUMNS
            .iter()
            .zip(case.totals)
            .map(|(column, amount)| (column.to_string(), json!(amount)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        assert_eq!(table["totals"], expected, "{why}");
        assert_totals_foot(&mut f, &case.input, &table);
    }
}

#[test]
fn a_month_with_vat_rounding_is_counted_once_in_the_total_row() {
    let mut f = book();
    let table = f.ok("earnings", json!({"from": "2024-11", "to": "2024-11"}));
    assert_eq!(
        table["months"],
        json!([{"period": "2024-11", "total": "0.03", "in_process": "0.00", "overdue": "0.02", "paid": "0.02"}])
    );
    assert_eq!(
        table["totals"],
        json!({"total": "0.03", "in_process": "0.00", "overdue": "0.02", "paid": "0.02"}),
        "one month: the total row is that month"
    );
}

#[test]
fn windows_page_by_twelve_months_from_the_current_one() {
    let mut f = book();
    let latest = f.ok("earnings", json!({}));
    assert_eq!(latest["months"].as_array().unwrap().len(), 12);
    assert_eq!(
        f.ok("earnings", json!({"to": "2025-03"})),
        latest,
        "the current month's window is the default"
    );
    let earlier = f.ok("earnings", json!({"to": "2024-03"}));
    assert_eq!(earlier["months"].as_array().unwrap().len(), 12);
    assert_eq!(earlier["months"][11]["paid"], "500.00");
    let earliest = f.ok("earnings", json!({"to": "2023-03"}));
    assert_eq!(earliest["from"], "2022-04");
    assert_eq!(earliest["totals"]["paid"], "7.00");
    // Blank is the default, as a form would send it.
    assert_eq!(f.ok("earnings", json!({"to": " "})), latest);
}

#[test]
fn a_bad_window_is_refused_naming_its_field() {
    let mut f = book();
    for to in ["soon", "2025-13", "2025-3", "25-03", "2025/03"] {
        let error = f.refused(
            "earnings",
            json!({"to": to}),
            ErrorCode::Validation,
            Some("to"),
        );
        assert!(
            error
                .message
                .starts_with("to must be a month written YYYY-MM"),
            "{error:?}"
        );
        assert!(error.message.contains(to), "{error:?}");
    }
    f.refused(
        "earnings",
        json!({"from": "March 2024"}),
        ErrorCode::Validation,
        Some("from"),
    );
    f.refused(
        "earnings",
        json!({"from": "2025-04", "to": "2025-03"}),
        ErrorCode::Validation,
        Some("from"),
    );
    f.refused(
        "earnings",
        json!({"to": 202503}),
        ErrorCode::Validation,
        Some("to"),
    );
}
