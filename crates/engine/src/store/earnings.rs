//! Earnings by month: sums computed by the database, grouped so that no invoice is loaded.

use super::{percent_from_e4, period_at};
use crate::model::Period;
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;

/// Where an invoice's state puts it in the earnings table (§10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bucket {
    InProcess,
    Overdue,
    Paid,
}

/// Σ line costs of one (period, bucket, VAT rate) group.
pub(crate) struct EarningsGroup {
    pub period: Period,
    pub bucket: Bucket,
    pub vat_rate: Option<Decimal>,
    pub net: Decimal,
}

pub(crate) fn groups(
    conn: &Connection,
    from: Period,
    to: Period,
) -> rusqlite::Result<Vec<EarningsGroup>> {
    // Issued invoices (frozen VAT rate) come summed from `earnings_by_period`, which the store
    // keeps with every invoice change (`keeping_share`); only the invoices not issued yet (open
    // and finalized ones; issuing is what sets issued_on), the current months', are summed here,
    // per buyer from the covering (state, period, account_id, net) index, with the buyer's live
    // rate.
    let mut statement = conn.prepare_cached(
        "SELECT period, bucket, nullif(vat_rate, -1), net
         FROM earnings_by_period
         WHERE period BETWEEN ?1 AND ?2 AND invoices > 0
         UNION ALL
         SELECT o.period, 0, a.vat_rate, sum(o.net)
         FROM (SELECT period, account_id, sum(net) AS net FROM invoices
               WHERE state IN ('open', 'finalized') AND period BETWEEN ?1 AND ?2
               GROUP BY period, account_id) o
         JOIN accounts a ON a.id = o.account_id
         GROUP BY 1, 2, 3",
    )?;
    let groups = statement
        .query_map(params![from.to_string(), to.to_string()], |row| {
            Ok(EarningsGroup {
                period: period_at(row, 0)?,
                bucket: match row.get::<_, i64>(1)? {
                    1 => Bucket::Overdue,
                    2 => Bucket::Paid,
                    _ => Bucket::InProcess,
                },
                vat_rate: row.get::<_, Option<i64>>(2)?.map(percent_from_e4),
                net: Decimal::new(row.get(3)?, 4),
            })
        })?
        .collect();
    groups
}

/// What one invoice adds to `earnings_by_period`: nothing until it is issued, nor once it is
/// cancelled (§10).
#[derive(Debug, PartialEq, Eq)]
struct Share {
    period: String,
    bucket: i64,
    /// -1: no VAT.
    vat_rate: i64,
    net: i64,
}

fn share(conn: &Connection, invoice_id: i64) -> rusqlite::Result<Option<Share>> {
    super::query_row(
        conn,
        "SELECT period,
                CASE WHEN state IN ('unpaid', 'failed') THEN 1 WHEN state = 'paid' THEN 2 ELSE 0 END,
                coalesce(vat_rate, -1), net
         FROM invoices WHERE id = ?1 AND issued_on IS NOT NULL AND state != 'cancelled'",
        [invoice_id],
        |row| {
            Ok(Share {
                period: row.get(0)?,
                bucket: row.get(1)?,
                vat_rate: row.get(2)?,
                net: row.get(3)?,
            })
        },
    )
    .optional()
}

/// Adds (`sign` 1) or takes away (-1) one invoice's share.
fn add_share(conn: &Connection, share: &Share, sign: i64) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "INSERT INTO earnings_by_period (period, bucket, vat_rate, net, invoices)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT DO UPDATE SET net = net + excluded.net, invoices = invoices + excluded.invoices",
        params![share.period, share.bucket, share.vat_rate, share.net * sign, sign],
    )?;
    Ok(())
}

/// Runs `write`, which may change invoice `invoice_id`, and moves the invoice's share of the
/// earnings summary to where the change puts it. Every write to an invoice that is or may be
/// issued goes through here (store/invoices.rs), in the caller's transaction.
pub(crate) fn keeping_share<T>(
    conn: &Connection,
    invoice_id: i64,
    write: impl FnOnce() -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let before = share(conn, invoice_id)?;
    let written = write()?;
    let after = share(conn, invoice_id)?;
    if before != after {
        if let Some(before) = &before {
            add_share(conn, before, -1)?;
        }
        if let Some(after) = &after {
            add_share(conn, after, 1)?;
        }
    }
    Ok(written)
}
