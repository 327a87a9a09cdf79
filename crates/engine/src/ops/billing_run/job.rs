//! One day's job (§7): what it bills for each buyer, in one transaction.

use crate::book::{Actor, Book, Write};
use crate::error::{ApiError, Result};
use crate::model::{
    Application, BillingMode, CreationType, Id, InvoiceState, LineItem, LineItemType, Metric,
    Numbering, Plan,
};
use crate::ops::invoice_view::{invoice_row, invoice_total};
use crate::ops::invoices::{apply_transition, new_invoice_numbered};
use crate::store;
use crate::store::billing_run::{JobRow, PlanHistoryEntry};
use crate::store::invoices::NewLineItem;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use counterfoil_billing::{self as billing, Period};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::*;

/// A finalized invoice is issued by the first job at least this long after (§7 step 6): the
/// job two days later, with room for a job that ran a little late.
pub(crate) const ISSUE_AFTER_HOURS: i64 = 46;

/// Runs one job in one transaction; `None` when the date was already done.
pub(super) fn run_job(
    book: &mut Book,
    actor: &Actor,
    date: NaiveDate,
) -> Result<Option<JobReport>> {
    if store::billing_run::job_done(book.reader(), date)? {
        return Ok(None);
    }
    let clock = book.clock().clone();
    let started_at = clock.now();
    let report = book.write(actor, "billing_run", |write| {
        if store::billing_run::job_done(write.tx, date)? {
            return Err(ApiError::conflict(format!(
                "The billing job of {date} was run by someone else meanwhile; nothing was \
                 changed. Run the billing again to continue."
            )));
        }
        let today = job_instant(date);
        // Everything the job writes (invoices, lines, state changes, issue dates) carries the
        // job's instant, as if it had run on time; the audit log keeps the real time.
        write.now = today;
        let settings = store::settings::get(write.tx)?;
        let mut job = Job {
            write,
            date,
            today,
            month: Period::of(today),
            floor: Period::of(today - Duration::days(1)).start(),
            mode: settings.billing_mode,
            numbering: settings.numbering,
            catalogue: Catalogue::default(),
            counts: BillingCounts::default(),
            touched: BTreeSet::new(),
            targets: HashMap::new(),
            unsettled: BTreeMap::new(),
        };
        for account_id in store::billing_run::billed_accounts(job.write.tx)? {
            job.bill_account(account_id)?;
            job.settle_lines()?;
        }
        let mut counts = job.counts;
        counts.invoices_touched = count(job.touched.len());
        let report = JobReport {
            date: date.format("%Y-%m-%d").to_string(),
            counts,
        };
        store::billing_run::insert_job(
            write.tx,
            &JobRow {
                date,
                started_at,
                finished_at: clock.now(),
                invoices_created: report.counts.invoices_created,
                invoices_touched: report.counts.invoices_touched,
                lines_added: report.counts.lines_added,
                invoices_finalized: report.counts.invoices_finalized,
                invoices_issued: report.counts.invoices_issued,
                invoices_paid: report.counts.invoices_paid,
            },
        )?;
        write.audit("billing_job", None, None::<&JobReport>, Some(&report))?;
        Ok(report)
    })?;
    Ok(Some(report))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One job in progress, inside its transaction.
struct Job<'a, 't> {
    write: &'a mut Write<'t>,
    date: NaiveDate,
    /// The job's instant, D 08:00 UTC: "now" for every rule.
    today: DateTime<Utc>,
    /// The month of `today`.
    month: Period,
    /// Fixed fees and plan changes are billed from this instant on, never for earlier months:
    /// the start of the month of the previous job (the previous month on day 1, else this
    /// month). Only matters after billing was disabled for a buyer: the months it was off are
    /// not billed back.
    floor: DateTime<Utc>,
    mode: BillingMode,
    numbering: Numbering,
    catalogue: Catalogue,
    counts: BillingCounts,
    touched: BTreeSet<Id>,
    /// The open invoice lines go to, per (buyer, period), while the job bills that buyer.
    targets: HashMap<(Id, Period), Id>,
    /// Lines added per invoice whose cost is not yet in the invoice's stored net nor in the
    /// audit log (see `settle_lines`).
    unsettled: BTreeMap<Id, Vec<LineItem>>,
}

impl Job<'_, '_> {
    fn bill_account(&mut self, account_id: Id) -> Result<()> {
        self.targets.clear();
        let previous = self.month.previous();
        let apps = store::billing_run::billed_applications(
            self.write.tx,
            account_id,
            self.today,
            previous.start(),
        )?;
        let mut histories = if apps.is_empty() {
            HashMap::new()
        } else {
            store::billing_run::plan_histories(self.write.tx, account_id)?
        };
        let mut subscriptions: Vec<Subscription> = apps
            .into_iter()
            .map(|app| {
                let history = histories.remove(&app.id).unwrap_or_default();
                Subscription { app, history }
            })
            .collect();

        // Step 1, every day: first billing of new applications and ended trials; and the rest of
        // the current month for applications behind it (billing was switched off and on
        // again). For everyone else the month's fee is already billed and this adds nothing.
        // Day 1 bills the month's fee in its own step, after finalizing.
        for subscription in &mut subscriptions {
            self.bill_first_fixed_fee(account_id, subscription)?;
            if self.today.day() != 1 {
                self.bill_month_fixed_fee(account_id, subscription)?;
            }
        }
        // §8: plan changes since the last job (before any finalizing, so a change on the last
        // day of a month still reaches that month's invoice).
        for subscription in &mut subscriptions {
            self.bill_plan_changes(account_id, subscription)?;
        }
        if self.today.day() == 1 {
            match self.mode {
                BillingMode::Postpaid => {
                    for subscription in &mut subscriptions {
                        self.bill_variable_costs(account_id, subscription, previous, previous)?;
                    }
                    self.finalize(account_id, Some(self.month))?;
                    for subscription in &mut subscriptions {
                        self.bill_month_fixed_fee(account_id, subscription)?;
                    }
                }
                BillingMode::Prepaid => {
                    for subscription in &mut subscriptions {
                        self.bill_month_fixed_fee(account_id, subscription)?;
                    }
                    for subscription in &mut subscriptions {
                        self.bill_variable_costs(account_id, subscription, previous, self.month)?;
                    }
                }
            }
        }
        if self.mode == BillingMode::Prepaid {
            self.finalize(account_id, None)?;
        }
        self.issue(account_id)?;
        // Step 7 (charging) runs after this transaction: see run_billing_until_with_progress.
        Ok(())
    }

    /// The cancellation, when it happened by the job's instant.
    fn cancelled_by_today(&self, app: &Application) -> Option<DateTime<Utc>> {
        app.cancelled_at
            .filter(|cancelled| *cancelled <= self.today)
    }

    /// Step 1: an application never billed whose billing has started (signup, or end of the
    /// trial) gets its fixed fee in whole days from 00:00 of that day to the month's end, and
    /// its setup fee.
    fn bill_first_fixed_fee(&mut self, account_id: Id, sub: &mut Subscription) -> Result<()> {
        if sub.app.paid_until.is_some() {
            return Ok(());
        }
        let start = sub.billing_start();
        let cancelled = self.cancelled_by_today(&sub.app);
        if start > self.today || cancelled.is_some_and(|cancelled| cancelled < start) {
            // Still in its trial, or cancelled during it: never billed.
            return Ok(());
        }
        let from = day_start(start).max(self.floor);
        let to = until_cancelled(Period::of(from).end(), cancelled);
        let plan = self.plan(sub.plan_at(start.max(from)))?;
        let pieces = billing::prorate_days(plan.cost_per_month, from, to);
        self.add_fixed_fee_lines(account_id, &sub.app, &plan, &pieces)?;
        if !sub.app.setup_fee_billed {
            self.add_setup_fee(account_id, &sub.app, &plan, Period::of(from))?;
        }
        self.update_application(sub, |app| {
            app.paid_until = Some(to);
            app.setup_fee_billed = true;
        })
    }

    /// Steps 2–4 on day 1 (and step 1 for an application behind the month): the current
    /// month's fixed fee for the part not yet billed.
    fn bill_month_fixed_fee(&mut self, account_id: Id, sub: &mut Subscription) -> Result<()> {
        let Some(paid_until) = sub.app.paid_until else {
            // Never billed: step 1 bills it once its trial is over.
            return Ok(());
        };
        if sub.in_trial_at(self.today) {
            return Ok(());
        }
        let from = second_after(paid_until).max(self.month.start());
        let to = until_cancelled(self.month.end(), self.cancelled_by_today(&sub.app));
        if from > to {
            return Ok(());
        }
        let plan = self.plan(sub.plan_at(from))?;
        let pieces = billing::prorate_seconds(plan.cost_per_month, from, to);
        self.add_fixed_fee_lines(account_id, &sub.app, &plan, &pieces)?;
        self.update_application(sub, |app| app.paid_until = Some(to))
    }

    /// §8: bills the plan changes made since the last job, oldest first, and marks them.
    fn bill_plan_changes(&mut self, account_id: Id, sub: &mut Subscription) -> Result<()> {
        let changes: Vec<PlanHistoryEntry> = sub
            .history
            .iter()
            .filter(|entry| {
                entry.from_plan_id.is_some() && !entry.billed && entry.changed_at <= self.today
            })
            .cloned()
            .collect();
        for change in changes {
            // Nothing is billed for a change during the trial, nor for one in a month that is
            // no longer billed (billing was disabled then).
            if change.changed_at >= self.floor && !sub.in_trial_at(change.changed_at) {
                self.bill_plan_change(account_id, sub, &change)?;
            }
            store::billing_run::mark_plan_change_billed(self.write.tx, change.id, self.date)?;
            if let Some(entry) = sub.history.iter_mut().find(|e| e.id == change.id) {
                entry.billed = true;
            }
        }
        Ok(())
    }

    fn bill_plan_change(
        &mut self,
        account_id: Id,
        sub: &mut Subscription,
        change: &PlanHistoryEntry,
    ) -> Result<()> {
        let Some(old_plan_id) = change.from_plan_id else {
            return Ok(());
        };
        let old = self.plan(old_plan_id)?;
        let new = self.plan(change.to_plan_id)?;
        let at = change.changed_at;
        let cancelled = self.cancelled_by_today(&sub.app);
        let bill = plan_change_bill(self.mode, &sub.app, &old, &new, at, cancelled);
        for (period, line) in bill.lines {
            self.add_line(account_id, period, line)?;
        }
        self.update_application(sub, |app| {
            app.paid_until = Some(bill.paid_until);
            app.setup_fee_billed = true;
        })
    }

    /// Variable costs of `usage_period` not yet billed, priced per plan segment, on the
    /// invoice of `invoice_period`.
    fn bill_variable_costs(
        &mut self,
        account_id: Id,
        sub: &mut Subscription,
        usage_period: Period,
        invoice_period: Period,
    ) -> Result<()> {
        let app = &sub.app;
        let mut from = usage_period.start().max(app.created_at);
        if let Some(trial_end) = app.trial_ends_at {
            // Usage during a trial is never billed.
            from = from.max(trial_end);
        }
        if let Some(billed) = app.usage_billed_until {
            from = from.max(second_after(billed));
        }
        let to = until_cancelled(usage_period.end(), self.cancelled_by_today(app));
        if from > to {
            return Ok(());
        }
        let mut lines = Vec::new();
        for segment in sub.segments(from, to) {
            lines.extend(self.segment_lines(app, &segment)?);
        }
        // Most expensive first; a stable sort keeps segments and metrics in order on ties.
        lines.sort_by_key(|line| std::cmp::Reverse(line.cost));
        for line in lines {
            self.add_line(account_id, invoice_period, line)?;
        }
        self.update_application(sub, |app| app.usage_billed_until = Some(to))
    }

    /// One line per metric with a non-zero cost under the segment's plan; a method's usage
    /// also counts for its parent (`hits`).
    fn segment_lines(&mut self, app: &Application, segment: &Segment) -> Result<Vec<NewLine>> {
        let plan = self.plan(segment.plan_id)?;
        let metrics = self.catalogue.metrics(self.write.tx, plan.service_id)?;
        let mut usage: HashMap<Id, i64> = HashMap::new();
        for metric in &metrics {
            let used = store::billing_run::metric_usage(
                self.write.tx,
                app.id,
                metric.id,
                segment.from,
                segment.to,
            )?;
            if used > 0 {
                usage.insert(metric.id, used);
            }
        }
        if usage.is_empty() {
            return Ok(Vec::new());
        }
        let rules = self.catalogue.rules(self.write.tx, plan.id)?;
        let own = |metric: Id| usage.get(&metric).copied().unwrap_or(0);
        let description = billing::describe_range(segment.from, segment.to);
        let mut lines = Vec::new();
        for metric in &metrics {
            let children: i64 = metrics
                .iter()
                .filter(|child| child.parent_id == Some(metric.id))
                .map(|child| own(child.id))
                .sum();
            let quantity = own(metric.id) + children;
            let Some(metric_rules) = rules.get(&metric.id).filter(|_| quantity > 0) else {
                continue;
            };
            let cost = billing::line_cost(billing::graduated_cost(metric_rules, quantity));
            if cost.is_zero() {
                continue;
            }
            lines.push(NewLine {
                name: metric.friendly_name.clone(),
                description: description.clone(),
                quantity: Decimal::from(quantity),
                cost,
                line_type: LineItemType::VariableCost,
                application_id: app.id,
                plan_id: plan.id,
                metric_id: Some(metric.id),
            });
        }
        Ok(lines)
    }

    /// Steps 3 (postpaid, day 1: periods before `before`) and 5 (prepaid, every day: all).
    fn finalize(&mut self, account_id: Id, before: Option<Period>) -> Result<()> {
        let before = before.map(|period| period.to_string());
        for id in store::billing_run::open_background_invoices(
            self.write.tx,
            account_id,
            before.as_deref(),
        )? {
            self.transition(id, InvoiceState::Finalized)?;
            self.counts.invoices_finalized += 1;
        }
        Ok(())
    }

    /// Step 6: issues invoices finalized at least 46 hours ago; one with a total of 0 is paid.
    fn issue(&mut self, account_id: Id) -> Result<()> {
        let finalized_by = self.today - Duration::hours(ISSUE_AFTER_HOURS);
        for id in store::billing_run::background_invoices_finalized_by(
            self.write.tx,
            account_id,
            finalized_by,
        )? {
            self.transition(id, InvoiceState::Pending)?;
            let issued = invoice_row(self.write.tx, id)?;
            // Its PDF is made right after the job's transaction (see make_queued_pdfs).
            store::pdfs::enqueue(self.write.tx, id)?;
            self.counts.invoices_issued += 1;
            if invoice_total(&issued).is_zero() {
                self.transition(id, InvoiceState::Paid)?;
                self.counts.invoices_paid += 1;
            }
        }
        Ok(())
    }

    /// The engine's own transition (issuing freezes the invoice and dates it `today`).
    fn transition(&mut self, id: Id, state: InvoiceState) -> Result<()> {
        self.settle_lines()?;
        self.touched.insert(id);
        // An invoice that leaves `open` takes no more lines.
        self.targets.retain(|_, target| *target != id);
        apply_transition(self.write, id, state)
    }

    fn plan(&mut self, id: Id) -> Result<Plan> {
        self.catalogue.plan(self.write.tx, id)
    }

    fn add_fixed_fee_lines(
        &mut self,
        account_id: Id,
        app: &Application,
        plan: &Plan,
        pieces: &[billing::ProratedPiece],
    ) -> Result<()> {
        for piece in pieces {
            let line = NewLine::plan_cost(
                app,
                plan,
                format!("Fixed fee ('{}')", plan.name),
                billing::describe_range(piece.from, piece.to),
                piece.cost,
            );
            self.add_line(account_id, piece.period, line)?;
        }
        Ok(())
    }

    fn add_setup_fee(
        &mut self,
        account_id: Id,
        app: &Application,
        plan: &Plan,
        period: Period,
    ) -> Result<()> {
        let line = NewLine::plan_cost(
            app,
            plan,
            format!("Setup fee ('{}')", plan.name),
            String::new(),
            plan.setup_fee,
        );
        self.add_line(account_id, period, line)
    }

    /// Adds a line to the newest open background invoice of the buyer and period, opening one
    /// only now that there is a line for it. A line costing 0 is never added.
    fn add_line(&mut self, account_id: Id, period: Period, line: NewLine) -> Result<()> {
        let Some(cost) = billable_cost(line.cost) else {
            return Ok(());
        };
        let invoice_id = self.target_invoice(account_id, period)?;
        let id = store::invoices::insert_line_leaving_net(
            self.write.tx,
            &NewLineItem {
                invoice_id,
                name: line.name.clone(),
                description: line.description.clone(),
                quantity: line.quantity,
                cost,
                line_type: line.line_type,
                application_id: Some(line.application_id),
                plan_id: Some(line.plan_id),
                metric_id: line.metric_id,
            },
            self.today,
        )?;
        let added = LineItem {
            id,
            invoice_id,
            name: line.name,
            description: line.description,
            quantity: line.quantity.normalize(),
            cost: billing::for_display(cost),
            line_type: line.line_type,
            metric_id: line.metric_id,
            application_id: Some(line.application_id),
            plan_id: Some(line.plan_id),
            created_at: self.today,
        };
        self.counts.lines_added += 1;
        self.touched.insert(invoice_id);
        self.unsettled.entry(invoice_id).or_default().push(added);
        Ok(())
    }

    /// Adds the lines added since the last call to their invoices' stored net, and records
    /// them in the audit log: once per invoice rather than once per line. Runs before anything
    /// reads an invoice (a transition) and after each buyer.
    fn settle_lines(&mut self) -> Result<()> {
        for (invoice_id, lines) in std::mem::take(&mut self.unsettled) {
            let added: Decimal = lines.iter().map(|line| line.cost).sum();
            store::invoices::add_to_net(self.write.tx, invoice_id, added, self.write.now)?;
            self.write.audit(
                "invoice_lines",
                Some(invoice_id.0),
                None::<&()>,
                Some(&LinesAdded { lines_added: lines }),
            )?;
        }
        Ok(())
    }

    fn target_invoice(&mut self, account_id: Id, period: Period) -> Result<Id> {
        if let Some(id) = self.targets.get(&(account_id, period)) {
            return Ok(*id);
        }
        let existing = store::billing_run::newest_open_background_invoice(
            self.write.tx,
            account_id,
            &period.to_string(),
        )?;
        if let Some(id) = existing {
            self.targets.insert((account_id, period), id);
            return Ok(id);
        }
        let (id, friendly_id) = new_invoice_numbered(
            self.write,
            account_id,
            period,
            CreationType::Background,
            self.numbering,
        )?;
        let created = NewInvoice {
            account_id,
            friendly_id,
            period: period.to_string(),
            state: InvoiceState::Open,
            creation_type: CreationType::Background,
        };
        self.write
            .audit("invoice", Some(id.0), None::<&NewInvoice>, Some(&created))?;
        self.counts.invoices_created += 1;
        self.targets.insert((account_id, period), id);
        Ok(id)
    }

    /// Changes an application's billing state (in the book and in the job's copy), audited.
    fn update_application(
        &mut self,
        sub: &mut Subscription,
        change: impl FnOnce(&mut Application),
    ) -> Result<()> {
        let before = sub.app.clone();
        change(&mut sub.app);
        let after = &sub.app;
        if *after == before {
            return Ok(());
        }
        if let Some(paid_until) = after.paid_until {
            if after.paid_until != before.paid_until
                || after.setup_fee_billed != before.setup_fee_billed
            {
                store::billing_run::set_fixed_fee_billed(
                    self.write.tx,
                    after.id,
                    paid_until,
                    after.setup_fee_billed,
                )?;
            }
        }
        if let Some(until) = after.usage_billed_until {
            if after.usage_billed_until != before.usage_billed_until {
                store::billing_run::set_usage_billed_until(self.write.tx, after.id, until)?;
            }
        }
        self.write.audit(
            "application",
            Some(after.id.0),
            Some(&BilledUntil::of(&before)),
            Some(&BilledUntil::of(after)),
        )
    }
}

/// An invoice the job opened, as the audit log keeps it.
#[derive(Serialize)]
struct NewInvoice {
    account_id: Id,
    friendly_id: String,
    period: String,
    state: InvoiceState,
    creation_type: CreationType,
}

/// The lines a job added to one invoice, as the audit log keeps them.
#[derive(Serialize)]
struct LinesAdded {
    lines_added: Vec<LineItem>,
}

/// What the billing run changes on an application, as the audit log keeps it.
#[derive(Serialize)]
struct BilledUntil {
    paid_until: Option<DateTime<Utc>>,
    usage_billed_until: Option<DateTime<Utc>>,
    setup_fee_billed: bool,
}

impl BilledUntil {
    fn of(app: &Application) -> BilledUntil {
        BilledUntil {
            paid_until: app.paid_until,
            usage_billed_until: app.usage_billed_until,
            setup_fee_billed: app.setup_fee_billed,
        }
    }
}

/// Plans, metrics and pricing rules read once per job.
#[derive(Default)]
struct Catalogue {
    plans: HashMap<Id, Plan>,
    metrics: HashMap<Id, Vec<Metric>>,
    rules: HashMap<Id, HashMap<Id, Vec<billing::PricingRule>>>,
}

impl Catalogue {
    fn plan(&mut self, conn: &rusqlite::Connection, id: Id) -> Result<Plan> {
        if let Some(plan) = self.plans.get(&id) {
            return Ok(plan.clone());
        }
        let plan = crate::ops::plans::plan(conn, id)?;
        self.plans.insert(id, plan.clone());
        Ok(plan)
    }

    /// A service's metrics, `hits` first, each followed by its methods.
    fn metrics(&mut self, conn: &rusqlite::Connection, service_id: Id) -> Result<Vec<Metric>> {
        if let Some(metrics) = self.metrics.get(&service_id) {
            return Ok(metrics.clone());
        }
        let metrics = store::catalogue::list_metrics(conn, service_id)?;
        self.metrics.insert(service_id, metrics.clone());
        Ok(metrics)
    }

    /// A plan's pricing rules by metric.
    fn rules(
        &mut self,
        conn: &rusqlite::Connection,
        plan_id: Id,
    ) -> Result<HashMap<Id, Vec<billing::PricingRule>>> {
        if let Some(rules) = self.rules.get(&plan_id) {
            return Ok(rules.clone());
        }
        let mut by_metric: HashMap<Id, Vec<billing::PricingRule>> = HashMap::new();
        for rule in store::catalogue::list_pricing_rules(conn, plan_id)? {
            by_metric
                .entry(rule.metric_id)
                .or_default()
                .push(billing::PricingRule {
                    min: rule.min,
                    max: rule.max,
                    cost_per_unit: rule.cost_per_unit,
                });
        }
        self.rules.insert(plan_id, by_metric.clone());
        Ok(by_metric)
    }
}
