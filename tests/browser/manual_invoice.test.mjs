// A manual invoice in a real Chromium against a real `counterfoil serve`, as a finance user
// makes one (seed 002 §16.4.3): "New invoice" on an account page and in the invoice
// list, the month and lines typed in, mistakes shown next to the line they are in, the new
// invoice opened, issued and its PDF read back with pdftotext.
// Run from the repo root: node --test tests/browser/manual_invoice.test.mjs
// Leaves screenshots in artifacts/browser/manual-invoice-*.png.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { launchBrowser, screenshot } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { errorNextTo, realProblems, rpc } from '../support/ui.mjs';

const address = (line1, city, zip, country) => ({ line1, line2: '', city, state: '', zip, country });

/** The rows of the line items table as [name (and description), quantity, cost] texts. */
async function linesShown(page) {
  return page
    .getByRole('table', { name: 'Line items' })
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 3).map((cell) => cell.innerText.trim())));
}

describe('A manual invoice', () => {
  let server;
  let browser;
  let page;
  let problems;
  let acme;
  let downloads;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    const settings = await rpc(server.url, 'get_settings');
    await rpc(server.url, 'update_settings', {
      ...settings,
      org_name: 'Northwind APIs B.V.',
      address: address('Herengracht 182', 'Amsterdam', '1016 BR', 'Netherlands'),
      currency: 'EUR',
    });
    acme = await rpc(server.url, 'create_account', {
      org_name: 'Acme Analytics S.r.l.',
      vat_rate: '22',
      legal_address: address('Via Roma 1', 'Milano', '20121', 'IT'),
    });
    await rpc(server.url, 'create_account', {
      org_name: 'Globex GmbH',
      vat_rate: '19',
      legal_address: address('Hauptstraße 5', 'Berlin', '10115', 'DE'),
    });
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

  it('is made from the account page with its lines, issued, and its PDF says what was typed', async () => {
    await page.goto(`${server.url}#/accounts/${acme.id}`);
    await page.getByRole('heading', { level: 1, name: 'Acme Analytics S.r.l.' }).waitFor();
    await page.getByRole('button', { name: 'New invoice…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New invoice for Acme Analytics S.r.l.' });
    await dialog.getByLabel('Month').fill('2026-05');
    await dialog.getByLabel('Line 1 Name').fill('Integration workshop');
    await dialog.getByLabel('Line 1 Description', { exact: true }).fill('Two days on site, Milano');
    await dialog.getByLabel('Line 1 Quantity', { exact: true }).fill('2');
    await dialog.getByLabel('Line 1 Cost', { exact: true }).fill('1 800,00');
    await dialog.getByRole('button', { name: 'Add another line' }).click();
    await dialog.getByLabel('Line 2 Name').fill('Goodwill credit');
    await dialog.getByLabel('Line 2 Cost', { exact: true }).fill('ten');
    await screenshot(page, 'manual-invoice-dialog');

    // A cost that is not an amount: said next to that line's cost, nothing made.
    await dialog.getByRole('button', { name: 'Create invoice' }).click();
    const badCost = await errorNextTo(dialog.getByLabel('Line 2 Cost', { exact: true }));
    assert.ok(badCost.invalid && badCost.nextToControl && badCost.visible, JSON.stringify(badCost));
    assert.match(badCost.message, /cost as an amount/);
    assert.equal((await rpc(server.url, 'list_invoices', {})).total, 0, 'nothing was made');

    // The engine's own refusal (more than 4 decimals) also lands next to the line's field.
    await dialog.getByLabel('Line 2 Cost', { exact: true }).fill('-150.00001');
    await dialog.getByRole('button', { name: 'Create invoice' }).click();
    const engineError = await errorNextTo(dialog.getByLabel('Line 2 Cost', { exact: true }));
    assert.ok(engineError.invalid && engineError.nextToControl, JSON.stringify(engineError));
    assert.match(engineError.message, /4 decimal places/);
    assert.equal((await rpc(server.url, 'list_invoices', {})).total, 0, 'still nothing made');

    await dialog.getByLabel('Line 2 Cost', { exact: true }).fill('-150');
    await dialog.getByRole('button', { name: 'Create invoice' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The usual invoice view, of the new invoice.
    const made = (await rpc(server.url, 'list_invoices', {})).items;
    assert.equal(made.length, 1);
    const [invoice] = made;
    assert.equal(invoice.period, '2026-05');
    assert.equal(invoice.creation_type, 'manual');
    await page.getByRole('heading', { level: 1, name: `Invoice ${invoice.friendly_id} for May 2026` }).waitFor();
    assert.equal(await page.getByTestId('invoice-state').innerText(), 'Open');
    assert.deepEqual(await linesShown(page), [
      ['Integration workshop\nTwo days on site, Milano', '2', '€1,800.00'],
      ['Goodwill credit', '1', '-€150.00'],
    ]);
    const detail = await rpc(server.url, 'get_invoice', { id: invoice.id });
    assert.equal(detail.invoice.totals.total, '2013.00', '1 650.00 net + 22% VAT');
    await screenshot(page, 'manual-invoice-open');

    // Issued, its PDF has the lines and the total.
    await page.getByRole('button', { name: 'Issue invoice' }).click();
    await page.getByText(`Invoice ${invoice.friendly_id} issued.`).waitFor();
    await page.getByTestId('pdf-status').getByText('PDF generated').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save PDF…' }).click()]);
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    for (const expected of [invoice.friendly_id, 'Integration workshop', 'Goodwill credit', '1,800.00', '-150.00', '2,013.00']) {
      assert.ok(text.includes(expected), `the PDF says ${expected}:\n${text}`);
    }
    assert.deepEqual(realProblems(problems), []);
  });

  it('is made from the invoice list for a buyer found by name', async () => {
    await page.goto(`${server.url}#/invoices`);
    await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
    await page.getByRole('button', { name: 'New invoice…' }).click();
    const dialog = page.getByRole('dialog', { name: 'New invoice' });

    // No buyer chosen: said next to the buyer.
    await dialog.getByLabel('Line 1 Name').fill('Annual support');
    await dialog.getByLabel('Line 1 Cost', { exact: true }).fill('1200');
    await dialog.getByRole('button', { name: 'Create invoice' }).click();
    const noBuyer = await errorNextTo(dialog.getByLabel('Buyer', { exact: true }));
    assert.ok(noBuyer.invalid && noBuyer.nextToControl, JSON.stringify(noBuyer));

    // Typing narrows the buyers down to one, which is then chosen.
    await dialog.getByLabel('Find a buyer').fill('glob');
    await page.waitForFunction(
      () => [...document.querySelectorAll('dialog select option')].map((o) => o.textContent).join('|') === 'Choose a buyer…|Globex GmbH',
    );
    assert.equal(await dialog.getByLabel('Buyer', { exact: true }).inputValue(), (await rpc(server.url, 'list_accounts', { search: 'Globex' })).items[0].id);
    await screenshot(page, 'manual-invoice-from-list');
    await dialog.getByRole('button', { name: 'Create invoice' }).click();
    await dialog.waitFor({ state: 'detached' });

    const globex = (await rpc(server.url, 'list_invoices', { buyer_query: 'Globex' })).items;
    assert.equal(globex.length, 1);
    await page.getByRole('heading', { level: 1, name: `Invoice ${globex[0].friendly_id}`, exact: false }).waitFor();
    assert.deepEqual(await linesShown(page), [['Annual support', '1', '€1,200.00']]);
    assert.deepEqual(realProblems(problems), []);
  });
});
