//! The engine's API types: what operations take and return. They cross to the UI as JSON
//! (amounts and 64-bit ids as strings) and to TypeScript through ts-rs (see bindings.rs).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ts_rs::TS;

/// A row id. Crosses the boundary as a string (JavaScript numbers lose 64-bit precision);
/// accepted as a string or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, TS)]
#[ts(type = "string")]
pub struct Id(pub i64);

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(i64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(n) => Ok(Id(n)),
            Raw::Text(s) => s
                .trim()
                .parse()
                .map(Id)
                .map_err(|_| serde::de::Error::custom(format!("\"{s}\" is not an id"))),
        }
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An operation that takes no input.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct NoInput {}

/// Input of every operation that reads or removes one thing by id.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ById {
    pub id: Id,
}

/// Which page of a list: 1-based, `per_page` from 1 to 500. Lists that also filter spell
/// the two fields out (see [`paged!`]) so that a bad value's error names its field.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Paging {
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

/// The paging of a list filter that spells out `page` and `per_page`.
macro_rules! paged {
    ($($filter:ty),*) => {$(
        impl $filter {
            pub fn paging(&self) -> Paging {
                Paging { page: self.page, per_page: self.per_page }
            }
        }
    )*};
}
paged!(
    ListPlans,
    ListAccounts,
    ListApplications,
    ListUsage,
    ListAudit,
    ListInvoices
);

/// Paging as given, or refused naming the field: never clamped into something else.
mod paging {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    pub const MAX_PER_PAGE: u32 = 500;

    struct Whole {
        least: u32,
        most: u32,
        expecting: &'static str,
    }

    impl Visitor<'_> for Whole {
        type Value = u32;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str(self.expecting)
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<u32, E> {
            u32::try_from(value)
                .ok()
                .filter(|value| (self.least..=self.most).contains(value))
                .ok_or_else(|| E::custom(self.expecting))
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<u32, E> {
            u64::try_from(value)
                .map_err(|_| E::custom(self.expecting))
                .and_then(|value| self.visit_u64(value))
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<u32, E> {
            match text.trim().parse::<u64>() {
                Ok(value) => self.visit_u64(value),
                Err(_) => Err(E::custom(self.expecting)),
            }
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<u32, E> {
            Err(E::custom(self.expecting))
        }
    }

    pub(super) fn page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(Whole {
            least: 1,
            most: u32::MAX,
            expecting: "must be a whole number of 1 or more",
        })
    }

    pub(super) fn per_page<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(Whole {
            least: 1,
            most: MAX_PER_PAGE,
            expecting: "must be a whole number from 1 to 500",
        })
    }
}

fn first_page() -> u32 {
    1
}
fn default_per_page() -> u32 {
    50
}

impl Default for Paging {
    fn default() -> Paging {
        Paging {
            page: first_page(),
            per_page: default_per_page(),
        }
    }
}

/// One page of a list, with the total number of matching items.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    #[ts(type = "number")]
    pub total: i64,
}

// ---------------------------------------------------------------------------------------------
// Provider settings

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BillingMode {
    Postpaid,
    Prepaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Numbering {
    Monthly,
    Yearly,
}

/// A postal address; empty strings are absent parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        [
            &self.line1,
            &self.line2,
            &self.city,
            &self.state,
            &self.zip,
            &self.country,
        ]
        .iter()
        .all(|part| part.trim().is_empty())
    }
}

/// The paper invoice PDFs are printed on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaperSize {
    #[default]
    A4,
    Letter,
}

/// The provider's settings: who issues invoices, and how billing runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// Issued-by name on invoices.
    pub org_name: String,
    pub address: Address,
    pub fiscal_code: String,
    pub vat_code: String,
    /// ISO 4217 code, e.g. EUR.
    pub currency: String,
    pub billing_mode: BillingMode,
    pub numbering: Numbering,
    pub invoice_footnote: String,
    pub zero_vat_text: String,
    pub charging_enabled: bool,
    /// A4 unless the provider prints on US Letter.
    #[serde(default)]
    #[ts(optional, as = "Option<PaperSize>")]
    pub paper_size: PaperSize,
    /// Whether a logo is set (`set_invoice_logo` changes it; ignored by `update_settings`).
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub has_logo: bool,
}

