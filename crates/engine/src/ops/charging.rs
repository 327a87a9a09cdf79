//! Charging and payments (billing-rules.md §9).
//!
//! A charge attempt takes two transactions around the gateway call: the first records the
//! attempt with its idempotency key (`invoice-<id>-attempt-<n>`) as pending, the second its
//! outcome and the invoice's new state. A crash in between leaves a pending attempt, which
//! [`resolve_pending_charges`] completes by asking the gateway again with the same key — so
//! the buyer is never charged twice.
//!
//! A book without a payment gateway charges nothing: a person's Charge is refused ("No payment
//! gateway: charging is off"), and the billing run leaves issued invoices pending, awaiting a
//! payment recorded with "Mark as paid".

use super::invoice_view::{get_invoice_detail, lifecycle};
use crate::billing_lock::{LockWait, SHORT_WAIT};
use crate::book::{Actor, Book, Write};
use crate::error::{ApiError, Reason, Result};
use crate::gateway::{ChargeOutcome, ChargeRequest};
use crate::model::*;
use crate::store;
use crate::store::invoices::StateChange;
use crate::store::payments::{NewAttempt, PendingAttempt};
use chrono::{DateTime, Duration, Utc};

/// Automatic attempts before an invoice is failed (due day, +3 days, +6 days).
const MAX_AUTOMATIC_ATTEMPTS: i64 = 3;
/// Days between automatic attempts.
const RETRY_AFTER_DAYS: i64 = 3;

/// What every screen and answer says about a book without a payment gateway.
pub const NO_PAYMENT_GATEWAY: &str = "No payment gateway: charging is off.";

fn no_payment_gateway() -> ApiError {
    ApiError::invalid_state(format!(
        "{NO_PAYMENT_GATEWAY} Nothing was charged; record a payment received another way with \
         \"Mark as paid\"."
    ))
    .because(Reason::NoPaymentGateway)
}

/// A person pressing Charge: one attempt now; a failure leaves the state as it was. Holds the
/// billing lock: a person's charge never runs beside a billing run's charges (in this process
/// or another), whose attempt it could otherwise repeat.
pub(crate) fn charge_invoice(book: &mut Book, actor: &Actor, input: ById) -> Result<InvoiceDetail> {
    if book.gateway()?.is_none() {
        // An unknown invoice is still a 404, before the missing gateway.
        get_invoice_detail(book.reader(), input.id)?;
        return Err(no_payment_gateway());
    }
    book.with_billing_lock(LockWait::For(SHORT_WAIT), |book| {
        charge_holding_lock(book, actor, input)
    })
}

fn charge_holding_lock(book: &mut Book, actor: &Actor, input: ById) -> Result<InvoiceDetail> {
    let state_before = get_invoice_detail(book.reader(), input.id)?.invoice.state;
    resolve_pending_charges(book, actor)?;
    let resolved = get_invoice_detail(book.reader(), input.id)?;
    if state_before != InvoiceState::Paid && resolved.invoice.state == InvoiceState::Paid {
        // An attempt interrupted by a crash was completed just now and paid the invoice.
        return Ok(resolved);
    }
    let at = book.now();
    attempt(book, actor, input.id, false, at)?;
    get_invoice_detail(book.reader(), input.id)
}

/// Step 7 of the daily run at `at` (the job's instant): charges every invoice that is due.
/// Returns how many attempts were made: none without a payment gateway, when issued invoices
/// stay pending (awaiting payment) and nothing is retried or failed.
pub fn charge_due_invoices(book: &mut Book, actor: &Actor, at: DateTime<Utc>) -> Result<usize> {
    if book.sync_role() == crate::sync::Role::Linked {
        return Ok(0); // the server charges (docs/sync.md)
    }
    book.with_billing_lock(LockWait::For(SHORT_WAIT), |book| {
        charge_due_invoices_holding_lock(book, actor, at)
    })
}

