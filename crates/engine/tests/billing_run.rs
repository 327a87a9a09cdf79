#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! The daily billing run (billing-rules.md §4, §7, §8): the worked examples end to end, trials,
//! prepaid months, usage priced per plan segment, idempotence, and a catch-up that writes
//! exactly what daily jobs write.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{
    account_fields, application_list, audit_list, by_id, day, new_invoice, plan_change,
    pricing_rule, subscription, Fixture,
};
use counterfoil_engine::model::*;
use counterfoil_engine::{
    op, run_billing_until, run_billing_until_with_progress, Actor, BillingRunReport, ErrorCode,
};
use serde_json::{json, Value};

fn at(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
        .unwrap()
}

/// Moves the clock to `instant` and runs every billing job due by then.
fn bill_at(f: &mut Fixture, instant: DateTime<Utc>) -> BillingRunReport {
    f.clock.set(instant);
    run_billing_until(&mut f.book, &Actor::new("test"), instant).unwrap()
}

fn rule(f: &mut Fixture, plan: &Plan, metric: &Metric, min: i64, max: Option<i64>, cpu: &str) {
    f.ok(
        op::create_pricing_rule,
        pricing_rule(plan, metric, min, max, cpu),
    );
}

fn subscribe(f: &mut Fixture, account: &Account, plan: &Plan, when: DateTime<Utc>) -> Application {
    f.clock.set(when);
    f.ok(op::subscribe, subscription(account, plan, "App"))
}

fn change_plan(f: &mut Fixture, app: &Application, plan: &Plan, when: DateTime<Utc>) {
    f.clock.set(when);
    f.ok(op::change_plan, plan_change(app, plan));
}

fn usage(f: &mut Fixture, app: &Application, metric: &Metric, when: DateTime<Utc>, value: i64) {
    if f.clock.now() < when {
        f.clock.set(when);
    }
    f.ok(
        op::record_usage,
        common::usage(app, metric, Some(when), value),
    );
}

fn set_mode(f: &mut Fixture, mode: BillingMode) {
    f.change_settings(|s| s.billing_mode = mode);
}

/// Every invoice of the book with its lines, oldest first.
fn invoices(f: &mut Fixture) -> Vec<InvoiceDetail> {
    let mut all = f.all_invoices();
    all.reverse();
    all
}

/// An invoice's lines as (name, cost, description).
fn lines(detail: &InvoiceDetail) -> Vec<(String, String, String)> {
    detail
        .line_items
        .iter()
        .map(|line| {
            (
                line.name.clone(),
                line.cost.to_string(),
                line.description.clone(),
            )
        })
        .collect()
}

fn line(name: &str, cost: &str, description: &str) -> (String, String, String) {
    (name.to_owned(), cost.to_owned(), description.to_owned())
}

/// (period, state) of every invoice, oldest first.
fn summary(f: &mut Fixture) -> Vec<(String, InvoiceState)> {
    invoices(f)
        .into_iter()
        .map(|d| (d.invoice.period.to_string(), d.invoice.state))
        .collect()
}

fn pair(period: &str, state: InvoiceState) -> (String, InvoiceState) {
    (period.to_owned(), state)
}

