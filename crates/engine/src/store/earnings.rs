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
    // Issued invoices carry their frozen VAT rate (read from the index alone); only the few
    // not issued yet look up their buyer's live rate.
    let mut statement = conn.prepare(
        "SELECT i.period,
                CASE WHEN i.state IN ('unpaid', 'failed') THEN 1
                     WHEN i.state = 'paid' THEN 2 ELSE 0 END,
                i.vat_rate,
                sum(i.net)
         FROM invoices i
         WHERE i.period BETWEEN ?1 AND ?2 AND i.state != 'cancelled' AND i.issued_on IS NOT NULL
         GROUP BY 1, 2, 3
         UNION ALL
         SELECT i.period, 0, a.vat_rate, sum(i.net)
         FROM invoices i JOIN accounts a ON a.id = i.account_id
         WHERE i.period BETWEEN ?1 AND ?2 AND i.state IN ('open', 'finalized')
           AND i.issued_on IS NULL
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
