//! Billing scenarios: a small world and a timeline, played on a fresh book with a simulated
//! clock (docs/scenario-format.md). Every action goes through the same operation list as the
//! UI, as its typed functions (`op::`); the fields the file gives an operation (a step's
//! `state`, an account's `vat_rate`, …) are read by the transports' own input parser, so they
//! are checked, and refused with the same messages, as in the UI. The daily billing run runs at
//! 08:00 UTC of every day the clock passes.
//!
//! [`Player`] is the machinery: a book on a simulated clock, the world's refs, and the step
//! actions. [`run_scenario`] plays a file with it; the demo book (crates/demo) is built with it
//! too, so both move time and perform the actions one way.

use crate::book::{Actor, Book};
use crate::clock::Clock;
use crate::gateway::TestGateway;
use crate::model::*;
use crate::operations::{op, parse_input};
use crate::ops::billing_run::run_billing_until;
use chrono::{DateTime, NaiveTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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

/// A scenario's world sections (`settings`, `services`, `plans`, `accounts`), read from JSON
/// as a scenario file gives them, for [`Player::set_up`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    #[serde(default)]
    settings: Map<String, Value>,
    #[serde(default)]
    services: Vec<ServiceSpec>,
    #[serde(default)]
    plans: Vec<PlanSpec>,
    #[serde(default)]
    accounts: Vec<Map<String, Value>>,
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
    services: HashMap<String, Id>,
    metrics: HashMap<(String, String), Id>,
    metric_refs: HashMap<Id, String>,
    plans: HashMap<String, Id>,
    accounts: HashMap<String, Id>,
    account_refs: HashMap<Id, String>,
    applications: HashMap<String, Application>,
    invoices: HashMap<String, Id>,
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

    let mut player = Player::open(book_path, start, Actor::new("scenario"))?;
    // A scenario is a test: its cards ("valid", "declined") are the test gateway's.
    let (book, actor) = player.book_and_actor();
    book.use_test_gateway(actor)
        .map_err(|e| ScenarioError(e.message))?;
    player.set_up(&World {
        settings: scenario.settings,
        services: scenario.services,
        plans: scenario.plans,
        accounts: scenario.accounts,
    })?;

    let mut errors = Vec::new();
    for (at, index, step) in steps {
        player.advance(at)?;
        if let Err(message) = player.perform(step) {
            errors.push(json!({"step": index, "message": message}));
        }
    }
    player.advance(scenario.until)?;
    Ok(json!({"invoices": player.invoices()?, "errors": errors}))
}

/// A fresh book on a simulated clock, with the refs its world and steps give things: what
/// plays a scenario, step by step. Steps run at the clock's instant; only [`Player::advance`]
/// moves the clock. What the format has no action for is done with the typed operations on
/// [`Player::book_mut`], naming what it makes with the `name_` functions so steps can refer to it.
pub struct Player {
    book: Book,
    clock: Clock,
    actor: Actor,
    refs: Refs,
}

impl Player {
    /// Opens a fresh book at `path` on a simulated clock standing at `start`; `actor` is who
    /// the audit log says did everything.
    pub fn open(path: &Path, start: DateTime<Utc>, actor: Actor) -> Result<Player, ScenarioError> {
        let clock = Clock::simulated(start);
        let book = Book::open(path, clock.clone()).map_err(|e| ScenarioError(e.to_string()))?;
        Ok(Player {
            book,
            clock,
            actor,
            refs: Refs::default(),
        })
    }

    /// Moves the clock to `at` (never back), running every daily billing job on the way.
    pub fn advance(&mut self, at: DateTime<Utc>) -> Result<(), ScenarioError> {
        if at > self.book.now() {
            self.clock.set(at);
        }
        let now = self.book.now();
        run_billing_until(&mut self.book, &self.actor, now)
            .map_err(|e| ScenarioError(format!("billing run: {e}")))?;
        Ok(())
    }

