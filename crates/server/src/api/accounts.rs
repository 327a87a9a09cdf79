//! Accounts (threescale-api.md §2): signup, the buyer list, read, find, update, delete, the
//! approval states, the admin user and the account plan, over the engine operations the UI
//! uses.
//!
//! Counterfoil has no account plans: every buyer is on one "Default" plan that costs nothing,
//! which is what `plan.json` and `account_plans.json` answer. A buyer has one user, its admin
//! (made by signup), whose id is the account's.

use super::call::{id_segment, lenient, path_id, ApiCall, Params};
use super::reply::{timestamp, Failure, Link, Number, PageInfo, Reply};
use super::schema::{self, ErrorsBody};
use super::services::given;
use super::ThreeScale;
use crate::endpoint::{endpoints, Endpoints};
use axum::extract::Path;
use counterfoil_engine::model::{
    Account, AccountEvent, AccountFields, AccountState, AccountUser, AccountUserRole,
    AddressUpdate, ById, ChangeAccountState, CreateAccountUser, FindAccount, Id, ListAccounts,
    SignUp, UpdateAccount,
};
use counterfoil_engine::op;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub(super) fn endpoints() -> Endpoints {
    endpoints!(
        ThreeScale;
        signup,
        list_accounts,
        find_account,
        read_account,
        update_account,
        delete_account,
        approve,
        reject,
        make_pending,
        suspend,
        resume,
        list_users,
        create_user,
        read_user,
        read_plan,
        change_plan,
        list_account_plans,
    )
}

// --- JSON ------------------------------------------------------------------------------------

/// A buyer account as 3scale writes it (§2): defined fields flat, present only when set.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountJson {
    pub id: i64,
    pub created_at: String,
    pub updated_at: String,
    pub credit_card_stored: bool,
    /// The card's last four digits; only when a card is stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_card_partial_number: Option<String>,
    /// YYYY-MM-DD, the first day of the expiry month; only when a card is stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_card_expires_on: Option<String>,
    pub monthly_billing_enabled: bool,
    pub monthly_charging_enabled: bool,
    /// approved, pending, rejected or suspended.
    pub state: String,
    pub annotations: BTreeMap<String, String>,
    pub org_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_legal_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_legal_address_cont: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fiscal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub po_number: Option<String>,
    /// Percent; always present, null when the buyer pays no VAT.
    #[schema(value_type = Option<f64>)]
    pub vat_rate: Option<Number>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<BillingAddressJson>,
    pub links: Vec<Link>,
}

/// The billing address (used on invoices only when no legal address is set).
#[derive(Debug, Serialize, ToSchema)]
pub struct BillingAddressJson {
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

impl AccountJson {
    pub(super) fn of(account: &Account) -> AccountJson {
        let id = account.id.0;
        let fields = &account.fields;
        let legal = &fields.legal_address;
        let at = timestamp(account.created_at);
        AccountJson {
            id,
            // The book keeps no per-row update time: the creation stands in for it.
            updated_at: at.clone(),
            created_at: at,
            credit_card_stored: fields.card.is_some(),
            credit_card_partial_number: fields.card.as_ref().map(|card| card.last4.clone()),
            credit_card_expires_on: fields
                .card
                .as_ref()
                .map(|card| format!("{:04}-{:02}-01", card.expiry_year, card.expiry_month)),
            monthly_billing_enabled: fields.monthly_billing_enabled,
            monthly_charging_enabled: fields.monthly_charging_enabled,
            state: state_name(account.state).to_owned(),
            annotations: BTreeMap::new(),
            org_name: fields.org_name.clone(),
            org_legal_address: non_empty(&legal.line1),
            org_legal_address_cont: non_empty(&legal.line2),
            city: non_empty(&legal.city),
            state_region: non_empty(&legal.state),
            zip: non_empty(&legal.zip),
            country: non_empty(&legal.country),
            vat_code: non_empty(&fields.vat_code),
            fiscal_code: non_empty(&fields.fiscal_code),
            po_number: non_empty(&fields.po_number),
            vat_rate: fields.vat_rate.map(Number),
            billing_address: fields
                .billing_address
                .as_ref()
                .map(|billing| BillingAddressJson {
                    address1: billing.line1.clone(),
                    address2: billing.line2.clone(),
                    city: billing.city.clone(),
                    state: billing.state.clone(),
                    zip: billing.zip.clone(),
                    country: billing.country.clone(),
                }),
            links: vec![
                Link {
                    rel: "self",
                    href: format!("/admin/api/accounts/{id}"),
                },
                Link {
                    rel: "users",
                    href: format!("/admin/api/accounts/{id}/users"),
                },
            ],
        }
    }
}

fn state_name(state: AccountState) -> &'static str {
    match state {
        AccountState::Approved => "approved",
        AccountState::Pending => "pending",
        AccountState::Rejected => "rejected",
        AccountState::Suspended => "suspended",
    }
}

