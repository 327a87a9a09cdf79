// "Generate PDFs" on the invoice list: a PDF for every invoice of the list as filtered (all
// pages, not only the rows in view) that should have one and has no up-to-date one. The
// screen (screens/PdfBatch.svelte) reads the list with invoiceExport's fetchAllInvoices, then
// uses what is here: which invoices qualify (their PDFs' statuses, asked 500 at a time, since
// the list does not carry them), the words of the confirmation, the loop that makes the PDFs
// one at a time with progress and Cancel, and the summary. The engine makes each PDF exactly
// as the invoice view's "Generate PDF" / "Regenerate PDF" does.

import { ApiError, UNREACHABLE_MESSAGE } from './api';
import type { Invoice, InvoicePdfState, InvoiceState, PdfStatus, Settings } from './api/types';
import { formatCount } from './format';
import { describeFailure, SCREEN_FAILURE } from './forms';
import { pdfSettingsChanged } from './invoices';

/**
 * The states the batch makes PDFs in: issued and not cancelled. The engine makes a PDF in any
 * state (the invoice view offers it for every invoice), but an open or finalized invoice still
 * changes and gets its PDF when it is issued, and a cancelled one is void: a batch leaves both
 * as they are.
 */
export const PDF_BATCH_STATES: readonly InvoiceState[] = ['pending', 'paid', 'unpaid', 'failed'];

export function inPdfBatchState(invoice: Pick<Invoice, 'state'>): boolean {
  return PDF_BATCH_STATES.includes(invoice.state);
}

/** Why an invoice gets a PDF: it has none, its last one could not be made, or it is out of date. */
export type PdfNeed = 'missing' | 'failed' | 'stale';

/**
 * What an invoice's PDF needs, from its status and the settings now: null when its PDF is up to
 * date. "Stale" is what the PDF panel flags: made before the paper size, footnote, zero-VAT text
 * or logo changed.
 */
export function pdfNeed(pdf: PdfStatus | null, settings: Settings | null): PdfNeed | null {
  if (pdf === null) return 'missing';
  if (pdf.error !== null || pdf.size_bytes === null) return 'failed';
  return pdfSettingsChanged(pdf.settings, settings).length > 0 ? 'stale' : null;
}

export interface PdfTarget {
  id: string;
  friendlyId: string;
  need: PdfNeed;
}

/** What the batch would do for a list: the invoices to make a PDF for, and what it leaves. */
export interface PdfPlan {
  /** In the list's order. */
  targets: PdfTarget[];
  /** Issued invoices whose PDF is up to date. */
  upToDate: number;
  /** Open and finalized invoices (their PDF is made when they are issued). */
  notIssued: number;
  cancelled: number;
}

export interface Progress {
  done: number;
  total: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onprogress?: (progress: Progress) => void;
}

/** Invoices whose state and PDF are asked for in one call (the engine's most). */
export const STATUS_CHUNK = 500;

/**
 * Which of `invoices` get a PDF: the invoices in a batch state are asked for their state and
 * PDF status (`getStatuses`, `chunk` at a time, in the list's order); `onprogress` after each
 * chunk. Stops with an AbortError when `signal` is aborted; a failed check rejects (nothing is
 * generated on a guess).
 */
export async function planPdfBatch(
  invoices: readonly Invoice[],
  getStatuses: (ids: string[]) => Promise<InvoicePdfState[]>,
  settings: Settings | null,
  { signal, onprogress, chunk = STATUS_CHUNK }: RunOptions & { chunk?: number } = {},
): Promise<PdfPlan> {
  const plan: PdfPlan = { targets: [], upToDate: 0, notIssued: 0, cancelled: 0 };
  const toCheck: Invoice[] = [];
  for (const invoice of invoices) {
    if (inPdfBatchState(invoice)) toCheck.push(invoice);
    else if (invoice.state === 'cancelled') plan.cancelled++;
    else plan.notIssued++;
  }
  onprogress?.({ done: 0, total: toCheck.length });
  for (let start = 0; start < toCheck.length; start += chunk) {
    signal?.throwIfAborted();
    const part = toCheck.slice(start, start + chunk);
    const statuses = new Map((await getStatuses(part.map((invoice) => invoice.id))).map((s) => [s.id, s]));
    signal?.throwIfAborted();
    for (const invoice of part) {
      const now = statuses.get(invoice.id);
      if (!now) throw new Error(`No PDF status came for invoice ${invoice.friendly_id}.`);
      if (!inPdfBatchState(now)) {
        // No longer in a batch state (cancelled since the list was read): left as it is.
        plan.cancelled++;
        continue;
      }
      const need = pdfNeed(now.pdf, settings);
      if (need === null) plan.upToDate++;
      else plan.targets.push({ id: invoice.id, friendlyId: invoice.friendly_id, need });
    }
    onprogress?.({ done: start + part.length, total: toCheck.length });
  }
  return plan;
}

export interface PdfFailure {
  id: string;
  friendlyId: string;
  message: string;
}

export interface PdfBatchResult {
  total: number;
  /** Invoices tried: generated or failed. */
  done: number;
  generated: number;
  failures: PdfFailure[];
  /** Cancel was pressed: stopped after the invoice in progress then. */
  cancelled: boolean;
  /** Why the batch stopped by itself (signed out, not allowed, Counterfoil unreachable). */
  stoppedBy: string | null;
}

/**
 * An error that would fail every invoice after it as well, so the batch stops instead of
 * listing it for each: no session or no permission (HTTP sign-in), or Counterfoil not running.
 */
export function stopsBatch(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.code === 'unauthorized' || error.code === 'forbidden' || error.message === UNREACHABLE_MESSAGE;
}