#[test]
fn signup_is_billed_in_whole_days_then_finalized_issued_and_due() {
    // §4: signup on 5 February, plan 200 → 24/28 × 200 = 171.43.
    let mut f = Fixture::at(at(2025, 2, 1, 0, 0));
    let service = f.service("API");
    let pro = f.priced_plan(&service, "Pro", "0", "200", 0);
    let buyer = f.account("Buyer");
    // A manual invoice of the same month is never touched by the run.
    f.clock.set(at(2025, 2, 2, 12, 0));
    let manual = f.ok(op::create_invoice, new_invoice(&buyer, Some("2025-02")));
    subscribe(&mut f, &buyer, &pro, at(2025, 2, 5, 13, 47));

    let first = bill_at(&mut f, at(2025, 2, 6, 9, 0));
    let dates: Vec<&str> = first.jobs.iter().map(|j| j.date.as_str()).collect();
    assert_eq!(
        dates,
        [
            "2025-02-02",
            "2025-02-03",
            "2025-02-04",
            "2025-02-05",
            "2025-02-06"
        ],
        "from the first activity: the manual invoice of 2 February"
    );
    assert_eq!(
        first.jobs[3].counts.lines_added, 0,
        "08:00 was before the signup"
    );
    assert_eq!(first.jobs[4].counts.lines_added, 1);
    assert_eq!(first.totals.invoices_created, 1);

    let all = invoices(&mut f);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].invoice.id, manual.invoice.id);
    assert!(all[0].line_items.is_empty());
    let february = &all[1];
    assert_eq!(february.invoice.period, "2025-02");
    assert_eq!(february.invoice.creation_type, CreationType::Background);
    assert_eq!(february.invoice.state, InvoiceState::Open);
    assert_eq!(
        february.invoice.created_at,
        common::instant("2025-02-06T08:00:00Z")
    );
    assert_eq!(
        lines(february),
        [line(
            "Fixed fee ('Pro')",
            "171.43",
            "February 5, 2025 (0:00) - February 28, 2025 (23:59)"
        )]
    );
    assert_eq!(february.line_items[0].line_type, LineItemType::PlanCost);
    assert_eq!(february.line_items[0].quantity.to_string(), "1");

    bill_at(&mut f, at(2025, 3, 1, 9, 0));
    assert_eq!(
        summary(&mut f),
        [
            pair("2025-02", InvoiceState::Open),
            pair("2025-02", InvoiceState::Finalized),
            pair("2025-03", InvoiceState::Open)
        ],
        "February finalized on 1 March; the manual one is left alone"
    );
    let march = &invoices(&mut f)[2];
    assert_eq!(
        lines(march),
        [line(
            "Fixed fee ('Pro')",
            "200.00",
            "March 1, 2025 (0:00) - March 31, 2025 (23:59)"
        )]
    );

    bill_at(&mut f, at(2025, 3, 2, 23, 0));
    assert_eq!(
        invoices(&mut f)[1].invoice.state,
        InvoiceState::Finalized,
        "not 46 h yet"
    );
    let issuing = bill_at(&mut f, at(2025, 3, 3, 8, 0));
    assert_eq!(issuing.totals.invoices_issued, 1);
    let issued = &invoices(&mut f)[1].invoice;
    assert_eq!(issued.state, InvoiceState::Pending);
    assert_eq!(issued.issued_on, Some(day("2025-03-03")));
    assert_eq!(issued.due_on, Some(day("2025-03-05")));
    assert_eq!(issued.totals.total.to_string(), "171.43");
}

