import { describe, expect, it } from 'vitest';
import { addressLines } from './address';
import type { Settings } from './api/types';
import {
  bytesToBase64,
  codeRows,
  dueDateFor,
  netTermsHint,
  netTermsProblem,
  pdfDate,
  currencyCode,
  exampleFriendlyId,
  isChanged,
  logoFileProblem,
  MAX_LOGO_BYTES,
  pdfAmount,
  periodOf,
  SETTINGS_FIELDS,
  settingsForm,
  settingsInput,
} from './settingsForm';

const saved: Settings = {
  org_name: 'Northwind APIs B.V.',
  address: { line1: 'Herengracht 182', line2: '', city: 'Amsterdam', state: '', zip: '1016 BR', country: 'Netherlands' },
  fiscal_code: 'KvK 81234567',
  vat_code: 'NL862371935B01',
  currency: 'EUR',
  billing_mode: 'postpaid',
  numbering: 'monthly',
  invoice_footnote: 'Pay within 14 days.',
  zero_vat_text: '',
  charging_enabled: true,
  paper_size: 'a4',
  net_terms: 14,
  has_logo: true,
};

describe('settings form', () => {
  it('round-trips the saved settings into update_settings’ input, without the logo flag', () => {
    const input = settingsInput(settingsForm(saved));
    const { has_logo: _ignored, ...expected } = saved;
    expect(input).toEqual(expected);
    expect('has_logo' in input).toBe(false);
  });

  it('sends what was typed, for the engine to trim and judge', () => {
    const form = settingsForm(saved);
    form.currency = ' usd ';
    form.numbering = 'yearly';
    form.billing_mode = 'prepaid';
    form.charging_enabled = false;
    form.address.city = 'Rotterdam';
    expect(settingsInput(form)).toMatchObject({
      currency: ' usd ',
      numbering: 'yearly',
      billing_mode: 'prepaid',
      charging_enabled: false,
      address: { city: 'Rotterdam', line1: 'Herengracht 182' },
    });
    expect(saved.address.city).toBe('Amsterdam');
  });

  it('defaults a missing paper size to A4', () => {
    const { paper_size: _none, ...older } = saved;
    expect(settingsForm(older).paper_size).toBe('a4');
  });

  it('knows when there is something to save', () => {
    const form = settingsForm(saved);
    expect(isChanged(form, saved)).toBe(false);
    form.invoice_footnote = 'Pay within 30 days.';
    expect(isChanged(form, saved)).toBe(true);
    expect(isChanged(form, null)).toBe(false);
  });

  it('shows every field the engine names in its validation errors', () => {
    for (const field of ['org_name', 'currency', 'invoice_footnote', 'zero_vat_text', 'vat_code', 'address.country']) {
      expect(SETTINGS_FIELDS).toContain(field);
    }
  });
});

describe('invoice header preview', () => {
  it.each([
    ['monthly', '2026-11', '2026-11-00000001'],
    ['yearly', '2026-11', '2026-00000001'],
    ['monthly', '2027-01', '2027-01-00000001'],
  ] as const)('numbers the first %s invoice of %s as %s', (numbering, period, id) => {
    expect(exampleFriendlyId(numbering, period)).toBe(id);
  });

  it('takes the billing month of the book’s clock in UTC', () => {
    expect(periodOf('2026-11-30T23:30:00Z')).toBe('2026-11');
    expect(periodOf('2026-12-01T00:00:00+01:00')).toBe('2026-11');
    expect(periodOf('not a date')).toBe('');
  });

  it('prints the address as the PDF does, leaving out empty parts', () => {
    expect(addressLines(saved.address)).toEqual(['Herengracht 182', '1016 BR Amsterdam', 'Netherlands']);
    expect(addressLines({ line1: '1 Main St', line2: 'Suite 2', city: 'Springfield', state: 'IL', zip: '62701', country: '' })).toEqual([
      '1 Main St',
      'Suite 2',
      '62701 Springfield, IL',
    ]);
    expect(addressLines({ line1: '', line2: '', city: '', state: 'Bavaria', zip: '', country: 'DE' })).toEqual(['Bavaria', 'DE']);
  });

  it('lists the fiscal and VAT codes that are filled in', () => {
    expect(codeRows(saved)).toEqual([
      ['Fiscal code', 'KvK 81234567'],
      ['VAT code', 'NL862371935B01'],
    ]);
    expect(codeRows({ fiscal_code: ' ', vat_code: 'IT01234567890' })).toEqual([['VAT code', 'IT01234567890']]);
  });

  it('shows the currency as the engine will store it and amounts as the PDF prints them', () => {
    expect(currencyCode(' usd ')).toBe('USD');
    expect(pdfAmount('1234.50', 'chf')).toBe('CHF 1,234.50');
    expect(pdfAmount('1234567.5', 'EUR')).toBe('EUR 1,234,567.50');
    expect(pdfAmount('1234.50', 'EU')).toBe('1,234.50');
  });
});

