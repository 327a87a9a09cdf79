//! Importing usage records from CSV rows.

use super::*;

/// One row of a usage import, as written in the file (parsed by the engine).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UsageRow {
    /// The application's id.
    pub application: String,
    /// The metric's system name (or id) in the application's service.
    pub metric: String,
    /// RFC 3339, e.g. 2025-01-31T23:00:00Z.
    pub timestamp: String,
    pub value: String,
    /// Taken once, ever: a row whose key was imported before (or earlier in the same file) is
    /// a duplicate, never recorded twice. Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportUsage {
    pub rows: Vec<UsageRow>,
    /// Check every row and report, without importing anything.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub dry_run: bool,
}

/// What is wrong with one row; rows are numbered from 1 as in the file's data lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RowError {
    pub row: u32,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageImportReport {
    /// Rows imported: all of them, or none when any row is invalid.
    pub imported: u32,
    /// At most the first 100 problems.
    pub errors: Vec<RowError>,
    /// The rows (numbered from 1) whose idempotency key was taken before: not recorded again.
    #[serde(default)]
    pub duplicates: Vec<u32>,
}