#[test]
fn plan_change_postpaid_refunds_the_old_plan_and_bills_the_new_one() {
    // §8 example: plan 31 → 3100 on 15 May, signup 5 May: 27.00, −17.00, 1 700.00 = 1 710.00.
    let mut f = Fixture::at(at(2025, 5, 1, 0, 0));
    let service = f.service("API");
    let basic = f.priced_plan(&service, "Basic", "0", "31", 0);
    let premium = f.priced_plan(&service, "Premium", "0", "3100", 0);
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &basic, at(2025, 5, 5, 10, 0));
    bill_at(&mut f, at(2025, 5, 10, 9, 0));
    change_plan(&mut f, &app, &premium, at(2025, 5, 15, 0, 0));
    let report = bill_at(&mut f, at(2025, 5, 20, 9, 0));
    assert_eq!(report.totals.lines_added, 2);

    let may = &invoices(&mut f)[0];
    assert_eq!(
        lines(may),
        [
            line(
                "Fixed fee ('Basic')",
                "27.00",
                "May 5, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
            line(
                "Refund ('Basic')",
                "-17.00",
                "May 15, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
            line(
                "Fixed fee ('Premium')",
                "1700.00",
                "May 15, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
        ]
    );
    assert_eq!(may.invoice.totals.total.to_string(), "1710.00");

    // June is billed on the new plan only, and the change is never billed twice.
    bill_at(&mut f, at(2025, 6, 1, 9, 0));
    let all = invoices(&mut f);
    assert_eq!(all[0].line_items.len(), 3);
    assert_eq!(
        lines(&all[1]),
        [line(
            "Fixed fee ('Premium')",
            "3100.00",
            "June 1, 2025 (0:00) - June 30, 2025 (23:59)"
        )]
    );
}

#[test]
fn a_change_before_the_first_billing_bills_the_old_plan_first() {
    let mut f = Fixture::at(at(2025, 5, 1, 0, 0));
    let service = f.service("API");
    let basic = f.priced_plan(&service, "Basic", "5", "31", 0);
    let premium = f.priced_plan(&service, "Premium", "50", "3100", 0);
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &basic, at(2025, 5, 5, 10, 0));
    change_plan(&mut f, &app, &premium, at(2025, 5, 15, 0, 0));
    bill_at(&mut f, at(2025, 5, 15, 9, 0));
    assert_eq!(
        lines(&invoices(&mut f)[0]),
        [
            line(
                "Fixed fee ('Basic')",
                "27.00",
                "May 5, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
            line("Setup fee ('Basic')", "5.00", ""),
            line(
                "Refund ('Basic')",
                "-17.00",
                "May 15, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
            line(
                "Fixed fee ('Premium')",
                "1700.00",
                "May 15, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
        ],
        "the catch-up bills May 5–14 on Basic, as daily jobs would; no setup fee for Premium"
    );
}

#[test]
fn prepaid_month_bills_ahead_and_finalizes_every_day() {
    let mut f = Fixture::at(at(2025, 2, 1, 0, 0));
    set_mode(&mut f, BillingMode::Prepaid);
    let service = f.service("API");
    let hits = f.hits(&service);
    let pro = f.priced_plan(&service, "Pro", "10", "200", 0);
    rule(&mut f, &pro, &hits, 1, None, "0.5");
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &pro, at(2025, 2, 5, 13, 47));
    usage(&mut f, &app, &hits, at(2025, 2, 20, 10, 0), 100);

    bill_at(&mut f, at(2025, 2, 6, 9, 0));
    assert_eq!(
        summary(&mut f),
        [pair("2025-02", InvoiceState::Finalized)],
        "finalized the same day"
    );
    assert_eq!(
        lines(&invoices(&mut f)[0]),
        [
            line(
                "Fixed fee ('Pro')",
                "171.43",
                "February 5, 2025 (0:00) - February 28, 2025 (23:59)"
            ),
            line("Setup fee ('Pro')", "10.00", ""),
        ]
    );
    bill_at(&mut f, at(2025, 2, 8, 9, 0));
    assert_eq!(
        invoices(&mut f)[0].invoice.issued_on,
        Some(day("2025-02-08"))
    );

    bill_at(&mut f, at(2025, 3, 1, 9, 0));
    let march = &invoices(&mut f)[1];
    assert_eq!(march.invoice.period, "2025-03");
    assert_eq!(march.invoice.state, InvoiceState::Finalized);
    assert_eq!(
        lines(march),
        [
            line(
                "Fixed fee ('Pro')",
                "200.00",
                "March 1, 2025 (0:00) - March 31, 2025 (23:59)"
            ),
            line(
                "Hits",
                "50.00",
                "February 5, 2025 (13:47) - February 28, 2025 (23:59)"
            ),
        ],
        "this month's fee in advance, last month's usage on this month's invoice"
    );
    assert_eq!(march.line_items[1].line_type, LineItemType::VariableCost);
    assert_eq!(march.line_items[1].quantity.to_string(), "100");
    bill_at(&mut f, at(2025, 3, 3, 9, 0));
    assert_eq!(
        summary(&mut f),
        [
            pair("2025-02", InvoiceState::Pending),
            pair("2025-03", InvoiceState::Pending)
        ]
    );
}

#[test]
fn prepaid_plan_changes_bill_upgrades_only() {
    let mut f = Fixture::at(at(2025, 5, 1, 0, 0));
    set_mode(&mut f, BillingMode::Prepaid);
    let service = f.service("API");
    let basic = f.priced_plan(&service, "Basic", "0", "31", 0);
    let premium = f.priced_plan(&service, "Premium", "0", "3100", 0);
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &basic, at(2025, 4, 20, 10, 0));
    bill_at(&mut f, at(2025, 5, 1, 9, 0));
    assert_eq!(summary(&mut f).len(), 2, "April's part and May in advance");

    // Already billed for May: the upgrade is billed on a new May invoice.
    change_plan(&mut f, &app, &premium, at(2025, 5, 15, 0, 0));
    bill_at(&mut f, at(2025, 5, 16, 9, 0));
    let all = invoices(&mut f);
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].invoice.period, "2025-05");
    assert_eq!(
        lines(&all[2]),
        [
            line(
                "Refund ('Basic')",
                "-17.00",
                "May 15, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
            line(
                "Application upgrade ('Basic' to 'Premium')",
                "1700.00",
                "May 15, 2025 (0:00) - May 31, 2025 (23:59)"
            ),
        ]
    );
    // A downgrade bills nothing.
    change_plan(&mut f, &app, &basic, at(2025, 5, 20, 12, 0));
    let report = bill_at(&mut f, at(2025, 5, 22, 9, 0));
    assert_eq!(report.totals.lines_added, 0);
    assert_eq!(invoices(&mut f).len(), 3);

    // A change on the 1st before the job: the month is not billed yet, so the old plan's fee,
    // its refund, and the new plan's part.
    change_plan(&mut f, &app, &premium, at(2025, 6, 1, 6, 0));
    bill_at(&mut f, at(2025, 6, 1, 9, 0));
    let june = invoices(&mut f)
        .into_iter()
        .find(|d| d.invoice.period == "2025-06")
        .unwrap();
    let june_lines = lines(&june);
    assert_eq!(june_lines.len(), 3);
    assert_eq!(
        june_lines[0],
        line(
            "Fixed fee ('Basic')",
            "31.00",
            "June 1, 2025 (0:00) - June 30, 2025 (23:59)"
        )
    );
    assert_eq!(june_lines[1].0, "Refund ('Basic')");
    assert_eq!(
        june_lines[2].0,
        "Application upgrade ('Basic' to 'Premium')"
    );
    assert_eq!(
        june_lines[2].2,
        "June 1, 2025 (6:00) - June 30, 2025 (23:59)"
    );
}

#[test]
fn trial_usage_is_never_billed_and_the_fee_starts_on_the_trial_end_day() {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    let service = f.service("API");
    let hits = f.hits(&service);
    let trial = f.priced_plan(&service, "Starter", "5", "31", 10);
    rule(&mut f, &trial, &hits, 1, None, "1");
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &trial, at(2025, 1, 3, 9, 0));
    assert_eq!(
        app.trial_ends_at,
        Some(common::instant("2025-01-13T09:00:00Z"))
    );
    usage(&mut f, &app, &hits, at(2025, 1, 5, 10, 0), 10);
    usage(&mut f, &app, &hits, at(2025, 1, 13, 8, 59), 3);
    usage(&mut f, &app, &hits, at(2025, 1, 13, 9, 0), 7);
    usage(&mut f, &app, &hits, at(2025, 1, 20, 10, 0), 100);

    bill_at(&mut f, at(2025, 1, 13, 8, 30));
    assert!(invoices(&mut f).is_empty(), "nothing while in trial");
    // Caught up a week after the trial ended: still billed from the trial's last day.
    bill_at(&mut f, at(2025, 3, 1, 9, 0));
    let all = invoices(&mut f);
    assert_eq!(
        lines(&all[0]),
        [
            line(
                "Fixed fee ('Starter')",
                "19.00",
                "January 13, 2025 (0:00) - January 31, 2025 (23:59)"
            ),
            line("Setup fee ('Starter')", "5.00", ""),
            line(
                "Hits",
                "107.00",
                "January 13, 2025 (9:00) - January 31, 2025 (23:59)"
            ),
        ]
    );
    assert_eq!(
        lines(&all[1]),
        [line(
            "Fixed fee ('Starter')",
            "31.00",
            "February 1, 2025 (0:00) - February 28, 2025 (23:59)"
        )],
        "the setup fee once"
    );
    let setup_fees = all
        .iter()
        .flat_map(lines)
        .filter(|l| l.0.starts_with("Setup fee"))
        .count();
    assert_eq!(setup_fees, 1);
    let app = f.ok(op::get_application, by_id(app.id)).application;
    assert!(app.setup_fee_billed);
    assert_eq!(
        app.paid_until,
        Some(common::instant("2025-03-31T23:59:59Z"))
    );
    assert_eq!(
        app.usage_billed_until,
        Some(common::instant("2025-02-28T23:59:59Z"))
    );
}

