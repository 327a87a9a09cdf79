// Prints invoices to PDF with headless Chromium, the way web billing tools do: one long-lived
// browser, one page, `setContent` with inline HTML (no network) and `page.pdf` per invoice.
// Run by benches/pdf.rs:
//   node chromium_print.mjs <dir with invoice-NNNN.html> <out dir> <repo root>
// Prints one JSON line: {"count", "elapsed_ms", "first_pdf_bytes"}.
import { createRequire } from 'node:module';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const [htmlDir, outDir, repoRoot] = process.argv.slice(2);
// playwright-core is installed for the browser tests under tests/.
const require = createRequire(path.join(repoRoot, 'tests', 'package.json'));
const { chromium } = require('playwright-core');

const files = (await readdir(htmlDir)).filter((name) => name.endsWith('.html')).sort();
const pages = await Promise.all(files.map((name) => readFile(path.join(htmlDir, name), 'utf8')));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage();
  const print = async (html) => {
    await page.setContent(html, { waitUntil: 'load' });
    return page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  };
  // Warm-up: the first prints load fonts and settle the renderer.
  for (const html of pages.slice(0, 5)) await print(html);

  const started = process.hrtime.bigint();
  let firstBytes = 0;
  for (const [index, html] of pages.entries()) {
    const pdf = await print(html);
    if (index === 0) firstBytes = pdf.length;
    await writeFile(path.join(outDir, files[index].replace(/\.html$/, '.pdf')), pdf);
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ count: pages.length, elapsed_ms: elapsedMs, first_pdf_bytes: firstBytes }));
} finally {
  await browser.close();
}
