//! Services, their metrics and methods, plans and their pricing rules.

use super::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Service {
    pub id: Id,
    pub name: String,
    pub system_name: String,
    pub description: String,
    /// How 3scale's gateway authenticates the service's applications; kept for the clients
    /// that set it, billing does not depend on it.
    pub backend_version: BackendVersion,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// 3scale's `backend_version`: `"1"` (user keys), `"2"` (application id and key), `"oauth"`
/// or `"oidc"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub enum BackendVersion {
    #[default]
    #[serde(rename = "1")]
    UserKey,
    #[serde(rename = "2")]
    AppIdAndKey,
    #[serde(rename = "oauth")]
    Oauth,
    #[serde(rename = "oidc")]
    Oidc,
}

impl BackendVersion {
    /// As 3scale writes it (and the book keeps it).
    pub fn as_str(self) -> &'static str {
        match self {
            BackendVersion::UserKey => "1",
            BackendVersion::AppIdAndKey => "2",
            BackendVersion::Oauth => "oauth",
            BackendVersion::Oidc => "oidc",
        }
    }

    /// The version written `text`, if it is one.
    pub fn parse(text: &str) -> Option<BackendVersion> {
        [
            BackendVersion::UserKey,
            BackendVersion::AppIdAndKey,
            BackendVersion::Oauth,
            BackendVersion::Oidc,
        ]
        .into_iter()
        .find(|version| version.as_str() == text.trim())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateService {
    pub name: String,
    /// Derived from the name when absent.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub system_name: Option<String>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
    /// `"1"` when absent.
    #[serde(default)]
    #[ts(optional, as = "Option<BackendVersion>")]
    pub backend_version: BackendVersion,
}

impl CreateService {
    /// A new service with only its name given (system name derived, no description, backend
    /// version "1").
    pub fn named(name: impl Into<String>) -> CreateService {
        CreateService {
            name: name.into(),
            system_name: None,
            description: String::new(),
            backend_version: BackendVersion::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
/// `update_service`'s input: the fields given change, absent ones stay as they are.
pub struct UpdateService {
    pub id: Id,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub backend_version: Option<BackendVersion>,
}

impl UpdateService {
    /// An update of service `id` that changes nothing yet.
    pub fn of(id: Id) -> UpdateService {
        UpdateService {
            id,
            name: None,
            description: None,
            backend_version: None,
        }
    }
}

/// A metric of a service, or a method (a metric under `hits`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Metric {
    pub id: Id,
    pub service_id: Id,
    /// Set for methods: the id of the service's `hits` metric.
    pub parent_id: Option<Id>,
    pub system_name: String,
    pub friendly_name: String,
    pub unit: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ListMetrics {
    pub service_id: Id,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateMetric {
    pub service_id: Id,
    /// Give the `hits` metric's id to create a method.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub parent_id: Option<Id>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub system_name: Option<String>,
    pub friendly_name: String,
    pub unit: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
/// `update_metric`'s input: the fields given change, absent ones stay as they are.
pub struct UpdateMetric {
    pub id: Id,
    #[serde(default)]
    #[ts(optional)]
    pub friendly_name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub unit: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
}

impl UpdateMetric {
    /// An update of metric `id` that changes nothing yet.
    pub fn of(id: Id) -> UpdateMetric {
        UpdateMetric {
            id,
            friendly_name: None,
            unit: None,
            description: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PlanState {
    Hidden,
    Published,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Plan {
    pub id: Id,
    pub service_id: Id,
    pub name: String,
    pub system_name: String,
    #[ts(type = "string")]
    pub setup_fee: Decimal,
    #[ts(type = "string")]
    pub cost_per_month: Decimal,
    pub trial_period_days: u32,
    pub state: PlanState,
    /// The plan new applications of the service get when none is named.
    pub is_default: bool,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// What the plan offers, in the provider's words (shown to people, never billed).
    pub description: String,
    /// 3scale's "Applications require approval?": kept and shown; Counterfoil itself
    /// approves every application.
    pub approval_required: bool,
    /// Set on a custom plan: one application's own copy of a plan (3scale's
    /// `customize_plan`), which no other application may use and lists leave out.
    pub custom: Option<CustomPlan>,
}

/// What makes a plan custom: the application it was made for and the plan it was copied from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CustomPlan {
    pub application_id: Id,
    /// The plan the custom one was copied from; `decustomize_plan` goes back to it.
    pub original_plan_id: Id,
    /// When the application left it (went back to its plan, or changed plan): the plan is
    /// kept, unchangeable, because the plan history and invoices name it.
    #[ts(type = "string | null")]
    pub retired_at: Option<DateTime<Utc>>,
}

/// The editable fields of a plan (create and update).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PlanFields {
    pub name: String,
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub setup_fee: Decimal,
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub cost_per_month: Decimal,
    pub trial_period_days: u32,
    pub state: PlanState,
    pub description: String,
    pub approval_required: bool,
}

// Inputs spell out their fields instead of `#[serde(flatten)]`: serde loses the path of a bad
// value inside a flattened struct, and validation errors must name the field.

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreatePlan {
    pub service_id: Id,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub system_name: Option<String>,
    pub name: String,
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub setup_fee: Decimal,
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub cost_per_month: Decimal,
    pub trial_period_days: u32,
    pub state: PlanState,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub approval_required: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
/// `update_plan`'s input: the fields given change, absent ones stay as they are.
pub struct UpdatePlan {
    pub id: Id,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "exact::optional_decimal")]
    #[ts(optional, type = "string")]
    pub setup_fee: Option<Decimal>,
    #[serde(default, deserialize_with = "exact::optional_decimal")]
    #[ts(optional, type = "string")]
    pub cost_per_month: Option<Decimal>,
    #[serde(default)]
    #[ts(optional)]
    pub trial_period_days: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub state: Option<PlanState>,
    #[serde(default)]
    #[ts(optional)]
    pub description: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub approval_required: Option<bool>,
}

impl CreatePlan {
    pub fn fields(&self) -> PlanFields {
        PlanFields {
            name: self.name.clone(),
            setup_fee: self.setup_fee,
            cost_per_month: self.cost_per_month,
            trial_period_days: self.trial_period_days,
            state: self.state,
            description: self.description.clone(),
            approval_required: self.approval_required,
        }
    }
}

impl UpdatePlan {
    /// An update of plan `id` that changes nothing yet.
    pub fn of(id: Id) -> UpdatePlan {
        UpdatePlan {
            id,
            name: None,
            setup_fee: None,
            cost_per_month: None,
            trial_period_days: None,
            state: None,
            description: None,
            approval_required: None,
        }
    }

    /// The plan's fields after this update: those given, the others as `plan` has them.
    pub fn applied_to(&self, plan: &Plan) -> PlanFields {
        PlanFields {
            name: self.name.clone().unwrap_or_else(|| plan.name.clone()),
            setup_fee: self.setup_fee.unwrap_or(plan.setup_fee),
            cost_per_month: self.cost_per_month.unwrap_or(plan.cost_per_month),
            trial_period_days: self.trial_period_days.unwrap_or(plan.trial_period_days),
            state: self.state.unwrap_or(plan.state),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| plan.description.clone()),
            approval_required: self.approval_required.unwrap_or(plan.approval_required),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ListPlans {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub service_id: Option<Id>,
    /// Matches name or system name, case-insensitively.
    #[serde(default, deserialize_with = "search_text")]
    #[ts(optional = nullable)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub state: Option<PlanState>,
    /// Oldest first (by id) instead of by name, as 3scale's API lists plans.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub order_by_id: bool,
    /// Also the custom plans (each one application's own), which lists otherwise leave out:
    /// for screens that name the plan of every application.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub include_custom: bool,
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PricingRule {
    pub id: Id,
    pub plan_id: Id,
    pub metric_id: Id,
    #[ts(type = "number")]
    pub min: i64,
    /// Absent: unbounded.
    #[ts(type = "number | null")]
    pub max: Option<i64>,
    #[ts(type = "string")]
    pub cost_per_unit: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ListPricingRules {
    pub plan_id: Id,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreatePricingRule {
    pub plan_id: Id,
    pub metric_id: Id,
    #[ts(type = "number")]
    pub min: i64,
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub max: Option<i64>,
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub cost_per_unit: Decimal,
}

/// `update_pricing_rule`'s input: the fields given change, absent ones stay as they are. The
/// rule keeps its plan and metric.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdatePricingRule {
    pub id: Id,
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub min: Option<i64>,
    /// `null`: no upper limit.
    #[serde(default, deserialize_with = "present")]
    #[ts(optional, type = "number | null")]
    pub max: Option<Option<i64>>,
    #[serde(default, deserialize_with = "exact::optional_decimal")]
    #[ts(optional, type = "string")]
    pub cost_per_unit: Option<Decimal>,
}

impl UpdatePricingRule {
    /// An update of rule `id` that changes nothing yet.
    pub fn of(id: Id) -> UpdatePricingRule {
        UpdatePricingRule {
            id,
            min: None,
            max: None,
            cost_per_unit: None,
        }
    }
}

/// `customize_plan` and `decustomize_plan`'s input.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CustomizePlan {
    pub application_id: Id,
}