#[test]
fn a_plan_change_during_the_trial_bills_nothing() {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    let service = f.service("API");
    let basic = f.priced_plan(&service, "Basic", "5", "31", 10);
    let premium = f.priced_plan(&service, "Premium", "50", "62", 0);
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &basic, at(2025, 1, 3, 9, 0));
    change_plan(&mut f, &app, &premium, at(2025, 1, 8, 12, 0));
    bill_at(&mut f, at(2025, 1, 14, 9, 0));
    assert_eq!(
        lines(&invoices(&mut f)[0]),
        [
            line(
                "Fixed fee ('Premium')",
                "38.00",
                "January 13, 2025 (0:00) - January 31, 2025 (23:59)"
            ),
            line("Setup fee ('Premium')", "50.00", ""),
        ],
        "billed on the plan in force when the trial ended"
    );
}

#[test]
fn usage_is_priced_per_plan_segment_with_graduated_rules() {
    let mut f = Fixture::at(at(2025, 3, 1, 0, 0));
    let service = f.service("API");
    let hits = f.hits(&service);
    let metric = |parent_id: Option<Id>, friendly_name: &str, unit: &str| CreateMetric {
        service_id: service.id,
        parent_id,
        system_name: None,
        friendly_name: friendly_name.into(),
        unit: unit.into(),
        description: String::new(),
    };
    let search = f.ok(op::create_metric, metric(Some(hits.id), "Search", "call"));
    let storage = f.ok(op::create_metric, metric(None, "Storage", "GB"));
    let tiered = f.priced_plan(&service, "Tiered", "0", "0", 0);
    rule(&mut f, &tiered, &hits, 1, Some(10), "4");
    rule(&mut f, &tiered, &hits, 11, Some(20), "3");
    rule(&mut f, &tiered, &hits, 21, None, "2");
    rule(&mut f, &tiered, &search, 1, None, "0.5");
    let flat = f.priced_plan(&service, "Flat", "0", "0", 0);
    rule(&mut f, &flat, &hits, 1, None, "1");
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &tiered, at(2025, 3, 10, 12, 0));

    // April on Tiered until the 15th: 5 hits + 10 searches → hits 15 = 40 + 15; searches 5.
    usage(&mut f, &app, &hits, at(2025, 4, 2, 10, 0), 5);
    usage(&mut f, &app, &search, at(2025, 4, 3, 10, 0), 10);
    usage(&mut f, &app, &storage, at(2025, 4, 3, 11, 0), 1000);
    change_plan(&mut f, &app, &flat, at(2025, 4, 15, 0, 0));
    // Then on Flat: thresholds start again at zero, 30 hits at 1.
    usage(&mut f, &app, &hits, at(2025, 4, 15, 0, 0), 30);
    let report = bill_at(&mut f, at(2025, 5, 1, 9, 0));

    let april = invoices(&mut f)
        .into_iter()
        .find(|d| d.invoice.period == "2025-04")
        .unwrap();
    assert_eq!(
        lines(&april),
        [
            line(
                "Hits",
                "55.00",
                "April 1, 2025 (0:00) - April 14, 2025 (23:59)"
            ),
            line(
                "Hits",
                "30.00",
                "April 15, 2025 (0:00) - April 30, 2025 (23:59)"
            ),
            line(
                "Search",
                "5.00",
                "April 1, 2025 (0:00) - April 14, 2025 (23:59)"
            ),
        ],
        "one line per metric and segment, most expensive first; Storage has no rule"
    );
    let quantities: Vec<String> = april
        .line_items
        .iter()
        .map(|l| l.quantity.to_string())
        .collect();
    assert_eq!(quantities, ["15", "30", "10"]);
    assert_eq!(april.invoice.state, InvoiceState::Finalized);
    assert_eq!(
        report.totals.invoices_created, 1,
        "free plans open no invoice of their own"
    );
    assert_eq!(
        summary(&mut f).len(),
        1,
        "no empty invoices for March or May"
    );
}