// ---------------------------------------------------------------------------------------------
// Catalogue

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Service {
    pub id: Id,
    pub name: String,
    pub system_name: String,
    pub description: String,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
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
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdateService {
    pub id: Id,
    pub name: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
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
pub struct UpdateMetric {
    pub id: Id,
    pub friendly_name: String,
    pub unit: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
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
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdatePlan {
    pub id: Id,
    pub name: String,
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub setup_fee: Decimal,
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub cost_per_month: Decimal,
    pub trial_period_days: u32,
    pub state: PlanState,
}

impl CreatePlan {
    pub fn fields(&self) -> PlanFields {
        PlanFields {
            name: self.name.clone(),
            setup_fee: self.setup_fee,
            cost_per_month: self.cost_per_month,
            trial_period_days: self.trial_period_days,
            state: self.state,
        }
    }
}

impl UpdatePlan {
    pub fn fields(&self) -> PlanFields {
        PlanFields {
            name: self.name.clone(),
            setup_fee: self.setup_fee,
            cost_per_month: self.cost_per_month,
            trial_period_days: self.trial_period_days,
            state: self.state,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
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

// ---------------------------------------------------------------------------------------------
// Accounts

/// The stored card: never the full number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Card {
    pub last4: String,
    pub expiry_month: u32,
    pub expiry_year: u32,
    /// The payment gateway's token for the card.
    pub gateway_reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Account {
    pub id: Id,
    #[serde(flatten)]
    pub fields: AccountFields,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// Approved unless changed (3scale's signup approval); billing does not depend on it.
    #[serde(default)]
    #[ts(optional, as = "Option<AccountState>")]
    pub state: AccountState,
    /// The buyer's admin user, as 3scale's signup makes it (unique, case-insensitively).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub admin_username: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub admin_email: Option<String>,
}

/// A buyer account's state (3scale's account approval).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    #[default]
    Approved,
    Pending,
    Rejected,
    Suspended,
}

/// What moves an account from one state to another: approve (from pending or rejected),
/// reject (from pending or approved), make_pending (from approved or rejected), suspend (from
/// approved), resume (from suspended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountEvent {
    Approve,
    Reject,
    MakePending,
    Suspend,
    Resume,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChangeAccountState {
    pub id: Id,
    pub event: AccountEvent,
}

/// `sign_up`'s input: a buyer account with its admin user (3scale's signup).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SignUp {
    pub org_name: String,
    /// 3 to 40 characters, unique among buyers' users.
    pub username: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub email: Option<String>,
    #[serde(default)]
    #[ts(optional, as = "Option<Address>")]
    pub legal_address: Address,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub vat_code: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub fiscal_code: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub po_number: String,
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    #[serde(deserialize_with = "exact::optional_decimal")]
    pub vat_rate: Option<Decimal>,
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub monthly_billing_enabled: bool,
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub monthly_charging_enabled: bool,
}

/// Finds an account by the first criterion given: its admin user's name, its admin user's id
/// (an account has one user, whose id is the account's), or its admin user's email.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct FindAccount {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub username: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub user_id: Option<Id>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub email: Option<String>,
}

/// The editable fields of a buyer account (create and update).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountFields {
    pub org_name: String,
    #[serde(default)]
    #[ts(optional, as = "Option<Address>")]
    pub legal_address: Address,
    /// Used on invoices only when no legal address is set.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub billing_address: Option<Address>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub vat_code: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub fiscal_code: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub po_number: String,
    /// Percent, at most 2 decimals; absent means no VAT (not the same as 0).
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    #[serde(deserialize_with = "exact::optional_decimal")]
    pub vat_rate: Option<Decimal>,
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub monthly_billing_enabled: bool,
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub monthly_charging_enabled: bool,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub card: Option<Card>,
}

fn yes() -> bool {
    true
}

/// `update_account`'s input: the account's id and all its editable fields (spelled out, not
/// flattened, so a bad value's error names its field).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdateAccount {
    pub id: Id,
    pub org_name: String,
    #[serde(default)]
    #[ts(optional, as = "Option<Address>")]
    pub legal_address: Address,
    /// Used on invoices only when no legal address is set.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub billing_address: Option<Address>,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub vat_code: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub fiscal_code: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub po_number: String,
    /// Percent, at most 2 decimals; absent means no VAT (not the same as 0).
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    #[serde(deserialize_with = "exact::optional_decimal")]
    pub vat_rate: Option<Decimal>,
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub monthly_billing_enabled: bool,
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub monthly_charging_enabled: bool,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub card: Option<Card>,
}

impl UpdateAccount {
    pub fn fields(&self) -> AccountFields {
        AccountFields {
            org_name: self.org_name.clone(),
            legal_address: self.legal_address.clone(),
            billing_address: self.billing_address.clone(),
            vat_code: self.vat_code.clone(),
            fiscal_code: self.fiscal_code.clone(),
            po_number: self.po_number.clone(),
            vat_rate: self.vat_rate,
            monthly_billing_enabled: self.monthly_billing_enabled,
            monthly_charging_enabled: self.monthly_charging_enabled,
            card: self.card.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListAccounts {
    /// Matches organisation name, VAT code or fiscal code, case-insensitively.
    #[serde(default, deserialize_with = "search_text")]
    #[ts(optional = nullable)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub state: Option<AccountState>,
    /// By id, oldest first (as 3scale's API lists); by organisation name otherwise.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub oldest_first: bool,
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

// ---------------------------------------------------------------------------------------------
// Applications and usage

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

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
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
    pub period: String,
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

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ListAudit {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub entity: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub entity_id: Option<Id>,
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

/// One audit record: who changed what, when, before and after (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AuditRecord {
    pub id: Id,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub operation: String,
    pub entity: String,
    pub entity_id: Option<Id>,
    #[ts(type = "unknown")]
    pub before: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub after: Option<serde_json::Value>,
}

/// What the UI needs to know about the book it is looking at.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BookInfo {
    pub path: String,
    pub schema_version: u32,
    #[ts(type = "string")]
    pub now: DateTime<Utc>,
    pub simulated_clock: bool,
}

/// Moves a simulated clock forward and runs every billing job on the way (`serve --clock`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AdvanceClock {
    #[ts(type = "string")]
    pub to: DateTime<Utc>,
}

/// What needs a finance user's attention, for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Dashboard {
    /// Today by the book's clock, YYYY-MM-DD.
    pub today: String,
    /// Open and finalized invoices: still editable, not issued yet.
    pub to_review: AttentionGroup,
    /// The first of them, the ones issued soonest first.
    pub to_review_items: Vec<ReviewInvoice>,
    /// Pending (issued, not paid) and past their due date.
    pub past_due: AttentionGroup,
    /// Unpaid: a charge failed and is being retried.
    pub overdue: AttentionGroup,
    pub failed: AttentionGroup,
    /// Issued invoices with a negative total: money owed to buyers.
    pub credits_due: AttentionGroup,
    pub last_run: Option<BillingJobSummary>,
    /// When the next daily job runs (in the past when a catch-up is due).
    #[ts(type = "string")]
    pub next_run: DateTime<Utc>,
}

/// How many invoices and their amount due, VAT included (negative for credits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AttentionGroup {
    pub count: u32,
    #[ts(type = "string")]
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ReviewInvoice {
    pub id: Id,
    pub friendly_id: String,
    pub account_name: String,
    pub period: String,
    pub state: InvoiceState,
    pub creation_type: CreationType,
    #[ts(type = "string")]
    pub total: Decimal,
    /// The day the billing run will issue it, YYYY-MM-DD; none when only a person will (a
    /// manual invoice, or a buyer whose monthly billing is off).
    pub issues_on: Option<String>,
}

/// The latest daily billing job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BillingJobSummary {
    /// YYYY-MM-DD.
    pub date: String,
    #[ts(type = "string")]
    pub finished_at: DateTime<Utc>,
    pub invoices_created: u32,
    pub lines_added: u32,
    pub invoices_finalized: u32,
    pub invoices_issued: u32,
}

// ---------------------------------------------------------------------------------------------
// Invoices

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceState {
    Open,
    Finalized,
    Pending,
    Paid,
    Unpaid,
    Failed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CreationType {
    /// Created by a person or through the API; the billing run never changes it.
    Manual,
    /// Created by the billing run.
    Background,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LineItemType {
    PlanCost,
    VariableCost,
    Manual,
}

/// An invoice's totals (billing-rules.md §1), computed by the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Totals {
    /// Σ line costs, exact (4 dp).
    #[ts(type = "string")]
    pub cost_without_vat: Decimal,
    /// VAT rate × net, exact.
    #[ts(type = "string")]
    pub vat_amount: Decimal,
    #[ts(type = "string")]
    pub charged_without_vat: Decimal,
    #[ts(type = "string")]
    pub charged_vat: Decimal,
    /// The amount due and charged: round2(net) + round2(VAT).
    #[ts(type = "string")]
    pub total: Decimal,
}

/// An invoice as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Invoice {
    pub id: Id,
    pub account_id: Id,
    pub account_name: String,
    pub friendly_id: String,
    /// YYYY-MM.
    pub period: String,
    pub state: InvoiceState,
    pub creation_type: CreationType,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
    /// YYYY-MM-DD, set when issued.
    pub issued_on: Option<String>,
    pub due_on: Option<String>,
    #[ts(type = "string | null")]
    pub paid_at: Option<DateTime<Utc>>,
    pub currency: String,
    /// The frozen rate once issued; the account's live rate before.
    #[ts(type = "string | null")]
    pub vat_rate: Option<Decimal>,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LineItem {
    pub id: Id,
    pub invoice_id: Id,
    pub name: String,
    pub description: String,
    /// Informational; never multiplies the cost.
    #[ts(type = "string")]
    pub quantity: Decimal,
    /// The line's total, 4 dp.
    #[ts(type = "string")]
    pub cost: Decimal,
    #[serde(rename = "type")]
    #[ts(rename = "type")]
    pub line_type: LineItemType,
    /// The metric a variable-cost line bills.
    pub metric_id: Option<Id>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaymentTransaction {
    pub id: Id,
    pub invoice_id: Id,
    #[ts(type = "string")]
    pub amount: Decimal,
    pub currency: String,
    pub success: bool,
    pub reference: String,
    pub message: String,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// Who issues or receives an invoice, as printed on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Party {
    pub name: String,
    pub address: Address,
    pub fiscal_code: String,
    pub vat_code: String,
    pub po_number: String,
}

/// One invoice with everything its view shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoiceDetail {
    pub invoice: Invoice,
    pub issued_by: Party,
    pub issued_to: Party,
    pub line_items: Vec<LineItem>,
    pub payment_transactions: Vec<PaymentTransaction>,
    /// The states this invoice may move to now.
    pub allowed_transitions: Vec<InvoiceState>,
    /// Whether lines, friendly ID and period may be edited (open and finalized only).
    pub editable: bool,
    pub warnings: Vec<String>,
    /// The invoice's PDF as last generated; none until it is issued or generated by hand.
    pub pdf: Option<PdfStatus>,
}

/// `invoice_pdf_statuses`' input: the invoices to look at, at most 500 a call.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InvoicePdfStatuses {
    pub ids: Vec<Id>,
}

/// An invoice's state and its PDF's status: what a batch of PDFs needs to know of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoicePdfState {
    pub id: Id,
    pub state: InvoiceState,
    pub pdf: Option<PdfStatus>,
}

