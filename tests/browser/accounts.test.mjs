// The account page in a real Chromium against a real `counterfoil serve` on a simulated clock:
// an account created with VAT, its billing switches, a subscription to a plan with pricing
// rules, a plan change whose previewed amounts are the engine's (and what the billing run then
// bills), usage recorded by hand and imported from CSV files (a preview first; a file with a
// bad row imports nothing), and an application cancelled after a confirmation.
// Run from the repo root: node --test tests/browser/accounts.test.mjs
// Leaves screenshots in artifacts/browser/accounts-*.png.

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { launchBrowser, screenshot } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { createItalianBuyer, realProblems, rpc } from '../support/ui.mjs';

/** Amounts as the UI shows them in the test browser's locale (en-GB), from the engine's strings. */
const euro = (amount) =>
  new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency: 'EUR',
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(amount);

const START = '2025-05-05T10:00:00Z';

/** Moves the book's simulated clock (running the billing jobs on the way). */
async function advanceTo(url, to) {
  return rpc(url, 'advance_clock', { to });
}

async function now(url) {
  return (await rpc(url, 'book_info')).now;
}

const plus = (instant, minutes) => new Date(Date.parse(instant) + minutes * 60_000).toISOString().replace('.000Z', 'Z');

/** A file for <input type=file>. */
const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

