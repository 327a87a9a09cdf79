// The month-end workflow end to end, in a real Chromium against `counterfoil serve --clock`
// (a book on a simulated clock): a new buyer with VAT subscribed to a plan with pricing rules,
// January's usage imported from a CSV, billing run into February from the dashboard, the
// invoice found from the dashboard, a manual line added, issued, its PDF opened, marked paid,
// and the earnings table following every step. Plus the refusals on the way: an overlapping
// pricing rule, a bad CSV row, editing an issued invoice.
// Run from the repo root: node --test tests/browser/

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { createItalianBuyer, errorNextTo, realProblems, rpc } from '../support/ui.mjs';

const euro = (amount) =>
  new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(amount);

const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

/** The earnings table's row for `label` (e.g. "January 2025"): its cells as shown. */
async function earningsRow(page, label) {
  await page.goto(new URL('#/earnings', page.url()).href);
  const table = page.getByRole('table', { name: 'Earnings by month' });
  await table.waitFor();
  const row = table.getByRole('row', { name: new RegExp(label) });
  return row.locator('th, td').allInnerTexts();
}

describe('month end, from a new buyer to a paid invoice', () => {
  let server;
  let browser;
  let page;
  let problems;
  let plan;

  before(async () => {
    server = await startServer({ clock: '2025-01-01T00:00:00Z' });
    const settings = await rpc(server.url, 'get_settings');
    await rpc(server.url, 'update_settings', {
      ...settings,
      org_name: 'Northwind APIs B.V.',
      address: { line1: 'Herengracht 182', line2: '', city: 'Amsterdam', state: '', zip: '1016 BR', country: 'Netherlands' },
      currency: 'EUR',
      billing_mode: 'postpaid',
    });
    const service = await rpc(server.url, 'create_service', { name: 'Weather API' });
    plan = await rpc(server.url, 'create_plan', {
      service_id: service.id,
      name: 'Pro',
      setup_fee: '0',
      cost_per_month: '49',
      trial_period_days: 0,
      state: 'published',
    });
    browser = await launchBrowser();
    ({ page, problems } = await browser.newPage());
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('prices the plan with graduated rules and refuses an overlapping one', async () => {
    await page.goto(`${server.url}#/plans/${plan.id}`);
    await page.getByRole('heading', { level: 1, name: /Pro/ }).waitFor();
    const form = page.getByRole('form', { name: /rule/i });
    const addRule = async (min, max, cost) => {
      await form.getByLabel('From (min)').fill(min);
      await form.getByLabel('To (max)').fill(max);
      await form.getByLabel('Cost per unit').fill(cost);
      await form.getByRole('button', { name: 'Add rule' }).click();
    };
    const rules = page.getByRole('table', { name: 'Pricing rules' }).locator('tbody tr');
    await addRule('1', '1000', '0.01');
    await rules.nth(0).waitFor();
    await addRule('1001', '', '0.005');
    await rules.nth(1).waitFor();
    await addRule('500', '2000', '0.02');
    const error = page.getByText(/overlap/i).first();
    await error.waitFor();
    assert.equal(await rules.count(), 2, 'the overlapping rule was not added');
    const stored = await rpc(server.url, 'list_pricing_rules', { plan_id: plan.id });
    assert.equal(stored.length, 2);
    await screenshot(page, 'month-end-plan-overlap');
  });

  it('creates a buyer with VAT and subscribes it to the plan', async () => {
    await createItalianBuyer(page, server.url);

    await page.getByRole('button', { name: 'Subscribe to a plan…' }).click();
    const subscribe = page.getByRole('dialog', { name: /Subscribe/ });
    await subscribe.getByLabel('Plan').selectOption({ label: 'Pro — €49.00 per month' });
    await subscribe.getByLabel('Application name').fill('Checkout');
    await subscribe.getByLabel('Application name').press('Enter');
    await page.getByRole('table', { name: 'Applications' }).getByRole('row', { name: /Checkout/ }).waitFor();
    const accounts = await rpc(server.url, 'list_accounts', { search: 'Acme' });
    assert.equal(accounts.items[0].vat_rate, '22');
  });

  it('imports January usage from a CSV, refusing a file with a bad row first', async () => {
    // Into the month: usage can only be recorded up to the book's now.
    await rpc(server.url, 'advance_clock', { to: '2025-01-31T12:00:00Z' });
    const [account] = (await rpc(server.url, 'list_accounts', { search: 'Acme' })).items;
    const [app] = (await rpc(server.url, 'list_applications', { account_id: account.id })).items;
    await page.goto(`${server.url}#/accounts/${account.id}`);
    await page.getByRole('heading', { level: 1, name: 'Acme Analytics S.r.l.' }).waitFor();
    await page.getByRole('button', { name: 'Import usage (CSV)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import usage from a CSV file' });
    const preview = dialog.getByRole('table', { name: 'Usage rows to import' });

    const bad = `application,metric,timestamp,value\n${app.id},hits,2025-01-10T10:00:00Z,700\n${app.id},hits,2025-01-11T10:00:00Z,many\n`;
    await dialog.getByLabel('CSV file').setInputFiles(csvFile('bad.csv', bad));
    await preview.waitFor();
    await dialog.getByText('1 row has a problem').waitFor();
    assert.equal(await preview.locator('tr.invalid').count(), 1);
    assert.equal(await dialog.getByRole('button', { name: /^Import \d+ rows?$/ }).isDisabled(), true);
    assert.equal((await rpc(server.url, 'list_usage', { application_id: app.id })).total, 0, 'nothing imported');
    await screenshot(page, 'month-end-bad-csv');

    const good = `application,metric,timestamp,value\n${app.id},hits,2025-01-10T10:00:00Z,700\n${app.id},hits,2025-01-20T10:00:00Z,800\n`;
    await dialog.getByLabel('CSV file').setInputFiles(csvFile('january.csv', good));
    await dialog.getByText('Every row is valid.').waitFor();
    await dialog.getByRole('button', { name: 'Import 2 rows' }).click();
    await dialog.getByText(/Imported 2 usage records/).waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    assert.equal((await rpc(server.url, 'list_usage', { application_id: app.id })).total, 2);
  });

  let invoiceId;
  let friendlyId;

  it('runs billing into February and finds the invoice from the dashboard', async () => {
    await page.goto(`${server.url}#/dashboard`);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const clock = page.getByRole('region', { name: 'Simulated clock' });
    await clock.getByLabel('Move the clock to (UTC)').fill('2025-02-01 09:00');
    await clock.getByRole('button', { name: 'Move clock and bill' }).click();
    await clock.getByRole('status').filter({ hasText: /Billed 1 day:/ }).waitFor();
    await page.getByText('Today is').filter({ hasText: '1 Feb 2025' }).waitFor();

    const review = page.getByRole('region', { name: 'Invoices to review before they are issued' });
    const row = review.getByRole('row', { name: /2025-01-/ });
    await row.waitFor();
    // Finalized on 1 February, issued by the job of the 3rd (46 hours later).
    assert.match(await row.innerText(), /Finalized[\s\S]*3 Feb 2025/);
    await screenshot(page, 'month-end-dashboard');
    const [invoice] = (await rpc(server.url, 'list_invoices', { period: '2025-01' })).items;
    invoiceId = invoice.id;
    friendlyId = invoice.friendly_id;
    // 49.00 for January, 1 000 hits × 0.01 + 500 × 0.005 = 12.50; + 22 % VAT.
    assert.equal(invoice.totals.cost_without_vat, '61.50');
    assert.equal(invoice.totals.total, '75.03');
    await row.getByRole('link', { name: friendlyId }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`Invoice ${friendlyId}`) }).waitFor();
  });

  it('adds a manual line, issues the invoice, and refuses to edit it afterwards', async () => {
    const before = await earningsRow(page, 'January 2025');
    await page.goto(`${server.url}#/invoices/${invoiceId}`);
    const form = page.getByRole('form', { name: 'Add a line' });
    await form.getByLabel('Name').fill('Onboarding call');
    await form.getByLabel('Description', { exact: true }).fill('One hour, 14 January');
    await form.getByLabel('Cost', { exact: true }).fill('100');
    await form.getByRole('button', { name: 'Add line' }).click();
    const lines = page.getByRole('table', { name: 'Line items' });
    await lines.getByText('Onboarding call').waitFor();
    const withLine = await rpc(server.url, 'get_invoice', { id: invoiceId });
    assert.equal(withLine.invoice.totals.total, '197.03'); // 161.50 + 35.53 VAT

    await page.getByRole('button', { name: 'Issue invoice' }).click();
    const confirm = page.getByRole('alertdialog');
    if (await confirm.count()) await confirm.getByRole('button', { name: /Issue/ }).click();
    await page.getByText(`Invoice ${friendlyId} issued.`).waitFor();
    assert.equal(await page.getByTestId('invoice-state').innerText(), 'Pending');
    assert.equal(await page.getByRole('form', { name: 'Add a line' }).count(), 0, 'no editing once issued');
    // The engine refuses too, whoever asks.
    const refused = await rpc(server.url, 'add_line_item', { invoice_id: invoiceId, name: 'Late', cost: '1' }).catch((e) => e.body);
    assert.equal(refused.code, 'invalid_state');
    assert.equal((await rpc(server.url, 'get_invoice', { id: invoiceId })).line_items.length, withLine.line_items.length);

    const issued = await earningsRow(page, 'January 2025');
    assert.notDeepEqual(issued, before, 'the issued invoice counts in January');
    assert.ok(issued.includes(euro('197.03')), `January shows the total in process: ${issued}`);
  });

  it('opens the PDF, marks the invoice paid, and the earnings move to paid', async () => {
    await page.goto(`${server.url}#/invoices/${invoiceId}`);
    await page.getByTestId('pdf-status').getByText('PDF generated').waitFor();
    const [tab] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('button', { name: 'Open PDF' }).click(),
    ]);
    await tab.waitForURL(/^blob:/);
    assert.equal(await tab.evaluate(() => document.contentType), 'application/pdf');
    await tab.close();

    await page.getByRole('button', { name: 'Mark as paid' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mark as paid' });
    await dialog.getByLabel('Reference').fill('SEPA-2025-0203');
    await dialog.getByRole('button', { name: 'Mark as paid' }).click();
    await page.getByText(`Invoice ${friendlyId} marked as paid (reference SEPA-2025-0203).`).waitFor();
    await screenshot(page, 'month-end-paid-invoice');

    const row = await earningsRow(page, 'January 2025');
    const [earnings] = (await rpc(server.url, 'earnings_by_month', {})).filter((m) => m.period === '2025-01');
    assert.equal(earnings.paid, '197.03');
    assert.equal(earnings.in_process, '0.00');
    assert.deepEqual(row.slice(1), [euro(earnings.total), euro('0.00'), euro('0.00'), euro('197.03')]);
    await screenshot(page, 'month-end-earnings');
    assert.deepEqual(realProblems(problems), []);
  });

  it('shows a field error next to a bad clock time', async () => {
    await page.goto(`${server.url}#/dashboard`);
    const clock = page.getByRole('region', { name: 'Simulated clock' });
    const input = clock.getByLabel('Move the clock to (UTC)');
    await input.fill('2024-12-01 09:00');
    await clock.getByRole('button', { name: 'Move clock and bill' }).click();
    await clock.getByText(/cannot go back/).waitFor();
    assert.equal((await errorNextTo(input)).nextToControl, true);
  });
});
