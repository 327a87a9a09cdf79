// The invoice list's filters and sort order, kept in the URL
// (#/invoices?state=paid&month=2026-05&sort=total&desc=1) so that a reload, a bookmark or the
// way back from an invoice shows the same list.

import type { InvoiceSort, InvoiceState, ListInvoices } from './api/types';

export const INVOICE_STATES: readonly InvoiceState[] = [
  'open',
  'finalized',
  'pending',
  'paid',
  'unpaid',
  'failed',
  'cancelled',
];

export const INVOICE_SORTS: readonly InvoiceSort[] = [
  'id',
  'friendly_id',
  'buyer',
  'period',
  'state',
  'issued_on',
  'due_on',
  'total',
];

/**
 * The dashboard's groups of invoices, as it counts them: to review (open and finalized), past
 * due (issued, not paid, after the due date) and credits due to buyers (issued, negative total).
 */
export type InvoiceView = 'review' | 'past_due' | 'credits';

export const INVOICE_VIEWS: Record<InvoiceView, string> = {
  review: 'To review (open or finalized)',
  past_due: 'Past due',
  credits: 'Credits due to buyers',
};

function isView(text: string | null): text is InvoiceView {
  return text !== null && Object.hasOwn(INVOICE_VIEWS, text);
}

export interface InvoiceFilters {
  state: InvoiceState | null;
  /** YYYY-MM, or '' for every month. */
  month: string;
  /** A friendly ID; `*` matches any run of characters; '' for any. */
  friendlyId: string;
  /** Only this buyer's invoices (when the list was opened from an account). */
  accountId: string | null;
  /**
   * The page of links made when the list was paged; the list now scrolls (virtual rows) and
   * starts at the top, so this is only kept to read old links without losing their filters.
   */
  page: number;
  /** Buyers whose name, VAT code or fiscal code contains this text. */
  buyer?: string;
  /** Any of these states (a dashboard or earnings figure, e.g. unpaid and failed). */
  states?: InvoiceState[];
  /** One of the dashboard's groups (INVOICE_VIEWS). */
  view?: InvoiceView;
  /** The column the list is sorted by; newest first when absent. */
  sort?: InvoiceSort;
  /** With `sort`: largest, latest or last in the alphabet first. */
  descending?: boolean;
}

export const NO_FILTERS: InvoiceFilters = { state: null, month: '', friendlyId: '', accountId: null, page: 1 };

/** A month as the engine takes it: YYYY-MM. */
export function isMonth(text: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(text);
}

function isState(text: string | null): text is InvoiceState {
  return text !== null && (INVOICE_STATES as readonly string[]).includes(text);
}

function isSort(text: string | null): text is InvoiceSort {
  return text !== null && (INVOICE_SORTS as readonly string[]).includes(text);
}

/**
 * The filters of a query string ("state=paid&month=2026-05", with or without the "?"). Values
 * that cannot be filters (an unknown state or sort column, a page that is not a positive whole
 * number) are dropped rather than sent; a month is kept as typed for the engine to judge. The
 * optional filters are present only when set, so the plain list equals NO_FILTERS.
 */
