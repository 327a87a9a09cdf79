//! Properties of the daily billing run: running any date range twice, or split into any
//! number of catch-ups, produces the same invoices as one run (idempotence and catch-up
//! equivalence).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{
    account_fields, amount, card, plan_change, pricing_rule, subscription, usage, Fixture,
};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, run_billing_until, Actor};
use proptest::prelude::*;
use serde_json::Value;

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 3, 9, 0, 0).unwrap()
}

/// The same small world every time: postpaid or prepaid, a trial plan, a metered plan, a
/// declined card, a plan change and usage; the last event is on 20 February.
fn world(prepaid: bool) -> Fixture {
    let mut f = Fixture::at(start());
    // Charges (a declined card, retries) are part of what a catch-up must equal.
    f.use_test_gateway();
    f.change_settings(|s| {
        s.billing_mode = if prepaid {
            BillingMode::Prepaid
        } else {
            BillingMode::Postpaid
        };
        s.charging_enabled = true;
    });
    let service = f.service("API");
    let hits = f.hits(&service);
    let trial = f.plan(&service, "Trial", 7);
    let metered = f.plan(&service, "Metered", 0);
    for (min, max, cpu) in [(1, Some(100), "0.05"), (101, None, "0.01")] {
        f.ok(
            op::create_pricing_rule,
            pricing_rule(&metered, &hits, min, max, cpu),
        );
    }
    let good = f.ok(
        op::create_account,
        AccountFields {
            vat_rate: Some(amount("21")),
            card: Some(card("4242", 12, 2099, "tok_valid")),
            ..account_fields("Good")
        },
    );
    let bad = f.ok(
        op::create_account,
        AccountFields {
            card: Some(card("4242", 12, 2099, "tok_declined")),
            ..account_fields("Bad")
        },
    );
    let a = f.ok(op::subscribe, subscription(&good, &trial, "A"));
    let b = f.ok(op::subscribe, subscription(&bad, &metered, "B"));
    for day in 1..45 {
        f.clock
            .set(start() + Duration::days(day) + Duration::hours(day % 5));
        f.ok(op::record_usage, usage(&b, &hits, None, day * 7));
        if day == 20 {
            f.ok(op::change_plan, plan_change(&a, &metered));
        }
        if day > 10 {
            f.ok(op::record_usage, usage(&a, &hits, None, 3));
        }
    }
    f
}

/// Bills at each of `stops` (in order) and then to the end; returns every invoice in full.
fn bill_in_steps(prepaid: bool, stops: &[i64]) -> Vec<Value> {
    let mut f = world(prepaid);
    let end = Utc.with_ymd_and_hms(2025, 4, 10, 9, 0, 0).unwrap();
    f.clock.set(end);
    let actor = Actor::new("property");
    for hours in stops {
        run_billing_until(&mut f.book, &actor, start() + Duration::hours(*hours)).unwrap();
    }
    run_billing_until(&mut f.book, &actor, end).unwrap();
    run_billing_until(&mut f.book, &actor, end).unwrap();
    // Each invoice's stored net is the sum of its lines, whatever the run added.
    let conn = rusqlite::Connection::open(f.book.path()).unwrap();
    let drifted: i64 = conn
        .query_row(
            "SELECT count(*) FROM invoices i
             WHERE net != (SELECT coalesce(sum(cost), 0) FROM line_items WHERE invoice_id = i.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(drifted, 0, "an invoice's stored net differs from its lines");
    f.assert_earnings_summary_matches_invoices();
    // Compared as they cross (amounts as written), not only by value.
    f.all_invoices()
        .iter()
        .map(|detail| serde_json::to_value(detail).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn any_split_into_catch_ups_bills_the_same_as_one_run(
        prepaid in any::<bool>(),
        mut stops in proptest::collection::vec(0i64..(97 * 24), 0..6),
    ) {
        stops.sort_unstable();
        let one_run = bill_in_steps(prepaid, &[]);
        prop_assert!(one_run.len() >= 4);
        prop_assert_eq!(bill_in_steps(prepaid, &stops), one_run);
    }
}
