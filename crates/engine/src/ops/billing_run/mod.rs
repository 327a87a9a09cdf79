//! The daily billing run (billing-rules.md §7, §8).
//!
//! A job bills one date D as of D 08:00 UTC ("today" for every rule, passed explicitly), in
//! one book transaction with its `billing_jobs` row and audit records: a crash leaves a job
//! done or not started, and a date with a row is never run again. [`run_billing_until`] runs,
//! in date order, every job whose 08:00 has passed since the last completed one, so a day is
//! never skipped; a catch-up writes what the daily jobs would have written, because a job
//! looks only at what was true at its instant (applications created, plan changes made and
//! cancellations done by then) and stamps what it writes with that instant.

mod job;
mod plan_change;
mod schedule;
mod segments;

use job::run_job;
pub(crate) use job::ISSUE_AFTER_HOURS;
pub(crate) use plan_change::plan_change_bill;
pub use schedule::*;
use segments::*;
pub(crate) use segments::{billable_cost, in_trial_at};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a job (or a whole run) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BillingCounts {
    pub invoices_created: u32,
    /// Invoices that got a line or changed state (created ones included). In a run's totals an
    /// invoice counts once per job that touched it.
    pub invoices_touched: u32,
    pub lines_added: u32,
    pub invoices_finalized: u32,
    pub invoices_issued: u32,
    /// Issued with a total of 0, and so marked paid at once.
    pub invoices_paid: u32,
}

impl BillingCounts {
    fn add(&mut self, other: &BillingCounts) {
        self.invoices_created += other.invoices_created;
        self.invoices_touched += other.invoices_touched;
        self.lines_added += other.lines_added;
        self.invoices_finalized += other.invoices_finalized;
        self.invoices_issued += other.invoices_issued;
        self.invoices_paid += other.invoices_paid;
    }
}

/// One daily job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JobReport {
    /// YYYY-MM-DD; the job billed as of 08:00 UTC that day.
    pub date: String,
    pub counts: BillingCounts,
}

/// A billing run: the jobs it ran, oldest first, and their totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BillingRunReport {
    pub jobs: Vec<JobReport>,
    pub totals: BillingCounts,
}
