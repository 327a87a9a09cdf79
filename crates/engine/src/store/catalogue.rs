//! Services, metrics, plans and pricing rules.

use super::{contains_pattern, from_e4, from_epoch, limit_offset, search_key, to_e4, to_epoch};
use crate::model::{
    BackendVersion, CustomPlan, Id, ListPlans, Metric, Page, Paging, Plan, PlanFields, PlanState,
    PricingRule, Service,
};
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

// --- services --------------------------------------------------------------------------------

const SERVICE_COLUMNS: &str = "id, name, system_name, description, backend_version, created_at";

fn service_from_row(row: &Row<'_>) -> rusqlite::Result<Service> {
    Ok(Service {
        id: Id(row.get(0)?),
        name: row.get(1)?,
        system_name: row.get(2)?,
        description: row.get(3)?,
        backend_version: BackendVersion::parse(&row.get::<_, String>(4)?).unwrap_or_default(),
        created_at: from_epoch(row.get(5)?),
    })
}

/// The services not deleted, by id.
pub(crate) fn list_services(conn: &Connection, paging: &Paging) -> rusqlite::Result<Page<Service>> {
    let (limit, offset) = limit_offset(paging);
    let total = super::query_row(
        conn,
        "SELECT count(*) FROM services WHERE deleted_at IS NULL",
        [],
        |row| row.get(0),
    )?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {SERVICE_COLUMNS} FROM services WHERE deleted_at IS NULL
         ORDER BY id LIMIT ?1 OFFSET ?2"
    ))?;
    let items = statement
        .query_map(params![limit, offset], service_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page: paging.page.max(1),
        per_page: limit as u32,
        total,
    })
}

/// A service that is not deleted.
pub(crate) fn get_service(conn: &Connection, id: Id) -> rusqlite::Result<Option<Service>> {
    super::query_row(
        conn,
        &format!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = ?1 AND deleted_at IS NULL"),
        [id.0],
        service_from_row,
    )
    .optional()
}

pub(crate) fn service_system_name_taken(
    conn: &Connection,
    system_name: &str,
) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM services WHERE system_name = ?1)",
        [system_name],
        |row| row.get(0),
    )
}

pub(crate) fn insert_service(
    conn: &Connection,
    name: &str,
    system_name: &str,
    description: &str,
    backend_version: BackendVersion,
    created_at: DateTime<Utc>,
) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO services (id, name, system_name, description, backend_version, created_at)
         VALUES (sync_new_id('services'), ?1, ?2, ?3, ?4, ?5)",
        params![
            name,
            system_name,
            description,
            backend_version.as_str(),
            to_epoch(created_at)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn update_service(
    conn: &Connection,
    id: Id,
    name: &str,
    description: &str,
    backend_version: BackendVersion,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE services SET name = ?2, description = ?3, backend_version = ?4 WHERE id = ?1",
        params![id.0, name, description, backend_version.as_str()],
    )?;
    Ok(())
}

pub(crate) fn delete_service(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    super::execute(conn, "DELETE FROM services WHERE id = ?1", [id.0])?;
    Ok(())
}

/// Marks a service deleted at `at`, keeping its row for the applications, usage and invoice
/// lines that name its plans and metrics. Its system name is given back: the column is
/// UNIQUE, so the kept row's name gets a `#deleted-<id>` suffix no system name can have.
pub(crate) fn mark_service_deleted(
    conn: &Connection,
    id: Id,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE services SET deleted_at = ?2, system_name = system_name || '#deleted-' || id
         WHERE id = ?1",
        params![id.0, to_epoch(at)],
    )?;
    Ok(())
}

/// Whether any application (live or cancelled) is on a plan of the service.
pub(crate) fn service_has_applications(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM applications a JOIN plans p ON p.id = a.plan_id
                        WHERE p.service_id = ?1)",
        [id.0],
        |row| row.get(0),
    )
}

/// The live applications on the service's plans, by id.
pub(crate) fn live_applications_of_service(conn: &Connection, id: Id) -> rusqlite::Result<Vec<Id>> {
    let mut statement = conn.prepare_cached(
        "SELECT a.id FROM applications a JOIN plans p ON p.id = a.plan_id
         WHERE p.service_id = ?1 AND a.state = 'live' ORDER BY a.id",
    )?;
    let ids = statement
        .query_map([id.0], |row| Ok(Id(row.get(0)?)))?
        .collect();
    ids
}

