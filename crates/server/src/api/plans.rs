//! The Account Management API's application plans (threescale-api.md §5) and their pricing
//! rules (§6), over the engine operations the UI uses.

use super::call::lenient::{self, Checked};
use super::call::{id_segment, path_id, ApiCall};
use super::reply::{decimal_text, timestamp, Failure, Link, Number, Reply};
use super::schema::{self, ErrorsBody};
use super::services::{fields, given, service};
use super::ThreeScale;
use crate::endpoint::{endpoints, Endpoints};
use axum::extract::Path;
use axum::http::StatusCode;
use counterfoil_engine::model::{
    ById, CreatePlan, CreatePricingRule, Id, ListMetrics, ListPlans, ListPricingRules, Metric,
    Plan, PlanState, PricingRule, UpdatePlan,
};
use counterfoil_engine::op;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(super) fn endpoints() -> Endpoints {
    endpoints!(
        ThreeScale;
        list_all_plans,
        list_service_plans,
        create_plan,
        read_plan,
        update_plan,
        delete_plan,
        make_default,
        list_plan_rules,
        list_metric_rules,
        create_rule,
        delete_rule,
    )
}

// --- JSON ------------------------------------------------------------------------------------

/// An application plan as 3scale writes it (§5).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanJson {
    pub id: i64,
    pub service_id: i64,
    pub name: String,
    pub system_name: String,
    /// "hidden" or "published".
    pub state: &'static str,
    #[schema(value_type = f64)]
    pub setup_fee: Number,
    #[schema(value_type = f64)]
    pub cost_per_month: Number,
    pub trial_period_days: u32,
    /// Always 0.
    pub cancellation_period: u32,
    /// Kept and shown; Counterfoil itself approves every application.
    pub approval_required: bool,
    /// The service's default plan.
    pub default: bool,
    /// One application's own copy of a plan (`customize_plan`).
    pub custom: bool,
    pub description: String,
    pub created_at: String,
    pub updated_at: String,
    pub links: Vec<Link>,
}

impl PlanJson {
    pub(super) fn of(plan: &Plan) -> PlanJson {
        let id = plan.id.0;
        let sid = plan.service_id.0;
        let at = timestamp(plan.created_at);
        PlanJson {
            id,
            service_id: sid,
            name: plan.name.clone(),
            system_name: plan.system_name.clone(),
            state: match plan.state {
                PlanState::Hidden => "hidden",
                PlanState::Published => "published",
            },
            setup_fee: Number(plan.setup_fee),
            cost_per_month: Number(plan.cost_per_month),
            trial_period_days: plan.trial_period_days,
            cancellation_period: 0,
            approval_required: plan.approval_required,
            default: plan.is_default,
            custom: plan.custom.is_some(),
            description: plan.description.clone(),
            // The book keeps no per-row update time: the creation stands in for it.
            updated_at: at.clone(),
            created_at: at,
            links: vec![
                Link {
                    rel: "service",
                    href: format!("/admin/api/services/{sid}"),
                },
                Link {
                    rel: "self",
                    href: format!("/admin/api/services/{sid}/application_plans/{id}"),
                },
            ],
        }
    }
}

/// A pricing rule (§6): `cost_per_unit` is a string, `max` is absent when unbounded.
#[derive(Debug, Serialize, ToSchema)]
pub struct PricingRuleJson {
    pub id: i64,
    pub metric_id: i64,
    /// Trailing zeros stripped, at least one decimal: "20.0", "0.05".
    pub cost_per_unit: String,
    pub min: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub links: Vec<Link>,
}

impl PricingRuleJson {
    /// `plan` gives the service of the metric link and the timestamps (none kept per rule).
    fn of(rule: &PricingRule, plan: &Plan) -> PricingRuleJson {
        let at = timestamp(plan.created_at);
        PricingRuleJson {
            id: rule.id.0,
            metric_id: rule.metric_id.0,
            cost_per_unit: decimal_text(rule.cost_per_unit),
            min: rule.min,
            max: rule.max,
            updated_at: at.clone(),
            created_at: at,
            links: vec![
                Link {
                    rel: "metric",
                    href: format!(
                        "/admin/api/services/{}/metrics/{}",
                        plan.service_id.0, rule.metric_id.0
                    ),
                },
                Link {
                    rel: "plan",
                    href: format!(
                        "/admin/api/services/{}/application_plans/{}",
                        plan.service_id.0, plan.id.0
                    ),
                },
            ],
        }
    }
}

