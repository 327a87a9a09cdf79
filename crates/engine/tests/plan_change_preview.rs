#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! `preview_change_plan` shows what a plan change will bill (billing-rules.md §8): for every
//! case, the preview made just before `change_plan` lists exactly the lines the billing run
//! then adds for the change, and the preview itself writes nothing.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{account_update, by_id, plan_change, subscription, Fixture};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, run_billing_until, Actor, ErrorCode};
use std::collections::BTreeSet;

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

fn bill_at(f: &mut Fixture, instant: DateTime<Utc>) {
    f.clock.set(instant);
    run_billing_until(&mut f.book, &Actor::new("test"), instant).unwrap();
}

/// A billed line as (period, name, description, cost).
type Line = (String, String, String, String);

/// Every invoice line of the book with its id.
fn all_lines(f: &mut Fixture) -> Vec<(Id, Line)> {
    let mut lines = Vec::new();
    for detail in f.all_invoices().into_iter().rev() {
        for item in detail.line_items {
            let line = (
                detail.invoice.period.to_string(),
                item.name,
                item.description,
                item.cost.to_string(),
            );
            lines.push((item.id, line));
        }
    }
    lines
}

fn preview_lines(preview: &PlanChangePreview) -> Vec<Line> {
    preview
        .lines
        .iter()
        .map(|line| {
            (
                line.period.to_string(),
                line.name.clone(),
                line.description.clone(),
                line.cost.to_string(),
            )
        })
        .collect()
}

/// Previews the change at `when`, checks the preview wrote nothing, then makes the change.
fn preview_then_change(
    f: &mut Fixture,
    app: &Application,
    to: &Plan,
    when: DateTime<Utc>,
) -> PlanChangePreview {
    f.clock.set(when);
    let input = plan_change(app, to);
    let audit_before = f.audit_total();
    let app_before = f.ok(op::get_application, by_id(app.id));
    let preview = f.ok(op::preview_change_plan, input.clone());
    assert_eq!(
        f.audit_total(),
        audit_before,
        "the preview wrote to the book"
    );
    assert_eq!(
        f.ok(op::get_application, by_id(app.id)),
        app_before,
        "the preview changed the application"
    );
    f.ok(op::change_plan, input);
    preview
}

/// The lines the billing run added since `before` (ids not in it), in the order it added them.
fn added_since(f: &mut Fixture, before: &[(Id, Line)]) -> Vec<Line> {
    let known: BTreeSet<Id> = before.iter().map(|(id, _)| *id).collect();
    let mut added: Vec<(Id, Line)> = all_lines(f)
        .into_iter()
        .filter(|(id, _)| !known.contains(id))
        .collect();
    added.sort_by_key(|(id, _)| *id);
    added.into_iter().map(|(_, line)| line).collect()
}

fn line(period: &str, name: &str, description: &str, cost: &str) -> Line {
    (period.into(), name.into(), description.into(), cost.into())
}

struct Book {
    f: Fixture,
    basic: Plan,
    premium: Plan,
    app: Application,
}

/// A buyer on Basic (31/month, setup 5) since 5 May 2025 10:00, Premium costing 3100; the
/// billing mode and trial as given.
fn book(mode: BillingMode, trial_days: u32) -> Book {
    let mut f = Fixture::at(at(2025, 5, 1, 0, 0));
    f.change_settings(|s| s.billing_mode = mode);
    let service = f.service("API");
    let basic = f.priced_plan(&service, "Basic", "5", "31", trial_days);
    let premium = f.priced_plan(&service, "Premium", "50", "3100", 0);
    let buyer = f.account("Buyer");
    f.clock.set(at(2025, 5, 5, 10, 0));
    let app = f.ok(op::subscribe, subscription(&buyer, &basic, "App"));
    Book {
        f,
        basic,
        premium,
        app,
    }
}

