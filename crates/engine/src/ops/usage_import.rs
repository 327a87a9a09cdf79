//! Bulk usage import: every row is checked, and either all rows are recorded in one
//! transaction or none are.

use crate::book::{Actor, Book, Write};
use crate::error::{ApiError, Result};
use crate::model::*;
use crate::store;
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// Problems reported at most, so a wholly wrong file does not produce a million messages.
const MAX_ERRORS: usize = 100;

struct AppFacts {
    service_id: Id,
    created_at: DateTime<Utc>,
    cancelled_at: Option<DateTime<Utc>>,
}

/// Imports `rows`, or with `dry_run` only checks them. Without `dry_run`, an invalid row is a
/// validation error naming the first bad row, and nothing is recorded.
pub(crate) fn import_usage(write: &mut Write<'_>, input: ImportUsage) -> Result<UsageImportReport> {
    import_rows(write, input.rows.into_iter().map(Ok), input.dry_run)
}

/// Imports usage rows as they are read (a file of millions of rows never sits in memory), all in
/// the caller's transaction: all of them or, at the first bad row, none. A row that could not
/// be read at all is an `Err` naming it. With `dry_run` every row is checked and nothing is
/// recorded.
pub fn import_usage_rows(
    book: &mut Book,
    actor: &Actor,
    rows: impl IntoIterator<Item = Result<UsageRow>>,
    dry_run: bool,
) -> Result<UsageImportReport> {
    book.write(actor, "import_usage", |write| {
        import_rows(write, rows, dry_run)
    })
}

fn import_rows(
    write: &mut Write<'_>,
    rows: impl IntoIterator<Item = Result<UsageRow>>,
    dry_run: bool,
) -> Result<UsageImportReport> {
    let mut checker = RowChecker::default();
    let mut errors = Vec::new();
    let mut imported: u32 = 0;
    let mut duplicates = Vec::new();
    // Keys of this file, for a dry run (a real import finds them in the book as it goes).
    let mut keys_seen: HashSet<String> = HashSet::new();
    for (index, row) in rows.into_iter().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let row = row?;
        let key = row
            .idempotency_key
            .as_deref()
            .map(str::trim)
            .filter(|key| !key.is_empty());
        match checker.check(write, &row) {
            Ok(record) if !dry_run => {
                let taken = match key {
                    Some(key) => {
                        store::applications::insert_usage_once(write.tx, &record, key)?.is_some()
                    }
                    None => {
                        store::applications::insert_usage(write.tx, &record)?;
                        true
                    }
                };
                if taken {
                    imported = imported.saturating_add(1);
                } else {
                    duplicates.push(number);
                }
            }
            Ok(_) => {
                if let Some(key) = key {
                    if !keys_seen.insert(key.to_owned())
                        || store::applications::usage_key_taken(write.tx, key)?
                    {
                        duplicates.push(number);
                    }
                }
            }
            Err((field, message)) if !dry_run => {
                // The caller's transaction rolls back: nothing was imported.
                return Err(ApiError::validation(
                    &format!("rows[{}].{field}", number - 1),
                    format!("Row {number}: {message} Nothing was imported."),
                ));
            }
            Err((field, message)) => {
                if errors.len() < MAX_ERRORS {
                    errors.push(RowError {
                        row: number,
                        field: field.into(),
                        message,
                    });
                }
            }
        }
    }
    if dry_run {
        return Ok(UsageImportReport {
            imported: 0,
            errors,
            duplicates,
        });
    }
    if imported == 0 && duplicates.is_empty() {
        return Err(ApiError::validation("rows", "The file has no usage rows."));
    }
    let report = UsageImportReport {
        imported,
        errors,
        duplicates,
    };
    if imported > 0 {
        write.audit("usage_import", None, None::<&()>, Some(&report))?;
    }
    Ok(report)
}

