//! Charging, payments and earnings (billing-rules.md §9, §10).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{DateTime, TimeZone, Utc};
use common::{
    account_fields, amount, by_id, day, earnings_months, instant, invoice_list, line, new_invoice,
    period, transition, Fixture,
};
use counterfoil_engine::gateway::{ChargeOutcome, ChargeRequest, PaymentGateway, TestGateway};
use counterfoil_engine::model::PaymentGatewayInfo;
use counterfoil_engine::model::*;
use counterfoil_engine::{charge_due_invoices, op, Actor, ErrorCode};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn card(reference: &str) -> Option<Card> {
    Some(common::card("4242", 12, 2030, reference))
}

fn enable_charging(f: &mut Fixture) {
    f.change_settings(|s| s.charging_enabled = true);
}

/// An issued invoice of `cost` (before VAT) for a new buyer with `card` and `vat_rate`.
fn issued_invoice(
    f: &mut Fixture,
    card: Option<Card>,
    vat_rate: Option<&str>,
    cost: &str,
) -> InvoiceDetail {
    let account = f.ok(
        op::create_account,
        AccountFields {
            vat_rate: vat_rate.map(amount),
            card,
            ..account_fields("Buyer")
        },
    );
    let id = f
        .ok(op::create_invoice, new_invoice(&account, None))
        .invoice
        .id;
    f.ok(op::add_line_item, line(id, "Fee", cost));
    f.ok(
        op::transition_invoice,
        transition(id, InvoiceState::Pending),
    )
}

fn state(f: &mut Fixture, invoice: &InvoiceDetail) -> InvoiceState {
    f.ok(op::get_invoice, by_id(invoice.invoice.id))
        .invoice
        .state
}

#[test]
fn a_manual_charge_records_the_transaction_and_pays_or_leaves_the_state() {
    let mut f = Fixture::new();
    f.use_test_gateway();
    let good = issued_invoice(&mut f, card(TestGateway::VALID_CARD), Some("21"), "100");
    let paid = f.ok(op::charge_invoice, by_id(good.invoice.id));
    assert_eq!(paid.invoice.state, InvoiceState::Paid);
    assert_eq!(paid.invoice.paid_at, Some(instant("2025-03-10T12:00:00Z")));
    let tx = &paid.payment_transactions[0];
    assert_eq!(
        (tx.amount.to_string(), tx.currency.as_str(), tx.success),
        ("121.00".to_owned(), "EUR", true)
    );
    f.refused(
        op::charge_invoice,
        by_id(good.invoice.id),
        ErrorCode::InvalidState,
        None,
    );

    let declined = issued_invoice(&mut f, card(TestGateway::DECLINED_CARD), None, "50");
    let after = f.ok(op::charge_invoice, by_id(declined.invoice.id));
    assert_eq!(
        after.invoice.state,
        InvoiceState::Pending,
        "a failed manual charge changes no state"
    );
    assert!(!after.payment_transactions[0].success);
    assert_eq!(
        after.payment_transactions[0].message,
        "The card was declined (test gateway)."
    );

    let no_card = issued_invoice(&mut f, None, None, "50");
    let after = f.ok(op::charge_invoice, by_id(no_card.invoice.id));
    assert_eq!(
        after.payment_transactions[0].message,
        "No card on file (test gateway)."
    );

    let open = f.ok(
        op::create_invoice,
        CreateInvoice {
            account_id: good.invoice.account_id,
            lines: Vec::new(),
            period: None,
        },
    );
    f.refused(
        op::charge_invoice,
        by_id(open.invoice.id),
        ErrorCode::InvalidState,
        None,
    );
}

