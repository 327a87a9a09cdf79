//! Figures for docs/benchmarks.md:
//! `cargo bench -p counterfoil-engine --features bench-support [-- CASE N]`.
//!
//! Without arguments it runs every case, each in a child process of its own (this binary run
//! again with the case's name) so that the peak memory it reports is that case's alone.
//! Books are real SQLite files in a temporary directory, opened as the shells open them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

use chrono::{TimeZone, Utc};
use counterfoil_engine::model::UsageRow;
use counterfoil_engine::{
    bench_support, dispatch, import_usage_rows, run_billing_until, Actor, Book, Clock,
};
use serde_json::{json, Value};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["billing", n] => billing_day_one(n.parse().unwrap()),
        ["feed", n] => feed_cost(n.parse().unwrap()),
        ["usage", n] => usage_import(n.parse().unwrap()),
        ["invoices", n] => invoice_queries(n.parse().unwrap()),
        [] => {
            let sizes = std::env::var("BENCH_ACCOUNTS").unwrap_or_else(|_| "10000,100000".into());
            let mut cases: Vec<Vec<String>> = sizes
                .split(',')
                .map(|n| vec!["billing".into(), n.trim().into()])
                .collect();
            cases.push(vec!["usage".into(), "1000000".into()]);
            cases.push(vec!["invoices".into(), "1000000".into()]);
            for case in cases {
                let status = std::process::Command::new(std::env::current_exe().unwrap())
                    .args(&case)
                    .status()
                    .unwrap();
                assert!(status.success(), "bench case {case:?} failed");
            }
        }
        other => panic!("unknown case {other:?}; cases: billing N, feed N, usage N, invoices N"),
    }
}

fn book_at(dir: &tempfile::TempDir, y: i32, m: u32, d: u32, h: u32) -> Book {
    let clock = Clock::simulated(Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap());
    Book::open(&dir.path().join("bench.book"), clock).unwrap()
}

/// The day-1 job (1 February) on a book of `accounts` buyers with two applications each,
/// three metrics and a month of daily usage.
fn billing_day_one(accounts: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut book = book_at(&dir, 2025, 2, 1, 9);
    let seeding = Instant::now();
    bench_support::seed_billing_book(&mut book, accounts).unwrap();
    let seeded = seeding.elapsed();
    bench_support::reset_peak_memory().unwrap();
    let started = Instant::now();
    let until = Utc.with_ymd_and_hms(2025, 2, 1, 9, 0, 0).unwrap();
    let report = run_billing_until(&mut book, &Actor::new("bench"), until).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.jobs.len(), 1);
    let memory = bench_support::peak_memory_mb();
    let floor = sqlite_billing_floor(book.path(), report.totals.lines_added as usize);
    println!(
        "billing day-1 job, {accounts} accounts ({} apps, {} usage records): {:.2} s, {} lines \
         added, {} invoices finalized; peak memory {} MB (seeding took {:.1} s); SQLite alone \
         sums the same usage and writes as many line rows in {:.2} s: ratio {:.1}",
        accounts * 2,
        accounts * 2 * 3 * 31,
        elapsed.as_secs_f64(),
        report.totals.lines_added,
        report.totals.invoices_finalized,
        memory,
        seeded.as_secs_f64(),
        floor.as_secs_f64(),
        elapsed.as_secs_f64() / floor.as_secs_f64()
    );
}

/// What sync's change feed costs the day-1 job (docs/sync.md "Costs"): the same job on a
/// standalone book and on a server's book (which writes the feed), each freshly seeded; the
/// standalone run is the peer, the ratio what is tracked.
fn feed_cost(accounts: usize) {
    let mut seconds = Vec::new();
    for server in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut book = book_at(&dir, 2025, 2, 1, 9);
        bench_support::seed_billing_book(&mut book, accounts).unwrap();
        if server {
            book.become_server(&Actor::new("bench")).unwrap();
        }
        let started = Instant::now();
        let until = Utc.with_ymd_and_hms(2025, 2, 1, 9, 0, 0).unwrap();
        run_billing_until(&mut book, &Actor::new("bench"), until).unwrap();
        seconds.push(started.elapsed().as_secs_f64());
    }
    println!(
        "change feed, day-1 job of {accounts} accounts: {:.2} s standalone, {:.2} s on a \
         server's book (writing the feed): ratio {:.2}",
        seconds[0],
        seconds[1],
        seconds[1] / seconds[0]
    );
}

