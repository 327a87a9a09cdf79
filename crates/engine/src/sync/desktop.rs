//! A desktop's side of sync: its changes applied to its copy at once and kept in an outbox,
//! rounds with the server (push the outbox, pull what changed, put the server's rows in place
//! of its own effects, apply again what is still waiting), the changes the server refused,
//! and linking a book to a server (docs/sync.md).

use super::protocol::{
    Base, Entry, EntryResult, Outcome, PullPage, PullRequest, PushAnswer, PushRequest, Rows,
    PROTOCOL,
};
use super::session::{Capture, Changes, Session};
use super::tables::{KEYED, WHOLE};
use super::{server::rewrite_ids, Role};
use crate::book::{Actor, Book};
use crate::clock::Clock;
use crate::error::{ApiError, Result};
use crate::operations::{dispatch_unsynced, operation_sync_class, SyncClass};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// How many entries one push carries.
pub const PUSH_BATCH: usize = 500;

/// About the most bytes of inputs one push carries (an entry larger than this goes alone):
/// well under the server's limit on a push's body.
pub const PUSH_BYTES: usize = 4 << 20;

/// The outbox in runs of at most [`PUSH_BATCH`] entries and about [`PUSH_BYTES`] of input.
fn push_batches(entries: &[Entry]) -> Vec<&[Entry]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, entry) in entries.iter().enumerate() {
        let size = entry.input.to_string().len();
        let full = index - start >= PUSH_BATCH || (index > start && bytes + size > PUSH_BYTES);
        if full {
            batches.push(&entries[start..index]);
            (start, bytes) = (index, 0);
        }
        bytes += size;
    }
    if start < entries.len() {
        batches.push(&entries[start..]);
    }
    batches
}

/// The marker row of `sync_dirty` for "a table replicated whole changed here".
const WHOLE_MARK: &str = "*whole";

/// How a desktop reaches its server (HTTP in the shells; in-process in tests).
pub trait Transport {
    fn push(&mut self, request: &PushRequest) -> std::result::Result<PushAnswer, TransportError>;
    fn pull(&mut self, request: &PullRequest) -> std::result::Result<PullPage, TransportError>;
}

/// Why a round could not talk to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer (refused, timed out, cut): the changes wait for the next round.
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    /// The server answered no (the token, the version): the person must act.
    #[error("the server refused: {0}")]
    Refused(String),
}

/// Why a round stopped.
#[derive(Debug, thiserror::Error)]
pub enum RoundError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Book(#[from] ApiError),
}

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    /// Entries sent (some perhaps answered before).
    pub pushed: usize,
    /// Of those, the server applied and refused.
    pub applied: usize,
    pub refused: usize,
    /// Rows the pull brought.
    pub rows: usize,
    /// Entries still waiting (made during the round).
    pub waiting: usize,
}

/// A change the server did not apply, with its reason, until the person dismisses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct RefusedChange {
    pub op_id: String,
    /// Its operation's name in the list (e.g. `add_line_item`).
    pub operation: String,
    #[ts(type = "unknown")]
    pub input: Value,
    pub actor: String,
    #[ts(type = "string")]
    pub performed_at: DateTime<Utc>,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    #[ts(type = "string")]
    pub refused_at: DateTime<Utc>,
}

/// Where a book stands with sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct SyncStatus {
    #[ts(type = "\"standalone\" | \"server\" | \"linked\"")]
    pub role: Role,
    pub server_url: Option<String>,
    pub device_id: Option<String>,
    /// The server's feed position this copy holds.
    #[ts(type = "number")]
    pub cursor: i64,
    #[ts(type = "string | null")]
    pub last_synced_at: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub offline_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Changes made here that the server has not answered yet.
    #[ts(type = "number")]
    pub waiting: i64,
    pub refused: Vec<RefusedChange>,
}

/// Where a linked book's server is and who this desktop is to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSettings {
    pub server_url: String,
    /// The SHA-256 fingerprint of the server's certificate, pinned (TLS).
    pub fingerprint: Option<String>,
    pub token: String,
    pub device_id: String,
}

fn internal(error: impl std::error::Error) -> ApiError {
    ApiError::internal(&error)
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(internal)
}

