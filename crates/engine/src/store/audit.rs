use crate::model::{AuditRecord, Id, ListAudit, Page};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

/// One change, written in its operation's transaction.
pub(crate) struct Entry {
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub(crate) fn insert(
    conn: &Connection,
    at: DateTime<Utc>,
    actor: &str,
    operation: &str,
    entry: &Entry,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "INSERT INTO audit_log (id, at, actor, operation, entity, entity_id, before, after)
         VALUES (sync_new_id('audit_log'), ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            super::to_epoch(at),
            actor,
            operation,
            entry.entity,
            entry.entity_id,
            entry.before,
            entry.after
        ],
    )?;
    Ok(())
}

pub(crate) fn list(conn: &Connection, filter: &ListAudit) -> rusqlite::Result<Page<AuditRecord>> {
    let (limit, offset) = super::limit_offset(&filter.paging());
    let entity_id = filter.entity_id.map(|id| id.0);
    let filter_sql =
        "FROM audit_log WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_id = ?2)";
    let total = super::query_row(
        conn,
        &format!("SELECT count(*) {filter_sql}"),
        params![filter.entity, entity_id],
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT id, at, actor, operation, entity, entity_id, before, after {filter_sql}
         ORDER BY id DESC LIMIT ?3 OFFSET ?4"
    ))?;
    let items = statement
        .query_map(params![filter.entity, entity_id, limit, offset], |row| {
            let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
            Ok(AuditRecord {
                id: Id(row.get(0)?),
                at: super::from_epoch(row.get(1)?),
                actor: row.get(2)?,
                operation: row.get(3)?,
                entity: row.get(4)?,
                entity_id: row.get::<_, Option<i64>>(5)?.map(Id),
                before: json(row.get(6)?),
                after: json(row.get(7)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page {
        items,
        page: filter.paging().page.max(1),
        per_page: limit as u32,
        total,
    })
}
