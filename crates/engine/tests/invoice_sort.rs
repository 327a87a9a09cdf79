//! The invoice list's sort orders (`list_invoices` with `sort` and `descending`): one row per
//! column and direction with the friendly IDs expected, the id breaking ties, pages that neither
//! overlap nor skip, and `oldest_first` (the 3scale API's order) unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use common::{account_fields, amount, invoice_list, line, new_invoice, transition, Fixture};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, ErrorCode};
use serde_json::json;

/// Five invoices: (buyer, VAT rate, period, lines, state). Friendly IDs are numbered per month
/// in creation order, so creation order is A1, B1, A2, C1, B2 (A = 2025-01, B = 2025-02, C =
/// 2024-12).
fn book() -> (Fixture, Vec<String>) {
    use InvoiceState::*;
    let mut f = Fixture::new();
    let mut buyer = |name: &str, vat_rate: Option<&str>| {
        let fields = AccountFields {
            vat_rate: vat_rate.map(amount),
            ..account_fields(name)
        };
        f.ok(op::create_account, fields)
    };
    let zeta = buyer("zeta Ltd", Some("20"));
    let alpha = buyer("Alpha SpA", None);
    let mid = buyer("Mid GmbH", Some("0"));
    let rows: [(&Account, &str, &str, InvoiceState); 5] = [
        (&zeta, "2025-01", "100", Pending), // total 120.00
        (&alpha, "2025-02", "110", Open),   // 110.00
        (&mid, "2025-01", "115", Paid),     // 115.00
        (&alpha, "2024-12", "10", Cancelled),
        (&zeta, "2025-02", "99", Finalized), // 118.80
    ];
    let mut ids = Vec::new();
    for (buyer, month, cost, state) in rows {
        let created = f.ok(op::create_invoice, new_invoice(buyer, Some(month)));
        let id = created.invoice.id;
        f.ok(op::add_line_item, line(id, "Fee", cost));
        let steps: &[InvoiceState] = match state {
            Pending => &[Pending],
            Paid => &[Pending, Paid],
            Cancelled => &[Cancelled],
            Finalized => &[Finalized],
            _ => &[],
        };
        for step in steps {
            if *step == Paid {
                f.ok(
                    op::mark_invoice_paid,
                    MarkInvoicePaid {
                        id,
                        reference: String::new(),
                    },
                );
            } else {
                f.ok(op::transition_invoice, transition(id, *step));
            }
        }
        ids.push(created.invoice.friendly_id);
    }
    (f, ids)
}

fn listed(f: &mut Fixture, input: ListInvoices) -> Vec<String> {
    f.ok(op::list_invoices, input)
        .items
        .into_iter()
        .map(|i| i.friendly_id)
        .collect()
}

/// The invoice list sorted by `column`, ascending or descending.
fn sorted(column: InvoiceSort, descending: bool) -> ListInvoices {
    ListInvoices {
        sort: Some(column),
        descending,
        ..invoice_list()
    }
}

