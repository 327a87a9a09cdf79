// The account form's state (everything as typed) and its conversion to and from the engine's
// AccountFields. Only conversions live here (empty VAT rate = no VAT, numbers for the VAT rate
// and the card expiry); every rule about the values is the engine's.

import { addressFieldPaths, emptyAddress, trimAddress } from '../lib/address';
import type { Account, AccountFields, Address } from '../lib/api/types';
import { parseDecimal, parseWholeNumber } from '../lib/format';
import type { FieldErrors } from '../lib/forms';

export interface AccountForm {
  org_name: string;
  legal_address: Address;
  has_billing_address: boolean;
  billing_address: Address;
  vat_code: string;
  fiscal_code: string;
  po_number: string;
  /** Empty: no VAT (not the same as "0"). */
  vat_rate: string;
  monthly_billing_enabled: boolean;
  monthly_charging_enabled: boolean;
  has_card: boolean;
  card: { last4: string; expiry_month: string; expiry_year: string; gateway_reference: string };
}

/** Every field path the form shows an error next to. */
export const ACCOUNT_FIELDS: readonly string[] = [
  'org_name',
  ...addressFieldPaths('legal_address'),
  ...addressFieldPaths('billing_address'),
  'vat_code',
  'fiscal_code',
  'po_number',
  'vat_rate',
  'monthly_billing_enabled',
  'monthly_charging_enabled',
  'card',
  'card.last4',
  'card.expiry_month',
  'card.expiry_year',
  'card.gateway_reference',
];

export function emptyAccountForm(): AccountForm {
  return {
    org_name: '',
    legal_address: emptyAddress(),
    has_billing_address: false,
    billing_address: emptyAddress(),
    vat_code: '',
    fiscal_code: '',
    po_number: '',
    vat_rate: '',
    monthly_billing_enabled: true,
    monthly_charging_enabled: true,
    has_card: false,
    card: { last4: '', expiry_month: '', expiry_year: '', gateway_reference: '' },
  };
}

function addressForm(address: Address | null | undefined): Address {
  return { ...emptyAddress(), ...(address ?? {}) };
}

export function accountForm(account: Account): AccountForm {
  const card = account.card ?? null;
  return {
    org_name: account.org_name,
    legal_address: addressForm(account.legal_address),
    has_billing_address: account.billing_address != null,
    billing_address: addressForm(account.billing_address),
    vat_code: account.vat_code ?? '',
    fiscal_code: account.fiscal_code ?? '',
    po_number: account.po_number ?? '',
    vat_rate: account.vat_rate ?? '',
    monthly_billing_enabled: account.monthly_billing_enabled ?? true,
    monthly_charging_enabled: account.monthly_charging_enabled ?? true,
    has_card: card !== null,
    card: card
      ? {
          last4: card.last4,
          expiry_month: String(card.expiry_month),
          expiry_year: String(card.expiry_year),
          gateway_reference: card.gateway_reference,
        }
      : { last4: '', expiry_month: '', expiry_year: '', gateway_reference: '' },
  };
}

export const VAT_RATE_MESSAGE = 'Enter the VAT rate as a number, e.g. 22 or 5.5, or leave it empty for no VAT.';
export const MONTH_MESSAGE = 'Enter the month as a number, e.g. 9.';
export const YEAR_MESSAGE = 'Enter the year as a number, e.g. 2028.';

/**
 * The engine's input for the form, or the errors that stop it from being one: a VAT rate that
 * is not a number, a card expiry that is not a whole number (the engine's input types cannot
 * even carry those). Every other rule (ranges, decimals, lengths) is the engine's.
 */
export function accountFields(
  form: AccountForm,
): { ok: true; fields: AccountFields } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const fields: AccountFields = {
    org_name: form.org_name.trim(),
    legal_address: trimAddress(form.legal_address),
    vat_code: form.vat_code.trim(),
    fiscal_code: form.fiscal_code.trim(),
    po_number: form.po_number.trim(),
    vat_rate: null,
    monthly_billing_enabled: form.monthly_billing_enabled,
    monthly_charging_enabled: form.monthly_charging_enabled,
    // Null, not absent: an update keeps what it does not mention, and an unticked box removes.
    billing_address: null,
    card: null,
  };
  if (form.vat_rate.trim() !== '') {
    fields.vat_rate = parseDecimal(form.vat_rate);
    if (fields.vat_rate === null) errors.vat_rate = VAT_RATE_MESSAGE;
  }
  if (form.has_billing_address) fields.billing_address = trimAddress(form.billing_address);
  if (form.has_card) {
    const month = parseWholeNumber(form.card.expiry_month);
    const year = parseWholeNumber(form.card.expiry_year);
    if (month === null) errors['card.expiry_month'] = MONTH_MESSAGE;
    if (year === null) errors['card.expiry_year'] = YEAR_MESSAGE;
    fields.card = {
      last4: form.card.last4.trim(),
      expiry_month: month ?? 0,
      expiry_year: year ?? 0,
      gateway_reference: form.card.gateway_reference.trim(),
    };
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, fields };
}
