// The earnings screen's pure parts: the chart's scale and bars, its spoken summary, the CSV of
// the table, and paging between 12-month windows. Every figure shown or exported is the
// engine's exact decimal string (the `earnings` operation, total row included); Number() is
// used only to turn an amount into pixels, never to add money.

import type { Earnings, MonthEarnings } from './api/types';
import { toCsv } from './csv';
import { userLocale } from './format';

/** The three stacked parts of a month, bottom to top, with their legend labels. */
export const PARTS = [
  { key: 'paid', label: 'Paid' },
  { key: 'in_process', label: 'In process' },
  { key: 'overdue', label: 'Overdue' },
] as const;

export type PartKey = (typeof PARTS)[number]['key'];

/** Whether an engine amount is zero ("0.00", "-0.00", "0"). */
export function isZero(amount: string): boolean {
  return /^-?0*(\.0*)?$/.test(amount.trim()) && /0/.test(amount);
}

/** Nothing to chart: no month has any figure (an empty or brand-new book). */
export function isEmpty(months: readonly MonthEarnings[]): boolean {
  return months.every((month) => PARTS.every((part) => isZero(month[part.key])) && isZero(month.total));
}

/** A month's figure as a number of currency units, for pixels only (never shown, never added up
 * as money). A negative figure (credits larger than charges) draws as nothing. */
export function magnitude(amount: string): number {
  const value = Number(amount);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

export interface Scale {
  /** The value at the top of the axis: a round number at or above the tallest bar. */
  max: number;
  /** Gridline values from 0 to `max`, ascending. */
  ticks: number[];
}

/**
 * A round axis for bars up to `highest`: 4 or 5 steps of 1, 2, 2.5 or 5 × a power of ten
 * (e.g. 1 234 → 0, 500, 1 000, 1 500; 86 → 0, 25, 50, 75, 100). An empty chart gets 0–100.
 */
export function niceScale(highest: number): Scale {
  if (!(highest > 0) || !Number.isFinite(highest)) return { max: 100, ticks: [0, 25, 50, 75, 100] };
  const rough = highest / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const count = Math.max(1, Math.ceil(highest / step - 1e-9));
  const ticks = Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { max: ticks[ticks.length - 1], ticks };
}

/** The axis for these months: the tallest stack (paid + in process + overdue, in pixels' terms). */
export function scaleFor(months: readonly MonthEarnings[]): Scale {
  const highest = Math.max(0, ...months.map((m) => PARTS.reduce((sum, part) => sum + magnitude(m[part.key]), 0)));
  return niceScale(highest);
}

export interface Segment {
  key: PartKey;
  /** Distance from the baseline to the segment's bottom, in pixels. */
  bottom: number;
  height: number;
}

/** A month's stacked segments (paid at the bottom), scaled so that `scale.max` is `plotHeight`
 * pixels; parts that are zero are left out. */
export function segments(month: MonthEarnings, scale: Scale, plotHeight: number): Segment[] {
  const out: Segment[] = [];
  let bottom = 0;
  for (const part of PARTS) {
    const height = (magnitude(month[part.key]) / scale.max) * plotHeight;
    if (height <= 0) continue;
    out.push({ key: part.key, bottom, height });
    bottom += height;
  }
  return out;
}

/** A month's short label under its bar: "Nov", and the year on January and the first bar
 * ("Jan 2026"), so that 12 bars across a new year stay unambiguous. */
export function barLabel(period: string, first: boolean, locale = userLocale()): string {
  const match = /^(\d{4})-(\d{2})$/.exec(period);
  if (!match) return period;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  const withYear = first || match[2] === '01';
  return new Intl.DateTimeFormat(locale, {
    month: 'short',
    year: withYear ? 'numeric' : undefined,
    timeZone: 'UTC',
  }).format(date);
}

/** The labels under the bars of `months`: the first bar names its year unless the next one is a
 * January (which names it), so that two labels with years never sit side by side and overlap
 * on a narrow window ("Dec", "Jan 2026", not "Dec 2025", "Jan 2026"). */
export function barLabels(months: readonly MonthEarnings[], locale = userLocale()): string[] {
  const secondIsJanuary = months.length > 1 && months[1].period.endsWith('-01');
  return months.map((m, index) => barLabel(m.period, index === 0 && !secondIsJanuary, locale));
}

/** An axis label: a short amount in the currency ("€1.5K"); it names a gridline, not a figure. */
export function axisLabel(value: number, currency: string, locale = userLocale()): string {
  if (!currency) return String(value);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      notation: 'compact',
      minimumFractionDigits: 0,
      maximumFractionDigits: 1,
    }).format(value);
  } catch {
    return String(value);
  }
}

