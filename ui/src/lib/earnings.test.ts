import { describe, expect, it } from 'vitest';
import type { MonthEarnings } from './api/types';
import {
  axisLabel,
  barLabel,
  chartSummary,
  earningsCsv,
  earningsFileName,
  isEmpty,
  isZero,
  magnitude,
  niceScale,
  scaleFor,
  segments,
} from './earnings';
import { formatMoney, formatMonth } from './format';

const month = (period: string, in_process: string, overdue: string, paid: string, total: string): MonthEarnings => ({
  period,
  total,
  in_process,
  overdue,
  paid,
});

// What earnings_by_month answers for one book, with and without VAT (22%): the engine rounds
// each figure once, so the total can differ by a cent from the sum of the rounded columns.
const withVat = [
  month('2026-09', '0.00', '303.78', '60.88', '364.66'),
  month('2026-10', '73.3809', '0.00', '0.00', '73.38'),
  month('2026-11', '0.00', '0.00', '0.00', '0.00'),
];
const withoutVat = [
  month('2026-09', '0.00', '249.00', '49.90', '298.90'),
  month('2026-10', '60.15', '0.00', '0.00', '60.15'),
  month('2026-11', '0.00', '0.00', '0.00', '0.00'),
];

const euro = (amount: string) => formatMoney(amount, 'EUR', 'en-GB');
const monthName = (period: string) => formatMonth(period, 'en-GB');

describe('earnings figures', () => {
  it('tells zero amounts in any of the engine’s spellings', () => {
    for (const zero of ['0.00', '-0.00', '0', '0.0000']) expect(isZero(zero), zero).toBe(true);
    for (const other of ['0.01', '-0.01', '10.00', '', 'abc']) expect(isZero(other), other).toBe(false);
  });

  it('calls a book with nothing in any month empty, and one with any figure not', () => {
    expect(isEmpty([month('2026-10', '0.00', '0.00', '0.00', '0.00')])).toBe(true);
    expect(isEmpty([])).toBe(true);
    expect(isEmpty(withVat)).toBe(false);
    expect(isEmpty([month('2026-10', '0.00', '0.00', '-5.00', '-5.00')])).toBe(false);
  });

  it('turns amounts into bar sizes only, negative ones into nothing', () => {
    expect(magnitude('364.66')).toBe(364.66);
    expect(magnitude('-5.00')).toBe(0);
    expect(magnitude('not a number')).toBe(0);
  });
});

describe('chart scale', () => {
  it.each([
    [0, 100, [0, 25, 50, 75, 100]],
    [86, 100, [0, 25, 50, 75, 100]],
    [364.66, 400, [0, 100, 200, 300, 400]],
    [1234, 1500, [0, 500, 1000, 1500]],
    [9_999_999, 10_000_000, [0, 2_500_000, 5_000_000, 7_500_000, 10_000_000]],
    [0.3, 0.3, [0, 0.1, 0.2, 0.3]],
  ])('an axis for a tallest bar of %d reaches %d', (highest, max, ticks) => {
    expect(niceScale(highest)).toEqual({ max, ticks });
  });

  it('scales to the tallest stack, not the tallest part', () => {
    const scale = scaleFor([month('2026-01', '300.00', '300.00', '300.00', '900.00'), month('2026-02', '0', '0', '500.00', '500.00')]);
    expect(scale.max).toBe(1000);
  });

  it('stacks paid, in process and overdue from the baseline, skipping empty parts', () => {
    const scale = { max: 400, ticks: [0, 100, 200, 300, 400] };
    const parts = segments(month('2026-09', '100.00', '50.00', '200.00', '350.00'), scale, 200);
    expect(parts).toEqual([
      { key: 'paid', bottom: 0, height: 100 },
      { key: 'in_process', bottom: 100, height: 50 },
      { key: 'overdue', bottom: 150, height: 25 },
    ]);
    expect(segments(withVat[2], scale, 200)).toEqual([]);
  });

  it('labels bars with short months and the year on January and the first bar', () => {
    expect(barLabel('2025-12', true, 'en-GB')).toBe('Dec 2025');
    expect(barLabel('2026-01', false, 'en-GB')).toBe('Jan 2026');
    expect(barLabel('2026-02', false, 'en-GB')).toBe('Feb');
  });

  it('labels gridlines with short amounts in the currency', () => {
    expect(axisLabel(1500, 'EUR', 'en-US')).toBe('€1.5K');
    expect(axisLabel(2_500_000, 'USD', 'en-US')).toBe('$2.5M');
    expect(axisLabel(0, 'EUR', 'en-GB')).toBe('€0');
    expect(axisLabel(400, '', 'en-GB')).toBe('400');
  });
});

describe('chart summary', () => {
  it('names the range, the VAT basis and the largest month in the engine’s figures', () => {
    expect(chartSummary(withVat, true, euro, monthName)).toBe(
      'Earnings by month, September 2026 to November 2026, VAT included, stacked as paid, in process and overdue. ' +
        'Largest month: September 2026, €364.66. The table below lists every figure.',
    );
    expect(chartSummary(withoutVat, false, euro, monthName)).toContain('without VAT');
    expect(chartSummary(withoutVat, false, euro, monthName)).toContain('€298.90');
  });

  it('says when there is nothing yet', () => {
    expect(chartSummary([withVat[2]], true, euro, monthName)).toBe(
      'Earnings by month, November 2026 to November 2026, VAT included: nothing invoiced yet.',
    );
  });
});

describe('earnings CSV', () => {
  it('exports the engine’s exact strings, with the VAT basis in the header', () => {
    expect(earningsCsv(withVat, true, 'EUR')).toBe(
      'Month,"Total (EUR, VAT included)","In process (EUR, VAT included)","Overdue (EUR, VAT included)","Paid (EUR, VAT included)"\r\n' +
        '2026-09,364.66,0.00,303.78,60.88\r\n' +
        '2026-10,73.38,73.3809,0.00,0.00\r\n' +
        '2026-11,0.00,0.00,0.00,0.00\r\n',
    );
    expect(earningsCsv(withoutVat, false, 'EUR').split('\r\n').slice(0, 2)).toEqual([
      'Month,"Total (EUR, without VAT)","In process (EUR, without VAT)","Overdue (EUR, without VAT)","Paid (EUR, without VAT)"',
      '2026-09,298.90,0.00,249.00,49.90',
    ]);
  });

  it('names the file after the range and the VAT basis', () => {
    expect(earningsFileName(withVat, true)).toBe('earnings-2026-09-to-2026-11-with-vat.csv');
    expect(earningsFileName(withoutVat, false)).toBe('earnings-2026-09-to-2026-11-without-vat.csv');
  });
});
