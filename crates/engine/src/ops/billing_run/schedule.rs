//! When the billing runs: the days due, one transaction a day, catch-ups and the simulated
//! clock.

use crate::billing_lock::{LockWait, SHORT_WAIT};
use crate::book::{Actor, Book};
use crate::error::{ApiError, Result};
use crate::store;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::*;

/// Every daily job bills as of this hour (UTC) of its date.
const JOB_HOUR: i64 = 8;

/// Runs every daily job not yet completed whose instant (08:00 UTC) is at or before `until`.
pub fn run_billing_until(
    book: &mut Book,
    actor: &Actor,
    until: DateTime<Utc>,
) -> Result<BillingRunReport> {
    run_billing_until_with_progress(book, actor, until, &mut |_, _| {})
}

/// [`run_billing_until`], telling `progress(done_jobs, total_jobs)` before the first job and
/// after each one.
pub fn run_billing_until_with_progress(
    book: &mut Book,
    actor: &Actor,
    until: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<BillingRunReport> {
    if until > book.now() {
        return Err(ApiError::validation(
            "until",
            "The billing run cannot bill a day that has not come yet.",
        ));
    }
    book.with_billing_lock(LockWait::For(SHORT_WAIT), |book| {
        run_holding_lock(book, actor, until, progress, None)
    })
}

/// The run itself. With `clock` (a simulated clock that was at that instant), the clock is
/// moved to each day's job instant before the day is billed.
fn run_holding_lock(
    book: &mut Book,
    actor: &Actor,
    until: DateTime<Utc>,
    progress: &mut dyn FnMut(usize, usize),
    clock: Option<DateTime<Utc>>,
) -> Result<BillingRunReport> {
    // A process that died after a day's job committed but before its charges completed:
    // finish that day's step 7 first (and only then: charging a day again later would
    // stamp today's decisions with that day's instant).
    if let Some(last) = store::billing_run::job_awaiting_charges(book.reader())? {
        charge_day(book, actor, last)?;
    }
    if let Some(last) = store::billing_run::last_job_date(book.reader())? {
        crate::ops::pdfs::make_queued_pdfs(book, actor, job_instant(last))?;
    }
    let dates = pending_job_dates(book, until)?;
    let total = dates.len();
    progress(0, total);
    let mut report = BillingRunReport::default();
    for (done, date) in dates.into_iter().enumerate() {
        if let Some(start) = clock {
            // As the day would have come: its job sees its own morning as "now".
            book.clock().set(job_instant(date).max(start));
        }
        let job = run_job(book, actor, date)
            .map_err(|error| part_way(&report, error, &format!("the job of {date}")))?;
        if let Some(job) = job {
            report.totals.add(&job.counts);
            report.jobs.push(job);
        }
        // Step 7 (charging, §9), after the job's transaction has committed: a charge makes its
        // own transactions around the gateway call.
        charge_day(book, actor, date)
            .map_err(|error| part_way(&report, error, &format!("charging on {date}")))?;
        crate::ops::pdfs::make_queued_pdfs(book, actor, job_instant(date))
            .map_err(|error| part_way(&report, error, &format!("the PDFs of {date}")))?;
        progress(done + 1, total);
        book.yield_to_writers();
    }
    Ok(report)
}

/// A run's failure after some days were billed and committed: what was done, then what failed.
/// A failure before any day keeps its own message ("nothing was changed" is then true).
fn part_way(done: &BillingRunReport, error: ApiError, what: &str) -> ApiError {
    let (Some(first), Some(last)) = (done.jobs.first(), done.jobs.last()) else {
        return error;
    };
    let reason = match error.code {
        crate::ErrorCode::Internal => "an internal error (the details are in the log).".to_owned(),
        _ => error.message,
    };
    let days = done.jobs.len();
    let billed = if days == 1 {
        format!("1 day was billed and kept ({})", first.date)
    } else {
        format!(
            "{days} days were billed and kept ({} to {})",
            first.date, last.date
        )
    };
    ApiError {
        code: error.code,
        message: format!(
            "{billed}; then {what} failed: {reason} Run the billing again to go on from there."
        ),
        field: error.field,
        errors: error.errors,
        reason: error.reason,
    }
}

/// Step 7 of `date`, then the note that it is done.
fn charge_day(book: &mut Book, actor: &Actor, date: NaiveDate) -> Result<()> {
    crate::ops::charging::charge_due_invoices(book, actor, job_instant(date))?;
    book.write(actor, "billing_run", |write| {
        store::billing_run::mark_charged(write.tx, date)?;
        write.audit(
            "billing_job_charges",
            None,
            None::<&()>,
            Some(&format!("{date}: charges done")),
        )
    })
}

/// The days whose daily job is due by `until` and not done yet, oldest first: what a catch-up
/// bills. A shell that shows progress bills them one at a time with [`bill_day`].
pub fn billing_days_due(book: &Book, until: DateTime<Utc>) -> Result<Vec<NaiveDate>> {
    pending_job_dates(book, until)
}

/// Bills `day` (and any earlier day still due) as the daily job of that day would have: one
/// transaction per day, so stopping between two days leaves the book consistent and the rest
/// still due.
///
/// For shells that hold the book while they call it (the desktop, the server): when another
/// process is billing this book it refuses at once (a conflict naming that process) rather
/// than keep the shell's users waiting; the shell tries again a little later.
pub fn bill_day(book: &mut Book, actor: &Actor, day: NaiveDate) -> Result<BillingRunReport> {
    let until = job_instant(day);
    if until > book.now() {
        return Err(ApiError::validation(
            "until",
            "The billing run cannot bill a day that has not come yet.",
        ));
    }
    book.with_billing_lock(LockWait::Refuse, |book| {
        run_holding_lock(book, actor, until, &mut |_, _| {}, None)
    })
}

/// The dates still to bill up to `until`: from the day after the last completed job, or for a
/// book that never ran one, from the day its first application or invoice was created
/// (nothing can be billed or charged before).
fn pending_job_dates(book: &Book, until: DateTime<Utc>) -> Result<Vec<NaiveDate>> {
    if book.sync_role() == crate::sync::Role::Linked {
        // Only the server bills; its jobs reach a linked copy by pull (docs/sync.md).
        return Ok(Vec::new());
    }
    let conn = book.reader();
    let first = match store::billing_run::last_job_date(conn)? {
        Some(last) => last.succ_opt(),
        None => store::billing_run::first_activity(conn)?.map(|at| at.date_naive()),
    };
    let mut dates = Vec::new();
    let mut next = first;
    while let Some(date) = next.filter(|date| job_instant(*date) <= until) {
        dates.push(date);
        next = date.succ_opt();
    }
    Ok(dates)
}

/// A job's instant: its date at 08:00 UTC.
pub(crate) fn job_instant(date: NaiveDate) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc() + Duration::hours(JOB_HOUR)
}