fn instant(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

/// Runs operation `name` on a linked book: a change is applied to this copy and queued for
/// the server; one only the server may make is refused, saying so; a read reads this copy.
pub(crate) fn perform(book: &mut Book, actor: &Actor, name: &str, input: Value) -> Result<Value> {
    match operation_sync_class(name) {
        None | Some(SyncClass::LocalOnly) => dispatch_unsynced(book, actor, name, input),
        Some(SyncClass::ServerOnly) => Err(ApiError::invalid_state(format!(
            "Only the server can do this (\"{name}\"): this book is a linked copy. Do it while \
             connected to the server, or on the server itself."
        ))),
        Some(SyncClass::Queued) => {
            resume(book)?;
            let input = with_now_filled_in(name, input, book.now());
            book.sync.capture = Some(Capture {
                operation: name.to_owned(),
                input: input.clone(),
                actor: actor.0.clone(),
                again: None,
            });
            let ran = dispatch_unsynced(book, actor, name, input);
            book.sync.capture = None;
            ran
        }
    }
}

/// The input with the instants an operation would take from the clock written in, so the
/// server applies what happened here when it happened (a usage record's timestamp).
fn with_now_filled_in(name: &str, mut input: Value, now: DateTime<Utc>) -> Value {
    let (field, value) = match name {
        "record_usage" => (
            "timestamp",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        // A manual invoice's month is the month it was made in.
        "create_invoice" => ("period", now.format("%Y-%m").to_string()),
        _ => return input,
    };
    if let Some(object) = input.as_object_mut() {
        let missing = object
            .get(field)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""));
        if missing {
            object.insert(field.into(), Value::String(value));
        }
    }
    input
}