/// When an invoice's PDF was made, and how; or why it could not be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PdfStatus {
    #[ts(type = "string")]
    pub generated_at: DateTime<Utc>,
    /// The file's size; none when it could not be made.
    pub size_bytes: Option<u32>,
    /// Why it could not be made (e.g. a character the invoice font cannot draw).
    pub error: Option<String>,
    /// The settings it was made with.
    pub settings: PdfSettings,
}

/// What a PDF depends on besides the invoice: kept with it, so that a regeneration is needed
/// exactly when these changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PdfSettings {
    pub paper_size: PaperSize,
    pub invoice_footnote: String,
    pub zero_vat_text: String,
    /// SHA-256 of the logo, hex; none without a logo.
    pub logo_sha256: Option<String>,
}

/// The provider's logo for invoice PDFs: a PNG or JPEG file, base64-encoded; none removes it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SetInvoiceLogo {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub image_base64: Option<String>,
}

/// The provider's logo as stored, for a preview of the invoice header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoiceLogo {
    /// `image/png` or `image/jpeg`, from the file's first bytes.
    pub media_type: String,
    pub image_base64: String,
}

/// An invoice PDF's bytes (base64), for transports that carry JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InvoicePdfFile {
    /// `invoice-<friendly id>.pdf`.
    pub file_name: String,
    pub pdf_base64: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateInvoice {
    pub account_id: Id,
    /// YYYY-MM; the current month when absent.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub period: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListInvoices {
    #[serde(default)]
    #[ts(optional = nullable)]
    pub state: Option<InvoiceState>,
    /// YYYY-MM.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub period: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub account_id: Option<Id>,
    /// A friendly ID; `*` matches any run of characters (e.g. `2025-01-*`).
    #[serde(default, deserialize_with = "search_text")]
    #[ts(optional = nullable)]
    pub friendly_id: Option<String>,
    /// Periods of this year only.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub year: Option<i32>,
    /// Buyers whose name, VAT code or fiscal code contains this text (any case).
    #[serde(default, deserialize_with = "search_text")]
    #[ts(optional = nullable)]
    pub buyer_query: Option<String>,
    /// Any of these states (an earnings figure's invoices, e.g. unpaid and failed).
    #[serde(default)]
    #[ts(optional, as = "Option<Vec<InvoiceState>>")]
    pub states: Vec<InvoiceState>,
    /// Only credits due to buyers: issued invoices with a negative total.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub credit_due: bool,
    /// Only issued invoices past their due date and not charged or paid yet (pending, due
    /// before today by the book's clock), as the dashboard counts them.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub past_due: bool,
    /// Oldest first (by id), as 3scale's API lists; newest first otherwise. Ignored with `sort`.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub oldest_first: bool,
    /// The column to sort by, ascending unless `descending`; the id breaks ties (in the same
    /// direction). Without it: by id, newest first (or oldest first with `oldest_first`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub sort: Option<InvoiceSort>,
    /// With `sort`: largest, latest or last in the alphabet first.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub descending: bool,
    #[serde(default = "first_page", deserialize_with = "paging::page")]
    #[ts(optional, as = "Option<u32>")]
    pub page: u32,
    #[serde(default = "default_per_page", deserialize_with = "paging::per_page")]
    #[ts(optional, as = "Option<u32>")]
    pub per_page: u32,
}

