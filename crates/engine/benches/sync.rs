//! Sync's figures for docs/benchmarks.md (docs/sync.md):
//! `cargo bench -p counterfoil-engine --features bench-support --bench sync [-- CASE N]`.
//!
//! - `offline N`: a desktop back after a month offline with N queued changes: one round (push
//!   in batches, pull, put the server's rows in place). Peer: SQLite alone writing as many rows
//!   and reading them back.
//! - `bootstrap N`: a desktop starting from a server book of N invoices (snapshot, link, open).
//!   Peer: copying the server's file.
//! - `pull N`: a desktop pulling N rows changed on the server. Peer: SQLite alone reading the
//!   same rows from the server's file and writing them into another.
//! - `import N`: a usage import of N rows made offline (queued in parts of 2 000 rows), then
//!   the round that sends it: time and peak memory. Peer: the same import on a standalone book
//!   (nothing recorded for sync), in the same run.
//!
//! The server and the desktop are real SQLite files in one process; every request and answer
//! goes through JSON as over HTTP. Each case runs in a child process of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop
#![allow(clippy::disallowed_methods)] // fixture files only

use chrono::{TimeZone, Utc};
use counterfoil_engine::model::UsageRow;
use counterfoil_engine::sync::desktop::{self, LinkSettings, Transport, TransportError};
use counterfoil_engine::sync::protocol::{PullPage, PullRequest, PushAnswer, PushRequest};
use counterfoil_engine::sync::server;
use counterfoil_engine::{bench_support, dispatch, import_usage_rows, Actor, Book, Clock};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

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
        ["offline", n] => offline(n.parse().unwrap()),
        ["bootstrap", n] => bootstrap(n.parse().unwrap()),
        ["pull", n] => pull(n.parse().unwrap()),
        ["import", n] => import(n.parse().unwrap()),
        [] => {
            for case in [
                ["offline", "10000"],
                ["bootstrap", "100000"],
                ["pull", "100000"],
                ["import", "100000"],
            ] {
                let status = std::process::Command::new(std::env::current_exe().unwrap())
                    .args(case)
                    .status()
                    .unwrap();
                assert!(status.success(), "bench case {case:?} failed");
            }
        }
        other => panic!("unknown case {other:?}; cases: offline N, bootstrap N, pull N, import N"),
    }
}

/// The server's book itself, each call through JSON as over HTTP.
struct Direct<'s> {
    server: &'s mut Book,
}

fn over_json<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
    serde_json::from_slice(&serde_json::to_vec(value).unwrap()).unwrap()
}

impl Transport for Direct<'_> {
    fn push(&mut self, request: &PushRequest) -> Result<PushAnswer, TransportError> {
        let answer = server::push(self.server, "bench-desk", over_json(request))
            .map_err(|e| TransportError::Refused(e.message))?;
        Ok(over_json(&answer))
    }

    fn pull(&mut self, request: &PullRequest) -> Result<PullPage, TransportError> {
        let page = server::pull(self.server, over_json(request))
            .map_err(|e| TransportError::Refused(e.message))?;
        Ok(over_json(&page))
    }
}

fn clock() -> Clock {
    Clock::simulated(Utc.with_ymd_and_hms(2025, 2, 1, 9, 0, 0).unwrap())
}

/// A server's book seeded by `seed`, and a desktop linked to it from its snapshot.
fn server_and_desk(dir: &Path, seed: impl FnOnce(&mut Book)) -> (Book, Book) {
    let mut server_book = Book::open(&dir.join("server.book"), clock()).unwrap();
    seed(&mut server_book);
    server_book.become_server(&Actor::new("bench")).unwrap();
    let desk = link(dir, &server_book);
    (server_book, desk)
}

fn link(dir: &Path, server_book: &Book) -> Book {
    let snapshot = dir.join("snapshot.book");
    server::snapshot(server_book, &snapshot).unwrap();
    let desk_path = dir.join("desk.book");
    desktop::link_from_snapshot(
        &desk_path,
        &snapshot,
        &LinkSettings {
            server_url: "http://127.0.0.1:1/".into(),
            fingerprint: None,
            token: "bench".into(),
            device_id: "bench".into(),
        },
        false,
        clock(),
    )
    .unwrap();
    Book::open(&desk_path, clock()).unwrap()
}

