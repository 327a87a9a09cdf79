// The check "Generate PDFs" makes before it asks (docs/ui.md, "PDFs for a whole list"): the
// state and PDF status of every issued invoice of the list, over /rpc as the UI in a browser
// asks. Prints how long the batch's way takes (invoice_pdf_statuses, 500 invoices a call, one
// call after the other) against reading each invoice whole (get_invoice, 4 at a time, as the
// batch did before). Not a test: it asserts nothing about time.
//
//   node tests/browser/pdf_batch_check.bench.mjs [INVOICES]        (default 20 000)
//
// Seeds and serves a book as invoice_scroll.bench.mjs does (COUNTERFOIL_BIN, SEED_BIN).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { counterfoilBinary, seedInvoiceBook, serveBook } from '../support/bench.mjs';
import { rpc } from '../support/ui.mjs';

const invoices = Number(process.argv[2] ?? 20_000);
const dir = mkdtempSync(path.join(tmpdir(), 'counterfoil-pdf-check-bench-'));
let server;
try {
  const bookFile = path.join(dir, 'invoices.book');
  seedInvoiceBook(bookFile, invoices);
  server = await serveBook(bookFile);
  const ids = [];
  for (let page = 1; ; page++) {
    const list = await rpc(server.url, 'list_invoices', { page, per_page: 500 });
    ids.push(...list.items.map((invoice) => invoice.id));
    if (list.items.length < 500) break;
  }

  let started = performance.now();
  let answered = 0;
  for (let i = 0; i < ids.length; i += 500) {
    answered += (await rpc(server.url, 'invoice_pdf_statuses', { ids: ids.slice(i, i + 500) })).length;
  }
  const chunked = (performance.now() - started) / 1000;

  started = performance.now();
  let next = 0;
  const reader = async () => {
    while (next < ids.length) await rpc(server.url, 'get_invoice', { id: ids[next++] });
  };
  await Promise.all([reader(), reader(), reader(), reader()]);
  const each = (performance.now() - started) / 1000;

  console.log(`invoices: ${ids.length} (${answered} statuses answered); binary: ${path.basename(counterfoilBinary())}`);
  console.log(`invoice_pdf_statuses, 500 a call: ${chunked.toFixed(2)} s`);
  console.log(`get_invoice for each, 4 at a time: ${each.toFixed(2)} s (${(each / chunked).toFixed(0)}× as long)`);
} finally {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
