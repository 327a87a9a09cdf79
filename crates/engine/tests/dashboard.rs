#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! The dashboard (what needs attention) and `advance_clock` (serve --clock): the issue date the
//! dashboard promises is the day the billing run really issues the invoice.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::Fixture;
use counterfoil_engine::ErrorCode;
use serde_json::{json, Value};

fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap()
}

fn advance(f: &mut Fixture, to: DateTime<Utc>) -> Value {
    f.ok("advance_clock", json!({ "to": to }))
}

/// A buyer on a 100.00 plan (VAT 20 %), subscribed at the fixture's start.
fn subscribed(f: &mut Fixture, mode: &str) -> Value {
    let mut settings = f.ok("get_settings", json!({}));
    settings["billing_mode"] = json!(mode);
    f.ok("update_settings", settings);
    let service = f.service("API");
    let plan = f.priced_plan(&service, "Pro", "0", "100", 0);
    let buyer = f.account("Acme");
    let mut update = f.ok("get_account", json!({"id": buyer["id"]}));
    update["vat_rate"] = json!("20");
    f.ok("update_account", update);
    f.ok(
        "subscribe",
        json!({"account_id": buyer["id"], "plan_id": plan["id"], "name": "App"}),
    );
    buyer
}

fn invoice_state(f: &mut Fixture, id: &Value) -> Value {
    f.ok("get_invoice", json!({ "id": id }))["invoice"].clone()
}

#[test]
fn postpaid_invoices_are_issued_the_day_the_dashboard_says() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    subscribed(&mut f, "postpaid");
    let report = advance(&mut f, at(2025, 3, 11, 9));
    assert_eq!(
        report["jobs"].as_array().unwrap().len(),
        2,
        "10 and 11 March"
    );

    let board = f.ok("dashboard", json!({}));
    assert_eq!(board["today"], "2025-03-11");
    assert_eq!(board["to_review"]["count"], 1);
    // 22 days of 31 at 100.00 = 70.97, + 20 % VAT 14.19.
    assert_eq!(board["to_review"]["total"], "85.16");
    let item = &board["to_review_items"][0];
    assert_eq!(item["state"], "open");
    assert_eq!(item["creation_type"], "background");
    assert_eq!(
        item["issues_on"], "2025-04-03",
        "finalized on 1 April, issued 46 h later"
    );
    assert_eq!(board["last_run"]["date"], "2025-03-11");
    assert_eq!(board["next_run"], "2025-03-12T08:00:00Z");

    advance(&mut f, at(2025, 4, 2, 9));
    let board = f.ok("dashboard", json!({}));
    assert_eq!(board["to_review_items"][0]["state"], "finalized");
    assert_eq!(board["to_review_items"][0]["issues_on"], "2025-04-03");
    let march = board["to_review_items"][0]["id"].clone();
    advance(&mut f, at(2025, 4, 3, 9));
    let issued = invoice_state(&mut f, &march);
    assert_eq!(issued["state"], "pending");
    assert_eq!(issued["issued_on"], "2025-04-03", "as promised");

    // Due on 5 April; no card, so charging cannot settle it: past due from the 6th.
    advance(&mut f, at(2025, 4, 6, 9));
    let board = f.ok("dashboard", json!({}));
    let owed = board["past_due"]["count"].as_u64().unwrap()
        + board["overdue"]["count"].as_u64().unwrap()
        + board["failed"]["count"].as_u64().unwrap();
    assert_eq!(owed, 1, "{board}");
    assert_eq!(board["credits_due"]["count"], 0);
}

#[test]
fn prepaid_invoices_are_finalized_daily_and_issued_two_days_on() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    subscribed(&mut f, "prepaid");
    advance(&mut f, at(2025, 3, 11, 9));
    let board = f.ok("dashboard", json!({}));
    assert_eq!(board["to_review"]["count"], 1, "{board}");
    let item = &board["to_review_items"][0];
    assert_eq!(
        item["state"], "finalized",
        "billed and finalized by the job of the 11th"
    );
    assert_eq!(item["issues_on"], "2025-03-13");
    let id = item["id"].clone();
    advance(&mut f, at(2025, 3, 13, 9));
    assert_eq!(invoice_state(&mut f, &id)["issued_on"], "2025-03-13");
}

#[test]
fn manual_invoices_wait_for_a_person_and_credits_are_counted() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    let buyer = f.account("Acme");
    let manual = f.ok("create_invoice", json!({"account_id": buyer["id"]}));
    let id = manual["invoice"]["id"].clone();
    f.ok(
        "add_line_item",
        json!({"invoice_id": id, "name": "Goodwill credit", "cost": "-25", "quantity": "1"}),
    );
    let board = f.ok("dashboard", json!({}));
    assert_eq!(board["to_review_items"][0]["issues_on"], Value::Null);
    assert_eq!(board["last_run"], Value::Null);
    f.ok("transition_invoice", json!({"id": id, "state": "pending"}));
    let board = f.ok("dashboard", json!({}));
    assert_eq!(board["to_review"]["count"], 0);
    assert_eq!(board["credits_due"]["count"], 1);
    assert_eq!(board["credits_due"]["total"], "-25.00");
}

#[test]
fn the_clock_moves_only_forward_and_only_when_simulated() {
    let mut f = Fixture::at(at(2025, 3, 10, 12));
    f.refused(
        "advance_clock",
        json!({"to": at(2025, 3, 9, 12)}),
        ErrorCode::Validation,
        Some("to"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut real = counterfoil_engine::Book::open(
        &dir.path().join("real.book"),
        counterfoil_engine::Clock::from_fn(Utc::now),
    )
    .unwrap();
    let refused = counterfoil_engine::dispatch(
        &mut real,
        &counterfoil_engine::Actor::new("test"),
        "advance_clock",
        json!({"to": "2999-01-01T00:00:00Z"}),
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
    f.ok(
        "subscribe",
        json!({"account_id": buyer["id"], "plan_id": plan["id"], "name": "App"}),
    );
    let audit_before = f.audit_total();
    for to in ["9999-01-01T00:00:00Z", "2040-01-01T00:00:00Z"] {
        f.refused(
            "advance_clock",
            json!({ "to": to }),
            ErrorCode::Validation,
            Some("to"),
        );
    }
    let error = f
        .call("advance_clock", json!({"to": "9999-01-01T00:00:00Z"}))
        .unwrap_err();
    assert!(
        error.message.contains("nothing was changed") || error.message.contains("at most"),
        "the refusal says what the limit is: {}",
        error.message
    );
    assert_eq!(f.audit_total(), audit_before, "no day was billed");
    let board = f.ok("dashboard", json!({}));
    assert_eq!(board["today"], "2025-03-10", "the clock did not move");
}
