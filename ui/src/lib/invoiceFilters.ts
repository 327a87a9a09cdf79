// The invoice list's filters, kept in the URL (#/invoices?state=paid&month=2026-05) so that a
// reload, a bookmark or the way back from an invoice shows the same list.

import type { InvoiceState, ListInvoices } from './api/types';

export const INVOICE_STATES: readonly InvoiceState[] = [
  'open',
  'finalized',
  'pending',
  'paid',
  'unpaid',
  'failed',
  'cancelled',
];

export interface InvoiceFilters {
  state: InvoiceState | null;
  /** YYYY-MM, or '' for every month. */
  month: string;
  /** A friendly ID; `*` matches any run of characters; '' for any. */
  friendlyId: string;
  /** Only this buyer's invoices (when the list was opened from an account). */
  accountId: string | null;
  page: number;
}

export const NO_FILTERS: InvoiceFilters = { state: null, month: '', friendlyId: '', accountId: null, page: 1 };

/** A month as the engine takes it: YYYY-MM. */
export function isMonth(text: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
}

function isState(text: string | null): text is InvoiceState {
  return text !== null && (INVOICE_STATES as readonly string[]).includes(text);
}

/**
 * The filters of a query string ("state=paid&month=2026-05", with or without the "?"). Values
 * that cannot be filters (an unknown state, a page that is not a positive whole number) are
 * dropped rather than sent; a month is kept as typed for the engine to judge.
 */
export function parseFilters(query: string): InvoiceFilters {
  const params = new URLSearchParams(query.replace(/^\?/, ''));
  const state = params.get('state');
  const page = Number(params.get('page') ?? '1');
  return {
    state: isState(state) ? state : null,
    month: (params.get('month') ?? '').trim(),
    friendlyId: (params.get('id') ?? '').trim(),
    accountId: params.get('account')?.trim() || null,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** The query string of `filters`: '' when there are none, else "?state=paid&…". */
export function filtersQuery(filters: InvoiceFilters): string {
  const params = new URLSearchParams();
  if (filters.accountId) params.set('account', filters.accountId);
  if (filters.state) params.set('state', filters.state);
  if (filters.month) params.set('month', filters.month);
  if (filters.friendlyId) params.set('id', filters.friendlyId);
  if (filters.page > 1) params.set('page', String(filters.page));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Whether any filter narrows the list (the page is not a filter). */
export function isFiltered(filters: InvoiceFilters): boolean {
  return filters.state !== null || filters.month !== '' || filters.friendlyId !== '' || filters.accountId !== null;
}

/** The `list_invoices` input for `filters`; absent filters are left out. */
export function listInput(filters: InvoiceFilters, perPage: number): ListInvoices {
  return {
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.month ? { period: filters.month } : {}),
    ...(filters.friendlyId ? { friendly_id: filters.friendlyId } : {}),
    ...(filters.accountId ? { account_id: filters.accountId } : {}),
    page: filters.page,
    per_page: perPage,
  };
}