/// Moves a simulated clock forward to `input.to`, running every daily job on the way, as the
/// days would have passed: the clock stands at each day's job instant while that day is
/// billed, and at `to` once every day is. For tests and demos (`counterfoil serve --clock`):
/// a book on the real clock refuses, and the clock never goes back. A failure part-way leaves
/// the clock at the last day billed and says which days were.
pub(crate) fn advance_clock(
    book: &mut Book,
    actor: &Actor,
    input: crate::model::AdvanceClock,
) -> Result<BillingRunReport> {
    if !book.clock().is_simulated() {
        return Err(ApiError::invalid_state(
            "This book runs on the real clock; only a book served with --clock can move it.",
        ));
    }
    let now = book.now();
    if input.to < now {
        return Err(ApiError::validation(
            "to",
            format!(
                "The clock cannot go back: it is already {}.",
                now.to_rfc3339()
            ),
        ));
    }
    if input.to.date_naive() > LAST_BILLABLE_DAY {
        return Err(ApiError::validation(
            "to",
            format!("Counterfoil bills days up to {LAST_BILLABLE_DAY}; nothing was changed."),
        ));
    }
    if input.to - now > Duration::days(MAX_CLOCK_MOVE_DAYS) {
        return Err(ApiError::validation(
            "to",
            format!(
                "The clock moves at most {MAX_CLOCK_MOVE_DAYS} days (ten years) at a time, \
                 billing every day on the way; move it in steps. Nothing was changed."
            ),
        ));
    }
    let run = book.with_billing_lock(LockWait::For(SHORT_WAIT), |book| {
        run_holding_lock(book, actor, input.to, &mut |_, _| {}, Some(now))
    });
    let stands_at = match &run {
        Ok(_) => input.to,
        // At the morning of the last day billed: the days after it are still to bill.
        Err(_) => match store::billing_run::last_job_date(book.reader()) {
            Ok(Some(last)) => job_instant(last).max(now),
            _ => now,
        },
    };
    book.clock().set(stands_at);
    run
}

/// The last day the billing can run: every date a job derives (next periods, due dates) must
/// still be a date of a four-digit year (`Period::LAST` is 9999-12).
pub const LAST_BILLABLE_DAY: NaiveDate = match NaiveDate::from_ymd_opt(9998, 12, 31) {
    Some(day) => day,
    None => NaiveDate::MAX,
};

/// How far one `advance_clock` may move the clock: every day on the way is billed while the
/// caller waits.
const MAX_CLOCK_MOVE_DAYS: i64 = 3_660;

/// What a shell that stays open does next, after one [`catch_up_step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// A day was billed; call again at once for the next.
    Billed(NaiveDate),
    /// Nothing to do until then: the next job instant, or a minute on when another process
    /// is billing (or a failure, logged, waits for the next job instant).
    WaitUntil(DateTime<Utc>),
}

/// Bills the oldest day due by now, if any: a shell that stays open calls it on start and at
/// every job instant until it says to wait. One day at a time, so that the shell can let go
/// of the book between days and answer its users during a long catch-up.
pub fn catch_up_step(book: &mut Book, actor: &Actor) -> CatchUp {
    let now = book.now();
    let due = match billing_days_due(book, now) {
        Ok(due) => due,
        Err(error) => {
            tracing::error!(%error, "the billing run failed; it will be retried");
            return CatchUp::WaitUntil(next_job_instant(now));
        }
    };
    let Some(&day) = due.first() else {
        return CatchUp::WaitUntil(next_job_instant(now));
    };
    match bill_day(book, actor, day) {
        Ok(_) => CatchUp::Billed(day),
        Err(error) if error.code == crate::ErrorCode::Conflict => {
            // Another process bills the book (or holds it busy): look again shortly, so the
            // days it leaves are not left until tomorrow.
            tracing::info!(%error, "not billed now; trying again in a minute");
            CatchUp::WaitUntil(now + Duration::minutes(1))
        }
        Err(error) => {
            tracing::error!(%error, "the billing run failed; it will be retried");
            CatchUp::WaitUntil(next_job_instant(now))
        }
    }
}

/// The first daily job instant strictly after `after`: when a shell that stays open should run
/// the billing again.
pub fn next_job_instant(after: DateTime<Utc>) -> DateTime<Utc> {
    let today = job_instant(after.date_naive());
    if today > after {
        today
    } else {
        today + Duration::days(1)
    }
}
