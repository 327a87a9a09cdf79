import { describe, expect, it } from 'vitest';
import { ApiError, UNREACHABLE_MESSAGE } from './api';
import type { Invoice, InvoicePdfState, InvoiceState, PdfStatus, Settings } from './api/types';
import {
  generatePdfs,
  nothingToGenerate,
  pdfBatchConfirmation,
  pdfBatchProgressLabel,
  pdfBatchSummary,
  pdfNeed,
  pdfOperation,
  planPdfBatch,
  type PdfBatchResult,
  type PdfTarget,
} from './pdfBatch';

const SETTINGS = {
  org_name: 'Northwind',
  currency: 'EUR',
  paper_size: 'a4',
  invoice_footnote: 'Thank you.',
  zero_vat_text: 'VAT reverse charge',
  has_logo: false,
} as Settings;

function status(overrides: Partial<PdfStatus> = {}): PdfStatus {
  return {
    generated_at: '2026-06-01T08:00:00Z',
    size_bytes: 12_345,
    error: null,
    settings: { paper_size: 'a4', invoice_footnote: 'Thank you.', zero_vat_text: 'VAT reverse charge', logo_sha256: null },
    ...overrides,
  };
}

function invoice(n: number, state: InvoiceState): Invoice {
  return { id: String(n), friendly_id: `2026-05-${String(n).padStart(8, '0')}`, state } as Invoice;
}

function target(n: number, need: PdfTarget['need'] = 'missing'): PdfTarget {
  return { id: String(n), friendlyId: `2026-05-${String(n).padStart(8, '0')}`, need };
}

describe('pdfNeed', () => {
  it('is null for a PDF made with the settings in force', () => {
    expect(pdfNeed(status(), SETTINGS)).toBeNull();
  });

  it.each([
    ['no PDF', null, 'missing'],
    ['a PDF that could not be made', status({ size_bytes: null, error: 'U+0E1A cannot be drawn' }), 'failed'],
    ['a changed footnote', status({ settings: { ...status().settings, invoice_footnote: 'Old' } }), 'stale'],
    ['a changed paper size', status({ settings: { ...status().settings, paper_size: 'letter' } }), 'stale'],
    ['a logo set since', status({ settings: { ...status().settings, logo_sha256: 'ab12' } }), 'stale'],
  ] as const)('%s → %s', (_, pdf, need) => {
    expect(pdfNeed(pdf, SETTINGS)).toBe(need);
  });

  it('counts a PDF as up to date when the settings are not known', () => {
    expect(pdfNeed(status({ settings: { ...status().settings, invoice_footnote: 'Old' } }), null)).toBeNull();
  });
});

