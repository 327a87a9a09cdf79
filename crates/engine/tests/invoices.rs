//! Invoices in the book (billing-rules.md §1, §5, §6): numbering, editing only while open or
//! finalized, totals, transitions, and the freeze at issue.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::Fixture;
use counterfoil_engine::ErrorCode;
use serde_json::{json, Value};

fn invoice(f: &mut Fixture, account: &Value, period: Option<&str>) -> Value {
    f.ok(
        "create_invoice",
        json!({"account_id": account["id"], "period": period}),
    )
}

fn set_numbering(f: &mut Fixture, numbering: &str) {
    let mut settings = f.ok("get_settings", json!({}));
    settings["numbering"] = json!(numbering);
    f.ok("update_settings", settings);
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
        .map(|d| d["invoice"]["friendly_id"].as_str().unwrap().to_owned())
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
        current["invoice"]["period"], "2025-03",
        "the current month by default"
    );
    assert_eq!(current["invoice"]["creation_type"], "manual");
    assert_eq!(current["invoice"]["state"], "open");

    set_numbering(&mut f, "yearly");
    let yearly = invoice(&mut f, &acme, Some("2018-05"));
    assert_eq!(yearly["invoice"]["friendly_id"], "2018-00000001");
    // A hand-set ID raises its prefix's counter (§6 example), and never lowers it.
    f.ok(
        "update_invoice",
        json!({"id": yearly["invoice"]["id"], "friendly_id": "2018-00000008"}),
    );
    assert_eq!(
        invoice(&mut f, &acme, Some("2018-07"))["invoice"]["friendly_id"],
        "2018-00000009"
    );
    f.ok(
        "update_invoice",
        json!({"id": yearly["invoice"]["id"], "friendly_id": "2018-00000003"}),
    );
    assert_eq!(
        invoice(&mut f, &acme, Some("2018-07"))["invoice"]["friendly_id"],
        "2018-00000010"
    );
}

#[test]
fn bad_periods_and_friendly_ids_are_refused() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    for (period, why) in [
        ("2025-13", "no 13th month"),
        ("March", "not YYYY-MM"),
        ("2026-04", "13 months ahead"),
    ] {
        let error = f.refused(
            "create_invoice",
            json!({"account_id": acme["id"], "period": period}),
            ErrorCode::Validation,
            Some("period"),
        );
        assert!(!error.message.is_empty(), "{why}");
    }
    invoice(&mut f, &acme, Some("2026-03"));
    f.refused(
        "create_invoice",
        json!({"account_id": "777"}),
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
            "update_invoice",
            json!({"id": open["invoice"]["id"], "friendly_id": bad}),
            ErrorCode::Validation,
            Some("friendly_id"),
        );
    }
}

#[test]
fn duplicate_friendly_ids_are_allowed_but_warned_about_while_editable() {
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    let a = invoice(&mut f, &acme, None);
    let b = invoice(&mut f, &acme, None);
    assert_eq!(b["warnings"], json!([]));
    let b = f.ok(
        "update_invoice",
        json!({"id": b["invoice"]["id"],
        "friendly_id": a["invoice"]["friendly_id"]}),
    );
    let warning = "This invoice ID is already in use and should probably be changed";
    assert_eq!(b["warnings"], json!([warning]));
    assert_eq!(
        f.ok("get_invoice", json!({"id": a["invoice"]["id"]}))["warnings"],
        json!([warning])
    );
    f.ok(
        "transition_invoice",
        json!({"id": a["invoice"]["id"], "state": "pending"}),
    );
    assert_eq!(
        f.ok("get_invoice", json!({"id": a["invoice"]["id"]}))["warnings"],
        json!([]),
        "an issued invoice can no longer be changed, so it does not nag"
    );
}

