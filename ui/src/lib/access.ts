// Settings → Access (docs/access.md): the words for a person's or a token's rights and state,
// and the dialogs' inputs checked before they are sent (two passwords that differ, an expiry
// date that is no date). The engine checks everything else and names the field.

import type { AccessToken, AddUser, CreateAccessToken, Permission, Scope, User } from './api/types';
import type { FieldErrors } from './forms';

/** The scopes a person or a token may get here, with what each opens. */
export const SCOPE_CHOICES: readonly { scope: Scope; label: string; hint: string }[] = [
  {
    scope: 'account_management',
    label: 'Accounts (account_management)',
    hint: 'Accounts, services, plans, applications, usage, settings; /admin/api',
  },
  { scope: 'finance', label: 'Finance (finance)', hint: 'Invoices, charging, PDFs, earnings; /api' },
];

export const PERMISSION_CHOICES: readonly { value: Permission; label: string }[] = [
  { value: 'ro', label: 'Read only' },
  { value: 'rw', label: 'Read and write' },
];

/** "Accounts and finance, read and write". */
export function describeRights(scopes: readonly Scope[], permission: Permission): string {
  const names: Record<Scope, string> = {
    account_management: 'accounts',
    finance: 'finance',
    cms: 'CMS',
    stats: 'stats',
    policy_registry: 'policy registry',
    sync: 'sync',
  };
  const listed = scopes.map((scope) => names[scope]);
  const last = listed.pop();
  const joined = last === undefined ? 'no scope' : listed.length === 0 ? last : `${listed.join(', ')} and ${last}`;
  return `${joined.charAt(0).toUpperCase()}${joined.slice(1)}, ${permission === 'rw' ? 'read and write' : 'read only'}`;
}

export interface Status {
  label: string;
  tone: 'on' | 'warn' | 'bad';
  /** A sentence more, when there is one. */
  detail: string | null;
}

/** A person's state by the book's clock `now` (ISO): active, waiting after failed sign-ins, or
 * disabled. */
export function userStatus(user: Pick<User, 'disabled' | 'failed_sign_ins' | 'locked_until'>, now: string): Status {
  if (user.disabled) return { label: 'Disabled', tone: 'bad', detail: 'May not sign in.' };
  if (user.locked_until !== null && Date.parse(user.locked_until) > Date.parse(now)) {
    return {
      label: 'Waiting',
      tone: 'warn',
      detail: `${user.failed_sign_ins} failed sign-ins in a row: sign-ins are refused until the wait is over.`,
    };
  }
  return { label: 'Active', tone: 'on', detail: null };
}

export function tokenStatus(token: Pick<AccessToken, 'expired'>): Status {
  return token.expired
    ? { label: 'Expired', tone: 'bad', detail: 'Refused by the API; revoke it to remove it from the list.' }
    : { label: 'Active', tone: 'on', detail: null };
}

export interface PersonForm {
  username: string;
  password: string;
  repeated: string;
  scopes: Scope[];
  permission: Permission;
}

export function emptyPersonForm(): PersonForm {
  return { username: '', password: '', repeated: '', scopes: ['account_management', 'finance'], permission: 'ro' };
}

/** The two password fields, which must be the same: an error on the repeated one otherwise. */
export function checkRepeated(password: string, repeated: string): FieldErrors {
  return password === repeated ? {} : { repeated: 'The two passwords differ: type the same password twice.' };
}

export function personInput(form: PersonForm): { ok: true; input: AddUser } | { ok: false; errors: FieldErrors } {
  const errors = checkRepeated(form.password, form.repeated);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    input: { username: form.username.trim(), password: form.password, scopes: [...form.scopes], permission: form.permission },
  };
}

export interface TokenForm {
  name: string;
  scopes: Scope[];
  permission: Permission;
  /** YYYY-MM-DD, or empty for a token that never expires. */
  expiresOn: string;
}

export function emptyTokenForm(): TokenForm {
  return { name: '', scopes: ['finance'], permission: 'ro', expiresOn: '' };
}

/** The token to create: an expiry date means 00:00 UTC of that day. */
export function tokenInput(form: TokenForm): { ok: true; input: CreateAccessToken } | { ok: false; errors: FieldErrors } {
  const input: CreateAccessToken = { name: form.name, scopes: [...form.scopes], permission: form.permission };
  const day = form.expiresOn.trim();
  if (day !== '') {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
    if (!date || date.toISOString().slice(0, 10) !== day) {
      return { ok: false, errors: { expires_at: 'Give the expiry as a date, e.g. 2026-12-31, or leave it empty.' } };
    }
    input.expires_at = `${day}T00:00:00Z`;
  }
  return { ok: true, input };
}

/** The words of the confirmation before revoking a token. */
export function revokeConfirmation(name: string) {
  return {
    title: 'Revoke token',
    message: `Revoke the token “${name}”? Programs that use it are refused from their next request. This cannot be undone.`,
    confirmLabel: 'Revoke token',
    cancelLabel: 'Keep token',
  };
}

/** The words of the confirmation before removing a person. */
export function removeConfirmation(username: string) {
  return {
    title: 'Remove person',
    message: `Remove ${username}? They can no longer sign in, and their sessions end. To stop them for a while, disable them instead.`,
    confirmLabel: 'Remove person',
    cancelLabel: 'Keep person',
  };
}