/// Records a person's change on a linked book, in its transaction: the rows it changed (the
/// next pull replaces them with the server's) and its outbox entry (or, when an entry is
/// applied again after a pull, that it was).
pub(crate) fn record_entry(
    tx: &Connection,
    session: &Session,
    capture: &Capture,
    changes: &Changes,
    now: DateTime<Utc>,
) -> Result<()> {
    for (table, ids) in changes.keyed() {
        for id in ids.into_iter().filter(|id| *id > 0) {
            crate::store::execute(
                tx,
                "INSERT OR IGNORE INTO sync_dirty (tbl, id) VALUES (?1, ?2)",
                params![table, id],
            )?;
        }
    }
    if changes.any_whole() {
        crate::store::execute(
            tx,
            "INSERT OR IGNORE INTO sync_dirty (tbl, id) VALUES (?1, 0)",
            [WHOLE_MARK],
        )?;
    }
    if let Some(next) = session.next_provisional() {
        crate::store::execute(
            tx,
            "UPDATE sync_state SET next_provisional = ?1 WHERE id = 1",
            [next],
        )?;
    }
    if let Some(seq) = capture.again {
        // Claimed here, in the change's own transaction: another connection to the book (the
        // desktop's window and its sync task) that applied it again first wins, and this
        // second application is rolled back.
        let claimed = tx.execute(
            "UPDATE sync_outbox SET replayed = 1 WHERE seq = ?1 AND replayed = 0",
            [seq],
        )?;
        if claimed == 0 {
            return Err(ApiError::conflict(
                "This change was already applied again by another window of this book.",
            ));
        }
        return Ok(());
    }
    let provisional: BTreeMap<&str, Vec<i64>> = changes
        .inserted()
        .into_iter()
        .map(|(table, ids)| {
            (
                table,
                ids.into_iter().filter(|id| *id < 0).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, ids)| !ids.is_empty())
        .collect();
    let base = base_of(tx, &capture.input, changes)?;
    let (first_seq, device): (i64, Option<String>) = tx.query_row(
        "SELECT next_seq, device_id FROM sync_state WHERE id = 1",
        [],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let device = device.unwrap_or_default();
    let parts = split_for_outbox(&capture.operation, &capture.input, &provisional);
    let mut seq = first_seq;
    for (input, provisional) in parts {
        crate::store::execute(
            tx,
            "INSERT INTO sync_outbox (seq, op_id, operation, input, actor, performed_at,
                                      provisional, base, replayed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
            params![
                seq,
                format!("{device}-{seq}"),
                capture.operation,
                input.to_string(),
                capture.actor,
                now.timestamp(),
                serde_json::to_string(&provisional)?,
                // Only a change of fields has a base, and such a change is never split.
                serde_json::to_string(if seq == first_seq { &base[..] } else { &[] })?,
            ],
        )?;
        seq += 1;
    }
    crate::store::execute(
        tx,
        "UPDATE sync_state SET next_seq = ?1 WHERE id = 1",
        [seq],
    )?;
    Ok(())
}

/// What of an applied entry the server did not take, as a change of its own to redo.
struct PartRefused {
    input: Value,
    message: String,
    field: &'static str,
}

/// The events of an ingest the server refused (it answers each with its reasons); `None`
/// when it took them all, or for any other operation.
fn partly_refused(entry: &Entry, result: &EntryResult) -> Option<PartRefused> {
    let EntryResult::Applied { output } = result else {
        return None;
    };
    if !super::server::answer_tells_what_was_not_taken(&entry.operation) {
        return None;
    }
    let refused = output.get("refused")?.as_array()?;
    if refused.is_empty() {
        return None;
    }
    let sent = entry.input.get("events")?.as_array()?;
    let events: Vec<Value> = refused
        .iter()
        .filter_map(|r| {
            sent.get(usize::try_from(r.get("index")?.as_u64()?).ok()?)
                .cloned()
        })
        .collect();
    let reasons: Vec<String> = refused
        .iter()
        .map(|r| {
            let key = r["idempotency_key"].as_str().unwrap_or_default();
            let why: Vec<&str> = r["validation_errors"]
                .as_array()
                .map(|errors| errors.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            format!("“{key}”: {}", why.join("; "))
        })
        .collect();
    Some(PartRefused {
        input: serde_json::json!({ "events": events }),
        message: format!(
            "The server did not take {} of the {} events: {}",
            refused.len(),
            sent.len(),
            reasons.join(" ")
        ),
        field: "events",
    })
}

/// Operations whose input is a list of rows each applied on its own, one row of `table` per
/// input row in order: a large one is sent as several outbox entries of at most
/// [`ROWS_PER_ENTRY`] rows (docs/sync.md "Large changes"), so that no request to the server
/// grows with the size of a file.
const SPLIT_BY_ROWS: &[(&str, &str, &str)] = &[("import_usage", "rows", "usage_records")];

/// The most input rows one outbox entry carries.
pub const ROWS_PER_ENTRY: usize = 2_000;

/// A change as the outbox entries that carry it: itself, or for an operation of
/// [`SPLIT_BY_ROWS`] with more rows than one entry carries, one entry per run of rows, each
/// with the provisional ids of its own rows (the rows of other tables, e.g. its audit row,
/// with the first).
fn split_for_outbox(
    operation: &str,
    input: &Value,
    provisional: &BTreeMap<&str, Vec<i64>>,
) -> Vec<(Value, BTreeMap<String, Vec<i64>>)> {
    let owned = |ids: &BTreeMap<&str, Vec<i64>>| -> BTreeMap<String, Vec<i64>> {
        ids.iter()
            .map(|(table, ids)| ((*table).to_owned(), ids.clone()))
            .collect()
    };
    let whole = || vec![(input.clone(), owned(provisional))];
    let Some((_, key, table)) = SPLIT_BY_ROWS.iter().find(|(name, _, _)| *name == operation) else {
        return whole();
    };
    let Some(rows) = input.get(*key).and_then(Value::as_array) else {
        return whole();
    };
    let made = provisional.get(*table).cloned().unwrap_or_default();
    if rows.len() <= ROWS_PER_ENTRY || made.len() != rows.len() {
        // Small, or not one row per input row (a dry run): one entry, as it was made.
        return whole();
    }
    // The input without its rows, copied once per entry (the rows are not).
    let shell: Map<String, Value> = input
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter(|(name, _)| name.as_str() != *key)
                .map(|(name, value)| (name.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default();
    rows.chunks(ROWS_PER_ENTRY)
        .zip(made.chunks(ROWS_PER_ENTRY))
        .enumerate()
        .map(|(index, (part, ids))| {
            let mut input = shell.clone();
            input.insert((*key).to_owned(), Value::Array(part.to_vec()));
            let input = Value::Object(input);
            let mut own = if index == 0 {
                owned(provisional)
            } else {
                BTreeMap::new()
            };
            own.insert((*table).to_owned(), ids.to_vec());
            (input, own)
        })
        .collect()
}

/// What the person saw of the fields the change changes: for each record the change's audit
/// rows show changed, the fields named in the input whose value it changed, as they were.
fn base_of(tx: &Connection, input: &Value, changes: &Changes) -> Result<Vec<Base>> {
    let Some(named) = input.as_object() else {
        return Ok(Vec::new());
    };
    let audit = changes.inserted().remove("audit_log").unwrap_or_default();
    let mut statement = tx.prepare_cached(
        "SELECT entity, entity_id, before, after FROM audit_log
         WHERE id IN (SELECT value FROM json_each(?1)) AND before IS NOT NULL AND after IS NOT NULL
         ORDER BY id",
    )?;
    let rows = statement
        .query_map([serde_json::to_string(&audit)?], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut base = Vec::new();
    for (entity, id, before, after) in rows {
        let before: Value = parse_json(&before)?;
        let after: Value = parse_json(&after)?;
        let fields: Map<String, Value> = named
            .keys()
            .filter(|key| *key != "id")
            .filter_map(|key| {
                let was = before.get(key)?;
                (after.get(key) != Some(was)).then(|| (key.clone(), was.clone()))
            })
            .collect();
        if !fields.is_empty() {
            base.push(Base { entity, id, fields });
        }
    }
    Ok(base)
}

fn replay_needed(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT replay_needed FROM sync_state WHERE id = 1",
        [],
        |row| row.get::<_, bool>(0),
    )?)
}

/// Applies again, in order, the entries still waiting after a pull put the server's rows in
/// place (each in its own transaction, marked as done in it, so a crash resumes where it
/// stopped). One that no longer applies here stays queued: the server will answer it.
pub fn resume(book: &mut Book) -> Result<()> {
    if book.sync_role() != Role::Linked || !replay_needed(book.reader())? {
        return Ok(());
    }
    let waiting: Vec<(i64, String, String, String)> = {
        let mut statement = book.reader().prepare(
            "SELECT seq, operation, input, actor FROM sync_outbox WHERE replayed = 0 ORDER BY seq",
        )?;
        let rows = statement
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows
    };
    for (seq, operation, input, actor) in waiting {
        let input: Value = parse_json(&input)?;
        book.sync.capture = Some(Capture {
            operation: operation.clone(),
            input: input.clone(),
            actor: actor.clone(),
            again: Some(seq),
        });
        let ran = dispatch_unsynced(book, &Actor::new(actor), &operation, input);
        book.sync.capture = None;
        if ran.is_err() {
            book.sync_bookkeeping(|tx| {
                crate::store::execute(
                    tx,
                    "UPDATE sync_outbox SET replayed = 1 WHERE seq = ?1",
                    [seq],
                )?;
                Ok(())
            })?;
        }
    }
    book.sync_bookkeeping(|tx| {
        crate::store::execute(
            tx,
            "UPDATE sync_state SET replay_needed = 0 WHERE id = 1",
            [],
        )?;
        Ok(())
    })
}

fn outbox(conn: &Connection) -> Result<Vec<Entry>> {
    let mut statement = conn.prepare(
        "SELECT seq, op_id, operation, input, actor, performed_at, provisional, base
         FROM sync_outbox ORDER BY seq",
    )?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(
            |(seq, op_id, operation, input, actor, at, provisional, base)| {
                Ok(Entry {
                    op_id,
                    seq,
                    operation,
                    input: parse_json(&input)?,
                    actor,
                    performed_at: instant(Some(at)).unwrap_or_default(),
                    provisional: parse_json(&provisional)?,
                    base: parse_json(&base)?,
                })
            },
        )
        .collect()
}

fn dirty(conn: &Connection) -> Result<BTreeMap<String, Vec<i64>>> {
    let mut statement = conn.prepare("SELECT tbl, id FROM sync_dirty ORDER BY tbl, id")?;
    let mut dirty: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))? {
        let (table, id) = row?;
        let ids = dirty.entry(table).or_default();
        if id != 0 {
            ids.push(id);
        }
    }
    Ok(dirty)
}

fn cursor(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |row| {
            row.get(0)
        })?,
    )
}

