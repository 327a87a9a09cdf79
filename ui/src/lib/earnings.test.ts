import { describe, expect, it } from 'vitest';
import type { Earnings, EarningsTotals, MonthEarnings } from './api/types';
import {
  axisLabel,
  barLabel,
  barLabels,
  chartSummary,
  earningsCsv,
  earningsFileName,
  isEmpty,
  isZero,
  magnitude,
  niceScale,
  pageTargets,
  scaleFor,
  segments,
  shiftMonth,
  windowLabel,
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

const totals = (total: string, in_process: string, overdue: string, paid: string): EarningsTotals => ({
  total,
  in_process,
  overdue,
  paid,
});

/** The engine's answer around `months`; the total row is the engine's too, never added here. */
const table = (months: MonthEarnings[], include_vat: boolean, sums: EarningsTotals): Earnings => ({
  from: months[0].period,
  to: months[months.length - 1].period,
  current_month: '2026-11',
  include_vat,
  months,
  totals: sums,
});

const withVatTable = table(withVat, true, totals('438.04', '73.38', '303.78', '60.88'));
const withoutVatTable = table(withoutVat, false, totals('359.05', '60.15', '249.00', '49.90'));

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
    const months4 = (first: string) => Array.from({ length: 4 }, (_, i) => month(shiftMonth(first, i) ?? '', '0', '0', '0', '0'));
    expect(barLabels(months4('2025-11'), 'en-GB')).toEqual(['Nov 2025', 'Dec', 'Jan 2026', 'Feb']);
    expect(barLabels(months4('2025-12'), 'en-GB')).toEqual(['Dec', 'Jan 2026', 'Feb', 'Mar']);
    expect(barLabels(months4('2026-01'), 'en-GB')).toEqual(['Jan 2026', 'Feb', 'Mar', 'Apr']);
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
  it('exports the engine’s exact strings and total row, with the VAT basis in the header', () => {
    expect(earningsCsv(withVatTable, 'EUR')).toBe(
      'Month,"Total (EUR, VAT included)","In process (EUR, VAT included)","Overdue (EUR, VAT included)","Paid (EUR, VAT included)"\r\n' +
        '2026-09,364.66,0.00,303.78,60.88\r\n' +
        '2026-10,73.38,73.3809,0.00,0.00\r\n' +
        '2026-11,0.00,0.00,0.00,0.00\r\n' +
        'Total,438.04,73.38,303.78,60.88\r\n',
    );
    const lines = earningsCsv(withoutVatTable, 'EUR').split('\r\n');
    expect(lines.slice(0, 2)).toEqual([
      'Month,"Total (EUR, without VAT)","In process (EUR, without VAT)","Overdue (EUR, without VAT)","Paid (EUR, without VAT)"',
      '2026-09,298.90,0.00,249.00,49.90',
    ]);
    expect(lines.at(-2)).toBe('Total,359.05,60.15,249.00,49.90');
  });

  it('names the file after the window and the VAT basis', () => {
    expect(earningsFileName(withVatTable)).toBe('earnings-2026-09-to-2026-11-with-vat.csv');
    expect(earningsFileName(withoutVatTable)).toBe('earnings-2026-09-to-2026-11-without-vat.csv');
  });
});

describe('12-month windows', () => {
  it.each([
    ['2026-06', -12, '2025-06'],
    ['2026-01', -1, '2025-12'],
    ['2025-12', 1, '2026-01'],
    ['2025-07', 11, '2026-06'],
    ['2026-06', 0, '2026-06'],
    ['1000-12', -12, null],
    ['1001-01', -12, '1000-01'],
    ['9999-06', 12, null],
    ['2026-13', 1, null],
    ['June 2026', 1, null],
  ])('moves %s by %d months to %s', (period, count, expected) => {
    expect(shiftMonth(period, count)).toBe(expected);
  });

  it('pages by whole windows, Later never past the current month', () => {
    expect(pageTargets('2026-06', '2026-06')).toEqual({ earlier: '2025-06', later: null });
    expect(pageTargets('2025-06', '2026-06')).toEqual({ earlier: '2024-06', later: '2026-06' });
    expect(pageTargets('2024-06', '2026-06')).toEqual({ earlier: '2023-06', later: '2025-06' });
    // A window ending between (an address typed by hand) steps to the current month at most.
    expect(pageTargets('2025-09', '2026-06')).toEqual({ earlier: '2024-09', later: '2026-06' });
    expect(pageTargets('2026-09', '2026-06').later).toBeNull();
    expect(pageTargets('1000-06', '2026-06').earlier).toBeNull();
  });

  it('names a window by its first and last month', () => {
    expect(windowLabel('2025-07', '2026-06', monthName)).toBe('July 2025 – June 2026');
    expect(windowLabel('2026-06', '2026-06', monthName)).toBe('June 2026');
  });
});
