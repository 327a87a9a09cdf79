//! Buyer accounts (billing-rules.md §3).

use super::settings::address;
use super::{not_found, optional_text, required_text, Checks};
use crate::book::{Book, Write};
use crate::error::{ApiError, Reason, Result};
use crate::model::*;
use crate::store;
use rusqlite::Connection;
use rust_decimal::Decimal;

pub(crate) fn list_accounts(book: &Book, filter: ListAccounts) -> Result<Page<Account>> {
    Ok(store::accounts::list(
        book.reader(),
        book.counts(),
        &filter,
    )?)
}

pub(crate) fn get_account(book: &Book, input: ById) -> Result<Account> {
    account(book.reader(), input.id)
}

/// An account, also one that was deleted (the book keeps those for their invoices).
pub(crate) fn account(conn: &Connection, id: Id) -> Result<Account> {
    store::accounts::get(conn, id)?.ok_or_else(|| not_found("account", id))
}

/// An account that may change, be invoiced or subscribe: not one that was deleted.
pub(crate) fn live_account(conn: &Connection, id: Id) -> Result<Account> {
    let found = account(conn, id)?;
    if found.deleted_at.is_some() {
        return Err(ApiError::invalid_state(format!(
            "\"{}\" was deleted; the book keeps it only for its invoices.",
            found.fields.org_name
        )));
    }
    Ok(found)
}

pub(crate) fn create_account(write: &mut Write<'_>, input: AccountFields) -> Result<Account> {
    let fields = checked(&input)?;
    let id = store::accounts::save(write.tx, None, &fields, write.now)?;
    let created = account(write.tx, id)?;
    write.audit("account", Some(id.0), None::<&Account>, Some(&created))?;
    Ok(created)
}