fn parse_state(text: &str) -> Option<AccountState> {
    Some(match text.trim() {
        "approved" => AccountState::Approved,
        "pending" => AccountState::Pending,
        "rejected" => AccountState::Rejected,
        "suspended" => AccountState::Suspended,
        _ => return None,
    })
}

/// A buyer's user: its admin, made by signup, or a member added through `users.json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub id: i64,
    pub account_id: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Always `active`: buyers do not sign in to Counterfoil.
    pub state: String,
    /// `admin` or `member`.
    pub role: String,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub links: Vec<Link>,
}

impl UserJson {
    fn of(user: &AccountUser) -> UserJson {
        let at = timestamp(user.created_at);
        let account = user.account_id.0;
        UserJson {
            id: user.id.0,
            account_id: account,
            updated_at: at.clone(),
            created_at: at,
            state: "active".into(),
            role: match user.role {
                AccountUserRole::Admin => "admin",
                AccountUserRole::Member => "member",
            }
            .into(),
            username: user.username.clone(),
            email: user.email.clone(),
            links: vec![Link {
                rel: "account",
                href: format!("/admin/api/accounts/{account}"),
            }],
        }
    }
}

/// The one account plan: "Default", free, the plan of every buyer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountPlanJson {
    pub id: i64,
    pub name: String,
    pub system_name: String,
    pub state: String,
    #[schema(value_type = f64)]
    pub setup_fee: Number,
    #[schema(value_type = f64)]
    pub cost_per_month: Number,
    pub trial_period_days: i64,
    pub cancellation_period: i64,
    pub approval_required: bool,
    pub default: bool,
    pub links: Vec<Link>,
}

/// The id of the one account plan.
const DEFAULT_ACCOUNT_PLAN: i64 = 1;

fn default_account_plan() -> AccountPlanJson {
    AccountPlanJson {
        id: DEFAULT_ACCOUNT_PLAN,
        name: "Default".into(),
        system_name: "default".into(),
        state: "published".into(),
        setup_fee: Number(rust_decimal::Decimal::ZERO),
        cost_per_month: Number(rust_decimal::Decimal::ZERO),
        trial_period_days: 0,
        cancellation_period: 0,
        approval_required: false,
        default: true,
        links: Vec::new(),
    }
}

schema::envelope!(AccountEnvelope, account, AccountJson);
schema::list!(AccountList, AccountItem, accounts, account, AccountJson);
schema::list!(UserList, UserItem, users, user, UserJson);
schema::envelope!(UserEnvelope, user, UserJson);
schema::envelope!(AccountPlanEnvelope, account_plan, AccountPlanJson);
schema::list!(
    AccountPlanList,
    AccountPlanItem,
    plans,
    account_plan,
    AccountPlanJson
);

// --- bodies (documentation; read through Params) ---------------------------------------------

/// A signup (flat keys). Custom fields, `password` and the plan ids are accepted and ignored.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; read through Params
struct SignupBody {
    /// Must contain a letter or digit.
    org_name: String,
    /// 3 to 40 characters; unique among buyers' users.
    username: String,
    email: Option<String>,
    password: Option<String>,
    org_legal_address: Option<String>,
    org_legal_address_cont: Option<String>,
    city: Option<String>,
    state_region: Option<String>,
    zip: Option<String>,
    country: Option<String>,
    vat_code: Option<String>,
    fiscal_code: Option<String>,
    po_number: Option<String>,
    #[schema(value_type = Option<f64>)]
    vat_rate: Option<String>,
    monthly_billing_enabled: Option<bool>,
    monthly_charging_enabled: Option<bool>,
}

