//! Invoices in the book (billing-rules.md §1, §5, §6): numbering, editing only while open or
//! finalized, totals, transitions, and the freeze at issue.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{
    account_fields, account_list, account_update, amount, by_id, day, invoice_list, line,
    new_invoice, period, transition, Fixture,
};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, ErrorCode};
use serde_json::json;

fn invoice(f: &mut Fixture, account: &Account, period: Option<&str>) -> InvoiceDetail {
    f.ok(op::create_invoice, new_invoice(account, period))
}

fn set_friendly_id(id: Id, friendly_id: &str) -> UpdateInvoice {
    UpdateInvoice {
        id,
        friendly_id: Some(friendly_id.into()),
        period: None,
    }
}

#[test]
fn friendly_ids_count_per_prefix_monthly_and_yearly() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    let other = f.account("Other");
    let first = invoice(&mut f, &acme, Some("1984-01"));
    let second = invoice(&mut f, &other, Some("1984-01"));
    let december = invoice(&mut f, &acme, Some("1983-12"));
    let current = invoice(&mut f, &acme, None);
    let ids: Vec<_> = [&first, &second, &december, &current]
        .iter()
        .map(|d| d.invoice.friendly_id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "1984-01-00000001",
            "1984-01-00000002",
            "1983-12-00000001",
            "2025-03-00000001"
        ]
    );
    assert_eq!(
        current.invoice.period, "2025-03",
        "the current month by default"
    );
    assert_eq!(current.invoice.creation_type, CreationType::Manual);
    assert_eq!(current.invoice.state, InvoiceState::Open);

    f.change_settings(|s| s.numbering = Numbering::Yearly);
    let yearly = invoice(&mut f, &acme, Some("2018-05"));
    assert_eq!(yearly.invoice.friendly_id, "2018-00000001");
    // A hand-set ID raises its prefix's counter (§6 example), and never lowers it.
    f.ok(
        op::update_invoice,
        set_friendly_id(yearly.invoice.id, "2018-00000008"),
    );
    assert_eq!(
        invoice(&mut f, &acme, Some("2018-07")).invoice.friendly_id,
        "2018-00000009"
    );
    f.ok(
        op::update_invoice,
        set_friendly_id(yearly.invoice.id, "2018-00000003"),
    );
    assert_eq!(
        invoice(&mut f, &acme, Some("2018-07")).invoice.friendly_id,
        "2018-00000010"
    );
}

#[test]
fn bad_periods_and_friendly_ids_are_refused() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    for (month, why) in [("2025-13", "no 13th month"), ("March", "not YYYY-MM")] {
        let error = f.refused_json(
            "create_invoice",
            json!({"account_id": acme.id, "period": month}),
            ErrorCode::Validation,
            Some("period"),
        );
        assert!(!error.message.is_empty(), "{why}");
    }
    let error = f.refused(
        op::create_invoice,
        new_invoice(&acme, Some("2026-04")),
        ErrorCode::Validation,
        Some("period"),
    );
    assert!(!error.message.is_empty(), "13 months ahead");
    invoice(&mut f, &acme, Some("2026-03"));
    f.refused(
        op::create_invoice,
        CreateInvoice {
            account_id: Id(777),
            lines: Vec::new(),
            period: None,
        },
        ErrorCode::Validation,
        Some("account_id"),
    );
    let open = invoice(&mut f, &acme, None);
    for bad in [
        "2025-1-00000001",
        "2025-03-0000001",
        "25-03-00000001",
        "2025-13-00000001",
        "INV-1",
    ] {
        f.refused(
            op::update_invoice,
            set_friendly_id(open.invoice.id, bad),
            ErrorCode::Validation,
            Some("friendly_id"),
        );
    }
}