#[test]
fn totals_follow_the_rules_for_money() {
    let mut f = Fixture::new();
    let vat10 = f.ok(
        "create_account",
        json!({"org_name": "Ten", "vat_rate": "10"}),
    );
    let inv = invoice(&mut f, &vat10, None);
    let id = inv["invoice"]["id"].clone();
    f.ok(
        "add_line_item",
        json!({"invoice_id": id, "name": "Consulting", "cost": "1.233"}),
    );
    let detail = f.ok(
        "add_line_item",
        json!({"invoice_id": id, "name": "Rounding", "cost": "0.0001",
        "quantity": "3", "description": "tiny"}),
    );
    let totals = &detail["invoice"]["totals"];
    assert_eq!(totals["cost_without_vat"], "1.2331");
    assert_eq!(totals["vat_amount"], "0.12331");
    assert_eq!(totals["charged_without_vat"], "1.23");
    assert_eq!(totals["charged_vat"], "0.12");
    assert_eq!(totals["total"], "1.35");
    assert_eq!(
        detail["line_items"][1]["quantity"], "3",
        "quantity is informational"
    );
    assert_eq!(detail["line_items"][1]["cost"], "0.0001");
    assert_eq!(detail["line_items"][1]["type"], "manual");

    let no_vat = f.account("None");
    let inv = invoice(&mut f, &no_vat, None);
    // The book keeps 4 decimal places: a cost with more is refused, never rounded away.
    for cost in ["0.00015", "0.00001", "5e-7", "12.345678901234567890123"] {
        f.refused(
            "add_line_item",
            json!({"invoice_id": inv["invoice"]["id"], "name": "A", "cost": cost}),
            ErrorCode::Validation,
            Some("cost"),
        );
    }
    for cost in ["1_000", "1,000", " ", "0x10"] {
        f.refused(
            "add_line_item",
            json!({"invoice_id": inv["invoice"]["id"], "name": "A", "cost": cost}),
            ErrorCode::Validation,
            Some("cost"),
        );
    }
    for quantity in ["0", "-1", "0.00001"] {
        f.refused(
            "add_line_item",
            json!({"invoice_id": inv["invoice"]["id"], "name": "A", "cost": "1", "quantity": quantity}),
            ErrorCode::Validation,
            Some("quantity"),
        );
    }
    let detail = f.ok(
        "add_line_item",
        json!({"invoice_id": inv["invoice"]["id"], "name": "A", "cost": "2e-4"}),
    );
    assert_eq!(
        detail["line_items"][0]["cost"], "0.0002",
        "exactly as written"
    );
    let detail = f.ok(
        "add_line_item",
        json!({"invoice_id": inv["invoice"]["id"], "name": "B", "cost": "0.0001"}),
    );
    assert_eq!(detail["invoice"]["vat_rate"], Value::Null);
    assert_eq!(detail["invoice"]["totals"]["vat_amount"], "0.00");
    assert_eq!(detail["invoice"]["totals"]["total"], "0.00");
    f.refused(
        "add_line_item",
        json!({"invoice_id": inv["invoice"]["id"], "name": "", "cost": "1"}),
        ErrorCode::Validation,
        Some("name"),
    );
    f.refused(
        "add_line_item",
        json!({"invoice_id": inv["invoice"]["id"], "name": "X", "cost": "lots"}),
        ErrorCode::Validation,
        Some("cost"),
    );

    let line = detail["line_items"][0]["id"].clone();
    let after = f.ok("delete_line_item", json!({"id": line}));
    assert_eq!(after["line_items"].as_array().unwrap().len(), 1);
    assert_eq!(
        after["invoice"]["totals"]["cost_without_vat"], "0.0001",
        "the deleted line no longer counts"
    );
}

