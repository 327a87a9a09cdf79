//! Which tables travel between a server and its desktops, and how (docs/sync.md).

/// Replicated row by row, keyed by their INTEGER PRIMARY KEY (the rowid): the change feed
/// names each changed row, and a pull sends its current image or its absence.
pub(crate) const KEYED: &[&str] = &[
    "services",
    "metrics",
    "plans",
    "pricing_rules",
    "accounts",
    "buyer_users",
    "applications",
    "plan_changes",
    "usage_records",
    "audit_log",
    "invoices",
    "line_items",
    "payment_transactions",
    "invoice_pdfs",
    "customer_aliases",
    "events",
    "event_versions",
    "billable_metrics",
];

/// Replicated whole: small tables keyed by text, or kept by the store beside other writes
/// (`earnings_by_period` is WITHOUT ROWID, which SQLite's update hook does not see).
pub(crate) const WHOLE: &[&str] = &[
    "settings",
    "invoice_counters",
    "billing_jobs",
    "earnings_by_period",
];

/// Never replicated: who may sign in and with which tokens (the server's alone), the PDF
/// queue of the server's billing run, and sync's own bookkeeping.
pub(crate) const PRIVATE: &[&str] = &[
    "users",
    "access_tokens",
    "invoice_pdf_queue",
    "sync_state",
    "sync_log",
    "sync_applied",
    "sync_id_map",
    "sync_outbox",
    "sync_dirty",
    "sync_refused",
    "sqlite_sequence",
];

/// The index of `table` in [`KEYED`], for the update hook (which must not allocate).
pub(crate) fn keyed_index(table: &str) -> Option<usize> {
    KEYED.iter().position(|t| *t == table)
}

/// The index of `table` in [`WHOLE`].
pub(crate) fn whole_index(table: &str) -> Option<usize> {
    WHOLE.iter().position(|t| *t == table)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table added by a migration must say how it syncs, or desktops silently miss it.
    #[test]
    fn every_table_of_a_new_book_has_a_sync_class() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let book = crate::Book::open(
            &dir.path().join("t.book"),
            crate::Clock::simulated(
                chrono::DateTime::from_timestamp(1_750_000_000, 0).expect("an instant"),
            ),
        )
        .expect("a new book");
        let mut statement = book
            .reader()
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("the schema");
        let tables: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .expect("the tables")
            .collect::<rusqlite::Result<_>>()
            .expect("their names");
        for table in &tables {
            let classes = [KEYED, WHOLE, PRIVATE]
                .iter()
                .filter(|list| list.contains(&table.as_str()))
                .count();
            assert_eq!(
                classes, 1,
                "{table} must be in exactly one of KEYED, WHOLE, PRIVATE"
            );
        }
        for listed in KEYED.iter().chain(WHOLE).chain(PRIVATE) {
            assert!(
                tables.contains(&(*listed).to_owned()),
                "{listed} is no table"
            );
        }
    }
}
