#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! The fixture every engine test file shares: a fresh book on a simulated clock, called
//! through the public dispatcher as the shells call it.

#![allow(dead_code)] // each test file uses a different part of it

use chrono::{TimeZone, Utc};
use counterfoil_engine::{dispatch, Actor, ApiError, Book, Clock, ErrorCode};
use serde_json::{json, Value};

pub struct Fixture {
    pub book: Book,
    pub clock: Clock,
    _dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::at(Utc.with_ymd_and_hms(2025, 3, 10, 12, 0, 0).unwrap())
    }

    pub fn at(start: chrono::DateTime<Utc>) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::simulated(start);
        let book = Book::open(&dir.path().join("test.book"), clock.clone()).unwrap();
        Fixture {
            book,
            clock,
            _dir: dir,
        }
    }

    pub fn call(&mut self, op: &str, input: Value) -> Result<Value, ApiError> {
        dispatch(&mut self.book, &Actor::new("test"), op, input)
    }

    pub fn ok(&mut self, op: &str, input: Value) -> Value {
        self.call(op, input.clone())
            .unwrap_or_else(|e| panic!("{op} {input}: {e:?}"))
    }

    /// The earnings summary the store keeps (`keeping_share`) equals summing the issued
    /// invoices themselves.
    pub fn assert_earnings_summary_matches_invoices(&self) {
        let conn = rusqlite::Connection::open(self.book.path()).unwrap();
        let read = |sql: &str| -> Vec<(String, i64, i64, i64, i64)> {
            let mut statement = conn.prepare(sql).unwrap();
            let rows = statement
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .unwrap();
            rows.map(Result::unwrap).collect()
        };
        let kept = read(
            "SELECT period, bucket, vat_rate, net, invoices FROM earnings_by_period
             WHERE invoices != 0 ORDER BY 1, 2, 3",
        );
        let summed = read(
            "SELECT period,
                    CASE WHEN state IN ('unpaid', 'failed') THEN 1
                         WHEN state = 'paid' THEN 2 ELSE 0 END,
                    coalesce(vat_rate, -1), sum(net), count(*)
             FROM invoices WHERE issued_on IS NOT NULL AND state != 'cancelled'
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        );
        assert_eq!(
            kept, summed,
            "the earnings summary drifted from the invoices"
        );
    }

    pub fn audit_total(&mut self) -> i64 {
        self.ok("list_audit", json!({}))["total"].as_i64().unwrap()
    }

    /// Calls `op`, expects a refusal with `code` (and `field` for validation), and checks that
    /// nothing was written.
    pub fn refused(
        &mut self,
        op: &str,
        input: Value,
        code: ErrorCode,
        field: Option<&str>,
    ) -> ApiError {
        let audit_before = self.audit_total();
        let error = match self.call(op, input.clone()) {
            Ok(output) => panic!("{op} {input} should have been refused, gave {output}"),
            Err(error) => error,
        };
        assert_eq!(error.code, code, "{op} {input}: {error:?}");
        assert_eq!(error.field.as_deref(), field, "{op} {input}: {error:?}");
        assert!(!error.message.is_empty());
        assert_eq!(
            self.audit_total(),
            audit_before,
            "{op} {input} wrote despite failing"
        );
        error
    }

    pub fn service(&mut self, name: &str) -> Value {
        self.ok("create_service", json!({"name": name}))
    }

    pub fn hits(&mut self, service: &Value) -> Value {
        self.ok("list_metrics", json!({"service_id": service["id"]}))[0].clone()
    }

    pub fn plan(&mut self, service: &Value, name: &str, trial_days: u32) -> Value {
        self.ok(
            "create_plan",
            json!({"service_id": service["id"], "name": name, "setup_fee": "10",
                   "cost_per_month": "99.50", "trial_period_days": trial_days, "state": "published"}),
        )
    }

    /// A published plan with these fees (decimal strings) and trial.
    pub fn priced_plan(
        &mut self,
        service: &Value,
        name: &str,
        setup: &str,
        monthly: &str,
        trial_days: u32,
    ) -> Value {
        self.ok(
            "create_plan",
            json!({"service_id": service["id"], "name": name, "setup_fee": setup,
                   "cost_per_month": monthly, "trial_period_days": trial_days,
                   "state": "published"}),
        )
    }

    pub fn account(&mut self, name: &str) -> Value {
        self.ok("create_account", json!({"org_name": name}))
    }
}