/// Every plan of the service, by id.
pub(crate) fn plans_of_service(conn: &Connection, id: Id) -> rusqlite::Result<Vec<Plan>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE service_id = ?1 ORDER BY id"
    ))?;
    let plans = statement.query_map([id.0], plan_from_row)?.collect();
    plans
}

// --- metrics ---------------------------------------------------------------------------------

const METRIC_COLUMNS: &str =
    "id, service_id, parent_id, system_name, friendly_name, unit, description";

fn metric_from_row(row: &Row<'_>) -> rusqlite::Result<Metric> {
    Ok(Metric {
        id: Id(row.get(0)?),
        service_id: Id(row.get(1)?),
        parent_id: row.get::<_, Option<i64>>(2)?.map(Id),
        system_name: row.get(3)?,
        friendly_name: row.get(4)?,
        unit: row.get(5)?,
        description: row.get(6)?,
    })
}

/// A service's metrics, `hits` first, each metric followed by its methods.
pub(crate) fn list_metrics(conn: &Connection, service_id: Id) -> rusqlite::Result<Vec<Metric>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {METRIC_COLUMNS} FROM metrics WHERE service_id = ?1
         ORDER BY coalesce(parent_id, id), parent_id IS NOT NULL, id"
    ))?;
    let metrics = statement
        .query_map([service_id.0], metric_from_row)?
        .collect();
    metrics
}

pub(crate) fn get_metric(conn: &Connection, id: Id) -> rusqlite::Result<Option<Metric>> {
    super::query_row(
        conn,
        &format!("SELECT {METRIC_COLUMNS} FROM metrics WHERE id = ?1"),
        [id.0],
        metric_from_row,
    )
    .optional()
}

pub(crate) fn metric_system_name_taken(
    conn: &Connection,
    service_id: Id,
    system_name: &str,
) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM metrics WHERE service_id = ?1 AND system_name = ?2)",
        params![service_id.0, system_name],
        |row| row.get(0),
    )
}

/// Whether another metric or method of the service (not `except`) has this name.
pub(crate) fn metric_friendly_name_taken(
    conn: &Connection,
    service_id: Id,
    friendly_name: &str,
    except: Option<Id>,
) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM metrics
                        WHERE service_id = ?1 AND trim(friendly_name) = ?2 AND id IS NOT ?3)",
        params![service_id.0, friendly_name.trim(), except.map(|id| id.0)],
        |row| row.get(0),
    )
}

pub(crate) fn insert_metric(conn: &Connection, metric: &Metric) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO metrics (id, service_id, parent_id, system_name, friendly_name, unit,
                              description)
         VALUES (sync_new_id('metrics'), ?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            metric.service_id.0,
            metric.parent_id.map(|id| id.0),
            metric.system_name,
            metric.friendly_name,
            metric.unit,
            metric.description
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn update_metric(conn: &Connection, metric: &Metric) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE metrics SET friendly_name = ?2, unit = ?3, description = ?4 WHERE id = ?1",
        params![
            metric.id.0,
            metric.friendly_name,
            metric.unit,
            metric.description
        ],
    )?;
    Ok(())
}

pub(crate) fn delete_metric(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    super::execute(conn, "DELETE FROM metrics WHERE id = ?1", [id.0])?;
    Ok(())
}

pub(crate) fn metric_has_usage(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM usage_records WHERE metric_id = ?1
                        OR metric_id IN (SELECT id FROM metrics WHERE parent_id = ?1))",
        [id.0],
        |row| row.get(0),
    )
}

// --- plans -----------------------------------------------------------------------------------

const PLAN_COLUMNS: &str = "id, service_id, name, system_name, setup_fee, cost_per_month, \
                            trial_period_days, state, is_default, created_at, description, \
                            approval_required, custom_for_application_id, original_plan_id, \
                            retired_at";

fn plan_from_row(row: &Row<'_>) -> rusqlite::Result<Plan> {
    let custom = match (
        row.get::<_, Option<i64>>(12)?,
        row.get::<_, Option<i64>>(13)?,
    ) {
        (Some(application_id), Some(original_plan_id)) => Some(CustomPlan {
            application_id: Id(application_id),
            original_plan_id: Id(original_plan_id),
            retired_at: row.get::<_, Option<i64>>(14)?.map(from_epoch),
        }),
        _ => None,
    };
    Ok(Plan {
        id: Id(row.get(0)?),
        service_id: Id(row.get(1)?),
        name: row.get(2)?,
        system_name: row.get(3)?,
        setup_fee: from_e4(row.get(4)?),
        cost_per_month: from_e4(row.get(5)?),
        trial_period_days: row.get(6)?,
        state: plan_state_from(&row.get::<_, String>(7)?),
        is_default: row.get(8)?,
        created_at: from_epoch(row.get(9)?),
        description: row.get(10)?,
        approval_required: row.get(11)?,
        custom,
    })
}

