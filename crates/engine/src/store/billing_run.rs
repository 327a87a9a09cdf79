//! What the daily billing run reads and writes: its jobs, the applications' billing state,
//! usage sums, plan changes still to bill, the invoices it may add lines to, and its lines.

use super::{from_epoch, to_epoch};
use crate::model::{Application, Id};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

const DATE_FORMAT: &str = "%Y-%m-%d";

// --- jobs ------------------------------------------------------------------------------------

/// A completed job as recorded.
pub(crate) struct JobRow {
    pub date: NaiveDate,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub invoices_created: u32,
    pub invoices_touched: u32,
    pub lines_added: u32,
    pub invoices_finalized: u32,
    pub invoices_issued: u32,
    pub invoices_paid: u32,
}

/// The date of the latest completed job.
pub(crate) fn last_job_date(conn: &Connection) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> =
        super::query_row(conn, "SELECT max(date) FROM billing_jobs", [], |r| r.get(0))?;
    Ok(text.and_then(|t| NaiveDate::parse_from_str(&t, DATE_FORMAT).ok()))
}

pub(crate) fn job_done(conn: &Connection, date: NaiveDate) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM billing_jobs WHERE date = ?1)",
        [date.format(DATE_FORMAT).to_string()],
        |r| r.get(0),
    )
}

pub(crate) fn insert_job(conn: &Connection, job: &JobRow) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "INSERT INTO billing_jobs (date, started_at, finished_at, invoices_created,
            invoices_touched, lines_added, invoices_finalized, invoices_issued, invoices_paid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            job.date.format(DATE_FORMAT).to_string(),
            to_epoch(job.started_at),
            to_epoch(job.finished_at),
            job.invoices_created,
            job.invoices_touched,
            job.lines_added,
            job.invoices_finalized,
            job.invoices_issued,
            job.invoices_paid,
        ],
    )?;
    Ok(())
}

/// When the book's first application was created; `None` without applications.
/// When the first application or invoice was created: nothing is billed or charged before.
pub(crate) fn first_activity(conn: &Connection) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let seconds: Option<i64> = super::query_row(
        conn,
        "SELECT min(created_at) FROM (SELECT min(created_at) AS created_at FROM applications
                                      UNION ALL SELECT min(created_at) FROM invoices)",
        [],
        |r| r.get(0),
    )?;
    Ok(seconds.map(from_epoch))
}

// --- accounts and applications ---------------------------------------------------------------

/// Buyers with monthly billing enabled, oldest first.
pub(crate) fn billed_accounts(conn: &Connection) -> rusqlite::Result<Vec<Id>> {
    let mut statement = conn
        .prepare_cached("SELECT id FROM accounts WHERE monthly_billing_enabled = 1 ORDER BY id")?;
    let ids = statement.query_map([], |r| Ok(Id(r.get(0)?)))?.collect();
    ids
}

/// A buyer's applications created by `created_by` and not cancelled before `live_since`.
pub(crate) fn billed_applications(
    conn: &Connection,
    account_id: Id,
    created_by: DateTime<Utc>,
    live_since: DateTime<Utc>,
) -> rusqlite::Result<Vec<Application>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {} FROM applications
         WHERE account_id = ?1 AND created_at <= ?2 AND (cancelled_at IS NULL OR cancelled_at >= ?3)
         ORDER BY id",
        super::applications::COLUMNS
    ))?;
    let apps = statement
        .query_map(
            params![account_id.0, to_epoch(created_by), to_epoch(live_since)],
            super::applications::from_row,
        )?
        .collect();
    apps
}

pub(crate) fn set_fixed_fee_billed(
    conn: &Connection,
    application_id: Id,
    paid_until: DateTime<Utc>,
    setup_fee_billed: bool,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE applications SET paid_until = ?2, setup_fee_billed = ?3 WHERE id = ?1",
        params![application_id.0, to_epoch(paid_until), setup_fee_billed],
    )?;
    Ok(())
}

pub(crate) fn set_usage_billed_until(
    conn: &Connection,
    application_id: Id,
    until: DateTime<Utc>,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE applications SET usage_billed_until = ?2 WHERE id = ?1",
        params![application_id.0, to_epoch(until)],
    )?;
    Ok(())
}

/// One entry of an application's plan history, with what the billing run needs.
#[derive(Debug, Clone)]
pub(crate) struct PlanHistoryEntry {
    pub id: i64,
    /// `None` for the signup.
    pub from_plan_id: Option<Id>,
    pub to_plan_id: Id,
    pub changed_at: DateTime<Utc>,
    /// Whether a billing job has handled this change.
    pub billed: bool,
}

