import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDate,
  formatMoney,
  usableLocale,
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
  it('drops tags Intl rejects, such as the "C" of LANG=C desktops', () => {
    expect(usableLocale('C')).toBeUndefined();
    expect(usableLocale('')).toBeUndefined();
    expect(usableLocale(undefined)).toBeUndefined();
    expect(formatMoney('1234.5', 'EUR', usableLocale('C'))).toMatch(/1,234\.50/);
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
