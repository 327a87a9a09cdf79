//! What a desktop and its server send each other (docs/sync.md): JSON bodies of
//! `POST /sync/v1/push` and `POST /sync/v1/pull`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The protocol's version; a server answers another with 426.
pub const PROTOCOL: u32 = 1;

/// One change made on a desktop: an operation of the list with its input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// `<device>-<seq>`: made when the change is, so a resend names the same change.
    pub op_id: String,
    pub seq: i64,
    pub operation: String,
    pub input: Value,
    /// Who made it on the desktop (written into the server's audit log).
    pub actor: String,
    pub performed_at: DateTime<Utc>,
    /// The ids its new rows got on the desktop (negative), by table, in the order made.
    pub provisional: BTreeMap<String, Vec<i64>>,
    /// What the person saw of the fields the change changes, per record.
    pub base: Vec<Base>,
}

/// The values of the fields a change changes, as the desktop had them before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Base {
    pub entity: String,
    pub id: Option<i64>,
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u32,
    pub schema: u32,
    pub entries: Vec<Entry>,
}

/// What became of one entry on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub op_id: String,
    pub seq: i64,
    #[serde(flatten)]
    pub result: EntryResult,
    /// `[provisional, real]` for each row the entry made.
    #[serde(default)]
    pub ids: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EntryResult {
    Applied {
        /// The operation's answer (for the operations only the server may run).
        #[serde(default)]
        output: Value,
    },
    Refused {
        code: String,
        message: String,
        #[serde(default)]
        field: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushAnswer {
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullRequest {
    pub protocol: u32,
    pub schema: u32,
    /// The feed position the desktop holds.
    pub cursor: i64,
    /// Rows the desktop changed itself since its last pull (server ids only): the server
    /// sends its copy of each, so the desktop's own effects are replaced by the server's.
    #[serde(default)]
    pub dirty: BTreeMap<String, Vec<i64>>,
}

/// A table's rows: column names once, then each row's values in that order. Integers and
/// text are JSON numbers and strings; a BLOB is `{"base64": "…"}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Rows {
    pub columns: Vec<String>,
    /// Each row's key (its rowid), for keyed tables; empty for tables sent whole.
    #[serde(default)]
    pub ids: Vec<i64>,
    pub rows: Vec<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullPage {
    /// The feed position this page brings the desktop to.
    pub cursor: i64,
    /// More pages follow.
    pub more: bool,
    /// The current image of each changed row, by table.
    pub rows: BTreeMap<String, Rows>,
    /// Rows that no longer exist (or never did, for a dirty row), by table.
    pub gone: BTreeMap<String, Vec<i64>>,
    /// Tables sent whole (small ones: settings, counters, billing jobs, earnings).
    pub whole: BTreeMap<String, Rows>,
}