schema::envelope!(PlanEnvelope, application_plan, PlanJson);
schema::list!(PlanList, PlanItem, plans, application_plan, PlanJson);
schema::envelope!(PricingRuleEnvelope, pricing_rule, PricingRuleJson);
schema::list!(
    PricingRuleList,
    PricingRuleItem,
    pricing_rules,
    pricing_rule,
    PricingRuleJson
);

// --- plans -----------------------------------------------------------------------------------

/// Every plan (of one service, or of all), oldest first: the list is not paginated.
async fn all_plans(call: &ApiCall, service_id: Option<i64>) -> Result<Vec<Plan>, Failure> {
    let mut plans = Vec::new();
    for page in 1u32.. {
        let filter = ListPlans {
            service_id: service_id.map(Id),
            order_by_id: true,
            page,
            per_page: 500,
            ..ListPlans::default()
        };
        let found = call.read(op::list_plans, filter).await?;
        let done = found.items.is_empty();
        plans.extend(found.items);
        if done || plans.len() as i64 >= found.total {
            break;
        }
    }
    Ok(plans)
}

/// Plan `plan` of service `service`: 404 when either is unknown (or deleted) or they do not
/// match.
async fn plan_of(call: &ApiCall, service_id: &str, plan_id: i64) -> Result<Plan, Failure> {
    let service_id = path_id(service_id)?;
    let plan = call.read(op::get_plan, ById { id: Id(plan_id) }).await?;
    if plan.service_id.0 != service_id {
        return Err(Failure::NotFound);
    }
    super::services::service(call, service_id).await?;
    Ok(plan)
}

/// Every application plan of every service.
#[utoipa::path(
    get, path = "/admin/api/application_plans.json", tag = "Application plans",
    responses((status = 200, body = PlanList))
)]
async fn list_all_plans(call: ApiCall) -> Result<Reply, Failure> {
    let plans = all_plans(&call, None).await?;
    let items: Vec<PlanJson> = plans.iter().map(PlanJson::of).collect();
    Reply::list("plans", "application_plan", &items, None)
}

/// A service's application plans.
#[utoipa::path(
    get, path = "/admin/api/services/{service_id}/application_plans.json",
    tag = "Application plans",
    params(("service_id" = i64, Path)),
    responses((status = 200, body = PlanList))
)]
async fn list_service_plans(
    Path(service_id): Path<String>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let service_id = path_id(&service_id)?;
    service(&call, service_id).await?;
    let plans = all_plans(&call, Some(service_id)).await?;
    let items: Vec<PlanJson> = plans.iter().map(PlanJson::of).collect();
    Reply::list("plans", "application_plan", &items, None)
}

/// The body of a plan create or update (flat, or under `application_plan`); all problems are
/// answered at once.
#[derive(Deserialize, ToSchema)]
struct PlanBody {
    /// Required on create.
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    name: Option<String>,
    /// Create only: generated from the name when absent; unique in the service.
    #[serde(default, deserialize_with = "lenient::text")]
    system_name: Option<String>,
    /// ≥ 0, at most 4 decimals; 0 when absent.
    #[serde(
        default = "lenient::absent",
        deserialize_with = "lenient::checked_decimal"
    )]
    #[schema(value_type = Option<f64>)]
    setup_fee: Checked<Decimal>,
    /// ≥ 0, at most 4 decimals; 0 when absent.
    #[serde(
        default = "lenient::absent",
        deserialize_with = "lenient::checked_decimal"
    )]
    #[schema(value_type = Option<f64>)]
    cost_per_month: Checked<Decimal>,
    /// ≥ 0.
    #[serde(
        default = "lenient::absent",
        deserialize_with = "lenient::checked_integer"
    )]
    #[schema(value_type = Option<i64>)]
    trial_period_days: Checked<i64>,
    /// `publish` or `hide`. A new plan is hidden.
    #[serde(default, deserialize_with = "lenient::text")]
    state_event: Option<String>,
    /// Kept and shown; Counterfoil itself approves every application.
    #[serde(
        default = "lenient::absent",
        deserialize_with = "lenient::checked_boolean"
    )]
    #[schema(value_type = Option<bool>)]
    approval_required: Checked<bool>,
    #[serde(default, deserialize_with = "lenient::text")]
    description: Option<String>,
}