fn oldest_first() -> ListInvoices {
    ListInvoices {
        oldest_first: true,
        ..invoice_list()
    }
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
    let cases: Vec<(ListInvoices, [&String; 5], &str)> = vec![
        (
            invoice_list(),
            [&b2, &c1, &a2, &b1, &a1],
            "newest first by default",
        ),
        (
            oldest_first(),
            [&a1, &b1, &a2, &c1, &b2],
            "the 3scale API's order",
        ),
        (
            sorted(InvoiceSort::Id, false),
            [&a1, &b1, &a2, &c1, &b2],
            "creation order",
        ),
        (
            sorted(InvoiceSort::Id, true),
            [&b2, &c1, &a2, &b1, &a1],
            "newest first",
        ),
        (
            sorted(InvoiceSort::FriendlyId, false),
            [&c1, &a1, &a2, &b1, &b2],
            "IDs in text order",
        ),
        (
            sorted(InvoiceSort::FriendlyId, true),
            [&b2, &b1, &a2, &a1, &c1],
            "",
        ),
        // Buyers without regard to case (Alpha, Mid, zeta); one buyer's invoices by id.
        (
            sorted(InvoiceSort::Buyer, false),
            [&b1, &c1, &a2, &a1, &b2],
            "alphabetical, any case",
        ),
        (
            sorted(InvoiceSort::Buyer, true),
            [&b2, &a1, &a2, &c1, &b1],
            "ties by id, descending too",
        ),
        (
            sorted(InvoiceSort::Period, false),
            [&c1, &a1, &a2, &b1, &b2],
            "months, ties by id",
        ),
        (
            sorted(InvoiceSort::Period, true),
            [&b2, &b1, &a2, &a1, &c1],
            "",
        ),
        // cancelled, finalized, open, paid, pending: the state names in alphabetical order.
        (
            sorted(InvoiceSort::State, false),
            [&c1, &b2, &b1, &a2, &a1],
            "state names A to Z",
        ),
        // 10 (cancelled, no VAT), 110 (no VAT), 115 (0 %), 118.80 (99 + 20 %), 120 (100 + 20 %).
        (
            sorted(InvoiceSort::Total, false),
            [&c1, &b1, &a2, &b2, &a1],
            "the total with VAT",
        ),
        (
            sorted(InvoiceSort::Total, true),
            [&a1, &b2, &a2, &b1, &c1],
            "largest first",
        ),
        // Only a1 and a2 were issued (on the same day): the others have no date and come first.
        (
            sorted(InvoiceSort::IssuedOn, false),
            [&b1, &c1, &b2, &a1, &a2],
            "not issued first, then by day and id",
        ),
        (
            sorted(InvoiceSort::DueOn, true),
            [&a2, &a1, &b2, &c1, &b1],
            "",
        ),
    ];
    for (input, expected, why) in cases {
        let expected: Vec<String> = expected.iter().map(|s| (*s).clone()).collect();
        assert_eq!(listed(&mut f, input.clone()), expected, "{input:?} ({why})");
    }
}

#[test]
fn sorted_pages_neither_overlap_nor_skip_and_filters_still_apply() {
    let (mut f, ids) = book();
    // Every order, the default (newest first) included: a page's rows are picked by id first
    // and then read, and must come back in the page's own order.
    let orders = [
        invoice_list(),
        oldest_first(),
        sorted(InvoiceSort::Buyer, false),
        sorted(InvoiceSort::Total, true),
        sorted(InvoiceSort::FriendlyId, true),
        sorted(InvoiceSort::DueOn, false),
    ];
    for order in orders {
        let mut paged = Vec::new();
        for page in 1..=3 {
            let input = ListInvoices {
                page,
                per_page: 2,
                ..order.clone()
            };
            paged.extend(listed(&mut f, input));
        }
        assert_eq!(paged, listed(&mut f, order.clone()), "pages of {order:?}");
        assert_eq!(paged.len(), ids.len(), "pages of {order:?}");
    }

    let january = listed(
        &mut f,
        ListInvoices {
            period: Some(common::period("2025-01")),
            ..sorted(InvoiceSort::Total, true)
        },
    );
    assert_eq!(january, [ids[0].clone(), ids[2].clone()]);
}

#[test]
fn an_unknown_sort_column_is_refused() {
    let (mut f, _) = book();
    // The subject is JSON parsing: a column that is none is no `InvoiceSort`.
    let error = f
        .call_json("list_invoices", json!({"sort": "net; DROP TABLE invoices"}))
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::Validation);
    assert_eq!(
        listed(&mut f, invoice_list()).len(),
        5,
        "the book is untouched"
    );
}

#[test]
fn past_due_lists_issued_invoices_after_their_due_date_as_the_dashboard_counts_them() {
    use chrono::{TimeZone, Utc};
    let (mut f, ids) = book();
    // a1 was issued on 2025-03-10, due 2025-03-12; a2 is paid.
    let past_due = || ListInvoices {
        past_due: true,
        ..invoice_list()
    };
    assert!(listed(&mut f, past_due()).is_empty());
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 12, 23, 0, 0).unwrap());
    assert!(
        listed(&mut f, past_due()).is_empty(),
        "due today is not past due"
    );
    f.clock
        .set(Utc.with_ymd_and_hms(2025, 3, 13, 0, 0, 0).unwrap());
    assert_eq!(listed(&mut f, past_due()), [ids[0].clone()]);
    let board = f.ok(op::dashboard, NoInput {});
    assert_eq!(board.past_due.count, 1);
}