/// The floor of a billing job: SQLite alone, on the same file, summing January's usage per
/// application and metric and writing `lines` rows to a bare table in one transaction.
fn sqlite_billing_floor(book: &std::path::Path, lines: usize) -> std::time::Duration {
    let conn = rusqlite::Connection::open(book).unwrap();
    conn.pragma_update(None, "synchronous", "full").unwrap();
    let started = Instant::now();
    let january = (
        Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
            .unwrap()
            .timestamp(),
        Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0)
            .unwrap()
            .timestamp(),
    );
    let sums: i64 = conn
        .prepare(
            "SELECT count(*) FROM (SELECT application_id, metric_id, sum(value) FROM usage_records
             WHERE recorded_at >= ?1 AND recorded_at < ?2 GROUP BY application_id, metric_id)",
        )
        .unwrap()
        .query_row(january, |row| row.get(0))
        .unwrap();
    assert!(sums > 0);
    conn.execute_batch(
        "BEGIN IMMEDIATE; CREATE TABLE floor_lines (id INTEGER PRIMARY KEY, invoice_id INTEGER,
         name TEXT, cost INTEGER);",
    )
    .unwrap();
    {
        let mut insert = conn
            .prepare("INSERT INTO floor_lines (invoice_id, name, cost) VALUES (?1, ?2, ?3)")
            .unwrap();
        for n in 0..lines {
            insert
                .execute(rusqlite::params![n as i64 / 8, "Hits", 1_000_000])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    started.elapsed()
}

/// `rows` usage records streamed into `import_usage_rows`, as `counterfoil usage import` feeds
/// it from a CSV reader (rows made as they are consumed, so memory stays flat).
fn usage_import(rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut book = book_at(&dir, 2025, 2, 1, 9);
    bench_support::seed_billing_book(&mut book, 10).unwrap();
    let metrics = ["hits", "storage", "jobs"];
    let input = (0..rows).map(|n| {
        Ok(UsageRow {
            application: ((n % 20) + 1).to_string(),
            metric: metrics[n % 3].to_owned(),
            timestamp: format!("2025-01-{:02}T{:02}:{:02}:00Z", n % 28 + 1, n % 24, n % 60),
            value: (n % 1000).to_string(),
            idempotency_key: None,
        })
    });
    bench_support::reset_peak_memory().unwrap();
    let started = Instant::now();
    let report = import_usage_rows(&mut book, &Actor::new("bench"), input, false)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let elapsed = started.elapsed();
    assert_eq!(report.imported as usize, rows);
    let memory = bench_support::peak_memory_mb();
    let floor = sqlite_insert_floor(&dir.path().join("floor.sqlite"), rows);
    println!(
        "usage import, {rows} records streamed in one transaction: {:.2} s = {:.0} records/s; \
         peak memory {} MB; SQLite alone inserts as many rows (same indexes) in {:.2} s: ratio \
         {:.1}",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        memory,
        floor.as_secs_f64(),
        elapsed.as_secs_f64() / floor.as_secs_f64()
    );
}

/// The floor of an import: SQLite alone inserting `rows` usage rows, already numbers, into a
/// table with the usage table's indexes, in one transaction (WAL, synchronous=FULL).
fn sqlite_insert_floor(file: &std::path::Path, rows: usize) -> std::time::Duration {
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE usage_records (id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL,
             metric_id INTEGER NOT NULL, recorded_at INTEGER NOT NULL, value INTEGER NOT NULL);
         CREATE INDEX usage_records_application
             ON usage_records (application_id, metric_id, recorded_at, value);
         CREATE INDEX usage_records_metric ON usage_records (metric_id);",
    )
    .unwrap();
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    {
        let mut insert = conn
            .prepare(
                "INSERT INTO usage_records (application_id, metric_id, recorded_at, value)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .unwrap();
        for n in 0..rows {
            let at = 1_735_689_600 + (n % 28) as i64 * 86_400 + (n % 24) as i64 * 3_600;
            insert
                .execute(rusqlite::params![
                    (n % 20) as i64 + 1,
                    (n % 3) as i64 + 1,
                    at,
                    (n % 1000) as i64
                ])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    started.elapsed()
}

/// A page of 50 invoices filtered by state and month, and earnings by month, on `invoices`.
fn invoice_queries(invoices: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut book = book_at(&dir, 2025, 1, 15, 9);
    bench_support::seed_invoice_book(&mut book, invoices).unwrap();
    let actor = Actor::new("bench");
    let time = |book: &mut Book, op: &str, input: Value| {
        let runs = 20;
        let mut best = f64::MAX;
        let mut total = 0.0;
        for _ in 0..runs {
            let started = Instant::now();
            dispatch(book, &actor, op, input.clone()).unwrap();
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            best = best.min(ms);
            total += ms;
        }
        (best, total / f64::from(runs))
    };
    let (best, mean) = time(
        &mut book,
        "list_invoices",
        json!({"state": "unpaid", "period": "2024-06", "per_page": 50}),
    );
    let floor = sqlite_page_floor(book.path());
    println!(
        "invoice list page (50, state + month) on {invoices} invoices: best {best:.1} ms, mean \
         {mean:.1} ms; SQLite alone reads the page in best {floor:.2} ms: ratio {:.1}",
        best / floor
    );
    let (best, mean) = time(
        &mut book,
        "list_invoices",
        json!({"per_page": 50, "page": 200}),
    );
    println!("invoice list page 200 (50, no filter) on {invoices} invoices: best {best:.1} ms, mean {mean:.1} ms");
    let (best, mean) = time(
        &mut book,
        "earnings_by_month",
        json!({"from": "2024-01", "to": "2024-12"}),
    );
    println!(
        "earnings by month (12 months) on {invoices} invoices: best {best:.1} ms, mean {mean:.1} ms; peak memory {} MB",
        bench_support::peak_memory_mb()
    );
}

/// The floor of the filtered page: SQLite alone reading the same 50 rows (state and month,
/// newest first) from the same file, best of 20.
fn sqlite_page_floor(book: &std::path::Path) -> f64 {
    let conn = rusqlite::Connection::open(book).unwrap();
    let mut page = conn
        .prepare(
            "SELECT i.id, i.account_id, a.org_name, i.friendly_id, i.period, i.state, i.net,
                    i.vat_rate, i.issued_on, i.due_on
             FROM invoices i JOIN accounts a ON a.id = i.account_id
             WHERE i.state = 'unpaid' AND i.period = '2024-06' ORDER BY i.id DESC LIMIT 50",
        )
        .unwrap();
    (0..20)
        .map(|_| {
            let started = Instant::now();
            let rows = page
                .query_map([], |row| row.get::<_, i64>(0))
                .unwrap()
                .count();
            assert!(rows > 0);
            started.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::MAX, f64::min)
}
