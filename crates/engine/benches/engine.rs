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
        other => panic!("unknown case {other:?}; cases: billing N, usage N, invoices N"),
    }
}

fn peak_memory_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    kib / 1024
}

/// Starts the peak (VmHWM) over from the current size, so that a case's figure is what its
/// measured part needs, not what seeding its book needed (Linux: "5" to clear_refs).
fn reset_peak_memory() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
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
    reset_peak_memory();
    let started = Instant::now();
    let until = Utc.with_ymd_and_hms(2025, 2, 1, 9, 0, 0).unwrap();
    let report = run_billing_until(&mut book, &Actor::new("bench"), until).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.jobs.len(), 1);
    println!(
        "billing day-1 job, {accounts} accounts ({} apps, {} usage records): {:.2} s, {} lines \
         added, {} invoices finalized; peak memory {} MB (seeding took {:.1} s)",
        accounts * 2,
        accounts * 2 * 3 * 31,
        elapsed.as_secs_f64(),
        report.totals.lines_added,
        report.totals.invoices_finalized,
        peak_memory_mb(),
        seeded.as_secs_f64()
    );
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
        })
    });
    reset_peak_memory();
    let started = Instant::now();
    let report = import_usage_rows(&mut book, &Actor::new("bench"), input, false)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let elapsed = started.elapsed();
    assert_eq!(report.imported as usize, rows);
    println!(
        "usage import, {rows} records streamed in one transaction: {:.2} s = {:.0} records/s; \
         peak memory {} MB",
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        peak_memory_mb()
    );
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
    println!("invoice list page (50, state + month) on {invoices} invoices: best {best:.1} ms, mean {mean:.1} ms");
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
        peak_memory_mb()
    );
}
