//! What the command-line tests share: the binary, a book with buyers to bill, and the
//! views that compare two books as a user would.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

use counterfoil_engine::model::{InvoiceDetail, Page};
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
    use counterfoil_engine::model::{
        AccountFields, Card, CreatePlan, CreatePricingRule, ListMetrics, NoInput, Paging,
        PlanState, RecordUsage, Settings, Subscribe,
    };
    use counterfoil_engine::{op, Actor, Book, Clock};
    use rust_decimal_macros::dec;
    let clock = Clock::simulated(chrono::Utc.with_ymd_and_hms(2025, 1, 5, 10, 0, 0).unwrap());
    let mut book = Book::open(path, clock.clone()).unwrap();
    let actor = Actor::new("test");
    // Charging runs in the processes compared (serve, bill, the desktop): a test book.
    book.use_test_gateway(&actor).unwrap();
    let settings = op::get_settings(&book, NoInput {}).unwrap();
    let settings = Settings {
        charging_enabled: true,
        ..settings
    };
    op::update_settings(&mut book, &actor, settings).unwrap();
    // The new book's own "API" service, as a new tenant's first service.
    let service = op::list_services(&book, Paging::default())
        .unwrap()
        .items
        .remove(0);
    let metrics = op::list_metrics(
        &book,
        ListMetrics {
            service_id: service.id,
        },
    )
    .unwrap();
    let hits = metrics[0].id;
    let plan = op::create_plan(
        &mut book,
        &actor,
        CreatePlan {
            service_id: service.id,
            system_name: None,
            name: "Pro".into(),
            setup_fee: dec!(5),
            cost_per_month: dec!(31),
            trial_period_days: 0,
            state: PlanState::Published,
            description: String::new(),
            approval_required: false,
        },
    )
    .unwrap();
    op::create_pricing_rule(
        &mut book,
        &actor,
        CreatePricingRule {
            plan_id: plan.id,
            metric_id: hits,
            min: 1,
            max: None,
            cost_per_unit: dec!(0.001),
        },
    )
    .unwrap();
    for n in 0..buyers {
        let card = if n % 7 == 0 {
            "tok_declined"
        } else {
            "tok_valid"
        };
        let account = op::create_account(
            &mut book,
            &actor,
            AccountFields {
                vat_rate: Some(dec!(20)),
                card: Some(Card {
                    last4: "4242".into(),
                    expiry_month: 12,
                    expiry_year: 2099,
                    gateway_reference: card.into(),
                }),
                ..AccountFields::named(format!("Buyer {n}"))
            },
        )
        .unwrap();
        let app = op::subscribe(
            &mut book,
            &actor,
            Subscribe {
                account_id: account.id,
                plan_id: plan.id,
                name: "App".into(),
                description: String::new(),
                user_key: None,
            },
        )
        .unwrap();
        op::record_usage(
            &mut book,
            &actor,
            RecordUsage {
                application_id: app.id,
                metric_id: hits,
                timestamp: None,
                value: 1000 + i64::try_from(n).unwrap(),
                idempotency_key: None,
            },
        )
        .unwrap();
    }
}

/// Every item of a paged list, 500 at a time: `list(page, 500)` lists one page.
pub fn every_page<T>(
    mut list: impl FnMut(u32, u32) -> counterfoil_engine::error::Result<Page<T>>,
) -> Vec<T> {
    let mut items = Vec::new();
    for page in 1.. {
        let batch = list(page, 500)
            .unwrap_or_else(|e| panic!("{}", e.message))
            .items;
        if batch.is_empty() {
            break;
        }
        items.extend(batch);
    }
    items
}

/// Every invoice with its lines and payments, as a user would compare two books.
pub fn invoices_of(path: &std::path::Path) -> Vec<InvoiceDetail> {
    use counterfoil_engine::model::{ById, ListInvoices};
    use counterfoil_engine::{op, Book, Clock};
    let book = Book::open(path, Clock::from_fn(chrono::Utc::now)).unwrap();
    let invoices = every_page(|page, per_page| {
        op::list_invoices(
            &book,
            ListInvoices {
                page,
                per_page,
                ..ListInvoices::default()
            },
        )
    });
    invoices
        .iter()
        .map(|item| op::get_invoice(&book, ById { id: item.id }).unwrap())
        .collect()
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
