//! Usage events, their earlier versions and the aliases accounts are known by.

use crate::model::{Event, Id, VolumeBucket};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// An event's stored fields, as written.
pub(crate) struct NewEvent<'a> {
    pub key: &'a str,
    pub account_id: i64,
    pub event_name: &'a str,
    pub timestamp: DateTime<Utc>,
    pub properties: &'a str,
}

const COLUMNS: &str = "e.idempotency_key, e.event_name, e.timestamp_ms, e.account_id,
     a.external_customer_id, e.properties, e.ingested_at_ms, e.deprecated_at_ms, e.version";

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn event_of(row: &Row<'_>) -> rusqlite::Result<Event> {
    let properties: String = row.get(5)?;
    Ok(Event {
        id: row.get(0)?,
        event_name: row.get(1)?,
        timestamp: instant(row.get(2)?),
        customer_id: Id(row.get(3)?),
        external_customer_id: row.get(4)?,
        properties: serde_json::from_str(&properties).unwrap_or_default(),
        ingested_at: instant(row.get(6)?),
        deprecated: row.get::<_, Option<i64>>(7)?.is_some(),
        version: row.get(8)?,
    })
}

/// Takes the event unless its key was ever taken; whether it was taken now.
pub(crate) fn insert_new(
    conn: &Connection,
    event: &NewEvent<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO events (id, idempotency_key, account_id, event_name, timestamp_ms,
                                 properties, ingested_at_ms)
             VALUES (sync_new_id('events'), ?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )?
        .execute(params![
            event.key,
            event.account_id,
            event.event_name,
            event.timestamp.timestamp_millis(),
            event.properties,
            now.timestamp_millis()
        ])?;
    Ok(inserted == 1)
}

pub(crate) fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<Event>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events e LEFT JOIN customer_aliases a ON a.account_id = e.account_id
         WHERE e.idempotency_key = ?1"
    ))?
    .query_row([key], event_of)
    .optional()
}

/// Keeps what the event says now as its version, then writes what it says from now on.
pub(crate) fn amend(
    conn: &Connection,
    key: &str,
    event: &NewEvent<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO event_versions (id, event_id, version, account_id, event_name,
                                     timestamp_ms, properties, replaced_at_ms)
         SELECT sync_new_id('event_versions'), id, version, account_id, event_name,
                timestamp_ms, properties, ?2
         FROM events WHERE idempotency_key = ?1",
    )?
    .execute(params![key, now.timestamp_millis()])?;
    conn.prepare_cached(
        "UPDATE events SET account_id = ?2, event_name = ?3, timestamp_ms = ?4,
             properties = ?5, version = version + 1
         WHERE idempotency_key = ?1",
    )?
    .execute(params![
        key,
        event.account_id,
        event.event_name,
        event.timestamp.timestamp_millis(),
        event.properties
    ])?;
    Ok(())
}

pub(crate) fn deprecate(conn: &Connection, key: &str, now: DateTime<Utc>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE events SET deprecated_at_ms = ?2
         WHERE idempotency_key = ?1 AND deprecated_at_ms IS NULL",
    )?
    .execute(params![key, now.timestamp_millis()])?;
    Ok(())
}

/// Events by key, in the order asked (unknown keys left out).
pub(crate) fn by_keys(conn: &Connection, keys: &[String]) -> rusqlite::Result<Vec<Event>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM json_each(?1) k
         JOIN events e ON e.idempotency_key = k.value
         LEFT JOIN customer_aliases a ON a.account_id = e.account_id
         ORDER BY k.key"
    ))?;
    let keys = serde_json::to_string(keys).unwrap_or_else(|_| "[]".into());
    let rows = statement.query_map([keys], event_of)?;
    rows.collect()
}

/// Events in `[from, to)`, of one account or all, newest first, at most `limit`.
pub(crate) fn in_timeframe(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    account: Option<i64>,
    limit: u32,
) -> rusqlite::Result<Vec<Event>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events e LEFT JOIN customer_aliases a ON a.account_id = e.account_id
         WHERE e.timestamp_ms >= ?1 AND e.timestamp_ms < ?2
           AND (?3 IS NULL OR e.account_id = ?3)
         ORDER BY e.timestamp_ms DESC, e.id DESC LIMIT ?4"
    ))?;
    let rows = statement.query_map(
        params![
            from.timestamp_millis(),
            to.timestamp_millis(),
            account,
            limit
        ],
        event_of,
    )?;
    rows.collect()
}

