//! Event ingestion over HTTP for docs/benchmarks.md (issue 21):
//! `cargo bench -p counterfoil-server --bench ingest [-- EVENTS]`.
//!
//! Serves a book of 100 subscribed customers on 127.0.0.1 in this process, as `counterfoil
//! serve` does, and sends `POST /orb/v1/ingest` batches of 500 events (each with its own
//! idempotency key, spread over the customers) one after the other, as an ingest pipeline does;
//! then the same batches again, all duplicates. Prints events/s and each batch's p50/p99.
//! Peer in the same run: SQLite alone inserting the same events (a unique key per event) in
//! transactions of 500 with the book's pragmas (WAL, synchronous=FULL).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

use counterfoil_engine::{dispatch, Actor, Book, Clock};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const BATCH: usize = 500;
const CUSTOMERS: usize = 100;

fn main() {
    let events: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map_or(100_000, |n| n.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::open(
        &dir.path().join("ingest.book"),
        Clock::from_fn(chrono::Utc::now),
    )
    .unwrap();
    let actor = Actor::new("bench");
    let services = dispatch(&mut book, &actor, "list_services", json!({})).unwrap();
    let plan = dispatch(
        &mut book,
        &actor,
        "create_plan",
        json!({"service_id": services["items"][0]["id"], "name": "Tokens", "setup_fee": "0",
               "cost_per_month": "0", "trial_period_days": 0, "state": "published"}),
    )
    .unwrap();
    let customers: Vec<String> = (0..CUSTOMERS)
        .map(|n| {
            let account = dispatch(
                &mut book,
                &actor,
                "create_account",
                json!({"org_name": format!("Buyer {n}")}),
            )
            .unwrap();
            dispatch(
                &mut book,
                &actor,
                "subscribe",
                json!({"account_id": account["id"], "plan_id": plan["id"], "name": "app"}),
            )
            .unwrap();
            account["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let token = dispatch(
        &mut book,
        &actor,
        "create_access_token",
        json!({"name": "bench", "scopes": ["finance"], "permission": "rw"}),
    )
    .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_owned();
    // Events a little after the subscriptions began, within the past.
    std::thread::sleep(Duration::from_millis(1100));
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let batches: Vec<Value> = (0..events.div_ceil(BATCH))
        .map(|b| {
            let list: Vec<Value> = (0..BATCH.min(events - b * BATCH))
                .map(|i| {
                    let n = b * BATCH + i;
                    json!({"idempotency_key": format!("evt-{n:09}"), "event_name": "completion",
                           "timestamp": at, "customer_id": customers[n % CUSTOMERS],
                           "properties": {"tokens": n % 1000, "model": "small", "region": "eu"}})
                })
                .collect();
            json!({ "events": list })
        })
        .collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}/orb/v1/ingest", listener.local_addr().unwrap());
    let router = counterfoil_server::app(counterfoil_server::AppState::new(book, None));
    runtime.spawn(counterfoil_server::serve(listener, router));
    let client = reqwest::Client::new();
    let send = |expect: &'static str| {
        runtime.block_on(async {
            let mut times = Vec::new();
            let started = Instant::now();
            for batch in &batches {
                let sent = Instant::now();
                let answer: Value = client
                    .post(&url)
                    .bearer_auth(&token)
                    .query(&[("debug", "true")])
                    .json(batch)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                times.push(sent.elapsed());
                assert_eq!(
                    answer["debug"][expect].as_array().map(Vec::len),
                    batch["events"].as_array().map(Vec::len),
                    "{answer}"
                );
            }
            (started.elapsed(), times)
        })
    };
    let (new_total, mut new_times) = send("ingested");
    let (dup_total, mut dup_times) = send("duplicate");
    let peer = sqlite_inserts(&dir.path().join("floor.sqlite"), &batches);
    let rate = |total: Duration| events as f64 / total.as_secs_f64();
    let peer_rate = events as f64 / peer.as_secs_f64();
    println!(
        "POST /orb/v1/ingest, {events} events in batches of {BATCH} over {CUSTOMERS} customers: \
         {:.0} events/s, per batch p50 {:.1} ms, p99 {:.1} ms; sent again (all duplicates): \
         {:.0} events/s, p99 {:.1} ms; SQLite alone inserts them {peer_rate:.0} events/s: \
         ratio {:.2}",
        rate(new_total),
        percentile(&mut new_times, 50),
        percentile(&mut new_times, 99),
        rate(dup_total),
        percentile(&mut dup_times, 99),
        rate(new_total) / peer_rate
    );
}

fn percentile(times: &mut [Duration], p: usize) -> f64 {
    times.sort_unstable();
    let index = (times.len() * p).div_ceil(100).saturating_sub(1);
    times[index.min(times.len() - 1)].as_secs_f64() * 1000.0
}

/// SQLite alone: the same events into a table with a unique key, 500 per transaction.
fn sqlite_inserts(file: &std::path::Path, batches: &[Value]) -> Duration {
    let mut conn = rusqlite::Connection::open(file).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE events (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE,
                              account_id INTEGER NOT NULL, event_name TEXT NOT NULL,
                              timestamp_ms INTEGER NOT NULL, properties TEXT NOT NULL);",
    )
    .unwrap();
    let started = Instant::now();
    for batch in batches {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO events (idempotency_key, account_id, event_name, timestamp_ms,
                                         properties) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .unwrap();
            for event in batch["events"].as_array().unwrap() {
                insert
                    .execute(rusqlite::params![
                        event["idempotency_key"].as_str().unwrap(),
                        event["customer_id"]
                            .as_str()
                            .unwrap()
                            .parse::<i64>()
                            .unwrap(),
                        event["event_name"].as_str().unwrap(),
                        0,
                        event["properties"].to_string()
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    started.elapsed()
}
