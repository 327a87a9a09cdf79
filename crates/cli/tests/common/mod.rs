//! What the command-line tests share: the binary, a book with buyers to bill, and the
//! views that compare two books as a user would.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub fn counterfoil() -> Command {
    Command::new(env!("CARGO_BIN_EXE_counterfoil"))
}

/// A book whose buyers signed up on 5 January 2025 (made with a simulated clock), so a
/// catch-up to a later date has days to bill.
pub fn book_with_buyers(path: &std::path::Path, buyers: usize) {
    use chrono::TimeZone;
    use counterfoil_engine::{dispatch, Actor, Book, Clock};
    let clock = Clock::simulated(chrono::Utc.with_ymd_and_hms(2025, 1, 5, 10, 0, 0).unwrap());
    let mut book = Book::open(path, clock.clone()).unwrap();
    let actor = Actor::new("test");
    let mut call =
        |op: &str, input: serde_json::Value| dispatch(&mut book, &actor, op, input).unwrap();
    let mut settings = call("get_settings", serde_json::json!({}));
    settings["charging_enabled"] = serde_json::json!(true);
    call("update_settings", settings);
    let service = call("create_service", serde_json::json!({"name": "API"}));
    let hits = call(
        "list_metrics",
        serde_json::json!({"service_id": service["id"]}),
    )[0]["id"]
        .clone();
    let plan = call(
        "create_plan",
        serde_json::json!({"service_id": service["id"], "name": "Pro",
        "setup_fee": "5", "cost_per_month": "31", "trial_period_days": 0, "state": "published"}),
    );
    call(
        "create_pricing_rule",
        serde_json::json!({"plan_id": plan["id"], "metric_id": hits, "min": 1, "cost_per_unit": "0.001"}),
    );
    for n in 0..buyers {
        let card = if n % 7 == 0 {
            "tok_declined"
        } else {
            "tok_valid"
        };
        let account = call(
            "create_account",
            serde_json::json!({"org_name": format!("Buyer {n}"), "vat_rate": "20",
            "card": {"last4": "4242", "expiry_month": 12, "expiry_year": 2099, "gateway_reference": card}}),
        );
        let app = call(
            "subscribe",
            serde_json::json!({"account_id": account["id"], "plan_id": plan["id"], "name": "App"}),
        );
        call(
            "record_usage",
            serde_json::json!({"application_id": app["id"], "metric_id": hits, "value": 1000 + n}),
        );
    }
}

/// Every invoice with its lines and payments, as a user would compare two books.
pub fn invoices_of(path: &std::path::Path) -> Vec<serde_json::Value> {
    use counterfoil_engine::{dispatch, Actor, Book, Clock};
    let mut book = Book::open(path, Clock::from_fn(chrono::Utc::now)).unwrap();
    let actor = Actor::new("test");
    let mut all = Vec::new();
    for page in 1.. {
        let listed = dispatch(
            &mut book,
            &actor,
            "list_invoices",
            serde_json::json!({"page": page, "per_page": 500}),
        )
        .unwrap();
        let items = listed["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        for item in items {
            all.push(
                dispatch(
                    &mut book,
                    &actor,
                    "get_invoice",
                    serde_json::json!({"id": item["id"]}),
                )
                .unwrap(),
            );
        }
    }
    all
}

pub fn billing_jobs_done(path: &std::path::Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    conn.query_row("SELECT count(*) FROM billing_jobs", [], |r| r.get(0))
        .unwrap()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `counterfoil serve` on `port`, once it says it is serving.
pub fn serve(book: &Path, port: u16) -> Child {
    let mut server = counterfoil()
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--book"])
        .arg(book)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("is serving") {
        line.clear();
        assert!(
            log.read_line(&mut line).unwrap() > 0,
            "serve exited before listening"
        );
    }
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut log, &mut std::io::sink()));
    server
}
