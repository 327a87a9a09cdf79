import { describe, expect, it } from 'vitest';
import {
  ariaSort,
  clearsMoreThanAChip,
  filtersQuery,
  isFiltered,
  isMonth,
  listInput,
  nextSort,
  NO_FILTERS,
  parseFilters,
  withoutFilters,
  type InvoiceFilters,
} from './invoiceFilters';

describe('parseFilters', () => {
  it.each([
    // query, expected, why
    ['', NO_FILTERS, 'no query: every invoice, first page'],
    ['?state=failed', { ...NO_FILTERS, state: 'failed' }, 'a leading "?" is fine'],
    ['state=refunded', NO_FILTERS, 'an unknown state is dropped, not sent'],
    ['month=%202026-05%20', { ...NO_FILTERS, month: '2026-05' }, 'spaces around a month go'],
    ['month=May', { ...NO_FILTERS, month: 'May' }, 'a bad month is kept for the field to flag'],
    ['id=2026-05-*', { ...NO_FILTERS, friendlyId: '2026-05-*' }, 'the wildcard survives'],
    ['account=12&page=3', { ...NO_FILTERS, accountId: '12', page: 3 }, 'account and page'],
    ['page=0', NO_FILTERS, 'page 0 is page 1'],
    ['page=2.5', NO_FILTERS, 'a fractional page is page 1'],
    ['page=abc', NO_FILTERS, 'a page that is not a number is page 1'],
    ['sort=total&desc=1', { ...NO_FILTERS, sort: 'total', descending: true }, 'a sort column and its direction'],
    ['sort=buyer', { ...NO_FILTERS, sort: 'buyer' }, 'ascending unless desc=1'],
    ['sort=net%3BDROP&desc=1', NO_FILTERS, 'an unknown column is dropped with its direction'],
    ['desc=1', NO_FILTERS, 'a direction without a column means nothing'],
    ['states=unpaid,failed,refunded', { ...NO_FILTERS, states: ['unpaid', 'failed'] }, 'several states, unknown ones dropped'],
    ['view=credits', { ...NO_FILTERS, view: 'credits' }, 'a dashboard group'],
    ['view=everything', NO_FILTERS, 'an unknown group is dropped'],
    ['buyer=%20acme%20', { ...NO_FILTERS, buyer: 'acme' }, 'a buyer search, trimmed'],
  ] as const)('%j (%s)', (query, expected, _why) => {
    expect(parseFilters(query)).toEqual(expected);
  });

  it('round-trips through the query string, characters that mean something in URLs included', () => {
    const filters = { state: 'paid', month: '2026-05', friendlyId: 'a&b=c?*', accountId: '7', page: 2 } as const;
    expect(parseFilters(filtersQuery(filters))).toEqual(filters);
    const sorted: InvoiceFilters = {
      ...NO_FILTERS,
      buyer: 'Müller & Söhne',
      states: ['unpaid', 'failed'],
      view: 'past_due',
      sort: 'due_on',
      descending: true,
    };
    expect(parseFilters(filtersQuery(sorted))).toEqual(sorted);
  });
});

describe('filtersQuery', () => {
  it('is empty without filters and leaves page 1 out', () => {
    expect(filtersQuery(NO_FILTERS)).toBe('');
    expect(filtersQuery({ ...NO_FILTERS, state: 'open' })).toBe('?state=open');
  });
});

describe('isMonth', () => {
  it.each([
    ['2026-05', true],
    ['1999-12', true],
    ['2026-13', false],
    ['2026-00', false],
    ['2026-5', false],
    ['26-05', false],
    ['2026/05', false],
    ['', false],
  ])('%s → %s', (text, expected) => {
    expect(isMonth(text)).toBe(expected);
  });
});

describe('isFiltered', () => {
  it('ignores the page and the sort order', () => {
    expect(isFiltered({ ...NO_FILTERS, page: 4 })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, sort: 'total', descending: true })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, accountId: '1' })).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, buyer: 'acme' })).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, states: ['failed'] })).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, view: 'review' })).toBe(true);
  });

  it('clears the filters but keeps the sort order', () => {
    expect(withoutFilters({ ...NO_FILTERS, state: 'paid', sort: 'buyer' })).toEqual({ ...NO_FILTERS, sort: 'buyer', descending: false });
    expect(withoutFilters({ ...NO_FILTERS, month: '2026-05', page: 3 })).toEqual(NO_FILTERS);
  });
});

