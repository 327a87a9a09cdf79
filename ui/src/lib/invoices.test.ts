import { describe, expect, it } from 'vitest';
import type { PdfSettings, Settings, Totals } from './api/types';
import { invoiceMoney, pdfSettingsChanged, stateBadge, totalRows } from './invoices';

const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const TOTALS: Totals = {
  cost_without_vat: '1.2331',
  vat_amount: '0.12331',
  charged_without_vat: '1.23',
  charged_vat: '0.12',
  total: '1.35',
};

describe('totalRows', () => {
  it('shows one "Total cost" row when the invoice has no VAT', () => {
    expect(totalRows({ vat_rate: null, totals: { ...TOTALS, total: '1.23' } })).toEqual([
      { label: 'Total cost', amount: '1.23', grand: true },
    ]);
  });

  it('shows net, VAT and total as charged, the engine’s strings untouched', () => {
    const rows = totalRows({ vat_rate: '10', totals: TOTALS });
    expect(rows.map((r) => [plain(r.label), r.amount, r.grand])).toEqual([
      ['Total cost (without VAT)', '1.23', false],
      [expect.stringMatching(/^Total VAT amount \(10\s?%\)$/), '0.12', false],
      [expect.stringMatching(/^Total cost \(VAT 10\s?% included\)$/), '1.35', true],
    ]);
  });

  it('keeps the VAT rows for a 0% rate (not the same as no VAT)', () => {
    expect(totalRows({ vat_rate: '0', totals: TOTALS })).toHaveLength(3);
  });
});

describe('stateBadge', () => {
  it('marks paid green, overdue states stronger, the rest calm', () => {
    expect(stateBadge('paid')).toBe('badge on');
    expect(stateBadge('failed')).toBe('badge bad');
    expect(stateBadge('unpaid')).toBe('badge warn');
    expect(stateBadge('open')).toBe('badge');
  });
});

describe('invoiceMoney', () => {
  it('formats in the invoice’s currency and keeps a line’s 4 decimals', () => {
    expect(plain(invoiceMoney('0.0025', 'EUR'))).toMatch(/0\.0025/);
    expect(invoiceMoney('12.50', '')).toBe('12.50');
    expect(invoiceMoney('12.50', 'not a currency')).toBe('not a currency 12.50');
  });
});

describe('pdfSettingsChanged', () => {
  const used: PdfSettings = { paper_size: 'a4', invoice_footnote: 'Thank you.', zero_vat_text: '', logo_sha256: null };
  const settings = {
    org_name: 'Provider',
    currency: 'EUR',
    paper_size: 'a4',
    invoice_footnote: 'Thank you.',
    zero_vat_text: '',
    has_logo: false,
  } as Settings;

  it('is empty while the PDF matches the settings, or the settings are unknown', () => {
    expect(pdfSettingsChanged(used, settings)).toEqual([]);
    expect(pdfSettingsChanged(used, null)).toEqual([]);
  });

  it('names what changed since the PDF was made', () => {
    const now = { ...settings, paper_size: 'letter', invoice_footnote: 'Pay within 30 days.', has_logo: true } as Settings;
    expect(pdfSettingsChanged(used, now)).toEqual(['paper size', 'footnote', 'logo']);
  });
});