#[test]
fn a_manual_invoice_is_made_with_its_lines_in_one_change() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    let line = |name: &str, quantity: Option<&str>, cost: &str| InvoiceLine {
        name: name.into(),
        description: String::new(),
        quantity: quantity.map(amount),
        cost: amount(cost),
    };
    let made = f.ok(
        op::create_invoice,
        CreateInvoice {
            lines: vec![
                line("Consulting", Some("3"), "450.00"),
                line(" Goodwill credit ", None, "-25.5"),
            ],
            ..new_invoice(&acme, Some("2025-02"))
        },
    );
    assert_eq!(made.invoice.state, InvoiceState::Open);
    assert_eq!(made.invoice.creation_type, CreationType::Manual);
    assert_eq!(made.invoice.period, "2025-02");
    let lines: Vec<_> = made
        .line_items
        .iter()
        .map(|item| {
            (
                item.name.as_str(),
                item.quantity.to_string(),
                item.cost.to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("Consulting", "3".to_owned(), "450.00".to_owned()),
            ("Goodwill credit", "1".to_owned(), "-25.50".to_owned()),
        ]
    );
    assert_eq!(made.invoice.totals.cost_without_vat.to_string(), "424.50");

    // One bad line refuses the whole invoice, naming the line and its field.
    let before = f.all_invoices().len();
    let error = f.refused(
        op::create_invoice,
        CreateInvoice {
            lines: vec![line("Setup", None, "100"), line("Support", None, "1.00001")],
            ..new_invoice(&acme, None)
        },
        ErrorCode::Validation,
        Some("lines[1].cost"),
    );
    assert!(error.message.contains("4 decimal places"), "{error:?}");
    f.refused(
        op::create_invoice,
        CreateInvoice {
            lines: vec![line("  ", None, "100")],
            ..new_invoice(&acme, None)
        },
        ErrorCode::Validation,
        Some("lines[0].name"),
    );
    assert_eq!(f.all_invoices().len(), before, "nothing was made");
}

#[test]
fn duplicate_friendly_ids_are_allowed_but_warned_about_while_editable() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    let a = invoice(&mut f, &acme, None);
    let b = invoice(&mut f, &acme, None);
    assert!(b.warnings.is_empty());
    let b = f.ok(
        op::update_invoice,
        set_friendly_id(b.invoice.id, &a.invoice.friendly_id),
    );
    let warning = "This invoice ID is already in use and should probably be changed";
    assert_eq!(b.warnings, [warning]);
    assert_eq!(
        f.ok(op::get_invoice, by_id(a.invoice.id)).warnings,
        [warning]
    );
    f.ok(
        op::transition_invoice,
        transition(a.invoice.id, InvoiceState::Pending),
    );
    assert!(
        f.ok(op::get_invoice, by_id(a.invoice.id))
            .warnings
            .is_empty(),
        "an issued invoice can no longer be changed, so it does not nag"
    );
}

