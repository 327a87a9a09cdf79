import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from './invoiceFilters';
import { earningsHref, href, invoicesHref, parseRoute } from './router.svelte';

describe('parseRoute', () => {
  it.each([
    ['', { screen: 'dashboard' }],
    ['#/', { screen: 'dashboard' }],
    ['#/dashboard', { screen: 'dashboard' }],
    ['#/settings', { screen: 'settings', section: 'general' }],
    ['#/settings/access', { screen: 'settings', section: 'access' }],
    ['#/settings/sync', { screen: 'settings', section: 'sync' }],
    ['#/settings/other', { screen: 'not_found', path: '/settings/other' }],
    ['#/accounts', { screen: 'accounts', accountId: null, creating: false }],
    ['#/accounts/', { screen: 'accounts', accountId: null, creating: false }],
    ['#/accounts/new', { screen: 'accounts', accountId: null, creating: true }],
    ['#/accounts/42', { screen: 'accounts', accountId: '42', creating: false }],
    ['#/plans', { screen: 'plans', planId: null }],
    ['#/plans/7', { screen: 'plans', planId: '7' }],
    ['#/services/3', { screen: 'services', serviceId: '3' }],
    ['#/invoices', { screen: 'invoices', invoiceId: null, filters: NO_FILTERS }],
    ['#/invoices/', { screen: 'invoices', invoiceId: null, filters: NO_FILTERS }],
    ['#/invoices/31', { screen: 'invoices', invoiceId: '31', filters: NO_FILTERS }],
    [
      '#/invoices?state=paid&month=2026-05',
      { screen: 'invoices', invoiceId: null, filters: { ...NO_FILTERS, state: 'paid', month: '2026-05' } },
    ],
    [
      '#/invoices/31?account=4&id=2026-*',
      { screen: 'invoices', invoiceId: '31', filters: { ...NO_FILTERS, accountId: '4', friendlyId: '2026-*' } },
    ],
    ['#/invoices/31/lines', { screen: 'not_found', path: '/invoices/31/lines' }],
    ['#/earnings', { screen: 'earnings', to: null }],
    ['#/earnings?to=2025-06', { screen: 'earnings', to: '2025-06' }],
    ['#/earnings?to=2025-13', { screen: 'earnings', to: null }],
    ['#/earnings?to=soon', { screen: 'earnings', to: null }],
    ['#/earnings/2026', { screen: 'not_found', path: '/earnings/2026' }],
    ['#/plans/7/rules', { screen: 'not_found', path: '/plans/7/rules' }],
    ['#/services', { screen: 'not_found', path: '/services' }],
    ['#/services/3/metrics', { screen: 'not_found', path: '/services/3/metrics' }],
  ])('%j', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('builds links that parse back', () => {
    expect(parseRoute(href('plans', '12'))).toEqual({ screen: 'plans', planId: '12' });
    const filters = { state: 'unpaid', month: '2026-04', friendlyId: '2026-04-*', accountId: '9', page: 3 } as const;
    expect(parseRoute(invoicesHref(filters))).toEqual({ screen: 'invoices', invoiceId: null, filters });
    expect(parseRoute(invoicesHref(filters, '77'))).toEqual({ screen: 'invoices', invoiceId: '77', filters });
  });

  it('links to the plain list when nothing is filtered', () => {
    expect(invoicesHref(NO_FILTERS)).toBe('#/invoices');
    expect(invoicesHref(NO_FILTERS, '5')).toBe('#/invoices/5');
  });
});

describe('earningsHref', () => {
  it('keeps the window in the address, and reads back as the same window', () => {
    expect(earningsHref(null)).toBe('#/earnings');
    expect(earningsHref('2025-06')).toBe('#/earnings?to=2025-06');
    expect(parseRoute(earningsHref('2024-12'))).toEqual({ screen: 'earnings', to: '2024-12' });
    expect(parseRoute(earningsHref(null))).toEqual({ screen: 'earnings', to: null });
  });
});