/// A table's pulled rows: its column names, and each row's values by key.
type PulledTable = (Vec<String>, BTreeMap<i64, Vec<Value>>);

/// Every page of a pull, merged: the newest image of each row, or its absence.
#[derive(Default)]
struct Pulled {
    cursor: i64,
    rows: BTreeMap<String, PulledTable>,
    gone: BTreeMap<String, BTreeSet<i64>>,
    whole: BTreeMap<String, Rows>,
}

impl Pulled {
    fn add(&mut self, page: PullPage) {
        self.cursor = page.cursor;
        for (table, rows) in page.rows {
            let gone = self.gone.entry(table.clone()).or_default();
            let entry = self.rows.entry(table).or_default();
            entry.0 = rows.columns;
            for (id, row) in rows.ids.into_iter().zip(rows.rows) {
                gone.remove(&id);
                entry.1.insert(id, row);
            }
        }
        for (table, ids) in page.gone {
            let rows = self.rows.entry(table.clone()).or_default();
            for id in &ids {
                rows.1.remove(id);
            }
            self.gone.entry(table).or_default().extend(ids);
        }
        self.whole.extend(page.whole);
    }

    fn row_count(&self) -> usize {
        self.rows
            .values()
            .map(|(_, rows)| rows.len())
            .sum::<usize>()
            + self
                .whole
                .values()
                .map(|rows| rows.rows.len())
                .sum::<usize>()
    }
}

fn sql_value(value: &Value) -> Result<SqlValue> {
    Ok(match value {
        Value::Null => SqlValue::Null,
        Value::Number(n) => SqlValue::Integer(n.as_i64().ok_or_else(|| {
            ApiError::invalid_state("A pulled row holds a number that is not an integer.")
        })?),
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Object(o) => match o.get("base64").and_then(Value::as_str) {
            Some(b64) => SqlValue::Blob(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(internal)?,
            ),
            None => {
                return Err(ApiError::invalid_state(
                    "A pulled row holds an unknown value.",
                ))
            }
        },
        Value::Bool(b) => SqlValue::Integer(i64::from(*b)),
        Value::Array(_) => return Err(ApiError::invalid_state("A pulled row holds a list.")),
    })
}

