// Hash routing: #/dashboard (the start), #/accounts, #/accounts/new, #/accounts/<id>, #/plans,
// #/plans/<id>, #/services/<id> (a service's metrics and methods, under Plans), #/invoices,
// #/invoices/<id>, #/earnings, #/settings, #/settings/access (people and access tokens),
// #/settings/sync (the desktop's link to a server and the changes it did not apply). The
// invoice screens keep the list's filters in a query after the
// path (#/invoices?state=paid&month=2026-05), so the way back from an invoice shows the same list;
// the earnings screen its window's last month (#/earnings?to=2025-06).
// The hash survives a reload, so the screen comes back where the user was.

import { filtersQuery, isMonth, parseFilters, type InvoiceFilters } from './invoiceFilters';

export type Route =
  | { screen: 'dashboard' }
  /** `to`: the last month of the window shown (YYYY-MM); null for the current one. */
  | { screen: 'earnings'; to: string | null }
  /** `access`: the people who may sign in and the access tokens; `sync`: the desktop's link to
   *  a server; `general`: everything else. */
  | { screen: 'settings'; section: SettingsSection }
  | { screen: 'accounts'; accountId: string | null; creating: boolean }
  | { screen: 'plans'; planId: string | null }
  | { screen: 'services'; serviceId: string }
  | { screen: 'invoices'; invoiceId: string | null; filters: InvoiceFilters }
  | { screen: 'not_found'; path: string };

export type SettingsSection = 'general' | 'access' | 'sync';

export function parseRoute(hash: string): Route {
  const [rawPath, query = ''] = hash.replace(/^#/, '').split(/\?(.*)/s, 2);
  const path = rawPath.replace(/\/+$/, '') || '/dashboard';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [screen, id, extra] = parts;
  if (screen === 'dashboard' && id === undefined) {
    return { screen };
  }
  if (screen === 'settings' && extra === undefined && (id === undefined || id === 'access' || id === 'sync')) {
    return { screen, section: id ?? 'general' };
  }
  if (screen === 'earnings' && id === undefined) {
    const to = new URLSearchParams(query).get('to');
    return { screen, to: to !== null && isMonth(to) ? to : null };
  }
  if (screen === 'accounts' && extra === undefined) {
    if (id === 'new') return { screen: 'accounts', accountId: null, creating: true };
    return { screen: 'accounts', accountId: id ?? null, creating: false };
  }
  if (screen === 'plans' && extra === undefined) {
    return { screen: 'plans', planId: id ?? null };
  }
  if (screen === 'services' && id !== undefined && extra === undefined) {
    return { screen: 'services', serviceId: id };
  }
  if (screen === 'invoices' && extra === undefined) {
    return { screen: 'invoices', invoiceId: id ?? null, filters: parseFilters(query) };
  }
  return { screen: 'not_found', path };
}

export function href(...parts: string[]): string {
  return '#/' + parts.map(encodeURIComponent).join('/');
}

/** The earnings screen for the window ending on `to` (null: the current window): kept in the
 *  address, so that Back from a month's invoices returns to the same window. */
export function earningsHref(to: string | null): string {
  return to === null ? href('earnings') : `${href('earnings')}?to=${to}`;
}

/** The invoice list with `filters`, or one invoice (`invoiceId`) remembering the list's filters. */
export function invoicesHref(filters: InvoiceFilters, invoiceId?: string): string {
  const path = invoiceId === undefined ? href('invoices') : href('invoices', invoiceId);
  return path + filtersQuery(filters);
}

let hash = $state(typeof location !== 'undefined' ? location.hash : '');

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    hash = location.hash;
  });
}

export const router = {
  get route(): Route {
    return parseRoute(hash);
  },
};

export function navigate(to: string): void {
  if (location.hash !== to) location.hash = to;
}

/**
 * Changes the URL without a new history entry (a list's filters as they are typed): Back still
 * leaves the screen rather than stepping through every keystroke.
 */
export function replaceRoute(to: string): void {
  if (location.hash === to) return;
  history.replaceState(history.state, '', to);
  hash = location.hash;
}