#[test]
fn declined_cards_are_retried_on_the_due_day_plus_3_and_plus_6_then_failed() {
    // §9: issued 3 June, due 5 June, declined → unpaid 5 June, unpaid 8 June, failed 11 June.
    let mut f = Fixture::at(at(2025, 6, 3, 8));
    f.use_test_gateway();
    enable_charging(&mut f);
    let inv = issued_invoice(&mut f, card(TestGateway::DECLINED_CARD), Some("20"), "10");
    assert_eq!(inv.invoice.due_on, Some(day("2025-06-05")));
    let actor = Actor::new("billing run");
    let mut timeline = Vec::new();
    for day in 3..=15 {
        let attempts = charge_due_invoices(&mut f.book, &actor, at(2025, 6, day, 8)).unwrap();
        timeline.push((day, attempts, state(&mut f, &inv)));
    }
    let attempted: Vec<_> = timeline
        .iter()
        .filter(|(_, n, _)| *n > 0)
        .map(|(d, _, s)| (*d, *s))
        .collect();
    use InvoiceState::{Failed, Unpaid};
    assert_eq!(attempted, [(5, Unpaid), (8, Unpaid), (11, Failed)]);
    let detail = f.ok(op::get_invoice, by_id(inv.invoice.id));
    assert_eq!(detail.payment_transactions.len(), 3);
}

#[test]
fn nothing_is_charged_when_charging_is_off_or_the_total_is_a_credit() {
    let mut f = Fixture::at(at(2025, 6, 3, 8));
    f.use_test_gateway();
    let actor = Actor::new("billing run");
    let inv = issued_invoice(&mut f, card(TestGateway::VALID_CARD), None, "10");
    assert_eq!(
        charge_due_invoices(&mut f.book, &actor, at(2025, 6, 5, 8)).unwrap(),
        0,
        "off globally"
    );

    enable_charging(&mut f);
    let buyer = f.ok(op::get_account, by_id(inv.invoice.account_id));
    let edit = AccountFields {
        monthly_charging_enabled: false,
        ..buyer.fields
    };
    f.ok(op::update_account, common::account_update(buyer.id, edit));
    assert_eq!(
        charge_due_invoices(&mut f.book, &actor, at(2025, 6, 5, 8)).unwrap(),
        0,
        "off for the buyer"
    );

    let credit = issued_invoice(&mut f, card(TestGateway::VALID_CARD), Some("10"), "-25");
    assert_eq!(credit.invoice.totals.total.to_string(), "-27.50");
    assert_eq!(
        charge_due_invoices(&mut f.book, &actor, at(2025, 6, 5, 8)).unwrap(),
        0,
        "credits are never charged"
    );
    f.refused(
        op::charge_invoice,
        by_id(credit.invoice.id),
        ErrorCode::InvalidState,
        None,
    );
    assert_eq!(
        state(&mut f, &credit),
        InvoiceState::Pending,
        "a credit is never cancelled silently"
    );
    let credits = f.ok(
        op::list_invoices,
        ListInvoices {
            credit_due: true,
            ..invoice_list()
        },
    );
    assert_eq!(credits.total, 1);
    assert_eq!(credits.items[0].id, credit.invoice.id);
}

#[test]
fn a_book_without_a_payment_gateway_marks_nothing_paid_by_charging() {
    // A new book names no gateway: charging is off whatever the settings say.
    let mut f = Fixture::at(at(2025, 6, 3, 8));
    enable_charging(&mut f);
    assert_eq!(f.ok(op::book_info, NoInput {}).payment_gateway, None);
    let inv = issued_invoice(&mut f, card(TestGateway::VALID_CARD), None, "10");
    let audit_before = f.audit_total();

    let refused = f.refused(
        op::charge_invoice,
        by_id(inv.invoice.id),
        ErrorCode::InvalidState,
        None,
    );
    assert!(
        refused
            .message
            .starts_with("No payment gateway: charging is off."),
        "{}",
        refused.message
    );
    f.refused(
        op::charge_invoice,
        by_id(Id(999)),
        ErrorCode::NotFound,
        None,
    );

    // The run's step 7 on the due day and the retry days after: no attempt, no retry, no state.
    let actor = Actor::new("billing run");
    for day in 3..=15 {
        let attempts = charge_due_invoices(&mut f.book, &actor, at(2025, 6, day, 8)).unwrap();
        assert_eq!(attempts, 0, "June {day}");
    }
    let detail = f.ok(op::get_invoice, by_id(inv.invoice.id));
    assert_eq!(
        detail.invoice.state,
        InvoiceState::Pending,
        "issued, awaiting payment"
    );
    assert_eq!(detail.invoice.paid_at, None);
    assert!(detail.payment_transactions.is_empty());
    assert_eq!(f.audit_total(), audit_before, "nothing was written");

    // Past its due date it is what the dashboard's "Past due" counts; a payment received
    // another way is recorded by hand.
    f.clock.set(at(2025, 6, 15, 8));
    assert_eq!(f.ok(op::dashboard, NoInput {}).past_due.count, 1);
    let paid = f.ok(op::mark_invoice_paid, mark_paid(inv.invoice.id, "SEPA-1"));
    assert_eq!(paid.invoice.state, InvoiceState::Paid);

    // A book in use cannot be made a test book: its invoices would seem paid by charging.
    let refused = f.book.use_test_gateway(&f.actor).unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidState);
    assert!(
        refused.message.contains("already has invoices"),
        "{refused:?}"
    );
    assert_eq!(f.ok(op::book_info, NoInput {}).payment_gateway, None);
}

