//! What a [`Book`](crate::Book) keeps for sync while it is open: the rows each write
//! transaction changed (SQLite's update hook), the ids of rows made on a linked desktop
//! (the `sync_new_id` SQL function every INSERT of a replicated table calls), and what the
//! current write must record before it commits (docs/sync.md).

use super::tables::{keyed_index, whole_index, KEYED};
use super::Role;
use crate::error::{ApiError, Result};
use rusqlite::functions::FunctionFlags;
use rusqlite::hooks::Action;
use rusqlite::Connection;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// One row a transaction changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Touch {
    /// A row of a [`KEYED`] table (its index), inserted or changed/deleted.
    Keyed {
        table: usize,
        rowid: i64,
        inserted: bool,
    },
    /// A table replicated whole (its index in `WHOLE`).
    Whole(usize),
}

/// The rows one write transaction changed, as the hook saw them.
#[derive(Debug, Default, Clone)]
pub(crate) struct Changes {
    touches: Vec<Touch>,
}

impl Changes {
    pub(crate) fn is_empty(&self) -> bool {
        self.touches.is_empty()
    }

    /// Every changed row of the keyed tables, by table, sorted and without repeats.
    pub(crate) fn keyed(&self) -> BTreeMap<&'static str, Vec<i64>> {
        let mut rows: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
        for touch in &self.touches {
            if let Touch::Keyed { table, rowid, .. } = *touch {
                rows.entry(KEYED[table]).or_default().push(rowid);
            }
        }
        for ids in rows.values_mut() {
            ids.sort_unstable();
            ids.dedup();
        }
        rows
    }

    /// The rows inserted, by table, in the order they were made: how a server and a desktop
    /// pair the ids the same operation gave its rows on each side.
    pub(crate) fn inserted(&self) -> BTreeMap<&'static str, Vec<i64>> {
        let mut rows: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
        for touch in &self.touches {
            if let Touch::Keyed {
                table,
                rowid,
                inserted: true,
            } = *touch
            {
                rows.entry(KEYED[table]).or_default().push(rowid);
            }
        }
        rows
    }

    /// Whether a table replicated whole changed.
    pub(crate) fn any_whole(&self) -> bool {
        self.touches.iter().any(|t| matches!(t, Touch::Whole(_)))
    }
}

/// Where the ids of new rows come from.
#[derive(Debug, Default)]
enum Allocator {
    /// SQLite's own (the next rowid): standalone and server books.
    #[default]
    Sqlite,
    /// A linked desktop: negative ids from the book's counter, or, when an entry is applied
    /// again over the server's rows, the ids it had the first time, so later entries that
    /// name them still find them.
    Provisional {
        next: i64,
        again: HashMap<String, VecDeque<i64>>,
    },
}

/// An operation a linked desktop runs on its own copy, to record in its outbox.
#[derive(Debug, Clone)]
pub(crate) struct Capture {
    pub operation: String,
    pub input: Value,
    pub actor: String,
    /// `Some(seq)` when the entry is already in the outbox and applied again after a pull.
    pub again: Option<i64>,
}

/// A function the server's push runs before the entry's transaction commits, with the rows
/// the operation changed: it records the entry's outcome and ids in the same transaction.
pub(crate) type BeforeCommit = Box<dyn FnOnce(&Connection, &Changes) -> Result<()> + Send>;

