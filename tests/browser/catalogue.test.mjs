// The catalogue a finance user keeps up from the desktop (issue 19 §1, §3), in a real Chromium
// against a real `counterfoil serve` on a simulated clock: a metric and a method made on the
// service's page, the metric priced on a plan, usage recorded for it, the month billed and its
// line on the invoice; a pricing rule changed in place; a plan copied; an application's plan
// customized, billed by the custom plan, and the application taken back to its plan. Then
// axe-core on every new screen and dialog, in the light and the dark theme.
// Run from the repo root: node --test tests/browser/catalogue.test.mjs
// Leaves screenshots in artifacts/browser/catalogue-*.png.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot, seriousViolations } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { realProblems, renameOwnService, rpc } from '../support/ui.mjs';


const START = '2025-05-05T10:00:00Z';

/** A provider (EUR), the service "Weather API" with a plan "Pro" at 31 a month, and the
 *  account "Acme Analytics" with an application on Pro, an hour old. */
async function buildBook(url) {
  const settings = await rpc(url, 'get_settings');
  await rpc(url, 'update_settings', { ...settings, org_name: 'Northwind APIs B.V.', currency: 'EUR' });
  const service = await renameOwnService(url, 'Weather API');
  const plan = await rpc(url, 'create_plan', {
    service_id: service.id,
    name: 'Pro',
    setup_fee: '0',
    cost_per_month: '31',
    trial_period_days: 0,
    state: 'published',
  });
  const account = await rpc(url, 'create_account', { org_name: 'Acme Analytics', vat_rate: null });
  const application = await rpc(url, 'subscribe', { account_id: account.id, plan_id: plan.id, name: 'Forecast app' });
  const now = (await rpc(url, 'book_info')).now;
  await rpc(url, 'advance_clock', { to: new Date(Date.parse(now) + 3_600_000).toISOString().replace('.000Z', 'Z') });
  return { service, plan, account, application };
}

