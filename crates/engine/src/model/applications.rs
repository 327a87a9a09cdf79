//! Applications (subscriptions to a plan), plan changes and usage.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    Live,
    Cancelled,
}

/// A buyer's subscription to a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Application {
    pub id: Id,
    pub account_id: Id,
    pub plan_id: Id,
    pub name: String,
    pub state: ApplicationState,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// Created + the plan's trial days at signup; absent without a trial.
    #[ts(type = "string | null")]
    pub trial_ends_at: Option<DateTime<Utc>>,
    /// The instant up to which the fixed fee has been billed.
    #[ts(type = "string | null")]
    pub paid_until: Option<DateTime<Utc>>,
    /// The instant up to which usage has been billed.
    #[ts(type = "string | null")]
    pub usage_billed_until: Option<DateTime<Utc>>,
    pub setup_fee_billed: bool,
    #[ts(type = "string | null")]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
    /// Suspended (3scale's app state); billing follows the subscription all the same.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub suspended: bool,
    /// The key the buyer's requests carry (3scale's backend version 1).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub user_key: Option<String>,
}

/// One entry of an application's plan history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanChange {
    pub from_plan_id: Option<Id>,
    pub to_plan_id: Id,
    #[ts(type = "string")]
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ApplicationDetail {
    pub application: Application,
    /// Oldest first; the first entry is the signup.
    pub plan_history: Vec<PlanChange>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ListApplications {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub account_id: Option<Id>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub plan_id: Option<Id>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub state: Option<ApplicationState>,
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Subscribe {
    pub account_id: Id,
    pub plan_id: Id,
    pub name: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
    /// None: the application has no key (see `generated_user_key`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub user_key: Option<String>,
}

/// `update_application`'s input: the application's editable fields; absent ones are kept.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdateApplication {
    pub id: Id,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub description: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub user_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SuspendApplication {
    pub id: Id,
    /// true suspends a live application, false resumes a suspended one.
    pub suspended: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChangePlan {
    pub application_id: Id,
    pub plan_id: Id,
}

/// What changing an application's plan now would bill (`preview_change_plan`): the lines the
/// billing run would add for the change (billing-rules.md §8), computed by the same code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanChangePreview {
    pub application_id: Id,
    pub from_plan_id: Id,
    pub to_plan_id: Id,
    /// The instant the change would take effect: now.
    #[ts(type = "string")]
    pub changed_at: DateTime<Utc>,
    pub billing_mode: BillingMode,
    /// In the order the billing run adds them; lines costing nothing are left out (§7).
    pub lines: Vec<PlanChangeLine>,
    /// Σ the lines' costs, before VAT.
    #[ts(type = "string")]
    pub total: Decimal,
    /// Why the change bills nothing, when that is not just its amounts: the application is in
    /// its trial, or the account's monthly billing is off.
    #[ts(optional = nullable)]
    pub nothing_billed_because: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanChangeLine {
    pub name: String,
    pub description: String,
    /// The month of the invoice the line goes to, YYYY-MM.
    #[ts(type = "string")]
    pub period: Period,
    /// 4 decimals at most, as on the invoice.
    #[ts(type = "string")]
    pub cost: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageRecord {
    pub id: Id,
    pub application_id: Id,
    pub metric_id: Id,
    #[ts(type = "string")]
    pub timestamp: DateTime<Utc>,
    #[ts(type = "number")]
    pub value: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RecordUsage {
    pub application_id: Id,
    pub metric_id: Id,
    /// When the usage happened; now when absent. Never in the future.
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub timestamp: Option<DateTime<Utc>>,
    #[ts(type = "number")]
    pub value: i64,
    /// Taken once, ever: recording again with a key taken before answers the record that
    /// carries it and records nothing.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ListUsage {
    pub application_id: Id,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub metric_id: Option<Id>,
    /// Inclusive lower bound.
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub to: Option<DateTime<Utc>>,
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}
