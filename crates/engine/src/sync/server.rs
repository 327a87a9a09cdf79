//! The server's side of sync: the feed of changed rows, applying desktops' entries once each
//! in one order, pages of changed rows, and the snapshot a desktop starts from.

use super::protocol::{
    Base, Entry, EntryResult, Outcome, PullPage, PullRequest, PushAnswer, PushRequest, Rows,
    PROTOCOL,
};
use super::session::Changes;
use super::tables::{KEYED, PRIVATE, WHOLE};
use super::Role;
use crate::book::{Actor, Book};
use crate::error::{ApiError, ErrorCode, Result};
use crate::operations::{
    dispatch_unsynced, operation_group, operation_sync_class, OperationGroup, SyncClass,
};
use base64::Engine as _;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// About how many rows one pull page carries (whole feed entries are never split).
pub const PAGE_ROWS: usize = 20_000;

/// One feed entry: the changed rows of one transaction.
pub(crate) fn append_to_feed(tx: &Connection, changes: &Changes) -> Result<()> {
    let text = json!({ "k": changes.keyed(), "w": changes.any_whole() }).to_string();
    crate::store::execute(tx, "INSERT INTO sync_log (changes) VALUES (?1)", [text])?;
    Ok(())
}

/// The request's versions are this build's, or the desktop must update first.
pub fn check_versions(protocol: u32, schema: u32) -> Result<()> {
    if protocol != PROTOCOL || schema != crate::SCHEMA_VERSION {
        return Err(ApiError::invalid_state(format!(
            "This desktop speaks sync {protocol} with book schema {schema}; the server speaks \
             sync {PROTOCOL} with schema {}. Update the desktop (or the server) first.",
            crate::SCHEMA_VERSION
        ))
        .with_field("schema"));
    }
    Ok(())
}

fn require_server(book: &Book) -> Result<()> {
    // From the file, not this connection's memory: a reader opened before the book became a
    // server still serves it.
    if super::read_role(book.reader())? != Role::Server {
        return Err(ApiError::invalid_state(
            "This book is not served for sync (counterfoil serve makes it a server).",
        ));
    }
    Ok(())
}

/// Applies a desktop's entries in order, each once: an entry seen before is answered as it
/// was. Each runs as its own change (a savepoint) with what it came to, and a run of queued
/// entries is made durable by one commit: a crash loses the whole run or nothing, and the
/// desktop sends it again. An operation only the server may run (a charge calls its gateway
/// between two transactions of its own) runs alone, outside any run.
pub fn push(book: &mut Book, device: &str, request: PushRequest) -> Result<PushAnswer> {
    check_versions(request.protocol, request.schema)?;
    require_server(book)?;
    let mut outcomes = Vec::with_capacity(request.entries.len());
    let mut entries = request.entries.into_iter().peekable();
    while let Some(first) = entries.next() {
        if operation_sync_class(&first.operation) == Some(SyncClass::ServerOnly) {
            outcomes.push(apply_entry(book, device, first)?);
            continue;
        }
        let mut run = vec![first];
        while let Some(next) =
            entries.next_if(|e| operation_sync_class(&e.operation) != Some(SyncClass::ServerOnly))
        {
            run.push(next);
        }
        let answered = book.in_one_transaction(|book| {
            run.into_iter()
                .map(|entry| apply_entry(book, device, entry))
                .collect::<Result<Vec<_>>>()
        })?;
        outcomes.extend(answered);
    }
    Ok(PushAnswer { outcomes })
}

fn stored_outcome(conn: &Connection, entry: &Entry) -> Result<Option<Outcome>> {
    let answer: Option<String> = conn
        .query_row(
            "SELECT answer FROM sync_applied WHERE op_id = ?1",
            [&entry.op_id],
            |row| row.get(0),
        )
        .optional()?;
    answer
        .map(|text| serde_json::from_str::<Outcome>(&text).map_err(|e| ApiError::internal(&e)))
        .transpose()
}

