// CSV export of the invoice list as filtered and sorted now: every matching invoice, not only
// the rows on screen, fetched page by page (so a long export can show progress and be
// cancelled). Amounts go out as the engine's exact decimal strings.

import type { Invoice, ListInvoices, Page } from './api/types';
import { toCsv, type CsvCell } from './csv';
import { listInput, type InvoiceFilters } from './invoiceFilters';

/** Rows per request: the engine's largest page. */
export const EXPORT_PAGE_SIZE = 500;

export const EXPORT_HEADER = [
  'Invoice ID',
  'Buyer',
  'Month',
  'State',
  'Created',
  'Issued on',
  'Due on',
  'Paid at',
  'Currency',
  'VAT rate (%)',
  'Total without VAT',
  'VAT',
  'Total',
] as const;

/** One invoice as a CSV row: codes and ISO dates as stored, amounts as the engine's strings. */
export function invoiceCsvRow(invoice: Invoice): CsvCell[] {
  return [
    invoice.friendly_id,
    invoice.account_name,
    invoice.period,
    invoice.state,
    invoice.created_at,
    invoice.issued_on,
    invoice.due_on,
    invoice.paid_at,
    invoice.currency,
    invoice.vat_rate,
    invoice.totals.charged_without_vat,
    invoice.totals.charged_vat,
    invoice.totals.total,
  ];
}

export interface ExportProgress {
  done: number;
  total: number;
}

/**
 * Every invoice `filters` match, in the list's order, a page of `perPage` at a time;
 * `onprogress` after each page. Stops with an AbortError when `signal` is aborted.
 */
export async function fetchAllInvoices(
  filters: InvoiceFilters,
  fetchPage: (input: ListInvoices) => Promise<Page<Invoice>>,
  { perPage = EXPORT_PAGE_SIZE, signal, onprogress }: { perPage?: number; signal?: AbortSignal; onprogress?: (p: ExportProgress) => void } = {},
): Promise<Invoice[]> {
  const invoices: Invoice[] = [];
  for (let page = 1; ; page++) {
    signal?.throwIfAborted();
    const result = await fetchPage(listInput(filters, perPage, page));
    signal?.throwIfAborted();
    invoices.push(...result.items);
    onprogress?.({ done: invoices.length, total: Math.max(result.total, invoices.length) });
    if (result.items.length < perPage || invoices.length >= result.total) return invoices;
  }
}

/** The CSV text of `invoices`. */
export function invoicesCsv(invoices: readonly Invoice[]): string {
  return toCsv(EXPORT_HEADER, invoices.map(invoiceCsvRow));
}

/** A file name that says what was exported: "invoices-2026-05-paid.csv", "invoices.csv". */
export function exportFileName(filters: InvoiceFilters): string {
  const parts = ['invoices'];
  if (filters.month) parts.push(filters.month);
  if (filters.state) parts.push(filters.state);
  if (filters.states?.length) parts.push(filters.states.join('-'));
  if (filters.view) parts.push(filters.view.replace('_', '-'));
  if (filters.accountId) parts.push(`account-${filters.accountId}`);
  if (filters.friendlyId) parts.push(filters.friendlyId.replace(/\*/g, 'x'));
  return `${parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '_')}.csv`;
}
