//! Billing scenarios: a small world and a timeline, played on a fresh book with a simulated
//! clock (docs/scenario-format.md). Every action goes through the same operation list as the
//! UI; the daily billing run runs at 08:00 UTC of every day the clock passes.

use crate::book::{Actor, Book};
use crate::clock::Clock;
use crate::gateway::TestGateway;
use crate::operations::dispatch;
use crate::ops::billing_run::run_billing_until;
use chrono::{DateTime, NaiveTime, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::Path;

/// A file that is not a scenario: the message names the step and field at fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ScenarioError(pub String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[serde(default)]
    settings: Map<String, Value>,
    #[serde(default)]
    services: Vec<ServiceSpec>,
    #[serde(default)]
    plans: Vec<PlanSpec>,
    #[serde(default)]
    accounts: Vec<Map<String, Value>>,
    #[serde(default)]
    steps: Vec<Map<String, Value>>,
    until: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceSpec {
    #[serde(rename = "ref")]
    reference: String,
    name: String,
    #[serde(default)]
    metrics: Vec<MetricSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricSpec {
    #[serde(rename = "ref")]
    reference: String,
    friendly_name: String,
    #[serde(default = "default_unit")]
    unit: String,
}

fn default_unit() -> String {
    "unit".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanSpec {
    #[serde(rename = "ref")]
    reference: String,
    service: String,
    name: String,
    #[serde(default = "zero")]
    setup_fee: String,
    #[serde(default = "zero")]
    cost_per_month: String,
    #[serde(default)]
    trial_period_days: u32,
    #[serde(default)]
    pricing_rules: Vec<RuleSpec>,
}

fn zero() -> String {
    "0".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    metric: String,
    min: i64,
    #[serde(default)]
    max: Option<i64>,
    cost_per_unit: String,
}

/// The refs a scenario gives things, and the ids the book gave them.
#[derive(Default)]
struct Refs {
    services: HashMap<String, Value>,
    metrics: HashMap<(String, String), Value>,
    metric_refs: HashMap<String, String>,
    plans: HashMap<String, Value>,
    accounts: HashMap<String, Value>,
    account_refs: HashMap<String, String>,
    applications: HashMap<String, Value>,
    invoices: HashMap<String, Value>,
}

/// Plays `text` on a fresh book at `book_path` and returns the output document.
pub fn run_scenario(text: &str, book_path: &Path) -> Result<Value, ScenarioError> {
    let scenario: Scenario = parse(
        serde_json::from_str(text)
            .map_err(|e| ScenarioError(format!("the file is not valid JSON: {e}")))?,
        "the scenario",
    )?;
    let mut steps = Vec::with_capacity(scenario.steps.len());
    for (index, step) in scenario.steps.iter().enumerate() {
        let at = step
            .get("at")
            .cloned()
            .ok_or_else(|| missing(index, "at"))?;
        let at: DateTime<Utc> = serde_json::from_value(at)
            .map_err(|e| ScenarioError(format!("step {index}: field `at`: {e}")))?;
        let action = step
            .get("do")
            .and_then(Value::as_str)
            .ok_or_else(|| missing(index, "do"))?;
        check_action(index, action, step)?;
        steps.push((at, index, step));
    }
    // Steps run in the order of their instants; equal instants keep file order.
    steps.sort_by_key(|(at, index, _)| (*at, *index));
    let first_day = steps
        .first()
        .map_or(scenario.until, |(at, _, _)| *at)
        .date_naive();
    let start = first_day.and_time(NaiveTime::MIN).and_utc();
    if scenario.until < start {
        return Err(ScenarioError("`until` is before the first step".into()));
    }

    let clock = Clock::simulated(start);
    let mut book =
        Book::open(book_path, clock.clone()).map_err(|e| ScenarioError(e.to_string()))?;
    let actor = Actor::new("scenario");
    let mut refs = Refs::default();
    set_up(&mut book, &actor, &scenario, &mut refs)?;

    let mut errors = Vec::new();
    for (at, index, step) in steps {
        advance(&mut book, &actor, &clock, at)?;
        if let Err(message) = perform(&mut book, &actor, &mut refs, step) {
            errors.push(json!({"step": index, "message": message}));
        }
    }
    advance(&mut book, &actor, &clock, scenario.until)?;
    Ok(json!({"invoices": invoices(&mut book, &actor, &refs)?, "errors": errors}))
}

fn missing(index: usize, field: &str) -> ScenarioError {
    ScenarioError(format!("step {index}: missing field `{field}`"))
}

fn parse<T: DeserializeOwned>(value: Value, what: &str) -> Result<T, ScenarioError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        ScenarioError(format!("{what}: field `{path}`: {}", e.into_inner()))
    })
}