/// The server's id for a row `device` made with provisional id `id`, if it was made here.
fn real_id(conn: &Connection, device: &str, id: i64) -> Option<i64> {
    conn.prepare_cached(
        "SELECT server_id FROM sync_id_map WHERE device_id = ?1 AND provisional = ?2",
    )
    .and_then(|mut statement| {
        statement
            .query_row(params![device, id], |row| row.get(0))
            .optional()
    })
    .ok()
    .flatten()
}

fn apply_entry(book: &mut Book, device: &str, entry: Entry) -> Result<Outcome> {
    if let Some(outcome) = stored_outcome(book.reader(), &entry)? {
        return Ok(outcome);
    }
    let map = |id: i64| real_id(book.reader(), device, id);
    let class = operation_sync_class(&entry.operation);
    let refused = |error: ApiError| EntryResult::Refused {
        code: code_name(error.code),
        message: error.message,
        field: error.field,
    };
    // A device's token reaches the book's data, not who may reach it: people, tokens and the
    // clock stay with those who sign in to the server itself.
    let forbidden = operation_group(&entry.operation) == Some(OperationGroup::Access)
        || entry.operation == "advance_clock";
    let rewritten = rewrite_ids(&entry.input, &map)
        .map(|input| usage_from_creation(book.reader(), &entry.operation, &entry.input, input));
    let base = rewrite_base(&entry.base, &map);
    let input = match (class, rewritten) {
        _ if forbidden => Err(ApiError::forbidden(format!(
            "\"{}\" is not sent by sync: manage people, tokens and the clock on the server.",
            entry.operation
        ))),
        (None, _) => Err(ApiError::not_found(format!(
            "There is no operation called \"{}\".",
            entry.operation
        ))),
        (Some(SyncClass::LocalOnly), _) => Err(ApiError::invalid_state(format!(
            "\"{}\" only reads a book; it is not sent to the server.",
            entry.operation
        ))),
        (_, Err(missing)) => Err(ApiError::conflict(format!(
            "Not applied: it names a record made on this desktop by an earlier change the \
             server did not apply (id {missing})."
        ))),
        (_, Ok(input)) => Ok(input),
    };
    // Who made it, and on which desktop, for the server's audit log.
    let actor = Actor::new(format!("{} via {device}", entry.actor));
    // What the server runs, for its journal (kept with an applied outcome).
    let ran = input.as_ref().ok().map(|input| Ran {
        operation: entry.operation.clone(),
        input: input.to_string(),
        actor: actor.0.clone(),
    });
    let result = match input {
        Err(error) => refused(error),
        Ok(input) if class == Some(SyncClass::ServerOnly) => {
            // Sent while online and never queued; it may take several transactions (a
            // charge), so its outcome is recorded after it.
            match dispatch_unsynced(book, &actor, &entry.operation, input) {
                Ok(output) => EntryResult::Applied { output },
                Err(error) => refused(error),
            }
        }
        Ok(input) => {
            let recorded = Outcome {
                op_id: entry.op_id.clone(),
                seq: entry.seq,
                result: EntryResult::Applied {
                    output: Value::Null,
                },
                ids: Vec::new(),
            };
            let device_id = device.to_owned();
            let provisional = entry.provisional.clone();
            let now = book.now();
            let journal = ran.clone();
            book.sync.before_commit = Some(Box::new(move |tx, changes| {
                check_base(tx, &base, changes)?;
                let ids = pair_ids(&provisional, changes);
                for (provisional, real) in &ids {
                    crate::store::execute(
                        tx,
                        "INSERT OR REPLACE INTO sync_id_map (device_id, provisional, server_id)
                         VALUES (?1, ?2, ?3)",
                        params![device_id, provisional, real],
                    )?;
                }
                let outcome = Outcome { ids, ..recorded };
                record_outcome(tx, &device_id, &outcome, journal.as_ref(), now)
            }));
            let ran = dispatch_unsynced(book, &actor, &entry.operation, input);
            book.sync.before_commit = None;
            match ran {
                Ok(output) => {
                    if let Some(outcome) = stored_outcome(book.reader(), &entry)? {
                        if !answer_tells_what_was_not_taken(&entry.operation) {
                            return Ok(outcome);
                        }
                        // Kept with the outcome, in the same transaction as the run (a push's
                        // queued entries always run in one): a resend is answered with it too.
                        let outcome = Outcome {
                            result: EntryResult::Applied { output },
                            ..outcome
                        };
                        crate::store::execute(
                            book.reader(),
                            "UPDATE sync_applied SET answer = ?2 WHERE op_id = ?1",
                            params![outcome.op_id, serde_json::to_string(&outcome)?],
                        )?;
                        return Ok(outcome);
                    }
                    // The operation changed nothing (no transaction to record in).
                    EntryResult::Applied {
                        output: Value::Null,
                    }
                }
                Err(error) => refused(error),
            }
        }
    };
    let outcome = Outcome {
        op_id: entry.op_id.clone(),
        seq: entry.seq,
        result,
        ids: Vec::new(),
    };
    let now = book.now();
    book.sync_bookkeeping(|tx| record_outcome(tx, device, &outcome, ran.as_ref(), now))?;
    Ok(outcome)
}