#[test]
fn every_transition_of_the_state_machine() {
    use counterfoil_engine::model::InvoiceState;
    let states = [
        "open",
        "finalized",
        "pending",
        "paid",
        "unpaid",
        "failed",
        "cancelled",
    ];
    let allowed: &[(&str, &[&str])] = &[
        ("open", &["finalized", "pending", "cancelled"]),
        ("finalized", &["pending", "cancelled"]),
        ("pending", &["paid", "unpaid", "cancelled"]),
        ("unpaid", &["paid", "failed", "cancelled"]),
        ("failed", &["paid", "cancelled"]),
        ("paid", &[]),
        ("cancelled", &[]),
    ];
    // The shortest way to reach each state from open.
    let path = |state: &str| -> Vec<&str> {
        match state {
            "open" => vec![],
            "finalized" => vec!["finalized"],
            "pending" => vec!["pending"],
            "paid" => vec!["pending", "paid"],
            "unpaid" => vec!["pending", "unpaid"],
            "failed" => vec!["pending", "unpaid", "failed"],
            _ => vec!["cancelled"],
        }
    };
    let _ = InvoiceState::Open; // the model's enum is what crosses as these names
    let mut f = Fixture::new();
    let acme = f.account("Acme");
    for (from, targets) in allowed {
        for to in states {
            let inv = invoice(&mut f, &acme, None);
            let id = inv["invoice"]["id"].clone();
            for step in path(from) {
                f.ok("transition_invoice", json!({"id": id, "state": step}));
            }
            let here = f.ok("get_invoice", json!({"id": id}));
            let listed: Vec<&str> = here["allowed_transitions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            assert_eq!(&listed, targets, "allowed from {from}");
            if targets.contains(&to) {
                let moved = f.ok("transition_invoice", json!({"id": id, "state": to}));
                assert_eq!(moved["invoice"]["state"], to);
            } else {
                f.refused(
                    "transition_invoice",
                    json!({"id": id, "state": to}),
                    ErrorCode::InvalidState,
                    None,
                );
                assert_eq!(
                    f.ok("get_invoice", json!({"id": id}))["invoice"]["state"],
                    *from
                );
            }
        }
    }
}

#[test]
fn issuing_freezes_the_buyer_and_provider_and_closes_editing() {
    let mut f = Fixture::new();
    let account = f.ok(
        "create_account",
        json!({"org_name": "Müller GmbH", "vat_rate": "19",
        "vat_code": "DE1", "fiscal_code": "FC1", "po_number": "PO-9",
        "legal_address": {"line1": "Hauptstraße 5", "city": "Berlin", "country": "Germany"}}),
    );
    let inv = invoice(&mut f, &account, None);
    let id = inv["invoice"]["id"].clone();
    f.ok(
        "add_line_item",
        json!({"invoice_id": id, "name": "Fee", "cost": "100"}),
    );

    // Before issue the invoice follows the live account.
    let mut edit = account.clone();
    edit["vat_rate"] = json!("21");
    f.ok("update_account", edit.clone());
    assert_eq!(
        f.ok("get_invoice", json!({"id": id}))["invoice"]["totals"]["total"],
        "121.00"
    );

    f.clock.set(
        chrono::DateTime::parse_from_rfc3339("2025-03-30T23:00:00Z")
            .unwrap()
            .into(),
    );
    let issued = f.ok("transition_invoice", json!({"id": id, "state": "pending"}));
    assert_eq!(issued["invoice"]["issued_on"], "2025-03-30");
    assert_eq!(
        issued["invoice"]["due_on"], "2025-04-01",
        "due two days after issue"
    );
    assert_eq!(issued["invoice"]["currency"], "EUR");
    assert_eq!(issued["issued_to"]["name"], "Müller GmbH");
    assert_eq!(issued["issued_to"]["po_number"], "PO-9");
    assert_eq!(issued["issued_by"]["name"], "My API Company");
    assert_eq!(issued["editable"], false);

    // After issue, changes to the account or settings do not reach it.
    edit["vat_rate"] = json!("5");
    edit["org_name"] = json!("Renamed AG");
    f.ok("update_account", edit);
    let mut settings = f.ok("get_settings", json!({}));
    settings["org_name"] = json!("New Provider Name");
    settings["currency"] = json!("USD");
    f.ok("update_settings", settings);
    let frozen = f.ok("get_invoice", json!({"id": id}));
    assert_eq!(frozen["invoice"]["vat_rate"], "21");
    assert_eq!(frozen["invoice"]["totals"]["total"], "121.00");
    assert_eq!(frozen["invoice"]["currency"], "EUR");
    assert_eq!(frozen["issued_to"]["name"], "Müller GmbH");
    assert_eq!(frozen["issued_by"]["name"], "My API Company");

    let line = frozen["line_items"][0]["id"].clone();
    f.refused(
        "add_line_item",
        json!({"invoice_id": id, "name": "Late", "cost": "1"}),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        "delete_line_item",
        json!({"id": line}),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        "update_invoice",
        json!({"id": id, "friendly_id": "2025-03-00000099"}),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        "update_invoice",
        json!({"id": id, "period": "2025-02"}),
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
        "transition_invoice",
        json!({"id": jan["invoice"]["id"], "state": "cancelled"}),
    );

    let total =
        |f: &mut Fixture, filter: Value| f.ok("list_invoices", filter)["total"].as_i64().unwrap();
    assert_eq!(total(&mut f, json!({})), 3);
    assert_eq!(total(&mut f, json!({"state": "cancelled"})), 1);
    assert_eq!(total(&mut f, json!({"period": "2025-02"})), 2);
    assert_eq!(total(&mut f, json!({"account_id": other["id"]})), 1);
    assert_eq!(total(&mut f, json!({"friendly_id": "2025-02-*"})), 2);
    assert_eq!(total(&mut f, json!({"friendly_id": "*-00000001"})), 2);
    assert_eq!(total(&mut f, json!({"friendly_id": "2025-01-00000001"})), 1);
    assert_eq!(
        total(&mut f, json!({"friendly_id": "2025_01%"})),
        0,
        "only * is a wildcard"
    );
    let page = f.ok(
        "list_invoices",
        json!({"period": "2025-02", "account_id": acme["id"]}),
    );
    assert_eq!(page["items"][0]["account_name"], "Acme");
    assert_eq!(page["items"][0]["totals"]["total"], "0.00");
    f.refused(
        "list_invoices",
        json!({"period": "Feb"}),
        ErrorCode::Validation,
        Some("period"),
    );
}

mod counter_property {
    use super::common::Fixture;
    use proptest::prelude::*;
    use serde_json::json;
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
                if kind == 0 || last.is_none() {
                    let created = f.ok("create_invoice", json!({"account_id": account["id"], "period": period}));
                    let id = created["invoice"]["friendly_id"].as_str().unwrap().to_owned();
                    prop_assert!(seen.insert(id.clone()), "{} was already used", id);
                    last = Some(created["invoice"]["id"].clone());
                } else {
                    let hand_set = format!("{period}-{number:08}");
                    f.ok("update_invoice", json!({"id": last.clone().unwrap(), "friendly_id": hand_set}));
                    seen.insert(hand_set);
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
    let total = |f: &mut Fixture| f.ok("list_invoices", json!({"per_page": 1}))["total"].as_i64();
    assert_eq!(total(&mut f), Some(1));
    assert_eq!(total(&mut f), Some(1));
    invoice(&mut f, &acme, Some("2025-02"));
    assert_eq!(total(&mut f), Some(2), "a write through this book");

    let mut other = counterfoil_engine::Book::open(f.book.path(), f.clock.clone()).unwrap();
    counterfoil_engine::dispatch(
        &mut other,
        &counterfoil_engine::Actor::new("other desk"),
        "create_invoice",
        json!({"account_id": acme["id"], "period": "2025-02"}),
    )
    .unwrap();
    assert_eq!(total(&mut f), Some(3), "a write through another connection");
    let accounts =
        |f: &mut Fixture| f.ok("list_accounts", json!({"per_page": 1}))["total"].as_i64();
    assert_eq!(accounts(&mut f), Some(1));
    counterfoil_engine::dispatch(
        &mut other,
        &counterfoil_engine::Actor::new("other desk"),
        "create_account",
        json!({"org_name": "Beta"}),
    )
    .unwrap();
    assert_eq!(accounts(&mut f), Some(2));
}