fn insert_rows(
    tx: &Connection,
    table: &str,
    columns: &[String],
    rows: &[&Vec<Value>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names = columns.join(", ");
    let marks = (1..=columns.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut statement = tx.prepare(&format!("INSERT INTO {table} ({names}) VALUES ({marks})"))?;
    for row in rows {
        let values = row.iter().map(sql_value).collect::<Result<Vec<_>>>()?;
        statement.execute(rusqlite::params_from_iter(values))?;
    }
    Ok(())
}

fn delete_rows(tx: &Connection, table: &str, ids: &[i64]) -> Result<()> {
    if !ids.is_empty() {
        tx.execute(
            &format!("DELETE FROM {table} WHERE rowid IN (SELECT value FROM json_each(?1))"),
            [serde_json::to_string(ids)?],
        )?;
    }
    Ok(())
}

enum Applied {
    Done(RoundReport),
    /// The person changed something here since the pull was asked: ask again.
    ChangedMeanwhile,
}

/// Puts the server's rows in place of this copy's own effects, in one transaction: the
/// rows made here (negative ids) go, every pulled row is written as the server has it, the
/// answered entries leave the outbox (refusals to "Not applied"), and those still waiting
/// are marked to be applied again ([`resume`]) with the server's ids for the rows it made.
fn apply(
    book: &mut Book,
    pulled: &Pulled,
    outcomes: &HashMap<String, Outcome>,
    dirty_sent: &BTreeMap<String, Vec<i64>>,
) -> Result<Applied> {
    let now = book.now();
    book.sync.applying = true;
    let applied = book.sync_apply(|tx| {
        let dirty_now = dirty(tx)?;
        let all_sent = dirty_now.iter().all(|(table, ids)| {
            dirty_sent
                .get(table)
                .is_some_and(|sent| ids.iter().all(|id| sent.contains(id)))
        });
        if !all_sent {
            return Ok(Applied::ChangedMeanwhile);
        }
        for table in KEYED {
            tx.execute(&format!("DELETE FROM {table} WHERE rowid < 0"), [])?;
        }
        for (table, (columns, rows)) in &pulled.rows {
            let ids: Vec<i64> = rows.keys().copied().collect();
            delete_rows(tx, table, &ids)?;
            insert_rows(tx, table, columns, &rows.values().collect::<Vec<_>>())?;
        }
        for (table, ids) in &pulled.gone {
            delete_rows(tx, table, &ids.iter().copied().collect::<Vec<_>>())?;
        }
        for (table, rows) in &pulled.whole {
            if WHOLE.contains(&table.as_str()) {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
                insert_rows(tx, table, &rows.columns, &rows.rows.iter().collect::<Vec<_>>())?;
            }
        }
        tx.execute("DELETE FROM sync_dirty", [])?;

        let pairs: HashMap<i64, i64> = outcomes.values().flat_map(|o| o.ids.iter().copied()).collect();
        // Kept, so that a screen still open on a record made here finds it under its new id
        // ([`server_id`]); provisional ids are never given twice while the book stays linked.
        for (provisional, server_id) in &pairs {
            tx.execute(
                "INSERT OR REPLACE INTO sync_id_map (device_id, provisional, server_id)
                 VALUES (?1, ?2, ?3)",
                params![HERE, provisional, server_id],
            )?;
        }
        let mut report = RoundReport {
            rows: pulled.row_count(),
            ..RoundReport::default()
        };
        for entry in outbox(tx)? {
            match outcomes.get(&entry.op_id) {
                Some(outcome) => {
                    if let EntryResult::Refused { code, message, field } = &outcome.result {
                        report.refused += 1;
                        tx.execute(
                            "INSERT OR IGNORE INTO sync_refused (seq, op_id, operation, input, actor,
                                 performed_at, code, message, field, refused_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            params![
                                entry.seq,
                                entry.op_id,
                                entry.operation,
                                entry.input.to_string(),
                                entry.actor,
                                entry.performed_at.timestamp(),
                                code,
                                message,
                                field,
                                now.timestamp()
                            ],
                        )?;
                    } else if let Some(refused) = partly_refused(&entry, &outcome.result) {
                        // Applied, but not all of it: what the server did not take is listed
                        // as a change not applied, with each reason.
                        report.applied += 1;
                        report.refused += 1;
                        tx.execute(
                            "INSERT OR IGNORE INTO sync_refused (seq, op_id, operation, input, actor,
                                 performed_at, code, message, field, refused_at)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'validation', ?7, ?8, ?9)",
                            params![
                                entry.seq,
                                entry.op_id,
                                entry.operation,
                                refused.input.to_string(),
                                entry.actor,
                                entry.performed_at.timestamp(),
                                refused.message,
                                refused.field,
                                now.timestamp()
                            ],
                        )?;
                    } else {
                        report.applied += 1;
                    }
                    tx.execute("DELETE FROM sync_outbox WHERE seq = ?1", [entry.seq])?;
                }
                None => {
                    report.waiting += 1;
                    // Ids the server gave rows made here, in the entries that name them.
                    let input = rewrite_ids(&entry.input, &|id| pairs.get(&id).copied())
                        .unwrap_or(entry.input);
                    tx.execute(
                        "UPDATE sync_outbox SET input = ?1, replayed = 0 WHERE seq = ?2",
                        params![input.to_string(), entry.seq],
                    )?;
                }
            }
        }
        tx.execute(
            "UPDATE sync_state SET cursor = ?1, replay_needed = ?2, last_synced_at = ?3,
                 offline_since = NULL, last_error = NULL WHERE id = 1",
            params![pulled.cursor, report.waiting > 0, now.timestamp()],
        )?;
        Ok(Applied::Done(report))
    });
    book.sync.applying = false;
    applied
}