/// Operations applied in part: their answer lists what was not taken (an event batch's
/// refused events), so a desktop is told of each as a change not applied.
pub(crate) fn answer_tells_what_was_not_taken(operation: &str) -> bool {
    operation == "ingest_events"
}

/// What the server ran for an entry: the operation, its input with the server's ids, and whom
/// the audit log names.
#[derive(Debug, Clone)]
struct Ran {
    operation: String,
    input: String,
    actor: String,
}

/// Records what became of an entry; an applied one with what the server ran (`ran`).
fn record_outcome(
    tx: &Connection,
    device: &str,
    outcome: &Outcome,
    ran: Option<&Ran>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let status = match outcome.result {
        EntryResult::Applied { .. } => "applied",
        EntryResult::Refused { .. } => "refused",
    };
    let ran = ran.filter(|_| status == "applied");
    crate::store::execute(
        tx,
        "INSERT OR IGNORE INTO sync_applied
             (op_id, device_id, seq, outcome, answer, applied_at, operation, input, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            outcome.op_id,
            device,
            outcome.seq,
            status,
            serde_json::to_string(outcome)?,
            now.timestamp(),
            ran.map(|r| r.operation.as_str()),
            ran.map(|r| r.input.as_str()),
            ran.map(|r| r.actor.as_str()),
        ],
    )?;
    Ok(())
}

/// One change the server applied for a desktop, as it ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct JournalEntry {
    pub applied_at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub operation: String,
    pub input: Value,
}

/// The desktops' changes the server applied, in the order it applied them: with the server's
/// own writes, what replaying into a new book reproduces the server's from.
pub fn applied_journal(book: &Book) -> Result<Vec<JournalEntry>> {
    let mut statement = book.reader().prepare(
        "SELECT applied_at, actor, operation, input FROM sync_applied
         WHERE outcome = 'applied' AND operation IS NOT NULL ORDER BY rowid",
    )?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut journal = Vec::new();
    for row in rows {
        let (at, actor, operation, input) = row?;
        journal.push(JournalEntry {
            applied_at: chrono::DateTime::from_timestamp(at, 0).ok_or_else(|| {
                ApiError::internal(&std::io::Error::other("an instant out of range"))
            })?,
            actor,
            operation,
            input: serde_json::from_str(&input)?,
        });
    }
    Ok(journal)
}

/// The ids a desktop gave its new rows, paired with the server's for the same rows: the
/// same operation makes the same rows in the same order on both sides.
fn pair_ids(provisional: &BTreeMap<String, Vec<i64>>, changes: &Changes) -> Vec<(i64, i64)> {
    let inserted = changes.inserted();
    let mut pairs = Vec::new();
    for (table, ids) in provisional {
        if let Some(real) = inserted.get(table.as_str()) {
            pairs.extend(ids.iter().copied().zip(real.iter().copied()));
        }
    }
    pairs
}

/// Whether a JSON value is an id a desktop made (negative), as a number or a string.
fn provisional_id(value: &Value) -> Option<i64> {
    let id = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse::<i64>().ok(),
        _ => None,
    }?;
    (id < 0).then_some(id)
}

