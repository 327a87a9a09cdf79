//! Several desktops, one set of books (docs/sync.md). A server book (`counterfoil serve`) is
//! the one authority: desktops send it the operations of the list they ran on their own
//! linked copy ([`desktop`]), it runs them in one order and answers what became of each
//! ([`server::push`]), and desktops pull back the rows that changed ([`server::pull`]),
//! replacing their own effects with the server's and applying again what is still waiting.

pub mod desktop;
pub mod protocol;
pub mod server;
pub(crate) mod session;
pub(crate) mod tables;

use crate::book::{Actor, Book};
use crate::error::{ApiError, Result};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// What a book is to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Bills itself and numbers its own invoices; nothing is recorded for sync.
    Standalone,
    /// The book `counterfoil serve` shares: it keeps a feed of its changes.
    Server,
    /// A desktop's copy of a server's book, with the changes made here waiting for it.
    Linked,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Standalone => "standalone",
            Role::Server => "server",
            Role::Linked => "linked",
        }
    }

    fn parse(text: &str) -> Role {
        match text {
            "server" => Role::Server,
            "linked" => Role::Linked,
            _ => Role::Standalone,
        }
    }
}

/// Whether a book holds anything a person made (beyond what every new book holds).
pub(crate) fn has_data(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM invoices)
             OR EXISTS (SELECT 1 FROM plans) OR EXISTS (SELECT 1 FROM usage_records)",
        [],
        |row| row.get(0),
    )?)
}

/// The book's role; standalone for a schema from before sync (tests open such books).
pub(crate) fn read_role(conn: &Connection) -> rusqlite::Result<Role> {
    use rusqlite::OptionalExtension;
    let exists: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(Role::Standalone);
    }
    let role: String = conn.query_row("SELECT role FROM sync_state WHERE id = 1", [], |row| {
        row.get(0)
    })?;
    Ok(Role::parse(&role))
}

impl Book {
    /// What this book is to sync.
    pub fn sync_role(&self) -> Role {
        self.sync.role
    }

    /// Makes this book a server (what `counterfoil serve` does on start): from now on every
    /// change it commits is written to its feed, for desktops to pull. A linked book is a
    /// desktop's copy and is refused: unlink it first.
    pub fn become_server(&mut self, actor: &Actor) -> Result<()> {
        match self.sync.role {
            Role::Server => Ok(()),
            Role::Linked => Err(ApiError::invalid_state(
                "This book is a desktop's copy of another server's book; unlink it \
                 (counterfoil sync unlink) before serving it.",
            )),
            Role::Standalone => self.set_role(actor, Role::Server),
        }
    }

    /// Changes the book's role, audited.
    pub(crate) fn set_role(&mut self, actor: &Actor, role: Role) -> Result<()> {
        let before = self.sync.role;
        self.sync.applying = true; // bookkeeping, not a person's change to replicate
        let written = self.write(actor, "sync_role", |write| {
            crate::store::execute(
                write.tx,
                "UPDATE sync_state SET role = ?1 WHERE id = 1",
                [role.as_str()],
            )?;
            write.audit(
                "sync",
                None,
                Some(&serde_json::json!({ "role": before })),
                Some(&serde_json::json!({ "role": role })),
            )
        });
        self.sync.applying = false;
        written?;
        self.sync.set_role(role);
        Ok(())
    }
}

/// What a write records for sync before it commits, in its own transaction (so a change and
/// its record exist together or not at all):
/// - on a server, the rows it changed, as one entry of the feed; then what the push of a
///   desktop's entry records of it ([`session::BeforeCommit`]);
/// - on a linked desktop, the rows it changed (for the next pull to replace with the
///   server's) and, for a person's change, its outbox entry.
pub(crate) fn record_before_commit(
    session: &mut session::Session,
    tx: &rusqlite::Connection,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let changes = session.changes();
    match session.role {
        Role::Standalone => Ok(()),
        Role::Server => {
            if !changes.is_empty() {
                server::append_to_feed(tx, &changes)?;
            }
            match session.before_commit.take() {
                Some(record) => record(tx, &changes),
                None => Ok(()),
            }
        }
        Role::Linked if session.applying => Ok(()),
        Role::Linked => {
            let Some(capture) = session.capture.clone() else {
                if changes.is_empty() {
                    return Ok(());
                }
                return Err(ApiError::invalid_state(
                    "A linked book changes only through the operations of the list, which \
                     sync sends to the server; this change was not made.",
                ));
            };
            desktop::record_entry(tx, session, &capture, &changes, now)
        }
    }
}