/// One round with the server: push every waiting entry, then pull until current and put
/// the server's rows in place; then apply again what is still waiting. A round that cannot
/// reach the server changes nothing but the status ("offline since").
pub fn round(
    book: &mut Book,
    transport: &mut dyn Transport,
) -> std::result::Result<RoundReport, RoundError> {
    let result = round_inner(book, transport);
    if let Err(RoundError::Transport(error)) = &result {
        let now = book.now().timestamp();
        let message = error.to_string();
        book.sync_bookkeeping(|tx| {
            tx.execute(
                "UPDATE sync_state SET offline_since = coalesce(offline_since, ?1), last_error = ?2
                 WHERE id = 1",
                params![now, message],
            )?;
            Ok(())
        })?;
    }
    result
}

fn round_inner(
    book: &mut Book,
    transport: &mut dyn Transport,
) -> std::result::Result<RoundReport, RoundError> {
    require_linked(book)?;
    resume(book)?;
    let entries = outbox(book.reader())?;
    let mut outcomes = HashMap::new();
    for batch in push_batches(&entries) {
        let answer = transport.push(&PushRequest {
            protocol: PROTOCOL,
            schema: crate::SCHEMA_VERSION,
            entries: batch.to_vec(),
        })?;
        for outcome in answer.outcomes {
            outcomes.insert(outcome.op_id.clone(), outcome);
        }
    }
    for _ in 0..5 {
        let dirty_sent = dirty(book.reader())?;
        let mut request = PullRequest {
            protocol: PROTOCOL,
            schema: crate::SCHEMA_VERSION,
            cursor: cursor(book.reader())?,
            dirty: dirty_sent.clone(),
        };
        let mut pulled = Pulled::default();
        loop {
            let page = transport.pull(&request)?;
            let more = page.more;
            request.cursor = page.cursor;
            request.dirty = BTreeMap::new();
            pulled.add(page);
            if !more {
                break;
            }
        }
        if let Applied::Done(mut report) = apply(book, &pulled, &outcomes, &dirty_sent)? {
            report.pushed = entries.len();
            resume(book)?;
            return Ok(report);
        }
    }
    Err(ApiError::conflict(
        "Changes kept being made here during the sync; it will try again on the next round.",
    )
    .into())
}

/// Runs an operation only the server may run (issuing, charging) on the server, from a linked
/// desktop that can reach it: the changes waiting here go first (a round), so the server acts
/// on what this desktop saw; then the operation is pushed alone and answered at once, and a
/// second round brings back what it changed. Its answer is the server's; a refusal is the
/// server's refusal. Ids of records made here are the server's by then (it maps them).
/// When the answer is lost on the way the operation may have run: the next round shows it,
/// and the engine's own rules refuse running it twice (an issued invoice is not issued again,
/// a paid one not charged again).
/// Its refusal is the server's own; a server that cannot be asked is said as such.
pub fn send_to_server(
    book: &mut Book,
    transport: &mut dyn Transport,
    actor: &Actor,
    operation: &str,
    input: Value,
) -> Result<Value> {
    asked_of_the_server(book, transport, actor, operation, input).map_err(|error| match error {
        RoundError::Book(refusal) => refusal,
        RoundError::Transport(error) => ApiError::invalid_state(format!(
            "Only the server can do this (\"{operation}\"), and it could not be asked: {error}. \
             Nothing was changed here."
        )),
    })
}

fn asked_of_the_server(
    book: &mut Book,
    transport: &mut dyn Transport,
    actor: &Actor,
    operation: &str,
    input: Value,
) -> std::result::Result<Value, RoundError> {
    require_linked(book)?;
    if operation_sync_class(operation) != Some(SyncClass::ServerOnly) {
        return Err(ApiError::invalid_state(format!(
            "\"{operation}\" is not one only the server runs; run it here."
        ))
        .into());
    }
    round(book, transport)?;
    let (seq, device) = book.sync_bookkeeping(|tx| {
        let (seq, device): (i64, Option<String>) = tx.query_row(
            "SELECT next_seq, device_id FROM sync_state WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        tx.execute(
            "UPDATE sync_state SET next_seq = ?1 WHERE id = 1",
            [seq + 1],
        )?;
        Ok((seq, device.unwrap_or_default()))
    })?;
    let entry = Entry {
        op_id: format!("{device}-{seq}"),
        seq,
        operation: operation.to_owned(),
        input,
        actor: actor.0.clone(),
        performed_at: book.now(),
        provisional: BTreeMap::new(),
        base: Vec::new(),
    };
    let answer = transport.push(&PushRequest {
        protocol: PROTOCOL,
        schema: crate::SCHEMA_VERSION,
        entries: vec![entry],
    })?;
    let result = answer
        .outcomes
        .into_iter()
        .next()
        .map(|outcome| outcome.result)
        .ok_or_else(|| TransportError::Refused("the server answered nothing".into()))?;
    match result {
        EntryResult::Applied { output } => {
            round(book, transport)?;
            Ok(output)
        }
        EntryResult::Refused {
            code,
            message,
            field,
        } => {
            let mut refusal = ApiError::invalid_state(message);
            refusal.code = serde_json::from_value(Value::String(code))
                .unwrap_or(crate::error::ErrorCode::InvalidState);
            refusal.field = field;
            Err(refusal.into())
        }
    }
}