describe('logo file', () => {
  it('refuses what the engine cannot take before uploading it', () => {
    expect(logoFileProblem({ size: 2000, type: 'image/png' })).toBeNull();
    expect(logoFileProblem({ size: 2000, type: 'image/jpeg' })).toBeNull();
    expect(logoFileProblem({ size: 2000, type: 'image/gif' })).toBe('The logo must be a PNG or JPEG image.');
    expect(logoFileProblem({ size: MAX_LOGO_BYTES + 1, type: 'image/png' })).toBe('The logo is too large (at most 1 MB).');
  });

  it('encodes bytes as base64, large files too', () => {
    expect(bytesToBase64(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe('iVBORw==');
    // Larger than one chunk of String.fromCharCode: 0xff 0xff 0xff is "////".
    const big = new Uint8Array(99_999).fill(0xff);
    expect(bytesToBase64(big)).toBe('////'.repeat(33_333));
  });
});

describe('payment terms', () => {
  it('are typed as days and sent as a number', () => {
    const form = settingsForm(saved);
    expect(form.net_terms).toBe('14');
    form.net_terms = ' 30 ';
    expect(settingsInput(form).net_terms).toBe(30);
    expect(isChanged(form, saved)).toBe(true);
  });

  it('default to the engine’s two days for a book that never set them', () => {
    const { net_terms: _none, ...older } = saved;
    expect(settingsForm(older).net_terms).toBe('2');
  });

  it.each([
    ['14', null],
    ['0', null],
    ['', 'whole number'],
    ['2.5', 'whole number'],
    ['-1', 'whole number'],
    ['two', 'whole number'],
  ])('%j is %s', (typed, problem) => {
    const found = netTermsProblem(typed);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it.each([
    ['2026-03-03', '2', '2026-03-05'],
    ['2026-02-20', '14', '2026-03-06'],
    ['2024-02-28', '1', '2024-02-29'],
    ['2026-12-31', '30', '2027-01-30'],
    ['2026-03-03', '0', '2026-03-03'],
    ['2026-03-03', 'x', null],
  ])('an invoice issued on %s with %s days is due on %s', (today, terms, due) => {
    expect(dueDateFor(today, terms)).toBe(due);
  });

  it('say the rule with today as the example, and print dates as the PDF does', () => {
    expect(netTermsHint('2026-03-03', '14', 'en-GB')).toBe(
      'Invoices are due 14 days after issue: one issued on 3 Mar 2026 is due on 17 Mar 2026.',
    );
    expect(netTermsHint('2026-03-03', '1', 'en-GB')).toContain('due 1 day after issue');
    expect(netTermsHint('2026-03-03', '0', 'en-GB')).toContain('due on the day they are issued');
    expect(pdfDate('2026-03-17')).toBe('17 March 2026');
    expect(pdfDate('')).toBe('-');
  });
});
