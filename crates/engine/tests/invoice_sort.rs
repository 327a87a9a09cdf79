//! The invoice list's sort orders (`list_invoices` with `sort` and `descending`): one row per
//! column and direction with the friendly IDs expected, the id breaking ties, pages that neither
//! overlap nor skip, and `oldest_first` (the 3scale API's order) unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::Fixture;
use counterfoil_engine::ErrorCode;
use serde_json::{json, Value};

/// Five invoices: (buyer, VAT rate, period, lines, state). Friendly IDs are numbered per month
/// in creation order, so creation order is A1, B1, A2, C1, B2 (A = 2025-01, B = 2025-02, C =
/// 2024-12).
fn book() -> (Fixture, Vec<String>) {
    let mut f = Fixture::new();
    let zeta = f.ok(
        "create_account",
        json!({"org_name": "zeta Ltd", "vat_rate": "20"}),
    );
    let alpha = f.ok("create_account", json!({"org_name": "Alpha SpA"}));
    let mid = f.ok(
        "create_account",
        json!({"org_name": "Mid GmbH", "vat_rate": "0"}),
    );
    let rows: [(&Value, &str, &str, &str); 5] = [
        (&zeta, "2025-01", "100", "pending"), // total 120.00
        (&alpha, "2025-02", "110", "open"),   // 110.00
        (&mid, "2025-01", "115", "paid"),     // 115.00
        (&alpha, "2024-12", "10", "cancelled"),
        (&zeta, "2025-02", "99", "finalized"), // 118.80
    ];
    let mut ids = Vec::new();
    for (buyer, period, cost, state) in rows {
        let created = f.ok(
            "create_invoice",
            json!({"account_id": buyer["id"], "period": period}),
        );
        let id = created["invoice"]["id"].clone();
        f.ok(
            "add_line_item",
            json!({"invoice_id": id, "name": "Fee", "cost": cost}),
        );
        let steps: &[&str] = match state {
            "pending" => &["pending"],
            "paid" => &["pending", "paid"],
            "cancelled" => &["cancelled"],
            "finalized" => &["finalized"],
            _ => &[],
        };
        for step in steps {
            if *step == "paid" {
                f.ok("mark_invoice_paid", json!({"id": id}));
            } else {
                f.ok("transition_invoice", json!({"id": id, "state": step}));
            }
        }
        ids.push(
            created["invoice"]["friendly_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    (f, ids)
}

fn listed(f: &mut Fixture, input: Value) -> Vec<String> {
    f.ok("list_invoices", input)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["friendly_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn each_column_sorts_both_ways_with_the_id_breaking_ties() {
    let (mut f, ids) = book();
    let [a1, b1, a2, c1, b2] = [0, 1, 2, 3, 4].map(|n| ids[n].clone());
    assert_eq!(
        [&a1, &b1, &a2, &c1, &b2].map(String::as_str),
        [
            "2025-01-00000001",
            "2025-02-00000001",
            "2025-01-00000002",
            "2024-12-00000001",
            "2025-02-00000002"
        ]
    );
    // (input, expected order, why)
    let cases: Vec<(Value, [&String; 5], &str)> = vec![
        (
            json!({}),
            [&b2, &c1, &a2, &b1, &a1],
            "newest first by default",
        ),
        (
            json!({"oldest_first": true}),
            [&a1, &b1, &a2, &c1, &b2],
            "the 3scale API's order",
        ),
        (
            json!({"sort": "id"}),
            [&a1, &b1, &a2, &c1, &b2],
            "creation order",
        ),
        (
            json!({"sort": "id", "descending": true}),
            [&b2, &c1, &a2, &b1, &a1],
            "newest first",
        ),
        (
            json!({"sort": "friendly_id"}),
            [&c1, &a1, &a2, &b1, &b2],
            "IDs in text order",
        ),
        (
            json!({"sort": "friendly_id", "descending": true}),
            [&b2, &b1, &a2, &a1, &c1],
            "",
        ),
        // Buyers without regard to case (Alpha, Mid, zeta); one buyer's invoices by id.
        (
            json!({"sort": "buyer"}),
            [&b1, &c1, &a2, &a1, &b2],
            "alphabetical, any case",
        ),
        (
            json!({"sort": "buyer", "descending": true}),
            [&b2, &a1, &a2, &c1, &b1],
            "ties by id, descending too",
        ),
        (
            json!({"sort": "period"}),
            [&c1, &a1, &a2, &b1, &b2],
            "months, ties by id",
        ),
        (
            json!({"sort": "period", "descending": true}),
            [&b2, &b1, &a2, &a1, &c1],
            "",
        ),
        // cancelled, finalized, open, paid, pending: the state names in alphabetical order.
        (
            json!({"sort": "state"}),
            [&c1, &b2, &b1, &a2, &a1],
            "state names A to Z",
        ),
        // 10 (cancelled, no VAT), 110 (no VAT), 115 (0 %), 118.80 (99 + 20 %), 120 (100 + 20 %).
        (
            json!({"sort": "total"}),
            [&c1, &b1, &a2, &b2, &a1],
            "the total with VAT",
        ),
        (
            json!({"sort": "total", "descending": true}),
            [&a1, &b2, &a2, &b1, &c1],
            "largest first",
        ),
        // Only a1 and a2 were issued (on the same day): the others have no date and come first.
        (
            json!({"sort": "issued_on"}),
            [&b1, &c1, &b2, &a1, &a2],
            "not issued first, then by day and id",
        ),
        (
            json!({"sort": "due_on", "descending": true}),
            [&a2, &a1, &b2, &c1, &b1],
            "",
        ),
    ];
    for (input, expected, why) in cases {
        let expected: Vec<String> = expected.iter().map(|s| (*s).clone()).collect();
        assert_eq!(listed(&mut f, input.clone()), expected, "{input} ({why})");
    }
}

#[test]
fn sorted_pages_neither_overlap_nor_skip_and_filters_still_apply() {
    let (mut f, ids) = book();
    // Every order, the default (newest first) included: a page's rows are picked by id first
    // and then read, and must come back in the page's own order.
    let orders = [
        json!({}),
        json!({"oldest_first": true}),
        json!({"sort": "buyer"}),
        json!({"sort": "total", "descending": true}),
        json!({"sort": "friendly_id", "descending": true}),
        json!({"sort": "due_on"}),
    ];
    for order in orders {
        let mut paged = Vec::new();
        for page in 1..=3 {
            let mut input = order.clone();
            input["page"] = json!(page);
            input["per_page"] = json!(2);
            paged.extend(listed(&mut f, input));
        }
        assert_eq!(paged, listed(&mut f, order.clone()), "pages of {order}");
        assert_eq!(paged.len(), ids.len(), "pages of {order}");
    }

    let january = listed(
        &mut f,
        json!({"period": "2025-01", "sort": "total", "descending": true}),
    );
    assert_eq!(january, [ids[0].clone(), ids[2].clone()]);
}

#[test]
fn an_unknown_sort_column_is_refused() {
    let (mut f, _) = book();
    let error = f
        .call("list_invoices", json!({"sort": "net; DROP TABLE invoices"}))
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Validation);
    assert_eq!(listed(&mut f, json!({})).len(), 5, "the book is untouched");
}

#[test]
fn past_due_lists_issued_invoices_after_their_due_date_as_the_dashboard_counts_them() {
    use chrono::{TimeZone, Utc};
    let (mut f, ids) = book();
    // a1 was issued on 2025-03-10, due 2025-03-12; a2 is paid.
    assert!(listed(&mut f, json!({"past_due": true})).is_empty());
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 12, 23, 0, 0).unwrap());
    assert!(
        listed(&mut f, json!({"past_due": true})).is_empty(),
        "due today is not past due"
    );
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 13, 0, 0, 0).unwrap());
    assert_eq!(listed(&mut f, json!({"past_due": true})), [ids[0].clone()]);
    let board = f.ok("dashboard", json!({}));
    assert_eq!(board["past_due"]["count"], 1);
}
