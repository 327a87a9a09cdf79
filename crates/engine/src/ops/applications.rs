//! Applications (a buyer's subscription to a plan), plan changes and usage (billing-rules.md §3).

use super::accounts::{account, live_account};
use super::billing_run;
use super::plans::{self, plan, plan_in_service};
use super::{description_text, not_found, required_text};
use crate::book::{Book, Write};
use crate::error::{ApiError, Reason, Result};
use crate::model::*;
use crate::store;
use chrono::Duration;
use counterfoil_billing as billing;
use rusqlite::Connection;

pub(crate) fn list_applications(
    book: &Book,
    filter: ListApplications,
) -> Result<Page<Application>> {
    Ok(store::applications::list(book.reader(), &filter)?)
}

pub(crate) fn get_application(book: &Book, input: ById) -> Result<ApplicationDetail> {
    let application = application(book.reader(), input.id)?;
    let plan_history = store::applications::plan_history(book.reader(), input.id)?;
    Ok(ApplicationDetail {
        application,
        plan_history,
    })
}

fn application(conn: &Connection, id: Id) -> Result<Application> {
    store::applications::get(conn, id)?.ok_or_else(|| not_found("application", id))
}

pub(crate) fn subscribe(write: &mut Write<'_>, input: Subscribe) -> Result<Application> {
    live_account(write.tx, input.account_id)
        .map_err(|_| ApiError::validation("account_id", "Choose an existing account."))?;
    let plan = plan_in_service(write.tx, input.plan_id)
        .map_err(|_| ApiError::validation("plan_id", "Choose an existing plan."))?;
    not_custom(&plan)?;
    // No key unless one is given: the book stays deterministic (the 3scale API makes one
    // with generated_user_key).
    let user_key = match input.user_key.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(key) => Some(checked_user_key(key)?),
    };
    if let Some(key) = &user_key {
        if store::applications::user_key_taken(write.tx, plan.service_id, key, None)? {
            return Err(ApiError::validation(
                "user_key",
                "User key has already been taken by another application of the service.",
            )
            .because(Reason::Taken));
        }
    }
    let trial_ends_at = (plan.trial_period_days > 0)
        .then(|| write.now + Duration::days(i64::from(plan.trial_period_days)));
    let new = Application {
        id: Id(0),
        account_id: input.account_id,
        plan_id: input.plan_id,
        name: required_text("name", "Application name", &input.name)?,
        state: ApplicationState::Live,
        created_at: write.now,
        trial_ends_at,
        paid_until: None,
        usage_billed_until: None,
        setup_fee_billed: false,
        cancelled_at: None,
        description: description_text("description", "Description", &input.description)?,
        suspended: false,
        user_key,
    };
    let id = store::applications::insert(write.tx, &new)?;
    let signup = PlanChange {
        from_plan_id: None,
        to_plan_id: input.plan_id,
        changed_at: write.now,
    };
    store::applications::insert_plan_change(write.tx, id, &signup)?;
    let created = application(write.tx, id)?;
    write.audit(
        "application",
        Some(id.0),
        None::<&Application>,
        Some(&created),
    )?;
    Ok(created)
}

pub(crate) fn change_plan(write: &mut Write<'_>, input: ChangePlan) -> Result<Application> {
    let (before, current, new_plan) = checked_plan_change(write.tx, &input)?;
    move_to_plan(write, &before, &current, &new_plan)
}

/// Moves a live application from `current` to `to` now: a plan change in its history, which
/// the next billing job bills (§8). A custom plan the application leaves is retired, as 3scale
/// removes it.
fn move_to_plan(
    write: &mut Write<'_>,
    before: &Application,
    current: &Plan,
    to: &Plan,
) -> Result<Application> {
    store::applications::set_plan(write.tx, before.id, to.id)?;
    let change = PlanChange {
        from_plan_id: Some(current.id),
        to_plan_id: to.id,
        changed_at: write.now,
    };
    store::applications::insert_plan_change(write.tx, before.id, &change)?;
    if current.custom.is_some() {
        store::catalogue::retire_custom_plan(write.tx, current.id, write.now)?;
        let retired = plan(write.tx, current.id)?;
        write.audit("plan", Some(current.id.0), Some(current), Some(&retired))?;
    }
    let after = application(write.tx, before.id)?;
    write.audit("application", Some(before.id.0), Some(before), Some(&after))?;
    Ok(after)
}

