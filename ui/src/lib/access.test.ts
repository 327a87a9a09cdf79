import { describe, expect, it } from 'vitest';
import { checkRepeated, describeRights, emptyPersonForm, emptyTokenForm, personInput, tokenInput, tokenStatus, userStatus } from './access';

describe('describeRights', () => {
  it.each([
    [['account_management', 'finance'], 'rw', 'Accounts and finance, read and write'],
    [['finance'], 'ro', 'Finance, read only'],
    [['account_management', 'finance', 'stats'], 'ro', 'Accounts, finance and stats, read only'],
    [[], 'ro', 'No scope, read only'],
  ] as const)('%j %s → %s', (scopes, permission, words) => {
    expect(describeRights([...scopes], permission)).toBe(words);
  });
});

describe('userStatus', () => {
  const now = '2025-01-15T10:00:00Z';
  const person = { disabled: false, failed_sign_ins: 0, locked_until: null };
  it('is active, waiting while the book’s clock is before the end of the wait, or disabled', () => {
    expect(userStatus(person, now).label).toBe('Active');
    const waiting = { ...person, failed_sign_ins: 5, locked_until: '2025-01-15T10:00:01Z' };
    expect(userStatus(waiting, now)).toMatchObject({ label: 'Waiting', tone: 'warn' });
    expect(userStatus(waiting, now).detail).toContain('5 failed sign-ins in a row');
    expect(userStatus(waiting, '2025-01-15T10:00:01Z').label).toBe('Active');
    expect(userStatus({ ...waiting, disabled: true }, now).label).toBe('Disabled');
  });
});

describe('tokenStatus', () => {
  it('says when a token has expired', () => {
    expect(tokenStatus({ expired: false }).label).toBe('Active');
    expect(tokenStatus({ expired: true }).label).toBe('Expired');
  });
});

describe('personInput', () => {
  it('refuses two passwords that differ, next to the repeated one', () => {
    const form = { ...emptyPersonForm(), username: ' dana ', password: 'a long password!', repeated: 'a long passw0rd!' };
    expect(personInput(form)).toEqual({ ok: false, errors: checkRepeated(form.password, form.repeated) });
    expect(checkRepeated('same', 'same')).toEqual({});
    const same = personInput({ ...form, repeated: 'a long password!' });
    expect(same).toEqual({
      ok: true,
      input: { username: 'dana', password: 'a long password!', scopes: ['account_management', 'finance'], permission: 'ro' },
    });
  });
});

describe('tokenInput', () => {
  it('sends no expiry for an empty date, and 00:00 UTC of a given day', () => {
    expect(tokenInput({ ...emptyTokenForm(), name: 'Exports' })).toEqual({
      ok: true,
      input: { name: 'Exports', scopes: ['finance'], permission: 'ro' },
    });
    const dated = tokenInput({ ...emptyTokenForm(), name: 'Exports', expiresOn: '2026-12-31' });
    expect(dated.ok && dated.input.expires_at).toBe('2026-12-31T00:00:00Z');
  });

  it.each(['31/12/2026', '2026-02-30', 'soon'])('refuses %s as an expiry date', (day) => {
    const result = tokenInput({ ...emptyTokenForm(), expiresOn: day });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.expires_at).toContain('2026-12-31');
  });
});