fn plan_state_from(text: &str) -> PlanState {
    if text == "published" {
        PlanState::Published
    } else {
        PlanState::Hidden
    }
}

fn plan_state_sql(state: PlanState) -> &'static str {
    match state {
        PlanState::Hidden => "hidden",
        PlanState::Published => "published",
    }
}

pub(crate) fn list_plans(conn: &Connection, filter: &ListPlans) -> rusqlite::Result<Page<Plan>> {
    let (limit, offset) = limit_offset(&filter.paging());
    let search = filter
        .search
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(contains_pattern);
    let state = filter.state.map(plan_state_sql);
    let service = filter.service_id.map(|id| id.0);
    // Plans of a deleted service leave the lists with it (get_plan still finds them).
    let filter_sql = "FROM plans WHERE (?1 IS NULL OR service_id = ?1)
        AND (?2 IS NULL OR search_key LIKE ?2 ESCAPE '\\')
        AND (?3 IS NULL OR state = ?3)
        AND (?6 OR custom_for_application_id IS NULL)
        AND service_id IN (SELECT id FROM services WHERE deleted_at IS NULL)";
    let total = super::query_row(
        conn,
        &format!("SELECT count(*) {filter_sql}"),
        params![
            service,
            search,
            state,
            None::<i64>,
            None::<i64>,
            filter.include_custom
        ],
        |row| row.get(0),
    )?;
    let order = if filter.order_by_id {
        "id"
    } else {
        "name COLLATE NOCASE, id"
    };
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {PLAN_COLUMNS} {filter_sql} ORDER BY {order} LIMIT ?4 OFFSET ?5"
    ))?;
    let items = statement
        .query_map(
            params![service, search, state, limit, offset, filter.include_custom],
            plan_from_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        page: filter.paging().page.max(1),
        per_page: limit as u32,
        total,
    })
}

pub(crate) fn get_plan(conn: &Connection, id: Id) -> rusqlite::Result<Option<Plan>> {
    super::query_row(
        conn,
        &format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = ?1"),
        [id.0],
        plan_from_row,
    )
    .optional()
}

pub(crate) fn plan_system_name_taken(
    conn: &Connection,
    service_id: Id,
    system_name: &str,
) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM plans WHERE service_id = ?1 AND system_name = ?2)",
        params![service_id.0, system_name],
        |row| row.get(0),
    )
}

pub(crate) fn insert_plan(
    conn: &Connection,
    service_id: Id,
    system_name: &str,
    fields: &PlanFields,
    created_at: DateTime<Utc>,
    custom: Option<&CustomPlan>,
) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO plans (id, service_id, name, system_name, setup_fee, cost_per_month,
                            trial_period_days, state, created_at, search_key, description,
                            approval_required, custom_for_application_id, original_plan_id)
         VALUES (sync_new_id('plans'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            service_id.0,
            fields.name,
            system_name,
            to_e4(fields.setup_fee),
            to_e4(fields.cost_per_month),
            fields.trial_period_days,
            plan_state_sql(fields.state),
            to_epoch(created_at),
            search_key(&[&fields.name, system_name]),
            fields.description,
            fields.approval_required,
            custom.map(|c| c.application_id.0),
            custom.map(|c| c.original_plan_id.0),
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

pub(crate) fn update_plan(conn: &Connection, id: Id, fields: &PlanFields) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE plans SET name = ?2, setup_fee = ?3, cost_per_month = ?4, trial_period_days = ?5,
                          state = ?6, search_key = ?7 || char(31) || lower(system_name),
                          description = ?8, approval_required = ?9
         WHERE id = ?1",
        params![
            id.0,
            fields.name,
            to_e4(fields.setup_fee),
            to_e4(fields.cost_per_month),
            fields.trial_period_days,
            plan_state_sql(fields.state),
            search_key(&[&fields.name]),
            fields.description,
            fields.approval_required,
        ],
    )?;
    Ok(())
}

