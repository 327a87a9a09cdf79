//! Writes a book of N invoices (as the benches seed it, `bench_support::seed_invoice_book`)
//! for the UI's scroll benchmark (tests/browser/invoice_scroll.bench.mjs):
//!
//! ```sh
//! cargo run --release -p counterfoil-engine --features bench-support \
//!     --example seed_invoice_book -- BOOK [INVOICES]
//! ```
//!
//! The daily billing run is then brought up to now on the same book (with charging off: the
//! seeded buyers have no cards), so that `counterfoil serve` finds nothing to catch up on and
//! the list does not change while it is measured.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a seeding tool that cannot run should stop

use counterfoil_engine::model::NoInput;
use counterfoil_engine::{bench_support, op, run_billing_until, Actor, Book, Clock};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .expect("usage: seed_invoice_book BOOK [INVOICES]"),
    );
    let invoices: usize = args
        .next()
        .map_or(100_000, |n| n.parse().expect("INVOICES"));
    assert!(!path.exists(), "{} exists: give a new file", path.display());
    let started = Instant::now();
    let mut book = Book::open(&path, Clock::from_fn(chrono::Utc::now)).unwrap();
    bench_support::seed_invoice_book(&mut book, invoices).unwrap();
    let seeded = started.elapsed();
    let actor = Actor::new("bench");
    let mut settings = op::get_settings(&book, NoInput {}).unwrap();
    settings.charging_enabled = false;
    op::update_settings(&mut book, &actor, settings).unwrap();
    let now = book.now();
    run_billing_until(&mut book, &actor, now).unwrap();
    println!(
        "seeded {invoices} invoices in {:.1} s, billed up to now in {:.1} s: {}",
        seeded.as_secs_f64(),
        (started.elapsed() - seeded).as_secs_f64(),
        path.display()
    );
}