/// The events (not deprecated) of each hour of `[from, to)` that has any.
pub(crate) fn volume(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<VolumeBucket>> {
    const HOUR_MS: i64 = 3_600_000;
    let mut statement = conn.prepare_cached(
        "SELECT timestamp_ms / ?3 AS hour, count(*) FROM events
         WHERE timestamp_ms >= ?1 AND timestamp_ms < ?2 AND deprecated_at_ms IS NULL
         GROUP BY hour ORDER BY hour",
    )?;
    let rows = statement.query_map(
        params![from.timestamp_millis(), to.timestamp_millis(), HOUR_MS],
        |row| {
            let hour: i64 = row.get(0)?;
            let count: i64 = row.get(1)?;
            Ok(VolumeBucket {
                timeframe_start: instant(hour * HOUR_MS),
                timeframe_end: instant((hour + 1) * HOUR_MS),
                count: u64::try_from(count).unwrap_or(0),
            })
        },
    )?;
    rows.collect()
}

/// The account an alias names.
pub(crate) fn account_of_alias(conn: &Connection, alias: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT account_id FROM customer_aliases WHERE external_customer_id = ?1")?
        .query_row([alias], |row| row.get(0))
        .optional()
}

/// The alias of an account.
pub(crate) fn alias_of(conn: &Connection, account: i64) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT external_customer_id FROM customer_aliases WHERE account_id = ?1")?
        .query_row([account], |row| row.get(0))
        .optional()
}

pub(crate) fn set_alias(
    conn: &Connection,
    account: i64,
    alias: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM customer_aliases WHERE account_id = ?1")?
        .execute([account])?;
    if let Some(alias) = alias {
        conn.prepare_cached(
            "INSERT INTO customer_aliases (account_id, external_customer_id) VALUES (?1, ?2)",
        )?
        .execute(params![account, alias])?;
    }
    Ok(())
}

/// When each account's first application began (events before it are refused), for the
/// accounts that have one.
pub(crate) fn first_subscription(
    conn: &Connection,
    account: i64,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let seconds: Option<i64> = conn
        .prepare_cached("SELECT min(created_at) FROM applications WHERE account_id = ?1")?
        .query_row([account], |row| row.get(0))?;
    Ok(seconds.and_then(|s| DateTime::from_timestamp(s, 0)))
}

/// Whether an account exists (deleted ones keep their rows for their invoices).
pub(crate) fn account_exists(conn: &Connection, account: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM accounts WHERE id = ?1 AND deleted_at IS NULL")?
        .query_row([account], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// A billable metric's stored fields.
pub(crate) struct NewMetric<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub event_name: &'a str,
    pub aggregation: &'a str,
    pub property: Option<&'a str>,
    pub filters: &'a str,
}

/// A billable metric as stored: (id, name, description, event_name, aggregation, property,
/// filters, created_at).
pub(crate) type MetricRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
);

pub(crate) fn insert_metric(
    conn: &Connection,
    metric: &NewMetric<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(
        "INSERT INTO billable_metrics (id, name, description, event_name, aggregation, property,
                                       filters, created_at)
         VALUES (sync_new_id('billable_metrics'), ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        metric.name,
        metric.description,
        metric.event_name,
        metric.aggregation,
        metric.property,
        metric.filters,
        now.timestamp()
    ])?;
    Ok(conn.last_insert_rowid())
}

fn metric_of(row: &Row<'_>) -> rusqlite::Result<MetricRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
    ))
}

const METRIC_COLUMNS: &str =
    "id, name, description, event_name, aggregation, property, filters, created_at";

pub(crate) fn get_metric(conn: &Connection, id: i64) -> rusqlite::Result<Option<MetricRow>> {
    conn.prepare_cached(&format!(
        "SELECT {METRIC_COLUMNS} FROM billable_metrics WHERE id = ?1"
    ))?
    .query_row([id], metric_of)
    .optional()
}

pub(crate) fn list_metrics(conn: &Connection) -> rusqlite::Result<Vec<MetricRow>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {METRIC_COLUMNS} FROM billable_metrics ORDER BY id"
    ))?;
    let rows = statement.query_map([], metric_of)?;
    rows.collect()
}

/// The properties (JSON text) of a customer's events that count, named `event_name`, in
/// `[from, to)`, oldest first.
pub(crate) fn properties_in(
    conn: &Connection,
    account: i64,
    event_name: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<String>> {
    let mut statement = conn.prepare_cached(
        "SELECT properties FROM events
         WHERE account_id = ?1 AND event_name = ?2 AND timestamp_ms >= ?3 AND timestamp_ms < ?4
           AND deprecated_at_ms IS NULL
         ORDER BY timestamp_ms, id",
    )?;
    let rows = statement.query_map(
        params![
            account,
            event_name,
            from.timestamp_millis(),
            to.timestamp_millis()
        ],
        |row| row.get(0),
    )?;
    rows.collect()
}
