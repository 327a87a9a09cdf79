//! Charging, payments and earnings (billing-rules.md §9, §10).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::Fixture;
use counterfoil_engine::gateway::{ChargeOutcome, ChargeRequest, PaymentGateway, TestGateway};
use counterfoil_engine::{charge_due_invoices, Actor, ErrorCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn card(reference: &str) -> Value {
    json!({"last4": "4242", "expiry_month": 12, "expiry_year": 2030, "gateway_reference": reference})
}

fn enable_charging(f: &mut Fixture) {
    let mut settings = f.ok("get_settings", json!({}));
    settings["charging_enabled"] = json!(true);
    f.ok("update_settings", settings);
}

/// An issued invoice of `cost` (before VAT) for a new buyer with `card`.
fn issued_invoice(f: &mut Fixture, card: Value, vat_rate: Value, cost: &str) -> Value {
    let account = f.ok(
        "create_account",
        json!({"org_name": "Buyer", "vat_rate": vat_rate, "card": card}),
    );
    let inv = f.ok("create_invoice", json!({"account_id": account["id"]}));
    let id = inv["invoice"]["id"].clone();
    f.ok(
        "add_line_item",
        json!({"invoice_id": id, "name": "Fee", "cost": cost}),
    );
    f.ok("transition_invoice", json!({"id": id, "state": "pending"}))
}

fn state(f: &mut Fixture, invoice: &Value) -> String {
    f.ok("get_invoice", json!({"id": invoice["invoice"]["id"]}))["invoice"]["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_manual_charge_records_the_transaction_and_pays_or_leaves_the_state() {
    let mut f = Fixture::new();
    let good = issued_invoice(&mut f, card(TestGateway::VALID_CARD), json!("21"), "100");
    let paid = f.ok("charge_invoice", json!({"id": good["invoice"]["id"]}));
    assert_eq!(paid["invoice"]["state"], "paid");
    assert_eq!(paid["invoice"]["paid_at"], "2025-03-10T12:00:00Z");
    let tx = &paid["payment_transactions"][0];
    assert_eq!(
        (
            tx["amount"].as_str(),
            tx["currency"].as_str(),
            tx["success"].as_bool()
        ),
        (Some("121.00"), Some("EUR"), Some(true))
    );
    f.refused(
        "charge_invoice",
        json!({"id": good["invoice"]["id"]}),
        ErrorCode::InvalidState,
        None,
    );

    let declined = issued_invoice(&mut f, card(TestGateway::DECLINED_CARD), json!(null), "50");
    let after = f.ok("charge_invoice", json!({"id": declined["invoice"]["id"]}));
    assert_eq!(
        after["invoice"]["state"], "pending",
        "a failed manual charge changes no state"
    );
    assert_eq!(after["payment_transactions"][0]["success"], false);
    assert_eq!(
        after["payment_transactions"][0]["message"],
        "The card was declined."
    );

    let no_card = issued_invoice(&mut f, json!(null), json!(null), "50");
    let after = f.ok("charge_invoice", json!({"id": no_card["invoice"]["id"]}));
    assert_eq!(
        after["payment_transactions"][0]["message"],
        "No card on file."
    );

    let open = f.ok(
        "create_invoice",
        json!({"account_id": good["invoice"]["account_id"]}),
    );
    f.refused(
        "charge_invoice",
        json!({"id": open["invoice"]["id"]}),
        ErrorCode::InvalidState,
        None,
    );
}

#[test]
fn declined_cards_are_retried_on_the_due_day_plus_3_and_plus_6_then_failed() {
    // §9: issued 3 June, due 5 June, declined → unpaid 5 June, unpaid 8 June, failed 11 June.
    let mut f = Fixture::at(at(2025, 6, 3, 8));
    enable_charging(&mut f);
    let inv = issued_invoice(&mut f, card(TestGateway::DECLINED_CARD), json!("20"), "10");
    assert_eq!(inv["invoice"]["due_on"], "2025-06-05");
    let actor = Actor::new("billing run");
    let mut timeline = Vec::new();
    for day in 3..=15 {
        let attempts = charge_due_invoices(&mut f.book, &actor, at(2025, 6, day, 8)).unwrap();
        timeline.push((day, attempts, state(&mut f, &inv)));
    }
    let attempted: Vec<_> = timeline
        .iter()
        .filter(|(_, n, _)| *n > 0)
        .map(|(d, _, s)| (*d, s.as_str()))
        .collect();
    assert_eq!(attempted, [(5, "unpaid"), (8, "unpaid"), (11, "failed")]);
    let detail = f.ok("get_invoice", json!({"id": inv["invoice"]["id"]}));
    assert_eq!(detail["payment_transactions"].as_array().unwrap().len(), 3);
}

#[test]
fn nothing_is_charged_when_charging_is_off_or_the_total_is_a_credit() {
    let mut f = Fixture::at(at(2025, 6, 3, 8));
    let actor = Actor::new("billing run");
    let inv = issued_invoice(&mut f, card(TestGateway::VALID_CARD), json!(null), "10");
    assert_eq!(
        charge_due_invoices(&mut f.book, &actor, at(2025, 6, 5, 8)).unwrap(),
        0,
        "off globally"
    );

    enable_charging(&mut f);
    let mut buyer = f.ok("get_account", json!({"id": inv["invoice"]["account_id"]}));
    buyer["monthly_charging_enabled"] = json!(false);
    f.ok("update_account", buyer);
    assert_eq!(
        charge_due_invoices(&mut f.book, &actor, at(2025, 6, 5, 8)).unwrap(),
        0,
        "off for the buyer"
    );

    let credit = issued_invoice(&mut f, card(TestGateway::VALID_CARD), json!("10"), "-25");
    assert_eq!(credit["invoice"]["totals"]["total"], "-27.50");
    assert_eq!(
        charge_due_invoices(&mut f.book, &actor, at(2025, 6, 5, 8)).unwrap(),
        0,
        "credits are never charged"
    );
    f.refused(
        "charge_invoice",
        json!({"id": credit["invoice"]["id"]}),
        ErrorCode::InvalidState,
        None,
    );
    assert_eq!(
        state(&mut f, &credit),
        "pending",
        "a credit is never cancelled silently"
    );
    let credits = f.ok("list_invoices", json!({"credit_due": true}));
    assert_eq!(credits["total"], 1);
    assert_eq!(credits["items"][0]["id"], credit["invoice"]["id"]);
}

#[test]
fn mark_as_paid_records_a_manual_payment_with_its_reference() {
    let mut f = Fixture::new();
    let inv = issued_invoice(&mut f, json!(null), json!("19"), "100");
    let paid = f.ok(
        "mark_invoice_paid",
        json!({"id": inv["invoice"]["id"], "reference": "SEPA-2025-0042"}),
    );
    assert_eq!(paid["invoice"]["state"], "paid");
    let tx = &paid["payment_transactions"][0];
    assert_eq!(
        (
            tx["reference"].as_str(),
            tx["amount"].as_str(),
            tx["success"].as_bool()
        ),
        (Some("SEPA-2025-0042"), Some("119.00"), Some(true))
    );
    f.refused(
        "mark_invoice_paid",
        json!({"id": inv["invoice"]["id"]}),
        ErrorCode::InvalidState,
        None,
    );
}

/// A gateway that keeps a ledger of real charges, answers repeated keys from memory, and can
/// be told to crash right after charging (before Counterfoil commits the outcome).
#[derive(Clone, Default)]
struct LedgerGateway {
    answered: Arc<Mutex<HashMap<String, ChargeOutcome>>>,
    charges: Arc<Mutex<u32>>,
    crash_after_charging: Arc<Mutex<bool>>,
}

impl PaymentGateway for LedgerGateway {
    fn charge(&self, request: &ChargeRequest) -> ChargeOutcome {
        let outcome = self
            .answered
            .lock()
            .unwrap()
            .entry(request.idempotency_key.clone())
            .or_insert_with(|| {
                *self.charges.lock().unwrap() += 1;
                ChargeOutcome {
                    success: true,
                    reference: "ch_1".into(),
                    message: "Charged.".into(),
                }
            })
            .clone();
        if std::mem::take(&mut *self.crash_after_charging.lock().unwrap()) {
            panic!("simulated crash after the gateway charged");
        }
        outcome
    }
}

#[test]
fn a_crash_between_the_gateways_answer_and_the_commit_never_charges_twice() {
    let mut f = Fixture::new();
    let gateway = LedgerGateway::default();
    f.book.set_gateway(Box::new(gateway.clone()));
    let inv = issued_invoice(&mut f, card(TestGateway::VALID_CARD), json!(null), "30");
    let id = inv["invoice"]["id"].clone();

    *gateway.crash_after_charging.lock().unwrap() = true;
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        f.call("charge_invoice", json!({"id": id}))
    }));
    assert!(crashed.is_err());
    assert_eq!(
        *gateway.charges.lock().unwrap(),
        1,
        "the buyer was charged once"
    );
    assert_eq!(
        state(&mut f, &inv),
        "pending",
        "the outcome was never committed"
    );

    // The person presses Charge again: the interrupted attempt is completed, not repeated.
    let after = f.ok("charge_invoice", json!({"id": id}));
    assert_eq!(after["invoice"]["state"], "paid");
    assert_eq!(*gateway.charges.lock().unwrap(), 1, "still charged once");
    assert_eq!(after["payment_transactions"].as_array().unwrap().len(), 1);
}