/// A usage value as spreadsheets write a whole number: `12`, or `12.0` / `12,0` (a decimal
/// comma, as European Excel saves it) with nothing but zeros after the separator.
fn whole_number(text: &str) -> Option<i64> {
    let whole = match text.split_once(['.', ',']) {
        Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') => {
            whole
        }
        Some(_) => return None,
        None => text,
    };
    whole.parse::<i64>().ok()
}

/// What checking a row needs to know, looked up once per application and metric.
#[derive(Default)]
struct RowChecker {
    apps: HashMap<String, Option<AppFacts>>,
    metrics: HashMap<(Id, String), Option<Id>>,
}

impl RowChecker {
    fn check(&mut self, write: &Write<'_>, row: &UsageRow) -> RowResult<UsageRecord> {
        check_row(write, row, &mut self.apps, &mut self.metrics)
    }
}

type RowResult<T> = std::result::Result<T, (&'static str, String)>;

fn check_row(
    write: &Write<'_>,
    row: &UsageRow,
    apps: &mut HashMap<String, Option<AppFacts>>,
    metrics: &mut HashMap<(Id, String), Option<Id>>,
) -> RowResult<UsageRecord> {
    let application = row.application.trim();
    if !apps.contains_key(application) {
        let facts = match application.parse::<i64>() {
            Ok(id) => store::applications::get(write.tx, Id(id))
                .map_err(|e| ("application", e.to_string()))?
                .map(|app| -> RowResult<AppFacts> {
                    let plan = store::catalogue::get_plan(write.tx, app.plan_id)
                        .map_err(|e| ("application", e.to_string()))?;
                    Ok(AppFacts {
                        service_id: plan.map_or(Id(0), |p| p.service_id),
                        created_at: app.created_at,
                        cancelled_at: app.cancelled_at,
                    })
                })
                .transpose()?,
            Err(_) => None,
        };
        apps.insert(application.to_owned(), facts);
    }
    let Some(Some(app)) = apps.get(application) else {
        return Err((
            "application",
            format!("there is no application \"{application}\"."),
        ));
    };
    let metric_name = row.metric.trim().to_owned();
    let key = (app.service_id, metric_name.clone());
    if !metrics.contains_key(&key) {
        let found = store::catalogue::list_metrics(write.tx, app.service_id)
            .map_err(|e| ("metric", e.to_string()))?
            .into_iter()
            .find(|m| m.system_name == metric_name || m.id.to_string() == metric_name)
            .map(|m| m.id);
        metrics.insert(key.clone(), found);
    }
    let Some(Some(metric_id)) = metrics.get(&key) else {
        return Err((
            "metric",
            format!("the application's service has no metric \"{metric_name}\"."),
        ));
    };
    let timestamp = DateTime::parse_from_rfc3339(row.timestamp.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            (
                "timestamp",
                format!(
                    "\"{}\" is not a time such as 2025-01-31T23:00:00Z.",
                    row.timestamp.trim()
                ),
            )
        })?;
    if timestamp > write.now {
        return Err((
            "timestamp",
            "usage cannot be recorded in the future.".into(),
        ));
    }
    if timestamp < app.created_at {
        return Err((
            "timestamp",
            "usage cannot be earlier than the application's creation.".into(),
        ));
    }
    if app
        .cancelled_at
        .is_some_and(|cancelled| timestamp > cancelled)
    {
        return Err((
            "timestamp",
            "usage cannot be later than the application's cancellation.".into(),
        ));
    }
    let value = whole_number(row.value.trim())
        .filter(|v| *v >= 0)
        .ok_or_else(|| {
            (
                "value",
                format!(
                    "\"{}\" is not a whole number of 0 or more.",
                    row.value.trim()
                ),
            )
        })?;
    Ok(UsageRecord {
        id: Id(0),
        application_id: Id(application.parse().unwrap_or(0)),
        metric_id: *metric_id,
        timestamp,
        value,
    })
}