#[test]
fn a_cancelled_application_bills_nothing_after_its_cancellation() {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    let service = f.service("API");
    let hits = f.hits(&service);
    let pro = f.priced_plan(&service, "Pro", "0", "31", 0);
    rule(&mut f, &pro, &hits, 1, None, "1");
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &pro, at(2025, 1, 10, 10, 0));
    usage(&mut f, &app, &hits, at(2025, 2, 3, 10, 0), 4);
    f.clock.set(at(2025, 2, 10, 12, 0));
    f.ok(op::cancel_application, by_id(app.id));
    bill_at(&mut f, at(2025, 4, 2, 9, 0));
    let periods: Vec<String> = invoices(&mut f)
        .into_iter()
        .map(|d| d.invoice.period.to_string())
        .collect();
    assert_eq!(
        periods,
        ["2025-01", "2025-02"],
        "nothing for March or April"
    );
    let february = &invoices(&mut f)[1];
    assert_eq!(
        lines(february),
        [
            line(
                "Fixed fee ('Pro')",
                "31.00",
                "February 1, 2025 (0:00) - February 28, 2025 (23:59)"
            ),
            line(
                "Hits",
                "4.00",
                "February 1, 2025 (0:00) - February 10, 2025 (12:00)"
            ),
        ],
        "February was billed on the 1st, before the cancellation (no refund on cancelling)"
    );
}