fn require_linked(book: &Book) -> Result<()> {
    if book.sync_role() != Role::Linked {
        return Err(ApiError::invalid_state(
            "This book is not linked to a server (counterfoil sync link).",
        ));
    }
    Ok(())
}

/// Where this book stands with sync, with the changes the server refused.
pub fn status(book: &Book) -> Result<SyncStatus> {
    let conn = book.reader();
    let mut status = conn.query_row(
        "SELECT server_url, device_id, cursor, last_synced_at, offline_since, last_error,
                (SELECT count(*) FROM sync_outbox)
         FROM sync_state WHERE id = 1",
        [],
        |row| {
            Ok(SyncStatus {
                role: book.sync_role(),
                server_url: row.get(0)?,
                device_id: row.get(1)?,
                cursor: row.get(2)?,
                last_synced_at: instant(row.get(3)?),
                offline_since: instant(row.get(4)?),
                last_error: row.get(5)?,
                waiting: row.get(6)?,
                refused: Vec::new(),
            })
        },
    )?;
    let mut statement = conn.prepare(
        "SELECT op_id, operation, input, actor, performed_at, code, message, field, refused_at
         FROM sync_refused ORDER BY seq",
    )?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, Option<String>>(7)?,
                row.get::<_, i64>(8)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (op_id, operation, input, actor, at, code, message, field, refused_at) in rows {
        status.refused.push(RefusedChange {
            op_id,
            operation,
            input: parse_json(&input)?,
            actor,
            performed_at: instant(Some(at)).unwrap_or_default(),
            code,
            message,
            field,
            refused_at: instant(Some(refused_at)).unwrap_or_default(),
        });
    }
    Ok(status)
}

/// Forgets a refused change (the person has seen it).
pub fn dismiss(book: &mut Book, op_id: &str) -> Result<()> {
    let removed = book.sync_bookkeeping(|tx| {
        Ok(tx.execute("DELETE FROM sync_refused WHERE op_id = ?1", [op_id])?)
    })?;
    if removed == 0 {
        return Err(ApiError::not_found(format!("No refused change {op_id}.")));
    }
    Ok(())
}

/// Whether the book at `book_path` may start from a server's copy: a missing or empty book
/// may; one with data only with `replace` (then `Ok(true)`: it is to be kept aside); a linked
/// one never. Asked before anything is asked of the server.
pub fn check_linkable(book_path: &Path, replace: bool, clock: Clock) -> Result<bool> {
    if !book_path.exists() {
        return Ok(false);
    }
    let existing = Book::open(book_path, clock).map_err(internal)?;
    let with_data = super::has_data(existing.reader())?;
    let role = existing.sync_role();
    drop(existing); // closes it: SQLite folds the write-ahead log into the file
    if role == Role::Linked {
        return Err(ApiError::invalid_state(
            "This book is already linked to a server; unlink it first.",
        ));
    }
    if with_data && !replace {
        return Err(ApiError::invalid_state(
            "This book has accounts, plans or invoices of its own: link it with --replace \
             to replace it by the server's copy (it is kept as a backup beside it), or \
             publish it to an empty server with --publish. Two books are never merged.",
        ));
    }
    Ok(with_data)
}

/// Makes `book_path` a linked copy of a server's book from `snapshot` (a file the server's
/// [`super::server::snapshot`] wrote): a missing or empty book is replaced by it; one with
/// data only with `replace`, the old file kept beside it (returned). Two different books are
/// never merged.
pub fn link_from_snapshot(
    book_path: &Path,
    snapshot: &Path,
    link: &LinkSettings,
    replace: bool,
    clock: Clock,
) -> Result<Option<PathBuf>> {
    let mut backup = None;
    if check_linkable(book_path, replace, clock.clone())? {
        let kept = book_path.with_extension(format!(
            "before-link-{}.sqlite",
            clock.now().format("%Y%m%dT%H%M%SZ")
        ));
        crate::files::rename(book_path, &kept).map_err(internal)?;
        backup = Some(kept);
    }
    {
        let mut copy = Book::open(snapshot, clock).map_err(internal)?;
        copy.sync_bookkeeping(|tx| {
            tx.execute(
                "UPDATE sync_state SET role = 'linked', server_url = ?1, fingerprint = ?2,
                     token = ?3, device_id = ?4, next_seq = 1, next_provisional = -1
                 WHERE id = 1",
                params![
                    link.server_url,
                    link.fingerprint,
                    link.token,
                    link.device_id
                ],
            )?;
            Ok(())
        })?;
    }
    crate::files::rename(snapshot, book_path).map_err(internal)?;
    Ok(backup)
}

