//! Application plans and their graduated pricing rules (billing-rules.md §2).

use super::{amount, description_text, given_or_derived_system_name, not_found, required_text};
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
        description: description_text("description", "Description", &input.description)?,
        approval_required: input.approval_required,
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
    let id = store::insert_plan(
        write.tx,
        input.service_id,
        &system_name,
        &fields,
        write.now,
        None,
    )?;
    let created = plan(write.tx, id)?;
    write.audit("plan", Some(id.0), None::<&Plan>, Some(&created))?;
    Ok(created)
}

/// A plan whose terms and rules may change: any but a retired custom plan, which the plan
/// history and invoices name as it was.
fn changeable_plan(conn: &Connection, id: Id) -> Result<Plan> {
    let found = plan_in_service(conn, id)?;
    if found
        .custom
        .as_ref()
        .is_some_and(|custom| custom.retired_at.is_some())
    {
        return Err(ApiError::invalid_state(format!(
            "\"{}\" was an application's custom plan and is kept as it was for its invoices; \
             it cannot be changed.",
            found.name
        )));
    }
    Ok(found)
}

pub(crate) fn update_plan(write: &mut Write<'_>, input: UpdatePlan) -> Result<Plan> {
    let before = changeable_plan(write.tx, input.id)?;
    let fields = checked_fields(&input.applied_to(&before))?;
    if before.custom.is_some() && fields.state == PlanState::Published {
        return Err(ApiError::validation(
            "state",
            "A custom plan belongs to one application and cannot be published.",
        ));
    }
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
    if before.custom.is_some() {
        return Err(ApiError::invalid_state(
            "A custom plan belongs to one application and cannot be the service's default.",
        ));
    }
    store::make_default_plan(write.tx, input.id, before.service_id)?;
    let after = plan(write.tx, input.id)?;
    write.audit("plan", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// Copies a plan with its pricing rules as a new plan of the same service, named
/// "<name> (copy)" and hidden until published (billing-rules.md §2). A copy is never custom
/// or the default, whatever the original is.
pub(crate) fn copy_plan(write: &mut Write<'_>, input: ById) -> Result<Plan> {
    let original = plan_in_service(write.tx, input.id)?;
    let fields = PlanFields {
        name: suffixed_name(&original.name, " (copy)"),
        state: PlanState::Hidden,
        ..plan_fields(&original)
    };
    let system_name =
        free_system_name(write.tx, original.service_id, &original.system_name, "copy")?;
    copied(write, &original, &system_name, &fields, None)
}

/// Application `application_id`'s own copy of `original` (3scale's `customize_plan`): named
/// "<name> (custom)", hidden, with the original's fees, trial and pricing rules.
pub(crate) fn custom_copy(
    write: &mut Write<'_>,
    original: &Plan,
    application_id: Id,
) -> Result<Plan> {
    let fields = PlanFields {
        name: suffixed_name(&original.name, " (custom)"),
        state: PlanState::Hidden,
        ..plan_fields(original)
    };
    let system_name = free_system_name(
        write.tx,
        original.service_id,
        &original.system_name,
        "custom",
    )?;
    let custom = CustomPlan {
        application_id,
        original_plan_id: original.id,
        retired_at: None,
    };
    copied(write, original, &system_name, &fields, Some(&custom))
}

pub(crate) fn plan_fields(plan: &Plan) -> PlanFields {
    PlanFields {
        name: plan.name.clone(),
        setup_fee: plan.setup_fee,
        cost_per_month: plan.cost_per_month,
        trial_period_days: plan.trial_period_days,
        state: plan.state,
        description: plan.description.clone(),
        approval_required: plan.approval_required,
    }
}

/// Inserts the copy of `original` and its pricing rules, each audited.
fn copied(
    write: &mut Write<'_>,
    original: &Plan,
    system_name: &str,
    fields: &PlanFields,
    custom: Option<&CustomPlan>,
) -> Result<Plan> {
    let id = store::insert_plan(
        write.tx,
        original.service_id,
        system_name,
        fields,
        write.now,
        custom,
    )?;
    store::copy_pricing_rules(write.tx, original.id, id)?;
    let created = plan(write.tx, id)?;
    write.audit("plan", Some(id.0), None::<&Plan>, Some(&created))?;
    for rule in store::list_pricing_rules(write.tx, id)? {
        write.audit(
            "pricing_rule",
            Some(rule.id.0),
            None::<&PricingRule>,
            Some(&rule),
        )?;
    }
    Ok(created)
}

/// `name` + `suffix`, within the 255 characters a name may have.
fn suffixed_name(name: &str, suffix: &str) -> String {
    const MAX_NAME: usize = 255;
    let keep = MAX_NAME - suffix.chars().count();
    let mut out: String = name.chars().take(keep).collect();
    out.push_str(suffix);
    out
}

/// The first of `<base>_<tag>`, `<base>_<tag>_2`, `<base>_<tag>_3`, … that no plan of the
/// service has. `base` loses an earlier copy's tag, so a copy of `pro_copy` is `pro_copy_2`.
fn free_system_name(conn: &Connection, service_id: Id, base: &str, tag: &str) -> Result<String> {
    // System names are at most 255 characters: room for the tag and a number.
    let base: String = without_tag(base, tag).chars().take(230).collect();
    let first = format!("{base}_{tag}");
    let mut candidate = first.clone();
    let mut n = 1u32;
    while store::plan_system_name_taken(conn, service_id, &candidate)? {
        n += 1;
        candidate = format!("{first}_{n}");
    }
    Ok(candidate)
}

/// `pro_copy` and `pro_copy_2` → `pro`; any other name as it is.
fn without_tag<'a>(name: &'a str, tag: &str) -> &'a str {
    let marker = format!("_{tag}");
    let numbered = name.rsplit_once('_').and_then(|(head, n)| {
        let is_number = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
        is_number.then_some(head)
    });
    numbered
        .and_then(|head| head.strip_suffix(&marker))
        .or_else(|| name.strip_suffix(&marker))
        .unwrap_or(name)
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
    let plan = changeable_plan(write.tx, input.plan_id)?;
    let metric = store::get_metric(write.tx, input.metric_id)?
        .filter(|m| m.service_id == plan.service_id)
        .ok_or_else(|| {
            ApiError::validation("metric_id", "Choose a metric of the plan's service.")
        })?;
    let candidate = checked_rule(PricingRule {
        id: Id(0),
        plan_id: input.plan_id,
        metric_id: input.metric_id,
        min: input.min,
        max: input.max,
        cost_per_unit: input.cost_per_unit,
    })?;
    no_overlap(write.tx, &candidate, &metric)?;
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

/// Changes a rule's range or cost in place (3scale's "Update pricing rule"): it keeps its id,
/// plan and metric, and its new range may not overlap another rule of that metric.
pub(crate) fn update_pricing_rule(
    write: &mut Write<'_>,
    input: UpdatePricingRule,
) -> Result<PricingRule> {
    let before = pricing_rule(write.tx, input.id)?;
    changeable_plan(write.tx, before.plan_id)?;
    let metric = store::get_metric(write.tx, before.metric_id)?
        .ok_or_else(|| not_found("metric", before.metric_id))?;
    let after = checked_rule(PricingRule {
        min: input.min.unwrap_or(before.min),
        max: input.max.unwrap_or(before.max),
        cost_per_unit: input.cost_per_unit.unwrap_or(before.cost_per_unit),
        ..before.clone()
    })?;
    no_overlap(write.tx, &after, &metric)?;
    store::update_pricing_rule(write.tx, &after)?;
    write.audit(
        "pricing_rule",
        Some(after.id.0),
        Some(&before),
        Some(&after),
    )?;
    Ok(after)
}

fn pricing_rule(conn: &Connection, id: Id) -> Result<PricingRule> {
    store::get_pricing_rule(conn, id)?.ok_or_else(|| not_found("pricing rule", id))
}

/// A rule's range and cost as the book keeps them: from 1, to at least from, the cost ≥ 0
/// with at most 4 decimals.
fn checked_rule(rule: PricingRule) -> Result<PricingRule> {
    if rule.min < 1 {
        return Err(ApiError::validation("min", "From (min) must be 1 or more."));
    }
    if rule.max.is_some_and(|max| max < rule.min) {
        return Err(ApiError::validation(
            "max",
            "To (max) must be at least From (min), or empty for no upper limit.",
        ));
    }
    Ok(PricingRule {
        cost_per_unit: amount("cost_per_unit", "Cost per unit", rule.cost_per_unit, 4)?,
        ..rule
    })
}

/// Ranges of one plan and metric may not overlap (billing-rules.md §2); the rule itself (when
/// it is being changed) is not in its own way. Checked in the transaction that writes it.
fn no_overlap(conn: &Connection, candidate: &PricingRule, metric: &Metric) -> Result<()> {
    let others: Vec<_> = store::list_pricing_rules(conn, candidate.plan_id)?
        .iter()
        .filter(|rule| rule.metric_id == candidate.metric_id && rule.id != candidate.id)
        .map(billing_rule)
        .collect();
    if let Some(pricing::Overlap(other)) = pricing::find_overlap(&billing_rule(candidate), &others)
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
    Ok(())
}

pub(crate) fn delete_pricing_rule(write: &mut Write<'_>, input: ById) -> Result<PricingRule> {
    let before = pricing_rule(write.tx, input.id)?;
    changeable_plan(write.tx, before.plan_id)?;
    store::delete_pricing_rule(write.tx, input.id)?;
    write.audit(
        "pricing_rule",
        Some(input.id.0),
        Some(&before),
        None::<&PricingRule>,
    )?;
    Ok(before)
}