describe('clearsMoreThanAChip', () => {
  it('is false with no filter or one chip alone, whose Remove does the same', () => {
    expect(clearsMoreThanAChip(NO_FILTERS)).toBe(false);
    expect(clearsMoreThanAChip({ ...NO_FILTERS, view: 'review' })).toBe(false);
    expect(clearsMoreThanAChip({ ...NO_FILTERS, states: ['unpaid', 'failed'] })).toBe(false);
    expect(clearsMoreThanAChip({ ...NO_FILTERS, accountId: '7' })).toBe(false);
  });

  it('is true with a field filled in, or two chips', () => {
    expect(clearsMoreThanAChip({ ...NO_FILTERS, month: '2026-05' })).toBe(true);
    expect(clearsMoreThanAChip({ ...NO_FILTERS, buyer: 'acme' })).toBe(true);
    expect(clearsMoreThanAChip({ ...NO_FILTERS, view: 'credits', friendlyId: '2026-*' })).toBe(true);
    expect(clearsMoreThanAChip({ ...NO_FILTERS, view: 'review', accountId: '7' })).toBe(true);
  });
});

describe('listInput', () => {
  it('sends only the filters that are set, with the month as the period', () => {
    expect(listInput({ state: 'unpaid', month: '2026-04', friendlyId: '', accountId: null, page: 2 }, 50)).toEqual({
      state: 'unpaid',
      period: '2026-04',
      page: 2,
      per_page: 50,
    });
    expect(listInput({ ...NO_FILTERS, friendlyId: '2026-*', accountId: '3' }, 25)).toEqual({
      friendly_id: '2026-*',
      account_id: '3',
      page: 1,
      per_page: 25,
    });
  });
});

describe('listInput with the sort and the other filters', () => {
  it('sends the sort column with its direction, and a page of its own', () => {
    expect(listInput({ ...NO_FILTERS, sort: 'buyer' }, 200, 7)).toEqual({ sort: 'buyer', descending: false, page: 7, per_page: 200 });
    expect(listInput({ ...NO_FILTERS, states: ['unpaid', 'failed'], buyer: 'acme', sort: 'total', descending: true }, 200, 1)).toEqual({
      states: ['unpaid', 'failed'],
      buyer_query: 'acme',
      sort: 'total',
      descending: true,
      page: 1,
      per_page: 200,
    });
  });

  it.each([
    ['review', { states: ['open', 'finalized'] }],
    ['past_due', { past_due: true }],
    ['credits', { credit_due: true }],
  ] as const)('asks for the dashboard group %s as the dashboard counts it', (view, expected) => {
    expect(listInput({ ...NO_FILTERS, view }, 200, 1)).toEqual({ ...expected, page: 1, per_page: 200 });
  });

  it('leaves the engine’s default (newest first) when no column is chosen', () => {
    expect(listInput(NO_FILTERS, 200, 1)).toEqual({ page: 1, per_page: 200 });
  });
});

describe('nextSort and ariaSort (a click on a column header)', () => {
  it.each([
    // current sort, clicked column → next; why
    [{}, 'buyer', { sort: 'buyer', descending: false }, 'text columns start A to Z'],
    [{}, 'total', { sort: 'total', descending: true }, 'totals start with the largest'],
    [{}, 'issued_on', { sort: 'issued_on', descending: true }, 'dates start with the latest'],
    [{}, 'period', { sort: 'period', descending: true }, 'months start with the latest'],
    [{}, 'id', { sort: 'id', descending: false }, 'the default is newest first, so the id flips to oldest first'],
    [{ sort: 'buyer' }, 'buyer', { sort: 'buyer', descending: true }, 'the same column flips'],
    [{ sort: 'buyer', descending: true }, 'buyer', { sort: 'buyer', descending: false }, 'and flips back'],
    [{ sort: 'total', descending: false }, 'friendly_id', { sort: 'friendly_id', descending: false }, 'another column starts afresh'],
  ] as const)('%j, click %s → %j (%s)', (current, column, expected, _why) => {
    expect(nextSort({ ...NO_FILTERS, ...current }, column)).toEqual(expected);
  });

  it('tells which column sorts and how', () => {
    expect(ariaSort(NO_FILTERS, 'id')).toBe('descending');
    expect(ariaSort(NO_FILTERS, 'total')).toBe('none');
    expect(ariaSort({ ...NO_FILTERS, sort: 'total', descending: true }, 'total')).toBe('descending');
    expect(ariaSort({ ...NO_FILTERS, sort: 'buyer' }, 'buyer')).toBe('ascending');
  });
});
