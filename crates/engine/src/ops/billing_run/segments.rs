//! The pieces the job bills: an application's plan history cut into segments, and lines
//! before they know their invoice.

use crate::model::{Application, Id, LineItemType, Plan};
use crate::store::billing_run::PlanHistoryEntry;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use counterfoil_billing::{self as billing};
use rust_decimal::Decimal;

/// An application with its plan history, as the job sees it.
pub(super) struct Subscription {
    pub(super) app: Application,
    pub(super) history: Vec<PlanHistoryEntry>,
}

impl Subscription {
    /// The plan in force at `at`.
    pub(super) fn plan_at(&self, at: DateTime<Utc>) -> Id {
        self.history
            .iter()
            .take_while(|entry| entry.changed_at <= at)
            .last()
            .or(self.history.first())
            .map_or(self.app.plan_id, |entry| entry.to_plan_id)
    }

    /// When billing starts: the end of the trial, or the signup.
    pub(super) fn billing_start(&self) -> DateTime<Utc> {
        self.app.trial_ends_at.unwrap_or(self.app.created_at)
    }

    pub(super) fn in_trial_at(&self, at: DateTime<Utc>) -> bool {
        in_trial_at(&self.app, at)
    }

    /// [from, to] cut at every plan change inside it: (from, to, plan) per segment.
    pub(super) fn segments(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Segment> {
        let mut segments = Vec::new();
        let mut start = from;
        let mut plan_id = self.plan_at(from);
        for change in self
            .history
            .iter()
            .filter(|entry| entry.changed_at > from && entry.changed_at <= to)
        {
            if change.changed_at > start {
                segments.push(Segment {
                    from: start,
                    to: change.changed_at - Duration::seconds(1),
                    plan_id,
                });
                start = change.changed_at;
            }
            plan_id = change.to_plan_id;
        }
        segments.push(Segment {
            from: start,
            to,
            plan_id,
        });
        segments
    }
}

pub(super) struct Segment {
    pub(super) from: DateTime<Utc>,
    pub(super) to: DateTime<Utc>,
    pub(super) plan_id: Id,
}

/// A line the job wants to add, before it knows its invoice.
pub(crate) struct NewLine {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(super) quantity: Decimal,
    /// Exact; the invoice gets [`billable_cost`] of it.
    pub(crate) cost: Decimal,
    pub(super) line_type: LineItemType,
    pub(super) application_id: Id,
    pub(super) plan_id: Id,
    pub(super) metric_id: Option<Id>,
}

impl NewLine {
    pub(super) fn plan_cost(
        app: &Application,
        plan: &Plan,
        name: String,
        description: String,
        cost: Decimal,
    ) -> NewLine {
        NewLine {
            name,
            description,
            quantity: Decimal::ONE,
            cost,
            line_type: LineItemType::PlanCost,
            application_id: app.id,
            plan_id: plan.id,
            metric_id: None,
        }
    }
}

pub(super) fn day_start(at: DateTime<Utc>) -> DateTime<Utc> {
    at.date_naive().and_time(NaiveTime::MIN).and_utc()
}

pub(super) fn second_after(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::seconds(1)
}

/// `end`, or the cancellation when that comes first: nothing is billed after it.
pub(super) fn until_cancelled(
    end: DateTime<Utc>,
    cancelled: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    cancelled.map_or(end, |cancelled| end.min(cancelled))
}

pub(super) fn total(pieces: &[billing::ProratedPiece]) -> Decimal {
    pieces.iter().map(|piece| piece.cost).sum()
}

/// A line's cost as it goes on an invoice (4 decimals, §1), or `None` for a line that is never
/// added because it costs nothing (§7).
pub(crate) fn billable_cost(cost: Decimal) -> Option<Decimal> {
    let cost = billing::line_cost(cost);
    (!cost.is_zero()).then_some(cost)
}

/// Whether `app` is still in its trial at `at`: nothing is billed for it then.
pub(crate) fn in_trial_at(app: &Application, at: DateTime<Utc>) -> bool {
    app.trial_ends_at.is_some_and(|end| at < end)
}
