// The global search (Ctrl+K or "/"): accounts by name, VAT or fiscal code (`list_accounts`
// search) and invoices by friendly ID (`list_invoices` with `*` wildcards), a few of each.

import type { Account, Invoice, ListAccounts, ListInvoices } from './api/types';

/** How many of each kind the dialog shows. */
export const RESULTS_PER_KIND = 6;

/** The inputs for a query; null when there is nothing to search for. */
export function searchInputs(query: string): { accounts: ListAccounts; invoices: ListInvoices } | null {
  const text = query.trim();
  if (text === '') return null;
  // A typed `*` is the user's own pattern; otherwise the ID contains what was typed.
  const pattern = text.includes('*') ? text : `*${text}*`;
  return {
    accounts: { search: text, per_page: RESULTS_PER_KIND },
    invoices: { friendly_id: pattern, per_page: RESULTS_PER_KIND },
  };
}

export type SearchResult =
  | { kind: 'account'; id: string; account: Account }
  | { kind: 'invoice'; id: string; invoice: Invoice };

/** The results in the order the dialog lists them (and arrow keys walk): accounts, invoices. */
export function searchResults(accounts: Account[], invoices: Invoice[]): SearchResult[] {
  return [
    ...accounts.map((account) => ({ kind: 'account' as const, id: account.id, account })),
    ...invoices.map((invoice) => ({ kind: 'invoice' as const, id: invoice.id, invoice })),
  ];
}

/** The option after an arrow key, wrapping around; -1 when there are no options. */
export function moveActive(active: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (count === 0) return -1;
  if (active < 0) return key === 'ArrowDown' ? 0 : count - 1;
  return (active + (key === 'ArrowDown' ? 1 : -1) + count) % count;
}

/** What a key press needs to know (a KeyboardEvent has all of it). */
export interface ShortcutKey {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The element that has the focus. */
  target: { tagName?: string; isContentEditable?: boolean } | null;
}

function typingIn(target: ShortcutKey['target']): boolean {
  if (!target) return false;
  const tag = (target.tagName ?? '').toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable === true;
}

/**
 * Whether a key opens the search: Ctrl+K (⌘K) anywhere, "/" when not typing in a field. Neither
 * while a dialog is open (`dialogOpen`): it has the keyboard.
 */
export function opensSearch(event: ShortcutKey, dialogOpen: boolean): boolean {
  if (dialogOpen || event.altKey) return false;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') return true;
  return event.key === '/' && !event.ctrlKey && !event.metaKey && !typingIn(event.target);
}