/// The plan history of each of a buyer's applications, oldest first (the signup first).
pub(crate) fn plan_histories(
    conn: &Connection,
    account_id: Id,
) -> rusqlite::Result<HashMap<Id, Vec<PlanHistoryEntry>>> {
    let mut statement = conn.prepare_cached(
        "SELECT c.application_id, c.id, c.from_plan_id, c.to_plan_id, c.changed_at,
                c.billed_on IS NOT NULL
         FROM applications a JOIN plan_changes c ON c.application_id = a.id
         WHERE a.account_id = ?1
         ORDER BY c.application_id, c.changed_at, c.id",
    )?;
    let mut histories: HashMap<Id, Vec<PlanHistoryEntry>> = HashMap::new();
    let rows = statement.query_map([account_id.0], |row| {
        Ok((
            Id(row.get(0)?),
            PlanHistoryEntry {
                id: row.get(1)?,
                from_plan_id: row.get::<_, Option<i64>>(2)?.map(Id),
                to_plan_id: Id(row.get(3)?),
                changed_at: from_epoch(row.get(4)?),
                billed: row.get(5)?,
            },
        ))
    })?;
    for row in rows {
        let (application_id, entry) = row?;
        histories.entry(application_id).or_default().push(entry);
    }
    Ok(histories)
}

pub(crate) fn mark_plan_change_billed(
    conn: &Connection,
    plan_change_id: i64,
    job_date: NaiveDate,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE plan_changes SET billed_on = ?2 WHERE id = ?1",
        params![plan_change_id, job_date.format(DATE_FORMAT).to_string()],
    )?;
    Ok(())
}

/// An application's usage of one metric recorded in [from, to] (both inclusive), as reported
/// (a method's usage is under the method; adding it to `hits` is the caller's rule). One range
/// of the covering (application, metric, time, value) index.
pub(crate) fn metric_usage(
    conn: &Connection,
    application_id: Id,
    metric_id: Id,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    super::query_row(
        conn,
        "SELECT coalesce(sum(value), 0) FROM usage_records
         WHERE application_id = ?1 AND metric_id = ?2 AND recorded_at BETWEEN ?3 AND ?4",
        params![application_id.0, metric_id.0, to_epoch(from), to_epoch(to)],
        |row| row.get(0),
    )
}

// --- invoices --------------------------------------------------------------------------------

/// The newest open background invoice of a buyer and period: where automatic lines go.
pub(crate) fn newest_open_background_invoice(
    conn: &Connection,
    account_id: Id,
    period: &str,
) -> rusqlite::Result<Option<Id>> {
    super::query_row(
        conn,
        "SELECT id FROM invoices
         WHERE account_id = ?1 AND period = ?2 AND state = 'open' AND creation_type = 'background'
         ORDER BY id DESC LIMIT 1",
        params![account_id.0, period],
        |r| Ok(Id(r.get(0)?)),
    )
    .optional()
}

/// A buyer's open background invoices, of periods before `before_period` (YYYY-MM) when given,
/// oldest period first. (Ordered by period so that SQLite walks the (account, state, period)
/// index; ordered by id alone it would rather walk every open invoice of the book.)
pub(crate) fn open_background_invoices(
    conn: &Connection,
    account_id: Id,
    before_period: Option<&str>,
) -> rusqlite::Result<Vec<Id>> {
    let open = "SELECT id FROM invoices
         WHERE account_id = ?1 AND state = 'open' AND creation_type = 'background'";
    let order = "ORDER BY period, id";
    let ids = match before_period {
        Some(before) => conn
            .prepare_cached(&format!("{open} AND period < ?2 {order}"))?
            .query_map(params![account_id.0, before], |r| Ok(Id(r.get(0)?)))?
            .collect(),
        None => conn
            .prepare_cached(&format!("{open} {order}"))?
            .query_map(params![account_id.0], |r| Ok(Id(r.get(0)?)))?
            .collect(),
    };
    ids
}

/// A buyer's background invoices finalized at or before `finalized_by`, not yet issued.
pub(crate) fn background_invoices_finalized_by(
    conn: &Connection,
    account_id: Id,
    finalized_by: DateTime<Utc>,
) -> rusqlite::Result<Vec<Id>> {
    let mut statement = conn.prepare_cached(
        "SELECT id FROM invoices
         WHERE account_id = ?1 AND state = 'finalized' AND creation_type = 'background'
           AND finalized_at <= ?2
         ORDER BY period, id",
    )?;
    let ids = statement
        .query_map(params![account_id.0, to_epoch(finalized_by)], |r| {
            Ok(Id(r.get(0)?))
        })?
        .collect();
    ids
}

/// The last completed job, when its charging (step 7) has not completed.
pub(crate) fn job_awaiting_charges(conn: &Connection) -> rusqlite::Result<Option<NaiveDate>> {
    let last: Option<(String, bool)> = super::query_row(
        conn,
        "SELECT date, charged FROM billing_jobs ORDER BY date DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?;
    Ok(last
        .filter(|(_, charged)| !charged)
        .and_then(|(date, _)| NaiveDate::parse_from_str(&date, "%Y-%m-%d").ok()))
}

pub(crate) fn mark_charged(conn: &Connection, date: NaiveDate) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE billing_jobs SET charged = 1 WHERE date = ?1",
        [date.format("%Y-%m-%d").to_string()],
    )?;
    Ok(())
}
