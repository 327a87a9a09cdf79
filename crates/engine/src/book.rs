//! A book: one SQLite file holding a provider's accounts, catalogue and billing.
//!
//! Opening checks that the file is a Counterfoil book of a schema this build knows before
//! touching it, takes a backup copy before applying pending migrations, and sets WAL, foreign
//! keys and a busy timeout. Every change goes through [`Book::write`]: one transaction that
//! also writes the audit records, so a failed operation leaves neither change nor audit row.

use crate::billing_lock::{BillingLock, LockWait};
use crate::clock::Clock;
use crate::error::{ApiError, Result};
use crate::files::OpenBook;
use crate::gateway::{PaymentGateway, PaymentGatewayKind, TestGateway};
use crate::store;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `PRAGMA application_id` of every Counterfoil book ("CFOL").
pub const APPLICATION_ID: i32 = 0x4346_4F4C;

/// Numbered, append-only migrations; migration N takes the schema from version N-1 to N.
/// Never edit one that has shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_catalogue_accounts.sql"),
    include_str!("migrations/0002_invoices.sql"),
    include_str!("migrations/0003_billing_jobs.sql"),
    include_str!("migrations/0004_billing_run_and_earnings.sql"),
    include_str!("migrations/0005_invoice_pdfs.sql"),
    include_str!("migrations/0006_earnings_kept_by_store.sql"),
    include_str!("migrations/0007_api_access.sql"),
    include_str!("migrations/0008_invoice_id_index.sql"),
    include_str!("migrations/0009_plan_terms_and_custom_plans.sql"),
    include_str!("migrations/0010_tenant_and_billing_api.sql"),
    include_str!("migrations/0011_access_and_gateway.sql"),
    include_str!("migrations/0012_sync.sql"),
    include_str!("migrations/0013_sync_journal.sql"),
    include_str!("migrations/0014_events.sql"),
    include_str!("migrations/0015_usage_keys.sql"),
    include_str!("migrations/0016_billable_metrics.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{path} is not a Counterfoil book (it was left untouched)")]
    NotABook { path: PathBuf },
    #[error(
        "{path} was written by a newer Counterfoil (schema {found}, this version knows up to \
         {known}); it was left untouched. Update Counterfoil to open it."
    )]
    NewerSchema {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not open the book {path}: {source}")]
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// Who asked for a change; written into the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor(pub String);

impl Actor {
    pub fn new(name: impl Into<String>) -> Actor {
        Actor(name.into())
    }
}

/// How long a write waits for another connection's (or process's) write to finish before it
/// is refused as busy.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub struct Book {
    conn: Connection,
    clock: Clock,
    path: PathBuf,
    /// The gateway a test put in place with [`Book::set_gateway`]; otherwise the book's own
    /// (none, or the built-in test gateway of a test book: [`Book::gateway`]).
    gateway: Option<Box<dyn PaymentGateway>>,
    /// Used when the book is a test book; kept for the life of the connection, as a real
    /// gateway would remember its idempotency keys.
    test_gateway: TestGateway,
    counts: store::Counts,
    /// Held while this book runs the billing (see [`Book::with_billing_lock`]).
    billing_lock: Option<BillingLock>,
    /// Marks the file as an open book for [`crate::files`] while this connection is open.
    _open: OpenBook,
    /// What sync records of this connection's writes (docs/sync.md).
    pub(crate) sync: crate::sync::session::Session,
}

/// What an operation gets to change the book: the open transaction and the instant it runs at.
pub struct Write<'t> {
    pub(crate) tx: &'t Connection,
    pub(crate) now: DateTime<Utc>,
    /// When, by whom and through which operation, for the audit log (the real time even when
    /// a billing job dates what it writes with its own instant).
    audited_at: DateTime<Utc>,
    actor: &'t str,
    operation: &'t str,
    audit_entries: usize,
}

