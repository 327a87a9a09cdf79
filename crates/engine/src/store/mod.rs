//! All SQL of the engine lives below this module; operations call these functions and never
//! build SQL themselves (so the server can later move to another database behind the same API).

pub mod accounts;
pub mod applications;
pub mod audit;
pub(crate) mod billing_run;
pub mod catalogue;
pub(crate) mod dashboard;
pub mod earnings;
pub(crate) mod events;
pub mod invoices;
pub mod payments;
pub(crate) mod pdfs;
pub mod settings;
pub(crate) mod tokens;
pub(crate) mod users;

use crate::model::{Paging, Period};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// Money and percentages are stored as INTEGER units of 1/10 000.
const SCALE: u32 = 4;

/// Converts an amount of at most 4 decimals (checked by the operation) to its stored form.
pub(crate) fn to_e4(amount: Decimal) -> i64 {
    let scaled = counterfoil_billing::round4(amount) * Decimal::from(10_000);
    // Validated amounts are far below i64::MAX / 10 000, so this always fits.
    i64::try_from(scaled.trunc()).unwrap_or(i64::MAX)
}

/// A stored amount as shown: exact, with at least 2 decimals ("99.50", "0.0025").
pub(crate) fn from_e4(stored: i64) -> Decimal {
    counterfoil_billing::for_display(Decimal::new(stored, SCALE))
}

/// A stored percentage as shown: exact, without trailing zeros ("19", "7.5").
pub(crate) fn percent_from_e4(stored: i64) -> Decimal {
    Decimal::new(stored, SCALE).normalize()
}

/// A stored period (`YYYY-MM` text) read into the model's type; a malformed one is a broken
/// book, reported as a conversion failure of its column.
pub(crate) fn period_at(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Period> {
    let text: String = row.get(index)?;
    Period::parse(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, error.into())
    })
}

pub(crate) fn to_epoch(instant: DateTime<Utc>) -> i64 {
    instant.timestamp()
}

pub(crate) fn from_epoch(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// LIMIT and OFFSET for a page (per_page clamped to 1..=500).
pub(crate) fn limit_offset(paging: &Paging) -> (i64, i64) {
    let per_page = i64::from(paging.per_page.clamp(1, 500));
    let page = i64::from(paging.page.max(1));
    (per_page, (page - 1) * per_page)
}

/// A LIKE pattern matching `text` anywhere in a `search_key`, with LIKE's wildcards escaped
/// (ESCAPE '\').
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped = search_key(&[text])
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// What search matches against: the parts, Unicode-lowercased (SQLite's LIKE folds ASCII only).
pub(crate) fn search_key(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|part| part.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Runs a statement kept in the connection's statement cache: a billing run executes the same
/// few statements hundreds of thousands of times, and parsing SQL costs more than running it.
pub(crate) fn execute<P: rusqlite::Params>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

/// [`execute`] for a query of one row.
pub(crate) fn query_row<T, P, F>(
    conn: &rusqlite::Connection,
    sql: &str,
    params: P,
    row: F,
) -> rusqlite::Result<T>
where
    P: rusqlite::Params,
    F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
{
    conn.prepare_cached(sql)?.query_row(params, row)
}

/// Row counts of list queries, kept until the book changes: paging through a large list asks
/// for the same `count(*)` on every page, and counting 100 000 invoices costs more than
/// reading the page. Any commit (on this connection or another) clears them.
#[derive(Default)]
pub(crate) struct Counts(std::sync::Mutex<CountsInner>);

#[derive(Default)]
struct CountsInner {
    /// `PRAGMA data_version` (other connections' commits) and this connection's changes.
    stamp: (i64, u64),
    totals: std::collections::HashMap<String, i64>,
}

/// More distinct filters than this since the last change and the oldest are forgotten.
const MAX_COUNTS: usize = 64;

impl Counts {
    /// `SELECT count(*) …` with `values`, from the cache when the book has not changed since.
    pub(crate) fn count(
        &self,
        conn: &rusqlite::Connection,
        sql: &str,
        values: &[rusqlite::types::Value],
    ) -> rusqlite::Result<i64> {
        let stamp = (
            conn.query_row("PRAGMA data_version", [], |row| row.get(0))?,
            conn.total_changes(),
        );
        let key = format!("{sql}\u{1f}{values:?}");
        let mut inner = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if inner.stamp != stamp {
            inner.totals.clear();
            inner.stamp = stamp;
        } else if let Some(total) = inner.totals.get(&key) {
            return Ok(*total);
        }
        let total = query_row(
            conn,
            sql,
            rusqlite::params_from_iter(values.iter()),
            |row| row.get(0),
        )?;
        if inner.totals.len() >= MAX_COUNTS {
            inner.totals.clear();
        }
        inner.totals.insert(key, total);
        Ok(total)
    }
}