fn is_id_key(key: &str) -> bool {
    key == "id"
        || key.ends_with("_id")
        || key.ends_with("_ids")
        // A usage import's row names its application by id, and its metric by system name or
        // id (a provisional id is a negative number, which no system name is).
        || key == "application"
        || key == "metric"
}

/// The input with every provisional id (under a key `id`, `…_id` or `…_ids`, or a usage row's
/// `application` or `metric`) replaced by the server's; `Err(id)` names one the server does
/// not know.
pub(crate) fn rewrite_ids(
    input: &Value,
    map: &dyn Fn(i64) -> Option<i64>,
) -> std::result::Result<Value, i64> {
    fn walk(
        value: &Value,
        id_here: bool,
        map: &dyn Fn(i64) -> Option<i64>,
    ) -> std::result::Result<Value, i64> {
        if id_here {
            if let Some(id) = provisional_id(value) {
                let real = map(id).ok_or(id)?;
                return Ok(match value {
                    Value::String(_) => Value::String(real.to_string()),
                    _ => Value::from(real),
                });
            }
        }
        Ok(match value {
            Value::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), walk(v, is_id_key(k), map)?)))
                    .collect::<std::result::Result<Map<_, _>, i64>>()?,
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| walk(v, id_here, map))
                    .collect::<std::result::Result<_, i64>>()?,
            ),
            other => other.clone(),
        })
    }
    walk(input, false, map)
}

