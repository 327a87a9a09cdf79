// Opening and saving an invoice's PDF: the one place the two shells differ beyond `call`.
//
// In the desktop window the Rust side does it (commands `open_invoice_pdf`, `save_invoice_pdf`:
// the system's PDF viewer and a native save dialog; they make and store a PDF first when the
// invoice has none). In a browser the PDF comes through the engine's `get_invoice_pdf` as base64
// and is opened in a new tab or downloaded from an object URL; an invoice without a stored PDF
// gets one made first (`generate_invoice_pdf`), as the desktop does, so what is handed out is
// always what the book keeps.

import { invoke } from '@tauri-apps/api/core';
import { ApiError, call, insideTauri } from './api';
import type { InvoicePdfFile } from './api/types';

export const PDF_TYPE = 'application/pdf';

export const BLOCKED_TAB_MESSAGE =
  'The browser blocked the new tab for the PDF. Allow pop-ups for Counterfoil, or use “Save PDF…”.';

/** How long an object URL is kept for the tab or download that uses it. */
const OPEN_URL_LIFETIME_MS = 5 * 60_000;
const DOWNLOAD_URL_LIFETIME_MS = 60_000;

export type SaveOutcome =
  /** Desktop: written where the user chose. */
  | { kind: 'saved'; path: string }
  /** Desktop: the user closed the save dialog. */
  | { kind: 'cancelled' }
  /** Browser: handed to the browser's downloads under this name. */
  | { kind: 'downloaded'; fileName: string };

export interface OpenOutcome {
  /** Desktop: the copy the system viewer opened; null in a browser (a new tab). */
  path: string | null;
}

export interface PdfTransport {
  /** `hasFile`: whether the invoice has a stored PDF (its status has a size). */
  open(id: string, hasFile: boolean): Promise<OpenOutcome>;
  save(id: string, hasFile: boolean): Promise<SaveOutcome>;
}

/** What the browser transport needs from the page; replaced in tests. */
export interface BrowserPdfEnv {
  call: typeof call;
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
  /** Opens `url` in a new tab; false when the browser blocked it. */
  openTab(url: string): boolean;
  /** Starts a download of `url` saved as `fileName`. */
  download(url: string, fileName: string): void;
  later(run: () => void, ms: number): void;
}

/** The PDF's bytes from the engine's base64, as a Blob of type application/pdf. */
export function pdfBlob(file: InvoicePdfFile): Blob {
  const binary = atob(file.pdf_base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: PDF_TYPE });
}

/** The stored PDF of invoice `id`, made and stored first when it has none. */
async function pdfFile(env: BrowserPdfEnv, id: string, hasFile: boolean): Promise<InvoicePdfFile> {
  if (!hasFile) await env.call('generate_invoice_pdf', { id });
  return env.call('get_invoice_pdf', { id });
}

export function browserPdf(env: BrowserPdfEnv): PdfTransport {
  return {
    async open(id, hasFile) {
      const file = await pdfFile(env, id, hasFile);
      const url = env.createObjectURL(pdfBlob(file));
      if (!env.openTab(url)) {
        env.revokeObjectURL(url);
        throw new ApiError('invalid_state', BLOCKED_TAB_MESSAGE);
      }
      env.later(() => env.revokeObjectURL(url), OPEN_URL_LIFETIME_MS);
      return { path: null };
    },
    async save(id, hasFile) {
      const file = await pdfFile(env, id, hasFile);
      const url = env.createObjectURL(pdfBlob(file));
      env.download(url, file.file_name);
      env.later(() => env.revokeObjectURL(url), DOWNLOAD_URL_LIFETIME_MS);
      return { kind: 'downloaded', fileName: file.file_name };
    },
  };
}

function pageEnv(): BrowserPdfEnv {
  return {
    call,
    createObjectURL: (blob) => URL.createObjectURL(blob),
    revokeObjectURL: (url) => URL.revokeObjectURL(url),
    openTab: (url) => window.open(url, '_blank') !== null,
    download(url, fileName) {
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
    },
    later: (run, ms) => void setTimeout(run, ms),
  };
}

/** The desktop shell's commands; their errors are the engine's `{code, message}`. */
export function desktopPdf(invokeImpl: typeof invoke = invoke): PdfTransport {
  const command = async <T>(name: string, id: string): Promise<T> => {
    try {
      return await invokeImpl<T>(name, { id });
    } catch (error) {
      throw ApiError.from(error);
    }
  };
  return {
    async open(id) {
      return { path: await command<string>('open_invoice_pdf', id) };
    },
    async save(id) {
      const path = await command<string | null>('save_invoice_pdf', id);
      return path === null ? { kind: 'cancelled' } : { kind: 'saved', path };
    },
  };
}

let transport: PdfTransport | undefined;

function current(): PdfTransport {
  transport ??= insideTauri() ? desktopPdf() : browserPdf(pageEnv());
  return transport;
}

/** Opens invoice `id`'s PDF: the system's viewer on the desktop, a new tab in a browser. */
export function openInvoicePdf(id: string, hasFile: boolean): Promise<OpenOutcome> {
  return current().open(id, hasFile);
}

/** Saves invoice `id`'s PDF: a save dialog on the desktop, a download in a browser. */
export function saveInvoicePdf(id: string, hasFile: boolean): Promise<SaveOutcome> {
  return current().save(id, hasFile);
}