/// One row of the preview table: Basic → Premium on 15 May 2025 at 0:00.
struct Case {
    name: &'static str,
    mode: BillingMode,
    trial_days: u32,
    /// The billing run has run up to this instant before the change.
    billed_until: Option<DateTime<Utc>>,
    expected: Vec<Line>,
}

#[test]
fn the_preview_lists_what_the_billing_run_then_bills() {
    use BillingMode::{Postpaid, Prepaid};
    let may_15_to_end = "May 15, 2025 (0:00) - May 31, 2025 (23:59)";
    let case = |name, mode, trial_days, billed_until, expected| Case {
        name,
        mode,
        trial_days,
        billed_until,
        expected,
    };
    let cases = vec![
        case(
            "postpaid, month billed: §8's example refund and new fee",
            Postpaid,
            0,
            Some(at(2025, 5, 10, 9, 0)),
            vec![
                line("2025-05", "Refund ('Basic')", may_15_to_end, "-17.00"),
                line("2025-05", "Fixed fee ('Premium')", may_15_to_end, "1700.00"),
            ],
        ),
        case(
            "postpaid, never billed: the old plan's fee and setup fee first",
            Postpaid,
            0,
            None,
            vec![
                line(
                    "2025-05",
                    "Fixed fee ('Basic')",
                    "May 5, 2025 (0:00) - May 31, 2025 (23:59)",
                    "27.00",
                ),
                line("2025-05", "Setup fee ('Basic')", "", "5.00"),
                line("2025-05", "Refund ('Basic')", may_15_to_end, "-17.00"),
                line("2025-05", "Fixed fee ('Premium')", may_15_to_end, "1700.00"),
            ],
        ),
        case(
            "prepaid, month billed, upgrade: refund and upgrade line",
            Prepaid,
            0,
            Some(at(2025, 5, 10, 9, 0)),
            vec![
                line("2025-05", "Refund ('Basic')", may_15_to_end, "-17.00"),
                line(
                    "2025-05",
                    "Application upgrade ('Basic' to 'Premium')",
                    may_15_to_end,
                    "1700.00",
                ),
            ],
        ),
        case(
            "in the trial: nothing",
            Postpaid,
            30,
            Some(at(2025, 5, 10, 9, 0)),
            vec![],
        ),
    ];
    for Case {
        name: case,
        mode,
        trial_days: trial,
        billed_until,
        expected,
    } in cases
    {
        let Book {
            mut f,
            premium,
            app,
            ..
        } = book(mode, trial);
        if let Some(until) = billed_until {
            bill_at(&mut f, until);
        }
        let before = all_lines(&mut f);
        let preview = preview_then_change(&mut f, &app, &premium, at(2025, 5, 15, 0, 0));
        assert_eq!(preview_lines(&preview), expected, "{case}: preview");
        let total: rust_decimal::Decimal = expected
            .iter()
            .map(|(_, _, _, cost)| cost.parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        assert_eq!(preview.total, total, "{case}: total");
        assert_eq!(preview.billing_mode, mode, "{case}");
        assert_eq!(
            preview.nothing_billed_because.is_some(),
            trial > 0,
            "{case}: {preview:?}"
        );
        // The rest of May, daily: the lines added are exactly the preview's.
        bill_at(&mut f, at(2025, 5, 30, 9, 0));
        assert_eq!(added_since(&mut f, &before), expected, "{case}: billed");
    }
}

#[test]
fn a_prepaid_downgrade_of_a_billed_month_bills_nothing_and_the_preview_says_so() {
    let Book {
        mut f,
        basic,
        premium,
        app,
    } = book(BillingMode::Prepaid, 0);
    f.clock.set(at(2025, 5, 6, 0, 0));
    f.ok(op::change_plan, plan_change(&app, &premium));
    bill_at(&mut f, at(2025, 5, 10, 9, 0));
    let app = f.ok(op::get_application, by_id(app.id)).application;
    let before = all_lines(&mut f);
    let preview = preview_then_change(&mut f, &app, &basic, at(2025, 5, 20, 12, 0));
    assert!(preview.lines.is_empty());
    assert_eq!(preview.total.to_string(), "0.00");
    bill_at(&mut f, at(2025, 5, 30, 9, 0));
    assert_eq!(added_since(&mut f, &before), Vec::<Line>::new());
}

#[test]
fn a_second_change_before_the_run_is_previewed_after_the_first() {
    let Book {
        mut f,
        basic,
        premium,
        app,
    } = book(BillingMode::Postpaid, 0);
    bill_at(&mut f, at(2025, 5, 10, 9, 0));
    let before = all_lines(&mut f);
    let first = preview_then_change(&mut f, &app, &premium, at(2025, 5, 15, 0, 0));
    let app = f.ok(op::get_application, by_id(app.id)).application;
    let second = preview_then_change(&mut f, &app, &basic, at(2025, 5, 15, 6, 0));
    let description = "May 15, 2025 (6:00) - May 31, 2025 (23:59)";
    assert_eq!(
        preview_lines(&second),
        [
            line("2025-05", "Refund ('Premium')", description, "-1675.00"),
            line("2025-05", "Fixed fee ('Basic')", description, "16.75"),
        ]
    );
    bill_at(&mut f, at(2025, 5, 16, 9, 0));
    let mut expected = preview_lines(&first);
    expected.extend(preview_lines(&second));
    assert_eq!(added_since(&mut f, &before), expected);
}

#[test]
fn billing_switched_off_is_named_and_nothing_is_billed() {
    let Book {
        mut f,
        premium,
        app,
        ..
    } = book(BillingMode::Postpaid, 0);
    bill_at(&mut f, at(2025, 5, 10, 9, 0));
    let account = f.ok(op::get_account, by_id(app.account_id));
    let edit = AccountFields {
        monthly_billing_enabled: false,
        ..account.fields
    };
    f.ok(op::update_account, account_update(account.id, edit));
    let before = all_lines(&mut f);
    let preview = preview_then_change(&mut f, &app, &premium, at(2025, 5, 15, 0, 0));
    assert!(preview.lines.is_empty());
    assert!(
        preview
            .nothing_billed_because
            .as_deref()
            .unwrap()
            .contains("Monthly billing is off"),
        "{preview:?}"
    );
    bill_at(&mut f, at(2025, 5, 30, 9, 0));
    assert_eq!(added_since(&mut f, &before), Vec::<Line>::new());
}

#[test]
fn the_preview_refuses_what_change_plan_refuses() {
    let Book {
        mut f,
        basic,
        premium,
        app,
    } = book(BillingMode::Postpaid, 0);
    let other_service = f.service("Other");
    let elsewhere = f.priced_plan(&other_service, "Elsewhere", "0", "1", 0);
    let cases = [
        (
            plan_change(&app, &basic),
            ErrorCode::Validation,
            Some("plan_id"),
        ),
        (
            plan_change(&app, &elsewhere),
            ErrorCode::Validation,
            Some("plan_id"),
        ),
        (
            ChangePlan {
                plan_id: Id(999999),
                ..plan_change(&app, &premium)
            },
            ErrorCode::Validation,
            Some("plan_id"),
        ),
        (
            ChangePlan {
                application_id: Id(999999),
                ..plan_change(&app, &premium)
            },
            ErrorCode::NotFound,
            None,
        ),
    ];
    for (input, code, field) in &cases {
        let previewed = f.refused(op::preview_change_plan, input.clone(), *code, *field);
        let changed = f.refused(op::change_plan, input.clone(), *code, *field);
        assert_eq!(previewed.message, changed.message, "{input:?}");
    }
    f.ok(op::cancel_application, by_id(app.id));
    let input = plan_change(&app, &premium);
    let previewed = f.refused(
        op::preview_change_plan,
        input.clone(),
        ErrorCode::InvalidState,
        None,
    );
    assert_eq!(
        previewed.message,
        "A cancelled application cannot change plan."
    );
}
