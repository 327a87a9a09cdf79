//! Properties of the daily billing run: running any date range twice, or split into any
//! number of catch-ups, produces the same invoices as one run (idempotence and catch-up
//! equivalence).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::Fixture;
use counterfoil_engine::{run_billing_until, Actor};
use proptest::prelude::*;
use serde_json::{json, Value};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 3, 9, 0, 0).unwrap()
}

/// The same small world every time: postpaid or prepaid, a trial plan, a metered plan, a
/// declined card, a plan change and usage; the last event is on 20 February.
fn world(prepaid: bool) -> Fixture {
    let mut f = Fixture::at(start());
    let mut settings = f.ok("get_settings", json!({}));
    settings["billing_mode"] = json!(if prepaid { "prepaid" } else { "postpaid" });
    settings["charging_enabled"] = json!(true);
    f.ok("update_settings", settings);
    let service = f.service("API");
    let hits = f.hits(&service);
    let trial = f.plan(&service, "Trial", 7);
    let metered = f.plan(&service, "Metered", 0);
    for (min, max, cpu) in [(1, json!(100), "0.05"), (101, json!(null), "0.01")] {
        f.ok(
            "create_pricing_rule",
            json!({"plan_id": metered["id"], "metric_id": hits["id"],
            "min": min, "max": max, "cost_per_unit": cpu}),
        );
    }
    let card = |reference: &str| json!({"last4": "4242", "expiry_month": 12, "expiry_year": 2099, "gateway_reference": reference});
    let good = f.ok(
        "create_account",
        json!({"org_name": "Good", "vat_rate": "21", "card": card("tok_valid")}),
    );
    let bad = f.ok(
        "create_account",
        json!({"org_name": "Bad", "card": card("tok_declined")}),
    );
    let a = f.ok(
        "subscribe",
        json!({"account_id": good["id"], "plan_id": trial["id"], "name": "A"}),
    );
    let b = f.ok(
        "subscribe",
        json!({"account_id": bad["id"], "plan_id": metered["id"], "name": "B"}),
    );
    for day in 1..45 {
        f.clock
            .set(start() + Duration::days(day) + Duration::hours(day % 5));
        f.ok(
            "record_usage",
            json!({"application_id": b["id"], "metric_id": hits["id"], "value": day * 7}),
        );
        if day == 20 {
            f.ok(
                "change_plan",
                json!({"application_id": a["id"], "plan_id": metered["id"]}),
            );
        }
        if day > 10 {
            f.ok(
                "record_usage",
                json!({"application_id": a["id"], "metric_id": hits["id"], "value": 3}),
            );
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
    let page = f.ok("list_invoices", json!({"per_page": 500}));
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| f.ok("get_invoice", json!({"id": i["id"]})))
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
