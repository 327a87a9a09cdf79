import { describe, expect, it } from 'vitest';
import type { RefusedChange } from './api/types';
import {
  describeRefused,
  fieldWords,
  isProvisional,
  linkInput,
  operationWords,
  refusedRecord,
  serverOnlyReason,
  sinceWords,
  statusLine,
  type SyncView,
} from './sync';

const NOW = Date.parse('2026-03-03T10:30:00Z');
const at = (minutesBefore: number) => new Date(NOW - minutesBefore * 60_000).toISOString();

const linked: SyncView = {
  role: 'linked',
  server_url: 'https://books.example.com:8443/',
  device_id: '0f3a9c',
  cursor: 42,
  last_synced_at: at(2),
  offline_since: null,
  last_error: null,
  waiting: 0,
  refused: [],
  syncing: false,
  problem: null,
};

const refused: RefusedChange = {
  op_id: '0f3a9c-7',
  operation: 'update_account',
  input: { id: '12', org_name: 'Acme (desk)' },
  actor: 'desktop',
  performed_at: '2026-03-03T09:12:00Z',
  code: 'conflict',
  message: 'Not applied: org_name was changed on the server by user dana at 2026-03-03 09:05 UTC to "Acme (server)" since you saw "Acme".',
  field: 'org_name',
  refused_at: '2026-03-03T09:14:00Z',
};

const line = (view: Partial<SyncView>) => statusLine({ ...linked, ...view }, NOW, 'en-GB', 'UTC');

describe('statusLine', () => {
  it('shows nothing for a book that is not linked', () => {
    expect(statusLine(null, NOW)).toBeNull();
    expect(statusLine({ ...linked, role: 'standalone' }, NOW)).toBeNull();
    expect(statusLine({ ...linked, role: 'server' }, NOW)).toBeNull();
  });

  it.each([
    [{ last_synced_at: at(0) }, 'Synced just now', 'on'],
    [{ last_synced_at: at(2) }, 'Synced 2 min ago', 'on'],
    [{ last_synced_at: at(59) }, 'Synced 59 min ago', 'on'],
    [{ last_synced_at: at(78) }, 'Synced at 09:12', 'on'],
    [{ last_synced_at: '2026-03-01T16:45:00Z' }, 'Synced on 1 Mar 2026, 16:45', 'on'],
    [{ last_synced_at: null }, 'Not synced yet', 'quiet'],
    [{ waiting: 1 }, '1 change waiting', 'quiet'],
    [{ waiting: 3 }, '3 changes waiting', 'quiet'],
    [{ waiting: 1200 }, '1,200 changes waiting', 'quiet'],
    [{ offline_since: at(78) }, 'Offline since 09:12', 'warn'],
    [{ offline_since: at(78), waiting: 3 }, 'Offline since 09:12 · 3 changes waiting', 'warn'],
    [{ offline_since: '2026-03-02T18:00:00Z' }, 'Offline since 2 Mar 2026, 18:00', 'warn'],
    [
      { offline_since: at(1), problem: { kind: 'refused', message: 'The server refused to sync: This token is unknown, revoked or expired.' } },
      'Sync refused by the server',
      'bad',
    ],
    [{ problem: { kind: 'book', message: 'The book could not be read.' } }, 'Sync failed', 'bad'],
  ] as const)('%j → %s', (view, text, tone) => {
    expect(line(view as Partial<SyncView>)).toMatchObject({ text, tone });
  });

  it('says in its detail what happens to the changes made offline', () => {
    expect(line({ offline_since: at(78), waiting: 2 })?.detail).toBe(
      'The server has not answered since 3 Mar 2026, 09:12; this book keeps working on its own copy. Changes made here are kept and sent when it answers again.',
    );
    expect(line({ last_synced_at: at(2) })?.detail).toBe('Up to date with the server as of 3 Mar 2026, 10:28.');
    expect(line({ problem: { kind: 'refused', message: 'The server refused to sync: no.' }, offline_since: at(1) })?.detail).toBe(
      'The server refused to sync: no. Open Settings → Sync to link this book again.',
    );
  });

  it('counts the changes the server did not apply', () => {
    expect(line({})?.notApplied).toBeNull();
    expect(line({ refused: [refused] })?.notApplied).toBe('1 change not applied');
    expect(line({ refused: [refused, { ...refused, op_id: 'x' }], offline_since: at(5) })?.notApplied).toBe('2 changes not applied');
  });
});