#[test]
fn totals_follow_the_rules_for_money() {
    let mut f = Fixture::new();
    let vat10 = f.ok(
        op::create_account,
        AccountFields {
            vat_rate: Some(amount("10")),
            ..account_fields("Ten")
        },
    );
    let inv = invoice(&mut f, &vat10, None);
    let id = inv.invoice.id;
    f.ok(op::add_line_item, line(id, "Consulting", "1.233"));
    let detail = f.ok(
        op::add_line_item,
        AddLineItem {
            quantity: Some(amount("3")),
            description: "tiny".into(),
            ..line(id, "Rounding", "0.0001")
        },
    );
    let totals = &detail.invoice.totals;
    assert_eq!(totals.cost_without_vat.to_string(), "1.2331");
    assert_eq!(totals.vat_amount.to_string(), "0.12331");
    assert_eq!(totals.charged_without_vat.to_string(), "1.23");
    assert_eq!(totals.charged_vat.to_string(), "0.12");
    assert_eq!(totals.total.to_string(), "1.35");
    assert_eq!(
        detail.line_items[1].quantity.to_string(),
        "3",
        "quantity is informational"
    );
    assert_eq!(detail.line_items[1].cost.to_string(), "0.0001");
    assert_eq!(detail.line_items[1].line_type, LineItemType::Manual);

    let no_vat = f.account("None");
    let inv = invoice(&mut f, &no_vat, None);
    let id = inv.invoice.id;
    // The book keeps 4 decimal places: a cost with more is refused, never rounded away.
    for cost in ["0.00015", "0.00001", "5e-7", "12.345678901234567890123"] {
        f.refused(
            op::add_line_item,
            line(id, "A", cost),
            ErrorCode::Validation,
            Some("cost"),
        );
    }
    // Texts that are no amount are refused by JSON parsing, before the operation.
    for cost in ["1_000", "1,000", " ", "0x10"] {
        f.refused_json(
            "add_line_item",
            json!({"invoice_id": id, "name": "A", "cost": cost}),
            ErrorCode::Validation,
            Some("cost"),
        );
    }
    for quantity in ["0", "-1", "0.00001"] {
        f.refused(
            op::add_line_item,
            AddLineItem {
                quantity: Some(amount(quantity)),
                ..line(id, "A", "1")
            },
            ErrorCode::Validation,
            Some("quantity"),
        );
    }
    let detail = f.ok(op::add_line_item, line(id, "A", "2e-4"));
    assert_eq!(
        detail.line_items[0].cost.to_string(),
        "0.0002",
        "exactly as written"
    );
    let detail = f.ok(op::add_line_item, line(id, "B", "0.0001"));
    assert_eq!(detail.invoice.vat_rate, None);
    assert_eq!(detail.invoice.totals.vat_amount.to_string(), "0.00");
    assert_eq!(detail.invoice.totals.total.to_string(), "0.00");
    f.refused(
        op::add_line_item,
        line(id, "", "1"),
        ErrorCode::Validation,
        Some("name"),
    );
    f.refused_json(
        "add_line_item",
        json!({"invoice_id": id, "name": "X", "cost": "lots"}),
        ErrorCode::Validation,
        Some("cost"),
    );

    let first_line = detail.line_items[0].id;
    let after = f.ok(op::delete_line_item, by_id(first_line));
    assert_eq!(after.line_items.len(), 1);
    assert_eq!(
        after.invoice.totals.cost_without_vat.to_string(),
        "0.0001",
        "the deleted line no longer counts"
    );
}

#[test]
fn every_transition_of_the_state_machine() {
    use InvoiceState::*;
    let states = [Open, Finalized, Pending, Paid, Unpaid, Failed, Cancelled];
    let allowed: &[(InvoiceState, &[InvoiceState])] = &[
        (Open, &[Finalized, Pending, Cancelled]),
        (Finalized, &[Pending, Cancelled]),
        (Pending, &[Paid, Unpaid, Cancelled]),
        (Unpaid, &[Paid, Failed, Cancelled]),
        (Failed, &[Paid, Cancelled]),
        (Paid, &[]),
        (Cancelled, &[]),
    ];
    // The shortest way to reach each state from open.
    let path = |state: InvoiceState| -> Vec<InvoiceState> {
        match state {
            Open => vec![],
            Finalized => vec![Finalized],
            Pending => vec![Pending],
            Paid => vec![Pending, Paid],
            Unpaid => vec![Pending, Unpaid],
            Failed => vec![Pending, Unpaid, Failed],
            Cancelled => vec![Cancelled],
        }
    };
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    for (from, targets) in allowed {
        for to in states {
            let id = invoice(&mut f, &acme, None).invoice.id;
            for step in path(*from) {
                f.ok(op::transition_invoice, transition(id, step));
            }
            let here = f.ok(op::get_invoice, by_id(id));
            assert_eq!(here.allowed_transitions, *targets, "allowed from {from:?}");
            if targets.contains(&to) {
                let moved = f.ok(op::transition_invoice, transition(id, to));
                assert_eq!(moved.invoice.state, to);
            } else {
                f.refused(
                    op::transition_invoice,
                    transition(id, to),
                    ErrorCode::InvalidState,
                    None,
                );
                assert_eq!(f.ok(op::get_invoice, by_id(id)).invoice.state, *from);
            }
        }
    }
}