/// A custom plan is its application's own: no other subscribes or changes to it.
fn not_custom(plan: &Plan) -> Result<()> {
    if plan.custom.is_some() {
        return Err(ApiError::validation(
            "plan_id",
            format!(
                "\"{}\" is another application's custom plan; choose a plan of the service.",
                plan.name
            ),
        ));
    }
    Ok(())
}

/// A live application, for customizing and going back.
fn live_application(conn: &Connection, id: Id, doing: &str) -> Result<Application> {
    let found = application(conn, id)?;
    if found.state != ApplicationState::Live {
        return Err(ApiError::invalid_state(format!(
            "\"{}\" is cancelled: its plan cannot be {doing}.",
            found.name
        )));
    }
    Ok(found)
}

/// Gives an application its own copy of its plan (3scale's `customize_plan`), with the plan's
/// fees, trial and pricing rules, to change for this application alone. From now on it is
/// billed by the copy: a plan change at this instant, billed as any plan change is
/// (billing-rules.md §8).
pub(crate) fn customize_plan(write: &mut Write<'_>, input: CustomizePlan) -> Result<Plan> {
    let before = live_application(write.tx, input.application_id, "customized")?;
    let current = plan_in_service(write.tx, before.plan_id)?;
    if current.custom.is_some() {
        return Err(ApiError::invalid_state(format!(
            "\"{}\" is already on its own custom plan, \"{}\".",
            before.name, current.name
        )));
    }
    let custom = plans::custom_copy(write, &current, before.id)?;
    move_to_plan(write, &before, &current, &custom)?;
    Ok(custom)
}

/// Returns an application on a custom plan to the plan the custom one was copied from (3scale's
/// `decustomize_plan`), a plan change at this instant; the custom plan is retired.
pub(crate) fn decustomize_plan(write: &mut Write<'_>, input: CustomizePlan) -> Result<Plan> {
    let before = live_application(write.tx, input.application_id, "changed")?;
    let current = plan(write.tx, before.plan_id)?;
    let Some(custom) = &current.custom else {
        return Err(ApiError::invalid_state(format!(
            "\"{}\" is on the plan \"{}\", not on a custom plan.",
            before.name, current.name
        )));
    };
    let original = plan(write.tx, custom.original_plan_id)?;
    move_to_plan(write, &before, &current, &original)?;
    Ok(original)
}

/// The application, its current plan and the new plan of a change `change_plan` accepts.
fn checked_plan_change(conn: &Connection, input: &ChangePlan) -> Result<(Application, Plan, Plan)> {
    let before = application(conn, input.application_id)?;
    if before.state != ApplicationState::Live {
        return Err(ApiError::invalid_state(
            "A cancelled application cannot change plan.",
        ));
    }
    let current = plan(conn, before.plan_id)?;
    let new_plan = plan_in_service(conn, input.plan_id)
        .map_err(|_| ApiError::validation("plan_id", "Choose an existing plan."))?;
    if new_plan.service_id != current.service_id {
        return Err(ApiError::validation(
            "plan_id",
            "The new plan must belong to the same service as the current one.",
        ));
    }
    if new_plan.id == current.id {
        return Err(ApiError::validation(
            "plan_id",
            "The application is already on this plan.",
        ));
    }
    not_custom(&new_plan)?;
    Ok((before, current, new_plan))
}