#[test]
fn billing_disabled_bills_nothing_and_a_zero_total_is_paid_on_issue() {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    let service = f.service("API");
    let hits = f.hits(&service);
    let pro = f.priced_plan(&service, "Pro", "10", "99", 0);
    let free = f.priced_plan(&service, "Free", "0", "0", 0);
    let tiny = f.priced_plan(&service, "Tiny", "0", "0", 0);
    rule(&mut f, &tiny, &hits, 1, None, "0.0001");
    let disabled = f.ok(
        op::create_account,
        AccountFields {
            monthly_billing_enabled: false,
            ..account_fields("Not billed")
        },
    );
    let free_buyer = f.account("Free buyer");
    let tiny_buyer = f.account("Tiny buyer");
    let paid_app = subscribe(&mut f, &disabled, &pro, at(2025, 1, 5, 10, 0));
    let free_app = subscribe(&mut f, &free_buyer, &free, at(2025, 1, 5, 10, 0));
    let tiny_app = subscribe(&mut f, &tiny_buyer, &tiny, at(2025, 1, 5, 10, 0));
    usage(&mut f, &paid_app, &hits, at(2025, 1, 6, 10, 0), 1000);
    usage(&mut f, &free_app, &hits, at(2025, 1, 6, 10, 0), 1000);
    usage(&mut f, &tiny_app, &hits, at(2025, 1, 6, 10, 0), 30);

    bill_at(&mut f, at(2025, 3, 10, 9, 0));
    let all = invoices(&mut f);
    assert_eq!(
        all.len(),
        1,
        "no invoice for the disabled buyer nor for the free plan"
    );
    let january = &all[0].invoice;
    assert_eq!(january.account_id, tiny_buyer.id);
    assert_eq!(
        lines(&all[0]),
        [line(
            "Hits",
            "0.003",
            "January 5, 2025 (10:00) - January 31, 2025 (23:59)"
        )]
    );
    assert_eq!(january.totals.total.to_string(), "0.00");
    assert_eq!(
        january.state,
        InvoiceState::Paid,
        "a total of 0 is paid when issued"
    );
    assert_eq!(january.issued_on, Some(day("2025-02-03")));
    assert_eq!(
        january.paid_at,
        Some(common::instant("2025-02-03T08:00:00Z"))
    );
    let untouched = f.ok(op::get_application, by_id(paid_app.id)).application;
    assert_eq!(untouched.paid_until, None);
}

#[test]
fn jobs_start_on_the_first_signup_day_and_report_progress() {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    assert_eq!(
        bill_at(&mut f, at(2025, 1, 5, 9, 0)).jobs.len(),
        0,
        "no application yet"
    );
    let service = f.service("API");
    let pro = f.priced_plan(&service, "Pro", "0", "31", 0);
    let buyer = f.account("Buyer");
    subscribe(&mut f, &buyer, &pro, at(2025, 1, 10, 15, 0));

    f.clock.set(at(2025, 1, 13, 9, 0));
    let mut calls = Vec::new();
    let report = run_billing_until_with_progress(
        &mut f.book,
        &Actor::new("test"),
        at(2025, 1, 13, 9, 0),
        &mut |done, total| calls.push((done, total)),
    )
    .unwrap();
    assert_eq!(calls, [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]);
    let dates: Vec<&str> = report.jobs.iter().map(|j| j.date.as_str()).collect();
    assert_eq!(
        dates,
        ["2025-01-10", "2025-01-11", "2025-01-12", "2025-01-13"]
    );
    let audited = f.ok(
        op::list_audit,
        ListAudit {
            entity: Some("billing_job".into()),
            ..audit_list()
        },
    );
    assert_eq!(audited.total, 4);
    assert_eq!(
        audited.items[0].after.as_ref().unwrap()["date"],
        "2025-01-13"
    );

    let error = run_billing_until(
        &mut f.book,
        &Actor::new("test"),
        at(2025, 1, 13, 9, 0) + Duration::days(1),
    )
    .unwrap_err();
    assert_eq!(error.code, ErrorCode::Validation);
    assert_eq!(error.field.as_deref(), Some("until"));
}

