import { describe, expect, it } from 'vitest';
import type { Account } from '../lib/api/types';
import { accountFields, accountForm, emptyAccountForm, VAT_RATE_MESSAGE } from './accountForm';

describe('accountFields', () => {
  it('sends an empty VAT rate as null: no VAT', () => {
    const form = { ...emptyAccountForm(), org_name: 'Acme', vat_rate: '  ' };
    const result = accountFields(form);
    expect(result.ok && result.fields.vat_rate).toBeNull();
  });

  it('sends a zero VAT rate as "0", not as no VAT', () => {
    const result = accountFields({ ...emptyAccountForm(), org_name: 'Acme', vat_rate: '0' });
    expect(result.ok && result.fields.vat_rate).toBe('0');
  });

  it('stops on a VAT rate that is not a number, naming the field', () => {
    const result = accountFields({ ...emptyAccountForm(), org_name: 'Acme', vat_rate: 'abc' });
    expect(result).toEqual({ ok: false, errors: { vat_rate: VAT_RATE_MESSAGE } });
  });

  it('leaves the range of the VAT rate to the engine', () => {
    const result = accountFields({ ...emptyAccountForm(), org_name: 'Acme', vat_rate: '150' });
    expect(result.ok && result.fields.vat_rate).toBe('150');
  });

  it('accepts a decimal comma', () => {
    const result = accountFields({ ...emptyAccountForm(), org_name: 'Acme', vat_rate: '22,5' });
    expect(result.ok && result.fields.vat_rate).toBe('22.5');
  });

  it('sends no billing address and no card (null: an update removes them) unless asked for', () => {
    const result = accountFields({ ...emptyAccountForm(), org_name: 'Acme' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fields.billing_address).toBeNull();
    expect(result.fields.card).toBeNull();
  });

  it('sends the card expiry as numbers', () => {
    const form = emptyAccountForm();
    form.org_name = 'Acme';
    form.has_card = true;
    form.card = { last4: '4242', expiry_month: '09', expiry_year: '2028', gateway_reference: 'tok_1' };
    const result = accountFields(form);
    expect(result.ok && result.fields.card).toEqual({
      last4: '4242',
      expiry_month: 9,
      expiry_year: 2028,
      gateway_reference: 'tok_1',
    });
  });

  it('stops on a card expiry that is not a number, naming the field', () => {
    const form = emptyAccountForm();
    form.has_card = true;
    form.card = { last4: '4242', expiry_month: 'Sept', expiry_year: '2028', gateway_reference: '' };
    const result = accountFields(form);
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors)).toEqual(['card.expiry_month']);
  });
});

describe('accountForm', () => {
  it('reads an account with nulls for the absent parts (as the engine sends them)', () => {
    const account = {
      id: '1',
      org_name: 'Acme',
      legal_address: { line1: 'Via Roma 1', line2: '', city: 'Milano', state: '', zip: '20100', country: 'IT' },
      billing_address: null,
      vat_code: 'IT123',
      fiscal_code: '',
      po_number: '',
      vat_rate: null,
      monthly_billing_enabled: true,
      monthly_charging_enabled: false,
      card: null,
      created_at: '2026-11-21T18:00:00Z',
    } as unknown as Account;
    const form = accountForm(account);
    expect(form.has_billing_address).toBe(false);
    expect(form.has_card).toBe(false);
    expect(form.vat_rate).toBe('');
    expect(form.monthly_charging_enabled).toBe(false);
    expect(accountFields(form)).toEqual({
      ok: true,
      fields: {
        org_name: 'Acme',
        legal_address: account.legal_address,
        vat_code: 'IT123',
        fiscal_code: '',
        po_number: '',
        vat_rate: null,
        monthly_billing_enabled: true,
        monthly_charging_enabled: false,
        billing_address: null,
        card: null,
      },
    });
  });
});