#[test]
fn issuing_freezes_the_buyer_and_provider_and_closes_editing() {
    let mut f = Fixture::new();
    let account = f.ok(
        op::create_account,
        AccountFields {
            vat_rate: Some(amount("19")),
            vat_code: "DE1".into(),
            fiscal_code: "FC1".into(),
            po_number: "PO-9".into(),
            legal_address: Address {
                line1: "Hauptstraße 5".into(),
                city: "Berlin".into(),
                country: "Germany".into(),
                ..Address::default()
            },
            ..account_fields("Müller GmbH")
        },
    );
    let inv = invoice(&mut f, &account, None);
    let id = inv.invoice.id;
    f.ok(op::add_line_item, line(id, "Fee", "100"));

    // Before issue the invoice follows the live account.
    let mut edit = account.fields.clone();
    edit.vat_rate = Some(amount("21"));
    f.ok(op::update_account, account_update(account.id, edit.clone()));
    assert_eq!(
        f.ok(op::get_invoice, by_id(id))
            .invoice
            .totals
            .total
            .to_string(),
        "121.00"
    );

    f.clock.set(common::instant("2025-03-30T23:00:00Z"));
    let issued = f.ok(
        op::transition_invoice,
        transition(id, InvoiceState::Pending),
    );
    assert_eq!(issued.invoice.issued_on, Some(day("2025-03-30")));
    assert_eq!(
        issued.invoice.due_on,
        Some(day("2025-04-01")),
        "due two days after issue"
    );
    assert_eq!(issued.invoice.currency, "EUR");
    assert_eq!(issued.issued_to.name, "Müller GmbH");
    assert_eq!(issued.issued_to.po_number, "PO-9");
    assert_eq!(issued.issued_by.name, "My API Company");
    assert!(!issued.editable);

    // After issue, changes to the account or settings do not reach it.
    edit.vat_rate = Some(amount("5"));
    edit.org_name = "Renamed AG".into();
    f.ok(op::update_account, account_update(account.id, edit));
    f.change_settings(|s| {
        s.org_name = "New Provider Name".into();
        s.currency = "USD".into();
    });
    let frozen = f.ok(op::get_invoice, by_id(id));
    assert_eq!(frozen.invoice.vat_rate.unwrap().to_string(), "21");
    assert_eq!(frozen.invoice.totals.total.to_string(), "121.00");
    assert_eq!(frozen.invoice.currency, "EUR");
    assert_eq!(frozen.issued_to.name, "Müller GmbH");
    assert_eq!(frozen.issued_by.name, "My API Company");

    let first_line = frozen.line_items[0].id;
    f.refused(
        op::add_line_item,
        line(id, "Late", "1"),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::delete_line_item,
        by_id(first_line),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::update_invoice,
        set_friendly_id(id, "2025-03-00000099"),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::update_invoice,
        UpdateInvoice {
            id,
            friendly_id: None,
            period: Some(period("2025-02")),
        },
        ErrorCode::InvalidState,
        None,
    );
}

