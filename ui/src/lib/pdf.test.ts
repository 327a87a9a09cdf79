import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import type { InvoicePdfFile } from './api/types';
import { BLOCKED_TAB_MESSAGE, browserPdf, desktopPdf, pdfBlob, PDF_TYPE, type BrowserPdfEnv } from './pdf';

/** Bytes a PDF starts with, plus every byte value a naive text decoding would mangle. */
const BYTES = Uint8Array.from([
  ...new TextEncoder().encode('%PDF-1.7\n'),
  0x00,
  0x7f,
  0x80,
  0xc3,
  0xa9,
  0xfe,
  0xff,
  ...new TextEncoder().encode('\n%%EOF\n'),
]);

function base64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

const FILE: InvoicePdfFile = { file_name: 'invoice-2026-05-00000012.pdf', pdf_base64: base64(BYTES) };

async function bytesOf(blob: Blob): Promise<number[]> {
  return [...new Uint8Array(await blob.arrayBuffer())];
}

/** A page where every effect is recorded. */
function fakeEnv({ tabOpens = true } = {}) {
  const calls: { operation: string; input: unknown }[] = [];
  const blobs = new Map<string, Blob>();
  const downloads: { url: string; fileName: string }[] = [];
  const tabs: string[] = [];
  const revoked: string[] = [];
  const timers: { run: () => void; ms: number }[] = [];
  const env: BrowserPdfEnv = {
    call: vi.fn(async (operation: string, input: unknown) => {
      calls.push({ operation, input });
      if (operation === 'get_invoice_pdf') return FILE;
      return {};
    }) as unknown as BrowserPdfEnv['call'],
    createObjectURL(blob) {
      const url = `blob:test/${blobs.size + 1}`;
      blobs.set(url, blob);
      return url;
    },
    revokeObjectURL: (url) => void revoked.push(url),
    openTab(url) {
      if (tabOpens) tabs.push(url);
      return tabOpens;
    },
    download: (url, fileName) => void downloads.push({ url, fileName }),
    later: (run, ms) => void timers.push({ run, ms }),
  };
  return { env, calls, blobs, downloads, tabs, revoked, timers };
}

describe('pdfBlob', () => {
  it('decodes the base64 into exactly the bytes the engine sent, typed as a PDF', async () => {
    const blob = pdfBlob(FILE);
    expect(blob.type).toBe(PDF_TYPE);
    expect(blob.size).toBe(BYTES.length);
    expect(await bytesOf(blob)).toEqual([...BYTES]);
  });

  it('gives an empty PDF blob for an empty file', () => {
    expect(pdfBlob({ file_name: 'x.pdf', pdf_base64: '' }).size).toBe(0);
  });
});

describe('browser: Save PDF…', () => {
  it('downloads the stored PDF under the engine’s file name, with its bytes', async () => {
    const page = fakeEnv();
    const outcome = await browserPdf(page.env).save('12', true);

    expect(outcome).toEqual({ kind: 'downloaded', fileName: 'invoice-2026-05-00000012.pdf' });
    expect(page.calls).toEqual([{ operation: 'get_invoice_pdf', input: { id: '12' } }]);
    expect(page.downloads).toHaveLength(1);
    const [{ url, fileName }] = page.downloads;
    expect(fileName).toBe('invoice-2026-05-00000012.pdf');
    const blob = page.blobs.get(url)!;
    expect(blob.type).toBe(PDF_TYPE);
    expect(await bytesOf(blob)).toEqual([...BYTES]);
  });

  it('makes and stores a PDF first when the invoice has none', async () => {
    const page = fakeEnv();
    await browserPdf(page.env).save('12', false);
    expect(page.calls.map((c) => c.operation)).toEqual(['generate_invoice_pdf', 'get_invoice_pdf']);
    expect(page.calls[0].input).toEqual({ id: '12' });
  });

  it('lets the object URL go only after the download had time to start', async () => {
    const page = fakeEnv();
    await browserPdf(page.env).save('12', true);
    expect(page.revoked).toEqual([]);
    expect(page.timers).toHaveLength(1);
    expect(page.timers[0].ms).toBeGreaterThanOrEqual(10_000);
    page.timers[0].run();
    expect(page.revoked).toEqual([page.downloads[0].url]);
  });

  it('passes the engine’s error on and downloads nothing', async () => {
    const page = fakeEnv();
    const failure = new ApiError('invalid_state', "The PDF of invoice 2026-05-00000012 cannot be made: the invoice font cannot draw '日' (U+65E5) in the buyer name.");
    page.env.call = vi.fn(async () => {
      throw failure;
    }) as unknown as BrowserPdfEnv['call'];
    await expect(browserPdf(page.env).save('12', false)).rejects.toBe(failure);
    expect(page.downloads).toEqual([]);
    expect(page.blobs.size).toBe(0);
  });
});

describe('browser: Open PDF', () => {
  it('opens the PDF’s bytes in a new tab', async () => {
    const page = fakeEnv();
    const outcome = await browserPdf(page.env).open('12', true);
    expect(outcome).toEqual({ path: null });
    expect(page.tabs).toHaveLength(1);
    expect(await bytesOf(page.blobs.get(page.tabs[0])!)).toEqual([...BYTES]);
    expect(page.calls.map((c) => c.operation)).toEqual(['get_invoice_pdf']);
  });

  it('generates first when there is no PDF', async () => {
    const page = fakeEnv();
    await browserPdf(page.env).open('12', false);
    expect(page.calls.map((c) => c.operation)).toEqual(['generate_invoice_pdf', 'get_invoice_pdf']);
  });

  it('says so when the browser blocks the tab, and frees the URL at once', async () => {
    const page = fakeEnv({ tabOpens: false });
    await expect(browserPdf(page.env).open('12', true)).rejects.toMatchObject({ message: BLOCKED_TAB_MESSAGE });
    expect(page.revoked).toEqual(['blob:test/1']);
  });
});

describe('desktop', () => {
  it('asks the shell to open the PDF and reports the path it opened', async () => {
    const invoke = vi.fn(async () => '/home/ada/.cache/app.counterfoil.desktop/invoices/invoice-2026-05-00000012.pdf');
    const outcome = await desktopPdf(invoke as never).open('12', false);
    expect(invoke).toHaveBeenCalledWith('open_invoice_pdf', { id: '12' });
    expect(outcome.path).toMatch(/invoice-2026-05-00000012\.pdf$/);
  });

  it('reports where the PDF was saved, or that the user cancelled', async () => {
    const saved = vi.fn(async () => '/home/ada/invoice-2026-05-00000012.pdf');
    expect(await desktopPdf(saved as never).save('12', true)).toEqual({
      kind: 'saved',
      path: '/home/ada/invoice-2026-05-00000012.pdf',
    });
    expect(saved).toHaveBeenCalledWith('save_invoice_pdf', { id: '12' });
    const cancelled = vi.fn(async () => null);
    expect(await desktopPdf(cancelled as never).save('12', true)).toEqual({ kind: 'cancelled' });
  });

  it('turns the shell’s error into an ApiError with its message', async () => {
    const invoke = vi.fn(async () => {
      throw { code: 'invalid_state', message: 'Could not write /readonly/invoice.pdf: permission denied' };
    });
    await expect(desktopPdf(invoke as never).save('12', true)).rejects.toMatchObject({
      name: 'ApiError',
      code: 'invalid_state',
      message: 'Could not write /readonly/invoice.pdf: permission denied',
    });
  });
});
