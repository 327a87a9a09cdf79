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
    /// When the account was deleted while it had invoices or applications: it has left the
    /// lists, and the book keeps it for its invoices (3scale's scheduled deletion).
    #[serde(default)]
    #[ts(optional, type = "string | null")]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A buyer's user (3scale's buyer users): signup makes its admin, `create_account_user` more.
/// Buyers do not sign in to Counterfoil; the book keeps who they are for 3scale's clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AccountUser {
    pub id: Id,
    pub account_id: Id,
    pub username: String,
    pub email: Option<String>,
    pub role: AccountUserRole,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountUserRole {
    Admin,
    Member,
}

/// `create_account_user`'s input: a member user of a buyer account.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateAccountUser {
    pub account_id: Id,
    /// 3 to 40 characters, unique among buyers' users.
    pub username: String,
    #[serde(default)]
    #[ts(optional = nullable)]
    pub email: Option<String>,
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

impl AccountFields {
    /// A new account's fields with only its name given: what `{"org_name": name}` reads as
    /// (monthly billing and charging on, no VAT rate, no address, no card).
    pub fn named(name: impl Into<String>) -> AccountFields {
        AccountFields {
            org_name: name.into(),
            legal_address: Address::default(),
            billing_address: None,
            vat_code: String::new(),
            fiscal_code: String::new(),
            po_number: String::new(),
            vat_rate: None,
            monthly_billing_enabled: true,
            monthly_charging_enabled: true,
            card: None,
        }
    }
}

/// `update_account`'s input: the account's id and the fields that change; absent ones stay as
/// they are, and `null` removes the billing address, the VAT rate or the card. Spelled out,
/// not flattened, so a bad value's error names its field.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UpdateAccount {
    pub id: Id,
    #[serde(default)]
    #[ts(optional)]
    pub org_name: Option<String>,
    /// The parts given change.
    #[serde(default)]
    #[ts(optional)]
    pub legal_address: Option<AddressUpdate>,
    /// Used on invoices only when no legal address is set. The parts given change (over an
    /// empty address when there is none); `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[ts(optional, type = "AddressUpdate | null")]
    pub billing_address: Option<Option<AddressUpdate>>,
    #[serde(default)]
    #[ts(optional)]
    pub vat_code: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub fiscal_code: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub po_number: Option<String>,
    /// Percent, at most 2 decimals; `null` means no VAT (not the same as 0).
    #[serde(default, deserialize_with = "exact::present_decimal")]
    #[ts(optional, type = "string | null")]
    pub vat_rate: Option<Option<Decimal>>,
    #[serde(default)]
    #[ts(optional)]
    pub monthly_billing_enabled: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub monthly_charging_enabled: Option<bool>,
    /// `null` removes the card on file.
    #[serde(default, deserialize_with = "present")]
    #[ts(optional, type = "Card | null")]
    pub card: Option<Option<Card>>,
}

impl UpdateAccount {
    /// An update of account `id` that changes nothing yet (`UpdateAccount { vat_code:
    /// Some(..), ..UpdateAccount::of(id) }`).
    pub fn of(id: Id) -> UpdateAccount {
        UpdateAccount {
            id,
            org_name: None,
            legal_address: None,
            billing_address: None,
            vat_code: None,
            fiscal_code: None,
            po_number: None,
            vat_rate: None,
            monthly_billing_enabled: None,
            monthly_charging_enabled: None,
            card: None,
        }
    }

    /// The account's fields after this update: those given, the others as `fields` has them.
    pub fn applied_to(&self, fields: &AccountFields) -> AccountFields {
        let fields = fields.clone();
        AccountFields {
            org_name: self.org_name.clone().unwrap_or(fields.org_name),
            legal_address: match &self.legal_address {
                Some(change) => change.applied_to(fields.legal_address),
                None => fields.legal_address,
            },
            billing_address: match &self.billing_address {
                Some(Some(change)) => {
                    Some(change.applied_to(fields.billing_address.unwrap_or_default()))
                }
                Some(None) => None,
                None => fields.billing_address,
            },
            vat_code: self.vat_code.clone().unwrap_or(fields.vat_code),
            fiscal_code: self.fiscal_code.clone().unwrap_or(fields.fiscal_code),
            po_number: self.po_number.clone().unwrap_or(fields.po_number),
            vat_rate: self.vat_rate.unwrap_or(fields.vat_rate),
            monthly_billing_enabled: self
                .monthly_billing_enabled
                .unwrap_or(fields.monthly_billing_enabled),
            monthly_charging_enabled: self
                .monthly_charging_enabled
                .unwrap_or(fields.monthly_charging_enabled),
            card: self.card.clone().unwrap_or(fields.card),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
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