impl Write<'_> {
    /// Records one change for the audit log, written in the same transaction.
    pub(crate) fn audit<B: Serialize, A: Serialize>(
        &mut self,
        entity: &'static str,
        entity_id: Option<i64>,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        // Written at once rather than collected: a long catch-up writes millions of records.
        store::audit::insert(
            self.tx,
            self.audited_at,
            self.actor,
            self.operation,
            &store::audit::Entry {
                entity,
                entity_id,
                before: before.map(serde_json::to_string).transpose()?,
                after: after.map(serde_json::to_string).transpose()?,
            },
        )?;
        self.audit_entries += 1;
        Ok(())
    }
}

impl Book {
    /// Opens the book at `path`, creating it when the file does not exist or is empty.
    pub fn open(path: &Path, clock: Clock) -> Result<Book, OpenError> {
        Book::open_with(path, clock, MIGRATIONS, crate::ops::services::start_tenant)
    }

    /// [`Book::open`] with the migrations given, and `start` writing what a new book holds
    /// beside its schema (in the transaction that makes it).
    fn open_with(
        path: &Path,
        clock: Clock,
        migrations: &[&str],
        start: NewBook,
    ) -> Result<Book, OpenError> {
        let latest = migrations.len() as u32;
        let existing_version = inspect(path, latest)?;
        let sqlite = |source| OpenError::Sqlite {
            path: path.to_owned(),
            source,
        };
        let mut conn = Connection::open(path).map_err(sqlite)?;
        // Before the migrations: a new book's first rows already go through it.
        let mut sync = crate::sync::session::Session::install(&mut conn).map_err(sqlite)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(sqlite)?;
        // Room for every statement the engine runs repeatedly (see store::execute).
        conn.set_prepared_statement_cache_capacity(256);
        // One query plan per statement, whatever values are bound: without this guarantee
        // SQLite re-parses a cached statement whenever a bound value might change its plan
        // (ranges, partial indexes), which was a third of a billing run.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(sqlite)?;
        conn.busy_handler(Some(wait_for_the_writer))
            .map_err(sqlite)?;
        conn.pragma_update(None, "journal_mode", "wal")
            .map_err(sqlite)?;
        // Durable commits: a finished operation survives power loss, not only a crash.
        conn.pragma_update(None, "synchronous", "full")
            .map_err(sqlite)?;
        // 64 MiB of page cache (the default is 2 MiB): a daily job over a large book changes
        // many pages in one transaction, and spilling them early costs more than the memory.
        conn.pragma_update(None, "cache_size", -65_536)
            .map_err(sqlite)?;
        if let Some(version) = existing_version.filter(|v| *v > 0 && *v < latest) {
            backup_before_migration(&conn, path, version, clock.now())?;
        }
        let from_version = existing_version.unwrap_or(0);
        migrate(&mut conn, migrations, start, clock.now()).map_err(sqlite)?;
        if from_version < latest {
            // Put the new header into the main file now, not at some later checkpoint.
            conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
                .map_err(sqlite)?;
        }
        sync.set_role(crate::sync::read_role(&conn).map_err(sqlite)?);
        Ok(Book {
            conn,
            clock,
            path: path.to_owned(),
            gateway: None,
            test_gateway: TestGateway::default(),
            counts: store::Counts::default(),
            billing_lock: None,
            _open: OpenBook::register(path),
            sync,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// For tests: charges of this connection go through `gateway` from now on, whatever the
    /// book names (a gateway that records its calls, or fails in a given way).
    pub fn set_gateway(&mut self, gateway: Box<dyn PaymentGateway>) {
        self.gateway = Some(gateway);
    }

    /// Makes this a test book: from now on it charges through the built-in test gateway, which
    /// moves no money, and says so wherever charging shows (billing-rules.md §9). For the code
    /// that builds test books (the demo, scenarios, tests, `counterfoil test-book`); no
    /// operation offers it, and a book that has invoices is refused, so no book in use can be
    /// made to pretend to charge. Audited; every process opening the book after this uses the
    /// test gateway.
    pub fn use_test_gateway(&mut self, actor: &Actor) -> Result<()> {
        self.write(actor, "use_test_gateway", |write| {
            let before = store::settings::payment_gateway(write.tx)?;
            if before == PaymentGatewayKind::Test {
                return Ok(());
            }
            if store::invoices::any(write.tx)? {
                return Err(ApiError::invalid_state(
                    "Only a new book can become a test book: this one already has invoices, \
                     and they would then seem paid without money moving. Nothing was changed.",
                ));
            }
            store::settings::set_payment_gateway(write.tx, PaymentGatewayKind::Test)?;
            write.audit(
                "settings",
                None,
                Some(&serde_json::json!({ "payment_gateway": before })),
                Some(&serde_json::json!({ "payment_gateway": PaymentGatewayKind::Test })),
            )
        })
    }

    /// The gateway charges go through: one a test set, else the test gateway of a test book,
    /// else none (charging is off).
    pub(crate) fn gateway(&self) -> Result<Option<&dyn PaymentGateway>> {
        if let Some(gateway) = &self.gateway {
            return Ok(Some(gateway.as_ref()));
        }
        Ok(match store::settings::payment_gateway(&self.conn)? {
            PaymentGatewayKind::Test => Some(&self.test_gateway),
            PaymentGatewayKind::None => None,
        })
    }

    /// The connection for read operations.
    pub(crate) fn reader(&self) -> &Connection {
        &self.conn
    }

    /// Runs the read `read` on one snapshot of the book: a read of several statements never
    /// sees half of a change another connection or process commits meanwhile.
    pub(crate) fn snapshot<T>(&self, read: impl FnOnce(&Book) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return read(self); // already inside a transaction, and so one snapshot
        }
        // Deferred: the snapshot starts at the first read. Nothing is written, so the end
        // is a rollback whatever `read` returns.
        store::execute(&self.conn, "BEGIN DEFERRED", [])?;
        let output = read(self);
        store::execute(&self.conn, "ROLLBACK", [])?;
        output
    }

    /// Runs `work` holding the book's billing lock ([`crate::billing_lock`]): one billing run
    /// at a time per book, across processes. `wait` says what to do while another process
    /// bills. Re-entrant: billing code inside `work` that asks for the lock again has it.
    pub fn with_billing_lock<T>(
        &mut self,
        wait: LockWait<'_>,
        work: impl FnOnce(&mut Book) -> Result<T>,
    ) -> Result<T> {
        if self.billing_lock.is_some() {
            return work(self);
        }
        self.billing_lock = Some(BillingLock::acquire(&self.path, wait)?);
        let output = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self)));
        self.billing_lock = None;
        output.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// Leaves the book alone for a moment between two transactions of a long run (a day of a
    /// catch-up), so that writers in other processes, polling every millisecond, get their turn.
    pub(crate) fn yield_to_writers(&self) {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }

