//! What the dashboard counts: invoices needing attention and the latest billing job.

use super::{from_epoch, percent_from_e4, period_at};
use crate::model::{CreationType, Id, Period};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;

/// The groups of invoices the dashboard shows (closed set: never user text in the SQL).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Group {
    ToReview,
    /// Issued, not charged or paid, and due before `today`.
    PastDue,
    /// Unpaid: a charge failed, retries go on.
    Overdue,
    Failed,
    CreditsDue,
}

impl Group {
    fn condition(self) -> &'static str {
        match self {
            Group::ToReview => "i.state IN ('open', 'finalized')",
            Group::PastDue => "i.state = 'pending' AND i.due_on < ?1",
            Group::Overdue => "i.state = 'unpaid'",
            Group::Failed => "i.state = 'failed'",
            Group::CreditsDue => "i.state = 'pending' AND i.net < 0",
        }
    }
}

/// Each invoice's exact net and the VAT rate that applies (frozen once issued, the buyer's
/// live rate before), for the group's totals.
pub(crate) fn nets(
    conn: &Connection,
    group: Group,
    today: NaiveDate,
) -> rusqlite::Result<Vec<(Decimal, Option<Decimal>)>> {
    let sql = format!(
        "SELECT i.net, CASE WHEN i.issued_to IS NULL THEN a.vat_rate ELSE i.vat_rate END
         FROM invoices i JOIN accounts a ON a.id = i.account_id
         WHERE {}",
        group.condition()
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let today: &[&dyn rusqlite::ToSql] = match group {
        Group::PastDue => &[&today],
        _ => &[],
    };
    let rows = statement
        .query_map(today, |r| {
            Ok((
                Decimal::new(r.get(0)?, 4),
                r.get::<_, Option<i64>>(1)?.map(percent_from_e4),
            ))
        })?
        .collect();
    rows
}

/// An invoice not issued yet, with what decides when the billing run issues it.
pub(crate) struct Unissued {
    pub id: Id,
    pub friendly_id: String,
    pub account_name: String,
    pub period: Period,
    pub finalized: bool,
    pub creation_type: CreationType,
    pub finalized_at: Option<DateTime<Utc>>,
    pub billing_enabled: bool,
    pub net: Decimal,
    pub vat_rate: Option<Decimal>,
}

/// Open and finalized invoices, finalized first, then by period and id.
pub(crate) fn unissued(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Unissued>> {
    let mut statement = conn.prepare_cached(
        "SELECT i.id, i.friendly_id, a.org_name, i.period, i.state, i.creation_type,
                i.finalized_at, a.monthly_billing_enabled, i.net, a.vat_rate
         FROM invoices i JOIN accounts a ON a.id = i.account_id
         WHERE i.state IN ('open', 'finalized')
         ORDER BY i.state = 'open', i.period, i.id
         LIMIT ?1",
    )?;
    let rows = statement
        .query_map([limit], |r| {
            Ok(Unissued {
                id: Id(r.get(0)?),
                friendly_id: r.get(1)?,
                account_name: r.get(2)?,
                period: period_at(r, 3)?,
                finalized: r.get::<_, String>(4)? == "finalized",
                creation_type: if r.get::<_, String>(5)? == "background" {
                    CreationType::Background
                } else {
                    CreationType::Manual
                },
                finalized_at: r.get::<_, Option<i64>>(6)?.map(from_epoch),
                billing_enabled: r.get(7)?,
                net: Decimal::new(r.get(8)?, 4),
                vat_rate: r.get::<_, Option<i64>>(9)?.map(percent_from_e4),
            })
        })?
        .collect();
    rows
}

/// The latest completed job: date, when it finished, and what it did.
pub(crate) struct LastJob {
    pub date: NaiveDate,
    pub finished_at: DateTime<Utc>,
    pub invoices_created: u32,
    pub lines_added: u32,
    pub invoices_finalized: u32,
    pub invoices_issued: u32,
}

pub(crate) fn last_job(conn: &Connection) -> rusqlite::Result<Option<LastJob>> {
    super::query_row(
        conn,
        "SELECT date, finished_at, invoices_created, lines_added, invoices_finalized,
                invoices_issued
         FROM billing_jobs ORDER BY date DESC LIMIT 1",
        params![],
        |r| {
            Ok(LastJob {
                date: r.get(0)?,
                finished_at: from_epoch(r.get(1)?),
                invoices_created: r.get(2)?,
                lines_added: r.get(3)?,
                invoices_finalized: r.get(4)?,
                invoices_issued: r.get(5)?,
            })
        },
    )
    .optional()
}