/// Writes the copy of a standalone book with data that `sync link --publish` sends to an
/// empty server: every replicated row and the PDF queue; none of this desktop's people,
/// tokens or sync records.
pub fn publish_copy(book: &Book, to: &Path) -> Result<()> {
    if book.sync_role() != Role::Standalone {
        return Err(ApiError::invalid_state(
            "Only a standalone book can be published; this one is already linked or served.",
        ));
    }
    if !super::has_data(book.reader())? {
        return Err(ApiError::invalid_state(
            "This book has no accounts, plans or invoices to publish: link it without \
             --publish to start from the server's copy.",
        ));
    }
    crate::store::execute(
        book.reader(),
        "VACUUM INTO ?1",
        [to.to_string_lossy().as_ref()],
    )?;
    let copy = Connection::open(to)?;
    for table in super::tables::PRIVATE {
        if !matches!(
            *table,
            "sync_state" | "sqlite_sequence" | "invoice_pdf_queue"
        ) {
            copy.execute(&format!("DELETE FROM {table}"), [])?;
        }
    }
    Ok(())
}

/// Links a book the server now holds as its own (it accepted [`publish_copy`]'s file):
/// linked from feed position `cursor`, so the first pull brings what the server kept of its
/// own. The PDF queue went to the server with the book.
pub fn linked_after_publish(book: &mut Book, link: &LinkSettings, cursor: i64) -> Result<()> {
    book.sync_bookkeeping(|tx| {
        tx.execute(
            "UPDATE sync_state SET server_url = ?1, fingerprint = ?2, token = ?3,
                 device_id = ?4, next_seq = 1, next_provisional = -1, cursor = ?5,
                 replay_needed = 0
             WHERE id = 1",
            params![
                link.server_url,
                link.fingerprint,
                link.token,
                link.device_id,
                cursor
            ],
        )?;
        tx.execute("DELETE FROM invoice_pdf_queue", [])?;
        Ok(())
    })?;
    book.set_role(&Actor::new("sync"), Role::Linked)
}

/// How a desktop's own id map names itself (the server's names each device).
const HERE: &str = "here";

/// The server's id for a record made on this desktop under the provisional id `provisional`,
/// once a sync has brought it back; `None` before, or for an id that was never provisional.
pub fn server_id(book: &Book, provisional: i64) -> Result<Option<i64>> {
    if provisional >= 0 {
        return Ok(None);
    }
    Ok(book
        .reader()
        .query_row(
            "SELECT server_id FROM sync_id_map WHERE device_id = ?1 AND provisional = ?2",
            params![HERE, provisional],
            |row| row.get(0),
        )
        .optional()?)
}

/// A random id for a desktop's link: its outbox entries are named by it, so two desktops'
/// entries never share a name.
pub fn new_device_id() -> Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(internal)?;
    Ok(hex::encode(bytes))
}

/// Where a linked book's server is and how this desktop signs in to it.
pub fn link_settings(book: &Book) -> Result<Option<LinkSettings>> {
    if book.sync_role() != Role::Linked {
        return Ok(None);
    }
    Ok(book
        .reader()
        .query_row(
            "SELECT server_url, fingerprint, token, device_id FROM sync_state WHERE id = 1",
            [],
            |row| {
                Ok(LinkSettings {
                    server_url: row.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    fingerprint: row.get(1)?,
                    token: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    device_id: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            },
        )
        .optional()?)
}

/// Makes a linked book standalone again: it keeps everything it holds (its waiting changes
/// included, applied here and never sent) and bills itself from now on.
pub fn unlink(book: &mut Book, actor: &Actor) -> Result<()> {
    require_linked(book)?;
    book.sync_bookkeeping(|tx| {
        tx.execute(
            "UPDATE sync_state SET server_url = NULL, fingerprint = NULL, token = NULL,
                 cursor = 0, replay_needed = 0, last_synced_at = NULL, offline_since = NULL,
                 last_error = NULL WHERE id = 1",
            [],
        )?;
        tx.execute("DELETE FROM sync_outbox", [])?;
        tx.execute("DELETE FROM sync_dirty", [])?;
        // Provisional ids start again at -1 when it is linked again.
        tx.execute("DELETE FROM sync_id_map", [])?;
        Ok(())
    })?;
    book.set_role(actor, Role::Standalone)
}
