//! `counterfoil demo`: the demo book as a user gets it, read back through the engine.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // fixture files only; no book's own file is opened

mod common;

use common::every_page;
use counterfoil_engine::model::{
    Account, ApplicationState, ById, Invoice, InvoiceDetail, InvoiceState, ListAccounts,
    ListApplications, ListInvoices, ListPlans, Paging,
};
use counterfoil_engine::{op, Book, Clock};
use std::path::Path;
use std::process::{Command, Output};

const DUPLICATE_ID_WARNING: &str =
    "This invoice ID is already in use and should probably be changed";

/// The day the demo's timeline was written for: built as of it, the demo is that timeline
/// exactly, so these tests can name its invoices and months.
const TEMPLATE_DAY: &str = "2026-06-15T12:00:00Z";

fn demo(book: &Path, force: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_counterfoil"));
    command
        .arg("demo")
        .args(["--as-of", TEMPLATE_DAY])
        .arg("--book")
        .arg(book);
    if force {
        command.arg("--force");
    }
    command.output().unwrap()
}

fn build(book: &Path, force: bool) -> String {
    let started = std::time::Instant::now();
    let output = demo(book, force);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "built {} in {:.2?}:\n{stdout}",
        book.display(),
        started.elapsed()
    );
    stdout
}

fn open(path: &Path) -> Book {
    let end = "2026-06-15T12:00:00Z".parse().unwrap();
    Book::open(path, Clock::simulated(end)).unwrap()
}

/// Every invoice that `filter` matches.
fn invoices(book: &Book, filter: &ListInvoices) -> Vec<Invoice> {
    every_page(|page, per_page| {
        op::list_invoices(
            book,
            ListInvoices {
                page,
                per_page,
                ..filter.clone()
            },
        )
    })
}

/// How many invoices `filter` matches.
fn invoice_count(book: &Book, filter: ListInvoices) -> i64 {
    op::list_invoices(book, filter).unwrap().total
}

fn accounts(book: &Book) -> Vec<Account> {
    every_page(|page, per_page| {
        op::list_accounts(
            book,
            ListAccounts {
                page,
                per_page,
                ..ListAccounts::default()
            },
        )
    })
}

fn detail(book: &Book, invoice: &Invoice) -> InvoiceDetail {
    op::get_invoice(book, ById { id: invoice.id }).unwrap_or_else(|e| panic!("{}", e.message))
}

/// What the UI can see of the book: accounts, invoices, and each invoice's full view.
fn snapshot(book: &Book) -> (Vec<Account>, Vec<Invoice>, Vec<InvoiceDetail>) {
    let invoices = invoices(book, &ListInvoices::default());
    let details = invoices
        .iter()
        .map(|invoice| detail(book, invoice))
        .collect();
    (accounts(book), invoices, details)
}

