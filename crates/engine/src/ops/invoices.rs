//! Invoices in the book (billing-rules.md §1, §5, §6): manual creation, lists, the invoice
//! view, editing while open or finalized, and state transitions with issuing's freeze.

use super::invoice_view::{get_invoice_detail, invoice, invoice_row, lifecycle, live_parties};
use super::{amount, description_text, not_found, required_text};
use crate::book::{Book, Write};
use crate::error::{ApiError, Result};
use crate::model::*;
use crate::store;
use crate::store::invoices::{InvoiceFilter, InvoiceRow, Issue, StateChange};
use chrono::{DateTime, Duration, Utc};
use counterfoil_billing as billing;
use rusqlite::Connection;

/// How far ahead of the current month an invoice period may be (§5).
const MAX_MONTHS_AHEAD: i32 = 12;

pub(crate) fn list_invoices(book: &Book, filter: ListInvoices) -> Result<Page<Invoice>> {
    let period = filter.period.map(|p| p.to_string());
    let friendly_id_like = filter
        .friendly_id
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(wildcard_pattern);
    let page = store::invoices::list(
        book.reader(),
        book.counts(),
        &InvoiceFilter {
            state: filter.state,
            period: period.as_deref(),
            account_id: filter.account_id,
            states: &filter.states,
            credit_due: filter.credit_due,
            past_due_on: filter.past_due.then(|| book.now().date_naive().to_string()),
            friendly_id_like,
            year: filter.year,
            buyer_like: filter
                .buyer_query
                .as_deref()
                .filter(|text| !text.trim().is_empty())
                .map(store::contains_pattern),
            oldest_first: filter.oldest_first,
            sort: filter.sort,
            descending: filter.descending,
            paging: &filter.paging(),
        },
    )?;
    Ok(Page {
        items: page.items.into_iter().map(invoice).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

/// `2025-01-*` → the LIKE pattern `2025-01-%`, LIKE's own wildcards escaped.
fn wildcard_pattern(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
        .replace('*', "%")
}

pub(crate) fn get_invoice(book: &Book, input: ById) -> Result<InvoiceDetail> {
    get_invoice_detail(book.reader(), input.id)
}

/// A page of [`list_invoices`] with each invoice's parties and lines, on the same snapshot:
/// what the Billing API answers for a list (its invoices embed their lines). The page's lines
/// and frozen parties are read with one statement each, not per invoice; the live parties of
/// the invoices not issued yet once per buyer.
pub(crate) fn list_invoices_with_lines(
    book: &Book,
    filter: ListInvoices,
) -> Result<Page<InvoiceWithLines>> {
    let conn = book.reader();
    let page = list_invoices(book, filter)?;
    let ids: Vec<Id> = page.items.iter().map(|invoice| invoice.id).collect();
    let mut frozen = store::invoices::frozen_parties(conn, &ids)?;
    let mut lines = store::invoices::line_items_of(conn, &ids)?;
    let mut live: std::collections::HashMap<Id, (Party, Party)> = Default::default();
    let mut items = Vec::with_capacity(page.items.len());
    for invoice in page.items {
        let (issued_to, issued_by) = match frozen.remove(&invoice.id) {
            Some(parties) => parties,
            None => match live.get(&invoice.account_id) {
                Some(parties) => parties.clone(),
                None => {
                    let parties = live_parties(conn, invoice.account_id)?;
                    live.insert(invoice.account_id, parties.clone());
                    parties
                }
            },
        };
        items.push(InvoiceWithLines {
            line_items: lines.remove(&invoice.id).unwrap_or_default(),
            issued_to,
            issued_by,
            invoice,
        });
    }
    Ok(Page {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

pub(crate) fn create_invoice(write: &mut Write<'_>, input: CreateInvoice) -> Result<InvoiceDetail> {
    super::accounts::live_account(write.tx, input.account_id)
        .map_err(|_| ApiError::validation("account_id", "Choose an existing account."))?;
    let period = match input.period {
        Some(period) => within_reach(period, write.now)?,
        None => billing::Period::of(write.now),
    };
    // Every line is checked before anything is written, each error naming its line.
    let lines = input
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            manual_line(line).map_err(|error| ApiError {
                field: error.field.map(|field| format!("lines[{index}].{field}")),
                ..error
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let id = new_invoice(write, input.account_id, period, CreationType::Manual)?;
    for line in lines {
        insert_manual_line(write, id, line)?;
    }
    let created = get_invoice_detail(write.tx, id)?;
    write.audit(
        "invoice",
        Some(id.0),
        None::<&InvoiceDetail>,
        Some(&created),
    )?;
    Ok(created)
}

/// Opens an invoice numbered from its prefix's counter; used by people and the billing run.
pub(crate) fn new_invoice(
    write: &mut Write<'_>,
    account_id: Id,
    period: billing::Period,
    creation_type: CreationType,
) -> Result<Id> {
    let numbering = store::settings::numbering(write.tx)?;
    new_invoice_numbered(write, account_id, period, creation_type, numbering).map(|(id, _)| id)
}

/// [`new_invoice`] with the numbering already known (the billing run reads it once per job);
/// returns the id and the friendly ID.
pub(crate) fn new_invoice_numbered(
    write: &mut Write<'_>,
    account_id: Id,
    period: billing::Period,
    creation_type: CreationType,
    numbering: Numbering,
) -> Result<(Id, String)> {
    let numbering = match numbering {
        Numbering::Monthly => billing::Numbering::Monthly,
        Numbering::Yearly => billing::Numbering::Yearly,
    };
    let prefix = billing::prefix_for(numbering, period);
    let number = store::invoices::next_number(write.tx, &prefix)?;
    let friendly_id = u32::try_from(number)
        .ok()
        .and_then(|n| billing::FriendlyId::new(&prefix, n).ok())
        .ok_or_else(|| {
            ApiError::invalid_state(format!("Invoice numbers for {prefix} are exhausted."))
        })?;
    let friendly_id = friendly_id.to_string();
    let id = store::invoices::insert(
        write.tx,
        account_id,
        &friendly_id,
        &period.to_string(),
        creation_type,
        write.now,
    )?;
    Ok((id, friendly_id))
}

/// A period that is any past month or at most 12 months after the current one (§5).
fn within_reach(period: billing::Period, now: DateTime<Utc>) -> Result<billing::Period> {
    if period.months_after(billing::Period::of(now)) > MAX_MONTHS_AHEAD {
        return Err(ApiError::validation(
            "period",
            format!("Period can be at most {MAX_MONTHS_AHEAD} months after the current month."),
        ));
    }
    Ok(period)
}

fn editable_row(conn: &Connection, id: Id) -> Result<InvoiceRow> {
    let row = invoice_row(conn, id)?;
    if !lifecycle(row.state).is_editable() {
        return Err(ApiError::invalid_state(format!(
            "Invoice {} is {}; only open and finalized invoices can be edited.",
            row.friendly_id,
            lifecycle(row.state).as_str()
        )));
    }
    Ok(row)
}

pub(crate) fn update_invoice(write: &mut Write<'_>, input: UpdateInvoice) -> Result<InvoiceDetail> {
    let before_row = editable_row(write.tx, input.id)?;
    let before = get_invoice_detail(write.tx, input.id)?;
    let friendly_id = match input
        .friendly_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(text) => {
            let id = billing::FriendlyId::parse(text)
                .map_err(|e| ApiError::validation("friendly_id", e.to_string()))?;
            // A hand-set number raises its prefix's counter, never lowers it (§6).
            store::invoices::raise_counter(write.tx, id.prefix(), i64::from(id.number()))?;
            id.to_string()
        }
        None => before_row.friendly_id.clone(),
    };
    let period = match input.period {
        Some(period) => within_reach(period, write.now)?,
        None => before_row.period,
    };
    store::invoices::set_friendly_id_and_period(
        write.tx,
        input.id,
        &friendly_id,
        &period.to_string(),
        write.now,
    )?;
    let after = get_invoice_detail(write.tx, input.id)?;
    write.audit("invoice", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}

pub(crate) fn add_line_item(write: &mut Write<'_>, input: AddLineItem) -> Result<InvoiceDetail> {
    editable_row(write.tx, input.invoice_id)?;
    let line = manual_line(&InvoiceLine {
        name: input.name,
        description: input.description,
        quantity: input.quantity,
        cost: input.cost,
    })?;
    insert_manual_line(write, input.invoice_id, line)?;
    get_invoice_detail(write.tx, input.invoice_id)
}

/// A manual line as the book keeps it: text trimmed, quantity 1 when not given, cost exact.
struct ManualLine {
    name: String,
    description: String,
    quantity: rust_decimal::Decimal,
    cost: rust_decimal::Decimal,
}

fn manual_line(line: &InvoiceLine) -> Result<ManualLine> {
    Ok(ManualLine {
        name: required_text("name", "Name", &line.name)?,
        description: description_text("description", "Description", &line.description)?,
        quantity: line_quantity(line.quantity)?,
        cost: line_cost(line.cost)?,
    })
}

fn insert_manual_line(write: &mut Write<'_>, invoice_id: Id, line: ManualLine) -> Result<()> {
    let new = store::invoices::NewLineItem {
        invoice_id,
        name: line.name,
        description: line.description,
        quantity: line.quantity,
        cost: line.cost,
        line_type: LineItemType::Manual,
        application_id: None,
        plan_id: None,
        metric_id: None,
    };
    let id = store::invoices::insert_line_item(write.tx, &new, write.now)?;
    let added =
        store::invoices::line_item(write.tx, id)?.ok_or_else(|| not_found("line item", id))?;
    write.audit("line_item", Some(id.0), None::<&LineItem>, Some(&added))
}

/// A line's cost as given, kept exactly: the book stores 4 decimal places (§1), so a cost
/// with more is refused rather than rounded. Negative costs are credits; absurd magnitudes
/// are typos.
fn line_cost(cost: rust_decimal::Decimal) -> Result<rust_decimal::Decimal> {
    if cost.abs() > rust_decimal::Decimal::from(1_000_000_000_000i64) {
        return Err(ApiError::validation("cost", "Cost is too large."));
    }
    if billing::scale_check(cost, 4, true).is_err() {
        return Err(ApiError::validation(
            "cost",
            "Cost can have at most 4 decimal places: the book keeps amounts exactly and does \
             not round what it is given.",
        ));
    }
    Ok(billing::line_cost(cost))
}

/// A line's quantity: 1 when not given; otherwise more than 0, to at most 4 decimal places.
fn line_quantity(quantity: Option<rust_decimal::Decimal>) -> Result<rust_decimal::Decimal> {
    let Some(quantity) = quantity else {
        return Ok(rust_decimal::Decimal::ONE);
    };
    if quantity <= rust_decimal::Decimal::ZERO {
        return Err(ApiError::validation(
            "quantity",
            "Quantity must be more than 0 (a credit is a line with a negative cost).",
        ));
    }
    amount("quantity", "Quantity", quantity, 4)
}

pub(crate) fn delete_line_item(write: &mut Write<'_>, input: ById) -> Result<InvoiceDetail> {
    let line = store::invoices::line_item(write.tx, input.id)?
        .ok_or_else(|| not_found("line item", input.id))?;
    editable_row(write.tx, line.invoice_id)?;
    store::invoices::delete_line_item(write.tx, input.id, write.now)?;
    write.audit(
        "line_item",
        Some(input.id.0),
        Some(&line),
        None::<&LineItem>,
    )?;
    get_invoice_detail(write.tx, line.invoice_id)
}

pub(crate) fn transition_invoice(
    write: &mut Write<'_>,
    input: TransitionInvoice,
) -> Result<InvoiceDetail> {
    apply_transition(write, input.id, input.state)?;
    if input.state == InvoiceState::Pending {
        super::pdfs::make_pdf_on_issue(write, input.id)?;
    }
    get_invoice_detail(write.tx, input.id)
}

/// What a transition changed, as the audit log keeps it (issuing also freezes the parties).
#[derive(serde::Serialize)]
struct StateAudit<'a> {
    state: InvoiceState,
    #[serde(skip_serializing_if = "Option::is_none")]
    issue: Option<&'a Issue<'a>>,
}

/// Moves an invoice to `state` (§5; issuing freezes it and dates it `write.now`), audited with
/// what changed.
pub(crate) fn apply_transition(write: &mut Write<'_>, id: Id, state: InvoiceState) -> Result<()> {
    let row = invoice_row(write.tx, id)?;
    lifecycle(row.state)
        .transition(lifecycle(state))
        .map_err(|e| ApiError::invalid_state(e.to_string()))?;
    let issue_data = if state == InvoiceState::Pending {
        let (issued_to, issued_by) = live_parties(write.tx, row.account_id)?;
        let today = write.now.date_naive();
        // The payment terms in force when the invoice is issued (§5); the due date is frozen.
        let net_terms = store::settings::net_terms(write.tx)?;
        Some((
            today.format("%Y-%m-%d").to_string(),
            (today + Duration::days(i64::from(net_terms)))
                .format("%Y-%m-%d")
                .to_string(),
            issued_to,
            issued_by,
        ))
    } else {
        None
    };
    let issue = issue_data
        .as_ref()
        .map(|(issued_on, due_on, to, by)| Issue {
            issued_on,
            due_on,
            currency: &row.currency,
            vat_rate: row.vat_rate,
            issued_to: to,
            issued_by: by,
        });
    store::invoices::change_state(
        write.tx,
        id,
        &StateChange {
            state,
            at: write.now,
            issue: issue.as_ref(),
        },
    )?;
    write.audit(
        "invoice",
        Some(id.0),
        Some(&StateAudit {
            state: row.state,
            issue: None,
        }),
        Some(&StateAudit {
            state,
            issue: issue.as_ref(),
        }),
    )
}
