// The Invoices screen in a real Chromium against a real `counterfoil serve`: the list and its
// filters, an issued invoice's lines, totals and PDF (regenerated, downloaded, read back with
// pdftotext), and an open invoice edited and issued. The book is built through the server's
// /rpc, and every figure the UI shows is compared with what the engine answers there. It is a
// test book: Charge goes through the test gateway (a book without a gateway offers no Charge).
// Run from the repo root: node --test tests/browser/
// Leaves screenshots in artifacts/browser/ and, to look at, /tmp/invoices-list.png and
// /tmp/invoice-detail.png.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { launchBrowser, screenshot } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { errorNextTo, realProblems, rpc } from '../support/ui.mjs';

/** Amounts as the UI shows them in the test browser's locale (en-GB), from the engine's strings. */
const euro = (amount) =>
  new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(amount);

const address = (line1, city, zip, country) => ({ line1, line2: '', city, state: '', zip, country });

/**
 * A provider, three buyers and invoices in most states over three months, all made through
 * /rpc. Returns the invoices by name with their details as the engine gives them.
 */
async function buildBook(url) {
  const settings = await rpc(url, 'get_settings');
  await rpc(url, 'update_settings', {
    ...settings,
    org_name: 'Northwind APIs B.V.',
    address: address('Herengracht 182', 'Amsterdam', '1016 BR', 'Netherlands'),
    vat_code: 'NL862371935B01',
    fiscal_code: 'KvK 81234567',
    currency: 'EUR',
  });
  const account = (org_name, vat_rate, legal_address, vat_code = '') =>
    rpc(url, 'create_account', { org_name, vat_rate, legal_address, vat_code });
  const acme = await account('Acme Analytics S.r.l.', '22', address('Via Roma 1', 'Milano', '20121', 'IT'), 'IT01234567890');
  const globex = await account('Globex GmbH', '19', address('Hauptstraße 5', 'Berlin', '10115', 'DE'), 'DE123456789');
  const initech = await account('Initech Ltd', null, address('1 Main Street', 'Dublin', 'D02 X285', 'IE'));

  const invoice = async (buyer, period, lines, states = []) => {
    const created = await rpc(url, 'create_invoice', { account_id: buyer.id, period });
    for (const line of lines) await rpc(url, 'add_line_item', { invoice_id: created.invoice.id, ...line });
    let detail = await rpc(url, 'get_invoice', { id: created.invoice.id });
    for (const state of states) {
      detail =
        state === 'paid'
          ? await rpc(url, 'mark_invoice_paid', { id: detail.invoice.id, reference: 'SEPA-2026-0915' })
          : await rpc(url, 'transition_invoice', { id: detail.invoice.id, state });
    }
    return detail;
  };

  return {
    acme,
    paid: await invoice(acme, '2026-09', [{ name: 'Fixed fee (Pro)', cost: '49.90' }], ['pending', 'paid']),
    unpaid: await invoice(globex, '2026-09', [{ name: 'Fixed fee (Business)', cost: '249.00' }], ['pending', 'unpaid']),
    issued: await invoice(
      acme,
      '2026-10',
      [
        { name: 'Fixed fee (Pro)', description: 'October 1, 2026 (0:00) - October 31, 2026 (23:59)', cost: '49.90' },
        { name: 'Hits', description: 'Usage above the plan', quantity: '15230', cost: '15.2301' },
        { name: 'Credit for the 12 October outage', cost: '-5.00' },
      ],
      ['pending'],
    ),
    cancelled: await invoice(globex, '2026-10', [{ name: 'Fixed fee (Business)', cost: '249.00' }], ['pending', 'cancelled']),
    finalized: await invoice(initech, '2026-10', [{ name: 'Fixed fee (Starter)', cost: '9.00' }], ['finalized']),
    open: await invoice(acme, '2026-11', [{ name: 'Fixed fee (Pro)', description: 'November 2026', cost: '49.90' }]),
    empty: await invoice(initech, '2026-11', []),
  };
}

/**
 * The friendly IDs in the invoice table, top to bottom: the rows rendered at the top and, after
 * scrolling to the bottom, at the bottom (all of a list up to about two screens long).
 */
async function shownIds(page) {
  const box = page.locator('.scroller');
  const seen = new Map();
  const collect = async () => {
    const rows = await box
      .locator('tbody tr[aria-rowindex]')
      .evaluateAll((trs) => trs.map((tr) => [Number(tr.getAttribute('aria-rowindex')), tr.querySelector('td')?.innerText ?? '']));
    for (const [index, id] of rows) seen.set(index, id);
  };
  const frame = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await collect();
  await box.evaluate((element) => (element.scrollTop = element.scrollHeight));
  await frame();
  await collect();
  await box.evaluate((element) => (element.scrollTop = 0));
  await frame();
  return [...seen].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
}

/** Waits until the table lists exactly what `list_invoices` with `filter` lists, and returns it. */
async function expectListed(page, url, filter) {
  const expected = (await rpc(url, 'list_invoices', filter)).items.map((i) => i.friendly_id);
  assert.ok(expected.length > 0, `the book has invoices for ${JSON.stringify(filter)}`);
  const deadline = Date.now() + 5000;
  let shown = [];
  while (Date.now() < deadline) {
    shown = (await page.getByRole('table', { name: 'Invoices' }).isVisible()) ? await shownIds(page) : [];
    if (JSON.stringify(shown) === JSON.stringify(expected)) return expected;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(shown, expected, `the list for ${JSON.stringify(filter)}`);
  return expected;
}

/** The rows of a table body as arrays of cell texts (not the virtual list's spacer rows). */
async function cells(table) {
  return table.locator('tbody tr:not(.spacer)').evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.innerText.trim())),
  );
}