/**
 * What a screen reader says for the chart: the range, the VAT basis, and the month with the
 * largest total. `money` formats an engine amount; `month` names a period.
 */
export function chartSummary(
  months: readonly MonthEarnings[],
  includeVat: boolean,
  money: (amount: string) => string,
  month: (period: string) => string,
): string {
  if (months.length === 0) return 'Earnings chart: no months.';
  const first = months[0].period;
  const last = months[months.length - 1].period;
  const basis = includeVat ? 'VAT included' : 'without VAT';
  const largest = months.reduce((best, m) => (magnitude(m.total) > magnitude(best.total) ? m : best));
  const range = `${month(first)} to ${month(last)}`;
  if (isEmpty(months)) return `Earnings by month, ${range}, ${basis}: nothing invoiced yet.`;
  return (
    `Earnings by month, ${range}, ${basis}, stacked as paid, in process and overdue. ` +
    `Largest month: ${month(largest.period)}, ${money(largest.total)}. The table below lists every figure.`
  );
}

/** One bar's tooltip: the month and its four figures. */
export function barTitle(m: MonthEarnings, money: (amount: string) => string, month: (period: string) => string): string {
  return (
    `${month(m.period)}: total ${money(m.total)} — paid ${money(m.paid)}, ` +
    `in process ${money(m.in_process)}, overdue ${money(m.overdue)}`
  );
}

/** The table as CSV: months as YYYY-MM, then the total row, amounts exactly as the engine gave
 * them. */
export function earningsCsv(table: Earnings, currency: string): string {
  const basis = table.include_vat ? 'VAT included' : 'without VAT';
  const unit = currency ? `${currency}, ${basis}` : basis;
  const { totals } = table;
  return toCsv(
    ['Month', `Total (${unit})`, `In process (${unit})`, `Overdue (${unit})`, `Paid (${unit})`],
    [
      ...table.months.map((m) => [m.period, m.total, m.in_process, m.overdue, m.paid]),
      ['Total', totals.total, totals.in_process, totals.overdue, totals.paid],
    ],
  );
}

/** The CSV's file name: "earnings-2025-12-to-2026-11-with-vat.csv". */
export function earningsFileName(table: Earnings): string {
  return `earnings-${table.from}-to-${table.to}-${table.include_vat ? 'with' : 'without'}-vat.csv`;
}

// ---------------------------------------------------------------------------------------------
// Windows of 12 months

/** How far Earlier and Later move: one whole window. */
export const WINDOW_MONTHS = 12;

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The month `count` months after `period` (before it when negative), as YYYY-MM; null when
 * `period` is not a month or the result leaves the years 1000–9999 the engine accepts. */
export function shiftMonth(period: string, count: number): string | null {
  const match = PERIOD.exec(period);
  if (!match) return null;
  const index = Number(match[1]) * 12 + Number(match[2]) - 1 + count;
  const year = Math.floor(index / 12);
  if (year < 1000 || year > 9999) return null;
  return `${year}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export interface PageTargets {
  /** The last month of the window before, or null when there is none. */
  earlier: string | null;
  /** The last month of the window after (never beyond the current month), or null when the
   * window already reaches the current month. */
  later: string | null;
}

/** Where Earlier and Later go from the window ending on `to`, by the book's `currentMonth`. */
export function pageTargets(to: string, currentMonth: string): PageTargets {
  const later = to >= currentMonth ? null : shiftMonth(to, WINDOW_MONTHS);
  return {
    earlier: shiftMonth(to, -WINDOW_MONTHS),
    later: later === null ? null : later < currentMonth ? later : currentMonth,
  };
}

/** A window as people read it: "July 2025 – June 2026". */
export function windowLabel(from: string, to: string, month: (period: string) => string): string {
  return from === to ? month(from) : `${month(from)} – ${month(to)}`;
}