    /// Sets up the world: settings, services and metrics, plans and their pricing rules,
    /// accounts. A refusal stops the set-up with a message naming what was being set up.
    pub fn set_up(&mut self, world: &World) -> Result<(), ScenarioError> {
        set_up_world(&mut self.book, &self.actor, world, &mut self.refs)
    }

    /// Performs one step, a scenario file's step object (`do` and the action's fields; `at`
    /// is ignored), now. An Err is the product's refusal, as the output's `errors` give it.
    pub fn perform(&mut self, step: &Map<String, Value>) -> Result<(), String> {
        let action = text(step, "do");
        let required =
            required_fields(action).ok_or_else(|| format!("There is no action \"{action}\"."))?;
        if let Some(field) = missing_field(step, required) {
            return Err(format!("The {action} step has no `{field}`."));
        }
        let now = self.book.now();
        perform_step(&mut self.book, &self.actor, &mut self.refs, now, step)
    }

    pub fn book(&self) -> &Book {
        &self.book
    }

    pub fn book_mut(&mut self) -> &mut Book {
        &mut self.book
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The book and the actor together, for a typed operation (`op::x(book, actor, …)`).
    pub fn book_and_actor(&mut self) -> (&mut Book, &Actor) {
        (&mut self.book, &self.actor)
    }

    /// Steps refer to service `id` as `reference`.
    pub fn name_service(&mut self, reference: &str, id: Id) {
        self.refs.services.insert(reference.to_owned(), id);
    }

    /// Usage steps of service `service` (a ref) refer to metric `id` as `reference`.
    pub fn name_metric(&mut self, service: &str, reference: &str, id: Id) {
        self.refs.metric_refs.insert(id, reference.to_owned());
        self.refs
            .metrics
            .insert((service.to_owned(), reference.to_owned()), id);
    }

    /// Steps refer to plan `id` as `reference`.
    pub fn name_plan(&mut self, reference: &str, id: Id) {
        self.refs.plans.insert(reference.to_owned(), id);
    }

    /// Steps refer to account `id` as `reference`.
    pub fn name_account(&mut self, reference: &str, id: Id) {
        self.refs.account_refs.insert(id, reference.to_owned());
        self.refs.accounts.insert(reference.to_owned(), id);
    }

    /// Steps refer to invoice `id` as `reference`.
    pub fn name_invoice(&mut self, reference: &str, id: Id) {
        self.refs.invoices.insert(reference.to_owned(), id);
    }

    pub fn service(&self, reference: &str) -> Option<Id> {
        self.refs.services.get(reference).copied()
    }

    /// Metric `reference` of service `service` (a ref).
    pub fn metric(&self, service: &str, reference: &str) -> Option<Id> {
        self.refs
            .metrics
            .get(&(service.to_owned(), reference.to_owned()))
            .copied()
    }

    pub fn plan(&self, reference: &str) -> Option<Id> {
        self.refs.plans.get(reference).copied()
    }

    pub fn account(&self, reference: &str) -> Option<Id> {
        self.refs.accounts.get(reference).copied()
    }

    /// The application a subscribe step made as `reference`, as it was made.
    pub fn application(&self, reference: &str) -> Option<&Application> {
        self.refs.applications.get(reference)
    }

    /// The invoice a create_invoice step (or [`Player::name_invoice`]) named `reference`.
    pub fn invoice(&self, reference: &str) -> Option<Id> {
        self.refs.invoices.get(reference).copied()
    }

    /// Every invoice in creation order, as the output format lists it.
    fn invoices(&self) -> Result<Vec<Value>, ScenarioError> {
        output_invoices(&self.book, &self.refs)
    }
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

/// The fields each action needs (a step that lacks one breaks the format); None for an
/// action the format does not have.
fn required_fields(action: &str) -> Option<&'static [&'static str]> {
    Some(match action {
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
        "customize_plan" => &["application"],
        "decustomize_plan" => &["application"],
        "set_plan" => &["plan"],
        "add_pricing_rule" => &["plan", "metric", "min", "cost_per_unit"],
        "update_pricing_rule" => &["plan", "metric", "min"],
        _ => return None,
    })
}

fn missing_field(step: &Map<String, Value>, required: &[&'static str]) -> Option<&'static str> {
    required
        .iter()
        .find(|field| !step.contains_key(**field))
        .copied()
}

fn check_action(
    index: usize,
    action: &str,
    step: &Map<String, Value>,
) -> Result<(), ScenarioError> {
    let required = required_fields(action)
        .ok_or_else(|| ScenarioError(format!("step {index}: unknown action `do`: \"{action}\"")))?;
    match missing_field(step, required) {
        Some(field) => Err(ScenarioError(format!(
            "step {index} ({action}): missing field `{field}`"
        ))),
        None => Ok(()),
    }
}

/// Operation input `T` from fields the file gives it, read by the transports' own parser.
fn input<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T, String> {
    parse_input(Value::Object(fields)).map_err(|e| e.message)
}

/// `current` (an operation's output) with `fields` written over it, read as input `T`: how
/// `set_settings`, `set_account` and the file's settings change only the fields they name.
fn merged<T: DeserializeOwned>(
    current: &impl Serialize,
    fields: Map<String, Value>,
) -> Result<T, String> {
    let mut object = match serde_json::to_value(current) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    };
    object.extend(fields);
    input(object)
}

/// Step field `name` as operation input of type `T` (the format names it as the operation
/// does), with the message the operation's parser gives a bad value: "state must be one of: …".
fn field<T: DeserializeOwned>(step: &Map<String, Value>, name: &str) -> Result<T, String> {
    let value = step.get(name).cloned().unwrap_or(Value::Null);
    let mut one: HashMap<String, T> = input(Map::from_iter([(name.to_owned(), value)]))?;
    one.remove(name)
        .ok_or_else(|| format!("{name} is required."))
}

/// An optional step field: `default` when the step leaves it out.
fn field_or<T: DeserializeOwned>(
    step: &Map<String, Value>,
    name: &str,
    default: T,
) -> Result<T, String> {
    if step.contains_key(name) {
        field(step, name)
    } else {
        Ok(default)
    }
}

/// A failure while the world is set up stops the scenario, naming what was being set up.
fn setup<T>(what: &str, result: Result<T, impl std::fmt::Display>) -> Result<T, ScenarioError> {
    result.map_err(|message| ScenarioError(format!("{what}: {message}")))
}

/// An operation's refusal as a step records it: its plain sentence.
fn message<T>(result: crate::error::Result<T>) -> Result<T, String> {
    result.map_err(|e| e.message)
}

fn set_up_world(
    book: &mut Book,
    actor: &Actor,
    world: &World,
    refs: &mut Refs,
) -> Result<(), ScenarioError> {
    let settings = setup("settings", message(op::get_settings(book, NoInput {})))?;
    let settings = setup("settings", merged(&settings, world.settings.clone()))?;
    setup(
        "settings",
        message(op::update_settings(book, actor, settings)),
    )?;
    // A new book starts with its own "API" service (as a new 3scale tenant): the scenario's
    // first service is that one, renamed; the others are created (scenario-format.md).
    let mut default_service = setup(
        "services",
        message(op::list_services(book, Paging::default())),
    )?
    .items
    .into_iter()
    .next();
    for service in &world.services {
        let what = format!("service {}", service.reference);
        let created = match default_service.take() {
            Some(own) => setup(
                &what,
                message(op::update_service(
                    book,
                    actor,
                    UpdateService {
                        name: Some(service.name.clone()),
                        description: Some(String::new()),
                        ..UpdateService::of(own.id)
                    },
                )),
            )?,
            None => setup(
                &what,
                message(op::create_service(
                    book,
                    actor,
                    CreateService {
                        system_name: Some(service.reference.clone()),
                        ..CreateService::named(service.name.clone())
                    },
                )),
            )?,
        };
        let builtin = setup(
            &what,
            message(op::list_metrics(
                book,
                ListMetrics {
                    service_id: created.id,
                },
            )),
        )?;
        for metric in &service.metrics {
            let id = match builtin.first() {
                Some(hits) if metric.reference == "hits" => {
                    let update = UpdateMetric {
                        id: hits.id,
                        friendly_name: Some(metric.friendly_name.clone()),
                        unit: Some(metric.unit.clone()),
                        description: Some(String::new()),
                    };
                    setup(&what, message(op::update_metric(book, actor, update)))?.id
                }
                _ => {
                    let create = CreateMetric {
                        service_id: created.id,
                        parent_id: None,
                        system_name: Some(metric.reference.clone()),
                        friendly_name: metric.friendly_name.clone(),
                        unit: metric.unit.clone(),
                        description: String::new(),
                    };
                    setup(&what, message(op::create_metric(book, actor, create)))?.id
                }
            };
            refs.metric_refs.insert(id, metric.reference.clone());
            refs.metrics
                .insert((service.reference.clone(), metric.reference.clone()), id);
        }
        refs.services.insert(service.reference.clone(), created.id);
    }
    for plan in &world.plans {
        let what = format!("plan {}", plan.reference);
        let service = refs.services.get(&plan.service).copied().ok_or_else(|| {
            ScenarioError(format!(
                "{what}: field `service`: no service \"{}\"",
                plan.service
            ))
        })?;
        let create = CreatePlan {
            service_id: service,
            system_name: Some(plan.reference.clone()),
            name: plan.name.clone(),
            setup_fee: setup(&what, amount("setup_fee", &plan.setup_fee))?,
            cost_per_month: setup(&what, amount("cost_per_month", &plan.cost_per_month))?,
            trial_period_days: plan.trial_period_days,
            state: PlanState::Published,
            description: String::new(),
            approval_required: false,
        };
        let created = setup(&what, message(op::create_plan(book, actor, create)))?;
        for rule in &plan.pricing_rules {
            let metric = refs
                .metrics
                .get(&(plan.service.clone(), rule.metric.clone()))
                .copied()
                .ok_or_else(|| {
                    ScenarioError(format!(
                        "{what}: field `pricing_rules.metric`: no metric \"{}\"",
                        rule.metric
                    ))
                })?;
            let create = CreatePricingRule {
                plan_id: created.id,
                metric_id: metric,
                min: rule.min,
                max: rule.max,
                cost_per_unit: setup(&what, amount("cost_per_unit", &rule.cost_per_unit))?,
            };
            setup(&what, message(op::create_pricing_rule(book, actor, create)))?;
        }
        refs.plans.insert(plan.reference.clone(), created.id);
    }
    for (index, account) in world.accounts.iter().enumerate() {
        let reference = account
            .get("ref")
            .and_then(Value::as_str)
            .ok_or_else(|| ScenarioError(format!("accounts[{index}]: missing field `ref`")))?
            .to_owned();
        let what = format!("account {reference}");
        // The ref is the organization's name unless the file gives one.
        let mut fields = Map::from_iter([("org_name".to_owned(), Value::from(reference.clone()))]);
        setup(&what, merge_account(&mut fields, account))?;
        let created = setup(
            &what,
            input(fields).and_then(|fields| message(op::create_account(book, actor, fields))),
        )?;
        refs.account_refs.insert(created.id, reference.clone());
        refs.accounts.insert(reference, created.id);
    }
    Ok(())
}

/// A plan's or pricing rule's amount from the file, read exactly as the transports read
/// amounts given as text.
fn amount(name: &str, text: &str) -> Result<rust_decimal::Decimal, String> {
    counterfoil_billing::parse_exact(text).map_err(|e| format!("{name} {e}."))
}

/// Scenario account fields onto account input fields; `card` is "valid", "declined" or "none".
fn merge_account(
    target: &mut Map<String, Value>,
    fields: &Map<String, Value>,
) -> Result<(), String> {
    for (key, value) in fields {
        match key.as_str() {
            "ref" => {}
            "card" => {
                let card = match value.as_str() {
                    Some("valid") => Some(card(TestGateway::VALID_CARD)),
                    Some("declined") => Some(card(TestGateway::DECLINED_CARD)),
                    Some("none") | None => None,
                    Some(other) => {
                        return Err(format!(
                            "field `card`: \"{other}\" is not valid, declined or none"
                        ))
                    }
                };
                target.insert(key.clone(), serde_json::to_value(card).unwrap_or_default());
            }
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(())
}

fn card(reference: &str) -> Card {
    Card {
        last4: "4242".into(),
        expiry_month: 12,
        expiry_year: 2099,
        gateway_reference: reference.into(),
    }
}

fn text<'a>(step: &'a Map<String, Value>, field: &str) -> &'a str {
    step.get(field).and_then(Value::as_str).unwrap_or_default()
}

fn lookup<T: Clone>(map: &HashMap<String, T>, kind: &str, reference: &str) -> Result<T, String> {
    map.get(reference)
        .cloned()
        .ok_or_else(|| format!("There is no {kind} \"{reference}\" in this scenario."))
}

/// An invoice by create_invoice ref, or by friendly ID for the billing run's invoices.
fn invoice_id(book: &Book, refs: &Refs, reference: &str) -> Result<Id, String> {
    if let Some(id) = refs.invoices.get(reference) {
        return Ok(*id);
    }
    let found = message(op::list_invoices(
        book,
        ListInvoices {
            friendly_id: Some(reference.to_owned()),
            page: 1,
            per_page: 1,
            ..ListInvoices::default()
        },
    ))?;
    found
        .items
        .first()
        .map(|item| item.id)
        .ok_or_else(|| format!("There is no invoice \"{reference}\"."))
}

fn perform_step(
    book: &mut Book,
    actor: &Actor,
    refs: &mut Refs,
    at: DateTime<Utc>,
    step: &Map<String, Value>,
) -> Result<(), String> {
    match text(step, "do") {
        "subscribe" => {
            let subscribe = Subscribe {
                account_id: lookup(&refs.accounts, "account", text(step, "account"))?,
                plan_id: lookup(&refs.plans, "plan", text(step, "plan"))?,
                name: text(step, "ref").to_owned(),
                description: String::new(),
                user_key: None,
            };
            let app = message(op::subscribe(book, actor, subscribe))?;
            refs.applications.insert(text(step, "ref").to_owned(), app);
        }
        "change_plan" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            let change = ChangePlan {
                application_id: app.id,
                plan_id: lookup(&refs.plans, "plan", text(step, "plan"))?,
            };
            message(op::change_plan(book, actor, change))?;
        }
        "cancel" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            message(op::cancel_application(book, actor, ById { id: app.id }))?;
        }
        "usage" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            let plan = message(op::get_plan(book, ById { id: app.plan_id }))?;
            let metric = metric_of_service(refs, plan.service_id, text(step, "metric"))?;
            let usage = RecordUsage {
                application_id: app.id,
                metric_id: metric,
                timestamp: Some(at),
                value: field(step, "value")?,
                idempotency_key: None,
            };
            message(op::record_usage(book, actor, usage))?;
        }
        "set_account" => {
            let id = lookup(&refs.accounts, "account", text(step, "account"))?;
            let account = message(op::get_account(book, ById { id }))?;
            let mut fields = Map::new();
            let mut changes = step.clone();
            for key in ["at", "do", "account"] {
                changes.remove(key);
            }
            merge_account(&mut fields, &changes)?;
            let update: UpdateAccount = merged(&account, fields)?;
            message(op::update_account(book, actor, update))?;
        }
        "set_settings" => {
            let settings = message(op::get_settings(book, NoInput {}))?;
            let mut fields = step.clone();
            fields.remove("at");
            fields.remove("do");
            let settings: Settings = merged(&settings, fields)?;
            message(op::update_settings(book, actor, settings))?;
        }
        "create_invoice" => {
            let create = CreateInvoice {
                account_id: lookup(&refs.accounts, "account", text(step, "account"))?,
                lines: Vec::new(),
                period: field(step, "period")?,
            };
            let created = message(op::create_invoice(book, actor, create))?;
            refs.invoices
                .insert(text(step, "ref").to_owned(), created.invoice.id);
        }
        "add_line_item" => {
            let id = invoice_id(book, refs, text(step, "invoice"))?;
            // The line's fields are the operation's, amounts included: read as the
            // operation reads them, after the cost's rounding (`stored_cost`).
            let mut fields = Map::from_iter([("invoice_id".to_owned(), Value::from(id.0))]);
            for name in ["name", "cost", "quantity", "description"] {
                if let Some(value) = step.get(name) {
                    let value = if name == "cost" {
                        stored_cost(value)
                    } else {
                        value.clone()
                    };
                    fields.insert(name.to_owned(), value);
                }
            }
            message(op::add_line_item(book, actor, input(fields)?))?;
        }
        "delete_line_item" => {
            let id = invoice_id(book, refs, text(step, "invoice"))?;
            let invoice = message(op::get_invoice(book, ById { id }))?;
            let index = step["index"].as_u64().unwrap_or(u64::MAX) as usize;
            let line = invoice
                .line_items
                .get(index)
                .ok_or_else(|| format!("The invoice has no line {index}."))?;
            message(op::delete_line_item(book, actor, ById { id: line.id }))?;
        }
        "set_friendly_id" => {
            let update = UpdateInvoice {
                id: invoice_id(book, refs, text(step, "invoice"))?,
                friendly_id: field(step, "friendly_id")?,
                period: None,
            };
            message(op::update_invoice(book, actor, update))?;
        }
        "transition" => {
            let transition = TransitionInvoice {
                id: invoice_id(book, refs, text(step, "invoice"))?,
                state: field(step, "state")?,
            };
            message(op::transition_invoice(book, actor, transition))?;
        }
        "charge" => {
            let id = invoice_id(book, refs, text(step, "invoice"))?;
            message(op::charge_invoice(book, actor, ById { id }))?;
        }
        "mark_paid" => {
            let paid = MarkInvoicePaid {
                id: invoice_id(book, refs, text(step, "invoice"))?,
                reference: field_or(step, "reference", String::new())?,
            };
            message(op::mark_invoice_paid(book, actor, paid))?;
        }
        "customize_plan" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            let input = CustomizePlan {
                application_id: app.id,
            };
            let custom = message(op::customize_plan(book, actor, input))?;
            if let Some(reference) = step.get("ref").and_then(Value::as_str) {
                refs.plans.insert(reference.to_owned(), custom.id);
            }
        }
        "decustomize_plan" => {
            let app = lookup(&refs.applications, "application", text(step, "application"))?;
            let input = CustomizePlan {
                application_id: app.id,
            };
            message(op::decustomize_plan(book, actor, input))?;
        }
        "set_plan" => {
            let id = lookup(&refs.plans, "plan", text(step, "plan"))?;
            let mut fields = step.clone();
            for key in ["at", "do", "plan"] {
                fields.remove(key);
            }
            fields.insert("id".to_owned(), Value::from(id.0));
            message(op::update_plan(book, actor, input(fields)?))?;
        }
        "add_pricing_rule" => {
            let plan_id = lookup(&refs.plans, "plan", text(step, "plan"))?;
            let plan = message(op::get_plan(book, ById { id: plan_id }))?;
            let metric = metric_of_service(refs, plan.service_id, text(step, "metric"))?;
            let mut fields = Map::from_iter([
                ("plan_id".to_owned(), Value::from(plan_id.0)),
                ("metric_id".to_owned(), Value::from(metric.0)),
            ]);
            for name in ["min", "max", "cost_per_unit"] {
                if let Some(value) = step.get(name) {
                    fields.insert(name.to_owned(), value.clone());
                }
            }
            message(op::create_pricing_rule(book, actor, input(fields)?))?;
        }
        "update_pricing_rule" => {
            // The rule is the plan's rule of the metric whose range starts at `min` (ranges of
            // one metric never overlap, so there is at most one); `max` and `cost_per_unit`
            // change.
            let plan_id = lookup(&refs.plans, "plan", text(step, "plan"))?;
            let plan = message(op::get_plan(book, ById { id: plan_id }))?;
            let metric = metric_of_service(refs, plan.service_id, text(step, "metric"))?;
            let min: i64 = field(step, "min")?;
            let rules = message(op::list_pricing_rules(book, ListPricingRules { plan_id }))?;
            let rule = rules
                .iter()
                .find(|rule| rule.metric_id == metric && rule.min == min)
                .ok_or_else(|| {
                    format!("The plan has no rule for this metric starting at {min}.")
                })?;
            let mut fields = Map::from_iter([("id".to_owned(), Value::from(rule.id.0))]);
            for name in ["max", "cost_per_unit"] {
                if let Some(value) = step.get(name) {
                    fields.insert(name.to_owned(), value.clone());
                }
            }
            message(op::update_pricing_rule(book, actor, input(fields)?))?;
        }
        _ => {}
    }
    Ok(())
}