fn offline(changes: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (mut server_book, mut desk) = server_and_desk(dir.path(), |book| {
        bench_support::seed_billing_book(book, 100).unwrap()
    });
    // A month's work offline: usage recorded by hand, one change at a time.
    let actor = Actor::new("person");
    let apps = dispatch(
        &mut desk,
        &actor,
        "list_applications",
        json!({"per_page": 100}),
    )
    .unwrap();
    let app = apps["items"][0]["id"].clone();
    let plan = dispatch(
        &mut desk,
        &actor,
        "get_plan",
        json!({"id": apps["items"][0]["plan_id"]}),
    )
    .unwrap();
    let metrics = dispatch(
        &mut desk,
        &actor,
        "list_metrics",
        json!({"service_id": plan["service_id"]}),
    )
    .unwrap();
    let metric = metrics[0]["id"].clone();
    for n in 0..changes {
        dispatch(
            &mut desk,
            &actor,
            "record_usage",
            json!({"application_id": app, "metric_id": metric, "value": n,
                   "timestamp": "2025-01-31T10:00:00Z"}),
        )
        .unwrap();
    }
    assert_eq!(desktop::status(&desk).unwrap().waiting as usize, changes);
    let started = Instant::now();
    let report = desktop::round(
        &mut desk,
        &mut Direct {
            server: &mut server_book,
        },
    )
    .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.applied, changes);
    let floor = sqlite_write_read_floor(&dir.path().join("floor.sqlite"), changes);
    println!(
        "sync, a desktop back with {changes} queued changes: one round in {:.2} s ({} applied, \
         {} rows pulled); SQLite alone writes and reads back as many rows in {:.3} s: ratio {:.0}",
        elapsed.as_secs_f64(),
        report.applied,
        report.rows,
        floor.as_secs_f64(),
        elapsed.as_secs_f64() / floor.as_secs_f64()
    );
}

/// SQLite alone: `rows` usage rows written in one transaction, then read back.
fn sqlite_write_read_floor(file: &Path, rows: usize) -> Duration {
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE usage_records (id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL,
             metric_id INTEGER NOT NULL, recorded_at INTEGER NOT NULL, value INTEGER NOT NULL);",
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
            insert
                .execute(rusqlite::params![1, 1, 1_738_317_600, n as i64])
                .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    let read: i64 = conn
        .prepare("SELECT * FROM usage_records")
        .unwrap()
        .query_map([], |row| row.get::<_, i64>(4))
        .unwrap()
        .map(Result::unwrap)
        .sum();
    assert!(read >= 0);
    started.elapsed()
}

fn bootstrap(invoices: usize) {
    let dir = tempfile::tempdir().unwrap();
    let mut server_book = Book::open(&dir.path().join("server.book"), clock()).unwrap();
    bench_support::seed_invoice_book(&mut server_book, invoices).unwrap();
    server_book.become_server(&Actor::new("bench")).unwrap();
    let started = Instant::now();
    let desk = link(dir.path(), &server_book);
    let count = dispatch_count(&desk);
    let elapsed = started.elapsed();
    assert_eq!(count, invoices);
    let copy_started = Instant::now();
    std::fs::copy(server_book.path(), dir.path().join("copy.book")).unwrap();
    let floor = copy_started.elapsed();
    let size = std::fs::metadata(server_book.path()).unwrap().len();
    println!(
        "sync, a desktop starting from a server book of {invoices} invoices ({} MB): snapshot, \
         link and open in {:.2} s; copying the server's file takes {:.2} s: ratio {:.1}",
        size / 1_000_000,
        elapsed.as_secs_f64(),
        floor.as_secs_f64(),
        elapsed.as_secs_f64() / floor.as_secs_f64()
    );
}

fn dispatch_count(desk: &Book) -> usize {
    let mut desk_again = Book::open(desk.path(), clock()).unwrap();
    let page = dispatch(
        &mut desk_again,
        &Actor::new("bench"),
        "list_invoices",
        json!({"per_page": 1}),
    )
    .unwrap();
    page["total"].as_u64().unwrap() as usize
}