/// The fields each action needs: a step that lacks one breaks the format.
fn check_action(
    index: usize,
    action: &str,
    step: &Map<String, Value>,
) -> Result<(), ScenarioError> {
    let required: &[&str] = match action {
        "subscribe" => &["account", "plan", "ref"],
        "change_plan" => &["application", "plan"],
        "cancel" => &["application"],
        "usage" => &["application", "metric", "value"],
        "set_account" => &["account"],
        "set_settings" => &[],
        "create_invoice" => &["account", "ref"],
        "add_line_item" => &["invoice", "name", "cost"],
        "delete_line_item" => &["invoice", "index"],
        "set_friendly_id" => &["invoice", "friendly_id"],
        "transition" => &["invoice", "state"],
        "charge" => &["invoice"],
        "mark_paid" => &["invoice"],
        other => {
            return Err(ScenarioError(format!(
                "step {index}: unknown action `do`: \"{other}\""
            )))
        }
    };
    match required.iter().find(|field| !step.contains_key(**field)) {
        Some(field) => Err(ScenarioError(format!(
            "step {index} ({action}): missing field `{field}`"
        ))),
        None => Ok(()),
    }
}

/// Moves the clock to `at`, running every daily billing job on the way.
fn advance(
    book: &mut Book,
    actor: &Actor,
    clock: &Clock,
    at: DateTime<Utc>,
) -> Result<(), ScenarioError> {
    if at > book.now() {
        clock.set(at);
    }
    run_billing_until(book, actor, book.now())
        .map_err(|e| ScenarioError(format!("billing run: {e}")))?;
    Ok(())
}

fn call(book: &mut Book, actor: &Actor, op: &str, input: Value) -> Result<Value, String> {
    dispatch(book, actor, op, input).map_err(|e| e.message)
}

fn setup_call(
    book: &mut Book,
    actor: &Actor,
    what: &str,
    op: &str,
    input: Value,
) -> Result<Value, ScenarioError> {
    call(book, actor, op, input).map_err(|message| ScenarioError(format!("{what}: {message}")))
}

