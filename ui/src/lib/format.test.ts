import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatCalendarDate,
  formatDate,
  formatFileSize,
  formatMoney,
  formatMonth,
  formatQuantity,
  formatTimestamp,
  usableLocale,
  utcTimeIfNotLocal,
  formatPercent,
  normalizeDecimal,
  parseDecimal,
  parseWholeNumber,
} from './format';

/** Intl uses no-break spaces; compare with plain ones. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('usableLocale', () => {
  it('keeps a real language tag', () => {
    expect(usableLocale('de-DE')).toBe('de-DE');
  });
  it('reads the "C" of LANG=C desktops, and ICU\'s POSIX English, as US English', () => {
    expect(usableLocale('C')).toBe('en-US');
    expect(usableLocale('en-US-u-va-posix')).toBe('en-US');
    expect(usableLocale('en-US-POSIX')).toBe('en-US');
    expect(formatMoney('1234.5', 'EUR', usableLocale('C'))).toMatch(/1,234\.50/);
    expect(formatMoney('3040.5', 'EUR', usableLocale('en-US-u-va-posix'))).toBe('€3,040.50');
  });
  it('leaves no language to Intl', () => {
    expect(usableLocale('')).toBeUndefined();
    expect(usableLocale(undefined)).toBeUndefined();
  });
});

describe('formatMoney', () => {
  it.each([
    // amount, currency, locale, expected, why
    ['1234.5', 'EUR', 'en-GB', '€1,234.50', 'the currency decimals are always shown'],
    ['0', 'EUR', 'en-GB', '€0.00', 'zero is an amount, not a blank'],
    ['0.0015', 'EUR', 'en-GB', '€0.0015', 'unit prices keep up to 4 decimals'],
    ['29.9000', 'USD', 'en-US', '$29.90', 'trailing zeros beyond the currency decimals go'],
    ['1234.5', 'EUR', 'it-IT', '1234,50 €', 'the locale places the symbol and separators'],
    ['1234567.5', 'EUR', 'de-DE', '1.234.567,50 €', 'grouping follows the locale'],
    ['1500', 'JPY', 'ja-JP', '￥1,500', 'a currency without decimals shows none'],
    ['-12.5', 'EUR', 'en-GB', '-€12.50', 'credits are negative'],
    ['12345678901234567.0015', 'EUR', 'en-GB', '€12,345,678,901,234,567.0015', 'no digit is lost to floats'],
  ])('%s %s in %s is %s (%s)', (amount, currency, locale, expected) => {
    expect(plain(formatMoney(amount, currency, locale))).toBe(expected);
  });

  it('shows text that is not an amount as it is', () => {
    expect(formatMoney('n/a', 'EUR', 'en-GB')).toBe('n/a');
  });
});

describe('formatPercent', () => {
  it.each([
    ['22', 'en-GB', '22%'],
    ['22.5', 'de-DE', '22,5 %'],
    ['0', 'en-GB', '0%'],
    [null, 'en-GB', '—'],
    [undefined, 'en-GB', '—'],
  ])('%s in %s is %s', (rate, locale, expected) => {
    expect(plain(formatPercent(rate, locale))).toBe(expected);
  });

  it('tells no VAT (null) apart from a zero rate', () => {
    expect(formatPercent(null, 'en-GB')).not.toBe(formatPercent('0', 'en-GB'));
  });
});

describe('formatCount', () => {
  it.each([
    [1, 'en-GB', '1'],
    [10000, 'en-GB', '10,000'],
    [10000, 'de-DE', '10.000'],
    [null, 'en-GB', '∞'],
  ])('%s in %s is %s', (value, locale, expected) => {
    expect(formatCount(value, locale)).toBe(expected);
  });
});

describe('formatDate', () => {
  it.each([
    ['2026-11-21T18:00:00Z', 'en-GB', 'UTC', '21 Nov 2026'],
    ['2026-11-21T18:00:00Z', 'en-US', 'UTC', 'Nov 21, 2026'],
    ['2026-11-21T23:30:00Z', 'en-GB', 'Europe/Rome', '22 Nov 2026'],
  ])('%s in %s (%s) is %s', (instant, locale, timeZone, expected) => {
    expect(plain(formatDate(instant, locale, timeZone))).toBe(expected);
  });

  it('shows text that is not an instant as it is', () => {
    expect(formatDate('soon', 'en-GB', 'UTC')).toBe('soon');
  });
});

describe('formatTimestamp', () => {
  it.each([
    ['2026-11-21T18:05:09Z', 'en-GB', 'UTC', '21 Nov 2026, 18:05:09'],
    ['2026-11-21T18:05:09Z', 'en-GB', 'Europe/Rome', '21 Nov 2026, 19:05:09'],
  ])('%s in %s (%s) is %s', (instant, locale, timeZone, expected) => {
    expect(plain(formatTimestamp(instant, locale, timeZone))).toBe(expected);
  });
});

describe('utcTimeIfNotLocal', () => {
  it.each([
    ['2025-05-15T09:30:00Z', 'en-GB', 'Europe/Rome', '09:30 UTC'],
    ['2025-05-15T09:30:00Z', 'en-US', 'America/New_York', '9:30 AM UTC'],
    ['2025-05-15T09:30:00Z', 'en-GB', 'UTC', null],
    ['2025-01-15T09:30:00Z', 'en-GB', 'Europe/London', null],
    ['soon', 'en-GB', 'Europe/Rome', null],
  ])('%s in %s (%s) is %s', (instant, locale, timeZone, expected) => {
    const shown = utcTimeIfNotLocal(instant, locale, timeZone);
    expect(shown === null ? null : plain(shown)).toBe(expected);
  });
});

describe('formatCalendarDate', () => {
  it.each([
    ['2026-11-21', 'en-GB', '21 Nov 2026'],
    ['2026-11-21', 'en-US', 'Nov 21, 2026'],
    ['2026-01-01', 'de-DE', '01.01.2026'],
    ['2026-02-30', 'en-GB', '2026-02-30'],
    ['soon', 'en-GB', 'soon'],
  ])('%s in %s is %s', (day, locale, expected) => {
    expect(plain(formatCalendarDate(day, locale))).toBe(expected);
  });

  it('names the same day in every time zone (a due date is a day, not an instant)', () => {
    // Node re-reads TZ when it changes; the UI's tsconfig has no Node types, hence the cast.
    const env = (globalThis as unknown as { process: { env: Record<string, string | undefined> } }).process.env;
    const zone = env.TZ;
    try {
      for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']) {
        env.TZ = tz;
        expect(plain(formatCalendarDate('2026-03-01', 'en-GB'))).toBe('1 Mar 2026');
      }
    } finally {
      if (zone === undefined) delete env.TZ;
      else env.TZ = zone;
    }
  });
});

describe('formatMonth', () => {
  it.each([
    ['2026-05', 'en-GB', 'May 2026'],
    ['2026-01', 'en-US', 'January 2026'],
    ['2026-12', 'it-IT', 'dicembre 2026'],
    ['2026-13', 'en-GB', '2026-13'],
    ['May', 'en-GB', 'May'],
  ])('%s in %s is %s', (period, locale, expected) => {
    expect(formatMonth(period, locale)).toBe(expected);
  });
});

describe('formatQuantity', () => {
  it.each([
    ['1', 'en-GB', '1'],
    ['15230.0000', 'en-GB', '15,230'],
    ['2.5000', 'de-DE', '2,5'],
    ['0.0001', 'en-GB', '0.0001'],
    ['123456789012345678', 'en-GB', '123,456,789,012,345,678'],
    ['-3', 'en-GB', '-3'],
    ['lots', 'en-GB', 'lots'],
  ])('%s in %s is %s', (quantity, locale, expected) => {
    expect(formatQuantity(quantity, locale)).toBe(expected);
  });
});

describe('formatFileSize', () => {
  it.each([
    [812, 'en-GB', '812 bytes'],
    [48_213, 'en-GB', '48.2 kB'],
    [1_300_000, 'en-GB', '1.3 MB'],
    [48_213, 'de-DE', '48,2 kB'],
  ])('%s in %s is %s', (bytes, locale, expected) => {
    expect(plain(formatFileSize(bytes, locale))).toBe(expected);
  });
});

describe('normalizeDecimal', () => {
  it.each([
    [' 22 ', '22'],
    ['22,5', '22.5'],
    ['1 000.50', '1000.50'],
    ['22.5', '22.5'],
    ['abc', 'abc'],
    ['1,000.5', '1,000.5'],
  ])('%j becomes %j', (typed, sent) => {
    expect(normalizeDecimal(typed)).toBe(sent);
  });
});

describe('parseDecimal', () => {
  it.each([
    ['22', '22'],
    [' 22,5 ', '22.5'],
    ['0.0015', '0.0015'],
    ['-5', '-5'],
    ['1 000', '1000'],
    ['abc', null],
    ['', null],
    ['22%', null],
    ['1,000.50', null],
    ['€10', null],
  ])('%j is %j', (typed, sent) => {
    expect(parseDecimal(typed)).toBe(sent);
  });
});

describe('parseWholeNumber', () => {
  it.each([
    ['30', 30],
    [' 0 ', 0],
    ['', null],
    ['1.5', null],
    ['-1', null],
    ['ten', null],
  ])('%j is %j', (typed, value) => {
    expect(parseWholeNumber(typed)).toBe(value);
  });
});

describe('countOf', () => {
  it('says one or many', async () => {
    const { countOf } = await import('./format');
    expect(countOf(1, 'day', 'days', 'en-GB')).toBe('1 day');
    expect(countOf(0, 'day', 'days', 'en-GB')).toBe('0 days');
    expect(countOf(1200, 'line', 'lines', 'en-GB')).toBe('1,200 lines');
  });
});