// --- idempotence and catch-up ----------------------------------------------------------------

/// Everything the run writes that a user can see: invoices with their lines, and applications,
/// as they cross (amounts as written).
fn snapshot(f: &mut Fixture) -> Value {
    let applications = f.ok(
        op::list_applications,
        ListApplications {
            per_page: 500,
            ..application_list()
        },
    );
    json!({
        "invoices": invoices(f),
        "applications": applications.items,
    })
}

/// A quarter of a provider's life: a trial ending mid-month, graduated usage, a plan change, a
/// cancellation, a second buyer and a signup on a month's last day. With `daily`, the billing
/// runs at 08:00 every day as the events happen; without, once at the end.
fn quarter(mode: BillingMode, daily: bool) -> Value {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    set_mode(&mut f, mode);
    let service = f.service("API");
    let hits = f.hits(&service);
    let basic = f.priced_plan(&service, "Basic", "5", "31", 7);
    rule(&mut f, &basic, &hits, 1, Some(100), "0.1");
    rule(&mut f, &basic, &hits, 101, None, "0.05");
    let premium = f.priced_plan(&service, "Premium", "50", "310", 0);
    rule(&mut f, &premium, &hits, 1001, None, "0.01");
    let acme = f.account("Acme");
    let zeta = f.account("Zeta");

    let mut clock = at(2025, 1, 1, 0, 0);
    let mut go = |f: &mut Fixture, to: DateTime<Utc>| {
        if daily {
            let mut job = clock.date_naive().and_hms_opt(8, 0, 0).unwrap().and_utc();
            while job <= to {
                if job >= clock {
                    bill_at(f, job);
                }
                job += Duration::days(1);
            }
        }
        clock = to;
        f.clock.set(to);
    };

    go(&mut f, at(2025, 1, 3, 9, 30));
    let a1 = subscribe(&mut f, &acme, &basic, at(2025, 1, 3, 9, 30));
    go(&mut f, at(2025, 1, 6, 12, 0));
    usage(&mut f, &a1, &hits, at(2025, 1, 6, 12, 0), 40); // in the trial
    go(&mut f, at(2025, 1, 12, 18, 0));
    usage(&mut f, &a1, &hits, at(2025, 1, 12, 18, 0), 150);
    go(&mut f, at(2025, 1, 31, 17, 0));
    let z1 = subscribe(&mut f, &zeta, &premium, at(2025, 1, 31, 17, 0));
    go(&mut f, at(2025, 2, 10, 10, 0));
    usage(&mut f, &a1, &hits, at(2025, 2, 10, 10, 0), 500);
    usage(&mut f, &z1, &hits, at(2025, 2, 10, 10, 0), 5000);
    go(&mut f, at(2025, 2, 14, 15, 0));
    change_plan(&mut f, &a1, &premium, at(2025, 2, 14, 15, 0));
    go(&mut f, at(2025, 2, 20, 10, 0));
    usage(&mut f, &a1, &hits, at(2025, 2, 20, 10, 0), 2000);
    go(&mut f, at(2025, 3, 12, 11, 0));
    f.ok(op::cancel_application, by_id(z1.id));
    go(&mut f, at(2025, 3, 20, 10, 0));
    let a2 = subscribe(&mut f, &acme, &premium, at(2025, 3, 20, 10, 0));
    go(&mut f, at(2025, 3, 25, 10, 0));
    usage(&mut f, &a2, &hits, at(2025, 3, 25, 10, 0), 1500);
    go(&mut f, at(2025, 4, 4, 9, 0));
    bill_at(&mut f, at(2025, 4, 4, 9, 0));
    snapshot(&mut f)
}