/// The fields `body` gives, checked with every bad field named at once, as an update of plan
/// `id`; absent fields are `None`. `name_required`: a new plan has no name to keep.
fn plan_changes(body: PlanBody, id: Id, name_required: bool) -> Result<UpdatePlan, Failure> {
    let mut errors = Vec::new();
    match body.name.as_deref().map(str::trim) {
        Some("") => errors.push(("name", "can't be blank")),
        None if name_required => errors.push(("name", "can't be blank")),
        _ => {}
    }
    let mut money = |field: &'static str, given: Checked<Decimal>| match given {
        Ok(Some(value)) if value.is_sign_negative() && !value.is_zero() => {
            errors.push((field, "must be greater than or equal to 0"));
            None
        }
        Ok(given) => given,
        Err(_) => {
            errors.push((field, "is not a number"));
            None
        }
    };
    let setup_fee = money("setup_fee", body.setup_fee);
    let cost_per_month = money("cost_per_month", body.cost_per_month);
    let trial_period_days = match body.trial_period_days {
        Ok(Some(days)) if days < 0 => {
            errors.push(("trial_period_days", "must be greater than or equal to 0"));
            None
        }
        // The engine keeps days as u32; beyond it, the engine's own words.
        Ok(Some(days)) => u32::try_from(days).map(Some).unwrap_or_else(|_| {
            errors.push((
                "trial_period_days",
                "trial_period_days must be a whole number of 0 or more.",
            ));
            None
        }),
        Ok(None) => None,
        Err(_) => {
            errors.push(("trial_period_days", "is not a number"));
            None
        }
    };
    let state = match body.state_event.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("publish") => Some(PlanState::Published),
        Some("hide") => Some(PlanState::Hidden),
        Some(_) => {
            errors.push(("state_event", "is invalid"));
            None
        }
    };
    let approval_required = body.approval_required.unwrap_or_else(|_| {
        errors.push(("approval_required", "must be true or false"));
        None
    });
    fields(errors)?;
    Ok(UpdatePlan {
        id,
        name: body.name,
        setup_fee,
        cost_per_month,
        trial_period_days,
        state,
        description: body.description,
        approval_required,
    })
}

