// How invoices are shown: state names and badges, amounts in the invoice's own currency, and
// the totals rows. Which actions an invoice offers is lib/invoiceActions.ts.

import type { Invoice, InvoiceState, PdfSettings, Settings } from './api/types';
import { formatMoney, formatPercent } from './format';

export const STATE_LABELS: Record<InvoiceState, string> = {
  open: 'Open',
  finalized: 'Finalized',
  pending: 'Pending',
  paid: 'Paid',
  unpaid: 'Unpaid',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The badge class of a state: calm colours, strong ones only where money is overdue. */
export function stateBadge(state: InvoiceState): string {
  switch (state) {
    case 'paid':
      return 'badge on';
    case 'pending':
      return 'badge accent';
    case 'unpaid':
      return 'badge warn';
    case 'failed':
      return 'badge bad';
    case 'cancelled':
      return 'badge gone';
    default:
      return 'badge';
  }
}

/** An amount in an invoice's currency ("€1,234.50"); as given when the currency is unknown. */
export function invoiceMoney(amount: string, currency: string): string {
  if (!currency) return amount;
  try {
    return formatMoney(amount, currency);
  } catch {
    return `${currency} ${amount}`;
  }
}

export interface TotalRow {
  label: string;
  amount: string;
  /** The amount due: shown stronger. */
  grand: boolean;
}

/**
 * The totals as the invoice prints them (billing-rules §1, §11): without VAT one "Total cost"
 * row; with a VAT rate (0 included) the net, the VAT and the total, each the engine's figure
 * as charged (rounded to the cent per §1, so the rows add up to the amount due).
 */
export function totalRows(invoice: Pick<Invoice, 'vat_rate' | 'totals'>): TotalRow[] {
  const { totals } = invoice;
  if (invoice.vat_rate == null) {
    return [{ label: 'Total cost', amount: totals.total, grand: true }];
  }
  const rate = formatPercent(invoice.vat_rate);
  return [
    { label: 'Total cost (without VAT)', amount: totals.charged_without_vat, grand: false },
    { label: `Total VAT amount (${rate})`, amount: totals.charged_vat, grand: false },
    { label: `Total cost (VAT ${rate} included)`, amount: totals.total, grand: true },
  ];
}

/**
 * What changed in the settings since a PDF was made with `used` (a regeneration would print
 * them), in words; empty when it is up to date or the settings are not known.
 */
export function pdfSettingsChanged(used: PdfSettings, settings: Settings | null): string[] {
  if (!settings) return [];
  const changed: string[] = [];
  if ((settings.paper_size ?? 'a4') !== used.paper_size) changed.push('paper size');
  if (settings.invoice_footnote !== used.invoice_footnote) changed.push('footnote');
  if (settings.zero_vat_text !== used.zero_vat_text) changed.push('zero-VAT text');
  if (settings.has_logo !== undefined && settings.has_logo !== (used.logo_sha256 != null)) changed.push('logo');
  return changed;
}