export function parseFilters(query: string): InvoiceFilters {
  const params = new URLSearchParams(query.replace(/^\?/, ''));
  const state = params.get('state');
  const page = Number(params.get('page') ?? '1');
  const filters: InvoiceFilters = {
    state: isState(state) ? state : null,
    month: (params.get('month') ?? '').trim(),
    friendlyId: (params.get('id') ?? '').trim(),
    accountId: params.get('account')?.trim() || null,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
  const buyer = params.get('buyer')?.trim();
  if (buyer) filters.buyer = buyer;
  const states = (params.get('states') ?? '').split(',').filter(isState);
  if (states.length > 0) filters.states = [...new Set(states)];
  const view = params.get('view');
  if (isView(view)) filters.view = view;
  const sort = params.get('sort');
  if (isSort(sort)) {
    filters.sort = sort;
    if (params.get('desc') === '1') filters.descending = true;
  }
  return filters;
}

/** The query string of `filters`: '' when there are none, else "?state=paid&…". */
export function filtersQuery(filters: InvoiceFilters): string {
  const params = new URLSearchParams();
  if (filters.accountId) params.set('account', filters.accountId);
  if (filters.state) params.set('state', filters.state);
  if (filters.states?.length) params.set('states', filters.states.join(','));
  if (filters.view) params.set('view', filters.view);
  if (filters.month) params.set('month', filters.month);
  if (filters.friendlyId) params.set('id', filters.friendlyId);
  if (filters.buyer) params.set('buyer', filters.buyer);
  if (filters.sort) {
    params.set('sort', filters.sort);
    if (filters.descending) params.set('desc', '1');
  }
  if (filters.page > 1) params.set('page', String(filters.page));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Whether any filter narrows the list (neither the page nor the sort order is a filter). */
export function isFiltered(filters: InvoiceFilters): boolean {
  return (
    filters.state !== null ||
    filters.month !== '' ||
    filters.friendlyId !== '' ||
    filters.accountId !== null ||
    Boolean(filters.buyer) ||
    Boolean(filters.states?.length) ||
    Boolean(filters.view)
  );
}

/**
 * Whether "Clear filters" would do more than one chip's own Remove (the buyer chip, or the
 * chip of a view or of several states from a dashboard link): when it would not, it is not
 * offered, so that one link does not stand for another.
 */
export function clearsMoreThanAChip(filters: InvoiceFilters): boolean {
  const count = (set: boolean[]) => set.filter(Boolean).length;
  const chips = count([filters.accountId !== null, Boolean(filters.states?.length || filters.view)]);
  const fields = count([filters.state !== null, filters.month !== '', filters.friendlyId !== '', Boolean(filters.buyer)]);
  return fields > 0 || chips > 1;
}

/** `filters` without any filter, keeping the sort order. */
export function withoutFilters(filters: InvoiceFilters): InvoiceFilters {
  return { ...NO_FILTERS, ...(filters.sort ? { sort: filters.sort, descending: filters.descending ?? false } : {}) };
}

/**
 * The `list_invoices` input for `filters` and one page of `perPage` rows (the filters' own
 * page unless given); absent filters are left out.
 */
export function listInput(filters: InvoiceFilters, perPage: number, page = filters.page): ListInvoices {
  return {
    ...(filters.state ? { state: filters.state } : {}),
    ...(filters.states?.length ? { states: filters.states } : {}),
    ...(filters.view === 'review' ? { states: ['open', 'finalized'] as InvoiceState[] } : {}),
    ...(filters.view === 'past_due' ? { past_due: true } : {}),
    ...(filters.view === 'credits' ? { credit_due: true } : {}),
    ...(filters.month ? { period: filters.month } : {}),
    ...(filters.friendlyId ? { friendly_id: filters.friendlyId } : {}),
    ...(filters.accountId ? { account_id: filters.accountId } : {}),
    ...(filters.buyer ? { buyer_query: filters.buyer } : {}),
    ...(filters.sort ? { sort: filters.sort, descending: filters.descending ?? false } : {}),
    page,
    per_page: perPage,
  };
}

/**
 * The first direction of a column when its header is clicked: months, dates and totals start
 * with the latest or largest (what a finance user looks for first), text columns A to Z.
 */
export function startsDescending(sort: InvoiceSort): boolean {
  return sort === 'id' || sort === 'period' || sort === 'issued_on' || sort === 'due_on' || sort === 'total';
}

/**
 * The sort after a click on `column`'s header: the same column flips its direction, another
 * column starts with its first direction. The list without a sort is newest first, i.e. by id
 * descending.
 */
export function nextSort(filters: InvoiceFilters, column: InvoiceSort): { sort: InvoiceSort; descending: boolean } {
  const current = filters.sort ?? 'id';
  const descending = filters.sort ? (filters.descending ?? false) : true;
  if (current === column) return { sort: column, descending: !descending };
  return { sort: column, descending: startsDescending(column) };
}

/** How a column's header tells its order to assistive technology (aria-sort). */
export function ariaSort(filters: InvoiceFilters, column: InvoiceSort): 'ascending' | 'descending' | 'none' {
  const current = filters.sort ?? 'id';
  const descending = filters.sort ? (filters.descending ?? false) : true;
  if (current !== column) return 'none';
  return descending ? 'descending' : 'ascending';
}
