//! Earnings by month: sums computed by the database, grouped so that no invoice is loaded.

use super::percent_from_e4;
use rusqlite::{params, Connection};
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
    pub period: String,
    pub bucket: Bucket,
    pub vat_rate: Option<Decimal>,
    pub net: Decimal,
}

pub(crate) fn groups(
    conn: &Connection,
    from: &str,
    to: &str,
) -> rusqlite::Result<Vec<EarningsGroup>> {
    // Issued invoices (frozen VAT rate) come summed from `earnings_by_period`, which triggers
    // keep with every invoice change (migration 0004); only the invoices not issued yet (open
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
        .query_map(params![from, to], |row| {
            Ok(EarningsGroup {
                period: row.get(0)?,
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
