import { describe, expect, it } from 'vitest';
import type { Account, Invoice } from './api/types';
import { moveActive, opensSearch, RESULTS_PER_KIND, searchInputs, searchResults, type ShortcutKey } from './search';

function key(partial: Partial<ShortcutKey>): ShortcutKey {
  return { key: 'k', ctrlKey: false, metaKey: false, altKey: false, target: { tagName: 'BODY' }, ...partial };
}

describe('the global search shortcut', () => {
  it.each([
    { why: 'Ctrl+K on the page', event: key({ key: 'k', ctrlKey: true }), dialog: false, opens: true },
    { why: 'Ctrl+K while typing in a field', event: key({ key: 'k', ctrlKey: true, target: { tagName: 'INPUT' } }), dialog: false, opens: true },
    { why: '⌘K on a Mac', event: key({ key: 'k', metaKey: true }), dialog: false, opens: true },
    { why: 'Ctrl+Shift+K (capital K)', event: key({ key: 'K', ctrlKey: true }), dialog: false, opens: true },
    { why: '/ on the page', event: key({ key: '/' }), dialog: false, opens: true },
    { why: '/ typed into a text field', event: key({ key: '/', target: { tagName: 'INPUT' } }), dialog: false, opens: false },
    { why: '/ typed into a textarea', event: key({ key: '/', target: { tagName: 'textarea' } }), dialog: false, opens: false },
    { why: '/ in an editable element', event: key({ key: '/', target: { tagName: 'DIV', isContentEditable: true } }), dialog: false, opens: false },
    { why: 'Ctrl+K while a dialog is open', event: key({ key: 'k', ctrlKey: true }), dialog: true, opens: false },
    { why: 'a plain k', event: key({ key: 'k' }), dialog: false, opens: false },
    { why: 'Alt+Ctrl+K', event: key({ key: 'k', ctrlKey: true, altKey: true }), dialog: false, opens: false },
  ])('$why: opens = $opens', ({ event, dialog, opens }) => {
    expect(opensSearch(event, dialog)).toBe(opens);
  });
});

describe('what the search asks the engine', () => {
  it('finds accounts by the text and invoices whose ID contains it', () => {
    expect(searchInputs('  müller ')).toEqual({
      accounts: { search: 'müller', per_page: RESULTS_PER_KIND },
      invoices: { friendly_id: '*müller*', per_page: RESULTS_PER_KIND },
    });
  });

  it('keeps a typed * pattern as the user wrote it', () => {
    expect(searchInputs('2026-05-*')?.invoices.friendly_id).toBe('2026-05-*');
  });

  it('asks nothing for an empty query', () => {
    expect(searchInputs('   ')).toBeNull();
  });
});

describe('the results', () => {
  const account = { id: '7', org_name: 'Acme' } as Account;
  const invoice = { id: '12', friendly_id: '2026-05-00000012' } as Invoice;

  it('lists accounts first, then invoices', () => {
    expect(searchResults([account], [invoice]).map((r) => `${r.kind} ${r.id}`)).toEqual(['account 7', 'invoice 12']);
  });

  it.each([
    { active: -1, count: 3, key: 'ArrowDown', next: 0 },
    { active: -1, count: 3, key: 'ArrowUp', next: 2 },
    { active: 0, count: 3, key: 'ArrowDown', next: 1 },
    { active: 2, count: 3, key: 'ArrowDown', next: 0 },
    { active: 0, count: 3, key: 'ArrowUp', next: 2 },
    { active: 0, count: 0, key: 'ArrowDown', next: -1 },
  ] as const)('$key from $active of $count goes to $next', ({ active, count, key, next }) => {
    expect(moveActive(active, count, key)).toBe(next);
  });
});
