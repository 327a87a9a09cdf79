//! Personal access tokens: their digests, scopes and permission.

use super::{from_epoch, to_epoch};
use crate::model::{AccessToken, Id, Permission, Scope};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, name, scopes, permission, expires_at, created_at";

pub(crate) fn scopes_sql(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|scope| match scope {
            Scope::AccountManagement => "account_management",
            Scope::Finance => "finance",
            Scope::Cms => "cms",
            Scope::Stats => "stats",
            Scope::PolicyRegistry => "policy_registry",
            Scope::Sync => "sync",
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn scopes_from_sql(text: &str) -> Vec<Scope> {
    text.split_whitespace()
        .filter_map(|scope| match scope {
            "account_management" => Some(Scope::AccountManagement),
            "finance" => Some(Scope::Finance),
            "cms" => Some(Scope::Cms),
            "stats" => Some(Scope::Stats),
            "policy_registry" => Some(Scope::PolicyRegistry),
            "sync" => Some(Scope::Sync),
            _ => None,
        })
        .collect()
}

pub(crate) fn permission_sql(permission: Permission) -> &'static str {
    match permission {
        Permission::Ro => "ro",
        Permission::Rw => "rw",
    }
}

pub(crate) fn permission_from_sql(text: &str) -> Permission {
    if text == "rw" {
        Permission::Rw
    } else {
        Permission::Ro
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<AccessToken> {
    Ok(AccessToken {
        id: Id(row.get(0)?),
        name: row.get(1)?,
        scopes: scopes_from_sql(&row.get::<_, String>(2)?),
        permission: permission_from_sql(&row.get::<_, String>(3)?),
        expires_at: row.get::<_, Option<i64>>(4)?.map(from_epoch),
        created_at: from_epoch(row.get(5)?),
        expired: false, // by the book's clock: ops::tokens sets it
    })
}

pub(crate) fn insert(conn: &Connection, token: &AccessToken, digest: &str) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO access_tokens (name, digest, scopes, permission, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            token.name,
            digest,
            scopes_sql(&token.scopes),
            permission_sql(token.permission),
            token.expires_at.map(to_epoch),
            to_epoch(token.created_at)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn get(conn: &Connection, id: Id) -> rusqlite::Result<Option<AccessToken>> {
    super::query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM access_tokens WHERE id = ?1"),
        [id.0],
        from_row,
    )
    .optional()
}

pub(crate) fn by_digest(conn: &Connection, digest: &str) -> rusqlite::Result<Option<AccessToken>> {
    super::query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM access_tokens WHERE digest = ?1"),
        [digest],
        from_row,
    )
    .optional()
}

/// Every token whose name contains `name` (case-insensitive, ASCII), by id.
pub(crate) fn list(conn: &Connection, name: Option<&str>) -> rusqlite::Result<Vec<AccessToken>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM access_tokens
         WHERE ?1 IS NULL OR instr(lower(name), lower(?1)) > 0 ORDER BY id"
    ))?;
    let rows = statement.query_map([name], from_row)?.collect();
    rows
}

pub(crate) fn delete(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    super::execute(conn, "DELETE FROM access_tokens WHERE id = ?1", [id.0])?;
    Ok(())
}

/// Tokens past their expiry are refused, not deleted: the list still shows them.
pub(crate) fn is_expired(token: &AccessToken, now: DateTime<Utc>) -> bool {
    token.expires_at.is_some_and(|expires| expires <= now)
}