#[test]
fn a_catch_up_writes_exactly_what_daily_jobs_write() {
    for mode in [BillingMode::Postpaid, BillingMode::Prepaid] {
        let daily = quarter(mode, true);
        let caught_up = quarter(mode, false);
        assert!(
            daily["invoices"].as_array().unwrap().len() >= 5,
            "{mode:?}: the scenario bills something"
        );
        assert_eq!(daily, caught_up, "{mode:?}");
    }
}

/// A book two months behind: signups, usage and a plan change, and no billing run yet.
fn behind() -> Fixture {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    let service = f.service("API");
    let hits = f.hits(&service);
    let basic = f.priced_plan(&service, "Basic", "5", "31", 7);
    rule(&mut f, &basic, &hits, 1, None, "0.1");
    let premium = f.priced_plan(&service, "Premium", "50", "310", 0);
    let acme = f.account("Acme");
    let zeta = f.account("Zeta");
    let a1 = subscribe(&mut f, &acme, &basic, at(2025, 1, 3, 9, 30));
    subscribe(&mut f, &zeta, &premium, at(2025, 1, 20, 9, 30));
    usage(&mut f, &a1, &hits, at(2025, 1, 12, 18, 0), 150);
    change_plan(&mut f, &a1, &premium, at(2025, 2, 14, 15, 0));
    f.clock.set(at(2025, 3, 10, 12, 0));
    f
}

#[test]
fn a_catch_up_stopped_between_days_and_resumed_writes_what_one_run_writes() {
    use counterfoil_engine::{bill_day, billing_days_due};
    let actor = Actor::new("test");
    let mut whole = behind();
    let now = whole.clock.now();
    run_billing_until(&mut whole.book, &actor, now).unwrap();

    let mut stopped = behind();
    let due = billing_days_due(&stopped.book, now).unwrap();
    assert_eq!(due.len(), 67, "3 January to 10 March");
    assert_eq!(due[0].to_string(), "2025-01-03", "from the first signup");
    for day in &due[..20] {
        bill_day(&mut stopped.book, &actor, *day).unwrap();
    }
    // Stopped (the user cancelled): the rest is still due, nothing is skipped.
    assert_eq!(billing_days_due(&stopped.book, now).unwrap(), due[20..]);
    for day in billing_days_due(&stopped.book, now).unwrap() {
        bill_day(&mut stopped.book, &actor, day).unwrap();
    }
    assert!(billing_days_due(&stopped.book, now).unwrap().is_empty());
    assert_eq!(snapshot(&mut stopped), snapshot(&mut whole));
}

#[test]
fn running_the_same_date_twice_changes_nothing() {
    let mut f = Fixture::at(at(2025, 1, 1, 0, 0));
    let service = f.service("API");
    let hits = f.hits(&service);
    let pro = f.priced_plan(&service, "Pro", "10", "31", 0);
    let premium = f.priced_plan(&service, "Premium", "0", "62", 0);
    rule(&mut f, &pro, &hits, 1, None, "1");
    let buyer = f.account("Buyer");
    let app = subscribe(&mut f, &buyer, &pro, at(2025, 1, 10, 10, 0));
    usage(&mut f, &app, &hits, at(2025, 1, 20, 10, 0), 7);
    change_plan(&mut f, &app, &premium, at(2025, 1, 25, 0, 0));

    let first = bill_at(&mut f, at(2025, 2, 5, 9, 0));
    assert!(first.totals.lines_added > 0);
    let before = snapshot(&mut f);
    let audit_before = f.audit_total();

    let again = bill_at(&mut f, at(2025, 2, 5, 9, 0));
    assert_eq!(again, BillingRunReport::default());
    let later_same_day = bill_at(&mut f, at(2025, 2, 5, 23, 0));
    assert!(later_same_day.jobs.is_empty(), "one job per date");
    assert_eq!(snapshot(&mut f), before);
    assert_eq!(f.audit_total(), audit_before);
}

#[test]
fn a_shell_that_stays_open_bills_next_at_8_utc() {
    use chrono::{TimeZone, Utc};
    use counterfoil_engine::next_job_instant;
    let at = |d: u32, h: u32, m: u32| Utc.with_ymd_and_hms(2025, 1, d, h, m, 0).unwrap();
    assert_eq!(next_job_instant(at(5, 7, 59)), at(5, 8, 0));
    assert_eq!(next_job_instant(at(5, 8, 0)), at(6, 8, 0), "strictly after");
    assert_eq!(next_job_instant(at(5, 23, 0)), at(6, 8, 0));
}
