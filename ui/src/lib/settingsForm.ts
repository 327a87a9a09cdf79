// The settings form: its state (everything as typed), its conversion to update_settings' input,
// and the invoice-header preview's parts (as the PDF prints them, crates/pdf: "Fiscal code:"
// rows, the friendly ID per numbering; the address lines are lib/address.ts's). Every rule about the values is the
// engine's; the preview only shows what was typed.

import { addressFieldPaths } from './address';
import type { Address, BillingMode, Numbering, PaperSize, Settings } from './api/types';
import { formatCalendarDate, parseWholeNumber } from './format';

export interface SettingsForm {
  org_name: string;
  address: Address;
  fiscal_code: string;
  vat_code: string;
  currency: string;
  billing_mode: BillingMode;
  numbering: Numbering;
  invoice_footnote: string;
  zero_vat_text: string;
  charging_enabled: boolean;
  paper_size: PaperSize;
  /** Payment terms in days, as typed. */
  net_terms: string;
}

/** The engine's payment terms when a book never set them (billing-rules.md §5). */
export const DEFAULT_NET_TERMS = 2;

/** Every field path the form shows an error next to (update_settings and set_invoice_logo). */
export const SETTINGS_FIELDS: readonly string[] = [
  'org_name',
  ...addressFieldPaths('address'),
  'fiscal_code',
  'vat_code',
  'currency',
  'billing_mode',
  'numbering',
  'invoice_footnote',
  'zero_vat_text',
  'charging_enabled',
  'paper_size',
  'net_terms',
];

/** The logo's control shows set_invoice_logo's errors. */
export const LOGO_FIELD = 'image_base64';

/** The form showing `settings`. */
export function settingsForm(settings: Settings): SettingsForm {
  return {
    org_name: settings.org_name,
    address: { ...settings.address },
    fiscal_code: settings.fiscal_code,
    vat_code: settings.vat_code,
    currency: settings.currency,
    billing_mode: settings.billing_mode,
    numbering: settings.numbering,
    invoice_footnote: settings.invoice_footnote,
    zero_vat_text: settings.zero_vat_text,
    charging_enabled: settings.charging_enabled,
    paper_size: settings.paper_size ?? 'a4',
    net_terms: String(settings.net_terms ?? DEFAULT_NET_TERMS),
  };
}

/** What is wrong with the payment terms as typed, before asking the engine: they must be a
 * whole number of days (which numbers are allowed is the engine's to say). */
export function netTermsProblem(typed: string): string | null {
  return parseWholeNumber(typed) === null ? 'Enter the payment terms as a whole number of days, e.g. 14 (0: due on the day of issue).' : null;
}

/** The due date of an invoice issued on `today` (YYYY-MM-DD) with `netTerms` days to pay, as the
 * engine dates it (billing-rules.md §5): "2026-03-17"; null while the terms are not a number. */
export function dueDateFor(today: string, netTerms: string): string | null {
  const days = parseWholeNumber(netTerms);
  const issued = new Date(`${today}T00:00:00Z`);
  if (days === null || Number.isNaN(issued.getTime())) return null;
  issued.setUTCDate(issued.getUTCDate() + days);
  return issued.toISOString().slice(0, 10);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A day (YYYY-MM-DD) as the PDF prints it, whatever the reader's locale: "3 March 2026". */
export function pdfDate(day: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return '-';
  return `${Number(match[3])} ${MONTHS[Number(match[2]) - 1] ?? ''} ${match[1]}`;
}

/** The payment terms' hint: the rule, with today's issue as the example. */
export function netTermsHint(today: string, netTerms: string, locale?: string): string {
  const due = dueDateFor(today, netTerms);
  if (due === null) return 'Days from an invoice’s issue to its due date.';
  const days = parseWholeNumber(netTerms) ?? 0;
  const issuedText = formatCalendarDate(today, locale);
  const dueText = formatCalendarDate(due, locale);
  return days === 0
    ? `Invoices are due on the day they are issued: one issued on ${issuedText} is due that day.`
    : `Invoices are due ${days} ${days === 1 ? 'day' : 'days'} after issue: one issued on ${issuedText} is due on ${dueText}.`;
}

/** update_settings' input: the form as typed (the engine trims and checks it); the logo flag is
 * the engine's own (only set_invoice_logo changes it). */
export function settingsInput(form: SettingsForm): Settings {
  return {
    org_name: form.org_name,
    address: { ...form.address },
    fiscal_code: form.fiscal_code,
    vat_code: form.vat_code,
    currency: form.currency,
    billing_mode: form.billing_mode,
    numbering: form.numbering,
    invoice_footnote: form.invoice_footnote,
    zero_vat_text: form.zero_vat_text,
    charging_enabled: form.charging_enabled,
    paper_size: form.paper_size,
    // Checked by netTermsProblem before saving.
    net_terms: parseWholeNumber(form.net_terms) ?? DEFAULT_NET_TERMS,
  };
}

/** Whether the form differs from the saved settings (what Save would change). */
export function isChanged(form: SettingsForm, saved: Settings | null): boolean {
  if (saved === null) return false;
  return JSON.stringify(form) !== JSON.stringify(settingsForm(saved));
}

/** The billing month of an instant (RFC 3339), in UTC as the engine counts it: "2026-11". */
export function periodOf(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.getUTCFullYear().toString().padStart(4, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The first invoice ID of `period` with `numbering` (billing-rules.md §6): "2026-11-00000001"
 * monthly, "2026-00000001" yearly. */
export function exampleFriendlyId(numbering: Numbering, period: string, number = 1): string {
  const prefix = numbering === 'yearly' ? period.slice(0, 4) : period;
  return `${prefix}-${String(number).padStart(8, '0')}`;
}

/** The "Fiscal code" / "VAT code" rows under the address, those that are filled in. */
export function codeRows(form: Pick<SettingsForm, 'fiscal_code' | 'vat_code'>): [string, string][] {
  const rows: [string, string][] = [
    ['Fiscal code', form.fiscal_code.trim()],
    ['VAT code', form.vat_code.trim()],
  ];
  return rows.filter(([, value]) => value !== '');
}

/** The currency code as the engine will store it ("eur" → "EUR"). */
export function currencyCode(typed: string): string {
  return typed.trim().toUpperCase();
}

/** The PDF's way of printing an amount: "EUR 1,234.50" (the same in every locale), or the
 * amount alone while the code is not three letters. */
export function pdfAmount(amount: string, currency: string): string {
  const code = currencyCode(currency);
  const [whole, fraction = ''] = amount.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = `${grouped}.${fraction.padEnd(2, '0')}`;
  return /^[A-Z]{3}$/.test(code) ? `${code} ${text}` : text;
}

/** The largest logo set_invoice_logo accepts. */
export const MAX_LOGO_BYTES = 1024 * 1024;

/** The file types the logo input offers (the engine decodes PNG and JPEG only). */
export const LOGO_ACCEPT = 'image/png,image/jpeg';

/** A problem with a chosen logo file found before uploading it, or null. The engine checks the
 * content itself; this only spares uploading something that cannot be right. */
export function logoFileProblem(file: { size: number; type: string }): string | null {
  if (file.type !== '' && file.type !== 'image/png' && file.type !== 'image/jpeg') {
    return 'The logo must be a PNG or JPEG image.';
  }
  if (file.size > MAX_LOGO_BYTES) return 'The logo is too large (at most 1 MB).';
  return null;
}

/** Bytes as base64, as set_invoice_logo takes them. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
