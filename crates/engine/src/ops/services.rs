//! Services and their metrics and methods (billing-rules.md §2).

use super::{description_text, given_or_derived_system_name, not_found, required_text};
use crate::book::{Book, Write};
use crate::error::{ApiError, Reason, Result};
use crate::model::*;
use crate::store::catalogue as store;
use rusqlite::Connection;

/// The metric every service has; it cannot be deleted and methods live under it.
pub(crate) const HITS: &str = "hits";

pub(crate) fn list_services(book: &Book, paging: Paging) -> Result<Page<Service>> {
    Ok(store::list_services(book.reader(), &paging)?)
}

pub(crate) fn get_service(book: &Book, input: ById) -> Result<Service> {
    service(book.reader(), input.id)
}

fn service(conn: &Connection, id: Id) -> Result<Service> {
    store::get_service(conn, id)?.ok_or_else(|| not_found("service", id))
}

pub(crate) fn create_service(write: &mut Write<'_>, input: CreateService) -> Result<Service> {
    let name = required_text("name", "Name", &input.name)?;
    let system_name = given_or_derived_system_name(input.system_name.as_deref(), &name)?;
    if store::service_system_name_taken(write.tx, &system_name)? {
        return Err(ApiError::validation(
            "system_name",
            format!("System name \"{system_name}\" is already used by another service."),
        )
        .because(Reason::Taken));
    }
    let description = description_text("description", "Description", &input.description)?;
    let id = store::insert_service(
        write.tx,
        &name,
        &system_name,
        &description,
        input.backend_version,
        write.now,
    )?;
    let hits = Metric {
        id: Id(0),
        service_id: id,
        parent_id: None,
        system_name: HITS.into(),
        friendly_name: "Hits".into(),
        unit: "hit".into(),
        description: "Number of API hits".into(),
    };
    store::insert_metric(write.tx, &hits)?;
    let created = service(write.tx, id)?;
    write.audit("service", Some(id.0), None::<&Service>, Some(&created))?;
    Ok(created)
}