pub(crate) fn update_account(write: &mut Write<'_>, input: UpdateAccount) -> Result<Account> {
    let before = live_account(write.tx, input.id)?;
    let fields = checked(&input.applied_to(&before.fields))?;
    store::accounts::save(write.tx, Some(input.id), &fields, before.created_at)?;
    let after = account(write.tx, input.id)?;
    write.audit("account", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// Deletes a buyer account as 3scale does. One that was never invoiced and never had an
/// application is removed with its users. Any other is scheduled for deletion: its live
/// applications end now (billed up to now, as a cancellation is), it leaves the lists and
/// can no longer change, and the book keeps it for its invoices, which the billing run still
/// makes, issues and charges for what its applications used up to their end.
pub(crate) fn delete_account(write: &mut Write<'_>, input: ById) -> Result<Account> {
    let before = account(write.tx, input.id)?;
    if before.deleted_at.is_some() {
        return Err(not_found("account", input.id));
    }
    let keep = store::accounts::has_invoices(write.tx, input.id)?
        || store::accounts::has_applications(write.tx, input.id)?;
    if !keep {
        store::accounts::delete(write.tx, input.id)?;
        write.audit("account", Some(input.id.0), Some(&before), None::<&Account>)?;
        return Ok(before);
    }
    for id in store::accounts::live_applications(write.tx, input.id)? {
        let live = store::applications::get(write.tx, id)?;
        store::applications::cancel(write.tx, id, write.now)?;
        let ended = store::applications::get(write.tx, id)?;
        write.audit("application", Some(id.0), live.as_ref(), ended.as_ref())?;
    }
    store::accounts::mark_deleted(write.tx, input.id, write.now)?;
    let after = account(write.tx, input.id)?;
    write.audit("account", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

fn checked(input: &AccountFields) -> Result<AccountFields> {
    let mut checks = Checks::default();
    let billing_address = match &input.billing_address {
        Some(billing) if !billing.is_empty() => {
            checks.check(address("billing_address", billing)).map(Some)
        }
        _ => Some(None),
    };
    let org_name = checks.check(required_text(
        "org_name",
        "Organisation name",
        &input.org_name,
    ));
    let legal_address = checks.check(address("legal_address", &input.legal_address));
    let vat_code = checks.check(optional_text("vat_code", "VAT code", &input.vat_code));
    let fiscal_code = checks.check(optional_text(
        "fiscal_code",
        "Fiscal code",
        &input.fiscal_code,
    ));
    let po_number = checks.check(optional_text("po_number", "PO number", &input.po_number));
    let vat_rate = checks.check(input.vat_rate.map(vat_rate).transpose());
    let card = checks.check(input.card.as_ref().map(card).transpose());
    checks.done()?;
    Ok(AccountFields {
        org_name: org_name.unwrap_or_default(),
        legal_address: legal_address.unwrap_or_default(),
        billing_address: billing_address.flatten(),
        vat_code: vat_code.unwrap_or_default(),
        fiscal_code: fiscal_code.unwrap_or_default(),
        po_number: po_number.unwrap_or_default(),
        vat_rate: vat_rate.flatten(),
        monthly_billing_enabled: input.monthly_billing_enabled,
        monthly_charging_enabled: input.monthly_charging_enabled,
        card: card.flatten(),
    })
}

/// A VAT rate in percent: 0 to 100 with at most 2 decimals.
fn vat_rate(rate: Decimal) -> Result<Decimal> {
    let rate = super::amount("vat_rate", "VAT rate", rate, 2)?;
    if rate > Decimal::ONE_HUNDRED {
        return Err(ApiError::validation(
            "vat_rate",
            "VAT rate must be between 0 and 100 percent.",
        ));
    }
    Ok(rate)
}

/// The stored card: last four digits and expiry only, never the number itself.
fn card(card: &Card) -> Result<Card> {
    let last4 = card.last4.trim();
    if last4.len() != 4 || !last4.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::validation(
            "card.last4",
            "Enter only the last 4 digits of the card, never the whole number.",
        ));
    }
    if !(1..=12).contains(&card.expiry_month) {
        return Err(ApiError::validation(
            "card.expiry_month",
            "Expiry month must be 1 to 12.",
        ));
    }
    if !(2000..=2100).contains(&card.expiry_year) {
        return Err(ApiError::validation(
            "card.expiry_year",
            "Expiry year must be a four-digit year such as 2027.",
        ));
    }
    let reference = optional_text(
        "card.gateway_reference",
        "Gateway reference",
        &card.gateway_reference,
    )?;
    let digits = reference.chars().filter(char::is_ascii_digit).count();
    if digits >= 12
        && reference
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
    {
        return Err(ApiError::validation(
            "card.gateway_reference",
            "This looks like a card number. Store only the payment gateway's card token.",
        ));
    }
    Ok(Card {
        last4: last4.to_owned(),
        expiry_month: card.expiry_month,
        expiry_year: card.expiry_year,
        gateway_reference: reference,
    })
}

/// A buyer account with its admin user (3scale's signup): approved at once.
pub(crate) fn sign_up(write: &mut Write<'_>, input: SignUp) -> Result<Account> {
    let mut checks = Checks::default();
    let org_name = checks.check(
        required_text("org_name", "Organisation name", &input.org_name).and_then(|name| {
            if name.chars().any(char::is_alphanumeric) {
                Ok(name)
            } else {
                Err(ApiError::validation(
                    "org_name",
                    "Organisation name must contain at least one letter or digit.",
                ))
            }
        }),
    );
    let username = checks.check(checked_username(write.tx, &input.username));
    let email = checks.check(optional_email(input.email.as_deref()));
    let fields = checks.check(checked(&AccountFields {
        // A blank name is refused above; the other fields are checked here.
        org_name: org_name.clone().unwrap_or_else(|| "-".to_owned()),
        legal_address: input.legal_address,
        billing_address: None,
        vat_code: input.vat_code,
        fiscal_code: input.fiscal_code,
        po_number: input.po_number,
        vat_rate: input.vat_rate,
        monthly_billing_enabled: input.monthly_billing_enabled,
        monthly_charging_enabled: input.monthly_charging_enabled,
        card: None,
    }));
    checks.done()?;
    let (Some(fields), Some(username), Some(email)) = (fields, username, email) else {
        return Err(ApiError::validation("input", "The signup is not valid."));
    };
    let id = store::accounts::save(write.tx, None, &fields, write.now)?;
    store::accounts::insert_user(
        write.tx,
        id,
        &username,
        email.as_deref(),
        AccountUserRole::Admin,
        write.now,
    )?;
    let created = account(write.tx, id)?;
    write.audit("account", Some(id.0), None::<&Account>, Some(&created))?;
    Ok(created)
}

/// A buyer user's name: 3 to 40 characters, not used by another buyer's user (any case).
fn checked_username(conn: &Connection, username: &str) -> Result<String> {
    let username = username.trim().to_owned();
    let length = username.chars().count();
    if length == 0 {
        return Err(
            ApiError::validation("username", "Username can't be blank.").because(Reason::Blank)
        );
    }
    if !(3..=40).contains(&length) {
        return Err(ApiError::validation(
            "username",
            "Username must be 3 to 40 characters long.",
        ));
    }
    let username = optional_text("username", "Username", &username)?;
    if store::accounts::user_named(conn, Some(&username), None)?.is_some() {
        return Err(ApiError::validation(
            "username",
            format!("Username \"{username}\" has already been taken."),
        )
        .because(Reason::Taken));
    }
    Ok(username)
}

fn optional_email(email: Option<&str>) -> Result<Option<String>> {
    match email.map(str::trim) {
        None | Some("") => Ok(None),
        Some(email) => checked_email(email).map(Some),
    }
}

/// A buyer account's users, by id (its admin first: signup makes it).
pub(crate) fn list_account_users(book: &Book, input: ById) -> Result<Vec<AccountUser>> {
    account(book.reader(), input.id)?;
    Ok(store::accounts::users(book.reader(), input.id)?)
}

/// Adds a member user to a buyer account (3scale's `POST …/users.json`).
pub(crate) fn create_account_user(
    write: &mut Write<'_>,
    input: CreateAccountUser,
) -> Result<AccountUser> {
    live_account(write.tx, input.account_id)?;
    let username = checked_username(write.tx, &input.username)?;
    let email = optional_email(input.email.as_deref())?;
    let id = store::accounts::insert_user(
        write.tx,
        input.account_id,
        &username,
        email.as_deref(),
        AccountUserRole::Member,
        write.now,
    )?;
    let created = store::accounts::users(write.tx, input.account_id)?
        .into_iter()
        .find(|user| user.id == id)
        .ok_or_else(|| not_found("user", id))?;
    write.audit(
        "account_user",
        Some(id.0),
        None::<&AccountUser>,
        Some(&created),
    )?;
    Ok(created)
}

/// An email address: one `@` with text on both sides and a dot in the domain, no spaces.
fn checked_email(email: &str) -> Result<String> {
    let well_formed = email.chars().count() <= 255
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !well_formed {
        return Err(ApiError::validation(
            "email",
            "Email should look like an email address.",
        ));
    }
    Ok(email.to_owned())
}

/// The account of the first criterion given (username, then user id, then email).
pub(crate) fn find_account(book: &Book, input: FindAccount) -> Result<Account> {
    let conn = book.reader();
    let text = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let user = if let Some(username) = text(&input.username) {
        store::accounts::user_named(conn, Some(&username), None)?
    } else if let Some(user_id) = input.user_id {
        store::accounts::user(conn, user_id)?
    } else if let Some(email) = text(&input.email) {
        store::accounts::user_named(conn, None, Some(&email))?
    } else {
        None
    };
    let no_such_user = || ApiError::not_found("There is no account with such a user.");
    let user = user.ok_or_else(no_such_user)?;
    store::accounts::get(conn, user.account_id)?.ok_or_else(no_such_user)
}

/// Moves an account to another state; an event its state does not allow is refused.
pub(crate) fn change_account_state(
    write: &mut Write<'_>,
    input: ChangeAccountState,
) -> Result<Account> {
    use AccountEvent as E;
    use AccountState as S;
    let before = live_account(write.tx, input.id)?;
    let target = match (input.event, before.state) {
        (E::Approve, S::Pending | S::Rejected) => S::Approved,
        (E::Reject, S::Pending | S::Approved) => S::Rejected,
        (E::MakePending, S::Approved | S::Rejected) => S::Pending,
        (E::Suspend, S::Approved) => S::Suspended,
        (E::Resume, S::Suspended) => S::Approved,
        (event, state) => {
            return Err(ApiError::invalid_state(format!(
                "An account that is {} cannot be {}.",
                state_word(state),
                match event {
                    E::Approve => "approved",
                    E::Reject => "rejected",
                    E::MakePending => "made pending",
                    E::Suspend => "suspended",
                    E::Resume => "resumed",
                }
            )))
        }
    };
    store::accounts::set_state(write.tx, input.id, target)?;
    let after = account(write.tx, input.id)?;
    write.audit("account", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

fn state_word(state: AccountState) -> &'static str {
    store::accounts::state_sql(state)
}
