// The web UI in a real Chromium against a real `counterfoil serve` on a fresh book.
// Run from the repo root: node --test tests/browser/
// Each test leaves a full-page screenshot in artifacts/browser/<test>.png.

import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { launchBrowser, screenshot } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { errorNextTo, realProblems, rpc } from '../support/ui.mjs';

describe('Counterfoil web UI', () => {
  let server;
  let browser;
  let page;
  let problems;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
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

  it('keeps an account, a plan and its pricing rule created through the UI across a reload', async () => {
    // The start screen is the dashboard; Accounts is one click away in the main navigation.
    await page.goto(server.url);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    const header = page.locator('header');
    await header.getByText(server.book).waitFor();
    // Nothing, not even an expected refusal, is logged on the way in (unfiltered).
    assert.deepEqual(problems, []);

    // An account with a VAT rate.
    await page.getByRole('link', { name: 'New account' }).click();
    const accountDialog = page.getByRole('dialog', { name: 'New account' });
    await accountDialog.getByLabel('Organisation name').fill('Acme Analytics S.r.l.');
    await accountDialog.getByLabel('Legal address Line 1', { exact: true }).fill('Via Roma 1');
    await accountDialog.getByLabel('Legal address City', { exact: true }).fill('Milano');
    await accountDialog.getByLabel('Legal address Postcode', { exact: true }).fill('20121');
    await accountDialog.getByLabel('Legal address Country', { exact: true }).fill('IT');
    await accountDialog.getByLabel('VAT code').fill('IT01234567890');
    await accountDialog.getByLabel('VAT rate').fill('22');
    await accountDialog.getByLabel('VAT rate').press('Enter');
    await accountDialog.waitFor({ state: 'detached' });
    const accounts = page.getByRole('table', { name: 'Accounts' });
    await accounts.getByRole('row', { name: /Acme Analytics S\.r\.l\./ }).waitFor();

    // A new book has its own "API" service, as a new 3scale tenant, without plans yet; then a
    // service of the user's own, and a plan of it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plans' }).click();
    await page.getByRole('heading', { level: 1, name: 'Plans' }).waitFor();
    await page.getByText('API has no plans yet.').waitFor();
    await page.getByRole('button', { name: 'New service' }).click();
    await page.getByLabel('Service name').fill('Weather API');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('button', { name: 'New plan' }).click();
    const planDialog = page.getByRole('dialog', { name: /New plan/ });
    await planDialog.getByLabel('Plan name').fill('Pro');
    await planDialog.getByLabel('Setup fee').fill('10');
    await planDialog.getByLabel('Cost per month').fill('49.90');
    await planDialog.getByLabel('Trial period (days)').fill('14');
    await planDialog.getByLabel('Trial period (days)').press('Enter');
    await planDialog.waitFor({ state: 'detached' });
    const plans = page.getByRole('table', { name: 'Plans' });
    await plans.getByRole('row', { name: /Pro/ }).waitFor();

    // A pricing rule on the service's built-in Hits metric.
    await plans.getByRole('link', { name: 'Pro' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pro' }).waitFor();
    const metric = page.getByLabel('Metric');
    assert.match(await metric.locator('option:checked').textContent(), /Hits/i);
    await page.getByLabel('From (min)').fill('1');
    await page.getByLabel('To (max)').fill('1000');
    await page.getByLabel('Cost per unit').fill('0.01');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('table', { name: 'Pricing rules' }).getByRole('row').nth(1).waitFor();

    // Everything is still there after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Pro' }).waitFor();
    const rules = page.getByRole('table', { name: 'Pricing rules' });
    await rules.waitFor();
    const ruleRows = await rules.locator('tbody tr').allInnerTexts();
    assert.equal(ruleRows.length, 1, `one rule, got ${JSON.stringify(ruleRows)}`);
    assert.match(ruleRows[0], /Hits/i);
    assert.match(ruleRows[0], /1,000/);
    assert.match(ruleRows[0], /€0\.01/);

    await page.getByRole('link', { name: 'Plans' }).first().click();
    await plans.waitFor();
    const planRow = await plans.getByRole('row', { name: /Pro/ }).innerText();
    assert.match(planRow, /€10\.00/);
    assert.match(planRow, /€49\.90/);
    assert.match(planRow, /14/);
    assert.match(planRow, /Published/);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    const accountRow = await accounts.getByRole('row', { name: /Acme Analytics S\.r\.l\./ }).innerText();
    assert.match(accountRow, /IT01234567890/);
    assert.match(accountRow, /22%/);

    // What each list shows, for the record.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plans' }).click();
    await plans.getByRole('link', { name: 'Pro' }).click();
    await rules.waitFor();
    await screenshot(page, 'created-records-survive-reload');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await accounts.waitFor();
    await screenshot(page, 'created-records-survive-reload-accounts');
    assert.deepEqual(realProblems(problems), []);
  });

  it('shows an overlapping pricing rule as an error next to From and keeps the rules as they were', async () => {
    const service = await rpc(server.url, 'create_service', { name: 'Maps API' });
    const plan = await rpc(server.url, 'create_plan', {
      service_id: service.id,
      name: 'Starter',
      setup_fee: '0',
      cost_per_month: '9',
      trial_period_days: 0,
      state: 'published',
    });
    const [hits] = await rpc(server.url, 'list_metrics', { service_id: service.id });
    await rpc(server.url, 'create_pricing_rule', {
      plan_id: plan.id,
      metric_id: hits.id,
      min: 1,
      max: 1000,
      cost_per_unit: '0.01',
    });

    await page.goto(`${server.url}#/plans/${plan.id}`);
    const rules = page.getByRole('table', { name: 'Pricing rules' });
    await rules.waitFor();
    const before = await rules.locator('tbody tr').allInnerTexts();

    await page.getByLabel('From (min)').fill('500');
    await page.getByLabel('To (max)').fill('2000');
    await page.getByLabel('Cost per unit').fill('0.02');
    await page.getByLabel('Cost per unit').press('Enter');

    const from = page.getByLabel('From (min)');
    await page.waitForFunction(
      (element) => element.getAttribute('aria-invalid') === 'true',
      await from.elementHandle(),
    );
    const shown = await errorNextTo(from);
    assert.equal(shown.invalid, true);
    assert.equal(shown.nextToControl, true, 'the message sits under the From field');
    assert.equal(shown.visible, true);
    assert.match(shown.message, /overlaps/i);
    assert.match(shown.message, /1.1000|1.1,000/, `the message names the overlapped range: ${shown.message}`);
    await screenshot(page, 'overlapping-rule-error');

    assert.deepEqual(await rules.locator('tbody tr').allInnerTexts(), before, 'the table is unchanged');
    const stored = await rpc(server.url, 'list_pricing_rules', { plan_id: plan.id });
    assert.equal(stored.length, 1, 'the book still holds one rule');
    await page.reload();
    await rules.waitFor();
    assert.deepEqual(await rules.locator('tbody tr').allInnerTexts(), before, 'unchanged after a reload too');
    assert.deepEqual(realProblems(problems), []);
  });

  it('shows a bad account field next to that field and creates nothing', async () => {
    await page.goto(`${server.url}#/accounts/new`);
    const dialog = page.getByRole('dialog', { name: 'New account' });
    await dialog.waitFor();
    const orgName = dialog.getByLabel('Organisation name');
    const vatRate = dialog.getByLabel('VAT rate');
    const totalBefore = (await rpc(server.url, 'list_accounts', {})).total;

    // No organisation name.
    await vatRate.fill('20');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await orgName.elementHandle());
    const missingName = await errorNextTo(orgName);
    assert.equal(missingName.nextToControl, true);
    assert.match(missingName.message, /organisation name/i);
    assert.equal((await errorNextTo(vatRate)).invalid, false, 'only the field at fault is marked');

    // A VAT rate that is not a number.
    await orgName.fill('Globex GmbH');
    await vatRate.fill('abc');
    await vatRate.press('Enter');
    await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await vatRate.elementHandle());
    const notANumber = await errorNextTo(vatRate);
    assert.equal(notANumber.nextToControl, true);
    assert.equal(notANumber.visible, true);
    assert.match(notANumber.message, /VAT rate/);
    assert.equal((await errorNextTo(orgName)).invalid, false, 'the fixed field is no longer marked');

    // A VAT rate out of range: the engine's judgement, shown at the same place.
    await vatRate.fill('150');
    await vatRate.press('Enter');
    await page.waitForFunction(
      ([element, before]) => element.closest('.field').querySelector('.error')?.textContent.trim() !== before,
      [await vatRate.elementHandle(), notANumber.message],
    );
    const outOfRange = await errorNextTo(vatRate);
    assert.equal(outOfRange.invalid, true);
    assert.equal(outOfRange.nextToControl, true);
    assert.equal(outOfRange.visible, true);
    assert.match(outOfRange.message, /100/);
    await screenshot(page, 'bad-account-field-error');

    assert.equal(await dialog.isVisible(), true, 'the form stays open with what was typed');
    assert.equal(await orgName.inputValue(), 'Globex GmbH');
    assert.equal((await rpc(server.url, 'list_accounts', {})).total, totalBefore, 'no account was created');
    assert.deepEqual(realProblems(problems), []);
  });

  it('lets the keyboard skip the menu: the first Tab offers "Skip to content", which leads to the screen', async () => {
    await page.goto(`${server.url}#/accounts`);
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    const skip = page.getByRole('button', { name: 'Skip to content' });
    const hidden = await skip.boundingBox();
    assert.ok(hidden && hidden.y + hidden.height <= 0, `above the window until focused: ${JSON.stringify(hidden)}`);
    await page.keyboard.press('Tab');
    assert.equal(await skip.evaluate((element) => element === document.activeElement), true);
    await page.waitForFunction((element) => element.getBoundingClientRect().top >= 0, await skip.elementHandle());
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // The next stop is the screen's own first control, not the menu or the top bar's search.
    const next = await page.evaluate(() => {
      const element = document.activeElement;
      return { inMain: Boolean(element?.closest('main')), text: element?.textContent?.trim() };
    });
    assert.deepEqual(next, { inMain: true, text: 'Import usage (CSV)…' });
    assert.deepEqual(realProblems(problems), []);
  });
});
