#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! The dashboard (what needs attention) and `advance_clock` (serve --clock): the issue date the
//! dashboard promises is the day the billing run really issues the invoice.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{
    account_update, amount, by_id, day, line, new_invoice, subscription, transition, Fixture,
};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, BillingRunReport, ErrorCode};

fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap()
}

fn advance(f: &mut Fixture, to: DateTime<Utc>) -> BillingRunReport {
    f.ok(op::advance_clock, AdvanceClock { to })
}

/// A buyer on a 100.00 plan (VAT 20 %), subscribed at the fixture's start.
fn subscribed(f: &mut Fixture, mode: BillingMode) -> Account {
    f.change_settings(|s| s.billing_mode = mode);
    let service = f.service("API");
    let plan = f.priced_plan(&service, "Pro", "0", "100", 0);
    let buyer = f.account("Acme");
    let current = f.ok(op::get_account, by_id(buyer.id));
    let edit = AccountFields {
        vat_rate: Some(amount("20")),
        ..current.fields
    };
    f.ok(op::update_account, account_update(buyer.id, edit));
    f.ok(op::subscribe, subscription(&buyer, &plan, "App"));
    buyer
}

fn invoice_state(f: &mut Fixture, id: Id) -> Invoice {
    f.ok(op::get_invoice, by_id(id)).invoice
}

fn dashboard(f: &mut Fixture) -> Dashboard {
    f.ok(op::dashboard, NoInput {})
}

#[test]
fn postpaid_invoices_are_issued_the_day_the_dashboard_says() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    subscribed(&mut f, BillingMode::Postpaid);
    let report = advance(&mut f, at(2025, 3, 11, 9));
    assert_eq!(report.jobs.len(), 2, "10 and 11 March");

    let board = dashboard(&mut f);
    assert_eq!(board.today, day("2025-03-11"));
    assert_eq!(board.to_review.count, 1);
    // 22 days of 31 at 100.00 = 70.97, + 20 % VAT 14.19.
    assert_eq!(board.to_review.total.to_string(), "85.16");
    let item = &board.to_review_items[0];
    assert_eq!(item.state, InvoiceState::Open);
    assert_eq!(item.creation_type, CreationType::Background);
    assert_eq!(
        item.issues_on,
        Some(day("2025-04-03")),
        "finalized on 1 April, issued 46 h later"
    );
    assert_eq!(board.last_run.as_ref().unwrap().date, day("2025-03-11"));
    assert_eq!(board.next_run, common::instant("2025-03-12T08:00:00Z"));

    advance(&mut f, at(2025, 4, 2, 9));
    let board = dashboard(&mut f);
    assert_eq!(board.to_review_items[0].state, InvoiceState::Finalized);
    assert_eq!(board.to_review_items[0].issues_on, Some(day("2025-04-03")));
    let march = board.to_review_items[0].id;
    advance(&mut f, at(2025, 4, 3, 9));
    let issued = invoice_state(&mut f, march);
    assert_eq!(issued.state, InvoiceState::Pending);
    assert_eq!(issued.issued_on, Some(day("2025-04-03")), "as promised");

    // Due on 5 April; no card, so charging cannot settle it: past due from the 6th.
    advance(&mut f, at(2025, 4, 6, 9));
    let board = dashboard(&mut f);
    let owed = board.past_due.count + board.overdue.count + board.failed.count;
    assert_eq!(owed, 1, "{board:?}");
    assert_eq!(board.credits_due.count, 0);
}

#[test]
fn prepaid_invoices_are_finalized_daily_and_issued_two_days_on() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    subscribed(&mut f, BillingMode::Prepaid);
    advance(&mut f, at(2025, 3, 11, 9));
    let board = dashboard(&mut f);
    assert_eq!(board.to_review.count, 1, "{board:?}");
    let item = &board.to_review_items[0];
    assert_eq!(
        item.state,
        InvoiceState::Finalized,
        "billed and finalized by the job of the 11th"
    );
    assert_eq!(item.issues_on, Some(day("2025-03-13")));
    let id = item.id;
    advance(&mut f, at(2025, 3, 13, 9));
    assert_eq!(invoice_state(&mut f, id).issued_on, Some(day("2025-03-13")));
}

#[test]
fn manual_invoices_wait_for_a_person_and_credits_are_counted() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    let buyer = f.account("Acme");
    let id = f
        .ok(op::create_invoice, new_invoice(&buyer, None))
        .invoice
        .id;
    f.ok(
        op::add_line_item,
        AddLineItem {
            quantity: Some(amount("1")),
            ..line(id, "Goodwill credit", "-25")
        },
    );
    let board = dashboard(&mut f);
    assert_eq!(board.to_review_items[0].issues_on, None);
    assert_eq!(board.last_run, None);
    f.ok(
        op::transition_invoice,
        transition(id, InvoiceState::Pending),
    );
    let board = dashboard(&mut f);
    assert_eq!(board.to_review.count, 0);
    assert_eq!(board.credits_due.count, 1);
    assert_eq!(board.credits_due.total.to_string(), "-25.00");
}

#[test]
fn the_clock_moves_only_forward_and_only_when_simulated() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    f.refused(
        op::advance_clock,
        AdvanceClock {
            to: at(2025, 3, 9, 12),
        },
        ErrorCode::Validation,
        Some("to"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut real = counterfoil_engine::Book::open(
        &dir.path().join("real.book"),
        counterfoil_engine::Clock::from_fn(Utc::now),
    )
    .unwrap();
    let refused = op::advance_clock(
        &mut real,
        &counterfoil_engine::Actor::new("test"),
        AdvanceClock {
            to: common::instant("2999-01-01T00:00:00Z"),
        },
    )
    .unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
}

#[test]
fn a_clock_move_beyond_what_can_be_billed_is_refused_before_anything_changes() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    let service = f.service("API");
    let plan = f.plan(&service, "Pro", 0);
    let buyer = f.account("Acme");
    f.ok(op::subscribe, subscription(&buyer, &plan, "App"));
    let audit_before = f.audit_total();
    let to = |instant: &str| AdvanceClock {
        to: common::instant(instant),
    };
    for instant in ["9999-01-01T00:00:00Z", "2040-01-01T00:00:00Z"] {
        f.refused(
            op::advance_clock,
            to(instant),
            ErrorCode::Validation,
            Some("to"),
        );
    }
    let error = f
        .call(op::advance_clock, to("9999-01-01T00:00:00Z"))
        .unwrap_err();
    assert!(
        error.message.contains("nothing was changed") || error.message.contains("at most"),
        "the refusal says what the limit is: {}",
        error.message
    );
    assert_eq!(f.audit_total(), audit_before, "no day was billed");
    let board = dashboard(&mut f);
    assert_eq!(board.today, day("2025-03-10"), "the clock did not move");
}