/// Create an application plan (hidden unless `state_event` is `publish`).
#[utoipa::path(
    post, path = "/admin/api/services/{service_id}/application_plans.json",
    tag = "Application plans",
    params(("service_id" = i64, Path)),
    request_body(content = PlanBody),
    responses((status = 201, body = PlanEnvelope))
)]
async fn create_plan(Path(service_id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let service_id = path_id(&service_id)?;
    service(&call, service_id).await?;
    let mut body: PlanBody = call.params.rooted("application_plan").parse()?;
    let system_name = given(body.system_name.take());
    let changes = plan_changes(body, Id(0), true)?;
    let create = CreatePlan {
        service_id: Id(service_id),
        system_name,
        name: changes.name.unwrap_or_default(),
        setup_fee: changes.setup_fee.unwrap_or(Decimal::ZERO),
        cost_per_month: changes.cost_per_month.unwrap_or(Decimal::ZERO),
        trial_period_days: changes.trial_period_days.unwrap_or(0),
        state: changes.state.unwrap_or(PlanState::Hidden),
        description: changes.description.unwrap_or_default(),
        approval_required: changes.approval_required.unwrap_or(false),
    };
    let created = call.write_in_short_words(op::create_plan, create).await?;
    let plan = PlanJson::of(&created);
    let location = format!(
        "/admin/api/services/{service_id}/application_plans/{}.json",
        plan.id
    );
    Reply::created("application_plan", &plan, location)
}

/// Read one application plan.
#[utoipa::path(
    get, path = "/admin/api/services/{service_id}/application_plans/{id}.json",
    tag = "Application plans",
    params(("service_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = PlanEnvelope))
)]
async fn read_plan(
    Path((service_id, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let plan = plan_of(&call, &service_id, id_segment(&id)?).await?;
    Reply::entity("application_plan", &PlanJson::of(&plan))
}

/// Change a plan; `system_name`, `state`, `default` and the rest of an echoed entity are
/// ignored (`state_event` publishes or hides).
#[utoipa::path(
    put, path = "/admin/api/services/{service_id}/application_plans/{id}.json",
    tag = "Application plans",
    params(("service_id" = i64, Path), ("id" = i64, Path)),
    request_body(content = PlanBody),
    responses((status = 200, body = PlanEnvelope))
)]
async fn update_plan(
    Path((service_id, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let before = plan_of(&call, &service_id, id_segment(&id)?).await?;
    let body = call.params.rooted("application_plan").parse()?;
    let update = plan_changes(body, before.id, false)?;
    let after = call.write_in_short_words(op::update_plan, update).await?;
    Reply::entity("application_plan", &PlanJson::of(&after))
}

/// Delete a plan; refused (403) while applications depend on it.
#[utoipa::path(
    delete, path = "/admin/api/services/{service_id}/application_plans/{id}.json",
    tag = "Application plans",
    params(("service_id" = i64, Path), ("id" = i64, Path)),
    responses(
        (status = 200, description = "Deleted; empty body"),
        (status = 403, body = ErrorsBody),
    )
)]
async fn delete_plan(
    Path((service_id, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let plan = plan_of(&call, &service_id, id_segment(&id)?).await?;
    call.write(op::delete_plan, ById { id: plan.id })
        .await
        .map_err(|failure| match failure {
            Failure::Conflict(_) => Failure::base(
                StatusCode::FORBIDDEN,
                "This application plan cannot be deleted! At least one application depends \
                 on it.",
            ),
            other => other,
        })?;
    Ok(Reply::deleted())
}

/// Make a plan its service's default.
#[utoipa::path(
    put, path = "/admin/api/services/{service_id}/application_plans/{id}/default.json",
    tag = "Application plans",
    params(("service_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = PlanEnvelope))
)]
async fn make_default(
    Path((service_id, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let plan = plan_of(&call, &service_id, path_id(&id)?).await?;
    let after = call
        .write(op::make_default_plan, ById { id: plan.id })
        .await?;
    Reply::entity("application_plan", &PlanJson::of(&after))
}

// --- pricing rules ---------------------------------------------------------------------------

/// Plan `plan` (any service), 404 when unknown or its service was deleted (the book keeps
/// such plans only for what their applications were billed).
async fn rule_plan(call: &ApiCall, plan_id: &str) -> Result<Plan, Failure> {
    let id = Id(path_id(plan_id)?);
    let plan = call.read(op::get_plan, ById { id }).await?;
    super::services::service(call, plan.service_id.0).await?;
    Ok(plan)
}

/// Plan `plan` and metric `metric` of the plan's service: 404 when either is unknown or the
/// metric belongs to another service.
async fn plan_and_metric(
    call: &ApiCall,
    plan_id: &str,
    metric_id: &str,
) -> Result<(Plan, Metric), Failure> {
    let plan = rule_plan(call, plan_id).await?;
    let metric_id = path_id(metric_id)?;
    let metrics = call
        .read(
            op::list_metrics,
            ListMetrics {
                service_id: plan.service_id,
            },
        )
        .await?;
    let metric = metrics
        .into_iter()
        .find(|metric| metric.id.0 == metric_id)
        .ok_or(Failure::NotFound)?;
    Ok((plan, metric))
}

/// A plan's rules, by id.
async fn rules(call: &ApiCall, plan: &Plan) -> Result<Vec<PricingRule>, Failure> {
    let mut rules = call
        .read(
            op::list_pricing_rules,
            ListPricingRules { plan_id: plan.id },
        )
        .await?;
    rules.sort_by_key(|rule| rule.id);
    Ok(rules)
}

fn rule_list(rules: &[PricingRule], plan: &Plan) -> Result<Reply, Failure> {
    let items: Vec<PricingRuleJson> = rules
        .iter()
        .map(|rule| PricingRuleJson::of(rule, plan))
        .collect();
    Reply::list("pricing_rules", "pricing_rule", &items, None)
}

/// Every pricing rule of a plan.
#[utoipa::path(
    get, path = "/admin/api/application_plans/{plan_id}/pricing_rules.json",
    tag = "Pricing rules",
    params(("plan_id" = i64, Path)),
    responses((status = 200, body = PricingRuleList))
)]
async fn list_plan_rules(Path(plan_id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let plan = rule_plan(&call, &plan_id).await?;
    let rules = rules(&call, &plan).await?;
    rule_list(&rules, &plan)
}

/// The pricing rules of one metric (or method) in a plan.
#[utoipa::path(
    get, path = "/admin/api/application_plans/{plan_id}/metrics/{metric_id}/pricing_rules.json",
    tag = "Pricing rules",
    params(("plan_id" = i64, Path), ("metric_id" = i64, Path)),
    responses((status = 200, body = PricingRuleList))
)]
async fn list_metric_rules(
    Path((plan_id, metric_id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (plan, metric) = plan_and_metric(&call, &plan_id, &metric_id).await?;
    let mut rules = rules(&call, &plan).await?;
    rules.retain(|rule| rule.metric_id == metric.id);
    rule_list(&rules, &plan)
}

/// The body of a pricing rule create (flat, or under `pricing_rule`); all problems are
/// answered at once.
#[derive(Deserialize, ToSchema)]
struct PricingRuleBody {
    /// ≥ 1; 1 when absent.
    #[serde(
        default = "lenient::absent",
        deserialize_with = "lenient::checked_integer"
    )]
    #[schema(value_type = Option<i64>)]
    min: Checked<i64>,
    /// ≥ min, or null for no upper limit.
    #[serde(
        default = "lenient::absent",
        deserialize_with = "lenient::checked_integer"
    )]
    #[schema(value_type = Option<i64>)]
    max: Checked<i64>,
    /// Matches `^\d+\.?\d{0,4}$`, as a string or a number; 0 when absent.
    #[serde(default, deserialize_with = "lenient::text")]
    cost_per_unit: Option<String>,
}