describe('sinceWords', () => {
  it('counts minutes for the last hour, then names the time or the day', () => {
    expect(sinceWords(at(0.5), NOW, 'en-GB', 'UTC')).toBe('just now');
    expect(sinceWords(at(1), NOW, 'en-GB', 'UTC')).toBe('1 min ago');
    expect(sinceWords(at(61), NOW, 'en-GB', 'UTC')).toBe('at 09:29');
    // Yesterday evening in UTC is today in Tokyo: the day follows the user's time zone.
    expect(sinceWords('2026-03-02T20:00:00Z', NOW, 'en-GB', 'UTC')).toBe('on 2 Mar 2026, 20:00');
    expect(sinceWords('2026-03-02T20:00:00Z', NOW, 'en-GB', 'Asia/Tokyo')).toBe('at 05:00');
  });
});

describe('operationWords', () => {
  it.each([
    ['create_account', { org_name: 'Acme' }, 'New account “Acme”'],
    ['update_account', { id: '12', org_name: 'Acme (desk)' }, 'Change an account: name to “Acme (desk)”'],
    ['update_account', { id: '12', vat_code: 'IT1', vat_rate: '22', po_number: '' }, 'Change an account: VAT code to “IT1”, VAT rate to “22”'],
    [
      'update_account',
      { id: '12', org_name: 'A', vat_code: 'B', fiscal_code: 'C', po_number: 'D', legal_address: { city: 'Milano' } },
      'Change an account: name to “A”, VAT code to “B”, fiscal code to “C” and 1 more',
    ],
    // The account form sends every field it shows: the empty ones, switches and addresses wait
    // for the full list.
    [
      'update_account',
      {
        id: '12',
        org_name: 'Acme (desk)',
        legal_address: { line1: '', city: '' },
        vat_code: '',
        vat_rate: null,
        monthly_billing_enabled: true,
        card: null,
      },
      'Change an account: name to “Acme (desk)”',
    ],
    ['update_invoice', { id: '-3', friendly_id: '2026-03-00000001' }, 'Change an invoice: invoice ID to “2026-03-00000001”'],
    ['add_line_item', { invoice_id: '7', name: 'Consulting', cost: '300' }, 'Add the line “Consulting” to an invoice'],
    ['record_usage', { application_id: '4', metric: 'hits', value: 10 }, 'Record usage'],
    ['import_usage', { rows: [{}, {}, {}] }, 'Import usage (3 rows)'],
    ['mark_invoice_paid', { id: '9', reference: 'BANK-1' }, 'Mark an invoice as paid'],
    ['subscribe', { account_id: '3', plan_id: '1', name: 'Maps' }, 'New application “Maps”'],
    ['update_settings', { org_name: 'Northwind', currency: 'EUR' }, 'Change the settings: name to “Northwind”, currency to “EUR”'],
    ['some_new_operation', {}, 'Some new operation'],
  ])('%s %j → %s', (operation, input, words) => {
    expect(operationWords(operation, input)).toBe(words);
  });

  it('puts the field the server named first', () => {
    expect(operationWords('update_plan', { id: '1', name: 'Pro', cost_per_month: '49' }, 'cost_per_month')).toBe(
      'Change a plan: cost per month to “49”, name to “Pro”',
    );
  });

  it('names fields in words', () => {
    expect(fieldWords('org_name')).toBe('name');
    expect(fieldWords('legal_address.country')).toBe('legal address country');
    expect(fieldWords('lines[1].cost')).toBe('cost');
    expect(fieldWords('something_else')).toBe('something else');
  });
});

describe('describeRefused', () => {
  it('says what the change was, when and by whom it was made, and the server’s reason', () => {
    expect(describeRefused(refused, 'en-GB', 'UTC')).toEqual({
      title: 'Change an account: name to “Acme (desk)”',
      made: 'Made on this desktop on 3 Mar 2026, 09:12',
      refused: 'Not applied on 3 Mar 2026, 09:14',
      reason: refused.message,
      field: 'Field: name',
      values: [{ field: 'name', value: '“Acme (desk)”' }],
    });
    const form = describeRefused(
      { ...refused, input: { id: '12', org_name: 'A', legal_address: { line1: 'Via Roma 1', city: 'Milano', zip: '' }, vat_rate: null, monthly_billing_enabled: false, po_number: '' } },
      'en-GB',
      'UTC',
    );
    expect(form.values).toEqual([
      { field: 'name', value: '“A”' },
      { field: 'legal address', value: 'Via Roma 1, Milano' },
      { field: 'VAT rate', value: 'nothing' },
      { field: 'monthly billing', value: 'off' },
      { field: 'PO number', value: 'empty' },
    ]);
    const other = describeRefused({ ...refused, actor: 'user dana', field: null, code: 'not_found' }, 'en-GB', 'UTC');
    expect(other.made).toBe('Made by user dana on 3 Mar 2026, 09:12');
    expect(other.field).toBeNull();
  });
});