    /// List totals, valid until the book changes.
    pub(crate) fn counts(&self) -> &store::Counts {
        &self.counts
    }

    /// Runs `record` in one transaction that changes only sync's own records (sync_*): no
    /// audit, no feed, nothing to replicate.
    pub(crate) fn sync_bookkeeping<T>(
        &mut self,
        record: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        let scope = WriteScope::open(&mut self.conn)?;
        let output = record(scope.conn())?;
        scope.commit()?;
        Ok(output)
    }

    /// Runs `work` in one transaction: the writes it makes ([`Book::write`]) become savepoints
    /// of it, committed together at its end or not at all. For sync's push, which applies a
    /// batch of entries each as its own change but makes them durable with one commit.
    pub(crate) fn in_one_transaction<T>(
        &mut self,
        work: impl FnOnce(&mut Book) -> Result<T>,
    ) -> Result<T> {
        store::execute(&self.conn, "BEGIN IMMEDIATE", [])?;
        let output = work(self);
        let end = if output.is_ok() { "COMMIT" } else { "ROLLBACK" };
        store::execute(&self.conn, end, [])?;
        output
    }

    /// Runs `apply` in one transaction with foreign keys unchecked until its end: a pull's rows
    /// are written table by table, each row as the server has it, so a child may arrive before
    /// its parent. Before committing, every reference must hold again (else nothing changes).
    pub(crate) fn sync_apply<T>(
        &mut self,
        apply: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        // Only outside a transaction does SQLite take this pragma.
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let applied = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let output = apply(&tx)?;
            let broken: Option<String> = tx
                .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
                .optional()?;
            if let Some(table) = broken {
                return Err(ApiError::internal(&BrokenReference(table)));
            }
            tx.commit()?;
            Ok(output)
        })();
        self.conn.pragma_update(None, "foreign_keys", true)?;
        applied
    }

    /// Runs `change` in one transaction with its audit records; commits only when it succeeds.
    pub(crate) fn write<T>(
        &mut self,
        actor: &Actor,
        operation: &str,
        change: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        let changes_before = self.conn.total_changes();
        let scope = WriteScope::open(&mut self.conn)?;
        let tx = scope.conn();
        let written = (|| {
            self.sync.begin(tx)?;
            let mut write = Write {
                tx,
                now,
                audited_at: now,
                actor: &actor.0,
                operation,
                audit_entries: 0,
            };
            let output = change(&mut write)?;
            // A write that changed nothing (a dry run) needs no audit; one that did, must.
            if write.audit_entries == 0 && tx.total_changes() != changes_before {
                return Err(ApiError::internal(&MissingAudit(operation.to_owned())));
            }
            crate::sync::record_before_commit(&mut self.sync, tx, now)?;
            Ok(output)
        })();
        self.sync.end();
        let output = written?;
        scope.commit()?;
        Ok(output)
    }
}

