//! People who sign in over HTTP: their argon2id hashes, scopes and permission, whether they
//! are disabled, their failed sign-ins, and the version of their credentials (sessions opened
//! with an older one have ended).

use super::tokens::{permission_from_sql, permission_sql, scopes_from_sql, scopes_sql};
use super::{from_epoch, to_epoch};
use crate::model::{Id, User};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str =
    "id, username, scopes, permission, created_at, disabled, failed_sign_ins, locked_until";

fn from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: Id(row.get(0)?),
        username: row.get(1)?,
        scopes: scopes_from_sql(&row.get::<_, String>(2)?),
        permission: permission_from_sql(&row.get::<_, String>(3)?),
        created_at: from_epoch(row.get(4)?),
        disabled: row.get(5)?,
        failed_sign_ins: row.get(6)?,
        locked_until: row.get::<_, Option<i64>>(7)?.map(from_epoch),
    })
}

/// What a sign-in needs of a user besides the user: the password hash and the credentials'
/// version.
pub(crate) struct Credentials {
    pub(crate) user: User,
    pub(crate) password_hash: String,
    pub(crate) version: i64,
}

pub(crate) fn insert(conn: &Connection, user: &User, password_hash: &str) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO users (username, password_hash, scopes, permission, created_at, disabled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            user.username,
            password_hash,
            scopes_sql(&user.scopes),
            permission_sql(user.permission),
            to_epoch(user.created_at),
            user.disabled,
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

/// The user with this username (case-insensitive) and their credentials.
pub(crate) fn by_username(
    conn: &Connection,
    username: &str,
) -> rusqlite::Result<Option<Credentials>> {
    super::query_row(
        conn,
        &format!(
            "SELECT {COLUMNS}, password_hash, credentials_version FROM users WHERE username = ?1"
        ),
        [username],
        credentials,
    )
    .optional()
}

/// The user with this id and their credentials.
pub(crate) fn credentials_of(conn: &Connection, id: Id) -> rusqlite::Result<Option<Credentials>> {
    super::query_row(
        conn,
        &format!("SELECT {COLUMNS}, password_hash, credentials_version FROM users WHERE id = ?1"),
        [id.0],
        credentials,
    )
    .optional()
}

fn credentials(row: &Row<'_>) -> rusqlite::Result<Credentials> {
    Ok(Credentials {
        user: from_row(row)?,
        password_hash: row.get(8)?,
        version: row.get(9)?,
    })
}

pub(crate) fn get(conn: &Connection, id: Id) -> rusqlite::Result<Option<User>> {
    super::query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()
}

/// Every user, by id.
pub(crate) fn list(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users ORDER BY id"))?;
    let rows = statement.query_map([], from_row)?.collect();
    rows
}

pub(crate) fn delete(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    super::execute(conn, "DELETE FROM users WHERE id = ?1", [id.0])?;
    Ok(())
}

/// Disables (which ends the user's sessions) or enables a user.
pub(crate) fn set_disabled(conn: &Connection, id: Id, disabled: bool) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE users SET disabled = ?2,
                credentials_version = credentials_version + (?2 AND NOT disabled)
         WHERE id = ?1",
        params![id.0, disabled],
    )?;
    Ok(())
}

/// A new password: the user's sessions end, and the failed sign-ins are forgiven.
pub(crate) fn set_password(conn: &Connection, id: Id, password_hash: &str) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE users SET password_hash = ?2, credentials_version = credentials_version + 1,
                failed_sign_ins = 0, locked_until = NULL
         WHERE id = ?1",
        params![id.0, password_hash],
    )?;
    Ok(())
}

/// The user's failed sign-ins and the instant until which sign-ins are refused.
pub(crate) fn set_sign_in_attempts(
    conn: &Connection,
    id: Id,
    failed_sign_ins: u32,
    locked_until: Option<DateTime<Utc>>,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE users SET failed_sign_ins = ?2, locked_until = ?3 WHERE id = ?1",
        params![id.0, failed_sign_ins, locked_until.map(to_epoch)],
    )?;
    Ok(())
}