function message(error: unknown): string {
  return describeFailure(error, []).banner ?? SCREEN_FAILURE;
}

/**
 * Makes the PDF of each target in turn (`generate`), one at a time; `onprogress` after each. A
 * failure is noted and the batch goes on. When `signal` is aborted, the invoice in progress is
 * finished (the engine makes it whatever the page does) and no other is started; what was made
 * stays.
 */
export async function generatePdfs(
  targets: readonly PdfTarget[],
  generate: (target: PdfTarget) => Promise<unknown>,
  { signal, onprogress }: RunOptions = {},
): Promise<PdfBatchResult> {
  const result: PdfBatchResult = {
    total: targets.length,
    done: 0,
    generated: 0,
    failures: [],
    cancelled: false,
    stoppedBy: null,
  };
  onprogress?.({ done: 0, total: targets.length });
  for (const target of targets) {
    if (signal?.aborted) {
      result.cancelled = true;
      break;
    }
    try {
      await generate(target);
      result.generated++;
    } catch (error) {
      if (stopsBatch(error)) {
        result.stoppedBy = message(error);
        break;
      }
      result.failures.push({ id: target.id, friendlyId: target.friendlyId, message: message(error) });
    }
    result.done++;
    onprogress?.({ done: result.done, total: targets.length });
  }
  return result;
}

/** The engine operation for a target: "regenerate" when it has a PDF (or a failed try), as the PDF panel does. */
export function pdfOperation(target: Pick<PdfTarget, 'need'>): 'generate_invoice_pdf' | 'regenerate_invoice_pdf' {
  return target.need === 'missing' ? 'generate_invoice_pdf' : 'regenerate_invoice_pdf';
}

function count(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

export interface PdfBatchConfirmation {
  title: string;
  message: string;
  /** Why each invoice gets one, by reason (only the reasons that occur). */
  reasons: string[];
  /** What the batch leaves as it is; null when it leaves nothing. */
  leftOut: string | null;
  confirmLabel: string;
  cancelLabel: string;
}

/** The words of the confirmation before a batch with at least one target. */
export function pdfBatchConfirmation(plan: PdfPlan): PdfBatchConfirmation {
  const n = plan.targets.length;
  const by = (need: PdfNeed) => plan.targets.filter((t) => t.need === need).length;
  const missing = by('missing');
  const failed = by('failed');
  const stale = by('stale');
  const reasons: string[] = [];
  if (missing) reasons.push(`${formatCount(missing)} without a PDF yet`);
  if (failed) reasons.push(`${formatCount(failed)} whose last PDF could not be made`);
  if (stale) {
    reasons.push(
      `${formatCount(stale)} with a PDF made before the invoice settings changed (${stale === 1 ? 'it is' : 'they are'} replaced)`,
    );
  }
  const left: string[] = [];
  if (plan.upToDate) left.push(`${formatCount(plan.upToDate)} with an up-to-date PDF`);
  if (plan.notIssued) left.push(`${formatCount(plan.notIssued)} open or finalized (made when issued)`);
  if (plan.cancelled) left.push(`${formatCount(plan.cancelled)} cancelled`);
  return {
    title: 'Generate PDFs',
    message: `Make ${n === 1 ? 'the PDF of 1 invoice' : `the PDFs of ${formatCount(n)} invoices`} in this list with the current invoice settings:`,
    reasons,
    leftOut: left.length ? `Left as they are: ${left.join(', ')}.` : null,
    confirmLabel: `Generate ${count(n, 'PDF', 'PDFs')}`,
    cancelLabel: 'Cancel',
  };
}

/** What to say when the list has no invoice that needs a PDF. */
export function nothingToGenerate(plan: PdfPlan): string {
  if (plan.upToDate > 0) {
    return plan.upToDate === 1
      ? 'The issued invoice in this list already has an up-to-date PDF.'
      : `All ${formatCount(plan.upToDate)} issued invoices in this list already have an up-to-date PDF.`;
  }
  return 'No invoice in this list gets a PDF from here: open and finalized invoices get theirs when they are issued, and cancelled ones are left as they are.';
}

/** "12 PDFs generated, 1 failed.", "Cancelled after 5 of 12 invoices: 5 PDFs generated." */
export function pdfBatchSummary(result: PdfBatchResult): string {
  let text = count(result.generated, 'PDF generated', 'PDFs generated');
  if (result.failures.length) text += `, ${formatCount(result.failures.length)} failed`;
  if (result.stoppedBy !== null) {
    return `Stopped after ${formatCount(result.done)} of ${count(result.total, 'invoice', 'invoices')}: ${text}.`;
  }
  if (result.cancelled) {
    return `Cancelled after ${formatCount(result.done)} of ${count(result.total, 'invoice', 'invoices')}: ${text}.`;
  }
  return `${text}.`;
}

export type PdfBatchPhase = 'reading' | 'checking' | 'generating';

/** The progress bar's words: "Generated 3 of 12 PDFs…". */
export function pdfBatchProgressLabel(phase: PdfBatchPhase, { done, total }: Progress, cancelling = false): string {
  if (phase === 'generating') {
    const progress = `${formatCount(done)} of ${count(total, 'PDF', 'PDFs')}`;
    return cancelling ? `Stopping after the current invoice (generated ${progress})…` : `Generated ${progress}…`;
  }
  if (phase === 'reading') return `Reading the list: ${formatCount(done)} of ${count(total, 'invoice', 'invoices')}…`;
  return `Checking the PDFs of the invoices: ${formatCount(done)} of ${formatCount(total)}…`;
}
