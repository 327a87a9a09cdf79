//! Applications (subscriptions), their plan history, and usage records.

use super::{from_epoch, limit_offset, to_epoch};
use crate::model::{
    Application, ApplicationState, Id, ListApplications, ListUsage, Page, PlanChange, UsageRecord,
};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

pub(crate) const COLUMNS: &str =
    "id, account_id, plan_id, name, state, created_at, trial_ends_at, \
                       paid_until, usage_billed_until, setup_fee_billed, cancelled_at, \
                       description, suspended, user_key";

pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Application> {
    let instant = |index| row.get::<_, Option<i64>>(index).map(|v| v.map(from_epoch));
    Ok(Application {
        id: Id(row.get(0)?),
        account_id: Id(row.get(1)?),
        plan_id: Id(row.get(2)?),
        name: row.get(3)?,
        state: state_from(&row.get::<_, String>(4)?),
        created_at: from_epoch(row.get(5)?),
        trial_ends_at: instant(6)?,
        paid_until: instant(7)?,
        usage_billed_until: instant(8)?,
        setup_fee_billed: row.get(9)?,
        cancelled_at: instant(10)?,
        description: row.get(11)?,
        suspended: row.get(12)?,
        user_key: row.get(13)?,
    })
}

fn state_from(text: &str) -> ApplicationState {
    if text == "cancelled" {
        ApplicationState::Cancelled
    } else {
        ApplicationState::Live
    }
}

fn state_sql(state: ApplicationState) -> &'static str {
    match state {
        ApplicationState::Live => "live",
        ApplicationState::Cancelled => "cancelled",
    }
}

pub(crate) fn list(
    conn: &Connection,
    filter: &ListApplications,
) -> rusqlite::Result<Page<Application>> {
    let (limit, offset) = limit_offset(&filter.paging());
    let account = filter.account_id.map(|id| id.0);
    let plan = filter.plan_id.map(|id| id.0);
    let state = filter.state.map(state_sql);
    let filter_sql = "FROM applications WHERE (?1 IS NULL OR account_id = ?1)
        AND (?2 IS NULL OR plan_id = ?2) AND (?3 IS NULL OR state = ?3)";
    let total = super::query_row(
        conn,
        &format!("SELECT count(*) {filter_sql}"),
        params![account, plan, state],
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} {filter_sql} ORDER BY id LIMIT ?4 OFFSET ?5"
    ))?;
    let items = statement
        .query_map(params![account, plan, state, limit, offset], from_row)?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page: filter.paging().page.max(1),
        per_page: limit as u32,
        total,
    })
}

pub(crate) fn get(conn: &Connection, id: Id) -> rusqlite::Result<Option<Application>> {
    super::query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM applications WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()
}

pub(crate) fn insert(conn: &Connection, app: &Application) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO applications (id, account_id, plan_id, name, state, created_at, trial_ends_at,
            description, suspended, user_key)
         VALUES (sync_new_id('applications'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            app.account_id.0,
            app.plan_id.0,
            app.name,
            state_sql(app.state),
            to_epoch(app.created_at),
            app.trial_ends_at.map(to_epoch),
            app.description,
            app.suspended,
            app.user_key,
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn set_plan(conn: &Connection, id: Id, plan_id: Id) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE applications SET plan_id = ?2 WHERE id = ?1",
        params![id.0, plan_id.0],
    )?;
    Ok(())
}

/// Writes an application's name, description and user key.
pub(crate) fn set_details(conn: &Connection, app: &Application) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE applications SET name = ?2, description = ?3, user_key = ?4 WHERE id = ?1",
        params![app.id.0, app.name, app.description, app.user_key],
    )?;
    Ok(())
}

pub(crate) fn set_suspended(conn: &Connection, id: Id, suspended: bool) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE applications SET suspended = ?2 WHERE id = ?1",
        params![id.0, suspended],
    )?;
    Ok(())
}

/// Whether another application of the service (any of its plans) has this user key.
pub(crate) fn user_key_taken(
    conn: &Connection,
    service_id: Id,
    user_key: &str,
    except: Option<Id>,
) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM applications a JOIN plans p ON p.id = a.plan_id
            WHERE p.service_id = ?1 AND a.user_key = ?2 AND (?3 IS NULL OR a.id <> ?3))",
        params![service_id.0, user_key, except.map(|id| id.0)],
        |row| row.get(0),
    )
}

pub(crate) fn cancel(conn: &Connection, id: Id, at: DateTime<Utc>) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE applications SET state = 'cancelled', cancelled_at = ?2 WHERE id = ?1",
        params![id.0, to_epoch(at)],
    )?;
    Ok(())
}