fn charge_due_invoices_holding_lock(
    book: &mut Book,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<usize> {
    if book.gateway()?.is_none() {
        return Ok(0);
    }
    resolve_pending_charges(book, actor)?;
    if !store::settings::get(book.reader())?.charging_enabled {
        return Ok(0);
    }
    let due = store::payments::due_for_charging(
        book.reader(),
        at.date_naive(),
        at - Duration::days(RETRY_AFTER_DAYS),
    )?;
    let mut attempts = 0;
    for invoice_id in &due {
        if attempt(book, actor, *invoice_id, true, at)? {
            attempts += 1;
        }
    }
    Ok(attempts)
}

/// Completes attempts a crash left between the gateway call and the commit (none without a
/// gateway: they wait for it).
pub(crate) fn resolve_pending_charges(book: &mut Book, actor: &Actor) -> Result<usize> {
    if book.gateway()?.is_none() {
        return Ok(0);
    }
    let pending = store::payments::pending(book.reader())?;
    for attempt in &pending {
        let request = ChargeRequest {
            idempotency_key: attempt.idempotency_key.clone(),
            amount: attempt.amount,
            currency: attempt.currency.clone(),
            card: store::payments::card_of_invoice(book.reader(), attempt.invoice_id)?,
            on: attempt.created_at.date_naive(),
        };
        let gateway = book.gateway()?.ok_or_else(no_payment_gateway)?;
        let outcome = gateway.charge(&request);
        book.write(actor, "charge_invoice", |write| {
            record_outcome(write, attempt, &outcome)
        })?;
    }
    Ok(pending.len())
}

/// One attempt: recorded as pending, the gateway called, the outcome recorded. False when an
/// automatic attempt found the invoice no longer due (charged meanwhile by another process).
fn attempt(
    book: &mut Book,
    actor: &Actor,
    invoice_id: Id,
    automatic: bool,
    at: DateTime<Utc>,
) -> Result<bool> {
    let pending = book.write(actor, "charge_invoice", |write| {
        let detail = get_invoice_detail(write.tx, invoice_id)?;
        let invoice = &detail.invoice;
        let chargeable = [
            InvoiceState::Pending,
            InvoiceState::Unpaid,
            InvoiceState::Failed,
        ];
        if !chargeable.contains(&invoice.state) {
            return Err(ApiError::invalid_state(format!(
                "Invoice {} is {}; only issued, unpaid or failed invoices can be charged.",
                invoice.friendly_id,
                lifecycle(invoice.state).as_str()
            )));
        }
        if invoice.totals.total.is_sign_negative() {
            return Err(ApiError::invalid_state(format!(
                "Invoice {} has a negative total: it is a credit due to the buyer and is never \
                 charged.",
                invoice.friendly_id
            )));
        }
        if invoice.totals.total.is_zero() {
            return Err(ApiError::invalid_state(format!(
                "Invoice {} has nothing to charge.",
                invoice.friendly_id
            )));
        }
        // Checked again inside the transaction that records the attempt: the list of invoices
        // due was read before it, and another process may have charged since.
        let charging_elsewhere = store::payments::has_pending(write.tx, invoice_id)?;
        if automatic
            && (charging_elsewhere
                || store::payments::attempted_after(
                    write.tx,
                    invoice_id,
                    at - Duration::days(RETRY_AFTER_DAYS),
                )?)
        {
            return Ok(None);
        }
        if charging_elsewhere {
            return Err(ApiError::conflict(format!(
                "Invoice {} is being charged right now; nothing was changed. Look at its \
                 payments in a moment.",
                invoice.friendly_id
            )));
        }
        let number = store::payments::attempts(write.tx, invoice_id)? + 1;
        let key = format!("invoice-{invoice_id}-attempt-{number}");
        let new = NewAttempt {
            invoice_id,
            idempotency_key: &key,
            attempt: number,
            automatic,
            amount: invoice.totals.total,
            currency: &invoice.currency,
            at,
        };
        let id = store::payments::insert_pending(write.tx, &new)?;
        write.audit("payment_transaction", Some(id.0), None::<&()>, Some(&key))?;
        Ok(Some(PendingAttempt {
            id,
            invoice_id,
            idempotency_key: key.clone(),
            automatic,
            amount: invoice.totals.total,
            currency: invoice.currency.clone(),
            created_at: at,
        }))
    })?;
    let Some(pending) = pending else {
        return Ok(false);
    };
    let request = ChargeRequest {
        idempotency_key: pending.idempotency_key.clone(),
        amount: pending.amount,
        currency: pending.currency.clone(),
        card: store::payments::card_of_invoice(book.reader(), invoice_id)?,
        on: at.date_naive(),
    };
    let gateway = book.gateway()?.ok_or_else(no_payment_gateway)?;
    let outcome = gateway.charge(&request);
    book.write(actor, "charge_invoice", |write| {
        record_outcome(write, &pending, &outcome)
    })?;
    Ok(true)
}

/// The second half of an attempt: its outcome, and what it does to the invoice (§9).
fn record_outcome(
    write: &mut Write<'_>,
    attempt: &PendingAttempt,
    outcome: &ChargeOutcome,
) -> Result<()> {
    let before = get_invoice_detail(write.tx, attempt.invoice_id)?;
    let resolved_here = store::payments::resolve(
        write.tx,
        attempt.id,
        outcome.success,
        &outcome.reference,
        &outcome.message,
        attempt.created_at,
    )?;
    if !resolved_here {
        // Another process completed this attempt (with the same key, so the same answer).
        return Ok(());
    }
    let state = before.invoice.state;
    let new_state = if outcome.success {
        Some(InvoiceState::Paid)
    } else if attempt.automatic {
        let retries = store::payments::retries(write.tx, attempt.invoice_id)? + 1;
        store::payments::set_retries(write.tx, attempt.invoice_id, retries, attempt.created_at)?;
        Some(if retries >= MAX_AUTOMATIC_ATTEMPTS {
            InvoiceState::Failed
        } else {
            InvoiceState::Unpaid
        })
    } else {
        None // a failed manual charge leaves the state unchanged
    };
    if let Some(new_state) =
        new_state.filter(|s| *s != state && lifecycle(state).can_become(lifecycle(*s)))
    {
        let change = StateChange {
            state: new_state,
            at: attempt.created_at,
            issue: None,
        };
        store::invoices::change_state(write.tx, attempt.invoice_id, &change)?;
    }
    let after = get_invoice_detail(write.tx, attempt.invoice_id)?;
    write.audit(
        "invoice",
        Some(attempt.invoice_id.0),
        Some(&before),
        Some(&after),
    )
}

/// Records a payment made outside the gateway (e.g. a bank transfer) and marks the invoice paid.
pub(crate) fn mark_invoice_paid(
    write: &mut Write<'_>,
    input: MarkInvoicePaid,
) -> Result<InvoiceDetail> {
    let before = get_invoice_detail(write.tx, input.id)?;
    let invoice = &before.invoice;
    lifecycle(invoice.state)
        .transition(lifecycle(InvoiceState::Paid))
        .map_err(|e| ApiError::invalid_state(e.to_string()))?;
    let reference = super::optional_text("reference", "Reference", &input.reference)?;
    store::payments::insert_manual_payment(
        write.tx,
        input.id,
        invoice.totals.total,
        &invoice.currency,
        &reference,
        write.now,
    )?;
    let change = StateChange {
        state: InvoiceState::Paid,
        at: write.now,
        issue: None,
    };
    store::invoices::change_state(write.tx, input.id, &change)?;
    let after = get_invoice_detail(write.tx, input.id)?;
    write.audit("invoice", Some(input.id.0), Some(&before), Some(&after))?;
    Ok(after)
}