/// One write's transaction, or a savepoint when it runs inside another
/// ([`Book::in_one_transaction`]). Dropped without commit, it rolls back.
enum WriteScope<'c> {
    Transaction(Transaction<'c>),
    Savepoint(rusqlite::Savepoint<'c>),
}

impl<'c> WriteScope<'c> {
    fn open(conn: &'c mut Connection) -> Result<WriteScope<'c>> {
        Ok(if conn.is_autocommit() {
            // Immediate: the write lock is taken (or waited for) before the first read, so a
            // change never starts from a snapshot another process has since written over.
            WriteScope::Transaction(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
        } else {
            WriteScope::Savepoint(conn.savepoint()?)
        })
    }

    fn conn(&self) -> &Connection {
        match self {
            WriteScope::Transaction(tx) => tx,
            WriteScope::Savepoint(savepoint) => savepoint,
        }
    }

    fn commit(self) -> Result<()> {
        match self {
            WriteScope::Transaction(tx) => tx.commit()?,
            WriteScope::Savepoint(savepoint) => savepoint.commit()?,
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a pull would leave a row of {0} naming a row that does not exist")]
struct BrokenReference(String);

#[derive(Debug, thiserror::Error)]
#[error("operation {0} changed the book without an audit record")]
struct MissingAudit(String);

/// Reads a file's header without changing it: `None` for a new book (absent or empty file),
/// its schema version for a Counterfoil book, an error for anything else.
///
/// Only SQLite opens the file, and only read-only: the process may already hold connections
/// to this book, and closing any other descriptor of the file would drop every POSIX lock
/// the process holds on it (SQLite's "How To Corrupt An SQLite Database File", §2.2). SQLite
/// itself keeps its descriptors open until the last connection closes.
fn inspect(path: &Path, latest: u32) -> Result<Option<u32>, OpenError> {
    let not_a_book = || OpenError::NotABook {
        path: path.to_owned(),
    };
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(not_a_book()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(OpenError::Io {
                path: path.to_owned(),
                source,
            })
        }
    }
    // Read-only, and asking SQLite rather than reading the header bytes: a file that is not a
    // database is refused by SQLite before anything is written, and after a crash the newest
    // header may still be in the write-ahead log, not in the main file.
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| OpenError::Sqlite {
        path: path.to_owned(),
        source,
    })?;
    let (application_id, version, objects): (i32, u32, i64) = conn
        .query_row(
            "SELECT (SELECT application_id FROM pragma_application_id),
                    (SELECT user_version FROM pragma_user_version),
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .map_err(|_| not_a_book())?;
    if (application_id, version, objects) == (0, 0, 0) {
        // An empty file, or a book whose creation stopped before its first migration.
        return Ok(None);
    }
    if application_id != APPLICATION_ID {
        return Err(not_a_book());
    }
    if version > latest {
        return Err(OpenError::NewerSchema {
            path: path.to_owned(),
            found: version,
            known: latest,
        });
    }
    Ok(Some(version))
}

/// Whether the book at `path` is open, in this process or in another: SQLite is asked for an
/// exclusive lock on it, without waiting, and lets go at once. For commands that would replace
/// a book's file (`counterfoil demo --force`): replacing it under a connection loses what that
/// connection writes afterwards.
pub fn in_use(path: &Path) -> bool {
    if crate::files::open_book_at(path).is_some() {
        return true;
    }
    if std::fs::symlink_metadata(path).is_err() {
        return false;
    }
    let Ok(conn) = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) else {
        return false;
    };
    // An exclusive lock in WAL mode needs every other connection closed.
    let taken = conn
        .pragma_update(None, "locking_mode", "exclusive")
        .and_then(|()| conn.execute_batch("BEGIN EXCLUSIVE; ROLLBACK;"));
    matches!(
        taken.as_ref().map_err(rusqlite::Error::sqlite_error_code),
        Err(Some(
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        ))
    )
}

/// Copies the book beside itself (SQLite's online backup) before migrations change it.
fn backup_before_migration(
    conn: &Connection,
    path: &Path,
    version: u32,
    now: DateTime<Utc>,
) -> Result<(), OpenError> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(
        ".schema{version}-{}.bak",
        now.format("%Y%m%dT%H%M%SZ")
    ));
    let target = PathBuf::from(name);
    conn.backup(
        rusqlite::MAIN_DB,
        &target,
        None::<fn(rusqlite::backup::Progress)>,
    )
    .map_err(|source| OpenError::Sqlite {
        path: target.clone(),
        source,
    })?;
    tracing::info!(backup = %target.display(), "backed up the book before migrating it");
    Ok(())
}

/// SQLite's busy handler: look again every millisecond, for up to [`BUSY_TIMEOUT`]. SQLite's
/// own timeout backs off to 100 ms sleeps, so a writer in another process that commits day
/// after day (a billing catch-up) would win every time and starve a person's edit; polling
/// this often takes the gap the catch-up leaves between days (see [`Book::yield_to_writers`]).
fn wait_for_the_writer(attempt: i32) -> bool {
    if u128::try_from(attempt).unwrap_or(0) >= BUSY_TIMEOUT.as_millis() {
        return false;
    }
    std::thread::sleep(std::time::Duration::from_millis(1));
    true
}

/// What a new book holds beside its schema, written by an operation's code in the
/// transaction that makes the book (audited as the operation `new_book`).
type NewBook = fn(&mut Write<'_>) -> Result<()>;

/// Applies the migrations the book lacks, each in its own transaction. The version is read
/// inside the transaction: another process opening the same book may have migrated it since
/// this one looked. A new book is made in one transaction, every migration and then `start`:
/// it exists whole or not at all, and exactly one process starts it.
fn migrate(
    conn: &mut Connection,
    migrations: &[&str],
    start: NewBook,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    // A book that is up to date opens without the write lock, so a server restarting while
    // another process bills does not queue behind the billing.
    let version: u32 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version as usize >= migrations.len() {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let Some(sql) = migrations.get(version as usize) else {
            return Ok(()); // up to date (the transaction rolls back: it changed nothing)
        };
        let latest = if version == 0 {
            for sql in migrations {
                tx.execute_batch(sql)?;
            }
            let mut write = Write {
                tx: &tx,
                now,
                audited_at: now,
                actor: "counterfoil",
                operation: "new_book",
                audit_entries: 0,
            };
            start(&mut write)
                .map_err(|error| rusqlite::Error::ToSqlConversionFailure(error.into()))?;
            migrations.len() as u32
        } else {
            tx.execute_batch(sql)?;
            version + 1
        };
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", latest)?;
        tx.commit()?;
    }
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::disallowed_methods)] // reads a book's main file whose connection was leaked
    use super::*;
    use chrono::TimeZone;

    fn clock() -> Clock {
        Clock::simulated(Utc.with_ymd_and_hms(2025, 1, 15, 9, 30, 0).unwrap())
    }

    fn count(book: &Book, table: &str) -> i64 {
        book.reader()
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_book_gets_every_migration_and_safe_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let book = Book::open(&dir.path().join("new.book"), clock()).unwrap();
        let conn = book.reader();
        let pragma = |name: &str| -> String {
            conn.query_row(&format!("PRAGMA {name}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .unwrap()
        };
        assert_eq!(pragma("user_version"), format!("Integer({SCHEMA_VERSION})"));
        assert_eq!(
            pragma("application_id"),
            format!("Integer({APPLICATION_ID})")
        );
        assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        assert_eq!(count(&book, "settings"), 1);
    }

    #[test]
    fn pending_migrations_run_after_a_backup_of_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.book");
        let v1 = "CREATE TABLE notes (text TEXT NOT NULL); INSERT INTO notes VALUES ('kept');";
        let v2 = "ALTER TABLE notes ADD COLUMN extra TEXT;";
        let nothing: NewBook = |_| Ok(());
        drop(Book::open_with(&path, clock(), &[v1], nothing).unwrap());

        let book = Book::open_with(&path, clock(), &[v1, v2], nothing).unwrap();

        let version: u32 = book
            .reader()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 2);
        let backups: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".bak"))
            .collect();
        assert_eq!(backups, ["old.book.schema1-20250115T093000Z.bak"]);
        let backup = Connection::open(dir.path().join(&backups[0])).unwrap();
        let (text, version): (String, u32) = backup
            .query_row(
                "SELECT text, (SELECT user_version FROM pragma_user_version) FROM notes",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((text.as_str(), version), ("kept", 1));
    }

    #[test]
    fn a_book_whose_header_is_still_in_the_wal_after_a_crash_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crashed.book");
        // A process that created the book and died before any checkpoint: the schema and the
        // header (application_id, user_version) are only in the write-ahead log.
        let mut conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "wal").unwrap();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        // As Book::open does: the inserts of a new book call sync's id function.
        let _sync = crate::sync::session::Session::install(&mut conn).unwrap();
        migrate(
            &mut conn,
            MIGRATIONS,
            crate::ops::services::start_tenant,
            clock().now(),
        )
        .unwrap();
        std::mem::forget(conn);
        let main_file = std::fs::read(&path).unwrap();
        assert!(
            main_file.len() < 100 || main_file[68..72] == [0, 0, 0, 0],
            "header not yet in the main file"
        );

        let reopened = Book::open(&path, clock()).unwrap();
        assert_eq!(count(&reopened, "settings"), 1);
    }

    #[test]
    fn a_failed_change_leaves_neither_the_change_nor_an_audit_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut book = Book::open(&dir.path().join("b.book"), clock()).unwrap();
        let (services, audit) = (count(&book, "services"), count(&book, "audit_log"));
        let result: Result<()> = book.write(&Actor::new("test"), "broken", |write| {
            store::catalogue::insert_service(
                write.tx,
                "Half",
                "half",
                "",
                crate::model::BackendVersion::default(),
                write.now,
            )?;
            write.audit("service", Some(1), None::<&()>, Some(&"Half"))?;
            Err(ApiError::invalid_state("refused after writing"))
        });
        assert_eq!(result.unwrap_err().message, "refused after writing");
        assert_eq!(count(&book, "services"), services);
        assert_eq!(count(&book, "audit_log"), audit);
    }

    #[test]
    fn a_change_without_an_audit_record_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut book = Book::open(&dir.path().join("b.book"), clock()).unwrap();
        let services = count(&book, "services");
        let result = book.write(&Actor::new("test"), "sneaky", |write| {
            store::catalogue::insert_service(
                write.tx,
                "Sneaky",
                "sneaky",
                "",
                crate::model::BackendVersion::default(),
                write.now,
            )?;
            Ok(())
        });
        assert_eq!(result.unwrap_err().code, crate::ErrorCode::Internal);
        assert_eq!(count(&book, "services"), services);
    }

    #[test]
    fn a_new_book_starts_like_a_new_3scale_tenant_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenant.book");
        let book = Book::open(&path, clock()).unwrap();
        let services: Vec<(String, String, i64)> = book
            .reader()
            .prepare("SELECT name, system_name, created_at FROM services")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            services,
            [(
                "API".to_owned(),
                "api".to_owned(),
                clock().now().timestamp()
            )]
        );
        let hits: String = book
            .reader()
            .query_row("SELECT system_name FROM metrics", [], |r| r.get(0))
            .unwrap();
        assert_eq!(hits, "hits");
        assert_eq!(count(&book, "accounts"), 0);
        let operation: String = book
            .reader()
            .query_row("SELECT operation FROM audit_log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(operation, "new_book", "the default service is audited");
        drop(book);
        let reopened = Book::open(&path, clock()).unwrap();
        assert_eq!(
            count(&reopened, "services"),
            1,
            "made once, when the book is new"
        );
    }

    /// Books made before schema 10 get each invoice's latest known change as its `updated_at`
    /// and keep their buyers' admin users (with their ids).
    #[test]
    fn schema_10_dates_existing_invoices_and_keeps_admin_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.book");
        let nothing: NewBook = |_| Ok(());
        let old = Book::open_with(&path, clock(), &MIGRATIONS[..8], nothing).unwrap();
        old.reader()
            .execute_batch(
                "INSERT INTO accounts (id, org_name, monthly_billing_enabled,
                    monthly_charging_enabled, created_at, admin_username, admin_email)
                 VALUES (7, 'Acme', 1, 1, 100, 'ann', 'ann@acme.test');
                 INSERT INTO accounts (id, org_name, monthly_billing_enabled,
                    monthly_charging_enabled, created_at)
                 VALUES (8, 'Bare', 1, 1, 100);
                 INSERT INTO invoices (id, account_id, friendly_id, period, state, creation_type,
                    created_at, paid_at) VALUES (1, 7, '2025-01-00000001', '2025-01', 'paid',
                    'manual', 1000, 5000);
                 INSERT INTO invoices (id, account_id, friendly_id, period, state, creation_type,
                    created_at) VALUES (2, 7, '2025-01-00000002', '2025-01', 'open',
                    'manual', 1000);
                 INSERT INTO line_items (invoice_id, name, cost, type, created_at)
                    VALUES (2, 'Setup', 10000, 'manual', 3000);
                 INSERT INTO audit_log (at, actor, operation, entity, entity_id)
                    VALUES (7000, 'test', 'update_invoice', 'invoice', 2);",
            )
            .unwrap();
        drop(old);

        let book = Book::open(&path, clock()).unwrap();

        let updated: Vec<i64> = book
            .reader()
            .prepare("SELECT updated_at FROM invoices ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            updated,
            [5000, 7000],
            "paid_at; the audit log's last change"
        );
        let users: Vec<(i64, i64, String, String)> = book
            .reader()
            .prepare("SELECT id, account_id, username, role FROM buyer_users")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(users, [(7, 7, "ann".to_owned(), "admin".to_owned())]);
        assert_eq!(
            count(&book, "services"),
            0,
            "an existing book gets no service"
        );
    }
}