pub(crate) fn insert_plan_change(
    conn: &Connection,
    application_id: Id,
    change: &PlanChange,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "INSERT INTO plan_changes (id, application_id, from_plan_id, to_plan_id, changed_at)
         VALUES (sync_new_id('plan_changes'), ?1, ?2, ?3, ?4)",
        params![
            application_id.0,
            change.from_plan_id.map(|id| id.0),
            change.to_plan_id.0,
            to_epoch(change.changed_at)
        ],
    )?;
    Ok(())
}

pub(crate) fn plan_history(
    conn: &Connection,
    application_id: Id,
) -> rusqlite::Result<Vec<PlanChange>> {
    let mut statement = conn.prepare_cached(
        "SELECT from_plan_id, to_plan_id, changed_at FROM plan_changes
         WHERE application_id = ?1 ORDER BY changed_at, id",
    )?;
    let history = statement
        .query_map([application_id.0], |row| {
            Ok(PlanChange {
                from_plan_id: row.get::<_, Option<i64>>(0)?.map(Id),
                to_plan_id: Id(row.get(1)?),
                changed_at: from_epoch(row.get(2)?),
            })
        })?
        .collect();
    history
}

// --- usage -----------------------------------------------------------------------------------

fn usage_from_row(row: &Row<'_>) -> rusqlite::Result<UsageRecord> {
    Ok(UsageRecord {
        id: Id(row.get(0)?),
        application_id: Id(row.get(1)?),
        metric_id: Id(row.get(2)?),
        timestamp: from_epoch(row.get(3)?),
        value: row.get(4)?,
    })
}

pub(crate) fn insert_usage(conn: &Connection, usage: &UsageRecord) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO usage_records (id, application_id, metric_id, recorded_at, value)
         VALUES (sync_new_id('usage_records'), ?1, ?2, ?3, ?4)",
        params![
            usage.application_id.0,
            usage.metric_id.0,
            to_epoch(usage.timestamp),
            usage.value
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

/// [`insert_usage`] for a record carrying an idempotency key: `None` when the key was taken
/// before (nothing is written).
pub(crate) fn insert_usage_once(
    conn: &Connection,
    usage: &UsageRecord,
    key: &str,
) -> rusqlite::Result<Option<Id>> {
    let inserted = super::execute(
        conn,
        "INSERT INTO usage_records (id, application_id, metric_id, recorded_at, value,
                                    idempotency_key)
         VALUES (sync_new_id('usage_records'), ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
        params![
            usage.application_id.0,
            usage.metric_id.0,
            to_epoch(usage.timestamp),
            usage.value,
            key
        ],
    )?;
    Ok((inserted == 1).then(|| Id(conn.last_insert_rowid())))
}

/// Whether a usage record carries this idempotency key.
pub(crate) fn usage_key_taken(conn: &Connection, key: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM usage_records WHERE idempotency_key = ?1")?
        .query_row([key], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// The record that carries this idempotency key.
pub(crate) fn usage_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<UsageRecord>> {
    conn.prepare_cached(
        "SELECT id, application_id, metric_id, recorded_at, value FROM usage_records
         WHERE idempotency_key = ?1",
    )?
    .query_row([key], |row| {
        Ok(UsageRecord {
            id: Id(row.get(0)?),
            application_id: Id(row.get(1)?),
            metric_id: Id(row.get(2)?),
            timestamp: DateTime::from_timestamp(row.get(3)?, 0).unwrap_or_default(),
            value: row.get(4)?,
        })
    })
    .optional()
}

pub(crate) fn list_usage(
    conn: &Connection,
    filter: &ListUsage,
) -> rusqlite::Result<Page<UsageRecord>> {
    let (limit, offset) = limit_offset(&filter.paging());
    let metric = filter.metric_id.map(|id| id.0);
    let from = filter.from.map(to_epoch);
    let to = filter.to.map(to_epoch);
    let filter_sql = "FROM usage_records WHERE application_id = ?1
        AND (?2 IS NULL OR metric_id = ?2) AND (?3 IS NULL OR recorded_at >= ?3)
        AND (?4 IS NULL OR recorded_at < ?4)";
    let total = super::query_row(
        conn,
        &format!("SELECT count(*) {filter_sql}"),
        params![filter.application_id.0, metric, from, to],
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, application_id, metric_id, recorded_at, value {filter_sql}
         ORDER BY recorded_at, id LIMIT ?5 OFFSET ?6"
    ))?;
    let items = statement
        .query_map(
            params![filter.application_id.0, metric, from, to, limit, offset],
            usage_from_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page: filter.paging().page.max(1),
        per_page: limit as u32,
        total,
    })
}
