//! Opening files that are not Counterfoil books: refused with a clear error, byte-for-byte
//! untouched.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
#![allow(clippy::disallowed_methods)] // reads books byte for byte only after closing them

mod common;

use chrono::{TimeZone, Utc};
use common::{account_fields, account_list};
use counterfoil_engine::{op, Book, Clock, OpenError};
use std::path::Path;

fn clock() -> Clock {
    Clock::simulated(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap())
}

fn assert_refused_untouched(path: &Path, expect: fn(&OpenError) -> bool) {
    let before = std::fs::read(path).unwrap();
    let error = Book::open(path, clock()).unwrap_err();
    assert!(expect(&error), "unexpected error: {error}");
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "names the file: {error}"
    );
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "{} was changed",
        path.display()
    );
}

#[test]
fn a_text_file_is_not_a_book() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "Dear diary, today I invoiced nobody.\n".repeat(10)).unwrap();
    assert_refused_untouched(&path, |e| matches!(e, OpenError::NotABook { .. }));
}

#[test]
fn another_programs_sqlite_database_is_not_a_book() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE photos (id INTEGER PRIMARY KEY); INSERT INTO photos VALUES (1);",
    )
    .unwrap();
    drop(conn);
    assert_refused_untouched(&path, |e| matches!(e, OpenError::NotABook { .. }));
}

#[test]
fn a_book_from_a_newer_counterfoil_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.book");
    drop(Book::open(&path, clock()).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    conn.pragma_update(None, "journal_mode", "delete").unwrap();
    drop(conn);
    assert_refused_untouched(&path, |e| {
        matches!(e, OpenError::NewerSchema { found: 999, .. })
    });
}

#[test]
fn a_book_reopens_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kept.book");
    let mut book = Book::open(&path, clock()).unwrap();
    let actor = counterfoil_engine::Actor::new("test");
    op::create_account(&mut book, &actor, account_fields("Kept")).unwrap();
    drop(book);
    let book = Book::open(&path, clock()).unwrap();
    let page = op::list_accounts(&book, account_list()).unwrap();
    assert_eq!(page.items[0].fields.org_name, "Kept");
}

#[test]
fn an_empty_file_becomes_a_new_book() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.book");
    std::fs::write(&path, b"").unwrap();
    drop(Book::open(&path, clock()).unwrap());
    assert!(std::fs::read(&path)
        .unwrap()
        .starts_with(b"SQLite format 3\0"));
}
