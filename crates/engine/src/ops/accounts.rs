//! Buyer accounts (billing-rules.md §3).

use super::settings::address;
use super::{not_found, optional_text, required_text};
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

pub(crate) fn account(conn: &Connection, id: Id) -> Result<Account> {
    store::accounts::get(conn, id)?.ok_or_else(|| not_found("account", id))
}

pub(crate) fn create_account(write: &mut Write<'_>, input: AccountFields) -> Result<Account> {
    let fields = checked(&input)?;
    let id = store::accounts::save(write.tx, None, &fields, write.now)?;
    let created = account(write.tx, id)?;
    write.audit("account", Some(id.0), None::<&Account>, Some(&created))?;
    Ok(created)
}

pub(crate) fn update_account(write: &mut Write<'_>, input: UpdateAccount) -> Result<Account> {
    let before = account(write.tx, input.id)?;
    let fields = checked(&input.applied_to(&before.fields))?;
    store::accounts::save(write.tx, Some(input.id), &fields, before.created_at)?;
    let after = account(write.tx, input.id)?;
    write.audit("account", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

/// Deletes an account that has no invoices and no live applications; its cancelled
/// applications (never invoiced, as the account has no invoices) go with it.
pub(crate) fn delete_account(write: &mut Write<'_>, input: ById) -> Result<Account> {
    let before = account(write.tx, input.id)?;
    if store::accounts::has_invoices(write.tx, input.id)? {
        return Err(ApiError::conflict(format!(
            "\"{}\" has invoices; it cannot be deleted while they are on the books.",
            before.fields.org_name
        )));
    }
    if store::accounts::has_live_applications(write.tx, input.id)? {
        return Err(ApiError::conflict(format!(
            "\"{}\" has live applications; cancel them before deleting the account.",
            before.fields.org_name
        )));
    }
    store::accounts::delete(write.tx, input.id)?;
    write.audit("account", Some(input.id.0), Some(&before), None::<&Account>)?;
    Ok(before)
}

fn checked(input: &AccountFields) -> Result<AccountFields> {
    let billing_address = match &input.billing_address {
        Some(billing) if !billing.is_empty() => Some(address("billing_address", billing)?),
        _ => None,
    };
    Ok(AccountFields {
        org_name: required_text("org_name", "Organisation name", &input.org_name)?,
        legal_address: address("legal_address", &input.legal_address)?,
        billing_address,
        vat_code: optional_text("vat_code", "VAT code", &input.vat_code)?,
        fiscal_code: optional_text("fiscal_code", "Fiscal code", &input.fiscal_code)?,
        po_number: optional_text("po_number", "PO number", &input.po_number)?,
        vat_rate: input.vat_rate.map(vat_rate).transpose()?,
        monthly_billing_enabled: input.monthly_billing_enabled,
        monthly_charging_enabled: input.monthly_charging_enabled,
        card: input.card.as_ref().map(card).transpose()?,
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
    let org_name = required_text("org_name", "Organisation name", &input.org_name)?;
    if !org_name.chars().any(char::is_alphanumeric) {
        return Err(ApiError::validation(
            "org_name",
            "Organisation name must contain at least one letter or digit.",
        ));
    }
    let username = input.username.trim().to_owned();
    let length = username.chars().count();
    if length == 0 {
        return Err(ApiError::validation("username", "Username can't be blank."));
    }
    if !(3..=40).contains(&length) {
        return Err(ApiError::validation(
            "username",
            "Username must be 3 to 40 characters long.",
        ));
    }
    if store::accounts::find_by_username(write.tx, &username)?.is_some() {
        return Err(ApiError::validation(
            "username",
            format!("Username \"{username}\" has already been taken."),
        )
        .because(Reason::Taken));
    }
    let email = match input.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(email) => Some(checked_email(email)?),
    };
    let fields = checked(&AccountFields {
        org_name,
        legal_address: input.legal_address,
        billing_address: None,
        vat_code: input.vat_code,
        fiscal_code: input.fiscal_code,
        po_number: input.po_number,
        vat_rate: input.vat_rate,
        monthly_billing_enabled: input.monthly_billing_enabled,
        monthly_charging_enabled: input.monthly_charging_enabled,
        card: None,
    })?;
    let id = store::accounts::save(write.tx, None, &fields, write.now)?;
    store::accounts::set_admin_user(write.tx, id, &username, email.as_deref())?;
    let created = account(write.tx, id)?;
    write.audit("account", Some(id.0), None::<&Account>, Some(&created))?;
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
    let found = if let Some(username) = text(&input.username) {
        store::accounts::find_by_username(conn, &username)?
    } else if let Some(user_id) = input.user_id {
        // An account has one user, its admin, whose id is the account's.
        store::accounts::get(conn, user_id)?.filter(|a| a.admin_username.is_some())
    } else if let Some(email) = text(&input.email) {
        store::accounts::find_by_email(conn, &email)?
    } else {
        None
    };
    found.ok_or_else(|| ApiError::not_found("There is no account with such a user."))
}

/// Moves an account to another state; an event its state does not allow is refused.
pub(crate) fn change_account_state(
    write: &mut Write<'_>,
    input: ChangeAccountState,
) -> Result<Account> {
    use AccountEvent as E;
    use AccountState as S;
    let before = account(write.tx, input.id)?;
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
