//! Figures for docs/benchmarks.md: `cargo bench -p counterfoil-server [-- INVOICES]`.
//!
//! Serves a book of 100 000 invoices (as benches/engine.rs seeds it) on 127.0.0.1 in this
//! process, as `counterfoil serve` does, and loads it with wrk (Debian's package `wrk`) from
//! another process: `GET /api/invoices.json` (a page of 20) and `POST /api/invoices.json`.

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
    println!(
        "GET /api/invoices.json (page of 20), {invoices} invoices: {rate:.0} requests/s, p99 {p99}"
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
    println!("POST /api/invoices.json (create), same book: {rate:.0} requests/s, p99 {p99}");
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