#[test]
fn the_demo_book_has_every_invoice_state_and_is_the_same_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("demo.book");
    let second = dir.path().join("again.book");
    let started = std::time::Instant::now();
    let summary = build(&first, false);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the demo took {:.1?}",
        started.elapsed()
    );
    for line in ["accounts:", "applications:", "usage records:", "invoices:"] {
        assert!(summary.contains(line), "summary shows {line}:\n{summary}");
    }
    // The second build replaces a file that is not a book, and a stale write-ahead log beside it.
    std::fs::write(&second, "not a book").unwrap();
    std::fs::write(dir.path().join("again.book-wal"), "stale").unwrap();
    build(&second, true);

    // Nothing but the two books is left behind: no temporary file, no -wal or -shm.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["again.book", "demo.book"]);

    // Deterministic to the byte (compared before the engine opens either file).
    let bytes = std::fs::read(&first).unwrap();
    assert!(
        bytes == std::fs::read(&second).unwrap(),
        "two demo builds gave different files"
    );

    let book = open(&first);
    let again = open(&second);
    assert_eq!(snapshot(&book), snapshot(&again));

    assert_eq!(
        op::list_services(&book, Paging::default()).unwrap().total,
        2
    );
    assert_eq!(
        op::list_plans(&book, ListPlans::default()).unwrap().total,
        4
    );
    let accounts = accounts(&book);
    assert!(
        (20..=30).contains(&accounts.len()),
        "{} accounts",
        accounts.len()
    );
    assert!(
        accounts
            .iter()
            .any(|a| a.fields.vat_rate.is_some_and(|rate| rate.is_zero())),
        "an account with VAT 0 (reverse charge)"
    );
    assert!(accounts.iter().any(|a| a.fields.vat_rate.is_none()));
    assert!(accounts.iter().any(|a| a.fields.card.is_none()));
    assert!(accounts.iter().any(|a| a
        .fields
        .card
        .as_ref()
        .is_some_and(|card| card.gateway_reference == "tok_declined")));
    assert!(accounts.iter().any(|a| !a.fields.monthly_charging_enabled));

    for state in [
        InvoiceState::Open,
        InvoiceState::Finalized,
        InvoiceState::Pending,
        InvoiceState::Paid,
        InvoiceState::Unpaid,
        InvoiceState::Failed,
        InvoiceState::Cancelled,
    ] {
        let count = invoice_count(
            &book,
            ListInvoices {
                state: Some(state),
                ..ListInvoices::default()
            },
        );
        assert!(count > 0, "no {state:?} invoice");
    }
    let credits_due = ListInvoices {
        credit_due: true,
        ..ListInvoices::default()
    };
    assert!(invoice_count(&book, credits_due) >= 1);

    let failed = ListInvoices {
        state: Some(InvoiceState::Failed),
        ..ListInvoices::default()
    };
    let failed_attempts = invoices(&book, &failed)
        .iter()
        .flat_map(|invoice| detail(&book, invoice).payment_transactions)
        .filter(|tx| !tx.success)
        .count();
    assert!(failed_attempts >= 1, "a failed payment transaction");

    let editable = ListInvoices {
        states: vec![InvoiceState::Open, InvoiceState::Finalized],
        ..ListInvoices::default()
    };
    let warned = invoices(&book, &editable).iter().any(|invoice| {
        detail(&book, invoice)
            .warnings
            .iter()
            .any(|w| w == DUPLICATE_ID_WARNING)
    });
    assert!(warned, "an editable invoice warns of its duplicate ID");

    let applications = every_page(|page, per_page| {
        op::list_applications(
            &book,
            ListApplications {
                page,
                per_page,
                ..ListApplications::default()
            },
        )
    });
    assert!(applications
        .iter()
        .any(|a| a.state == ApplicationState::Cancelled));
    let end: chrono::DateTime<chrono::Utc> = "2026-06-15T12:00:00Z".parse().unwrap();
    assert!(
        applications
            .iter()
            .any(|a| a.trial_ends_at.is_some_and(|t| t > end)),
        "an application still in its trial"
    );
}

#[test]
fn the_demo_never_overwrites_a_file_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("precious.book");
    std::fs::write(&book, "my real book").unwrap();
    let output = demo(&book, false);
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&book).unwrap(), "my real book");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["precious.book"], "nothing else was written");
}

#[test]
fn the_demo_does_not_replace_a_book_a_server_has_open() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("served.book");
    build(&book, false);
    // Replacing is a rename over the file: the served file would be another inode.
    let before = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&book).unwrap());
    let mut server = common::serve(&book, common::free_port());
    let output = demo(&book, true);
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("open in another program") && stderr.contains("left untouched"),
        "{stderr}"
    );
    assert_eq!(
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&book).unwrap()),
        before,
        "the served book was not replaced"
    );
}

/// `counterfoil invoice pdf --book BOOK ARGS…`.
fn invoice_pdf(book: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_counterfoil"))
        .args(["invoice", "pdf", "--book"])
        .arg(book)
        .args(args)
        .output()
        .unwrap()
}