describe('the account page', () => {
  let server;
  let browser;
  let page;
  let problems;
  let catalogue;

  before(async () => {
    server = await startServer({ clock: START });
    browser = await launchBrowser();
    const settings = await rpc(server.url, 'get_settings');
    await rpc(server.url, 'update_settings', { ...settings, org_name: 'Northwind APIs B.V.', currency: 'EUR' });
    const service = await rpc(server.url, 'create_service', { name: 'Weather API' });
    const [hits] = await rpc(server.url, 'list_metrics', { service_id: service.id });
    const plan = (name, setup_fee, cost_per_month) =>
      rpc(server.url, 'create_plan', {
        service_id: service.id,
        name,
        setup_fee,
        cost_per_month,
        trial_period_days: 0,
        state: 'published',
      });
    const starter = await plan('Starter', '10', '31');
    const growth = await plan('Growth', '0', '310');
    for (const [p, cost] of [
      [starter, '0.01'],
      [growth, '0.005'],
    ]) {
      await rpc(server.url, 'create_pricing_rule', { plan_id: p.id, metric_id: hits.id, min: 1, max: null, cost_per_unit: cost });
    }
    catalogue = { service, hits, starter, growth };
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    ({ page, problems } = await browser.newPage());
  });

  afterEach(async () => {
    await page.close();
  });

  /** An account with a live application on Starter, made through /rpc, an hour old. */
  async function accountWithApplication(name) {
    const account = await rpc(server.url, 'create_account', { org_name: name, vat_rate: '21' });
    const application = await rpc(server.url, 'subscribe', {
      account_id: account.id,
      plan_id: catalogue.starter.id,
      name: `${name} app`,
    });
    await advanceTo(server.url, plus(await now(server.url), 60));
    return { account, application };
  }

  it('creates an account with VAT, subscribes it, previews and changes its plan', async () => {
    await createItalianBuyer(page, server.url);
    const accountId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
    const details = page.getByLabel('Account details');
    assert.match(await details.innerText(), /IT01234567890/);
    assert.match(await details.innerText(), /22%/);

    // The switches say what they do, and save at once.
    const billing = page.getByRole('switch', { name: 'Monthly billing' });
    const charging = page.getByRole('switch', { name: 'Monthly charging' });
    assert.equal(await billing.isChecked(), true);
    assert.equal(await charging.isChecked(), true);
    assert.match(await billing.getAttribute('aria-describedby').then((id) => page.locator(`#${id}`).innerText()), /billing run/);
    await charging.click();
    await page.getByRole('status').filter({ hasText: 'Monthly charging is now off' }).waitFor();
    assert.equal((await rpc(server.url, 'get_account', { id: accountId })).monthly_charging_enabled, false);
    await charging.click();
    await page.getByRole('status').filter({ hasText: 'Monthly charging is now on' }).waitFor();
    assert.equal((await rpc(server.url, 'get_account', { id: accountId })).monthly_charging_enabled, true);

    // Subscribe to Starter (a plan with a pricing rule).
    await page.getByRole('button', { name: 'Subscribe to a plan…' }).click();
    const subscribe = page.getByRole('dialog', { name: /Subscribe/ });
    await subscribe.getByLabel('Plan').selectOption({ label: 'Starter — €31.00 per month' });
    assert.equal(await subscribe.getByLabel('Application name').inputValue(), 'Starter');
    await subscribe.getByLabel('Application name').fill('Checkout');
    await subscribe.getByLabel('Application name').press('Enter');
    await subscribe.waitFor({ state: 'detached' });
    const applications = page.getByRole('table', { name: 'Applications' });
    const row = applications.getByRole('row', { name: /Checkout/ });
    await row.waitFor();
    assert.match(await row.innerText(), /Starter[\s\S]*€31\.00[\s\S]*Live/);
    const [app] = (await rpc(server.url, 'list_applications', { account_id: accountId })).items;
    assert.equal(app.plan_id, catalogue.starter.id);

    // Ten days on: the billing run has billed May on Starter.
    await advanceTo(server.url, '2025-05-15T09:30:00Z');
    await page.reload();
    await row.waitFor();
    const invoices = await rpc(server.url, 'list_invoices', { account_id: accountId });
    assert.equal(invoices.total, 1);
    assert.equal(await page.getByTestId('invoice-count').innerText(), '1 invoice');
    const latest = page.getByRole('table', { name: 'Latest invoices' });
    assert.match(await latest.innerText(), new RegExp(invoices.items[0].friendly_id));
    assert.match(await latest.innerText(), new RegExp(euro(invoices.items[0].totals.total).replace('.', '\\.')));
    assert.equal(
      await page.getByRole('link', { name: 'All invoices of this account' }).getAttribute('href'),
      `#/invoices?account=${accountId}`,
    );
    await screenshot(page, 'accounts-account-page');

    // Change plan: the dialog shows what the engine says the change bills.
    await row.getByRole('button', { name: 'Change plan of Checkout' }).click();
    const change = page.getByRole('dialog', { name: /Change plan/ });
    await change.getByLabel('New plan').selectOption({ label: 'Growth — €310.00 per month' });
    const previewTable = change.getByRole('table', { name: 'Lines the plan change will bill' });
    await previewTable.waitFor();
    const expected = await rpc(server.url, 'preview_change_plan', { application_id: app.id, plan_id: catalogue.growth.id });
    assert.ok(expected.lines.length >= 2, JSON.stringify(expected));
    const shown = await previewTable.locator('tbody tr').allInnerTexts();
    assert.equal(shown.length, expected.lines.length);
    expected.lines.forEach((line, i) => {
      assert.ok(shown[i].includes(line.name), `${shown[i]} names ${line.name}`);
      assert.ok(shown[i].includes(euro(line.cost)), `${shown[i]} shows ${euro(line.cost)}`);
    });
    assert.equal(await change.getByTestId('preview-total').innerText(), euro(expected.total));
    assert.deepEqual(
      expected.lines.map((l) => [l.name, l.cost]),
      [
        ["Refund ('Starter')", '-16.60'],
        ["Fixed fee ('Growth')", '166.04'],
      ],
      'May 15 09:30 to May 31 23:59:59 is 1 434 600 s of 2 678 400: 31 → 16.60, 310 → 166.04',
    );
    // The lines' times are UTC, as the engine writes them; the dialog's own is the user's (Rome).
    assert.match(shown[0], /May 15, 2025 \(9:30\)/);
    assert.match(await change.innerText(), /Effective 15 May 2025, 11:30 \(09:30 UTC, as the lines say\)\./);
    await screenshot(page, 'accounts-change-plan-dialog');
    await change.getByRole('button', { name: 'Change plan' }).click();
    await change.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'moved from Starter to Growth' }).waitFor();
    assert.match(await row.innerText(), /Growth/);
    assert.equal((await rpc(server.url, 'get_application', { id: app.id })).application.plan_id, catalogue.growth.id);

    // The next billing job bills exactly the previewed lines.
    await advanceTo(server.url, '2025-05-16T09:00:00Z');
    const may = await rpc(server.url, 'get_invoice', { id: invoices.items[0].id });
    const billed = may.line_items.slice(-expected.lines.length).map((l) => [l.name, l.cost]);
    assert.deepEqual(
      billed,
      expected.lines.map((l) => [l.name, l.cost]),
    );
    assert.deepEqual(realProblems(problems), []);
  });

  it('imports usage from a CSV file: a preview first, then the import and its count', async () => {
    const { account, application } = await accountWithApplication('Globex GmbH');
    const at = plus(application.created_at, 30);
    await page.goto(`${server.url}#/accounts/${account.id}`);
    await page.getByRole('heading', { level: 1, name: 'Globex GmbH' }).waitFor();
    await page.getByRole('button', { name: 'Import usage (CSV)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import usage from a CSV file' });
    const text =
      'application,metric,timestamp,value\r\n' +
      `${application.id},hits,${at},1200\r\n` +
      `"${application.id}","hits","${plus(at, 1)}","300"\r\n` +
      `${application.id},hits,${plus(at, 2)},45\r\n`;
    await dialog.getByLabel('CSV file').setInputFiles(csvFile('may-usage.csv', text));
    const preview = dialog.getByRole('table', { name: 'Usage rows to import' });
    await preview.waitFor();
    await dialog.getByText('Every row is valid.').waitFor();
    assert.equal(await preview.locator('tbody tr').count(), 3);
    assert.match(await preview.locator('tbody tr').nth(1).innerText(), /300/);
    assert.equal((await rpc(server.url, 'list_usage', { application_id: application.id })).total, 0, 'the preview imports nothing');
    await screenshot(page, 'accounts-import-preview');

    await dialog.getByRole('button', { name: 'Import 3 rows' }).click();
    await dialog.getByText('Imported 3 usage records from may-usage.csv.').waitFor();
    const usage = await rpc(server.url, 'list_usage', { application_id: application.id });
    assert.equal(usage.total, 3);
    assert.deepEqual(
      usage.items.map((u) => u.value).sort((a, b) => a - b),
      [45, 300, 1200],
    );
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 3 usage records.' }).waitFor();
    assert.deepEqual(realProblems(problems), []);
  });

  it('shows a bad CSV row’s problem on that row and imports nothing', async () => {
    const { account, application } = await accountWithApplication('Initech Ltd');
    const at = plus(application.created_at, 30);
    await page.goto(`${server.url}#/accounts/${account.id}`);
    await page.getByRole('button', { name: 'Import usage (CSV)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import usage from a CSV file' });
    const preview = dialog.getByRole('table', { name: 'Usage rows to import' });
    const importButton = dialog.getByRole('button', { name: /^Import \d+ rows?$/ });

    // A row the engine refuses (a metric the service does not have), on line 3.
    const engineBad =
      'application,metric,timestamp,value\n' +
      `${application.id},hits,${at},10\n` +
      `${application.id},searches,${at},20\n` +
      `${application.id},hits,${at},30\n`;
    await dialog.getByLabel('CSV file').setInputFiles(csvFile('engine-bad.csv', engineBad));
    await preview.waitFor();
    await dialog.getByText('1 row has a problem').waitFor();
    const bad = preview.locator('tr.invalid');
    assert.equal(await bad.count(), 1);
    assert.equal(await bad.getAttribute('data-line'), '3');
    assert.match(await bad.innerText(), /searches[\s\S]*no metric "searches"/);
    assert.equal(await importButton.isDisabled(), true);
    await screenshot(page, 'accounts-import-bad-row');

    // A row the screen refuses itself (not a whole number; a missing column).
    const localBad =
      'application,metric,timestamp,value\n' +
      `${application.id},hits,${at},1.5\n` +
      `${application.id},hits,${at}\n` +
      `${application.id},hits,${at},7\n`;
    await dialog.getByLabel('CSV file').setInputFiles(csvFile('local-bad.csv', localBad));
    await dialog.getByText('2 rows have problems').waitFor();
    const rows = preview.locator('tbody tr');
    assert.match(await rows.nth(0).innerText(), /“1\.5” is not a whole number/);
    assert.match(await rows.nth(1).innerText(), /value is missing/);
    assert.equal(await rows.nth(2).getAttribute('class').then((c) => (c ?? '').includes('invalid')), false);
    assert.equal(await importButton.isDisabled(), true);

    assert.equal((await rpc(server.url, 'list_usage', { application_id: application.id })).total, 0, 'nothing imported');
    assert.deepEqual(realProblems(problems), []);
  });

  it('checks a large file with a progress bar that Cancel stops, importing nothing', async () => {
    const { account, application } = await accountWithApplication('Soylent Foods');
    const at = plus(application.created_at, 30);
    await page.goto(`${server.url}#/accounts/${account.id}`);
    await page.getByRole('button', { name: 'Import usage (CSV)…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import usage from a CSV file' });
    const lines = Array.from({ length: 40_000 }, (_, i) => `${application.id},hits,${at},${i}`);
    await dialog.getByLabel('CSV file').setInputFiles(csvFile('big.csv', 'application,metric,timestamp,value\n' + lines.join('\n')));
    const progress = dialog.getByRole('group', { name: 'Checking the file' });
    await progress.waitFor();
    const bar = progress.getByRole('progressbar');
    assert.equal(await bar.getAttribute('max'), '40000');
    await screenshot(page, 'accounts-import-progress');
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await dialog.getByText('Checking was cancelled; nothing was imported.').waitFor();
    assert.equal(await progress.count(), 0);
    assert.equal(await dialog.getByRole('table', { name: 'Usage rows to import' }).count(), 0);
    assert.equal((await rpc(server.url, 'list_usage', { application_id: application.id })).total, 0);
    assert.deepEqual(realProblems(problems), []);
  });

  it('records one usage value by hand', async () => {
    const { account, application } = await accountWithApplication('Hooli Inc');
    await page.goto(`${server.url}#/accounts/${account.id}`);
    await page.getByRole('button', { name: `Record usage of ${application.name}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Record usage' });
    assert.match(await dialog.getByLabel('Metric').locator('option:checked').innerText(), /Hits/i);
    // A value that is not a number is refused next to the field.
    await dialog.getByLabel('Value').fill('lots');
    await dialog.getByLabel('Value').press('Enter');
    await dialog.getByText('Enter the usage as a whole number').waitFor();
    await dialog.getByLabel('Value').fill('250');
    await dialog.getByLabel('Value').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Recorded 250 Hits' }).waitFor();
    const usage = await rpc(server.url, 'list_usage', { application_id: application.id });
    assert.deepEqual(usage.items.map((u) => [u.value, u.metric_id]), [[250, catalogue.hits.id]]);
    assert.deepEqual(realProblems(problems), []);
  });

  it('draws a buyer’s name in Chinese, Japanese and Korean with glyphs, not boxes', async () => {
    const name = '北京数据 株式会社テスト 한국지사';
    const account = await rpc(server.url, 'create_account', { org_name: name, vat_rate: null });
    await page.goto(`${server.url}#/accounts/${account.id}`);
    await page.getByRole('heading', { level: 1, name }).waitFor();

    // The fonts Chromium drew the heading with, and how many glyphs each drew: a character no
    // font has is drawn as a box by the first font of the list (a Latin face), so every CJK
    // character must have come from a CJK face (the setup installs fonts-noto-cjk).
    const cdp = await page.context().newCDPSession(page);
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'h1' });
    await cdp.send('CSS.enable');
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    const byCjkFaces = fonts.filter((font) => /CJK/.test(font.familyName)).reduce((sum, font) => sum + font.glyphCount, 0);
    assert.equal(byCjkFaces, [...name.replaceAll(' ', '')].length, `drawn with: ${JSON.stringify(fonts)}`);
    await screenshot(page, 'accounts-cjk-name');
    assert.deepEqual(realProblems(problems), []);
  });

  it('cancels an application only once the user confirms', async () => {
    const { account, application } = await accountWithApplication('Umbrella Corp');
    await page.goto(`${server.url}#/accounts/${account.id}`);
    const row = page.getByRole('table', { name: 'Applications' }).getByRole('row', { name: new RegExp(application.name) });
    await row.waitFor();

    await row.getByRole('button', { name: `Cancel ${application.name}` }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Cancel application' });
    assert.match(await confirm.innerText(), /cannot be made live again/);
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await rpc(server.url, 'get_application', { id: application.id })).application.state, 'live');

    await row.getByRole('button', { name: `Cancel ${application.name}` }).click();
    await confirm.getByRole('button', { name: 'Cancel application' }).click();
    await page.getByRole('status').filter({ hasText: 'cancelled' }).waitFor();
    await row.getByText('Cancelled', { exact: true }).waitFor();
    assert.equal(await row.getByRole('button').count(), 0, 'a cancelled application offers no actions');
    assert.equal((await rpc(server.url, 'get_application', { id: application.id })).application.state, 'cancelled');
    assert.deepEqual(realProblems(problems), []);
  });
});