describe('metrics, pricing rules, plan copies and custom plans', () => {
  let server;
  let browser;
  let page;
  let problems;
  let book;

  before(async () => {
    server = await startServer({ clock: START });
    book = await buildBook(server.url);
    browser = await launchBrowser();
    ({ page, problems } = await browser.newPage());
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates a metric and a method on the service’s page, renames one, and deletes one', async () => {
    await page.goto(`${server.url}#/plans`);
    await page.getByRole('link', { name: 'Metrics and methods' }).click();
    await page.getByRole('heading', { level: 1, name: 'Weather API' }).waitFor();
    const table = page.getByRole('table', { name: 'Metrics and methods' });
    await table.getByRole('row', { name: /Hits/ }).waitFor();

    await page.getByRole('button', { name: 'New metric' }).click();
    let dialog = page.getByRole('dialog', { name: 'New metric of Weather API' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Storage');
    await dialog.getByLabel('Unit').fill('GB');
    await dialog.getByRole('button', { name: 'Create metric' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Metric “Storage” created' }).waitFor();
    const storageRow = table.locator('tr[data-metric="storage"]');
    assert.match(await storageRow.innerText(), /Storage\s+storage\s+GB/);

    // A method lives under Hits and counts in Hits' unit: the dialog asks no unit.
    await page.getByRole('button', { name: 'New method' }).click();
    dialog = page.getByRole('dialog', { name: 'New method of Weather API' });
    assert.equal(await dialog.getByLabel('Unit').count(), 0);
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Get forecast');
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const methodRow = table.locator('tr[data-metric="get_forecast"]');
    assert.match(await methodRow.innerText(), /Get forecast\s+Method of Hits/);
    assert.match(await methodRow.innerText(), /\bhit\b/);

    // A second "Storage" is refused next to the name.
    await page.getByRole('button', { name: 'New metric' }).click();
    dialog = page.getByRole('dialog', { name: 'New metric of Weather API' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Storage');
    await dialog.getByLabel('Unit').fill('GB');
    await dialog.getByLabel('System name').fill('storage_2');
    await dialog.getByRole('button', { name: 'Create metric' }).click();
    await dialog.getByText('Name "Storage" is already used by a metric of this service.').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Rename and change the unit; the system name stays.
    await page.getByRole('button', { name: 'Edit Storage' }).click();
    dialog = page.getByRole('dialog', { name: 'Edit metric Storage' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Storage used');
    await dialog.getByLabel('Unit').fill('GB-day');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.match(await storageRow.innerText(), /Storage used\s+storage\s+GB-day/);

    // A metric nobody used is deleted; Hits is built in and offers no Delete.
    await page.getByRole('button', { name: 'New metric' }).click();
    dialog = page.getByRole('dialog', { name: 'New metric of Weather API' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Temporary');
    await dialog.getByLabel('Unit').fill('item');
    await dialog.getByLabel('Unit').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete Temporary' }).click();
    await page.getByRole('alertdialog', { name: 'Delete metric' }).getByRole('button', { name: 'Delete metric' }).click();
    await page.getByRole('status').filter({ hasText: 'Metric “Temporary” deleted.' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete Hits', exact: true }).count(), 0);

    const metrics = await rpc(server.url, 'list_metrics', { service_id: book.service.id });
    assert.deepEqual(
      metrics.map((m) => [m.system_name, m.friendly_name, m.unit]),
      [
        ['hits', 'Hits', 'hit'],
        ['get_forecast', 'Get forecast', 'hit'],
        ['storage', 'Storage used', 'GB-day'],
      ],
    );
    await screenshot(page, 'catalogue-service');
    assert.deepEqual(realProblems(problems), []);
  });

  it('prices the new metric on the plan, records usage for it, and bills it on the month’s invoice', async () => {
    await page.goto(`${server.url}#/plans/${book.plan.id}`);
    await page.getByRole('heading', { level: 1, name: 'Pro' }).waitFor();
    // No rule yet: every metric and method is free.
    await page.getByText('No pricing rules yet').waitFor();
    const form = page.getByRole('form', { name: 'Add a pricing rule' });
    await form.getByLabel('Metric').selectOption({ label: 'Storage used (GB-day)' });
    await form.getByLabel('From (min)').fill('1');
    await form.getByLabel('Cost per unit').fill('0.5');
    await form.getByRole('button', { name: 'Add rule' }).click();
    const rules = page.getByRole('table', { name: 'Pricing rules' });
    await rules.getByRole('row', { name: /Storage used/ }).waitFor();
    // The metrics without a rule are named, each a shortcut to price it.
    const unpriced = page.getByRole('group', { name: /Not priced on this plan/ });
    assert.deepEqual(await unpriced.getByRole('button').allInnerTexts(), ['Hits', 'Hits › Get forecast']);
    await unpriced.getByRole('button', { name: 'Price Hits › Get forecast' }).click();
    assert.equal(await form.getByLabel('Metric').locator('option:checked').innerText(), 'Hits › Get forecast (hit)');

    await page.goto(`${server.url}#/accounts/${book.account.id}`);
    await page.getByRole('button', { name: 'Record usage of Forecast app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Record usage' });
    // The dialog loads the application's metrics after it opens: wait for the third.
    await dialog.getByLabel('Metric').locator('option').nth(2).waitFor({ state: 'attached' });
    const options = await dialog.getByLabel('Metric').locator('option').allInnerTexts();
    assert.deepEqual(options, ['Hits (hit)', 'Hits › Get forecast (hit)', 'Storage used (GB-day)']);
    await dialog.getByLabel('Metric').selectOption({ label: 'Storage used (GB-day)' });
    await dialog.getByLabel('Value').fill('40');
    await dialog.getByLabel('Value').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Recorded 40 Storage used' }).waitFor();

    // Now that it has usage, the metric cannot be deleted, and the refusal says why.
    await page.goto(`${server.url}#/services/${book.service.id}`);
    await page.getByRole('button', { name: 'Delete Storage used' }).click();
    await page.getByRole('alertdialog', { name: 'Delete metric' }).getByRole('button', { name: 'Delete metric' }).click();
    await page.getByRole('alert').filter({ hasText: 'Metric "Storage used" has recorded usage; it cannot be deleted.' }).waitFor();
    await screenshot(page, 'catalogue-metric-delete-refused');
    assert.equal((await rpc(server.url, 'list_metrics', { service_id: book.service.id })).length, 3);

    // The usage import names what the metric column takes.
    await page.goto(`${server.url}#/accounts/${book.account.id}`);
    await page.getByRole('button', { name: 'Import usage (CSV)…' }).click();
    const importing = page.getByRole('dialog', { name: 'Import usage from a CSV file' });
    const accepted = importing.getByRole('group', { name: 'Metrics the file may name' });
    assert.match(await accepted.innerText(), /For Forecast app \(id \d+\), on Weather API, the metric column takes: hits, get_forecast, storage/);
    await importing.getByRole('button', { name: 'Cancel' }).click();

    // The month is billed on 1 June; its invoice is issued two days later.
    await rpc(server.url, 'advance_clock', { to: '2025-06-03T09:00:00Z' });
    await page.reload();
    await page.getByRole('table', { name: 'Latest invoices' }).getByRole('link', { name: /2025-05-/ }).click();
    const lines = page.getByRole('table', { name: 'Line items' });
    const line = lines.getByRole('row', { name: /Storage used/ });
    await line.waitFor();
    // 40 GB-days at €0.50.
    assert.match(await line.innerText(), /40[\s\S]*€20\.00/);
    await screenshot(page, 'catalogue-invoice-with-metric');
    assert.deepEqual(realProblems(problems), []);
  });

  it('changes a pricing rule in place', async () => {
    const [before] = await rpc(server.url, 'list_pricing_rules', { plan_id: book.plan.id });
    await page.goto(`${server.url}#/plans/${book.plan.id}`);
    const rules = page.getByRole('table', { name: 'Pricing rules' });
    await rules.getByRole('button', { name: 'Edit rule Storage used 1 to ∞' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit pricing rule' });
    await dialog.getByText('Storage used').waitFor();
    // An overlap cannot happen with one rule: a "to" below "from" is refused next to it.
    await dialog.getByLabel('To (max)').fill('0');
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await dialog.getByText(/To \(max\) must be at least From/).waitFor();
    await dialog.getByLabel('To (max)').fill('');
    await dialog.getByLabel('Cost per unit').fill('0.25');
    await screenshot(page, 'catalogue-rule-edit');
    await dialog.getByRole('button', { name: 'Save rule' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('status').filter({ hasText: 'Rule changed: Storage used 1–∞ at €0.25 per unit.' }).waitFor();
    assert.match(await rules.getByRole('row', { name: /Storage used/ }).innerText(), /€0\.25/);
    const after = await rpc(server.url, 'list_pricing_rules', { plan_id: book.plan.id });
    assert.deepEqual(
      after.map((r) => [r.id, r.metric_id, r.min, r.max, r.cost_per_unit]),
      [[before.id, before.metric_id, 1, null, '0.25']],
      'the same rule, changed: nothing deleted and added again',
    );
    assert.deepEqual(realProblems(problems), []);
  });

  it('copies a plan with its pricing rules, hidden until published', async () => {
    await page.goto(`${server.url}#/plans/${book.plan.id}`);
    await page.getByRole('button', { name: 'Copy plan' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pro (copy)' }).waitFor();
    assert.equal(await page.locator('.screen-head .badge').first().innerText(), 'Hidden');
    const rules = page.getByRole('table', { name: 'Pricing rules' });
    assert.match(await rules.getByRole('row', { name: /Storage used/ }).innerText(), /€0\.25/);
    await page.getByRole('link', { name: 'Plans', exact: true }).first().click();
    const plans = page.getByRole('table', { name: 'Plans' });
    await plans.getByRole('row', { name: /Pro \(copy\)/ }).waitFor();
    assert.match(await plans.getByRole('row', { name: /Pro \(copy\)/ }).innerText(), /pro_copy[\s\S]*Hidden/);

    // From the list too.
    await plans.getByRole('button', { name: 'Copy Pro', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '“Pro” copied as “Pro (copy)”' }).waitFor();
    await plans.getByText('pro_copy_2').waitFor();
    await screenshot(page, 'catalogue-plan-copies');
    assert.deepEqual(realProblems(problems), []);
  });

  it('customizes an application’s plan, bills it by the custom plan, and goes back to the plan', async () => {
    await page.goto(`${server.url}#/accounts/${book.account.id}`);
    const row = page.locator(`tr[data-application="${book.application.id}"]`);
    await row.getByRole('button', { name: 'Customize plan of Forecast app' }).click();
    const confirm = page.getByRole('dialog', { name: 'Customize plan' });
    await confirm.getByText('No other application can use the copy').waitFor();
    await screenshot(page, 'catalogue-customize-confirm');
    await confirm.getByRole('button', { name: 'Customize plan' }).click();

    // The custom plan's page: whose it is, and what it was copied from.
    await page.getByRole('heading', { level: 1, name: 'Pro (custom)' }).waitFor();
    const about = page.getByRole('region', { name: 'Custom plan' });
    await about.getByText('Forecast app').waitFor();
    assert.match(await about.innerText(), /copied from Pro/);
    assert.equal(await page.getByRole('button', { name: 'Make default' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete plan' }).count(), 0);
    assert.match(
      await page.getByRole('table', { name: 'Pricing rules' }).getByRole('row', { name: /Storage used/ }).innerText(),
      /€0\.25/,
    );
    // A price for this application alone, before the next billing run.
    await page.getByRole('button', { name: 'Edit plan' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit plan Pro (custom)' });
    assert.equal(await edit.getByLabel('State').count(), 0, 'a custom plan is never published');
    await edit.getByLabel('Cost per month').fill('62');
    await edit.getByLabel('Description').fill('Agreed with Acme in June.');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'detached' });
    await page.getByText('Agreed with Acme in June.').waitFor();
    await screenshot(page, 'catalogue-custom-plan');

    // The account page names the custom plan; the plan list does not show it.
    await page.goto(`${server.url}#/accounts/${book.account.id}`);
    assert.match(await row.innerText(), /Pro \(custom\)\s*Custom[\s\S]*€62\.00/);
    const listed = await rpc(server.url, 'list_plans', { service_id: book.service.id });
    assert.deepEqual(
      listed.items.map((p) => p.name),
      ['Pro', 'Pro (copy)', 'Pro (copy)'],
    );

    // The next run bills the change from the moment of customizing (3 June 09:00, where the
    // clock stands): Pro refunded and the custom plan billed for the rest of June.
    await rpc(server.url, 'advance_clock', { to: '2025-06-04T09:00:00Z' });
    const june = (await rpc(server.url, 'list_invoices', { account_id: book.account.id, period: '2025-06' })).items[0];
    await page.goto(`${server.url}#/invoices/${june.id}`);
    const lines = page.getByRole('table', { name: 'Line items' });
    // 3 June 09:00 to 30 June: 27 days and 15 hours of 30 days.
    assert.match(await lines.getByRole('row', { name: /Refund \('Pro'\)/ }).innerText(), /-€28\.55/);
    assert.match(await lines.getByRole('row', { name: /Fixed fee \('Pro \(custom\)'\)/ }).innerText(), /€57\.09/);

    // Back to Pro, from the account page.
    await page.goto(`${server.url}#/accounts/${book.account.id}`);
    await row.getByRole('button', { name: 'Back to Pro for Forecast app' }).click();
    const back = page.getByRole('dialog', { name: 'Go back to the plan' });
    await screenshot(page, 'catalogue-go-back-confirm');
    await back.getByRole('button', { name: 'Back to Pro' }).click();
    await page.getByRole('status').filter({ hasText: '“Forecast app” is back on Pro.' }).waitFor();
    assert.match(await row.innerText(), /Pro\s+€31\.00/);
    assert.equal(await row.getByText('Custom', { exact: true }).count(), 0);
    const app = (await rpc(server.url, 'get_application', { id: book.application.id })).application;
    assert.equal(app.plan_id, book.plan.id);
    const history = (await rpc(server.url, 'get_application', { id: book.application.id })).plan_history;
    const custom = await rpc(server.url, 'get_plan', { id: history.at(-1).from_plan_id });
    assert.equal(custom.name, 'Pro (custom)');
    assert.notEqual(custom.custom.retired_at, null, 'the custom plan is retired, kept for its invoices');

    // Its page says so and offers no change.
    await page.goto(`${server.url}#/plans/${custom.id}`);
    await page.getByText(/can no longer change/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Edit plan' }).count(), 0);
    assert.equal(await page.getByRole('form', { name: 'Add a pricing rule' }).count(), 0);
    assert.deepEqual(realProblems(problems), []);
  });
});

describe('accessibility of the catalogue screens and dialogs (axe-core)', () => {
  let server;
  let book;

  before(async () => {
    server = await startServer({ clock: START });
    book = await buildBook(server.url);
    const [hits] = await rpc(server.url, 'list_metrics', { service_id: book.service.id });
    await rpc(server.url, 'create_metric', {
      service_id: book.service.id,
      parent_id: hits.id,
      friendly_name: 'Get forecast',
      unit: 'hit',
    });
    await rpc(server.url, 'create_pricing_rule', {
      plan_id: book.plan.id,
      metric_id: hits.id,
      min: 1,
      max: 1000,
      cost_per_unit: '0.01',
    });
    const custom = await rpc(server.url, 'customize_plan', { application_id: book.application.id });
    await rpc(server.url, 'update_plan', { id: custom.id, description: 'Agreed with Acme.' });
    book.custom = custom;
  });

  after(async () => {
    await server?.stop();
  });

  for (const colorScheme of ['light', 'dark']) {
    it(`has no serious or critical violations in the ${colorScheme} theme`, async () => {
      const browser = await launchBrowser({ colorScheme });
      try {
        const { page, problems } = await browser.newPage();
        const found = {};
        const check = async (name) => {
          await page.waitForLoadState('networkidle');
          found[name] = await seriousViolations(page);
          await screenshot(page, `catalogue-a11y-${name}-${colorScheme}`);
        };
        const dialog = async (opener, title, name) => {
          await opener.click();
          const opened = page.getByRole('dialog', { name: title });
          await opened.waitFor();
          await check(name);
          await page.keyboard.press('Escape');
          await opened.waitFor({ state: 'detached' });
        };

        await page.goto(new URL(`#/services/${book.service.id}`, server.url).href);
        await page.getByRole('table', { name: 'Metrics and methods' }).getByText('Get forecast').waitFor();
        await check('service');
        await dialog(page.getByRole('button', { name: 'New metric' }), 'New metric of Weather API', 'metric-new');
        await dialog(page.getByRole('button', { name: 'New method' }), 'New method of Weather API', 'method-new');
        await dialog(page.getByRole('button', { name: 'Edit Hits › Get forecast' }), 'Edit method Get forecast', 'method-edit');

        await page.goto(new URL(`#/plans/${book.plan.id}`, server.url).href);
        await page.getByRole('table', { name: 'Pricing rules' }).waitFor();
        await check('plan');
        await dialog(page.getByRole('button', { name: /^Edit rule Hits/ }), 'Edit pricing rule', 'rule-edit');
        await dialog(page.getByRole('button', { name: 'Edit plan' }), 'Edit plan Pro', 'plan-edit');

        await page.goto(new URL(`#/plans/${book.custom.id}`, server.url).href);
        await page.getByRole('region', { name: 'Custom plan' }).getByText('Forecast app').waitFor();
        await check('custom-plan');
        await dialog(page.getByRole('button', { name: 'Back to Pro' }), 'Go back to the plan', 'go-back-confirm');

        await page.goto(new URL(`#/accounts/${book.account.id}`, server.url).href);
        await page.getByRole('button', { name: 'Back to Pro for Forecast app' }).waitFor();
        await check('account-custom-plan');
        await dialog(page.getByRole('button', { name: 'Import usage (CSV)…' }), 'Import usage from a CSV file', 'usage-import');

        const failing = Object.entries(found).filter(([, violations]) => violations.length > 0);
        assert.deepEqual(failing, [], 'serious or critical axe violations');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await browser.close();
      }
    });
  }
});