pub(crate) struct Session {
    pub(crate) role: Role,
    recording: Arc<AtomicBool>,
    touches: Arc<Mutex<Vec<Touch>>>,
    allocator: Arc<Mutex<Allocator>>,
    pub(crate) capture: Option<Capture>,
    pub(crate) before_commit: Option<BeforeCommit>,
    /// A pull's rows are being written: not the person's changes, so not dirty.
    pub(crate) applying: bool,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these cannot leave them half-changed: take the value.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Session {
    /// Installs the hook and the id function on the book's connection.
    pub(crate) fn install(conn: &mut Connection) -> rusqlite::Result<Session> {
        let recording = Arc::new(AtomicBool::new(false));
        let touches = Arc::new(Mutex::new(Vec::new()));
        let allocator = Arc::new(Mutex::new(Allocator::default()));
        {
            let recording = Arc::clone(&recording);
            let touches = Arc::clone(&touches);
            conn.update_hook(Some(
                move |action: Action, _db: &str, table: &str, rowid: i64| {
                    if !recording.load(Ordering::Relaxed) {
                        return;
                    }
                    let touch = if let Some(table) = keyed_index(table) {
                        Touch::Keyed {
                            table,
                            rowid,
                            inserted: action == Action::SQLITE_INSERT,
                        }
                    } else if let Some(table) = whole_index(table) {
                        Touch::Whole(table)
                    } else {
                        return;
                    };
                    locked(&touches).push(touch);
                },
            ))?;
        }
        {
            let allocator = Arc::clone(&allocator);
            conn.create_scalar_function(
                "sync_new_id",
                1,
                FunctionFlags::SQLITE_UTF8,
                move |ctx| {
                    let table = ctx.get_raw(0).as_str().unwrap_or_default();
                    Ok(match &mut *locked(&allocator) {
                        Allocator::Sqlite => None,
                        Allocator::Provisional { next, again } => {
                            match again.get_mut(table).and_then(VecDeque::pop_front) {
                                Some(id) => Some(id),
                                None => {
                                    let id = *next;
                                    *next -= 1;
                                    Some(id)
                                }
                            }
                        }
                    })
                },
            )?;
        }
        Ok(Session {
            role: Role::Standalone,
            recording,
            touches,
            allocator,
            capture: None,
            before_commit: None,
            applying: false,
        })
    }

    pub(crate) fn set_role(&mut self, role: Role) {
        self.role = role;
        self.recording
            .store(role != Role::Standalone, Ordering::Relaxed);
    }

    /// Before a write transaction's first statement.
    pub(crate) fn begin(&mut self, tx: &Connection) -> Result<()> {
        locked(&self.touches).clear();
        let allocator = match (&self.role, &self.capture) {
            (Role::Linked, Some(capture)) if !self.applying => {
                let next: i64 = tx.query_row(
                    "SELECT next_provisional FROM sync_state WHERE id = 1",
                    [],
                    |row| row.get(0),
                )?;
                let again = match capture.again {
                    Some(seq) => provisional_of(tx, seq)?,
                    None => HashMap::new(),
                };
                Allocator::Provisional { next, again }
            }
            _ => Allocator::Sqlite,
        };
        *locked(&self.allocator) = allocator;
        Ok(())
    }

    /// The rows changed so far in this transaction.
    pub(crate) fn changes(&self) -> Changes {
        Changes {
            touches: locked(&self.touches).clone(),
        }
    }

    /// The next provisional id after this transaction (linked books).
    pub(crate) fn next_provisional(&self) -> Option<i64> {
        match &*locked(&self.allocator) {
            Allocator::Provisional { next, .. } => Some(*next),
            Allocator::Sqlite => None,
        }
    }

    /// After the transaction, committed or not.
    pub(crate) fn end(&mut self) {
        locked(&self.touches).clear();
        *locked(&self.allocator) = Allocator::Sqlite;
        self.before_commit = None;
    }
}

/// The ids an outbox entry's rows got the first time it ran, by table.
fn provisional_of(tx: &Connection, seq: i64) -> Result<HashMap<String, VecDeque<i64>>> {
    let text: String = tx.query_row(
        "SELECT provisional FROM sync_outbox WHERE seq = ?1",
        [seq],
        |row| row.get(0),
    )?;
    let ids: BTreeMap<String, Vec<i64>> =
        serde_json::from_str(&text).map_err(|e| ApiError::internal(&e))?;
    Ok(ids
        .into_iter()
        .map(|(table, ids)| (table, ids.into_iter().collect()))
        .collect())
}