#[test]
fn a_test_book_names_its_test_gateway_and_its_payments_say_test() {
    let mut f = Fixture::new();
    f.use_test_gateway();
    assert_eq!(
        f.ok(op::book_info, NoInput {}).payment_gateway,
        Some(PaymentGatewayInfo {
            name: "Test gateway".into(),
            test: true
        })
    );
    let inv = issued_invoice(&mut f, card(TestGateway::VALID_CARD), None, "10");
    let paid = f.ok(op::charge_invoice, by_id(inv.invoice.id));
    let tx = &paid.payment_transactions[0];
    assert!(tx.reference.starts_with("test_"), "{}", tx.reference);
    assert_eq!(tx.message, "Charged by the test gateway: no money moved.");
    let audit = f.ok(op::list_audit, common::audit_list());
    assert!(
        audit
            .items
            .iter()
            .any(|record| record.operation == "use_test_gateway"),
        "making a test book is audited"
    );
}

fn mark_paid(id: Id, reference: &str) -> MarkInvoicePaid {
    MarkInvoicePaid {
        id,
        reference: reference.into(),
    }
}

#[test]
fn mark_as_paid_records_a_manual_payment_with_its_reference() {
    let mut f = Fixture::new();
    let inv = issued_invoice(&mut f, None, Some("19"), "100");
    let paid = f.ok(
        op::mark_invoice_paid,
        mark_paid(inv.invoice.id, "SEPA-2025-0042"),
    );
    assert_eq!(paid.invoice.state, InvoiceState::Paid);
    let tx = &paid.payment_transactions[0];
    assert_eq!(
        (tx.reference.as_str(), tx.amount.to_string(), tx.success),
        ("SEPA-2025-0042", "119.00".to_owned(), true)
    );
    f.refused(
        op::mark_invoice_paid,
        mark_paid(inv.invoice.id, ""),
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

    fn info(&self) -> PaymentGatewayInfo {
        PaymentGatewayInfo {
            name: "Ledger".into(),
            test: true,
        }
    }
}

#[test]
fn a_crash_between_the_gateways_answer_and_the_commit_never_charges_twice() {
    let mut f = Fixture::new();
    let gateway = LedgerGateway::default();
    f.book.set_gateway(Box::new(gateway.clone()));
    let inv = issued_invoice(&mut f, card(TestGateway::VALID_CARD), None, "30");
    let id = inv.invoice.id;

    *gateway.crash_after_charging.lock().unwrap() = true;
    let crashed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        f.call(op::charge_invoice, by_id(id))
    }));
    assert!(crashed.is_err());
    assert_eq!(
        *gateway.charges.lock().unwrap(),
        1,
        "the buyer was charged once"
    );
    assert_eq!(
        state(&mut f, &inv),
        InvoiceState::Pending,
        "the outcome was never committed"
    );

    // The person presses Charge again: the interrupted attempt is completed, not repeated.
    let after = f.ok(op::charge_invoice, by_id(id));
    assert_eq!(after.invoice.state, InvoiceState::Paid);
    assert_eq!(*gateway.charges.lock().unwrap(), 1, "still charged once");
    assert_eq!(after.payment_transactions.len(), 1);
}

