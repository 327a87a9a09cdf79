//! Figures for docs/benchmarks.md: `cargo bench -p counterfoil-server [-- INVOICES]`.
//!
//! Serves a book of 100 000 invoices (as benches/engine.rs seeds it) on 127.0.0.1 in this
//! process, as `counterfoil serve` does, and loads it with wrk (Debian's package `wrk`) from
//! another process: `GET /api/invoices.json` (a page of 20) and `POST /api/invoices.json`.
//!
//! Machines of this kind differ in speed by half, so each figure comes with a floor measured in
//! the same run, and the ratio: SQLite alone reading the same page from the same file (one
//! connection, prepared once), and SQLite alone committing one new invoice row per
//! transaction with the book's pragmas (WAL, synchronous=FULL: the fsync a create waits for).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

use counterfoil_engine::{bench_support, dispatch, Actor, Book, Clock};
use serde_json::json;
use std::process::Command;

fn main() {
    let invoices: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or(100_000, |n| n.parse().unwrap());
    let Ok(wrk) = which("wrk") else {
        println!("api bench skipped: wrk is not installed (apt-get install wrk)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::open(
        &dir.path().join("api.book"),
        Clock::from_fn(chrono::Utc::now),
    )
    .unwrap();
    bench_support::seed_invoice_book(&mut book, invoices).unwrap();
    let token = dispatch(
        &mut book,
        &Actor::new("bench"),
        "create_access_token",
        json!({"name": "bench", "scopes": ["finance"], "permission": "rw"}),
    )
    .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = counterfoil_server::app(counterfoil_server::AppState::new(book, None));
    runtime.spawn(counterfoil_server::serve(listener, router));

    let read = format!("{base}/api/invoices.json?per_page=20&page=3&access_token={token}");
    let (rate, p99) = load(&wrk, &read, None);
    let floor = sqlite_reads_per_second(&dir.path().join("api.book"));
    println!(
        "GET /api/invoices.json (page of 20), {invoices} invoices: {rate:.0} requests/s, p99 {p99}; \
         SQLite alone reads the page {floor:.0} times/s (1 connection): ratio {:.2}",
        rate / floor
    );
    let script = dir.path().join("create.lua");
    std::fs::write(
        &script,
        "wrk.method = \"POST\"\nwrk.body = '{\"account_id\": 1}'\n\
         wrk.headers[\"Content-Type\"] = \"application/json\"\n",
    )
    .unwrap();
    let create = format!("{base}/api/invoices.json?access_token={token}");
    let (rate, p99) = load(&wrk, &create, Some(&script));
    let floor = sqlite_commits_per_second(&dir.path().join("floor.sqlite"));
    println!(
        "POST /api/invoices.json (create), same book: {rate:.0} requests/s, p99 {p99}; \
         SQLite alone commits {floor:.0} one-row transactions/s: ratio {:.2}",
        rate / floor
    );
}

/// How long the floors run.
const FLOOR_TIME: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `once` for [`FLOOR_TIME`]: how many times a second it ran.
fn per_second(mut once: impl FnMut()) -> f64 {
    let start = std::time::Instant::now();
    let mut done = 0u64;
    while start.elapsed() < FLOOR_TIME {
        once();
        done += 1;
    }
    done as f64 / start.elapsed().as_secs_f64()
}

/// The page the GET asks for (page 3 of 20, newest first by id, with the buyer's name), read
/// by SQLite alone from the bench's book.
fn sqlite_reads_per_second(book: &std::path::Path) -> f64 {
    let conn = rusqlite::Connection::open(book).unwrap();
    let mut page = conn
        .prepare(
            "SELECT i.id, i.account_id, a.org_name, i.friendly_id, i.period, i.state,
                    i.creation_type, i.created_at, i.issued_on, i.due_on, i.paid_at,
                    i.currency, i.vat_rate, i.net
             FROM invoices i JOIN accounts a ON a.id = i.account_id
             ORDER BY i.id DESC LIMIT 20 OFFSET 40",
        )
        .unwrap();
    per_second(|| {
        let rows: Vec<(i64, String)> = page
            .query_map([], |row| Ok((row.get(0)?, row.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 20);
    })
}

/// One row committed per transaction, as a create commits its invoice, with the book's
/// durability (WAL, synchronous=FULL), in a file beside the book.
fn sqlite_commits_per_second(file: &std::path::Path) -> f64 {
    let conn = rusqlite::Connection::open(file).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE invoices (id INTEGER PRIMARY KEY, account_id INTEGER, friendly_id TEXT,
                                period TEXT, state TEXT, created_at TEXT);",
    )
    .unwrap();
    let mut n = 0;
    per_second(|| {
        n += 1;
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        conn.execute(
            "INSERT INTO invoices (account_id, friendly_id, period, state, created_at)
             VALUES (1, ?1, '2026-12', 'open', '2026-12-07T12:00:00Z')",
            [format!("2026-12-{n:08}")],
        )
        .unwrap();
        conn.execute_batch("COMMIT").unwrap();
    })
}

/// 10 s of wrk with 2 threads and 16 connections: (requests/s, p99 latency as wrk prints it).
fn load(wrk: &std::path::Path, url: &str, script: Option<&std::path::Path>) -> (f64, String) {
    let mut command = Command::new(wrk);
    command.args(["-t2", "-c16", "-d10s", "--latency"]);
    if let Some(script) = script {
        command.arg("-s").arg(script);
    }
    let output = command.arg(url).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "wrk failed: {text}");
    assert!(
        !text.contains("Non-2xx"),
        "some requests failed; the figures would mean nothing:\n{text}"
    );
    let rate = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("Requests/sec:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0.0);
    let p99 = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("99%"))
        .map(|n| n.trim().to_owned())
        .unwrap_or_default();
    (rate, p99)
}

fn which(program: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
        .ok_or(())
}