/// Usage recorded on a desktop for an application made there before the server knew it: the
/// application exists here from when its entry was applied, later than the desktop made it,
/// so usage timed before that is moved to the application's creation here (docs/sync.md
/// "Instants"): billed in the application's first period, never refused as earlier than it.
/// Only rows that named the application by its provisional id (`original`) are moved.
fn usage_from_creation(
    conn: &Connection,
    operation: &str,
    original: &Value,
    mut input: Value,
) -> Value {
    let created = |id: &Value| -> Option<chrono::DateTime<chrono::Utc>> {
        let id = match id {
            Value::String(text) => text.parse::<i64>().ok()?,
            other => other.as_i64()?,
        };
        let seconds: i64 = conn
            .query_row(
                "SELECT created_at FROM applications WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .ok()?;
        chrono::DateTime::from_timestamp(seconds, 0)
    };
    let from_creation = |original: &Value, row: &mut Value, key: &str| {
        if provisional_id(&original[key]).is_none() {
            return;
        }
        let Some(created) = created(&row[key]) else {
            return;
        };
        let before = row["timestamp"]
            .as_str()
            .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
            .is_some_and(|at| at < created);
        if before {
            row["timestamp"] =
                Value::String(created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
    };
    match operation {
        "record_usage" => from_creation(original, &mut input, "application_id"),
        "import_usage" => {
            if let (Some(originals), Some(rows)) =
                (original["rows"].as_array(), input["rows"].as_array_mut())
            {
                for (original, row) in originals.iter().zip(rows.iter_mut()) {
                    from_creation(original, row, "application");
                }
            }
        }
        _ => {}
    }
    input
}

fn rewrite_base(base: &[Base], map: &dyn Fn(i64) -> Option<i64>) -> Vec<Base> {
    base.iter()
        .map(|b| Base {
            id: b
                .id
                .map(|id| if id < 0 { map(id).unwrap_or(id) } else { id }),
            ..b.clone()
        })
        .collect()
}

/// Compare-and-set: every field the entry changes still has the value the person saw, or
/// the entry is refused naming the field, its value now and who changed it when.
fn check_base(tx: &Connection, base: &[Base], changes: &Changes) -> Result<()> {
    if base.is_empty() {
        return Ok(());
    }
    let audit_ids = changes.inserted().remove("audit_log").unwrap_or_default();
    let first = audit_ids.iter().copied().min().unwrap_or(i64::MAX);
    let mut statement = tx.prepare_cached(
        "SELECT entity, entity_id, before FROM audit_log WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = statement
        .query_map([serde_json::to_string(&audit_ids)?], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<i64>>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for expected in base {
        let Some((_, _, Some(before))) = rows
            .iter()
            .find(|(entity, id, _)| *entity == expected.entity && *id == expected.id)
        else {
            continue;
        };
        let before: Value = serde_json::from_str(before)?;
        for (field, saw) in &expected.fields {
            let now = before.get(field).unwrap_or(&Value::Null);
            if now == saw {
                continue;
            }
            let who: Option<(String, i64)> = tx
                .query_row(
                    "SELECT actor, at FROM audit_log WHERE entity = ?1 AND entity_id IS ?2
                       AND id < ?3 ORDER BY id DESC LIMIT 1",
                    params![expected.entity, expected.id, first],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let by = who
                .and_then(|(actor, at)| {
                    chrono::DateTime::from_timestamp(at, 0)
                        .map(|at| format!(" by {actor} at {}", at.format("%Y-%m-%d %H:%M UTC")))
                })
                .unwrap_or_default();
            return Err(ApiError::conflict(format!(
                "Not applied: {field} was changed on the server{by} to {now} since you saw {saw}."
            ))
            .with_field(field));
        }
    }
    Ok(())
}

/// One JSON value of a row.
fn json_of(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        // No REAL columns are written (money is exact); kept readable all the same.
        ValueRef::Real(r) => Value::String(r.to_string()),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => {
            json!({ "base64": base64::engine::general_purpose::STANDARD.encode(b) })
        }
    }
}

/// The rows of `table` whose rowid is in `ids` (all rows when `None`), and which of `ids`
/// were found.
pub(crate) fn read_rows(
    conn: &Connection,
    table: &str,
    ids: Option<&[i64]>,
) -> Result<(Rows, BTreeSet<i64>)> {
    let sql = match ids {
        Some(_) => {
            format!("SELECT rowid, * FROM {table} WHERE rowid IN (SELECT value FROM json_each(?1))")
        }
        // By key (its first columns, up to three), so two copies compare row by row.
        None => {
            let width = conn
                .prepare(&format!("SELECT * FROM {table}"))?
                .column_count();
            let order: Vec<String> = (2..=(width + 1).min(4)).map(|i| i.to_string()).collect();
            format!(
                "SELECT 0, * FROM {table} WHERE ?1 IS NOT NULL ORDER BY {}",
                order.join(", ")
            )
        }
    };
    let mut statement = conn.prepare(&sql)?;
    let columns: Vec<String> = statement
        .column_names()
        .skip(1)
        .map(str::to_owned)
        .collect();
    let width = columns.len();
    let list = serde_json::to_string(&ids.unwrap_or(&[]))?;
    let mut found = BTreeSet::new();
    let mut keys = Vec::new();
    let mut out = Vec::new();
    let mut rows = statement.query([list])?;
    while let Some(row) = rows.next()? {
        let key = row.get::<_, i64>(0)?;
        found.insert(key);
        if ids.is_some() {
            keys.push(key);
        }
        let mut values = Vec::with_capacity(width);
        for i in 1..=width {
            values.push(json_of(row.get_ref(i)?));
        }
        out.push(values);
    }
    Ok((
        Rows {
            columns,
            ids: keys,
            rows: out,
        },
        found,
    ))
}

/// Every row of replicated table `table`, in key order: what two copies of a book compare.
pub fn replicated_rows(book: &Book, table: &str) -> Result<Rows> {
    if !KEYED.contains(&table) && !WHOLE.contains(&table) {
        return Err(ApiError::not_found(format!(
            "{table} is not a replicated table."
        )));
    }
    book.snapshot(|book| Ok(read_rows(book.reader(), table, None)?.0))
}

/// How many of `device`'s entries the server applied and refused.
pub fn answered(book: &Book, device: &str) -> Result<(usize, usize)> {
    Ok(book.reader().query_row(
        "SELECT count(*) FILTER (WHERE outcome = 'applied'), count(*) FILTER (WHERE outcome = 'refused')
         FROM sync_applied WHERE device_id = ?1",
        [device],
        |row| Ok((row.get::<_, i64>(0)? as usize, row.get::<_, i64>(1)? as usize)),
    )?)
}

/// The rows changed after the desktop's cursor and its own changed rows, as they are now,
/// read on one snapshot of the book.
pub fn pull(book: &Book, request: PullRequest) -> Result<PullPage> {
    check_versions(request.protocol, request.schema)?;
    require_server(book)?;
    book.snapshot(|book| {
        let conn = book.reader();
        let last: i64 =
            conn.query_row("SELECT coalesce(max(seq), 0) FROM sync_log", [], |row| {
                row.get(0)
            })?;
        if request.cursor > last {
            return Err(ApiError::invalid_state(
                "This desktop's copy is ahead of the server's book (the server's book was \
                 replaced): link it again to start from the server's copy.",
            )
            .with_field("cursor"));
        }
        let mut wanted: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        let mut whole = !request.dirty.is_empty();
        let mut cursor = request.cursor;
        let mut more = false;
        let mut taken = 0usize;
        {
            let mut statement = conn
                .prepare_cached("SELECT seq, changes FROM sync_log WHERE seq > ?1 ORDER BY seq")?;
            let mut rows = statement.query([request.cursor])?;
            while let Some(row) = rows.next()? {
                if taken >= PAGE_ROWS {
                    more = true;
                    break;
                }
                let seq: i64 = row.get(0)?;
                let changes: Value = serde_json::from_str(&row.get::<_, String>(1)?)?;
                if let Some(keyed) = changes.get("k").and_then(Value::as_object) {
                    for (table, ids) in keyed {
                        let set = wanted.entry(table.clone()).or_default();
                        for id in ids
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_i64)
                        {
                            if set.insert(id) {
                                taken += 1;
                            }
                        }
                    }
                }
                whole = true;
                cursor = seq;
            }
        }
        for (table, ids) in &request.dirty {
            if KEYED.contains(&table.as_str()) {
                wanted
                    .entry(table.clone())
                    .or_default()
                    .extend(ids.iter().copied().filter(|id| *id > 0));
            }
        }
        let mut page = PullPage {
            cursor,
            more,
            rows: BTreeMap::new(),
            gone: BTreeMap::new(),
            whole: BTreeMap::new(),
        };
        for (table, ids) in wanted {
            if !KEYED.contains(&table.as_str()) || ids.is_empty() {
                continue;
            }
            let ids: Vec<i64> = ids.into_iter().collect();
            let (rows, found) = read_rows(conn, &table, Some(&ids))?;
            let gone: Vec<i64> = ids.into_iter().filter(|id| !found.contains(id)).collect();
            if !rows.rows.is_empty() {
                page.rows.insert(table.clone(), rows);
            }
            if !gone.is_empty() {
                page.gone.insert(table, gone);
            }
        }
        if whole && !more {
            for table in WHOLE {
                page.whole
                    .insert((*table).to_owned(), read_rows(conn, table, None)?.0);
            }
        }
        Ok(page)
    })
}

/// Writes a copy of the server's book to `to` for a desktop to start from: every replicated
/// row, none of the server's own (people, tokens, sync's records), marked as a linked copy
/// at the feed position it holds. Returns that position.
pub fn snapshot(book: &Book, to: &Path) -> Result<i64> {
    require_server(book)?;
    crate::store::execute(
        book.reader(),
        "VACUUM INTO ?1",
        [to.to_string_lossy().as_ref()],
    )?;
    let copy = Connection::open(to)?;
    let cursor: i64 = copy.query_row("SELECT coalesce(max(seq), 0) FROM sync_log", [], |row| {
        row.get(0)
    })?;
    for table in PRIVATE {
        if *table != "sync_state" && *table != "sqlite_sequence" {
            copy.execute(&format!("DELETE FROM {table}"), [])?;
        }
    }
    copy.execute(
        "UPDATE sync_state SET role = 'linked', cursor = ?1, replay_needed = 0 WHERE id = 1",
        [cursor],
    )?;
    copy.execute_batch("VACUUM")?;
    Ok(cursor)
}

/// An error code as the transports write it ("conflict", "invalid_state", …).
pub(crate) fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(Value::String(name)) => name,
        _ => "internal".to_owned(),
    }
}

/// Takes a desktop's book (`file`, written by [`super::desktop::publish_copy`]) as this
/// server's: allowed only while the server holds nothing but what every new book holds, and
/// only for a book of this schema. Every replicated row is replaced by the file's in one
/// transaction, recorded in the feed like any change; the server's own audit rows (its
/// tokens, its becoming a server) are kept after the book's. Returns the feed position just
/// before the publish: the desktop pulls from there, so it receives what the server kept.
pub fn receive_published(book: &mut Book, actor: &Actor, file: &Path) -> Result<i64> {
    require_server(book)?;
    let source = Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| {
            ApiError::validation("book", format!("The published book cannot be opened: {e}."))
        })?;
    let schema: u32 = source
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| ApiError::validation("book", format!("The published book: {e}.")))?;
    if schema != crate::SCHEMA_VERSION {
        return Err(ApiError::invalid_state(format!(
            "The published book has schema {schema} and the server {}: update the older of \
             the two first.",
            crate::SCHEMA_VERSION
        ))
        .with_field("schema"));
    }
    let before: i64 =
        book.reader()
            .query_row("SELECT coalesce(max(seq), 0) FROM sync_log", [], |row| {
                row.get(0)
            })?;
    book.write(actor, "sync_publish", |write| {
        if super::has_data(write.tx)? {
            return Err(ApiError::invalid_state(
                "This server already holds a book (accounts, plans or invoices): publish only \
                 to an empty server, or link with --replace to start from the server's copy.",
            ));
        }
        // Rows arrive table by table; every reference is checked at commit.
        write.tx.pragma_update(None, "defer_foreign_keys", true)?;
        let (audit_columns, servers_audit) = audit_rows_without_ids(write.tx)?;
        for table in KEYED.iter().rev() {
            write.tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        for table in KEYED
            .iter()
            .chain(WHOLE)
            .chain(["invoice_pdf_queue"].iter())
        {
            // Inserting invoices moves earnings (triggers): the book's own figures win.
            write.tx.execute(&format!("DELETE FROM {table}"), [])?;
            copy_table(&source, write.tx, table)?;
        }
        for values in &servers_audit {
            insert_row(write.tx, "audit_log", &audit_columns, values)?;
        }
        let published: i64 = write
            .tx
            .query_row("SELECT count(*) FROM invoices", [], |row| row.get(0))?;
        write.audit(
            "sync",
            None,
            None::<&Value>,
            Some(&json!({ "published": true, "invoices": published })),
        )
    })?;
    Ok(before)
}

/// The audit log's rows with every column but `id`, in order.
fn audit_rows_without_ids(
    conn: &Connection,
) -> Result<(Vec<String>, Vec<Vec<rusqlite::types::Value>>)> {
    let mut read = conn.prepare("SELECT * FROM audit_log ORDER BY id")?;
    let names: Vec<String> = read.column_names().map(str::to_owned).collect();
    let kept: Vec<usize> = (0..names.len()).filter(|i| names[*i] != "id").collect();
    let columns = kept.iter().map(|i| names[*i].clone()).collect();
    let mut rows = read.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(
            kept.iter()
                .map(|i| row.get::<_, rusqlite::types::Value>(*i))
                .collect::<rusqlite::Result<Vec<_>>>()?,
        );
    }
    Ok((columns, out))
}

/// Copies every row of `table` from `source` to `to`, columns by name.
fn copy_table(source: &Connection, to: &Connection, table: &str) -> Result<()> {
    let mut read = source.prepare(&format!("SELECT * FROM {table}"))?;
    let columns: Vec<String> = read.column_names().map(str::to_owned).collect();
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let values = (0..columns.len())
            .map(|i| row.get::<_, rusqlite::types::Value>(i))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        insert_row(to, table, &columns, &values)?;
    }
    Ok(())
}

fn insert_row(
    to: &Connection,
    table: &str,
    columns: &[String],
    values: &[rusqlite::types::Value],
) -> Result<()> {
    let marks = vec!["?"; columns.len()].join(", ");
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({marks})",
        columns.join(", ")
    );
    to.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}
