//! Buyer accounts (billing-rules.md §3).

use super::settings::address;
use super::{not_found, optional_text, required_text};
use crate::book::{Book, Write};
use crate::error::{ApiError, Result};
use crate::model::*;
use crate::store;
use rusqlite::Connection;
use rust_decimal::Decimal;

pub(crate) fn list_accounts(book: &Book, filter: ListAccounts) -> Result<Page<Account>> {
    Ok(store::accounts::list(book.reader(), &filter)?)
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
    let fields = checked(&input.fields())?;
    store::accounts::save(write.tx, Some(input.id), &fields, before.created_at)?;
    let after = account(write.tx, input.id)?;
    write.audit("account", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

pub(crate) fn delete_account(write: &mut Write<'_>, input: ById) -> Result<Account> {
    let before = account(write.tx, input.id)?;
    if store::accounts::has_applications(write.tx, input.id)? {
        return Err(ApiError::conflict(format!(
            "\"{}\" has applications; it cannot be deleted while they are on the books.",
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
