//! What a plan change bills (§8), for the job and for `preview_change_plan`.

use crate::model::{Application, BillingMode, Plan};
use chrono::{DateTime, Utc};
use counterfoil_billing::{self as billing, Period};

use super::*;

/// What a plan change bills (§8): its lines, each with the month of the invoice it goes to,
/// and the instant the application's fixed fee is then paid until.
pub(crate) struct PlanChangeBill {
    pub(crate) lines: Vec<(Period, NewLine)>,
    pub(crate) paid_until: DateTime<Utc>,
}

/// §8 for a change of `app` from `old` to `new` at `at`, outside a trial, with `app` as it
/// stands before the change is billed; `cancelled` is its cancellation if that has happened
/// by the billing instant. Writes nothing: the billing job adds the lines (dropping those that
/// cost nothing, see [`billable_cost`]), and `preview_change_plan` shows them.
pub(crate) fn plan_change_bill(
    mode: BillingMode,
    app: &Application,
    old: &Plan,
    new: &Plan,
    at: DateTime<Utc>,
    cancelled: Option<DateTime<Utc>>,
) -> PlanChangeBill {
    let period = Period::of(at);
    let end = until_cancelled(period.end(), cancelled);
    let mut lines = Vec::new();
    let unbilled_from = match app.paid_until {
        Some(paid_until) => second_after(paid_until),
        None => day_start(app.trial_ends_at.unwrap_or(app.created_at)),
    }
    .max(period.start());
    let month_unbilled = unbilled_from <= end;
    if month_unbilled {
        // First the old plan's fixed fee for the part of the month not yet billed.
        for piece in billing::prorate_seconds(old.cost_per_month, unbilled_from, end) {
            let line = NewLine::plan_cost(
                app,
                old,
                format!("Fixed fee ('{}')", old.name),
                billing::describe_range(piece.from, piece.to),
                piece.cost,
            );
            lines.push((piece.period, line));
        }
    }
    if !app.setup_fee_billed {
        let line = NewLine::plan_cost(
            app,
            old,
            format!("Setup fee ('{}')", old.name),
            String::new(),
            old.setup_fee,
        );
        lines.push((period, line));
    }
    let refund = total(&billing::prorate_seconds(old.cost_per_month, at, end));
    let new_cost = total(&billing::prorate_seconds(new.cost_per_month, at, end));
    let description = billing::describe_range(at, end);
    let refund_line = NewLine::plan_cost(
        app,
        old,
        format!("Refund ('{}')", old.name),
        description.clone(),
        -refund,
    );
    match mode {
        BillingMode::Postpaid => {
            lines.push((period, refund_line));
            let line = NewLine::plan_cost(
                app,
                new,
                format!("Fixed fee ('{}')", new.name),
                description,
                new_cost,
            );
            lines.push((period, line));
        }
        // Already billed in advance: only an upgrade is billed ("refunding on downgrade is
        // not supported", as in 3scale).
        BillingMode::Prepaid if month_unbilled || new_cost > refund => {
            lines.push((period, refund_line));
            let line = NewLine::plan_cost(
                app,
                new,
                format!("Application upgrade ('{}' to '{}')", old.name, new.name),
                description,
                new_cost,
            );
            lines.push((period, line));
        }
        BillingMode::Prepaid => {}
    }
    PlanChangeBill {
        lines,
        paid_until: app.paid_until.map_or(end, |paid| paid.max(end)),
    }
}