describe('planPdfBatch', () => {
  /** invoice_pdf_statuses over `pdfs` and `states` by id, recording each call's ids. */
  function book(pdfs: Record<string, PdfStatus | null>, states: Record<string, InvoiceState> = {}) {
    const calls: string[][] = [];
    const getStatuses = async (ids: string[]): Promise<InvoicePdfState[]> => {
      calls.push(ids);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return ids.map((id) => ({ id, state: states[id] ?? 'pending', pdf: pdfs[id] ?? null }));
    };
    return { calls, asked: () => calls.flat(), getStatuses };
  }

  it('checks only issued, not cancelled invoices, and keeps the list order', async () => {
    const list = [
      invoice(1, 'pending'),
      invoice(2, 'open'),
      invoice(3, 'paid'),
      invoice(4, 'finalized'),
      invoice(5, 'unpaid'),
      invoice(6, 'cancelled'),
      invoice(7, 'failed'),
      invoice(8, 'paid'),
    ];
    const stale = status({ settings: { ...status().settings, zero_vat_text: 'old' } });
    const { calls, getStatuses } = book(
      { '1': null, '3': status(), '5': stale, '7': status({ size_bytes: null, error: 'x' }), '8': null },
      { '3': 'paid', '5': 'unpaid', '7': 'failed', '8': 'paid' },
    );
    const progress: string[] = [];
    const plan = await planPdfBatch(list, getStatuses, SETTINGS, { onprogress: ({ done, total }) => progress.push(`${done}/${total}`) });
    expect(calls).toEqual([['1', '3', '5', '7', '8']]);
    expect(plan.targets).toEqual([target(1, 'missing'), target(5, 'stale'), target(7, 'failed'), target(8, 'missing')]);
    expect(plan).toMatchObject({ upToDate: 1, notIssued: 2, cancelled: 1 });
    expect(progress).toEqual(['0/5', '5/5']);
  });

  it('asks for 500 invoices a call, one call after the other', async () => {
    const list = Array.from({ length: 1_201 }, (_, i) => invoice(i + 1, 'pending'));
    const { calls, getStatuses } = book({});
    const progress: string[] = [];
    const plan = await planPdfBatch(list, getStatuses, SETTINGS, { onprogress: ({ done, total }) => progress.push(`${done}/${total}`) });
    expect(calls.map((ids) => ids.length)).toEqual([500, 500, 201]);
    expect(progress).toEqual(['0/1201', '500/1201', '1000/1201', '1201/1201']);
    expect(plan.targets.map((t) => t.id)).toEqual(list.map((i) => i.id));
  });

  it('leaves an invoice cancelled since the list was read', async () => {
    const { getStatuses } = book({}, { '2': 'cancelled' });
    const plan = await planPdfBatch([invoice(1, 'pending'), invoice(2, 'pending')], getStatuses, SETTINGS);
    expect(plan.targets.map((t) => t.id)).toEqual(['1']);
    expect(plan.cancelled).toBe(1);
  });

  it('asks nothing for a list with no issued invoice', async () => {
    const { calls, getStatuses } = book({});
    const plan = await planPdfBatch([invoice(1, 'open'), invoice(2, 'cancelled')], getStatuses, SETTINGS);
    expect(calls).toEqual([]);
    expect(plan).toEqual({ targets: [], upToDate: 0, notIssued: 1, cancelled: 1 });
  });

  it('stops when cancelled, when a check fails, and when an invoice goes unanswered', async () => {
    const list = Array.from({ length: 50 }, (_, i) => invoice(i + 1, 'pending'));
    const cancelled = book({});
    const controller = new AbortController();
    const checking = planPdfBatch(list, cancelled.getStatuses, SETTINGS, {
      chunk: 5,
      signal: controller.signal,
      onprogress: ({ done }) => done >= 5 && controller.abort(),
    });
    await expect(checking).rejects.toMatchObject({ name: 'AbortError' });
    expect(cancelled.calls).toHaveLength(1);

    const asked: string[] = [];
    const failing = planPdfBatch(
      list,
      async (ids) => {
        asked.push(...ids);
        if (ids.includes('3')) throw new ApiError('internal', 'The book is locked.');
        return ids.map((id) => ({ id, state: 'pending' as const, pdf: null }));
      },
      SETTINGS,
      { chunk: 1 },
    );
    await expect(failing).rejects.toThrow('The book is locked.');
    expect(asked).toEqual(['1', '2', '3']);

    const unanswered = planPdfBatch(list.slice(0, 2), async () => [{ id: '1', state: 'pending', pdf: null }], SETTINGS);
    await expect(unanswered).rejects.toThrow('No PDF status came for invoice 2026-05-00000002.');
  });
});

describe('generatePdfs', () => {
  it('makes each PDF in turn, going on after a failure and listing it', async () => {
    const made: string[] = [];
    const progress: string[] = [];
    const result = await generatePdfs(
      [target(1), target(2, 'failed'), target(3, 'stale')],
      async (t) => {
        made.push(t.id);
        if (t.id === '2') {
          throw new ApiError('invalid_state', 'The PDF of invoice 2026-05-00000002 cannot be made: U+0E1A.');
        }
      },
      { onprogress: ({ done, total }) => progress.push(`${done}/${total}`) },
    );
    expect(made).toEqual(['1', '2', '3']);
    expect(progress).toEqual(['0/3', '1/3', '2/3', '3/3']);
    expect(result).toEqual({
      total: 3,
      done: 3,
      generated: 2,
      failures: [{ id: '2', friendlyId: '2026-05-00000002', message: 'The PDF of invoice 2026-05-00000002 cannot be made: U+0E1A.' }],
      cancelled: false,
      stoppedBy: null,
    });
    expect(pdfBatchSummary(result)).toBe('2 PDFs generated, 1 failed.');
  });

  it('stops after the invoice in progress when cancelled; what was made stays', async () => {
    const controller = new AbortController();
    const made: string[] = [];
    const result = await generatePdfs(
      [1, 2, 3, 4, 5].map((n) => target(n)),
      async (t) => {
        if (t.id === '2') controller.abort(); // pressed while invoice 2 was being made
        await new Promise((resolve) => setTimeout(resolve, 1));
        made.push(t.id);
      },
      { signal: controller.signal },
    );
    expect(made).toEqual(['1', '2']);
    expect(result).toMatchObject({ total: 5, done: 2, generated: 2, cancelled: true, failures: [] });
    expect(pdfBatchSummary(result)).toBe('Cancelled after 2 of 5 invoices: 2 PDFs generated.');
  });

  it('is not cancelled when Cancel comes during the last invoice', async () => {
    const controller = new AbortController();
    const result = await generatePdfs(
      [target(1), target(2)],
      async (t) => {
        if (t.id === '2') controller.abort();
      },
      { signal: controller.signal },
    );
    expect(result).toMatchObject({ done: 2, generated: 2, cancelled: false });
    expect(pdfBatchSummary(result)).toBe('2 PDFs generated.');
  });

  it.each([
    ['signed out', new ApiError('unauthorized', 'Sign in again to go on.')],
    ['not allowed', new ApiError('forbidden', 'You may not do that.')],
    ['unreachable', new ApiError('internal', UNREACHABLE_MESSAGE)],
  ])('stops at an error every invoice would get (%s)', async (_, error) => {
    const made: string[] = [];
    const result = await generatePdfs([target(1), target(2), target(3)], async (t) => {
      if (t.id === '2') throw error;
      made.push(t.id);
    });
    expect(made).toEqual(['1']);
    expect(result).toMatchObject({ done: 1, generated: 1, failures: [], cancelled: false, stoppedBy: error.message });
    expect(pdfBatchSummary(result)).toBe('Stopped after 1 of 3 invoices: 1 PDF generated.');
  });

  it('does nothing for no targets', async () => {
    const result = await generatePdfs([], async () => {
      throw new Error('not called');
    });
    expect(result).toMatchObject({ total: 0, done: 0, generated: 0 });
  });
});

