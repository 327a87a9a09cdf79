// Display formatting for amounts, percentages, counts and instants. Amounts arrive from the
// engine as exact decimal strings; they are handed to Intl as strings so no digit is lost to
// binary floating point (Intl.NumberFormat formats numeric strings exactly).

/** The user's locale: the browser's (or the desktop's) preferred language. */
export function userLocale(): string | undefined {
  return usableLocale(typeof navigator !== 'undefined' ? navigator.language : undefined);
}

/**
 * `tag` when Intl accepts it. A desktop started with LANG=C reports the language "C", on which
 * Intl throws, or ICU's POSIX variant of English, which writes amounts with no grouping
 * ("€ 3040.50"): both become plain US English ("€3,040.50").
 */
export function usableLocale(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    const canonical = Intl.getCanonicalLocales(tag)[0];
    return canonical.replace(/-u-va-posix$/i, '').replace(/-posix\b/i, '');
  } catch {
    return 'en-US';
  }
}

const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    cache.set(key, format);
  }
  return format;
}

/** Intl accepts numeric strings ("1234.5600") and formats them without rounding through a float. */
function exact(amount: string): number {
  return amount.trim() as unknown as number;
}

function isDecimal(text: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(text.trim());
}

/**
 * An amount in the provider's currency, e.g. `formatMoney("1234.5", "EUR", "en-GB")` is
 * "€1,234.50". The currency's usual decimals are always shown; up to 4 are kept when the amount
 * has them (unit prices such as 0.0015).
 */
export function formatMoney(amount: string, currency: string, locale = userLocale()): string {
  if (!isDecimal(amount)) return amount;
  const base = numberFormat(locale, { style: 'currency', currency });
  const digits = base.resolvedOptions().minimumFractionDigits ?? 2;
  return numberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: Math.max(digits, 4),
  }).format(exact(amount));
}

/** A percentage such as a VAT rate: "22%", "0%"; null (no VAT) is shown as an em dash. */
export function formatPercent(rate: string | null | undefined, locale = userLocale()): string {
  if (rate == null || rate === '') return '—';
  if (!isDecimal(rate)) return rate;
  return numberFormat(locale, { style: 'unit', unit: 'percent', maximumFractionDigits: 2 }).format(
    exact(rate),
  );
}

/** A whole count with grouping, e.g. 10000 → "10,000"; null is unbounded: "∞". */
export function formatCount(value: number | null | undefined, locale = userLocale()): string {
  if (value == null) return '∞';
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** The calendar date of an instant (RFC 3339) in the user's time zone, e.g. "21 Nov 2026". */
export function formatDate(instant: string, locale = userLocale(), timeZone?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(date);
}

/** Date and time of an instant, e.g. "21 Nov 2026, 14:05". */
export function formatDateTime(instant: string, locale = userLocale(), timeZone?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    date,
  );
}

/**
 * The time of an instant in UTC, e.g. "09:30 UTC", where it differs from the local time: the
 * engine writes times in line descriptions in UTC (billing-rules.md), and a screen that shows
 * the same instant in local time says both. Null where local time is UTC's.
 */
export function utcTimeIfNotLocal(instant: string, locale = userLocale(), timeZone?: string): string | null {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return null;
  const time = (zone: string | undefined) => new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone: zone }).format(date);
  const utc = time('UTC');
  return utc === time(timeZone) ? null : `${utc} UTC`;
}

/** Date and time to the second, for stamps that change within a minute: "21 Nov 2026, 14:05:09". */
export function formatTimestamp(instant: string, locale = userLocale(), timeZone?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(date);
}

/**
 * A calendar date as the engine gives it (YYYY-MM-DD, e.g. an invoice's due date), e.g.
 * "21 Nov 2026". It names a day, not an instant: no time zone shifts it to the day before.
 */
export function formatCalendarDate(day: string, locale = userLocale()): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  if (!match) return day;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(match[3])) return day;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

/** A billing month (YYYY-MM), e.g. "May 2026". */
export function formatMonth(period: string, locale = userLocale()): string {
  const match = /^(\d{4})-(\d{2})$/.exec(period.trim());
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) return period;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

/**
 * A quantity such as a line item's (an exact decimal string), with grouping and up to 4
 * decimals, trailing zeros dropped: "15230.0000" → "15,230".
 */
export function formatQuantity(quantity: string, locale = userLocale()): string {
  if (!isDecimal(quantity)) return quantity;
  return numberFormat(locale, { maximumFractionDigits: 4 }).format(exact(quantity));
}

/** A file's size: "812 bytes", "48.2 kB", "1.3 MB" (powers of 1000, as file managers show). */
export function formatFileSize(bytes: number, locale = userLocale()): string {
  if (bytes < 1000) return `${numberFormat(locale, { maximumFractionDigits: 0 }).format(bytes)} bytes`;
  const [value, unit] = bytes < 1_000_000 ? [bytes / 1000, 'kilobyte'] : [bytes / 1_000_000, 'megabyte'];
  return numberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}

/**
 * What the user typed in a decimal field, ready for the engine: trimmed, spaces removed, and a
 * lone decimal comma ("22,5", as typed in much of Europe) turned into a point. Anything else is
 * passed on unchanged for the engine to judge.
 */
export function normalizeDecimal(text: string): string {
  const compact = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (/^-?\d+,\d+$/.test(compact)) return compact.replace(',', '.');
  return compact;
}

/**
 * A decimal number typed by the user, ready for the engine ("22,5" → "22.5"), or null when the
 * text is not a number at all. Only the form is checked here: ranges, signs and decimals allowed
 * are the engine's to judge.
 */
export function parseDecimal(text: string): string | null {
  const normalized = normalizeDecimal(text);
  return /^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(normalized) ? normalized : null;
}

/** A whole number typed by the user, or null when the text is not one. */
export function parseWholeNumber(text: string): number | null {
  const compact = text.trim();
  if (!/^\d{1,15}$/.test(compact)) return null;
  return Number(compact);
}

/** A count with its noun, e.g. "1 invoice", "2 invoices", "1,200 lines". */
export function countOf(count: number, singular: string, plural: string, locale = userLocale()): string {
  return `${formatCount(count, locale)} ${count === 1 ? singular : plural}`;
}