fn set_up(
    book: &mut Book,
    actor: &Actor,
    scenario: &Scenario,
    refs: &mut Refs,
) -> Result<(), ScenarioError> {
    let mut settings = setup_call(book, actor, "settings", "get_settings", json!({}))?;
    merge(&mut settings, &scenario.settings);
    setup_call(book, actor, "settings", "update_settings", settings)?;
    for service in &scenario.services {
        let what = format!("service {}", service.reference);
        let created = setup_call(
            book,
            actor,
            &what,
            "create_service",
            json!({"name": service.name, "system_name": service.reference}),
        )?;
        let builtin = setup_call(
            book,
            actor,
            &what,
            "list_metrics",
            json!({"service_id": created["id"]}),
        )?;
        for metric in &service.metrics {
            let id = if metric.reference == "hits" {
                let hits = builtin[0]["id"].clone();
                setup_call(
                    book,
                    actor,
                    &what,
                    "update_metric",
                    json!({"id": hits, "friendly_name": metric.friendly_name, "unit": metric.unit}),
                )?;
                hits
            } else {
                setup_call(
                    book,
                    actor,
                    &what,
                    "create_metric",
                    json!({"service_id": created["id"], "system_name": metric.reference,
                    "friendly_name": metric.friendly_name, "unit": metric.unit}),
                )?["id"]
                    .clone()
            };
            refs.metric_refs.insert(
                id.as_str().unwrap_or_default().to_owned(),
                metric.reference.clone(),
            );
            refs.metrics
                .insert((service.reference.clone(), metric.reference.clone()), id);
        }
        refs.services
            .insert(service.reference.clone(), created["id"].clone());
    }
    for plan in &scenario.plans {
        let what = format!("plan {}", plan.reference);
        let service = refs.services.get(&plan.service).cloned().ok_or_else(|| {
            ScenarioError(format!(
                "{what}: field `service`: no service \"{}\"",
                plan.service
            ))
        })?;
        let created = setup_call(
            book,
            actor,
            &what,
            "create_plan",
            json!({"service_id": service, "system_name": plan.reference,
            "name": plan.name, "setup_fee": plan.setup_fee, "cost_per_month": plan.cost_per_month,
            "trial_period_days": plan.trial_period_days, "state": "published"}),
        )?;
        for rule in &plan.pricing_rules {
            let metric = refs
                .metrics
                .get(&(plan.service.clone(), rule.metric.clone()))
                .cloned()
                .ok_or_else(|| {
                    ScenarioError(format!(
                        "{what}: field `pricing_rules.metric`: no metric \"{}\"",
                        rule.metric
                    ))
                })?;
            setup_call(
                book,
                actor,
                &what,
                "create_pricing_rule",
                json!({"plan_id": created["id"], "metric_id": metric,
                "min": rule.min, "max": rule.max, "cost_per_unit": rule.cost_per_unit}),
            )?;
        }
        refs.plans.insert(plan.reference.clone(), created);
    }
    for (index, account) in scenario.accounts.iter().enumerate() {
        let reference = account
            .get("ref")
            .and_then(Value::as_str)
            .ok_or_else(|| ScenarioError(format!("accounts[{index}]: missing field `ref`")))?
            .to_owned();
        let mut fields = json!({"org_name": reference});
        merge_account(&mut fields, account)
            .map_err(|e| ScenarioError(format!("account {reference}: {e}")))?;
        let created = setup_call(
            book,
            actor,
            &format!("account {reference}"),
            "create_account",
            fields,
        )?;
        refs.account_refs.insert(
            created["id"].as_str().unwrap_or_default().to_owned(),
            reference.clone(),
        );
        refs.accounts.insert(reference, created["id"].clone());
    }
    Ok(())
}

fn merge(target: &mut Value, fields: &Map<String, Value>) {
    if let Some(object) = target.as_object_mut() {
        for (key, value) in fields {
            object.insert(key.clone(), value.clone());
        }
    }
}

/// Scenario account fields onto an account input; `card` is "valid", "declined" or "none".
fn merge_account(target: &mut Value, fields: &Map<String, Value>) -> Result<(), String> {
    for (key, value) in fields {
        match key.as_str() {
            "ref" => {}
            "card" => {
                let card = match value.as_str() {
                    Some("valid") => card(TestGateway::VALID_CARD),
                    Some("declined") => card(TestGateway::DECLINED_CARD),
                    Some("none") | None => Value::Null,
                    Some(other) => {
                        return Err(format!(
                            "field `card`: \"{other}\" is not valid, declined or none"
                        ))
                    }
                };
                target["card"] = card;
            }
            _ => target[key] = value.clone(),
        }
    }
    Ok(())
}

fn card(reference: &str) -> Value {
    json!({"last4": "4242", "expiry_month": 12, "expiry_year": 2099, "gateway_reference": reference})
}

fn text<'a>(step: &'a Map<String, Value>, field: &str) -> &'a str {
    step.get(field).and_then(Value::as_str).unwrap_or_default()
}

fn lookup(map: &HashMap<String, Value>, kind: &str, reference: &str) -> Result<Value, String> {
    map.get(reference)
        .cloned()
        .ok_or_else(|| format!("There is no {kind} \"{reference}\" in this scenario."))
}