#[test]
fn earnings_by_month_sum_invoices_by_state_with_and_without_vat() {
    let mut f = Fixture::new();
    let no_vat = f.account("No VAT");
    let vat10 = f.ok(
        "create_account",
        json!({"org_name": "Ten", "vat_rate": "10"}),
    );
    let invoice = |f: &mut Fixture, account: &Value, period: &str, cost: &str, path: &[&str]| {
        let inv = f.ok(
            "create_invoice",
            json!({"account_id": account["id"], "period": period}),
        );
        let id = inv["invoice"]["id"].clone();
        f.ok(
            "add_line_item",
            json!({"invoice_id": id, "name": "Fee", "cost": cost}),
        );
        for state in path {
            f.ok("transition_invoice", json!({"id": id, "state": state}));
        }
    };
    // §10's example: January 2025, two unpaid invoices of 42 and 48.
    invoice(&mut f, &no_vat, "2025-01", "42", &["pending", "unpaid"]);
    invoice(&mut f, &no_vat, "2025-01", "48", &["pending", "unpaid"]);
    invoice(&mut f, &vat10, "2025-02", "100", &["pending", "paid"]);
    invoice(&mut f, &vat10, "2025-02", "0.005", &[]);
    invoice(&mut f, &no_vat, "2025-02", "1000", &["cancelled"]);

    let months = f.ok(
        "earnings_by_month",
        json!({"from": "2024-12", "to": "2025-02"}),
    );
    assert_eq!(
        months,
        json!([
            {"period": "2024-12", "total": "0.00", "in_process": "0.00", "overdue": "0.00", "paid": "0.00"},
            {"period": "2025-01", "total": "90.00", "in_process": "0.00", "overdue": "90.00", "paid": "0.00"},
            {"period": "2025-02", "total": "110.01", "in_process": "0.01", "overdue": "0.00", "paid": "110.00"},
        ])
    );
    let without_vat = f.ok(
        "earnings_by_month",
        json!({"from": "2025-02", "to": "2025-02", "include_vat": false}),
    );
    assert_eq!(without_vat[0]["paid"], "100.00");
    assert_eq!(without_vat[0]["total"], "100.01");

    let last_year = f.ok("earnings_by_month", json!({}));
    assert_eq!(
        last_year.as_array().unwrap().len(),
        12,
        "the last 12 months by default"
    );
    assert_eq!(last_year[11]["period"], "2025-03");

    f.assert_earnings_summary_matches_invoices();

    // An unpaid invoice paid later moves from overdue to paid; one cancelled leaves the table.
    let unpaid = f.ok("list_invoices", json!({"period": "2025-01"}))["items"].clone();
    let by_total = |total: &str| {
        unpaid
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["totals"]["total"] == total)
            .unwrap()["id"]
            .clone()
    };
    f.ok(
        "mark_invoice_paid",
        json!({"id": by_total("42.00"), "reference": "wire 7"}),
    );
    f.ok(
        "transition_invoice",
        json!({"id": by_total("48.00"), "state": "cancelled"}),
    );
    let january = f.ok(
        "earnings_by_month",
        json!({"from": "2025-01", "to": "2025-01"}),
    );
    assert_eq!(
        january,
        json!([{"period": "2025-01", "total": "42.00", "in_process": "0.00", "overdue": "0.00", "paid": "42.00"}])
    );
    f.assert_earnings_summary_matches_invoices();

    let drill = f.ok(
        "list_invoices",
        json!({"period": "2025-01", "states": ["unpaid", "failed"]}),
    );
    assert_eq!(drill["total"], 0, "a figure opens the invoices behind it");
    let drill = f.ok(
        "list_invoices",
        json!({"period": "2025-01", "states": ["paid"]}),
    );
    assert_eq!(drill["total"], 1, "a figure opens the invoices behind it");
    f.refused(
        "earnings_by_month",
        json!({"from": "2025-05", "to": "2025-01"}),
        ErrorCode::Validation,
        Some("from"),
    );
    f.refused(
        "earnings_by_month",
        json!({"to": "soon"}),
        ErrorCode::Validation,
        Some("to"),
    );
}