#[test]
fn earnings_by_month_sum_invoices_by_state_with_and_without_vat() {
    use InvoiceState::*;
    let mut f = Fixture::new();
    let no_vat = f.account("No VAT");
    let vat10 = f.ok(
        op::create_account,
        AccountFields {
            vat_rate: Some(amount("10")),
            ..account_fields("Ten")
        },
    );
    let mut invoice = |account: &Account, month: &str, cost: &str, path: &[InvoiceState]| {
        f.invoice_of(account, month, cost, path);
    };
    // §10's example: January 2025, two unpaid invoices of 42 and 48.
    invoice(&no_vat, "2025-01", "42", &[Pending, Unpaid]);
    invoice(&no_vat, "2025-01", "48", &[Pending, Unpaid]);
    invoice(&vat10, "2025-02", "100", &[Pending, Paid]);
    invoice(&vat10, "2025-02", "0.005", &[]);
    invoice(&no_vat, "2025-02", "1000", &[Cancelled]);

    let months = f.ok(
        op::earnings_by_month,
        earnings_months(Some("2024-12"), Some("2025-02")),
    );
    assert_eq!(
        serde_json::to_value(months).unwrap(),
        json!([
            {"period": "2024-12", "total": "0.00", "in_process": "0.00", "overdue": "0.00", "paid": "0.00"},
            {"period": "2025-01", "total": "90.00", "in_process": "0.00", "overdue": "90.00", "paid": "0.00"},
            {"period": "2025-02", "total": "110.01", "in_process": "0.01", "overdue": "0.00", "paid": "110.00"},
        ])
    );
    let without_vat = f.ok(
        op::earnings_by_month,
        EarningsByMonth {
            include_vat: false,
            ..earnings_months(Some("2025-02"), Some("2025-02"))
        },
    );
    assert_eq!(without_vat[0].paid.to_string(), "100.00");
    assert_eq!(without_vat[0].total.to_string(), "100.01");

    let last_year = f.ok(op::earnings_by_month, earnings_months(None, None));
    assert_eq!(last_year.len(), 12, "the last 12 months by default");
    assert_eq!(last_year[11].period, "2025-03");

    f.assert_earnings_summary_matches_invoices();

    // An unpaid invoice paid later moves from overdue to paid; one cancelled leaves the table.
    let of_january = ListInvoices {
        period: Some(period("2025-01")),
        ..invoice_list()
    };
    let unpaid = f.ok(op::list_invoices, of_january.clone()).items;
    let by_total = |total: &str| {
        unpaid
            .iter()
            .find(|i| i.totals.total.to_string() == total)
            .unwrap()
            .id
    };
    f.ok(
        op::mark_invoice_paid,
        mark_paid(by_total("42.00"), "wire 7"),
    );
    f.ok(
        op::transition_invoice,
        transition(by_total("48.00"), Cancelled),
    );
    let january = f.ok(
        op::earnings_by_month,
        earnings_months(Some("2025-01"), Some("2025-01")),
    );
    assert_eq!(
        serde_json::to_value(january).unwrap(),
        json!([{"period": "2025-01", "total": "42.00", "in_process": "0.00", "overdue": "0.00", "paid": "42.00"}])
    );
    f.assert_earnings_summary_matches_invoices();

    let drill = f.ok(
        op::list_invoices,
        ListInvoices {
            states: vec![Unpaid, Failed],
            ..of_january.clone()
        },
    );
    assert_eq!(drill.total, 0, "a figure opens the invoices behind it");
    let drill = f.ok(
        op::list_invoices,
        ListInvoices {
            states: vec![Paid],
            ..of_january
        },
    );
    assert_eq!(drill.total, 1, "a figure opens the invoices behind it");
    f.refused(
        op::earnings_by_month,
        earnings_months(Some("2025-05"), Some("2025-01")),
        ErrorCode::Validation,
        Some("from"),
    );
    f.refused_json(
        "earnings_by_month",
        json!({"to": "soon"}),
        ErrorCode::Validation,
        Some("to"),
    );
}