/// Marks custom plan `id` as left by its application at `at`.
pub(crate) fn retire_custom_plan(
    conn: &Connection,
    id: Id,
    at: DateTime<Utc>,
) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE plans SET retired_at = ?2 WHERE id = ?1 AND custom_for_application_id IS NOT NULL",
        params![id.0, to_epoch(at)],
    )?;
    Ok(())
}

pub(crate) fn delete_plan(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    super::execute(conn, "DELETE FROM plans WHERE id = ?1", [id.0])?;
    Ok(())
}

pub(crate) fn plan_in_use(conn: &Connection, id: Id) -> rusqlite::Result<bool> {
    super::query_row(
        conn,
        "SELECT EXISTS (SELECT 1 FROM applications WHERE plan_id = ?1)
             OR EXISTS (SELECT 1 FROM plan_changes WHERE from_plan_id = ?1 OR to_plan_id = ?1)",
        [id.0],
        |row| row.get(0),
    )
}

/// Makes `id` the one default plan of its service.
pub(crate) fn make_default_plan(conn: &Connection, id: Id, service_id: Id) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE plans SET is_default = 0 WHERE service_id = ?1 AND is_default = 1",
        [service_id.0],
    )?;
    super::execute(
        conn,
        "UPDATE plans SET is_default = 1 WHERE id = ?1",
        [id.0],
    )?;
    Ok(())
}

// --- pricing rules ---------------------------------------------------------------------------

const RULE_COLUMNS: &str = "id, plan_id, metric_id, min, max, cost_per_unit";

fn rule_from_row(row: &Row<'_>) -> rusqlite::Result<PricingRule> {
    Ok(PricingRule {
        id: Id(row.get(0)?),
        plan_id: Id(row.get(1)?),
        metric_id: Id(row.get(2)?),
        min: row.get(3)?,
        max: row.get(4)?,
        cost_per_unit: from_e4(row.get(5)?),
    })
}

pub(crate) fn list_pricing_rules(
    conn: &Connection,
    plan_id: Id,
) -> rusqlite::Result<Vec<PricingRule>> {
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {RULE_COLUMNS} FROM pricing_rules WHERE plan_id = ?1 ORDER BY metric_id, min, id"
    ))?;
    let rules = statement.query_map([plan_id.0], rule_from_row)?.collect();
    rules
}

pub(crate) fn get_pricing_rule(conn: &Connection, id: Id) -> rusqlite::Result<Option<PricingRule>> {
    super::query_row(
        conn,
        &format!("SELECT {RULE_COLUMNS} FROM pricing_rules WHERE id = ?1"),
        [id.0],
        rule_from_row,
    )
    .optional()
}

pub(crate) fn insert_pricing_rule(conn: &Connection, rule: &PricingRule) -> rusqlite::Result<Id> {
    super::execute(
        conn,
        "INSERT INTO pricing_rules (id, plan_id, metric_id, min, max, cost_per_unit)
         VALUES (sync_new_id('pricing_rules'), ?1, ?2, ?3, ?4, ?5)",
        params![
            rule.plan_id.0,
            rule.metric_id.0,
            rule.min,
            rule.max,
            to_e4(rule.cost_per_unit)
        ],
    )?;
    Ok(Id(conn.last_insert_rowid()))
}

/// Gives rule `rule.id` the range and cost of `rule` (its plan and metric stay).
pub(crate) fn update_pricing_rule(conn: &Connection, rule: &PricingRule) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "UPDATE pricing_rules SET min = ?2, max = ?3, cost_per_unit = ?4 WHERE id = ?1",
        params![rule.id.0, rule.min, rule.max, to_e4(rule.cost_per_unit)],
    )?;
    Ok(())
}

/// Copies every pricing rule of plan `from` to plan `to`, oldest first.
pub(crate) fn copy_pricing_rules(conn: &Connection, from: Id, to: Id) -> rusqlite::Result<()> {
    super::execute(
        conn,
        "INSERT INTO pricing_rules (id, plan_id, metric_id, min, max, cost_per_unit)
         SELECT sync_new_id('pricing_rules'), ?2, metric_id, min, max, cost_per_unit FROM pricing_rules WHERE plan_id = ?1
         ORDER BY id",
        params![from.0, to.0],
    )?;
    Ok(())
}

pub(crate) fn delete_pricing_rule(conn: &Connection, id: Id) -> rusqlite::Result<()> {
    super::execute(conn, "DELETE FROM pricing_rules WHERE id = ?1", [id.0])?;
    Ok(())
}
