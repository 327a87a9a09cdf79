// Sync in the desktop (docs/sync.md; docs/ui.md "Settings → Sync"): the words of the status
// line every screen shows on a linked book, of a change the server did not apply, and of the
// reason an operation only the server may run is not offered here; and the desktop's sync
// commands (src-tauri/sync.rs). In a browser none of this exists: the server's book is the
// book, and nothing calls these.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { ApiError } from './api';
import { SERVER_ONLY_OPERATIONS, type Operations, type RefusedChange, type SyncStatus } from './api/types';
import { countOf, formatDate, formatDateTime } from './format';

/** Why the last round failed, as the desktop says it. */
export interface SyncProblem {
  /** `unreachable`: the changes wait and it tries again on its own; `refused`: the server said
   * no (the token, the app's version) and the person must act; `book`: this copy could not be
   * brought up to date. */
  kind: 'unreachable' | 'refused' | 'book';
  message: string;
}

/** Where sync stands, as `sync_status` and the `sync-status` event give it. */
export interface SyncView extends SyncStatus {
  /** A round is running now. */
  syncing: boolean;
  problem: SyncProblem | null;
}

/** What linking answers. */
export interface Linked {
  /** Where the book that was replaced is kept; null when it had nothing of its own. */
  backup: string | null;
  sync: SyncView;
}

/** The event src-tauri/sync.rs sends each change of the status under. */
export const STATUS_EVENT = 'sync-status';

export function isLinked(view: Pick<SyncStatus, 'role'> | null | undefined): boolean {
  return view?.role === 'linked';
}

// ---- times -----------------------------------------------------------------------------------

function sameDay(instant: string, now: number, locale?: string, timeZone?: string): boolean {
  return formatDate(instant, locale, timeZone) === formatDate(new Date(now).toISOString(), locale, timeZone);
}

function timeOfDay(instant: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(instant));
}

/** "09:12" (the time only) when `instant` is on the same day as `now`, else "3 Mar 2026, 09:12". */
export function shortInstant(instant: string, now: number, locale?: string, timeZone?: string): string {
  if (Number.isNaN(Date.parse(instant))) return instant;
  return sameDay(instant, now, locale, timeZone) ? timeOfDay(instant, locale, timeZone) : formatDateTime(instant, locale, timeZone);
}