/// An update (flat keys); every other key, as in a whole echoed account, is ignored.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body; read through Params
struct UpdateAccountBody {
    org_name: Option<String>,
    org_legal_address: Option<String>,
    org_legal_address_cont: Option<String>,
    city: Option<String>,
    state_region: Option<String>,
    zip: Option<String>,
    country: Option<String>,
    vat_code: Option<String>,
    fiscal_code: Option<String>,
    po_number: Option<String>,
    /// Percent, 0 to 100, at most 2 decimals; null keeps the current rate.
    #[schema(value_type = Option<f64>)]
    vat_rate: Option<String>,
    billing_address: Option<BillingAddressJson>,
    monthly_billing_enabled: Option<bool>,
    monthly_charging_enabled: Option<bool>,
}

/// The criteria of a find, in the query or as a JSON body on the GET; the first present
/// of username, user_id and email is used.
#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FindAccountBody {
    #[serde(default, deserialize_with = "lenient::text")]
    username: Option<String>,
    /// Not a whole number: no account has it (404).
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = Option<i64>)]
    #[param(value_type = Option<i64>)]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    email: Option<String>,
}

#[derive(Deserialize, ToSchema)]
struct ChangeAccountPlanBody {
    #[serde(default, deserialize_with = "lenient::integer")]
    #[schema(value_type = i64, required)]
    plan_id: Option<i64>,
}

// --- helpers ---------------------------------------------------------------------------------

/// A buyer account; 404 when unknown or deleted (3scale's scheduled deletion: the account has
/// left the API, its invoices stay on the books).
pub(super) async fn load(call: &ApiCall, id: i64) -> Result<Account, Failure> {
    let account = call.read(op::get_account, ById { id: Id(id) }).await?;
    if account.deleted_at.is_some() {
        return Err(Failure::NotFound);
    }
    Ok(account)
}

/// The account id of a path: `7` or `7.json`.
fn account_segment(segment: &str) -> Result<i64, Failure> {
    id_segment(segment)
}

/// The API's names of an address's parts: line 1, line 2, city, state, zip, country.
const LEGAL_ADDRESS: [&str; 6] = [
    "org_legal_address",
    "org_legal_address_cont",
    "city",
    "state_region",
    "zip",
    "country",
];
const BILLING_ADDRESS: [&str; 6] = ["address1", "address2", "city", "state", "zip", "country"];

/// The parts given, in [`LEGAL_ADDRESS`] / [`BILLING_ADDRESS`] order; `None` when none is.
fn address_update(parts: [Option<String>; 6]) -> Option<AddressUpdate> {
    if parts.iter().all(Option::is_none) {
        return None;
    }
    let [line1, line2, city, state, zip, country] = parts;
    Some(AddressUpdate {
        line1,
        line2,
        city,
        state,
        zip,
        country,
    })
}

/// The editable fields present in `params`, as an update of account `id`. Absent and null keys
/// keep what is there, so an echoed whole account (id, state, links, …) changes only these.
/// Every key that cannot be read is refused in the one answer.
fn account_update(params: &Params, id: Id) -> Result<UpdateAccount, Failure> {
    let mut refused = Vec::new();
    let billing_address = Failure::noted(&mut refused, billing_address_update(params)).flatten();
    let vat_rate = Failure::noted(&mut refused, params.decimal("vat_rate")).flatten();
    let billing = Failure::noted(&mut refused, params.boolean("monthly_billing_enabled")).flatten();
    let charging =
        Failure::noted(&mut refused, params.boolean("monthly_charging_enabled")).flatten();
    Failure::all(refused)?;
    Ok(UpdateAccount {
        org_name: params.text("org_name"),
        legal_address: address_update(LEGAL_ADDRESS.map(|key| params.text(key))),
        billing_address,
        vat_code: params.text("vat_code"),
        fiscal_code: params.text("fiscal_code"),
        po_number: params.text("po_number"),
        vat_rate: vat_rate.map(Some),
        monthly_billing_enabled: billing,
        monthly_charging_enabled: charging,
        ..UpdateAccount::of(id)
    })
}

