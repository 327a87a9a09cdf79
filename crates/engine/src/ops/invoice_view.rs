//! The invoice as every view shows it: its row, totals, parties and the detail the UI and the
//! APIs read. Invoices, PDFs, charging and the billing run all read invoices through here, so
//! none of them depends on another to show one.

use super::not_found;
use crate::error::Result;
use crate::model::*;
use crate::store;
use crate::store::invoices::InvoiceRow;
use counterfoil_billing as billing;
use rusqlite::Connection;

/// The warning every view of an editable invoice with a duplicate friendly ID shows (§6).
pub(crate) const DUPLICATE_ID_WARNING: &str =
    "This invoice ID is already in use and should probably be changed";

pub(crate) fn invoice_row(conn: &Connection, id: Id) -> Result<InvoiceRow> {
    store::invoices::get(conn, id)?.ok_or_else(|| not_found("invoice", id))
}

fn totals(net: rust_decimal::Decimal, vat_rate: Option<rust_decimal::Decimal>) -> Totals {
    let totals = billing::invoice_totals(&[net], vat_rate);
    let shown = billing::for_display;
    Totals {
        cost_without_vat: shown(totals.exact_net),
        vat_amount: shown(totals.exact_vat),
        charged_without_vat: shown(totals.charged_net),
        charged_vat: shown(totals.charged_vat),
        total: shown(totals.total),
    }
}

pub(crate) fn invoice(row: InvoiceRow) -> Invoice {
    Invoice {
        totals: totals(row.net, row.vat_rate),
        id: row.id,
        account_id: row.account_id,
        account_name: row.account_name,
        friendly_id: row.friendly_id,
        period: row.period,
        state: row.state,
        creation_type: row.creation_type,
        created_at: row.created_at,
        issued_on: row.issued_on,
        due_on: row.due_on,
        paid_at: row.paid_at,
        updated_at: row.updated_at,
        currency: row.currency,
        vat_rate: row.vat_rate,
    }
}

pub(crate) fn get_invoice_detail(conn: &Connection, id: Id) -> Result<InvoiceDetail> {
    let mut row = invoice_row(conn, id)?;
    let state = lifecycle(row.state);
    let editable = state.is_editable();
    let mut warnings = Vec::new();
    if editable && store::invoices::friendly_id_used_elsewhere(conn, id, &row.friendly_id)? {
        warnings.push(DUPLICATE_ID_WARNING.to_owned());
    }
    let (issued_to, issued_by) = match (row.issued_to.take(), row.issued_by.take()) {
        (Some(to), Some(by)) => (to, by),
        _ => live_parties(conn, row.account_id)?,
    };
    Ok(InvoiceDetail {
        line_items: store::invoices::line_items(conn, id)?,
        payment_transactions: store::invoices::payment_transactions(conn, id)?,
        allowed_transitions: state
            .allowed_transitions()
            .iter()
            .map(|s| model_state(*s))
            .collect(),
        editable,
        warnings,
        pdf: store::pdfs::status(conn, id)?,
        issued_to,
        issued_by,
        invoice: invoice(row),
    })
}

/// The buyer and provider as they are now (what an invoice shows until it is issued).
pub(crate) fn live_parties(conn: &Connection, account_id: Id) -> Result<(Party, Party)> {
    let account = super::accounts::account(conn, account_id)?.fields;
    let settings = store::settings::get(conn)?;
    // The billing address is used only when no legal address is set (§3).
    let address = match account.billing_address {
        Some(billing) if account.legal_address.is_empty() => billing,
        _ => account.legal_address,
    };
    let buyer = Party {
        name: account.org_name,
        address,
        fiscal_code: account.fiscal_code,
        vat_code: account.vat_code,
        po_number: account.po_number,
    };
    let provider = Party {
        name: settings.org_name,
        address: settings.address,
        fiscal_code: settings.fiscal_code,
        vat_code: settings.vat_code,
        po_number: String::new(),
    };
    Ok((buyer, provider))
}

/// The amount due of an invoice row (§1).
pub(crate) fn invoice_total(row: &InvoiceRow) -> rust_decimal::Decimal {
    totals(row.net, row.vat_rate).total
}

pub(crate) fn lifecycle(state: InvoiceState) -> billing::InvoiceState {
    match state {
        InvoiceState::Open => billing::InvoiceState::Open,
        InvoiceState::Finalized => billing::InvoiceState::Finalized,
        InvoiceState::Pending => billing::InvoiceState::Pending,
        InvoiceState::Paid => billing::InvoiceState::Paid,
        InvoiceState::Unpaid => billing::InvoiceState::Unpaid,
        InvoiceState::Failed => billing::InvoiceState::Failed,
        InvoiceState::Cancelled => billing::InvoiceState::Cancelled,
    }
}

fn model_state(state: billing::InvoiceState) -> InvoiceState {
    match state {
        billing::InvoiceState::Open => InvoiceState::Open,
        billing::InvoiceState::Finalized => InvoiceState::Finalized,
        billing::InvoiceState::Pending => InvoiceState::Pending,
        billing::InvoiceState::Paid => InvoiceState::Paid,
        billing::InvoiceState::Unpaid => InvoiceState::Unpaid,
        billing::InvoiceState::Failed => InvoiceState::Failed,
        billing::InvoiceState::Cancelled => InvoiceState::Cancelled,
    }
}
