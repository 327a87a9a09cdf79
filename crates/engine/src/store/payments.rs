//! Charge attempts and manual payments (payment_transactions), and what charging selects.

use super::{from_epoch, to_e4, to_epoch};
use crate::model::Id;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;

/// A charge attempt recorded before the gateway was called and not yet resolved.
pub(crate) struct PendingAttempt {
    pub id: Id,
    pub invoice_id: Id,
    pub idempotency_key: String,
    pub automatic: bool,
    pub amount: Decimal,
    pub currency: String,
    pub created_at: DateTime<Utc>,
}

pub(crate) struct NewAttempt<'a> {
    pub invoice_id: Id,
    pub idempotency_key: &'a str,
    pub attempt: i64,
    pub automatic: bool,
    pub amount: Decimal,
    pub currency: &'a str,
    pub at: DateTime<Utc>,
}

/// How many charge attempts an invoice has had (any outcome, manual or automatic).
pub(crate) fn attempts(conn: &Connection, invoice_id: Id) -> rusqlite::Result<i64> {
    super::query_row(
        conn,
        "SELECT count(*) FROM payment_transactions WHERE invoice_id = ?1 AND kind = 'charge'",
        [invoice_id.0],
        |r| r.get(0),
    )
}

pub(crate) fn insert_pending(conn: &Connection, attempt: &NewAttempt<'_>) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO payment_transactions (id, invoice_id, kind, idempotency_key, attempt,
                                           automatic, amount, currency, status, created_at)
         VALUES (sync_new_id('payment_transactions'), ?1, 'charge', ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
        params![
            attempt.invoice_id.0,
            attempt.idempotency_key,
            attempt.attempt,
            attempt.automatic,
            to_e4(attempt.amount),
            attempt.currency,
            to_epoch(attempt.at)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn pending(conn: &Connection) -> rusqlite::Result<Vec<PendingAttempt>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, invoice_id, idempotency_key, automatic, amount, currency, created_at
         FROM payment_transactions WHERE status = 'pending' ORDER BY id",
    )?;
    let rows = statement
        .query_map([], |row| {
            Ok(PendingAttempt {
                id: Id(row.get(0)?),
                invoice_id: Id(row.get(1)?),
                idempotency_key: row.get(2)?,
                automatic: row.get(3)?,
                amount: Decimal::new(row.get(4)?, 4),
                currency: row.get(5)?,
                created_at: from_epoch(row.get(6)?),
            })
        })?
        .collect();
    rows
}

/// Whether an attempt on the invoice is recorded and not yet resolved: a charge in flight (in
/// this process or another) or one a crash interrupted.
pub(crate) fn has_pending(conn: &Connection, invoice_id: Id) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM payment_transactions
                        WHERE invoice_id = ?1 AND kind = 'charge' AND status = 'pending')",
        [invoice_id.0],
        |r| r.get(0),
    )
}

/// Whether the invoice had a charge attempt after `since`.
pub(crate) fn attempted_after(
    conn: &Connection,
    invoice_id: Id,
    since: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM payment_transactions
                        WHERE invoice_id = ?1 AND kind = 'charge' AND created_at > ?2)",
        params![invoice_id.0, to_epoch(since)],
        |r| r.get(0),
    )
}

/// Records a pending attempt's outcome, a change of its invoice at `at`; false when it was
/// resolved already (by another process that completed the same attempt).
pub(crate) fn resolve(
    conn: &Connection,
    id: Id,
    success: bool,
    reference: &str,
    message: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<bool> {
    let changed = super::execute(
        conn,
        "UPDATE payment_transactions SET status = ?2, reference = ?3, message = ?4
         WHERE id = ?1 AND status = 'pending'",
        params![
            id.0,
            if success { "succeeded" } else { "failed" },
            reference,
            message
        ],
    )?;
    if changed == 1 {
        super::execute(
            conn,
            "UPDATE invoices SET updated_at = ?2
             WHERE id = (SELECT invoice_id FROM payment_transactions WHERE id = ?1)",
            params![id.0, to_epoch(at)],
        )?;
    }
    Ok(changed == 1)
}

pub(crate) fn insert_manual_payment(
    conn: &Connection,
    invoice_id: Id,
    amount: Decimal,
    currency: &str,
    reference: &str,
    at: DateTime<Utc>,
) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO payment_transactions (id, invoice_id, kind, amount, currency, status,
                                           reference, message, created_at)
         VALUES (sync_new_id('payment_transactions'), ?1, 'manual', ?2, ?3, 'succeeded', ?4, 'Marked as paid', ?5)",
        params![
            invoice_id.0,
            to_e4(amount),
            currency,
            reference,
            to_epoch(at)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn retries(conn: &Connection, invoice_id: Id) -> rusqlite::Result<i64> {
    super::query_row(
        conn,
        "SELECT charging_retries FROM invoices WHERE id = ?1",
        [invoice_id.0],
        |r| r.get(0),
    )
}

pub(crate) fn set_retries(
    conn: &Connection,
    invoice_id: Id,
    retries: i64,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE invoices SET charging_retries = ?2, updated_at = ?3 WHERE id = ?1",
        params![invoice_id.0, retries, to_epoch(at)],
    )?;
    Ok(())
}

/// Invoices the daily run charges on `today` (§7 step 7): pending or unpaid, due on or before
/// today, a positive total, charging enabled for the buyer, and no attempt in the last 3 days.
pub(crate) fn due_for_charging(
    conn: &Connection,
    today: NaiveDate,
    attempted_before: DateTime<Utc>,
) -> rusqlite::Result<Vec<Id>> {
    let mut statement = conn.prepare_cached(
        "SELECT i.id FROM invoices i JOIN accounts a ON a.id = i.account_id
         WHERE i.state IN ('pending', 'unpaid') AND i.due_on <= ?1
           AND a.monthly_charging_enabled = 1
           AND i.net > 0
           AND NOT EXISTS (SELECT 1 FROM payment_transactions p
                           WHERE p.invoice_id = i.id AND p.kind = 'charge'
                             AND p.created_at > ?2)
         ORDER BY i.id",
    )?;
    let ids = statement
        .query_map(
            params![
                today.format("%Y-%m-%d").to_string(),
                to_epoch(attempted_before)
            ],
            |r| Ok(Id(r.get(0)?)),
        )?
        .collect();
    ids
}

/// The card on file of an invoice's buyer.
pub(crate) fn card_of_invoice(
    conn: &Connection,
    invoice_id: Id,
) -> rusqlite::Result<Option<crate::model::Card>> {
    super::query_row(
        conn,
        "SELECT a.card_last4, a.card_expiry_month, a.card_expiry_year, a.card_gateway_reference
         FROM invoices i JOIN accounts a ON a.id = i.account_id WHERE i.id = ?1",
        [invoice_id.0],
        |row| {
            Ok(match row.get::<_, Option<String>>(0)? {
                Some(last4) => Some(crate::model::Card {
                    last4,
                    expiry_month: row.get(1)?,
                    expiry_year: row.get(2)?,
                    gateway_reference: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
                }),
                None => None,
            })
        },
    )
    .optional()
    .map(Option::flatten)
}