/// `billing_address` of `params`: absent, or an object of texts (an empty one still gives the
/// account a blank billing address).
fn billing_address_update(params: &Params) -> Result<Option<Option<AddressUpdate>>, Failure> {
    let not_an_address = || Failure::field("billing_address", "must be an address");
    match params.value("billing_address") {
        None => Ok(None),
        Some(Value::Object(given)) => {
            let mut parts: [Option<String>; 6] = Default::default();
            for (key, part) in BILLING_ADDRESS.iter().zip(parts.iter_mut()) {
                match given.get(*key) {
                    Some(Value::String(text)) => *part = Some(text.clone()),
                    None | Some(Value::Null) => {}
                    Some(_) => return Err(not_an_address()),
                }
            }
            Ok(Some(Some(address_update(parts).unwrap_or_default())))
        }
        Some(_) => Err(not_an_address()),
    }
}

/// An engine refusal on an engine field, named as the API names it.
fn api_field(failure: Failure) -> Failure {
    match failure {
        Failure::Errors(status, errors) => Failure::Errors(
            status,
            errors
                .into_iter()
                .map(|(field, messages)| {
                    let field = match field.as_str() {
                        "legal_address" => "org_legal_address".to_owned(),
                        _ => field,
                    };
                    (field, messages)
                })
                .collect(),
        ),
        other => other,
    }
}

// --- handlers --------------------------------------------------------------------------------

/// Sign up a buyer account with its admin user; approved at once.
#[utoipa::path(
    post, path = "/admin/api/signup.json", tag = "Accounts",
    request_body(content = SignupBody),
    responses((status = 201, body = AccountEnvelope))
)]
async fn signup(call: ApiCall) -> Result<Reply, Failure> {
    let params = call.params.rooted("account");
    let username = params.text("username").unwrap_or_default();
    if !username.trim().is_empty() {
        let by_username = FindAccount {
            username: Some(username.trim().to_owned()),
            ..FindAccount::default()
        };
        match call.read(op::find_account, by_username).await {
            Ok(_) => return Err(Failure::field("username", "has already been taken")),
            Err(Failure::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    let fields = account_update(&params, Id(0))?.applied_to(&AccountFields::named(""));
    // A signup keeps no billing address (a malformed one is still refused).
    let input = SignUp {
        org_name: fields.org_name,
        username,
        email: params.text("email"),
        legal_address: fields.legal_address,
        vat_code: fields.vat_code,
        fiscal_code: fields.fiscal_code,
        po_number: fields.po_number,
        vat_rate: fields.vat_rate,
        monthly_billing_enabled: fields.monthly_billing_enabled,
        monthly_charging_enabled: fields.monthly_charging_enabled,
    };
    let account = call
        .write_in_short_words(op::sign_up, input)
        .await
        .map_err(api_field)?;
    let json = AccountJson::of(&account);
    let location = format!("/admin/api/accounts/{}.json", json.id);
    Reply::created("account", &json, location)
}

/// The filters of the account list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query string; read through Params
struct AccountFilters {
    /// approved, pending, rejected or suspended.
    state: Option<String>,
}

/// List buyer accounts by id, 500 a page by default.
#[utoipa::path(
    get, path = "/admin/api/accounts.json", tag = "Accounts",
    params(schema::PageParams, AccountFilters),
    responses(
        (status = 200, body = AccountList),
        (status = 422, body = ErrorsBody),
    )
)]
async fn list_accounts(call: ApiCall) -> Result<Reply, Failure> {
    let params = &call.params;
    let state = match params.text("state").filter(|s| !s.trim().is_empty()) {
        Some(text) => Some(parse_state(&text).ok_or_else(|| {
            Failure::field(
                "state",
                "must be one of approved, pending, rejected, suspended",
            )
        })?),
        None => None,
    };
    let filter = ListAccounts {
        state,
        oldest_first: true,
        page: params.page(),
        per_page: params.per_page(500),
        ..ListAccounts::default()
    };
    let page = call.read(op::list_accounts, filter).await?;
    let items: Vec<AccountJson> = page.items.iter().map(AccountJson::of).collect();
    Reply::list(
        "accounts",
        "account",
        &items,
        Some(&PageInfo {
            page: page.page,
            per_page: page.per_page,
            total_entries: page.total,
        }),
    )
}

/// Find the account of a user by username, user id or email (query or JSON body).
#[utoipa::path(
    get, path = "/admin/api/accounts/find.json", tag = "Accounts",
    params(FindAccountBody),
    request_body(content = FindAccountBody),
    responses(
        (status = 200, body = AccountEnvelope),
        (status = 404, body = schema::NotFoundBody),
        (status = 422, description = "The body is not a JSON object", body = ErrorsBody),
    )
)]
async fn find_account(call: ApiCall) -> Result<Reply, Failure> {
    let body: FindAccountBody = call.params.parse()?;
    let criteria = if let Some(username) = given(body.username) {
        FindAccount {
            username: Some(username),
            ..FindAccount::default()
        }
    } else if let Some(user_id) = given(body.user_id) {
        let user_id: i64 = user_id.trim().parse().map_err(|_| Failure::NotFound)?;
        FindAccount {
            user_id: Some(Id(user_id)),
            ..FindAccount::default()
        }
    } else if let Some(email) = given(body.email) {
        FindAccount {
            email: Some(email),
            ..FindAccount::default()
        }
    } else {
        return Err(Failure::NotFound);
    };
    let account = call.read(op::find_account, criteria).await?;
    Reply::entity("account", &AccountJson::of(&account))
}

