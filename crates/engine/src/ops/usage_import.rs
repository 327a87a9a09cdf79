//! Bulk usage import: every row is checked, and either all rows are recorded in one
//! transaction or none are.

use crate::book::Write;
use crate::error::{ApiError, Result};
use crate::model::*;
use crate::store;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

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
    let mut apps: HashMap<String, Option<AppFacts>> = HashMap::new();
    let mut metrics: HashMap<(Id, String), Option<Id>> = HashMap::new();
    let mut errors = Vec::new();
    let mut records = Vec::with_capacity(input.rows.len());
    for (index, row) in input.rows.iter().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        match check_row(write, row, &mut apps, &mut metrics) {
            Ok(record) => records.push(record),
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
    if let Some(first) = errors.first().filter(|_| !input.dry_run) {
        return Err(ApiError::validation(
            &format!("rows[{}].{}", first.row - 1, first.field),
            format!("Row {}: {} Nothing was imported.", first.row, first.message),
        ));
    }
    if input.dry_run || records.is_empty() {
        if !input.dry_run {
            return Err(ApiError::validation("rows", "The file has no usage rows."));
        }
        return Ok(UsageImportReport {
            imported: 0,
            errors,
        });
    }
    store::applications::insert_usage_batch(write.tx, &records)?;
    let report = UsageImportReport {
        imported: u32::try_from(records.len()).unwrap_or(u32::MAX),
        errors,
    };
    write.audit("usage_import", None, None::<&()>, Some(&report))?;
    Ok(report)
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
    let value = row
        .value
        .trim()
        .parse::<i64>()
        .ok()
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