/// An invoice by create_invoice ref, or by friendly ID for the billing run's invoices.
fn invoice_id(
    book: &mut Book,
    actor: &Actor,
    refs: &Refs,
    reference: &str,
) -> Result<Value, String> {
    if let Some(id) = refs.invoices.get(reference) {
        return Ok(id.clone());
    }
    let found = call(
        book,
        actor,
        "list_invoices",
        json!({"friendly_id": reference, "per_page": 1}),
    )?;
    found["items"]
        .get(0)
        .map(|item| item["id"].clone())
        .ok_or_else(|| format!("There is no invoice \"{reference}\"."))
}

fn perform(
    book: &mut Book,
    actor: &Actor,
    refs: &mut Refs,
    step: &Map<String, Value>,
) -> Result<(), String> {
    let at = step.get("at").cloned().unwrap_or_default();
    match text(step, "do") {
        "subscribe" => {
            let account = lookup(&refs.accounts, "account", text(step, "account"))?;
            let plan = lookup(&refs.plans, "plan", text(step, "plan"))?;
            let app = call(
                book,
                actor,
                "subscribe",
                json!({"account_id": account, "plan_id": plan["id"], "name": text(step, "ref")}),
            )?;
            refs.applications.insert(text(step, "ref").to_owned(), app);
        }
        "change_plan" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            let plan = lookup(&refs.plans, "plan", text(step, "plan"))?;
            call(
                book,
                actor,
                "change_plan",
                json!({"application_id": app["id"], "plan_id": plan["id"]}),
            )?;
        }
        "cancel" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            call(book, actor, "cancel_application", json!({"id": app["id"]}))?;
        }
        "usage" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            let plan = call(book, actor, "get_plan", json!({"id": app["plan_id"]}))?;
            let service = refs
                .services
                .iter()
                .find(|(_, id)| **id == plan["service_id"])
                .map(|(r, _)| r.clone())
                .unwrap_or_default();
            let metric = refs
                .metrics
                .get(&(service, text(step, "metric").to_owned()))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "There is no metric \"{}\" in this scenario.",
                        text(step, "metric")
                    )
                })?;
            call(
                book,
                actor,
                "record_usage",
                json!({"application_id": app["id"], "metric_id": metric, "timestamp": at, "value": step["value"]}),
            )?;
        }
        "set_account" => {
            let id = lookup(&refs.accounts, "account", text(step, "account"))?;
            let mut account = call(book, actor, "get_account", json!({"id": id}))?;
            let mut fields = step.clone();
            for key in ["at", "do", "account"] {
                fields.remove(key);
            }
            merge_account(&mut account, &fields)?;
            call(book, actor, "update_account", account)?;
        }
        "set_settings" => {
            let mut settings = call(book, actor, "get_settings", json!({}))?;
            let mut fields = step.clone();
            fields.remove("at");
            fields.remove("do");
            merge(&mut settings, &fields);
            call(book, actor, "update_settings", settings)?;
        }
        "create_invoice" => {
            let account = lookup(&refs.accounts, "account", text(step, "account"))?;
            let created = call(
                book,
                actor,
                "create_invoice",
                json!({"account_id": account, "period": step.get("period")}),
            )?;
            refs.invoices.insert(
                text(step, "ref").to_owned(),
                created["invoice"]["id"].clone(),
            );
        }
        "add_line_item" => {
            let id = invoice_id(book, actor, refs, text(step, "invoice"))?;
            call(
                book,
                actor,
                "add_line_item",
                json!({"invoice_id": id, "name": step["name"], "cost": stored_cost(&step["cost"]),
                "quantity": step.get("quantity"), "description": step.get("description").cloned().unwrap_or(json!(""))}),
            )?;
        }
        "delete_line_item" => {
            let id = invoice_id(book, actor, refs, text(step, "invoice"))?;
            let invoice = call(book, actor, "get_invoice", json!({"id": id}))?;
            let index = step["index"].as_u64().unwrap_or(u64::MAX) as usize;
            let line = invoice["line_items"]
                .get(index)
                .ok_or_else(|| format!("The invoice has no line {index}."))?;
            call(book, actor, "delete_line_item", json!({"id": line["id"]}))?;
        }
        "set_friendly_id" => {
            let id = invoice_id(book, actor, refs, text(step, "invoice"))?;
            call(
                book,
                actor,
                "update_invoice",
                json!({"id": id, "friendly_id": step["friendly_id"]}),
            )?;
        }
        "transition" => {
            let id = invoice_id(book, actor, refs, text(step, "invoice"))?;
            call(
                book,
                actor,
                "transition_invoice",
                json!({"id": id, "state": step["state"]}),
            )?;
        }
        "charge" => {
            let id = invoice_id(book, actor, refs, text(step, "invoice"))?;
            call(book, actor, "charge_invoice", json!({"id": id}))?;
        }
        "mark_paid" => {
            let id = invoice_id(book, actor, refs, text(step, "invoice"))?;
            call(
                book,
                actor,
                "mark_invoice_paid",
                json!({"id": id, "reference": step.get("reference").cloned().unwrap_or(json!(""))}),
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// Every invoice in creation order, as the output format lists it.
fn invoices(book: &mut Book, actor: &Actor, refs: &Refs) -> Result<Vec<Value>, ScenarioError> {
    let mut ids = Vec::new();
    for page in 1.. {
        let listed = call(
            book,
            actor,
            "list_invoices",
            json!({"page": page, "per_page": 500}),
        )
        .map_err(ScenarioError)?;
        let items = listed["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        ids.extend(items.iter().map(|item| {
            item["id"]
                .as_str()
                .unwrap_or("0")
                .parse::<i64>()
                .unwrap_or(0)
        }));
    }
    ids.sort_unstable();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let detail = call(book, actor, "get_invoice", json!({"id": id.to_string()}))
            .map_err(ScenarioError)?;
        let invoice = &detail["invoice"];
        let account = refs
            .account_refs
            .get(invoice["account_id"].as_str().unwrap_or_default())
            .cloned()
            .unwrap_or_default();
        let lines: Vec<Value> = detail["line_items"].as_array().cloned().unwrap_or_default().iter().map(|line| {
            let mut out = json!({"name": line["name"], "description": line["description"], "quantity": line["quantity"],
                "cost": line["cost"], "type": line["type"]});
            if let Some(metric) = line["metric_id"].as_str().and_then(|id| refs.metric_refs.get(id)) {
                out["metric"] = json!(metric);
            }
            out
        }).collect();
        let transactions: Vec<Value> = detail["payment_transactions"].as_array().cloned().unwrap_or_default().iter().map(|tx| {
            json!({"on": tx["created_at"].as_str().map(|t| &t[..10]), "amount": tx["amount"], "currency": tx["currency"], "success": tx["success"]})
        }).collect();
        out.push(json!({
            "friendly_id": invoice["friendly_id"],
            "account": account,
            "period": invoice["period"],
            "creation_type": invoice["creation_type"],
            "state": invoice["state"],
            "issued_on": invoice["issued_on"],
            "due_on": invoice["due_on"],
            "paid_on": invoice["paid_at"].as_str().map(|t| &t[..10]),
            "currency": invoice["currency"],
            "vat_rate": invoice["vat_rate"],
            "cost_without_vat": invoice["totals"]["cost_without_vat"],
            "vat_amount": invoice["totals"]["vat_amount"],
            "total": invoice["totals"]["total"],
            "line_items": lines,
            "payment_transactions": transactions,
        }));
    }
    Ok(out)
}

/// A scenario's line cost as §1 stores it: rounded half-up to 4 decimal places
/// (billing-rules.md §1: "0.00009 → 0.0001"). The format is a contract that predates the
/// operation's refusal of costs with more decimals (a person typing 0.00009 is asked again;
/// a scenario states the rule's example), so the runner applies the rule before the call.
/// Anything that is not a plain decimal goes to the operation as it is, to be refused there.
fn stored_cost(cost: &Value) -> Value {
    match cost.as_str().map(counterfoil_billing::parse_exact) {
        Some(Ok(exact)) if exact.scale() > 4 => {
            Value::String(counterfoil_billing::round4(exact).to_string())
        }
        _ => cost.clone(),
    }
}