/// Read one buyer account.
#[utoipa::path(
    get, path = "/admin/api/accounts/{id}.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountEnvelope))
)]
async fn read_account(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = account_segment(&id)?;
    let account = load(&call, id).await?;
    Reply::entity("account", &AccountJson::of(&account))
}

/// Change an account's defined fields and monthly billing and charging; other keys (a whole
/// echoed account: id, state, links, created_at, …) are ignored.
#[utoipa::path(
    put, path = "/admin/api/accounts/{id}.json", tag = "Accounts",
    params(("id" = i64, Path)),
    request_body(content = UpdateAccountBody),
    responses((status = 200, body = AccountEnvelope))
)]
async fn update_account(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = account_segment(&id)?;
    load(&call, id).await?;
    let input = account_update(&call.params.rooted("account"), Id(id))?;
    let after = call
        .write(op::update_account, input)
        .await
        .map_err(api_field)?;
    Reply::entity("account", &AccountJson::of(&after))
}

/// Delete a buyer account: one with invoices or applications is scheduled for deletion (its
/// live applications end now, its invoices stay on the books); either way it is then 404.
#[utoipa::path(
    delete, path = "/admin/api/accounts/{id}.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, description = "Deleted; empty body"))
)]
async fn delete_account(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = account_segment(&id)?;
    call.write(op::delete_account, ById { id: Id(id) }).await?;
    Ok(Reply::deleted())
}

async fn transition(id: &str, call: ApiCall, event: AccountEvent) -> Result<Reply, Failure> {
    let id = Id(account_segment(id)?);
    load(&call, id.0).await?;
    let account = call
        .write(op::change_account_state, ChangeAccountState { id, event })
        .await?;
    Reply::entity("account", &AccountJson::of(&account))
}

/// Approve a pending or rejected account.
#[utoipa::path(
    put, path = "/admin/api/accounts/{id}/approve.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountEnvelope))
)]
async fn approve(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    transition(&id, call, AccountEvent::Approve).await
}

/// Reject a pending or approved account.
#[utoipa::path(
    put, path = "/admin/api/accounts/{id}/reject.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountEnvelope))
)]
async fn reject(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    transition(&id, call, AccountEvent::Reject).await
}

/// Make an approved or rejected account pending.
#[utoipa::path(
    put, path = "/admin/api/accounts/{id}/make_pending.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountEnvelope))
)]
async fn make_pending(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    transition(&id, call, AccountEvent::MakePending).await
}

/// Suspend an approved account (billing goes on).
#[utoipa::path(
    put, path = "/admin/api/accounts/{id}/suspend.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountEnvelope))
)]
async fn suspend(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    transition(&id, call, AccountEvent::Suspend).await
}

/// Resume a suspended account.
#[utoipa::path(
    put, path = "/admin/api/accounts/{id}/resume.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountEnvelope))
)]
async fn resume(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    transition(&id, call, AccountEvent::Resume).await
}

/// A buyer's users by id: its admin (when signup made one), then its members.
#[utoipa::path(
    get, path = "/admin/api/accounts/{id}/users.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = UserList))
)]
async fn list_users(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    load(&call, id).await?;
    let users = call
        .read(op::list_account_users, ById { id: Id(id) })
        .await?;
    let users: Vec<UserJson> = users.iter().map(UserJson::of).collect();
    Reply::list("users", "user", &users, None)
}

