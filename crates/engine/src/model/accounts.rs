//! Buyer accounts and their life cycle.

use super::*;

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
