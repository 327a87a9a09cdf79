//! The earnings table (billing-rules.md §10): its total row and its 12-month windows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{account_fields, amount, earnings_months, period, Fixture};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, ErrorCode};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const COLUMNS: [&str; 4] = ["total", "in_process", "overdue", "paid"];

/// A book on 2025-03-10 with half cents everywhere VAT touches them:
/// - 2024-10, 2024-11, 2024-12: a paid invoice of 0.0125 (22% VAT: 0.01525, shown 0.02; without
///   VAT shown 0.01), and in 2024-11 an unpaid one of 0.0125 too (the month's total 0.0305 is
///   shown 0.03, a cent less than its parts 0.02 + 0.02);
/// - 2025-01: 42.00 unpaid, no VAT; 2025-02: 100.005 pending (122.0061 with VAT);
/// - 2025-03: 19.99 not issued yet (open), with the buyer's live 22%;
/// - a cancelled invoice (counted nowhere), and invoices before the default window: 500.00 paid
///   in 2024-03 and 7.00 paid in 2023-03.
fn book() -> Fixture {
    use InvoiceState::*;
    let mut f = Fixture::new();
    let vat22 = f.ok(
        op::create_account,
        AccountFields {
            vat_rate: Some(amount("22")),
            ..account_fields("Acme S.r.l.")
        },
    );
    let no_vat = f.account("Initech Ltd");
    for month in ["2024-10", "2024-11", "2024-12"] {
        f.invoice_of(&vat22, month, "0.0125", &[Pending, Paid]);
    }
    f.invoice_of(&vat22, "2024-11", "0.0125", &[Pending, Unpaid]);
    f.invoice_of(&no_vat, "2025-01", "42", &[Pending, Unpaid]);
    f.invoice_of(&vat22, "2025-02", "100.005", &[Pending]);
    f.invoice_of(&vat22, "2025-03", "19.99", &[]);
    f.invoice_of(&vat22, "2025-02", "1000", &[Pending, Cancelled]);
    f.invoice_of(&no_vat, "2024-03", "500", &[Pending, Paid]);
    f.invoice_of(&no_vat, "2023-03", "7", &[Pending, Paid]);
    f.assert_earnings_summary_matches_invoices();
    f
}

/// The four figures of a month or of the total row, by column name.
fn figures(month: &MonthEarnings) -> [Decimal; 4] {
    [month.total, month.in_process, month.overdue, month.paid]
}

fn total_figures(totals: &EarningsTotals) -> [Decimal; 4] {
    [totals.total, totals.in_process, totals.overdue, totals.paid]
}

/// Each column of the total row is the sum of that column's month figures, to the cent; the
/// plain month list (`earnings_by_month`) is the same months.
fn assert_totals_foot(f: &mut Fixture, input: &EarningsByMonth, table: &Earnings) {
    for (index, column) in COLUMNS.iter().enumerate() {
        let summed: Decimal = table.months.iter().map(|m| figures(m)[index]).sum();
        let total = total_figures(&table.totals)[index];
        assert_eq!(total, summed, "{input:?}: total row's {column}");
        assert!(
            total.scale() == 2,
            "{input:?}: {column} {total} is to the cent"
        );
    }
    assert_eq!(
        f.ok(op::earnings_by_month, input.clone()),
        table.months,
        "{input:?}: earnings_by_month lists the same months"
    );
}