/// The columns the invoice list sorts by. `total` sorts by the total with VAT as the exact
/// net × (1 + rate); invoices whose rounded totals are equal keep their id order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceSort {
    /// Creation order.
    Id,
    FriendlyId,
    /// The buyer's organization name.
    Buyer,
    Period,
    State,
    IssuedOn,
    DueOn,
    Total,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdateInvoice {
    pub id: Id,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub friendly_id: Option<String>,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub period: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AddLineItem {
    pub invoice_id: Id,
    pub name: String,
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub description: String,
    #[serde(default)]
    #[ts(optional = nullable, type = "string")]
    #[serde(deserialize_with = "exact::optional_decimal")]
    pub quantity: Option<Decimal>,
    /// The line's total (may be negative, e.g. a credit).
    #[ts(type = "string")]
    #[serde(deserialize_with = "exact::decimal")]
    pub cost: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TransitionInvoice {
    pub id: Id,
    pub state: InvoiceState,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MarkInvoicePaid {
    pub id: Id,
    /// E.g. the bank transfer's id.
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub reference: String,
}

// ---------------------------------------------------------------------------------------------
// Earnings

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EarningsByMonth {
    /// First month, YYYY-MM; 11 months before `to` when absent (a 12-month window).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub from: Option<String>,
    /// Last month, YYYY-MM; the current month by the book's clock when absent. Paging to an
    /// earlier 12-month window is `to` 12 months back, with `from` left out.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub to: Option<String>,
    /// Amounts with VAT (the default) or without.
    #[serde(default = "yes")]
    #[ts(optional, as = "Option<bool>")]
    pub include_vat: bool,
}

/// One month of earnings (billing-rules.md §10), over every invoice but cancelled ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MonthEarnings {
    pub period: String,
    #[ts(type = "string")]
    pub total: Decimal,
    /// Open, finalized and pending.
    #[ts(type = "string")]
    pub in_process: Decimal,
    /// Unpaid and failed.
    #[ts(type = "string")]
    pub overdue: Decimal,
    #[ts(type = "string")]
    pub paid: Decimal,
}

/// The earnings table of a window of months: each month's figures and the total row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Earnings {
    /// The first month shown, YYYY-MM.
    pub from: String,
    /// The last month shown, YYYY-MM.
    pub to: String,
    /// The book's current month, YYYY-MM: where the latest window ends.
    pub current_month: String,
    /// Whether the amounts include VAT.
    pub include_vat: bool,
    /// Every month from `from` to `to`, oldest first.
    pub months: Vec<MonthEarnings>,
    /// The total row: each column is the exact sum of the month figures shown above it, so it
    /// foots to the cent (the row's total, like a month's, may differ by cents from the sum of
    /// its three parts).
    pub totals: EarningsTotals,
}

/// The total row of an earnings table, over every month of its window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EarningsTotals {
    #[ts(type = "string")]
    pub total: Decimal,
    /// Open, finalized and pending.
    #[ts(type = "string")]
    pub in_process: Decimal,
    /// Unpaid and failed.
    #[ts(type = "string")]
    pub overdue: Decimal,
    #[ts(type = "string")]
    pub paid: Decimal,
}

