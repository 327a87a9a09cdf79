// Invoice forms: a new line item, and the invoice's ID and month. Only the form of a value is
// checked here (a cost must be a number, a month YYYY-MM); what values are allowed is the
// engine's to say.

import type { AddLineItem, CreateInvoice, Invoice, InvoiceLine, UpdateInvoice } from '../lib/api/types';
import { parseDecimal } from '../lib/format';
import type { FieldErrors } from '../lib/forms';
import { isMonth } from '../lib/invoiceFilters';

export interface LineForm {
  name: string;
  description: string;
  /** Informational; empty for 1. */
  quantity: string;
  /** The line's total (negative for a credit). */
  cost: string;
}

export const LINE_FIELDS: readonly string[] = ['name', 'description', 'quantity', 'cost'];

export function emptyLineForm(): LineForm {
  return { name: '', description: '', quantity: '1', cost: '' };
}

export function lineInput(
  invoiceId: string,
  form: LineForm,
): { ok: true; input: AddLineItem } | { ok: false; errors: FieldErrors } {
  const parsed = invoiceLine(form);
  return parsed.ok ? { ok: true, input: { invoice_id: invoiceId, ...parsed.line } } : parsed;
}

/** A line as the engine takes it; errors keyed by the line's field (`cost`, `quantity`). */
function invoiceLine(form: LineForm): { ok: true; line: InvoiceLine } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const cost = parseDecimal(form.cost);
  if (cost === null) errors.cost = 'Enter the line’s cost as an amount, e.g. 25.00 (or -10 for a credit).';
  let quantity: string | undefined;
  if (form.quantity.trim() !== '') {
    const parsed = parseDecimal(form.quantity);
    if (parsed === null) errors.quantity = 'Enter the quantity as a number, e.g. 1 or 2.5, or leave it empty.';
    else quantity = parsed;
  }
  if (cost === null || Object.keys(errors).length > 0) return { ok: false, errors };
  const description = form.description.trim();
  return {
    ok: true,
    line: {
      name: form.name.trim(),
      ...(description ? { description } : {}),
      ...(quantity !== undefined ? { quantity } : {}),
      cost,
    },
  };
}

export interface NewInvoiceForm {
  /** The buyer's account id; '' until one is chosen. */
  account_id: string;
  /** YYYY-MM; empty for the current month by the book's clock. */
  period: string;
  lines: LineForm[];
}

/** The fields a new invoice shows errors next to, as the engine names them (`lines[1].cost`). */
export function newInvoiceFields(lineCount: number): string[] {
  const fields = ['account_id', 'period'];
  for (let index = 0; index < lineCount; index++) {
    for (const field of LINE_FIELDS) fields.push(`lines[${index}].${field}`);
  }
  return fields;
}

/** The `create_invoice` input: the invoice and its lines, made in one change. */
export function newInvoiceInput(
  form: NewInvoiceForm,
): { ok: true; input: CreateInvoice } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (form.account_id === '') errors.account_id = 'Choose the buyer to invoice.';
  const period = form.period.trim();
  if (period !== '' && !isMonth(period)) errors.period = 'Enter the month as YYYY-MM, e.g. 2026-05, or leave it empty.';
  const lines: InvoiceLine[] = [];
  form.lines.forEach((lineForm, index) => {
    const parsed = invoiceLine(lineForm);
    if (parsed.ok) lines.push(parsed.line);
    else for (const [field, message] of Object.entries(parsed.errors)) errors[`lines[${index}].${field}`] = message;
  });
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: { account_id: form.account_id, ...(period ? { period } : {}), ...(lines.length ? { lines } : {}) },
  };
}

export interface InvoiceForm {
  friendly_id: string;
  period: string;
}

export const INVOICE_FIELDS: readonly string[] = ['friendly_id', 'period'];

export function invoiceForm(invoice: Pick<Invoice, 'friendly_id' | 'period'>): InvoiceForm {
  return { friendly_id: invoice.friendly_id, period: invoice.period };
}

/**
 * The `update_invoice` input: only what changed is sent. `changed` is false when nothing did
 * (the dialog just closes).
 */
export function invoiceUpdate(
  invoice: Pick<Invoice, 'id' | 'friendly_id' | 'period'>,
  form: InvoiceForm,
): { ok: true; input: UpdateInvoice; changed: boolean } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const friendlyId = form.friendly_id.trim();
  const period = form.period.trim();
  if (friendlyId === '') errors.friendly_id = 'Enter the invoice ID, e.g. 2026-05-00000012.';
  if (!isMonth(period)) errors.period = 'Enter the month as YYYY-MM, e.g. 2026-05.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const input: UpdateInvoice = {
    id: invoice.id,
    ...(friendlyId !== invoice.friendly_id ? { friendly_id: friendlyId } : {}),
    ...(period !== invoice.period ? { period } : {}),
  };
  return { ok: true, input, changed: Object.keys(input).length > 1 };
}