struct Case {
    why: &'static str,
    input: EarningsByMonth,
    from: &'static str,
    to: &'static str,
    /// total, in process, overdue, paid.
    totals: [&'static str; 4],
}

fn without_vat(input: EarningsByMonth) -> EarningsByMonth {
    EarningsByMonth {
        include_vat: false,
        ..input
    }
}

#[test]
fn the_total_row_foots_each_column_of_the_window_shown() {
    let mut f = book();
    let cases = [
        Case {
            why: "the last 12 months, VAT included: half cents rounded per month, then added",
            input: earnings_months(None, None),
            from: "2024-04",
            to: "2025-03",
            // in process 122.01 + 24.39; overdue 0.02 + 42.00; paid 3 × 0.02. The total adds
            // the months' totals (0.03 in 2024-11), a cent less than the row's parts.
            totals: ["188.47", "146.40", "42.02", "0.06"],
        },
        Case {
            why: "the same months without VAT",
            input: without_vat(earnings_months(None, None)),
            from: "2024-04",
            to: "2025-03",
            // 2024-11: 0.0125 + 0.0125 = 0.025, shown 0.03 (half up), its parts 0.01 + 0.01.
            totals: ["162.05", "120.00", "42.01", "0.03"],
        },
        Case {
            why: "the 12 months before: 2024-03 is in, 2023-03 is not",
            input: earnings_months(None, Some("2024-03")),
            from: "2023-04",
            to: "2024-03",
            totals: ["500.00", "0.00", "0.00", "500.00"],
        },
        Case {
            why: "12 months with nothing invoiced yet",
            input: without_vat(earnings_months(None, Some("2026-03"))),
            from: "2025-04",
            to: "2026-03",
            totals: ["0.00", "0.00", "0.00", "0.00"],
        },
        Case {
            why: "a window given by both ends",
            input: earnings_months(Some("2024-11"), Some("2024-12")),
            from: "2024-11",
            to: "2024-12",
            totals: ["0.05", "0.00", "0.02", "0.04"],
        },
    ];
    for case in cases {
        let table = f.ok(op::earnings, case.input.clone());
        let why = case.why;
        assert_eq!(table.from, case.from, "{why}");
        assert_eq!(table.to, case.to, "{why}");
        assert_eq!(table.current_month, "2025-03", "{why}");
        assert_eq!(table.include_vat, case.input.include_vat, "{why}");
        assert_eq!(table.months.first().unwrap().period, case.from, "{why}");
        assert_eq!(table.months.last().unwrap().period, case.to, "{why}");
        let expected: Value = COLUMNS
            .iter()
            .zip(case.totals)
            .map(|(column, amount)| (column.to_string(), json!(amount)))
            .collect::<serde_json::Map<_, _>>()
            .into();
        assert_eq!(
            serde_json::to_value(&table.totals).unwrap(),
            expected,
            "{why}"
        );
        assert_totals_foot(&mut f, &case.input, &table);
    }
}

#[test]
fn a_month_with_vat_rounding_is_counted_once_in_the_total_row() {
    let mut f = book();
    let table = f.ok(
        op::earnings,
        earnings_months(Some("2024-11"), Some("2024-11")),
    );
    assert_eq!(
        serde_json::to_value(&table.months).unwrap(),
        json!([{"period": "2024-11", "total": "0.03", "in_process": "0.00", "overdue": "0.02", "paid": "0.02"}])
    );
    assert_eq!(
        serde_json::to_value(&table.totals).unwrap(),
        json!({"total": "0.03", "in_process": "0.00", "overdue": "0.02", "paid": "0.02"}),
        "one month: the total row is that month"
    );
}

#[test]
fn windows_page_by_twelve_months_from_the_current_one() {
    let mut f = book();
    let to = |month: &str| earnings_months(None, Some(month));
    let latest = f.ok(op::earnings, earnings_months(None, None));
    assert_eq!(latest.months.len(), 12);
    assert_eq!(
        f.ok(op::earnings, to("2025-03")),
        latest,
        "the current month's window is the default"
    );
    let earlier = f.ok(op::earnings, to("2024-03"));
    assert_eq!(earlier.months.len(), 12);
    assert_eq!(earlier.months[11].paid.to_string(), "500.00");
    let earliest = f.ok(op::earnings, to("2023-03"));
    assert_eq!(earliest.from, period("2022-04"));
    assert_eq!(earliest.totals.paid.to_string(), "7.00");
    // Blank is the default, as a form would send it.
    assert_eq!(
        f.ok_json("earnings", json!({"to": " "})),
        serde_json::to_value(&latest).unwrap()
    );
}

#[test]
fn a_bad_window_is_refused_naming_its_field() {
    let mut f = book();
    for to in ["soon", "2025-13", "2025-3", "25-03", "2025/03"] {
        let error = f.refused_json(
            "earnings",
            json!({ "to": to }),
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
    f.refused_json(
        "earnings",
        json!({"from": "March 2024"}),
        ErrorCode::Validation,
        Some("from"),
    );
    f.refused(
        op::earnings,
        earnings_months(Some("2025-04"), Some("2025-03")),
        ErrorCode::Validation,
        Some("from"),
    );
    // A month given as a JSON number is refused by JSON parsing.
    f.refused_json(
        "earnings",
        json!({"to": 202503}),
        ErrorCode::Validation,
        Some("to"),
    );
}