describe('serverOnlyReason', () => {
  it('offers issuing and charging on a linked book while the server answers: the desktop asks the server', () => {
    expect(serverOnlyReason('charge_invoice', linked, NOW)).toBeNull();
    expect(serverOnlyReason(['transition_invoice', 'charge_invoice'], linked, NOW)).toBeNull();
  });

  it('offers everything on a book that is not linked, and queued operations on a linked one', () => {
    expect(serverOnlyReason('transition_invoice', null, NOW)).toBeNull();
    expect(serverOnlyReason('transition_invoice', { ...linked, role: 'standalone' }, NOW)).toBeNull();
    expect(serverOnlyReason('mark_invoice_paid', linked, NOW)).toBeNull();
    expect(serverOnlyReason(['update_invoice', 'mark_invoice_paid'], linked, NOW)).toBeNull();
  });

  it('says that only the server may, and that it cannot be reached while offline', () => {
    expect(serverOnlyReason('transition_invoice', { ...linked, offline_since: at(78) }, NOW, 'en-GB', 'UTC')).toBe(
      'Only the server can finalize, issue or cancel an invoice, and it has not answered since 09:12. This book is a linked copy.',
    );
    expect(serverOnlyReason(['mark_invoice_paid', 'charge_invoice', 'transition_invoice', 'transition_invoice'], { ...linked, offline_since: at(78) }, NOW, 'en-GB', 'UTC')).toBe(
      'Only the server can charge an invoice or finalize, issue or cancel an invoice, and it has not answered since 09:12. This book is a linked copy.',
    );
    for (const operation of ['list_users', 'add_user', 'create_access_token', 'delete_access_token']) {
      expect(serverOnlyReason(operation, linked, NOW)).toContain('Only the server can manage people and tokens');
    }
  });
});

describe('refusedRecord', () => {
  it('opens the record a refused change was about, when the server has it', () => {
    expect(refusedRecord({ operation: 'update_account', input: { id: '12', org_name: 'A' } })).toEqual({
      href: '#/accounts/12',
      label: 'Open the account',
    });
    expect(refusedRecord({ operation: 'add_line_item', input: { invoice_id: '7', name: 'x' } })?.href).toBe('#/invoices/7');
    expect(refusedRecord({ operation: 'create_pricing_rule', input: { plan_id: 3 } })?.label).toBe('Open the plan');
    // A row made here that the server never applied has no page to open.
    expect(refusedRecord({ operation: 'update_account', input: { id: '-2', org_name: 'A' } })).toBeNull();
    expect(refusedRecord({ operation: 'create_account', input: { org_name: 'A' } })).toBeNull();
  });

  it('tells a provisional id', () => {
    expect(isProvisional('-1')).toBe(true);
    expect(isProvisional(-5)).toBe(true);
    expect(isProvisional('12')).toBe(false);
  });
});

describe('linkInput', () => {
  const form = {
    server: 'https://books.example.com:8443/',
    how: 'person' as const,
    username: 'ann',
    password: 'secret',
    token: 'left over from the other choice',
    fingerprint: '  ',
    replace: false,
    publish: false,
  };

  it('sends the username and password, and no token, when the person signs in', () => {
    expect(linkInput(form)).toEqual({
      server: 'https://books.example.com:8443/',
      token: '',
      username: 'ann',
      password: 'secret',
      fingerprint: null,
      replace: false,
      publish: false,
    });
  });

  it('sends the token, and no password, when a token is pasted', () => {
    const input = linkInput({ ...form, how: 'token', fingerprint: 'AB:CD', replace: true });
    expect(input.token).toBe('left over from the other choice');
    expect(input.username).toBeNull();
    expect(input.password).toBeNull();
    expect(input.fingerprint).toBe('AB:CD');
    expect(input.replace).toBe(true);
  });
});

describe('operationWords for events', () => {
  it('says how many events a refused batch held', () => {
    expect(operationWords('ingest_events', { events: [{}, {}, {}] })).toBe('Send usage events (3 events)');
    expect(operationWords('deprecate_event', { id: 'k1' })).toContain('k1');
  });
});