/// What `change_plan` with this input, made now, would bill: the lines the next billing job
/// adds for it (§8), from the same function the job uses ([`billing_run::plan_change_bill`]).
/// Changes made earlier and not billed yet are billed first by the job, so they are played
/// (without their lines) before this one. Reads only.
pub(crate) fn preview_change_plan(book: &Book, input: ChangePlan) -> Result<PlanChangePreview> {
    let conn = book.reader();
    let now = book.now();
    let (before, current, new_plan) = checked_plan_change(conn, &input)?;
    let buyer = account(conn, before.account_id)?;
    let mode = store::settings::get(conn)?.billing_mode;
    let history = store::billing_run::plan_histories(conn, before.account_id)?
        .remove(&before.id)
        .unwrap_or_default();
    // The application as the job will find it when it reaches this change.
    let mut app = before.clone();
    for earlier in history.iter().filter(|entry| !entry.billed) {
        let Some(from_plan_id) = earlier.from_plan_id else {
            continue;
        };
        if billing_run::in_trial_at(&app, earlier.changed_at) {
            continue;
        }
        let (from, to) = (plan(conn, from_plan_id)?, plan(conn, earlier.to_plan_id)?);
        let bill = billing_run::plan_change_bill(mode, &app, &from, &to, earlier.changed_at, None);
        app.paid_until = Some(bill.paid_until);
        app.setup_fee_billed = true;
    }
    let nothing_billed_because = if !buyer.fields.monthly_billing_enabled {
        Some("Monthly billing is off for this account: the billing run bills nothing for it.")
    } else if billing_run::in_trial_at(&app, now) {
        Some("The application is in its trial: a plan change during the trial bills nothing.")
    } else {
        None
    };
    let mut lines = Vec::new();
    if nothing_billed_because.is_none() {
        let bill = billing_run::plan_change_bill(mode, &app, &current, &new_plan, now, None);
        for (period, line) in bill.lines {
            if let Some(cost) = billing_run::billable_cost(line.cost) {
                lines.push(PlanChangeLine {
                    name: line.name,
                    description: line.description,
                    period,
                    cost: billing::for_display(cost),
                });
            }
        }
    }
    let total = lines.iter().map(|line| line.cost).sum();
    Ok(PlanChangePreview {
        application_id: before.id,
        from_plan_id: current.id,
        to_plan_id: new_plan.id,
        changed_at: now,
        billing_mode: mode,
        lines,
        total: billing::for_display(total),
        nothing_billed_because: nothing_billed_because.map(str::to_owned),
    })
}

/// Changes an application's name, description or user key (absent fields are kept).
pub(crate) fn update_application(
    write: &mut Write<'_>,
    input: UpdateApplication,
) -> Result<Application> {
    let before = application(write.tx, input.id)?;
    if before.state == ApplicationState::Cancelled {
        return Err(ApiError::invalid_state(
            "A cancelled application cannot be changed.",
        ));
    }
    let mut after = before.clone();
    if let Some(name) = &input.name {
        after.name = required_text("name", "Application name", name)?;
    }
    if let Some(description) = &input.description {
        after.description = description_text("description", "Description", description)?;
    }
    if let Some(key) = input.user_key.as_deref().map(str::trim) {
        if key.is_empty() {
            return Err(ApiError::validation("user_key", "User key can't be blank."));
        }
        let key = checked_user_key(key)?;
        let service_id = plan(write.tx, before.plan_id)?.service_id;
        if store::applications::user_key_taken(write.tx, service_id, &key, Some(before.id))? {
            return Err(ApiError::validation(
                "user_key",
                "User key has already been taken by another application of the service.",
            )
            .because(Reason::Taken));
        }
        after.user_key = Some(key);
    }
    store::applications::set_details(write.tx, &after)?;
    let after = application(write.tx, input.id)?;
    write.audit("application", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// Suspends a live application or resumes a suspended one. Billing follows the subscription
/// either way (as in 3scale): only cancelling stops it.
pub(crate) fn suspend_application(
    write: &mut Write<'_>,
    input: SuspendApplication,
) -> Result<Application> {
    let before = application(write.tx, input.id)?;
    if before.state == ApplicationState::Cancelled {
        return Err(ApiError::invalid_state(
            "A cancelled application cannot be suspended or resumed.",
        ));
    }
    if before.suspended == input.suspended {
        return Err(ApiError::invalid_state(if input.suspended {
            "The application is already suspended."
        } else {
            "The application is not suspended."
        }));
    }
    store::applications::set_suspended(write.tx, input.id, input.suspended)?;
    let after = application(write.tx, input.id)?;
    write.audit("application", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// 16 random bytes as 32 hex characters (3scale's user keys).
pub fn generated_user_key() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(&e))?;
    Ok(hex::encode(bytes))
}

/// A user key: at most 256 characters, letters, digits, `_`, `.`, `-`, or base64's `+` and
/// `=` (3scale accepts base64 keys without `/`).
fn checked_user_key(key: &str) -> Result<String> {
    let well_formed = key.chars().count() <= 256
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | '='));
    if !well_formed {
        return Err(ApiError::validation(
            "user_key",
            "User key may have at most 256 characters: letters, digits, '_', '.', '-', '+' \
             and '='.",
        ));
    }
    Ok(key.to_owned())
}