/** The totals rows (label, amount) under the line items. */
async function totalsShown(page) {
  return page
    .getByRole('table', { name: 'Line items' })
    .locator('tfoot tr')
    .evaluateAll((rows) => rows.map((row) => [row.querySelector('th').innerText.trim(), row.querySelector('td').innerText.trim()]));
}

describe('Invoices screen', () => {
  let server;
  let browser;
  let page;
  let problems;
  let book;
  let downloads;

  before(async () => {
    server = await startServer({ testBook: true });
    browser = await launchBrowser();
    book = await buildBook(server.url);
    downloads = mkdtempSync(path.join(tmpdir(), 'counterfoil-downloads-'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  beforeEach(async () => {
    ({ page, problems } = await browser.newPage());
  });

  afterEach(async () => {
    await page.close();
  });

  it('lists the invoices and narrows them by state, month and invoice ID', async () => {
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Invoices' }).click();
    await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
    const all = await expectListed(page, server.url, {});
    assert.equal(all.length, 7);

    // A row shows the buyer, the month, the state, the dates and the total as the engine has them.
    const issued = book.issued.invoice;
    const rows = await cells(page.getByRole('table', { name: 'Invoices' }));
    const [id, buyer, month, state, issuedOn, dueOn, total] = rows[all.indexOf(issued.friendly_id)];
    assert.equal(id, issued.friendly_id);
    assert.equal(buyer, 'Acme Analytics S.r.l.');
    assert.equal(month, 'October 2026');
    assert.equal(state, 'Pending');
    const day = (text) =>
      new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${text}T00:00:00Z`));
    assert.equal(issuedOn, day(issued.issued_on));
    assert.equal(dueOn, day(issued.due_on));
    assert.equal(total, euro(issued.totals.total));
    assert.equal(total, '€73.36');
    // An invoice not issued yet has no dates: an em dash, as everywhere in the UI.
    const notIssued = rows[all.indexOf(book.open.invoice.friendly_id)];
    assert.deepEqual(notIssued.slice(4, 6), ['—', '—']);
    const totalAlign = await page
      .getByRole('table', { name: 'Invoices' })
      .locator('tbody tr td:last-child')
      .first()
      .evaluate((cell) => getComputedStyle(cell).textAlign);
    assert.equal(totalAlign, 'right', 'totals are right-aligned');
    await screenshot(page, 'invoices-list');
    await page.screenshot({ path: '/tmp/invoices-list.png', fullPage: true });

    // By state.
    await page.getByLabel('State').selectOption('pending');
    const pending = await expectListed(page, server.url, { state: 'pending' });
    assert.deepEqual(pending, [issued.friendly_id]);
    assert.match(new URL(page.url()).hash, /state=pending/, 'the filter is in the URL');

    // By state and month.
    await page.getByLabel('State').selectOption('unpaid');
    await page.getByLabel('Month').fill('2026-09');
    assert.deepEqual(await expectListed(page, server.url, { state: 'unpaid', period: '2026-09' }), [
      book.unpaid.invoice.friendly_id,
    ]);

    // Every state of a month.
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Month').fill('2026-10');
    const october = await expectListed(page, server.url, { period: '2026-10' });
    assert.equal(october.length, 3);

    // A month that is not one is flagged next to the field, and the list stays as it was.
    await page.getByLabel('Month').fill('2026-13');
    await page.getByLabel('Month').press('Enter');
    const month13 = await errorNextTo(page.getByLabel('Month'));
    assert.equal(month13.invalid, true);
    assert.equal(month13.nextToControl, true);
    assert.match(month13.message, /YYYY-MM/);
    assert.deepEqual(await shownIds(page), october);

    // The ID search with a wildcard, every month.
    await page.getByLabel('Month').fill('');
    await page.getByLabel('Invoice ID').fill('2026-09-*');
    const september = await expectListed(page, server.url, { friendly_id: '2026-09-*' });
    assert.deepEqual([...september].sort(), [book.paid.invoice.friendly_id, book.unpaid.invoice.friendly_id].sort());
    assert.equal((await errorNextTo(page.getByLabel('Month'))).invalid, false, 'the emptied month is no longer flagged');

    // Nothing matches: the empty state says so and offers a way out.
    await page.getByLabel('Invoice ID').fill('1999-*');
    await page.getByText('No invoice matches these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expectListed(page, server.url, {});
    assert.equal(await page.getByLabel('Invoice ID').inputValue(), '');

    // The filters survive a reload (they are in the URL).
    await page.getByLabel('State').selectOption('finalized');
    await expectListed(page, server.url, { state: 'finalized' });
    await page.reload();
    await expectListed(page, server.url, { state: 'finalized' });
    assert.equal(await page.getByLabel('State').inputValue(), 'finalized');

    // Opened from an account: only that buyer's invoices, until "All buyers".
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('link', { name: 'Invoices of Acme Analytics S.r.l.' }).click();
    const acme = await expectListed(page, server.url, { account_id: book.acme.id });
    assert.equal(acme.length, 3);
    assert.match(await page.getByRole('search', { name: 'Filter invoices' }).innerText(), /Account\s+Acme Analytics S\.r\.l\./);
    await page.getByRole('button', { name: 'Show the invoices of every buyer' }).click();
    await expectListed(page, server.url, {});
    assert.deepEqual(realProblems(problems), []);
  });

  it('leaves the list while its first page is still coming without an error', async () => {
    // The page answers only after the user has gone to another screen.
    let answered;
    const answer = new Promise((resolve) => (answered = resolve));
    await page.route('**/rpc/list_invoices', async (route) => {
      await answer;
      await route.continue();
    });
    await page.goto(`${server.url}#/invoices`);
    await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Earnings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Earnings' }).waitFor();
    answered();
    await page.waitForResponse('**/rpc/list_invoices');
    await page.getByRole('table', { name: /Earnings/ }).waitFor();
    await page.unroute('**/rpc/list_invoices');
    assert.deepEqual(realProblems(problems), [], 'the late page is dropped, not drawn into a list that is gone');
  });

  it('shows an issued invoice as the engine has it, regenerates its PDF and saves it', async () => {
    const { invoice } = book.issued;
    await page.goto(`${server.url}#/invoices?state=pending`);
    await expectListed(page, server.url, { state: 'pending' });
    // A click anywhere on the row opens the invoice.
    await page.getByRole('cell', { name: 'Acme Analytics S.r.l.' }).click();
    await page.getByRole('heading', { level: 1, name: `Invoice ${invoice.friendly_id}` }).waitFor();
    assert.match(new URL(page.url()).hash, new RegExp(`^#/invoices/${invoice.id}\\?state=pending$`));

    const detail = await rpc(server.url, 'get_invoice', { id: invoice.id });
    assert.equal(await page.getByTestId('invoice-state').innerText(), 'Pending');

    // The lines, as given.
    const lines = await cells(page.getByRole('table', { name: 'Line items' }));
    assert.deepEqual(
      lines,
      detail.line_items.map((line) => [
        line.description ? `${line.name}\n${line.description}` : line.name,
        new Intl.NumberFormat('en-GB', { maximumFractionDigits: 4 }).format(line.quantity),
        euro(line.cost),
      ]),
    );
    assert.deepEqual(
      lines.map((line) => line[2]),
      ['€49.90', '€15.2301', '-€5.00'],
    );
    assert.equal(lines[1][1], '15,230');

    // The totals, exactly the engine's (22% VAT: net, VAT, total as charged).
    assert.deepEqual(await totalsShown(page), [
      ['Total cost (without VAT)', euro(detail.invoice.totals.charged_without_vat)],
      ['Total VAT amount (22%)', euro(detail.invoice.totals.charged_vat)],
      ['Total cost (VAT 22% included)', euro(detail.invoice.totals.total)],
    ]);
    assert.deepEqual(
      (await totalsShown(page)).map(([, amount]) => amount),
      ['€60.13', '€13.23', '€73.36'],
    );

    // The details block and the parties.
    const facts = page.getByRole('definition');
    assert.ok((await facts.allInnerTexts()).includes('22%'));
    await page.getByRole('region', { name: 'Issued by' }).getByText('Northwind APIs B.V.').waitFor();
    await page.getByRole('region', { name: 'For' }).getByText('IT01234567890').waitFor();

    // Regenerate: a new generated time, the engine's.
    const status = page.getByTestId('pdf-status');
    const before = await status.locator('time').getAttribute('datetime');
    assert.equal(before, detail.pdf.generated_at, 'issuing made the PDF');
    await page.waitForTimeout(1100); // the next second, so the time shown must change
    await page.getByRole('button', { name: 'Regenerate PDF' }).click();
    await page.getByRole('status').filter({ hasText: 'PDF regenerated' }).waitFor();
    await page.waitForFunction(
      ([element, old]) => element.getAttribute('datetime') !== old,
      [await status.locator('time').elementHandle(), before],
    );
    const regenerated = await rpc(server.url, 'get_invoice', { id: invoice.id });
    assert.notEqual(regenerated.pdf.generated_at, before);
    assert.equal(await status.locator('time').getAttribute('datetime'), regenerated.pdf.generated_at);
    assert.equal(
      await status.locator('time').innerText(),
      new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Rome' }).format(
        new Date(regenerated.pdf.generated_at),
      ),
    );
    await screenshot(page, 'invoice-detail');
    await page.screenshot({ path: '/tmp/invoice-detail.png', fullPage: true });

    // Save PDF…: a download named after the invoice, a real PDF that says its ID.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save PDF…' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `invoice-${invoice.friendly_id}.pdf`);
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF');
    assert.equal(bytes.length, regenerated.pdf.size_bytes, 'the stored PDF, byte for byte in size');
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.ok(text.includes(invoice.friendly_id), `the PDF names ${invoice.friendly_id}:\n${text}`);
    assert.match(text, /73\.36/);
    await page.getByRole('status').filter({ hasText: `Downloaded invoice-${invoice.friendly_id}.pdf` }).waitFor();

    // Open PDF: a new tab with the PDF.
    const [tab] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: 'Open PDF' }).click(),
    ]);
    await tab.waitForURL(/^blob:/);
    assert.ok(tab.url().startsWith(`blob:${new URL(server.url).origin}/`), tab.url());
    // The tab holds a PDF document (Chromium's viewer). Its bytes cannot be read back here (the
    // app's CSP allows no fetch of blob: URLs); they are the bytes pdf.test.ts checks.
    assert.equal(await tab.evaluate(() => document.contentType), 'application/pdf');
    await tab.close();
    await page.getByRole('status').filter({ hasText: 'PDF opened in a new tab' }).waitFor();
    assert.deepEqual(realProblems(problems), []);
  });

  it('adds a line to an open invoice, refusing a bad cost next to the field, then issues it', async () => {
    const { invoice } = book.open;
    await page.goto(`${server.url}#/invoices/${invoice.id}`);
    await page.getByRole('heading', { level: 1, name: `Invoice ${invoice.friendly_id}` }).waitFor();
    await page.getByText('No PDF yet').waitFor();
    const form = page.getByRole('form', { name: 'Add a line' });
    const cost = form.getByLabel('Cost', { exact: true });

    // Not a number: refused before the engine is asked.
    await form.getByLabel('Name').fill('Onboarding workshop');
    await form.getByLabel('Description', { exact: true }).fill('Two days on site');
    await cost.fill('abc');
    await form.getByRole('button', { name: 'Add line' }).click();
    await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await cost.elementHandle());
    const notANumber = await errorNextTo(cost);
    assert.equal(notANumber.nextToControl, true);
    assert.equal(notANumber.visible, true);
    assert.match(notANumber.message, /cost/i);

    // A number the engine refuses: its message, at the same place.
    await cost.fill('2000000000000');
    await cost.press('Enter');
    await page.waitForFunction(
      ([element, old]) => element.closest('.field').querySelector('.error')?.textContent.trim() !== old,
      [await cost.elementHandle(), notANumber.message],
    );
    const tooLarge = await errorNextTo(cost);
    assert.equal(tooLarge.nextToControl, true);
    assert.match(tooLarge.message, /too large/i);
    assert.equal((await rpc(server.url, 'get_invoice', { id: invoice.id })).line_items.length, 1, 'nothing was added');

    // A good cost: the line and the new totals.
    await cost.fill('1250.00');
    await cost.press('Enter');
    const lines = page.getByRole('table', { name: 'Line items' }).locator('tbody tr');
    await lines.nth(1).waitFor();
    assert.equal((await errorNextTo(cost)).invalid, false);
    assert.equal(await cost.inputValue(), '', 'the form is ready for the next line');
    const after = await rpc(server.url, 'get_invoice', { id: invoice.id });
    assert.equal(after.line_items.length, 2);
    assert.equal(after.invoice.totals.total, '1585.88'); // (49.90 + 1250.00) × 1.22, rounded as §1 says
    assert.deepEqual(await totalsShown(page), [
      ['Total cost (without VAT)', euro(after.invoice.totals.charged_without_vat)],
      ['Total VAT amount (22%)', euro(after.invoice.totals.charged_vat)],
      ['Total cost (VAT 22% included)', '€1,585.88'],
    ]);
    assert.match(await lines.nth(1).innerText(), /Onboarding workshop\s+Two days on site\s+1\s+€1,250\.00/);
    // Every cell, the Delete button's too, fills its row: the rows' lines run straight across.
    const cellHeights = await lines.evaluateAll((rows) =>
      rows.map((row) => [...row.cells].map((cell) => cell.offsetHeight - row.offsetHeight)),
    );
    assert.deepEqual(cellHeights, cellHeights.map((row) => row.map(() => 0)));

    // Issue it: pending, dated, and the PDF made.
    await page.getByRole('button', { name: 'Issue invoice' }).click();
    await page.getByText(`Invoice ${invoice.friendly_id} issued.`).waitFor();
    assert.equal(await page.getByTestId('invoice-state').innerText(), 'Pending');
    await page.getByTestId('pdf-status').getByText('PDF generated').waitFor();
    const issued = await rpc(server.url, 'get_invoice', { id: invoice.id });
    assert.equal(issued.invoice.state, 'pending');
    assert.ok(issued.pdf && issued.pdf.size_bytes > 0 && issued.pdf.error === null);
    assert.equal(await page.getByRole('form', { name: 'Add a line' }).count(), 0, 'an issued invoice is no longer edited');
    assert.equal(await page.getByRole('button', { name: 'Charge' }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Mark as paid' }).count(), 1);
    await screenshot(page, 'invoice-issued');
    assert.deepEqual(realProblems(problems), []);
  });

  it('charges an unpaid invoice, says why the charge failed, then marks it paid', async () => {
    const { invoice } = book.unpaid;
    await page.goto(`${server.url}#/invoices/${invoice.id}`);
    await page.getByRole('heading', { level: 1, name: `Invoice ${invoice.friendly_id}` }).waitFor();
    assert.equal(await page.getByText('No payments recorded.').count(), 1);

    // Globex has no card on file: the gateway declines, the invoice stays unpaid.
    await page.getByRole('button', { name: 'Charge' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'failed' });
    await alert.waitFor();
    const charged = await rpc(server.url, 'get_invoice', { id: invoice.id });
    assert.equal(charged.invoice.state, 'unpaid');
    const [attempt] = charged.payment_transactions;
    assert.equal(attempt.success, false);
    assert.match(await alert.innerText(), new RegExp(`The charge of €296\\.31 failed.*The invoice stays unpaid\\.`, 's'));
    const payments = page.getByRole('table', { name: 'Payments' });
    assert.match(await payments.locator('tbody tr').first().innerText(), /Failed[\s\S]*€296\.31/);
    await screenshot(page, 'invoice-charge-declined');

    // A bank transfer, recorded by hand.
    await page.getByRole('button', { name: 'Mark as paid' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mark as paid' });
    assert.match(await dialog.innerText(), new RegExp(`€296\\.31 from Globex GmbH for invoice ${invoice.friendly_id}`));
    await dialog.getByLabel('Reference').fill('SEPA-2026-1121-0042');
    await screenshot(page, 'invoice-mark-paid');
    await dialog.getByRole('button', { name: 'Mark as paid' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Invoice ${invoice.friendly_id} marked as paid (reference SEPA-2026-1121-0042).`).waitFor();
    assert.equal(await page.getByTestId('invoice-state').innerText(), 'Paid');
    const paid = await rpc(server.url, 'get_invoice', { id: invoice.id });
    assert.equal(paid.invoice.state, 'paid');
    assert.equal(paid.payment_transactions.at(-1).reference, 'SEPA-2026-1121-0042');
    await payments.getByText('SEPA-2026-1121-0042').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Charge' }).count(), 0, 'nothing left to charge');
    assert.deepEqual(realProblems(problems), []);
  });

  it('warns about an invoice ID used twice and asks before cancelling', async () => {
    const { invoice } = book.empty;
    const taken = book.open.invoice.friendly_id;
    await page.goto(`${server.url}#/invoices/${invoice.id}`);
    await page.getByRole('heading', { level: 1, name: `Invoice ${invoice.friendly_id}` }).waitFor();
    await page.getByText('Total cost', { exact: true }).waitFor(); // no VAT: one row

    await page.getByRole('button', { name: 'Change ID or month' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change invoice ID or month' });
    await dialog.getByLabel('Invoice ID').fill(taken);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { level: 1, name: `Invoice ${taken}` }).waitFor();
    const [warning] = (await rpc(server.url, 'get_invoice', { id: invoice.id })).warnings;
    assert.match(warning, /already in use/);
    await page.getByText(warning).waitFor();

    await page.getByRole('button', { name: 'Cancel invoice' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Cancel invoice' });
    await confirm.getByRole('button', { name: 'Keep invoice' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await rpc(server.url, 'get_invoice', { id: invoice.id })).invoice.state, 'open', 'not cancelled');

    await page.getByRole('button', { name: 'Cancel invoice' }).click();
    await confirm.getByRole('button', { name: 'Cancel invoice' }).click();
    await page.getByText(`Invoice ${taken} cancelled.`).waitFor();
    assert.equal(await page.getByTestId('invoice-state').innerText(), 'Cancelled');
    assert.equal((await rpc(server.url, 'get_invoice', { id: invoice.id })).invoice.state, 'cancelled');
    assert.deepEqual(realProblems(problems), []);
  });

  it('says why a PDF could not be made, naming the character', async () => {
    const buyer = await rpc(server.url, 'create_account', { org_name: 'บริษัท สยามเทค จำกัด', vat_rate: null });
    const created = await rpc(server.url, 'create_invoice', { account_id: buyer.id, period: '2026-10' });
    await rpc(server.url, 'add_line_item', { invoice_id: created.invoice.id, name: 'Fixed fee', cost: '10' });
    const issued = await rpc(server.url, 'transition_invoice', { id: created.invoice.id, state: 'pending' });
    assert.match(issued.pdf.error, /U\+/);

    await page.goto(`${server.url}#/invoices/${created.invoice.id}`);
    const status = page.getByTestId('pdf-status');
    await status.getByText('The PDF could not be made').waitFor();
    assert.ok((await status.innerText()).includes(issued.pdf.error), 'the engine’s reason, as it is');
    assert.equal(await page.getByRole('button', { name: 'Regenerate PDF' }).count(), 1);

    // Saving makes it again, fails the same way, and says so.
    await page.getByRole('button', { name: 'Save PDF…' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'cannot be made' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /U\+[0-9A-F]{4}/);
    assert.deepEqual(realProblems(problems), []);
  });

  it('sorts by a column on the server, filters by buyer, and opens a row from the keyboard', async () => {
    await page.goto(`${server.url}#/invoices`);
    await expectListed(page, server.url, {});
    const table = page.getByRole('table', { name: 'Invoices' });
    const header = (name) => table.getByRole('columnheader', { name });

    // Total: largest first, then smallest first; the order is the engine's (VAT included).
    await header('Total').getByRole('button').click();
    const largest = await expectListed(page, server.url, { sort: 'total', descending: true });
    assert.equal(await header('Total').getAttribute('aria-sort'), 'descending');
    assert.match(new URL(page.url()).hash, /sort=total&desc=1/, 'the sort is in the URL');
    const totals = await table.locator('tbody tr[aria-rowindex] td:last-child').allInnerTexts();
    const engine = (await rpc(server.url, 'list_invoices', { sort: 'total', descending: true })).items;
    assert.deepEqual(totals, engine.map((invoice) => euro(invoice.totals.total)));
    await header('Total').getByRole('button').click();
    const smallest = await expectListed(page, server.url, { sort: 'total', descending: false });
    // The id breaks ties in the same direction, so one order is exactly the other reversed.
    assert.deepEqual(smallest, [...largest].reverse());
    assert.equal(await header('Total').getAttribute('aria-sort'), 'ascending');
    assert.equal(await header('Buyer').getAttribute('aria-sort'), 'none');

    // Buyer: A to Z, and it survives a reload.
    await header('Buyer').getByRole('button').click();
    const byBuyer = await expectListed(page, server.url, { sort: 'buyer', descending: false });
    const buyers = await table.locator('tbody tr[aria-rowindex] td:nth-child(2)').allInnerTexts();
    assert.deepEqual(buyers, [...buyers].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
    await page.reload();
    assert.deepEqual(await expectListed(page, server.url, { sort: 'buyer', descending: false }), byBuyer);

    // The buyer search (name or VAT code), with the sort kept.
    await page.getByLabel('Buyer').fill('globex');
    const globex = await expectListed(page, server.url, { buyer_query: 'globex', sort: 'buyer', descending: false });
    assert.ok(globex.length >= 1);
    await page.getByLabel('Buyer').fill('DE1234');
    assert.deepEqual(await expectListed(page, server.url, { buyer_query: 'DE1234', sort: 'buyer' }), globex);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectListed(page, server.url, { sort: 'buyer' });
    assert.equal(await page.getByLabel('Buyer').inputValue(), '');

    // Keyboard: Tab reaches the first row's link, arrows move, Enter opens.
    await header('Total').getByRole('button').focus();
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(await focused(), byBuyer[0]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), byBuyer[2]);
    await page.keyboard.press('ArrowUp');
    assert.equal(await focused(), byBuyer[1]);
    await page.keyboard.press('End');
    assert.equal(await focused(), byBuyer.at(-1));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Invoice ${byBuyer.at(-1)}` }).waitFor();
    assert.deepEqual(realProblems(problems), []);
  });

  it('exports the list as filtered and sorted to CSV, amounts exact', async () => {
    await page.goto(`${server.url}#/invoices?month=2026-10&sort=total&desc=1`);
    const filter = { period: '2026-10', sort: 'total', descending: true };
    await expectListed(page, server.url, filter);
    // Only the rows scroll: the list fits the window, so the page has no scrollbar of its own.
    const pageOverflow = () => page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
    assert.equal(await pageOverflow(), 0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'invoices-2026-10.csv');
    const file = path.join(downloads, 'export.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    const expected = (await rpc(server.url, 'list_invoices', filter)).items;
    const lines = text.split('\r\n');
    assert.equal(lines[0], 'Invoice ID,Buyer,Month,State,Created,Issued on,Due on,Paid at,Currency,VAT rate (%),Total without VAT,VAT,Total');
    assert.equal(lines.length, expected.length + 2, 'a header, a line per invoice, and the final line break');
    for (const [i, invoice] of expected.entries()) {
      const fields = lines[i + 1].split(',');
      assert.equal(fields[0], invoice.friendly_id);
      assert.equal(fields[3], invoice.state);
      assert.deepEqual(fields.slice(-3), [invoice.totals.charged_without_vat, invoice.totals.charged_vat, invoice.totals.total]);
    }
    // The issued October invoice: exactly the engine's figures (not €-formatted, not floats).
    assert.ok(lines.some((line) => line.startsWith(`${book.issued.invoice.friendly_id},Acme Analytics S.r.l.,2026-10,`) && line.endsWith(',EUR,22,60.13,13.23,73.36')), text);
    await page.getByRole('status').filter({ hasText: `Exported ${expected.length} invoices to invoices-2026-10.csv.` }).waitFor();
    // The notice above the list moved it down: it still fits the window.
    await page.waitForFunction(() => document.documentElement.scrollHeight === window.innerHeight);
    assert.equal(await pageOverflow(), 0);
    assert.deepEqual(realProblems(problems), []);
  });

  it('generates the PDFs of the list as filtered in one batch: asks, shows progress, sums up, and can be cancelled', async () => {
    // A month of its own: five issued invoices, one whose buyer's name the PDF fonts cannot
    // draw (issued without a PDF), and an open one (left out: it gets its PDF when issued).
    const period = '2027-02';
    const batchBuyer = await rpc(server.url, 'create_account', { org_name: 'Batch Works Ltd', vat_rate: '21' });
    const thaiBuyer = await rpc(server.url, 'create_account', { org_name: 'บริษัท แบทช์ จำกัด', vat_rate: null });
    const make = async (buyer, steps) => {
      const created = await rpc(server.url, 'create_invoice', { account_id: buyer.id, period });
      await rpc(server.url, 'add_line_item', { invoice_id: created.invoice.id, name: 'Fixed fee', cost: '120' });
      for (const state of steps) {
        if (state === 'paid') await rpc(server.url, 'mark_invoice_paid', { id: created.invoice.id });
        else await rpc(server.url, 'transition_invoice', { id: created.invoice.id, state });
      }
      return rpc(server.url, 'get_invoice', { id: created.invoice.id });
    };
    const issued = [];
    for (const steps of [['pending'], ['pending', 'paid'], ['pending', 'unpaid'], ['pending'], ['pending', 'paid']]) {
      issued.push(await make(batchBuyer, steps));
    }
    const unprintable = await make(thaiBuyer, ['pending']);
    assert.match(unprintable.pdf.error, /U\+/);
    const open = await make(batchBuyer, []);
    assert.equal(open.pdf, null);
    // A new footnote: every PDF issuing made is now out of date.
    const footnote = async (text) => {
      const settings = await rpc(server.url, 'get_settings');
      await rpc(server.url, 'update_settings', { ...settings, invoice_footnote: text });
    };
    const footnotes = async () =>
      Promise.all(issued.map(async ({ invoice }) => (await rpc(server.url, 'get_invoice', { id: invoice.id })).pdf.settings.invoice_footnote));
    const original = (await rpc(server.url, 'get_settings')).invoice_footnote;
    await footnote('Batch one: pay within 14 days.');

    // Each PDF takes a moment, as on a large book, so the progress can be seen and cancelled.
    let pdfDelayMs = 300;
    await page.route(/\/rpc\/(re)?generate_invoice_pdf$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, pdfDelayMs));
      await route.continue();
    });

    await page.goto(`${server.url}#/invoices?month=${period}`);
    assert.equal((await expectListed(page, server.url, { period })).length, 7);
    await page.getByRole('button', { name: 'Generate PDFs' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate PDFs' });
    await dialog.waitFor();
    const asked = await dialog.innerText();
    assert.match(asked, /Make the PDFs of 6 invoices in this list with the current invoice settings/);
    assert.match(asked, /1 whose last PDF could not be made/);
    assert.match(asked, /5 with a PDF made before the invoice settings changed \(they are replaced\)/);
    assert.match(asked, /Left as they are: 1 open or finalized/);
    await screenshot(page, 'invoices-pdf-batch-confirm');

    // Cancel in the dialog: nothing is made.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(await footnotes(), Array(5).fill(original), 'no PDF was made yet');

    await page.getByRole('button', { name: 'Generate PDFs' }).click();
    await dialog.getByRole('button', { name: 'Generate 6 PDFs' }).click();
    await dialog.waitFor({ state: 'detached' });
    const progress = page.getByRole('status').filter({ hasText: /Generated [1-5] of 6 PDFs…/ });
    await progress.waitFor();
    assert.equal(await progress.locator('progress').getAttribute('max'), '6');
    assert.equal(await page.getByRole('button', { name: 'Generate PDFs' }).isDisabled(), true, 'one batch at a time');
    await screenshot(page, 'invoices-pdf-batch-progress');

    // The summary, and the invoice that could not be made with the engine's reason.
    await page.getByRole('status').filter({ hasText: '5 PDFs generated, 1 failed.' }).waitFor({ timeout: 20_000 });
    await progress.waitFor({ state: 'detached' });
    const summary = page.locator('.pdf-summary');
    const failure = summary.getByRole('listitem');
    assert.equal(await failure.count(), 1);
    assert.match(await failure.innerText(), new RegExp(`^${unprintable.invoice.friendly_id}: The PDF of invoice .*U\\+[0-9A-F]{4}`));
    await screenshot(page, 'invoices-pdf-batch-summary');
    assert.deepEqual(await footnotes(), Array(5).fill('Batch one: pay within 14 days.'), 'every issued invoice has the new PDF');
    assert.equal((await rpc(server.url, 'get_invoice', { id: open.invoice.id })).pdf, null, 'the open invoice was left out');

    // One of them, opened from the list: its PDF is there, made now, and up to date.
    const [first] = issued;
    const made = await rpc(server.url, 'get_invoice', { id: first.invoice.id });
    assert.equal(made.pdf.error, null);
    await page.getByRole('table', { name: 'Invoices' }).getByRole('link', { name: first.invoice.friendly_id }).click();
    await page.getByRole('heading', { level: 1, name: `Invoice ${first.invoice.friendly_id}` }).waitFor();
    const status = page.getByTestId('pdf-status');
    await status.getByText('PDF generated').waitFor();
    assert.equal(await status.locator('time').getAttribute('datetime'), made.pdf.generated_at);
    assert.doesNotMatch(await status.innerText(), /Made before/, 'no longer out of date');
    assert.equal(await page.getByRole('button', { name: 'Regenerate PDF' }).count(), 1);

    // Again, and cancelled: it stops after the invoice in progress; what was made stays.
    await footnote('Batch two: pay within 30 days.');
    pdfDelayMs = 700;
    await page.goBack();
    await expectListed(page, server.url, { period });
    await page.getByRole('button', { name: 'Generate PDFs' }).click();
    await dialog.getByRole('button', { name: 'Generate 6 PDFs' }).click();
    await page.getByRole('status').filter({ hasText: /Generated 2 of 6 PDFs…/ }).waitFor();
    await page.getByRole('button', { name: 'Cancel PDFs' }).click();
    const cancelled = page.getByRole('status').filter({ hasText: /^Cancelled after \d of 6 invoices: / });
    await cancelled.waitFor();
    const [, done, generated] = (await cancelled.innerText()).match(/^Cancelled after (\d) of 6 invoices: (\d) PDFs? generated/);
    assert.ok(Number(done) >= 2 && Number(done) < 6, `stopped early: ${done}`);
    await screenshot(page, 'invoices-pdf-batch-cancelled');
    await page.waitForTimeout(1000); // nothing more comes after the summary
    const after = await footnotes();
    assert.equal(after.filter((text) => text.startsWith('Batch two')).length, Number(generated), after.join(' | '));
    assert.equal(after.filter((text) => text.startsWith('Batch one')).length, 5 - Number(generated));

    assert.deepEqual(realProblems(problems), []);
  });

  it('offers in each state only the actions the engine allows', async () => {
    const buyer = await rpc(server.url, 'create_account', { org_name: 'States Ltd', vat_rate: '10' });
    const made = async (steps) => {
      const created = await rpc(server.url, 'create_invoice', { account_id: buyer.id, period: '2026-11' });
      await rpc(server.url, 'add_line_item', { invoice_id: created.invoice.id, name: 'Fee', cost: '10' });
      for (const state of steps) {
        if (state === 'paid') await rpc(server.url, 'mark_invoice_paid', { id: created.invoice.id });
        else await rpc(server.url, 'transition_invoice', { id: created.invoice.id, state });
      }
      return created.invoice;
    };
    const cases = [
      ['open', [], ['Change ID or month', 'Finalize', 'Issue invoice', 'Cancel invoice'], true],
      ['finalized', ['finalized'], ['Change ID or month', 'Issue invoice', 'Cancel invoice'], true],
      ['pending', ['pending'], ['Charge', 'Mark as paid', 'Mark as unpaid', 'Cancel invoice'], false],
      ['unpaid', ['pending', 'unpaid'], ['Charge', 'Mark as paid', 'Mark as failed', 'Cancel invoice'], false],
      ['failed', ['pending', 'unpaid', 'failed'], ['Charge', 'Mark as paid', 'Cancel invoice'], false],
      ['paid', ['pending', 'paid'], [], false],
      ['cancelled', ['cancelled'], [], false],
    ];
    for (const [state, steps, expected, editable] of cases) {
      const invoice = await made(steps);
      await page.goto(`${server.url}#/invoices/${invoice.id}`);
      await page.getByRole('heading', { level: 1, name: `Invoice ${invoice.friendly_id} for November 2026` }).waitFor();
      assert.equal(await page.getByTestId('invoice-state').innerText(), state[0].toUpperCase() + state.slice(1));
      const buttons = await page.getByRole('group', { name: 'Invoice actions' }).getByRole('button').allInnerTexts();
      assert.deepEqual(buttons, expected, `${state}: the actions`);
      assert.equal(await page.getByRole('form', { name: 'Add a line' }).count(), editable ? 1 : 0, `${state}: adding lines`);
      assert.equal(await page.getByRole('button', { name: /^Delete line/ }).count(), editable ? 1 : 0, `${state}: deleting lines`);
      // The PDF can be made, opened and saved in every state.
      assert.equal(await page.getByRole('button', { name: /^(Generate|Regenerate) PDF$/ }).count(), 1);
      assert.match(await page.getByTestId('creation-type').innerText(), /Manually created/);
    }
    await screenshot(page, 'invoice-detail-cancelled');
    assert.deepEqual(realProblems(problems), []);
  });

  it('refuses to edit an invoice issued meanwhile: the error shows and nothing changes', async () => {
    const buyer = await rpc(server.url, 'create_account', { org_name: 'Meanwhile GmbH', vat_rate: '19' });
    const created = await rpc(server.url, 'create_invoice', { account_id: buyer.id, period: '2026-11' });
    const { id, friendly_id: friendlyId } = created.invoice;
    await rpc(server.url, 'add_line_item', { invoice_id: id, name: 'Fixed fee', cost: '100' });
    await page.goto(`${server.url}#/invoices/${id}`);
    await page.getByRole('heading', { level: 1, name: `Invoice ${friendlyId}` }).waitFor();
    const form = page.getByRole('form', { name: 'Add a line' });
    await form.waitFor();

    // Issued in another window while this one still shows the form.
    await rpc(server.url, 'transition_invoice', { id, state: 'pending' });
    await form.getByLabel('Name').fill('Late extra');
    await form.getByLabel('Cost', { exact: true }).fill('50');
    await form.getByRole('button', { name: 'Add line' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /issued|pending|cannot|only/i });
    await alert.waitFor();
    const after = await rpc(server.url, 'get_invoice', { id });
    assert.equal(after.line_items.length, 1, 'no line was added');
    assert.equal(after.invoice.totals.total, '119.00');
    // The view now shows the invoice as it is: issued, no more editing.
    await page.getByTestId('invoice-state').filter({ hasText: 'Pending' }).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Add a line' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Change ID or month' }).count(), 0);
    await screenshot(page, 'invoice-edit-refused');

    // The same for the ID: the dialog was open when the invoice was issued.
    const other = await rpc(server.url, 'create_invoice', { account_id: buyer.id, period: '2026-11' });
    await page.goto(`${server.url}#/invoices/${other.invoice.id}`);
    await page.getByRole('button', { name: 'Change ID or month' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change invoice ID or month' });
    await rpc(server.url, 'transition_invoice', { id: other.invoice.id, state: 'pending' });
    await dialog.getByLabel('Invoice ID').fill('2026-11-99999999');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByRole('alert').waitFor();
    assert.equal((await rpc(server.url, 'get_invoice', { id: other.invoice.id })).invoice.friendly_id, other.invoice.friendly_id);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('invoice-state').filter({ hasText: 'Pending' }).waitFor();
    assert.deepEqual(realProblems(problems).filter((p) => !/status of 409/.test(p)), []);
  });

  it('follows the system’s dark theme on the list and the invoice', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.goto(`${server.url}#/invoices?sort=total&desc=1`);
    await expectListed(page, server.url, { sort: 'total', descending: true });
    const light = await background();
    await screenshot(page, 'invoices-list-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction((before) => getComputedStyle(document.body).backgroundColor !== before, light);
    await screenshot(page, 'invoices-list-dark');
    await page.goto(`${server.url}#/invoices/${book.issued.invoice.id}`);
    await page.getByRole('heading', { level: 1, name: `Invoice ${book.issued.invoice.friendly_id} for October 2026` }).waitFor();
    assert.notEqual(await background(), light);
    await screenshot(page, 'invoice-detail-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'invoice-detail-light');
    assert.deepEqual(realProblems(problems), []);
  });

  it('scrolls through a long list with only the rows in view in the page', async () => {
    const buyer = await rpc(server.url, 'create_account', { org_name: 'Volume Corp', vat_rate: null });
    for (let n = 0; n < 450; n++) await rpc(server.url, 'create_invoice', { account_id: buyer.id, period: '2026-08' });
    await page.goto(`${server.url}#/invoices`);
    const expected = await rpc(server.url, 'list_invoices', { per_page: 500 });
    assert.ok(expected.total > 450);
    await page.getByTestId('invoice-count').filter({ hasText: `${expected.total.toLocaleString('en-GB')} invoices` }).waitFor();
    const table = page.getByRole('table', { name: 'Invoices' });
    assert.equal(await table.getAttribute('aria-rowcount'), String(expected.total + 1));
    const rendered = await table.locator('tbody tr[aria-rowindex]').count();
    assert.ok(rendered > 10 && rendered < 60, `${rendered} rows in the page`);

    // To the end with the keyboard: the last invoice, fetched from its page of 200.
    await table.locator('tbody tr[aria-rowindex] a[href]').first().focus();
    await page.keyboard.press('End');
    const last = expected.items.at(-1);
    await table.locator(`tr[aria-rowindex="${expected.total + 1}"]`).getByText(last.friendly_id).waitFor();
    assert.ok((await table.locator('tbody tr[aria-rowindex]').count()) < 60);
    await page.waitForFunction((id) => document.activeElement?.textContent?.trim() === id, last.friendly_id);
    // The middle, by scrolling: the rows there are the engine's rows there.
    await page.locator('.scroller').evaluate((box) => (box.scrollTop = box.scrollHeight / 2));
    // A row a few below the middle is in view there (found by its index: which row is "the
    // 13th rendered" changes while the jump settles).
    const index = Math.floor(expected.total / 2) + 5;
    const middle = table.locator(`tr[aria-rowindex="${index + 2}"]`);
    await middle.locator('a[href]').waitFor();
    assert.equal(await middle.locator('td').first().innerText(), expected.items[index].friendly_id);
    // The focused row stayed rendered, out of view, and still shows its own invoice.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), last.friendly_id);
    await screenshot(page, 'invoices-list-long');
    assert.deepEqual(realProblems(problems), []);
  });
});
