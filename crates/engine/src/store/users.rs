//! People who sign in over HTTP: their argon2id hashes, scopes and permission.

use super::tokens::{permission_from_sql, permission_sql, scopes_from_sql, scopes_sql};
use super::{from_epoch, to_epoch};
use crate::model::{Id, User};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, username, scopes, permission, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: Id(row.get(0)?),
        username: row.get(1)?,
        scopes: scopes_from_sql(&row.get::<_, String>(2)?),
        permission: permission_from_sql(&row.get::<_, String>(3)?),
        created_at: from_epoch(row.get(4)?),
    })
}

pub(crate) fn insert(conn: &Connection, user: &User, password_hash: &str) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO users (username, password_hash, scopes, permission, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            user.username,
            password_hash,
            scopes_sql(&user.scopes),
            permission_sql(user.permission),
            to_epoch(user.created_at)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

/// The user with this username (case-insensitive) and their password hash.
pub(crate) fn by_username(
    conn: &Connection,
    username: &str,
) -> rusqlite::Result<Option<(User, String)>> {
    super::query_row(
        conn,
        &format!("SELECT {COLUMNS}, password_hash FROM users WHERE username = ?1"),
        [username],
        |row| Ok((from_row(row)?, row.get(5)?)),
    )
    .optional()
}

/// Every user, by id.
pub(crate) fn list(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let mut statement = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users ORDER BY id"))?;
    let rows = statement.query_map([], from_row)?.collect();
    rows
}

pub(crate) fn count(conn: &Connection) -> rusqlite::Result<i64> {
    super::query_row(conn, "SELECT count(*) FROM users", [], |row| row.get(0))
}