/// Read one user of a buyer.
#[utoipa::path(
    get, path = "/admin/api/accounts/{account_id}/users/{id}.json", tag = "Accounts",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = UserEnvelope))
)]
async fn read_user(
    Path((account, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let account = path_id(&account)?;
    let id = id_segment(&id)?;
    load(&call, account).await?;
    let users = call
        .read(op::list_account_users, ById { id: Id(account) })
        .await?;
    let user = users
        .iter()
        .find(|user| user.id.0 == id)
        .ok_or(Failure::NotFound)?;
    Reply::entity("user", &UserJson::of(user))
}

/// A new user of a buyer (flat keys, or under `user`). `password` is accepted and not kept:
/// buyers do not sign in to Counterfoil.
#[derive(Deserialize, ToSchema)]
struct CreateUserBody {
    /// 3 to 40 characters; unique among buyers' users.
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    password: Option<String>,
}

/// Add a member user to a buyer account.
#[utoipa::path(
    post, path = "/admin/api/accounts/{id}/users.json", tag = "Accounts",
    params(("id" = i64, Path)),
    request_body(content = CreateUserBody),
    responses((status = 201, body = UserEnvelope))
)]
async fn create_user(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    load(&call, id).await?;
    let body: CreateUserBody = call.params.rooted("user").parse()?;
    let _not_kept = body.password;
    let input = CreateAccountUser {
        account_id: Id(id),
        username: body.username.unwrap_or_default(),
        email: body.email,
    };
    let user = call
        .write_in_short_words(op::create_account_user, input)
        .await?;
    let location = format!("/admin/api/accounts/{id}/users/{}.json", user.id);
    Reply::created("user", &UserJson::of(&user), location)
}

/// A buyer's account plan: always the one Default plan.
#[utoipa::path(
    get, path = "/admin/api/accounts/{id}/plan.json", tag = "Accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = AccountPlanEnvelope))
)]
async fn read_plan(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    load(&call, id).await?;
    Reply::entity("account_plan", &default_account_plan())
}

/// Put a buyer on an account plan: only the Default plan exists.
#[utoipa::path(
    put, path = "/admin/api/accounts/{id}/change_plan.json", tag = "Accounts",
    params(("id" = i64, Path)),
    request_body(content = ChangeAccountPlanBody),
    responses((status = 200, body = AccountPlanEnvelope))
)]
async fn change_plan(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    load(&call, id).await?;
    let body: ChangeAccountPlanBody = call.params.parse()?;
    let plan = body
        .plan_id
        .ok_or_else(|| Failure::field("plan_id", "can't be blank"))?;
    if plan != DEFAULT_ACCOUNT_PLAN {
        return Err(Failure::NotFound);
    }
    Reply::entity("account_plan", &default_account_plan())
}

/// The account plans: one, Default.
#[utoipa::path(
    get, path = "/admin/api/account_plans.json", tag = "Accounts",
    responses((status = 200, body = AccountPlanList))
)]
async fn list_account_plans(_call: ApiCall) -> Result<Reply, Failure> {
    Reply::list("plans", "account_plan", &[default_account_plan()], None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use counterfoil_engine::model::Address;
    use serde_json::json;

    #[test]
    fn an_echoed_account_changes_only_editable_fields() {
        let params = Params::from_json(json!({
            "id": 99, "state": "rejected", "links": [], "created_at": "x",
            "org_name": "New", "city": "Porto", "vat_rate": null,
            "monthly_billing_enabled": false,
        }));
        let before = AccountFields {
            org_name: "Old".into(),
            legal_address: Address::default(),
            billing_address: None,
            vat_code: "IT1".into(),
            fiscal_code: String::new(),
            po_number: String::new(),
            vat_rate: Some(rust_decimal::Decimal::from(21)),
            monthly_billing_enabled: true,
            monthly_charging_enabled: true,
            card: None,
        };
        let update = account_update(&params, Id(7)).unwrap_or_else(|_| panic!("refused"));
        let fields = update.applied_to(&before);
        assert_eq!(fields.org_name, "New");
        assert_eq!(fields.vat_rate, before.vat_rate, "null keeps the rate");
        assert_eq!(fields.legal_address.city, "Porto");
        assert!(!fields.monthly_billing_enabled);
        // Nothing else moved: not the keys the account has no field for, nor the rest.
        let mut expected = before;
        expected.org_name = "New".into();
        expected.legal_address.city = "Porto".into();
        expected.monthly_billing_enabled = false;
        assert_eq!(fields, expected);
    }
}
