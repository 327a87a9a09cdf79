//! The dashboard: what needs a finance user's attention today, and when the billing run next
//! issues what they are reviewing (billing-rules.md §7; docs/ui.md).

use super::billing_run::{job_instant, ISSUE_AFTER_HOURS};
use crate::book::Book;
use crate::error::Result;
use crate::model::*;
use crate::store;
use crate::store::dashboard::{Group, Unissued};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use counterfoil_billing as billing;

/// How many invoices to review the dashboard lists (the rest are one click away).
const REVIEW_ITEMS: u32 = 8;

pub(crate) fn dashboard(book: &Book, _: NoInput) -> Result<Dashboard> {
    let conn = book.reader();
    let now = book.now();
    let today = now.date_naive();
    let group = |group: Group| -> Result<AttentionGroup> {
        let nets = store::dashboard::nets(conn, group, today)?;
        Ok(AttentionGroup {
            count: u32::try_from(nets.len()).unwrap_or(u32::MAX),
            total: billing::for_display(
                nets.iter()
                    .map(|(net, rate)| billing::invoice_totals(&[*net], *rate).total)
                    .sum(),
            ),
        })
    };
    let last_job = store::billing_run::last_job_date(conn)?;
    // Every date after the last completed job still gets its job (the run never skips a day).
    let first_pending = last_job.map_or(now.date_naive(), |date| date + Duration::days(1));
    let settings = store::settings::get(conn)?;
    let mode = settings.billing_mode;
    let net_terms = Duration::days(i64::from(settings.net_terms));
    let to_review_items = store::dashboard::unissued(conn, REVIEW_ITEMS)?
        .into_iter()
        .map(|invoice| {
            let issues_on = issue_date(&invoice, mode, first_pending);
            (invoice, issues_on)
        })
        .map(|(invoice, issues_on)| ReviewInvoice {
            issues_on,
            due_on: issues_on.map(|day| day + net_terms),
            total: billing::for_display(
                billing::invoice_totals(&[invoice.net], invoice.vat_rate).total,
            ),
            id: invoice.id,
            friendly_id: invoice.friendly_id,
            account_name: invoice.account_name,
            period: invoice.period,
            state: if invoice.finalized {
                InvoiceState::Finalized
            } else {
                InvoiceState::Open
            },
            creation_type: invoice.creation_type,
        })
        .collect();
    let next_run = if last_job.is_some() {
        job_instant(first_pending)
    } else {
        super::billing_run::next_job_instant(now)
    };
    Ok(Dashboard {
        today,
        to_review: group(Group::ToReview)?,
        to_review_items,
        past_due: group(Group::PastDue)?,
        overdue: group(Group::Overdue)?,
        failed: group(Group::Failed)?,
        credits_due: group(Group::CreditsDue)?,
        last_run: store::dashboard::last_job(conn)?.map(|job| BillingJobSummary {
            date: job.date,
            finished_at: job.finished_at,
            invoices_created: job.invoices_created,
            lines_added: job.lines_added,
            invoices_finalized: job.invoices_finalized,
            invoices_issued: job.invoices_issued,
        }),
        next_run,
    })
}

/// The day the billing run issues `invoice`: the first job at least 46 hours after it is
/// finalized (§7 step 6); an open one is finalized first, by the job of the 1st of the month
/// after its period (postpaid, step 3) or by the next job (prepaid, step 5). None for manual
/// invoices and buyers whose monthly billing is off: the run leaves those alone.
fn issue_date(
    invoice: &Unissued,
    mode: BillingMode,
    first_pending: NaiveDate,
) -> Option<NaiveDate> {
    if invoice.creation_type == CreationType::Manual || !invoice.billing_enabled {
        return None;
    }
    let finalized_at: DateTime<Utc> = match (invoice.finalized, invoice.finalized_at) {
        (true, Some(at)) => at,
        (true, None) => job_instant(first_pending),
        (false, _) => job_instant(match mode {
            BillingMode::Prepaid => first_pending,
            BillingMode::Postpaid => {
                first_of_month_after(invoice.period).max(first_day_one(first_pending))
            }
        }),
    };
    let due = finalized_at + Duration::hours(ISSUE_AFTER_HOURS);
    let mut date = due.date_naive().max(first_pending);
    if job_instant(date) < due {
        date += Duration::days(1);
    }
    Some(date)
}

/// 2025-01 → 2025-02-01.
fn first_of_month_after(period: Period) -> NaiveDate {
    period.next().start().date_naive()
}

/// The first 1st of a month on or after `date`.
fn first_day_one(date: NaiveDate) -> NaiveDate {
    if date.day() == 1 {
        date
    } else {
        NaiveDate::from_ymd_opt(date.year(), date.month(), 1)
            .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
            .unwrap_or(date)
    }
}