#[test]
fn lists_filter_by_state_month_account_and_friendly_id_pattern() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    let other = f.account("Other");
    let jan = invoice(&mut f, &acme, Some("2025-01"));
    invoice(&mut f, &acme, Some("2025-02"));
    invoice(&mut f, &other, Some("2025-02"));
    f.ok(
        op::transition_invoice,
        transition(jan.invoice.id, InvoiceState::Cancelled),
    );

    let total = |f: &mut Fixture, filter: ListInvoices| f.ok(op::list_invoices, filter).total;
    let friendly = |pattern: &str| ListInvoices {
        friendly_id: Some(pattern.into()),
        ..invoice_list()
    };
    assert_eq!(total(&mut f, invoice_list()), 3);
    assert_eq!(
        total(
            &mut f,
            ListInvoices {
                state: Some(InvoiceState::Cancelled),
                ..invoice_list()
            }
        ),
        1
    );
    assert_eq!(
        total(
            &mut f,
            ListInvoices {
                period: Some(period("2025-02")),
                ..invoice_list()
            }
        ),
        2
    );
    assert_eq!(
        total(
            &mut f,
            ListInvoices {
                account_id: Some(other.id),
                ..invoice_list()
            }
        ),
        1
    );
    assert_eq!(total(&mut f, friendly("2025-02-*")), 2);
    assert_eq!(total(&mut f, friendly("*-00000001")), 2);
    assert_eq!(total(&mut f, friendly("2025-01-00000001")), 1);
    assert_eq!(
        total(&mut f, friendly("2025_01%")),
        0,
        "only * is a wildcard"
    );
    let page = f.ok(
        op::list_invoices,
        ListInvoices {
            period: Some(period("2025-02")),
            account_id: Some(acme.id),
            ..invoice_list()
        },
    );
    assert_eq!(page.items[0].account_name, "Acme");
    assert_eq!(page.items[0].totals.total.to_string(), "0.00");
    f.refused_json(
        "list_invoices",
        json!({"period": "Feb"}),
        ErrorCode::Validation,
        Some("period"),
    );
}

mod counter_property {
    use super::common::{new_invoice, Fixture};
    use super::set_friendly_id;
    use counterfoil_engine::op;
    use proptest::prelude::*;
    use std::collections::HashSet;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

        /// Whatever hand-set IDs are interleaved (higher, lower, other prefixes), the counter
        /// never hands out an ID already used, by itself or by hand.
        #[test]
        fn ids_from_the_counter_never_repeat(
            actions in proptest::collection::vec((0u8..3, 1u32..40, 1u32..3), 1..40),
        ) {
            let mut f = Fixture::new();
            let account = f.account("Acme");
            let mut seen = HashSet::new();
            let mut last = None;
            for (kind, number, month) in actions {
                let period = format!("2025-0{month}");
                match last {
                    Some(id) if kind != 0 => {
                        let hand_set = format!("{period}-{number:08}");
                        f.ok(op::update_invoice, set_friendly_id(id, &hand_set));
                        seen.insert(hand_set);
                    }
                    _ => {
                        let created = f.ok(op::create_invoice, new_invoice(&account, Some(&period)));
                        let id = created.invoice.friendly_id;
                        prop_assert!(seen.insert(id.clone()), "{} was already used", id);
                        last = Some(created.invoice.id);
                    }
                }
            }
        }
    }
}

/// List totals are remembered between pages, so they must follow every change: one made
/// through the same book, and one made by another process on the same file.
#[test]
fn list_totals_follow_changes_from_this_book_and_others() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    invoice(&mut f, &acme, Some("2025-02"));
    let one_per_page = ListInvoices {
        per_page: 1,
        ..invoice_list()
    };
    let total = |f: &mut Fixture| f.ok(op::list_invoices, one_per_page.clone()).total;
    assert_eq!(total(&mut f), 1);
    assert_eq!(total(&mut f), 1);
    invoice(&mut f, &acme, Some("2025-02"));
    assert_eq!(total(&mut f), 2, "a write through this book");

    let mut other = counterfoil_engine::Book::open(f.book.path(), f.clock.clone()).unwrap();
    let other_desk = counterfoil_engine::Actor::new("other desk");
    op::create_invoice(&mut other, &other_desk, new_invoice(&acme, Some("2025-02"))).unwrap();
    assert_eq!(total(&mut f), 3, "a write through another connection");
    let accounts = |f: &mut Fixture| {
        f.ok(
            op::list_accounts,
            ListAccounts {
                per_page: 1,
                ..account_list()
            },
        )
        .total
    };
    assert_eq!(accounts(&mut f), 1);
    op::create_account(&mut other, &other_desk, account_fields("Beta")).unwrap();
    assert_eq!(accounts(&mut f), 2);
}