// ---------------------------------------------------------------------------------------------
// Usage import

/// One row of a usage import, as written in the file (parsed by the engine).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UsageRow {
    /// The application's id.
    pub application: String,
    /// The metric's system name (or id) in the application's service.
    pub metric: String,
    /// RFC 3339, e.g. 2025-01-31T23:00:00Z.
    pub timestamp: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportUsage {
    pub rows: Vec<UsageRow>,
    /// Check every row and report, without importing anything.
    #[serde(default)]
    #[ts(optional, as = "Option<bool>")]
    pub dry_run: bool,
}

/// What is wrong with one row; rows are numbered from 1 as in the file's data lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RowError {
    pub row: u32,
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct UsageImportReport {
    /// Rows imported: all of them, or none when any row is invalid.
    pub imported: u32,
    /// At most the first 100 problems.
    pub errors: Vec<RowError>,
}

// --- access over HTTP ------------------------------------------------------------------------

/// What a token or user may reach (threescale-api.md §1.2): `/admin/api/*` needs
/// `account_management`; `/api/*` needs `finance` or `account_management`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    AccountManagement,
    Finance,
    Cms,
    Stats,
    PolicyRegistry,
}

/// Read only, or read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Ro,
    Rw,
}

/// A personal access token, without its value (only a digest is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccessToken {
    pub id: Id,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
    #[ts(type = "string | null")]
    pub expires_at: Option<DateTime<Utc>>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateAccessToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
    #[serde(default)]
    #[ts(optional, type = "string")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token just made, with its value: the only time the value is shown.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreatedAccessToken {
    pub token: AccessToken,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListAccessTokens {
    /// Only tokens whose name contains this (case-insensitive).
    #[serde(default)]
    #[ts(optional, as = "Option<String>")]
    pub name: Option<String>,
}

