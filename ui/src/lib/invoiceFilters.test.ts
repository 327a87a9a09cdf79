import { describe, expect, it } from 'vitest';
import { filtersQuery, isFiltered, isMonth, listInput, NO_FILTERS, parseFilters } from './invoiceFilters';

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
  ] as const)('%j (%s)', (query, expected, _why) => {
    expect(parseFilters(query)).toEqual(expected);
  });

  it('round-trips through the query string, characters that mean something in URLs included', () => {
    const filters = { state: 'paid', month: '2026-05', friendlyId: 'a&b=c?*', accountId: '7', page: 2 } as const;
    expect(parseFilters(filtersQuery(filters))).toEqual(filters);
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
  it('ignores the page', () => {
    expect(isFiltered({ ...NO_FILTERS, page: 4 })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, accountId: '1' })).toBe(true);
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