/** "just now", "2 min ago", then "at 09:12" (today) or "on 3 Mar 2026, 09:12". */
export function sinceWords(instant: string, now: number, locale?: string, timeZone?: string): string {
  const at = Date.parse(instant);
  if (Number.isNaN(at)) return instant;
  const minutes = Math.floor((now - at) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  return sameDay(instant, now, locale, timeZone)
    ? `at ${timeOfDay(instant, locale, timeZone)}`
    : `on ${formatDateTime(instant, locale, timeZone)}`;
}

// ---- the status line ---------------------------------------------------------------------------

export interface StatusLine {
  /** What the header shows: "Synced 2 min ago", "3 changes waiting", "Offline since 09:12". */
  text: string;
  /** on: all sent; quiet: changes on their way; warn: offline; bad: the person must act. */
  tone: 'on' | 'quiet' | 'warn' | 'bad';
  /** A sentence more (the line's tooltip and the Sync page). */
  detail: string;
  /** "1 change not applied" while the server refused changes not dismissed yet. */
  notApplied: string | null;
}

/**
 * The status line for a linked book at `now` (milliseconds), or null for a book that is not
 * linked (nothing shows). Offline and refused come first: they are what the person must know.
 */
export function statusLine(
  view: SyncView | null | undefined,
  now: number,
  locale?: string,
  timeZone?: string,
): StatusLine | null {
  if (!view || !isLinked(view)) return null;
  const waiting = view.waiting > 0 ? countOf(view.waiting, 'change waiting', 'changes waiting', locale) : null;
  const withWaiting = (text: string) => (waiting ? `${text} · ${waiting}` : text);
  const notApplied =
    view.refused.length > 0 ? countOf(view.refused.length, 'change not applied', 'changes not applied', locale) : null;
  const kept = waiting ? ' Changes made here are kept and sent when it answers again.' : '';
  if (view.problem?.kind === 'refused') {
    return {
      text: withWaiting('Sync refused by the server'),
      tone: 'bad',
      detail: `${view.problem.message} Open Settings → Sync to link this book again.`,
      notApplied,
    };
  }
  if (view.offline_since) {
    return {
      text: withWaiting(`Offline since ${shortInstant(view.offline_since, now, locale, timeZone)}`),
      tone: 'warn',
      detail: `The server has not answered since ${formatDateTime(view.offline_since, locale, timeZone)}; this book keeps working on its own copy.${kept}`,
      notApplied,
    };
  }
  if (view.problem?.kind === 'book') {
    return { text: withWaiting('Sync failed'), tone: 'bad', detail: view.problem.message, notApplied };
  }
  if (waiting) {
    return {
      text: waiting,
      tone: 'quiet',
      detail: 'Made here and not yet applied by the server: they are sent with the next sync.',
      notApplied,
    };
  }
  if (view.last_synced_at) {
    return {
      text: `Synced ${sinceWords(view.last_synced_at, now, locale, timeZone)}`,
      tone: 'on',
      detail: `Up to date with the server as of ${formatDateTime(view.last_synced_at, locale, timeZone)}.`,
      notApplied,
    };
  }
  return { text: 'Not synced yet', tone: 'quiet', detail: 'The first sync with the server has not run yet.', notApplied };
}

// ---- a change the server did not apply -------------------------------------------------------

/** What the people in a finance team call the fields operations change. */
const FIELD_WORDS: Record<string, string> = {
  org_name: 'name',
  name: 'name',
  system_name: 'system name',
  description: 'description',
  vat_code: 'VAT code',
  vat_rate: 'VAT rate',
  fiscal_code: 'fiscal code',
  po_number: 'PO number',
  legal_address: 'legal address',
  billing_address: 'billing address',
  monthly_billing_enabled: 'monthly billing',
  monthly_charging_enabled: 'monthly charging',
  billing_mode: 'billing mode',
  currency: 'currency',
  friendly_id: 'invoice ID',
  period: 'month',
  cost: 'cost',
  cost_per_month: 'cost per month',
  cost_per_unit: 'cost per unit',
  setup_fee: 'setup fee',
  trial_period_days: 'trial days',
  quantity: 'quantity',
  unit: 'unit',
  state: 'state',
  min: 'from',
  max: 'to',
  net_terms: 'payment terms',
  invoice_footnote: 'invoice footnote',
  zero_vat_text: 'zero-VAT text',
  paper_size: 'paper size',
  charging_enabled: 'charging',
  numbering: 'invoice numbering',
  reference: 'reference',
  paid_at: 'payment date',
};

/** A field's name in words: "VAT code" for `vat_code`, else its name with spaces. */
export function fieldWords(field: string): string {
  const last = field.split('.').at(-1) ?? field;
  return FIELD_WORDS[field] ?? FIELD_WORDS[last] ?? field.replace(/\[\d+\]/g, '').replace(/[._]/g, ' ');
}

/** The fields of an input a person set, ids left out. */
function setFields(input: Record<string, unknown>): [string, unknown][] {
  return Object.entries(input).filter(([key]) => key !== 'id' && (key === 'friendly_id' || !key.endsWith('_id')));
}

/** A value as the "Not applied" list shows it: “text”, empty, on/off, an address on one line. */
export function valueWords(value: unknown): string {
  if (typeof value === 'string') return value.trim() === '' ? 'empty' : `“${value}”`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return countOf(value.length, 'item', 'items');
  const parts = Object.values(value as Record<string, unknown>).filter(
    (part) => (typeof part === 'string' && part.trim() !== '') || typeof part === 'number',
  );
  return parts.length === 0 ? 'empty' : parts.join(', ');
}

/**
 * "name to “Acme”, VAT code to “IT1”": the names, codes and amounts an update sets, the field
 * the server named first. Forms send every field they show, changed or not, so empty values,
 * switches and addresses are left to the full list (`RefusedWords.values`).
 */
function changes(input: Record<string, unknown>, first: string | null): string {
  const shown = setFields(input)
    .filter(([, value]) => (typeof value === 'string' && value.trim() !== '') || typeof value === 'number')
    .sort(([a], [b]) => Number(b === first) - Number(a === first))
    .map(([key, value]) => `${fieldWords(key)} to ${valueWords(value)}`);
  if (shown.length > 3) return `${shown.slice(0, 3).join(', ')} and ${shown.length - 3} more`;
  return shown.join(', ');
}

const named = (input: Record<string, unknown>, key: string) =>
  typeof input[key] === 'string' && (input[key] as string).trim() !== '' ? ` “${input[key] as string}”` : '';

/** What each queued operation does, in words; `{changes}` are the fields an update sets. */
const OPERATION_WORDS: Partial<Record<keyof Operations, (input: Record<string, unknown>) => string>> = {
  update_settings: () => 'Change the settings',
  create_service: (i) => `New service${named(i, 'name')}`,
  update_service: () => 'Change a service',
  delete_service: () => 'Delete a service',
  create_metric: (i) => `New metric${named(i, 'name')}`,
  update_metric: () => 'Change a metric',
  delete_metric: () => 'Delete a metric',
  create_plan: (i) => `New plan${named(i, 'name')}`,
  update_plan: () => 'Change a plan',
  delete_plan: () => 'Delete a plan',
  make_default_plan: () => 'Make a plan the default',
  copy_plan: () => 'Copy a plan',
  create_pricing_rule: () => 'New pricing rule',
  update_pricing_rule: () => 'Change a pricing rule',
  delete_pricing_rule: () => 'Delete a pricing rule',
  create_account: (i) => `New account${named(i, 'org_name')}`,
  update_account: () => 'Change an account',
  delete_account: () => 'Delete an account',
  sign_up: (i) => `Sign up${named(i, 'org_name')}`,
  change_account_state: () => 'Change an account’s state',
  create_account_user: (i) => `New user${named(i, 'username')} of an account`,
  subscribe: (i) => `New application${named(i, 'name')}`,
  change_plan: () => 'Change an application’s plan',
  cancel_application: () => 'Cancel an application',
  update_application: () => 'Change an application',
  suspend_application: () => 'Suspend or resume an application',
  customize_plan: () => 'Customize an application’s plan',
  decustomize_plan: () => 'Put an application back on its plan',
  record_usage: () => 'Record usage',
  import_usage: (i) =>
    Array.isArray(i.rows) ? `Import usage (${countOf(i.rows.length, 'row', 'rows')})` : 'Import usage',
  ingest_events: (i) =>
    Array.isArray(i.events) ? `Send usage events (${countOf(i.events.length, 'event', 'events')})` : 'Send usage events',
  amend_event: (i) => `Amend the event${named(i, 'id')}`,
  deprecate_event: (i) => `Deprecate the event${named(i, 'id')}`,
  set_external_customer_id: () => 'Change an account’s external customer id',
  create_invoice: () => 'New invoice',
  update_invoice: () => 'Change an invoice',
  add_line_item: (i) => `Add the line${named(i, 'name')} to an invoice`,
  delete_line_item: () => 'Delete an invoice line',
  mark_invoice_paid: () => 'Mark an invoice as paid',
  generate_invoice_pdf: () => 'Make an invoice’s PDF',
  regenerate_invoice_pdf: () => 'Make an invoice’s PDF again',
  set_invoice_logo: () => 'Change the invoice logo',
};

/** Operations whose words name what they set ("Change an account: name to “Acme”"). */
const UPDATES: ReadonlySet<string> = new Set([
  'update_settings',
  'update_service',
  'update_metric',
  'update_plan',
  'update_pricing_rule',
  'update_account',
  'update_application',
  'update_invoice',
]);

function fieldsOf(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

/**
 * An operation with its input in plain words: "New account “Acme”", "Change an account: name
 * to “Acme (desk)”"; `field` (the one the server named) comes first among what an update sets.
 */
export function operationWords(operation: string, input: unknown, field: string | null = null): string {
  const fields = fieldsOf(input);
  const words = OPERATION_WORDS[operation as keyof Operations];
  const base = words ? words(fields) : `${operation.charAt(0).toUpperCase()}${operation.slice(1).replace(/_/g, ' ')}`;
  if (!UPDATES.has(operation)) return base;
  const set = changes(fields, field);
  return set ? `${base}: ${set}` : base;
}

export interface RefusedWords {
  /** The change in words: "Change an account: name to “Acme (desk)”". */
  title: string;
  /** When and by whom: "Made on this desktop on 3 Mar 2026, 09:12". */
  made: string;
  /** "Not applied on 3 Mar 2026, 09:14". */
  refused: string;
  /** The server's reason, as it said it. */
  reason: string;
  /** "Field: name", when the server named one. */
  field: string | null;
  /** Every value the change sent, ids left out: what Redo sends again. */
  values: { field: string; value: string }[];
}

/** Who made a change: the desktop's own calls are "desktop". */
function madeBy(actor: string): string {
  return actor === 'desktop' || actor === '' ? 'on this desktop' : `by ${actor}`;
}

/** A refused change as the "Not applied" list shows it. */
export function describeRefused(change: RefusedChange, locale?: string, timeZone?: string): RefusedWords {
  return {
    title: operationWords(change.operation, change.input, change.field),
    made: `Made ${madeBy(change.actor)} on ${formatDateTime(change.performed_at, locale, timeZone)}`,
    refused: `Not applied on ${formatDateTime(change.refused_at, locale, timeZone)}`,
    reason: change.message,
    field: change.field ? `Field: ${fieldWords(change.field)}` : null,
    values: setFields(fieldsOf(change.input)).map(([key, value]) => ({ field: fieldWords(key), value: valueWords(value) })),
  };
}

/** Whether a row was made on this desktop and the server has not applied it yet: its id is
 *  provisional (negative) until the next sync brings the server's row (docs/sync.md). */
export function isProvisional(id: string | number): boolean {
  return String(id).trim().startsWith('-');
}

/** Where the record a refused change was about is shown ("Open the account"), when it is one
 *  the server has. */
export function refusedRecord(
  change: Pick<RefusedChange, 'operation' | 'input'>,
): { href: string; label: string } | null {
  const input = fieldsOf(change.input);
  const id = (key: string) => {
    const value = input[key];
    return (typeof value === 'string' || typeof value === 'number') && !isProvisional(value) ? String(value) : null;
  };
  const names: Record<string, string> = { accounts: 'account', invoices: 'invoice', plans: 'plan', services: 'service' };
  const record = (screen: string, value: string | null) =>
    value === null ? null : { href: `#/${screen}/${encodeURIComponent(value)}`, label: `Open the ${names[screen]}` };
  switch (change.operation) {
    case 'update_account':
    case 'change_account_state':
      return record('accounts', id('id'));
    case 'subscribe':
    case 'create_invoice':
    case 'create_account_user':
      return record('accounts', id('account_id'));
    case 'update_invoice':
    case 'mark_invoice_paid':
    case 'generate_invoice_pdf':
    case 'regenerate_invoice_pdf':
      return record('invoices', id('id'));
    case 'add_line_item':
      return record('invoices', id('invoice_id'));
    case 'update_plan':
    case 'make_default_plan':
    case 'copy_plan':
      return record('plans', id('id'));
    case 'create_pricing_rule':
      return record('plans', id('plan_id'));
    case 'update_service':
      return record('services', id('id'));
    case 'create_metric':
      return record('services', id('service_id'));
    default:
      return null;
  }
}

// ---- operations only the server may run ------------------------------------------------------

const SERVER_ONLY: ReadonlySet<string> = new Set(SERVER_ONLY_OPERATIONS);
/** The server-only operations a linked desktop sends to the server while it answers. */
const ASKED_OF_THE_SERVER: ReadonlySet<string> = new Set(['transition_invoice', 'charge_invoice']);

/** What the person would be doing, for each kind of server-only operation. */
function serverOnlyDoing(operation: string): string {
  if (operation === 'transition_invoice') return 'finalize, issue or cancel an invoice';
  if (operation === 'charge_invoice') return 'charge an invoice';
  if (operation === 'advance_clock') return 'move the clock';
  return 'manage people and tokens';
}

/**
 * Why `operations` (one, or the several a screen offers) are not offered on this book, or null
 * when they are. On a linked book the operations only the server may run (issuing and
 * charging: what the buyer receives and pays; people and tokens) are done on the server:
 * offline it cannot be reached, and online this desktop does not send them (docs/sync.md).
 */
export function serverOnlyReason(
  operations: string | readonly string[],
  view: SyncView | null | undefined,
  now: number,
  locale?: string,
  timeZone?: string,
): string | null {
  if (!view || !isLinked(view)) return null;
  const asked = typeof operations === 'string' ? [operations] : operations;
  const serverOnly = asked.filter((operation) => SERVER_ONLY.has(operation));
  // Issuing and charging are asked of the server while it answers (the desktop sends them);
  // people, tokens and the clock are managed on the server itself.
  if (!view.offline_since && serverOnly.every((operation) => ASKED_OF_THE_SERVER.has(operation))) return null;
  const doings = [...new Set(serverOnly.map(serverOnlyDoing))];
  if (doings.length === 0) return null;
  const doing = doings.length === 1 ? doings[0] : `${doings.slice(0, -1).join(', ')} or ${doings.at(-1)}`;
  if (view.offline_since) {
    return `Only the server can ${doing}, and it has not answered since ${shortInstant(view.offline_since, now, locale, timeZone)}. This book is a linked copy.`;
  }
  const where = view.server_url ? ` (${view.server_url})` : '';
  return `Only the server can ${doing}: this book is a linked copy. Do it on the server${where}.`;
}

// ---- the desktop's commands -----------------------------------------------------------------

/** What `sync_link` takes: a token, or a person's username and password on the server. */
export interface LinkInput {
  server: string;
  token: string;
  username: string | null;
  password: string | null;
  fingerprint: string | null;
  replace: boolean;
  publish: boolean;
}

/** The link form as the person filled it in. */
export interface LinkForm {
  server: string;
  /** `person`: sign in with a username and password; `token`: paste a token. */
  how: 'person' | 'token';
  username: string;
  password: string;
  token: string;
  fingerprint: string;
  replace: boolean;
  publish: boolean;
}

/** The form's answer for `sync_link`: only the way of signing in that was chosen travels. */
export function linkInput(form: LinkForm): LinkInput {
  const person = form.how === 'person';
  return {
    server: form.server,
    token: person ? '' : form.token,
    username: person ? form.username : null,
    password: person ? form.password : null,
    fingerprint: form.fingerprint.trim() === '' ? null : form.fingerprint,
    replace: form.replace,
    publish: form.publish,
  };
}

/** The desktop's sync commands (Tauri's IPC; replaced in tests). Rejections become ApiErrors. */
export interface SyncCommands {
  status(): Promise<SyncView>;
  link(input: LinkInput): Promise<Linked>;
  unlink(): Promise<SyncView>;
  now(): Promise<SyncView>;
  dismiss(opId: string): Promise<SyncView>;
  /** The server's id for a record made here under a provisional id, once synced. */
  serverId(id: string): Promise<string | null>;
  /** Calls `onchange` on every change until the returned function is called. */
  follow(onchange: (view: SyncView) => void): Promise<() => void>;
}

export function syncCommands(): SyncCommands {
  async function command<T>(name: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return (await invoke(name, args)) as T;
    } catch (error) {
      throw ApiError.from(error);
    }
  }
  return {
    status: () => command<SyncView>('sync_status'),
    link: (input) => command<Linked>('sync_link', { link: input }),
    unlink: () => command<SyncView>('sync_unlink'),
    now: () => command<SyncView>('sync_now'),
    dismiss: (opId) => command<SyncView>('sync_dismiss', { op_id: opId }),
    serverId: (id) => command<string | null>('sync_server_id', { id }),
    follow: (onchange) => listen<SyncView>(STATUS_EVENT, (event) => onchange(event.payload)),
  };
}