/// Someone who may sign in to the UI served over HTTP, with the same rights as a token
/// (docs/access.md). The password hash never leaves the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct User {
    pub id: Id,
    pub username: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// A user to add: the password is hashed (argon2id) before it reaches the book.
#[derive(Clone, Deserialize)]
pub struct AddUser {
    pub username: String,
    pub password: String,
    pub scopes: Vec<Scope>,
    pub permission: Permission,
}

impl std::fmt::Debug for AddUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddUser")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .field("scopes", &self.scopes)
            .field("permission", &self.permission)
            .finish()
    }
}

/// Amounts in inputs are read exactly or refused (billing-rules.md §1): from a text such as
/// "12.50" or a whole JSON number. A JSON number with decimals arrives as a binary float,
/// which cannot say which decimal was meant, so it is refused rather than guessed (serde's
/// "invalid type: floating point", put plainly by `operations::plain_expectation`). The
/// server keeps such numbers as their text before they get here.
mod exact {
    use rust_decimal::Decimal;
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    struct Exact;

    impl Visitor<'_> for Exact {
        type Value = Decimal;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            formatter.write_str("a decimal written as text, e.g. \"12.50\"")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
            counterfoil_billing::parse_exact(text).map_err(E::custom)
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(value))
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(value))
        }
    }

    pub(super) fn decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(Exact)
    }

    pub(super) fn optional_decimal<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        struct Optional;
        impl<'de> Visitor<'de> for Optional {
            type Value = Option<Decimal>;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a decimal written as text, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Option<Decimal>, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Option<Decimal>, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                inner: D,
            ) -> Result<Option<Decimal>, D::Error> {
                decimal(inner).map(Some)
            }
        }
        deserializer.deserialize_option(Optional)
    }
}

/// Longest text a search takes: longer ones are not searches, and make SQLite's LIKE give up.
pub const MAX_SEARCH: usize = 200;

fn search_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    if text
        .as_ref()
        .is_some_and(|text| text.chars().count() > MAX_SEARCH)
    {
        return Err(serde::de::Error::custom(format!(
            "must be at most {MAX_SEARCH} characters"
        )));
    }
    Ok(text)
}