fn pull(rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (mut server_book, mut desk) = server_and_desk(dir.path(), |book| {
        bench_support::seed_billing_book(book, 10).unwrap()
    });
    // On the server: `rows` usage records imported in one change.
    let metrics = ["hits", "storage", "jobs"];
    let input = (0..rows).map(|n| {
        Ok(UsageRow {
            application: ((n % 20) + 1).to_string(),
            metric: metrics[n % 3].to_owned(),
            timestamp: format!("2025-01-{:02}T{:02}:{:02}:00Z", n % 28 + 1, n % 24, n % 60),
            value: n.to_string(),
            idempotency_key: None,
        })
    });
    import_usage_rows(&mut server_book, &Actor::new("bench"), input, false).unwrap();
    let started = Instant::now();
    let report = desktop::round(
        &mut desk,
        &mut Direct {
            server: &mut server_book,
        },
    )
    .unwrap();
    let elapsed = started.elapsed();
    assert!(report.rows >= rows, "{} rows pulled", report.rows);
    let floor = sqlite_copy_floor(server_book.path(), &dir.path().join("floor.sqlite"));
    println!(
        "sync, pulling {} changed rows ({rows} usage records and their audit): {:.2} s; SQLite \
         alone reads them from the server's file and writes them into another in {:.2} s: \
         ratio {:.1}",
        report.rows,
        elapsed.as_secs_f64(),
        floor.as_secs_f64(),
        elapsed.as_secs_f64() / floor.as_secs_f64()
    );
}

/// SQLite alone: every usage row of `from` read and written into a bare table of `to`, in one
/// transaction.
fn sqlite_copy_floor(from: &Path, to: &Path) -> Duration {
    let conn = rusqlite::Connection::open(to).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE usage_records (id INTEGER PRIMARY KEY, application_id INTEGER NOT NULL,
             metric_id INTEGER NOT NULL, recorded_at INTEGER NOT NULL, value INTEGER NOT NULL);",
    )
    .unwrap();
    conn.execute("ATTACH ?1 AS server", [from.to_string_lossy()])
        .unwrap();
    let started = Instant::now();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    {
        let mut read = conn
            .prepare("SELECT id, application_id, metric_id, recorded_at, value FROM server.usage_records")
            .unwrap();
        let mut insert = conn
            .prepare("INSERT INTO main.usage_records VALUES (?1, ?2, ?3, ?4, ?5)")
            .unwrap();
        let mut rows = read.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let values: [i64; 5] = std::array::from_fn(|i| row.get(i).unwrap());
            insert.execute(values).unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    started.elapsed()
}

fn import(rows: usize) {
    let dir = tempfile::tempdir().unwrap();
    let seed = |book: &mut Book| bench_support::seed_billing_book(book, 100).unwrap();
    let mut standalone = Book::open(&dir.path().join("standalone.book"), clock()).unwrap();
    seed(&mut standalone);
    let (mut server_book, mut desk) = server_and_desk(dir.path(), seed);
    let actor = Actor::new("person");
    let app = dispatch(
        &mut desk,
        &actor,
        "list_applications",
        json!({"per_page": 1}),
    )
    .unwrap()["items"][0]["id"]
        .clone();
    let input = json!({ "rows": (0..rows).map(|n| json!({
        "application": app, "metric": "hits", "timestamp": "2025-01-31T10:00:00Z",
        "value": (n % 1000).to_string(),
    })).collect::<Vec<_>>() });
    let input_mb = input.to_string().len() as f64 / 1e6;

    bench_support::reset_peak_memory().unwrap();
    let started = Instant::now();
    dispatch(&mut standalone, &actor, "import_usage", input.clone()).unwrap();
    let peer = started.elapsed();
    let peer_peak = bench_support::peak_memory_mb();
    drop(standalone);

    bench_support::reset_peak_memory().unwrap();
    let started = Instant::now();
    dispatch(&mut desk, &actor, "import_usage", input).unwrap();
    let queued = started.elapsed();
    let waiting = desktop::status(&desk).unwrap().waiting;
    let report = desktop::round(
        &mut desk,
        &mut Direct {
            server: &mut server_book,
        },
    )
    .unwrap();
    let elapsed = started.elapsed();
    let peak = bench_support::peak_memory_mb();
    assert_eq!(report.applied as i64, waiting);
    println!(
        "sync, a usage import of {rows} rows ({input_mb:.1} MB of JSON) made offline: imported \
         and queued in {waiting} parts in {:.2} s, sent and applied with the round in {:.2} s \
         all told, peak {peak} MB; the same import on a standalone book: {:.2} s, peak \
         {peer_peak} MB: ratios {:.1} (time) and {:.1} (memory)",
        queued.as_secs_f64(),
        elapsed.as_secs_f64(),
        peer.as_secs_f64(),
        elapsed.as_secs_f64() / peer.as_secs_f64(),
        peak as f64 / peer_peak.max(1) as f64
    );
}