pub(crate) fn update_service(write: &mut Write<'_>, input: UpdateService) -> Result<Service> {
    let before = service(write.tx, input.id)?;
    let name = required_text("name", "Name", input.name.as_ref().unwrap_or(&before.name))?;
    let description = description_text(
        "description",
        "Description",
        input.description.as_ref().unwrap_or(&before.description),
    )?;
    let backend_version = input.backend_version.unwrap_or(before.backend_version);
    store::update_service(write.tx, input.id, &name, &description, backend_version)?;
    let after = service(write.tx, input.id)?;
    write.audit("service", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// What a new book holds, as a new 3scale tenant does: one service, "API", with its Hits
/// metric (and no accounts).
pub(crate) fn start_tenant(write: &mut Write<'_>) -> Result<()> {
    create_service(write, CreateService::named("API")).map(|_| ())
}

/// Deletes a service. One that never had applications goes with its plans and metrics. One
/// whose plans have or had applications is deleted as 3scale deletes it with them: its live
/// applications end now (billed up to now, as a cancellation is), its plans are hidden, and
/// the service leaves every list; the book keeps it for what its applications were billed
/// and are still to be billed.
pub(crate) fn delete_service(write: &mut Write<'_>, input: ById) -> Result<Service> {
    let before = service(write.tx, input.id)?;
    if !store::service_has_applications(write.tx, input.id)? {
        store::delete_service(write.tx, input.id)?;
        write.audit("service", Some(input.id.0), Some(&before), None::<&Service>)?;
        return Ok(before);
    }
    for id in store::live_applications_of_service(write.tx, input.id)? {
        let live = crate::store::applications::get(write.tx, id)?;
        crate::store::applications::cancel(write.tx, id, write.now)?;
        let ended = crate::store::applications::get(write.tx, id)?;
        write.audit("application", Some(id.0), live.as_ref(), ended.as_ref())?;
    }
    for plan in store::plans_of_service(write.tx, input.id)? {
        if plan.state == PlanState::Hidden {
            continue;
        }
        let fields = PlanFields {
            state: PlanState::Hidden,
            ..super::plans::plan_fields(&plan)
        };
        store::update_plan(write.tx, plan.id, &fields)?;
        let hidden = store::get_plan(write.tx, plan.id)?;
        write.audit("plan", Some(plan.id.0), Some(&plan), hidden.as_ref())?;
    }
    store::mark_service_deleted(write.tx, input.id, write.now)?;
    write.audit("service", Some(input.id.0), Some(&before), None::<&Service>)?;
    Ok(before)
}

pub(crate) fn list_metrics(book: &Book, input: ListMetrics) -> Result<Vec<Metric>> {
    service(book.reader(), input.service_id)?;
    Ok(store::list_metrics(book.reader(), input.service_id)?)
}

fn metric(conn: &Connection, id: Id) -> Result<Metric> {
    store::get_metric(conn, id)?.ok_or_else(|| not_found("metric", id))
}

pub(crate) fn create_metric(write: &mut Write<'_>, input: CreateMetric) -> Result<Metric> {
    service(write.tx, input.service_id)?;
    if let Some(parent_id) = input.parent_id {
        let parent = store::get_metric(write.tx, parent_id)?;
        let under_hits = parent.is_some_and(|p| {
            p.service_id == input.service_id && p.system_name == HITS && p.parent_id.is_none()
        });
        if !under_hits {
            return Err(ApiError::validation(
                "parent_id",
                "Methods can only be created under the service's Hits metric.",
            ));
        }
    }
    let friendly_name = required_text("friendly_name", "Name", &input.friendly_name)?;
    let system_name = given_or_derived_system_name(input.system_name.as_deref(), &friendly_name)?;
    if store::metric_system_name_taken(write.tx, input.service_id, &system_name)? {
        return Err(ApiError::validation(
            "system_name",
            format!("System name \"{system_name}\" is already used by a metric of this service."),
        )
        .because(Reason::Taken));
    }
    let new = Metric {
        id: Id(0),
        service_id: input.service_id,
        parent_id: input.parent_id,
        system_name,
        friendly_name,
        unit: required_text("unit", "Unit", &input.unit)?,
        description: description_text("description", "Description", &input.description)?,
    };
    unique_friendly_name(write, &new, None)?;
    let id = store::insert_metric(write.tx, &new)?;
    let created = metric(write.tx, id)?;
    write.audit("metric", Some(id.0), None::<&Metric>, Some(&created))?;
    Ok(created)
}

pub(crate) fn update_metric(write: &mut Write<'_>, input: UpdateMetric) -> Result<Metric> {
    let before = metric(write.tx, input.id)?;
    let after = Metric {
        friendly_name: required_text(
            "friendly_name",
            "Name",
            input
                .friendly_name
                .as_ref()
                .unwrap_or(&before.friendly_name),
        )?,
        unit: required_text("unit", "Unit", input.unit.as_ref().unwrap_or(&before.unit))?,
        description: description_text(
            "description",
            "Description",
            input.description.as_ref().unwrap_or(&before.description),
        )?,
        ..before.clone()
    };
    unique_friendly_name(write, &after, Some(before.id))?;
    store::update_metric(write.tx, &after)?;
    write.audit("metric", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// Usage lists, pricing rules and invoice lines name a metric by its name: two of one service
/// may not share one (as in 3scale).
fn unique_friendly_name(write: &Write<'_>, metric: &Metric, except: Option<Id>) -> Result<()> {
    if store::metric_friendly_name_taken(
        write.tx,
        metric.service_id,
        &metric.friendly_name,
        except,
    )? {
        return Err(ApiError::validation(
            "friendly_name",
            format!(
                "Name \"{}\" is already used by a metric of this service.",
                metric.friendly_name
            ),
        )
        .because(Reason::Taken));
    }
    Ok(())
}

pub(crate) fn delete_metric(write: &mut Write<'_>, input: ById) -> Result<Metric> {
    let before = metric(write.tx, input.id)?;
    if before.system_name == HITS && before.parent_id.is_none() {
        return Err(ApiError::invalid_state(
            "The Hits metric is built in and cannot be deleted.",
        ));
    }
    if store::metric_has_usage(write.tx, input.id)? {
        return Err(ApiError::conflict(format!(
            "Metric \"{}\" has recorded usage; it cannot be deleted.",
            before.friendly_name
        )));
    }
    store::delete_metric(write.tx, input.id)?;
    write.audit("metric", Some(input.id.0), Some(&before), None::<&Metric>)?;
    Ok(before)
}