/// `^\d+\.?\d{0,4}$`: digits, then optionally a point and at most four digits.
fn well_formed_cost(text: &str) -> bool {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= 4
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// The overlap refusal, in 3scale's words (§6).
const OVERLAP: &str =
    "The 'From' value must be greater than the 'To' values of other existing rules";

/// Add a pricing rule for a metric (or method) of the plan's service.
#[utoipa::path(
    post, path = "/admin/api/application_plans/{plan_id}/metrics/{metric_id}/pricing_rules.json",
    tag = "Pricing rules",
    params(("plan_id" = i64, Path), ("metric_id" = i64, Path)),
    request_body(content = PricingRuleBody),
    responses((status = 201, body = PricingRuleEnvelope))
)]
async fn create_rule(
    Path((plan_id, metric_id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (plan, metric) = plan_and_metric(&call, &plan_id, &metric_id).await?;
    let body: PricingRuleBody = call.params.rooted("pricing_rule").parse()?;
    let mut errors = Vec::new();
    let min = match body.min {
        Ok(Some(min)) if min < 1 => {
            errors.push(("min", "must be greater than or equal to 1"));
            min
        }
        Ok(Some(min)) => min,
        Ok(None) => 1,
        Err(_) => {
            errors.push(("min", "is not a number"));
            1
        }
    };
    let max = match body.max {
        Ok(Some(max)) if max < min => {
            errors.push(("max", "must be greater than or equal to 'From'"));
            Some(max)
        }
        Ok(max) => max,
        Err(_) => {
            errors.push(("max", "is not a number"));
            None
        }
    };
    let cost = body
        .cost_per_unit
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|| "0".to_owned());
    if !well_formed_cost(&cost) {
        errors.push(("cost_per_unit", "is invalid"));
    }
    fields(errors)?;
    let cost_per_unit = counterfoil_billing::parse_exact(&cost)
        .map_err(|error| Failure::field("cost_per_unit", error.to_string()))?;
    let input = CreatePricingRule {
        plan_id: plan.id,
        metric_id: metric.id,
        min,
        max,
        cost_per_unit,
    };
    let created =
        call.write(op::create_pricing_rule, input)
            .await
            .map_err(|failure| match failure {
                // min ≥ 1 is checked above: a refusal on min is an overlap.
                Failure::Errors(_, errors) if errors.contains_key("min") => {
                    Failure::field("min", OVERLAP)
                }
                other => other,
            })?;
    let rule = PricingRuleJson::of(&created, &plan);
    let location = format!(
        "/admin/api/application_plans/{}/metrics/{}/pricing_rules/{}.json",
        plan.id.0, metric.id.0, rule.id
    );
    Reply::created("pricing_rule", &rule, location)
}

/// Delete a pricing rule of the plan and metric.
#[utoipa::path(
    delete,
    path = "/admin/api/application_plans/{plan_id}/metrics/{metric_id}/pricing_rules/{id}.json",
    tag = "Pricing rules",
    params(
        ("plan_id" = i64, Path), ("metric_id" = i64, Path), ("id" = i64, Path)
    ),
    responses((status = 200, description = "Deleted; empty body"))
)]
async fn delete_rule(
    Path((plan_id, metric_id, id)): Path<(String, String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let (plan, metric) = plan_and_metric(&call, &plan_id, &metric_id).await?;
    let id = id_segment(&id)?;
    let rules = rules(&call, &plan).await?;
    if !rules
        .iter()
        .any(|rule| rule.id.0 == id && rule.metric_id == metric.id)
    {
        return Err(Failure::NotFound);
    }
    call.write(op::delete_pricing_rule, ById { id: Id(id) })
        .await?;
    Ok(Reply::deleted())
}