pub(crate) fn cancel_application(write: &mut Write<'_>, input: ById) -> Result<Application> {
    let before = application(write.tx, input.id)?;
    if before.state == ApplicationState::Cancelled {
        return Err(ApiError::invalid_state(
            "The application is already cancelled.",
        ));
    }
    store::applications::cancel(write.tx, input.id, write.now)?;
    let after = application(write.tx, input.id)?;
    write.audit("application", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

pub(crate) fn list_usage(book: &Book, filter: ListUsage) -> Result<Page<UsageRecord>> {
    application(book.reader(), filter.application_id)?;
    Ok(store::applications::list_usage(book.reader(), &filter)?)
}

pub(crate) fn record_usage(write: &mut Write<'_>, input: RecordUsage) -> Result<UsageRecord> {
    let app = application(write.tx, input.application_id)
        .map_err(|_| ApiError::validation("application_id", "Choose an existing application."))?;
    let service_id = plan(write.tx, app.plan_id)?.service_id;
    store::catalogue::get_metric(write.tx, input.metric_id)?
        .filter(|metric| metric.service_id == service_id)
        .ok_or_else(|| {
            ApiError::validation("metric_id", "Choose a metric of the application's service.")
        })?;
    if input.value < 0 {
        return Err(ApiError::validation("value", "Usage must be zero or more."));
    }
    let timestamp = input.timestamp.unwrap_or(write.now);
    if timestamp > write.now {
        return Err(ApiError::validation(
            "timestamp",
            "Usage cannot be recorded in the future.",
        ));
    }
    if timestamp < app.created_at {
        return Err(ApiError::validation(
            "timestamp",
            "Usage cannot be earlier than the application's creation.",
        ));
    }
    if app
        .cancelled_at
        .is_some_and(|cancelled| timestamp > cancelled)
    {
        return Err(ApiError::validation(
            "timestamp",
            "Usage cannot be later than the application's cancellation.",
        ));
    }
    let mut usage = UsageRecord {
        id: Id(0),
        application_id: input.application_id,
        metric_id: input.metric_id,
        timestamp,
        value: input.value,
    };
    let key = input
        .idempotency_key
        .as_deref()
        .map(str::trim)
        .filter(|key| !key.is_empty());
    usage.id = match key {
        None => store::applications::insert_usage(write.tx, &usage)?,
        Some(key) => match store::applications::insert_usage_once(write.tx, &usage, key)? {
            Some(id) => id,
            // Recorded before: the record that carries the key, and nothing new.
            None => {
                return store::applications::usage_by_key(write.tx, key)?.ok_or_else(|| {
                    ApiError::internal(&std::io::Error::other("a taken key without its record"))
                })
            }
        },
    };
    write.audit(
        "usage",
        Some(usage.id.0),
        None::<&UsageRecord>,
        Some(&usage),
    )?;
    Ok(usage)
}
