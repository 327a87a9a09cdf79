//! Application plans and their graduated pricing rules (billing-rules.md §2).

use super::{amount, given_or_derived_system_name, not_found, required_text};
use crate::book::{Book, Write};
use crate::error::{ApiError, Reason, Result};
use crate::model::*;
use crate::store::catalogue as store;
use counterfoil_billing::pricing;
use rusqlite::Connection;

pub(crate) fn list_plans(book: &Book, filter: ListPlans) -> Result<Page<Plan>> {
    Ok(store::list_plans(book.reader(), &filter)?)
}

pub(crate) fn get_plan(book: &Book, input: ById) -> Result<Plan> {
    plan(book.reader(), input.id)
}

pub(crate) fn plan(conn: &Connection, id: Id) -> Result<Plan> {
    store::get_plan(conn, id)?.ok_or_else(|| not_found("plan", id))
}

/// A plan that may change or take applications: not one of a deleted service, which the book
/// keeps (hidden) only for what its applications were and are still to be billed.
pub(crate) fn plan_in_service(conn: &Connection, id: Id) -> Result<Plan> {
    let found = plan(conn, id)?;
    if store::get_service(conn, found.service_id)?.is_none() {
        return Err(ApiError::invalid_state(format!(
            "Plan \"{}\" belonged to a deleted service; it can no longer change or take \
             applications.",
            found.name
        )));
    }
    Ok(found)
}

/// Longest trial we accept: ten years. Longer is a typing mistake.
const MAX_TRIAL_DAYS: u32 = 3650;

fn checked_fields(input: &PlanFields) -> Result<PlanFields> {
    if input.trial_period_days > MAX_TRIAL_DAYS {
        return Err(ApiError::validation(
            "trial_period_days",
            format!("Trial period can be at most {MAX_TRIAL_DAYS} days."),
        ));
    }
    Ok(PlanFields {
        name: required_text("name", "Name", &input.name)?,
        setup_fee: amount("setup_fee", "Setup fee", input.setup_fee, 4)?,
        cost_per_month: amount("cost_per_month", "Cost per month", input.cost_per_month, 4)?,
        trial_period_days: input.trial_period_days,
        state: input.state,
    })
}

pub(crate) fn create_plan(write: &mut Write<'_>, input: CreatePlan) -> Result<Plan> {
    if store::get_service(write.tx, input.service_id)?.is_none() {
        return Err(ApiError::validation(
            "service_id",
            format!("There is no service with id {}.", input.service_id),
        ));
    }
    let fields = checked_fields(&input.fields())?;
    let system_name = given_or_derived_system_name(input.system_name.as_deref(), &fields.name)?;
    if store::plan_system_name_taken(write.tx, input.service_id, &system_name)? {
        return Err(ApiError::validation(
            "system_name",
            format!("System name \"{system_name}\" is already used by a plan of this service."),
        )
        .because(Reason::Taken));
    }
    let id = store::insert_plan(write.tx, input.service_id, &system_name, &fields, write.now)?;
    let created = plan(write.tx, id)?;
    write.audit("plan", Some(id.0), None::<&Plan>, Some(&created))?;
    Ok(created)
}

pub(crate) fn update_plan(write: &mut Write<'_>, input: UpdatePlan) -> Result<Plan> {
    let before = plan_in_service(write.tx, input.id)?;
    let fields = checked_fields(&input.applied_to(&before))?;
    store::update_plan(write.tx, input.id, &fields)?;
    let after = plan(write.tx, input.id)?;
    write.audit("plan", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

pub(crate) fn delete_plan(write: &mut Write<'_>, input: ById) -> Result<Plan> {
    let before = plan(write.tx, input.id)?;
    if store::plan_in_use(write.tx, input.id)? {
        return Err(ApiError::conflict(format!(
            "Plan \"{}\" has or had applications; it cannot be deleted. Hide it instead.",
            before.name
        )));
    }
    store::delete_plan(write.tx, input.id)?;
    write.audit("plan", Some(input.id.0), Some(&before), None::<&Plan>)?;
    Ok(before)
}

pub(crate) fn make_default_plan(write: &mut Write<'_>, input: ById) -> Result<Plan> {
    let before = plan_in_service(write.tx, input.id)?;
    store::make_default_plan(write.tx, input.id, before.service_id)?;
    let after = plan(write.tx, input.id)?;
    write.audit("plan", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

pub(crate) fn list_pricing_rules(book: &Book, input: ListPricingRules) -> Result<Vec<PricingRule>> {
    plan(book.reader(), input.plan_id)?;
    Ok(store::list_pricing_rules(book.reader(), input.plan_id)?)
}

fn billing_rule(rule: &PricingRule) -> pricing::PricingRule {
    pricing::PricingRule {
        min: rule.min,
        max: rule.max,
        cost_per_unit: rule.cost_per_unit,
    }
}

pub(crate) fn create_pricing_rule(
    write: &mut Write<'_>,
    input: CreatePricingRule,
) -> Result<PricingRule> {
    let plan = plan_in_service(write.tx, input.plan_id)?;
    let metric = store::get_metric(write.tx, input.metric_id)?
        .filter(|m| m.service_id == plan.service_id)
        .ok_or_else(|| {
            ApiError::validation("metric_id", "Choose a metric of the plan's service.")
        })?;
    if input.min < 1 {
        return Err(ApiError::validation("min", "From (min) must be 1 or more."));
    }
    if input.max.is_some_and(|max| max < input.min) {
        return Err(ApiError::validation(
            "max",
            "To (max) must be at least From (min), or empty for no upper limit.",
        ));
    }
    let candidate = PricingRule {
        id: Id(0),
        plan_id: input.plan_id,
        metric_id: input.metric_id,
        min: input.min,
        max: input.max,
        cost_per_unit: amount("cost_per_unit", "Cost per unit", input.cost_per_unit, 4)?,
    };
    let existing: Vec<_> = store::list_pricing_rules(write.tx, input.plan_id)?
        .iter()
        .filter(|rule| rule.metric_id == input.metric_id)
        .map(billing_rule)
        .collect();
    if let Some(pricing::Overlap(other)) =
        pricing::find_overlap(&billing_rule(&candidate), &existing)
    {
        let other_max = other.max.map_or("∞".to_owned(), |max| max.to_string());
        return Err(ApiError::validation(
            "min",
            format!(
                "This range overlaps the existing rule {}–{} for {}. Ranges of one metric may \
                 not overlap.",
                other.min, other_max, metric.friendly_name
            ),
        ));
    }
    let id = store::insert_pricing_rule(write.tx, &candidate)?;
    let created = PricingRule { id, ..candidate };
    write.audit(
        "pricing_rule",
        Some(id.0),
        None::<&PricingRule>,
        Some(&created),
    )?;
    Ok(created)
}

pub(crate) fn delete_pricing_rule(write: &mut Write<'_>, input: ById) -> Result<PricingRule> {
    let before = store::get_pricing_rule(write.tx, input.id)?
        .ok_or_else(|| not_found("pricing rule", input.id))?;
    plan_in_service(write.tx, before.plan_id)?;
    store::delete_pricing_rule(write.tx, input.id)?;
    write.audit(
        "pricing_rule",
        Some(input.id.0),
        Some(&before),
        None::<&PricingRule>,
    )?;
    Ok(before)
}