describe('pdfOperation', () => {
  it('generates a first PDF and regenerates the others, as the PDF panel does', () => {
    expect(pdfOperation({ need: 'missing' })).toBe('generate_invoice_pdf');
    expect(pdfOperation({ need: 'failed' })).toBe('regenerate_invoice_pdf');
    expect(pdfOperation({ need: 'stale' })).toBe('regenerate_invoice_pdf');
  });
});

describe('the words', () => {
  it('asks naming how many invoices get a PDF and why, and what is left out', () => {
    const text = pdfBatchConfirmation({
      targets: [target(1), target(2), target(3, 'failed'), target(4, 'stale'), target(5, 'stale')],
      upToDate: 40,
      notIssued: 3,
      cancelled: 1,
    });
    expect(text).toEqual({
      title: 'Generate PDFs',
      message: 'Make the PDFs of 5 invoices in this list with the current invoice settings:',
      reasons: [
        '2 without a PDF yet',
        '1 whose last PDF could not be made',
        '2 with a PDF made before the invoice settings changed (they are replaced)',
      ],
      leftOut: 'Left as they are: 40 with an up-to-date PDF, 3 open or finalized (made when issued), 1 cancelled.',
      confirmLabel: 'Generate 5 PDFs',
      cancelLabel: 'Cancel',
    });
    const one = pdfBatchConfirmation({ targets: [target(1, 'stale')], upToDate: 0, notIssued: 0, cancelled: 0 });
    expect(one.message).toBe('Make the PDF of 1 invoice in this list with the current invoice settings:');
    expect(one.reasons).toEqual(['1 with a PDF made before the invoice settings changed (it is replaced)']);
    expect(one.leftOut).toBeNull();
    expect(one.confirmLabel).toBe('Generate 1 PDF');
  });

  it('says when there is nothing to do, and why', () => {
    expect(nothingToGenerate({ targets: [], upToDate: 7, notIssued: 2, cancelled: 0 })).toBe(
      'All 7 issued invoices in this list already have an up-to-date PDF.',
    );
    expect(nothingToGenerate({ targets: [], upToDate: 1, notIssued: 0, cancelled: 0 })).toBe(
      'The issued invoice in this list already has an up-to-date PDF.',
    );
    expect(nothingToGenerate({ targets: [], upToDate: 0, notIssued: 2, cancelled: 1 })).toMatch(/^No invoice in this list gets a PDF/);
  });

  interface Counts {
    generated: number;
    failures: number;
    cancelled?: boolean;
    done?: number;
    total?: number;
  }
  it.each<[Counts, string]>([
    [{ generated: 12, failures: 1 }, '12 PDFs generated, 1 failed.'],
    [{ generated: 1, failures: 0 }, '1 PDF generated.'],
    [{ generated: 0, failures: 2 }, '0 PDFs generated, 2 failed.'],
    [{ generated: 4, failures: 1, cancelled: true, done: 5, total: 12 }, 'Cancelled after 5 of 12 invoices: 4 PDFs generated, 1 failed.'],
  ])('summary %j → %s', ({ generated, failures, cancelled = false, done, total }, expected) => {
    const result: PdfBatchResult = {
      total: total ?? generated + failures,
      done: done ?? generated + failures,
      generated,
      failures: Array.from({ length: failures }, (_, i) => ({ id: String(i), friendlyId: String(i), message: 'x' })),
      cancelled,
      stoppedBy: null,
    };
    expect(pdfBatchSummary(result)).toBe(expected);
  });

  it('shows "n of N" while it runs', () => {
    expect(pdfBatchProgressLabel('reading', { done: 500, total: 900 })).toBe('Reading the list: 500 of 900 invoices…');
    expect(pdfBatchProgressLabel('checking', { done: 3, total: 40 })).toBe('Checking the PDFs of the invoices: 3 of 40…');
    expect(pdfBatchProgressLabel('generating', { done: 3, total: 12 })).toBe('Generated 3 of 12 PDFs…');
    expect(pdfBatchProgressLabel('generating', { done: 3, total: 12 }, true)).toBe(
      'Stopping after the current invoice (generated 3 of 12 PDFs)…',
    );
  });
});