/// [`invoice_pdf`] that must succeed; its standard output.
fn invoice_pdf_ok(book: &Path, args: &[&str]) -> String {
    let out = invoice_pdf(book, args);
    assert!(
        out.status.success(),
        "invoice pdf {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} is not a readable PDF",
        path.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn invoice_pdfs_one_a_month_and_the_whole_book() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.book");
    build(&path, false);
    let invoices = invoices(&open(&path), &ListInvoices::default());

    // One invoice by its friendly ID, to a chosen file.
    let issued = invoices
        .iter()
        .find(|i| i.state == InvoiceState::Paid && i.period == "2026-03")
        .unwrap();
    let friendly_id = issued.friendly_id.as_str();
    let one = dir.path().join("one.pdf");
    invoice_pdf_ok(&path, &[friendly_id, "-o", one.to_str().unwrap()]);
    let text = pdftotext(&one);
    assert!(text.contains(friendly_id), "{text}");
    assert!(text.contains(&issued.account_name), "{text}");

    // A month: one file per invoice, named by friendly ID.
    let month_dir = dir.path().join("2026-05");
    invoice_pdf_ok(
        &path,
        &["--month", "2026-05", "--out", month_dir.to_str().unwrap()],
    );
    let of_may: Vec<&Invoice> = invoices.iter().filter(|i| i.period == "2026-05").collect();
    assert!(!of_may.is_empty());
    for invoice in &of_may {
        let file = month_dir.join(format!("invoice-{}.pdf", invoice.friendly_id));
        assert!(
            std::fs::read(&file).unwrap().starts_with(b"%PDF"),
            "{}",
            file.display()
        );
    }
    assert_eq!(std::fs::read_dir(&month_dir).unwrap().count(), of_may.len());

    // The whole book: every invoice once, the hand-set duplicate ID included.
    let all_dir = dir.path().join("all");
    let said = invoice_pdf_ok(&path, &["--all", "--out", all_dir.to_str().unwrap()]);
    assert_eq!(std::fs::read_dir(&all_dir).unwrap().count(), invoices.len());
    assert!(
        said.contains(&format!("wrote {} PDF(s)", invoices.len())),
        "{said}"
    );

    // A stored PDF is handed out as stored: the same bytes again.
    let again = dir.path().join("again.pdf");
    invoice_pdf_ok(&path, &[friendly_id, "-o", again.to_str().unwrap()]);
    assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&one).unwrap());

    let out = invoice_pdf(&path, &["2099-01-99999999"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no invoice 2099-01-99999999"));
}

#[test]
fn the_demo_is_alive_up_to_the_day_it_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("today.book");
    // As a user makes it: no --as-of, so as of the start of today.
    let output = Command::new(env!("CARGO_BIN_EXE_counterfoil"))
        .arg("demo")
        .arg("--book")
        .arg(&path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let today = chrono::Utc::now().date_naive();
    let start_of_today = today.and_time(chrono::NaiveTime::MIN).and_utc();
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(
        summary.contains(&format!("to {}T00:00:00Z", today.format("%Y-%m-%d"))),
        "{summary}"
    );
    let book = Book::open(&path, Clock::simulated(start_of_today)).unwrap();

    // Usage every day of the last week, and nothing dated today or later.
    let live: Vec<_> = every_page(|page, per_page| {
        op::list_applications(
            &book,
            ListApplications {
                page,
                per_page,
                ..ListApplications::default()
            },
        )
    })
    .into_iter()
    .filter(|app| app.state == ApplicationState::Live)
    .collect();
    let usage_between = |from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>| {
        live.iter()
            .map(|app| {
                op::list_usage(
                    &book,
                    counterfoil_engine::model::ListUsage {
                        application_id: app.id,
                        metric_id: None,
                        from: Some(from),
                        to: Some(to),
                        page: 1,
                        per_page: 1,
                    },
                )
                .unwrap()
                .total
            })
            .sum::<i64>()
    };
    for days_ago in 1..=7 {
        let day = start_of_today - chrono::Duration::days(days_ago);
        let records = usage_between(day, day + chrono::Duration::days(1));
        assert!(records > 0, "no usage on {day}");
    }
    assert_eq!(
        usage_between(
            start_of_today,
            start_of_today + chrono::Duration::days(3650)
        ),
        0,
        "nothing after the day it is made for"
    );

    // Last month was billed with its usage (not fixed fees only), and this month's invoices
    // are open.
    let this_month = counterfoil_engine::model::Period::of(start_of_today);
    let last_month = this_month.previous();
    let of_last_month = invoices(
        &book,
        &ListInvoices {
            period: Some(last_month),
            ..ListInvoices::default()
        },
    );
    let usage_lines = of_last_month
        .iter()
        .flat_map(|invoice| detail(&book, invoice).line_items)
        .filter(|line| line.line_type == counterfoil_engine::model::LineItemType::VariableCost)
        .count();
    assert!(usage_lines > 10, "{last_month}: {usage_lines} usage lines");
    let open_now = invoice_count(
        &book,
        ListInvoices {
            period: Some(this_month),
            state: Some(InvoiceState::Open),
            ..ListInvoices::default()
        },
    );
    assert!(open_now > 5, "{this_month}: {open_now} open invoices");
}