/// Metric `reference` of the service with id `service_id`.
fn metric_of_service(refs: &Refs, service_id: Id, reference: &str) -> Result<Id, String> {
    let service = refs
        .services
        .iter()
        .find(|(_, id)| **id == service_id)
        .map(|(r, _)| r.clone())
        .unwrap_or_default();
    refs.metrics
        .get(&(service, reference.to_owned()))
        .copied()
        .ok_or_else(|| format!("There is no metric \"{reference}\" in this scenario."))
}

/// The day of an instant, as the output writes it: 2025-02-05.
fn day(at: DateTime<Utc>) -> String {
    at.date_naive().to_string()
}

/// Every invoice in creation order, as the output format lists it.
fn output_invoices(book: &Book, refs: &Refs) -> Result<Vec<Value>, ScenarioError> {
    let mut ids = Vec::new();
    for page in 1.. {
        let listed = op::list_invoices(
            book,
            ListInvoices {
                page,
                per_page: 500,
                ..ListInvoices::default()
            },
        )
        .map_err(|e| ScenarioError(e.message))?;
        if listed.items.is_empty() {
            break;
        }
        ids.extend(listed.items.iter().map(|item| item.id));
    }
    ids.sort_unstable();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let detail = op::get_invoice(book, ById { id }).map_err(|e| ScenarioError(e.message))?;
        let invoice = &detail.invoice;
        let account = refs
            .account_refs
            .get(&invoice.account_id)
            .cloned()
            .unwrap_or_default();
        let lines: Vec<Value> = detail
            .line_items
            .iter()
            .map(|line| {
                let mut out = json!({"name": line.name, "description": line.description,
                    "quantity": line.quantity, "cost": line.cost, "type": line.line_type});
                if let Some(metric) = line.metric_id.and_then(|id| refs.metric_refs.get(&id)) {
                    out["metric"] = json!(metric);
                }
                out
            })
            .collect();
        let transactions: Vec<Value> = detail
            .payment_transactions
            .iter()
            .map(|tx| {
                json!({"on": day(tx.created_at), "amount": tx.amount, "currency": tx.currency,
                    "success": tx.success})
            })
            .collect();
        out.push(json!({
            "friendly_id": invoice.friendly_id,
            "account": account,
            "period": invoice.period,
            "creation_type": invoice.creation_type,
            "state": invoice.state,
            "issued_on": invoice.issued_on,
            "due_on": invoice.due_on,
            "paid_on": invoice.paid_at.map(day),
            "currency": invoice.currency,
            "vat_rate": invoice.vat_rate,
            "cost_without_vat": invoice.totals.cost_without_vat,
            "vat_amount": invoice.totals.vat_amount,
            "total": invoice.totals.total,
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
