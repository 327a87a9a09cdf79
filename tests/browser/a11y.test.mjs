// An accessibility check (axe-core) of every screen of the web UI, in the light and the dark
// theme, on a small book built through /rpc: no serious or critical violation anywhere.
// Run from the repo root: node --test tests/browser/

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot, seriousViolations } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { realProblems, rpc } from '../support/ui.mjs';


const address = (line1, city, zip, country) => ({ line1, line2: '', city, state: '', zip, country });

/** A provider, a buyer with VAT on a plan with a pricing rule, usage, and issued invoices. */
async function buildBook(url) {
  const settings = await rpc(url, 'get_settings');
  await rpc(url, 'update_settings', {
    ...settings,
    org_name: 'Northwind APIs B.V.',
    address: address('Herengracht 182', 'Amsterdam', '1016 BR', 'Netherlands'),
    currency: 'EUR',
  });
  const buyer = await rpc(url, 'create_account', {
    org_name: 'Acme Analytics S.r.l.',
    vat_rate: '22',
    legal_address: address('Via Roma 1', 'Milano', '20121', 'IT'),
  });
  const service = await rpc(url, 'create_service', { name: 'Weather API' });
  const metrics = await rpc(url, 'list_metrics', { service_id: service.id });
  const plan = await rpc(url, 'create_plan', {
    service_id: service.id,
    name: 'Pro',
    setup_fee: '0',
    cost_per_month: '49',
    trial_period_days: 0,
    state: 'published',
  });
  await rpc(url, 'create_pricing_rule', {
    plan_id: plan.id,
    metric_id: metrics[0].id,
    min: 1,
    max: null,
    cost_per_unit: '0.002',
  });
  await rpc(url, 'subscribe', { account_id: buyer.id, plan_id: plan.id, name: 'Dashboard app' });
  const invoice = await rpc(url, 'create_invoice', { account_id: buyer.id, period: '2025-01' });
  await rpc(url, 'add_line_item', {
    invoice_id: invoice.invoice.id,
    name: 'Consulting',
    description: 'January',
    quantity: '2',
    cost: '300',
  });
  await rpc(url, 'transition_invoice', { id: invoice.invoice.id, state: 'pending' });
  await rpc(url, 'create_invoice', { account_id: buyer.id, period: '2025-02' });
  // Issued without a PDF (the fonts cannot draw the name): the PDF batch lists it as failed.
  const thai = await rpc(url, 'create_account', { org_name: 'บริษัท สยามเทค จำกัด', vat_rate: null });
  const unprintable = await rpc(url, 'create_invoice', { account_id: thai.id, period: '2025-01' });
  await rpc(url, 'add_line_item', { invoice_id: unprintable.invoice.id, name: 'Fixed fee', cost: '10' });
  await rpc(url, 'transition_invoice', { id: unprintable.invoice.id, state: 'pending' });
  // A buyer deleted while it had an invoice: kept in the book, its page says so.
  const gone = await rpc(url, 'create_account', { org_name: 'Gone Ltd' });
  await rpc(url, 'create_invoice', { account_id: gone.id, period: '2025-01' });
  await rpc(url, 'delete_account', { id: gone.id });
  return { buyer, plan, invoice: invoice.invoice, gone };
}

describe('accessibility of every screen (axe-core)', () => {
  let server;
  let book;

  before(async () => {
    server = await startServer();
    book = await buildBook(server.url);
  });

  after(async () => {
    await server?.stop();
  });

  for (const colorScheme of ['light', 'dark']) {
    it(`has no serious or critical violations in the ${colorScheme} theme`, async () => {
      const browser = await launchBrowser({ colorScheme });
      try {
        const { page, problems } = await browser.newPage();
        const screens = [
          ['dashboard', '#/dashboard', 'Dashboard'],
          ['accounts', '#/accounts', 'Accounts'],
          ['account', `#/accounts/${book.buyer.id}`, 'Acme Analytics'],
          ['account-deleted', `#/accounts/${book.gone.id}`, 'Deleted on'],
          ['account-new', '#/accounts/new', 'account'],
          ['plans', '#/plans', 'Plans'],
          ['plan', `#/plans/${book.plan.id}`, 'Pro'],
          ['invoices', '#/invoices', 'Invoices'],
          ['invoice', `#/invoices/${book.invoice.id}`, book.invoice.friendly_id.slice(0, 7)],
          ['earnings', '#/earnings', 'Earnings'],
          ['settings', '#/settings', 'Settings'],
        ];
        const found = {};
        for (const [name, hash, heading] of screens) {
          await page.goto(new URL(hash, server.url).href);
          await page.locator('h1').first().waitFor();
          await page.getByText(heading, { exact: false }).first().waitFor();
          // Let the screen finish loading what it shows.
          await page.waitForLoadState('networkidle');
          found[name] = await seriousViolations(page);
          await screenshot(page, `a11y-${name}-${colorScheme}`);
        }

        // New invoice, with the errors of an empty buyer and a bad cost shown.
        await page.goto(new URL(`#/accounts/${book.buyer.id}`, server.url).href);
        await page.getByRole('button', { name: 'New invoice…' }).click();
        const newInvoice = page.getByRole('dialog', { name: /^New invoice for / });
        await newInvoice.getByLabel('Line 1 Cost', { exact: true }).fill('ten');
        await newInvoice.getByRole('button', { name: 'Create invoice' }).click();
        await newInvoice.locator('[aria-invalid="true"]').first().waitFor();
        found['invoice-new'] = await seriousViolations(page);
        await screenshot(page, `a11y-invoice-new-${colorScheme}`);
        await newInvoice.getByRole('button', { name: 'Cancel' }).click();
        await newInvoice.waitFor({ state: 'detached' });

        // The invoice list's PDF batch: its confirmation, and its summary with a failure. A
        // new footnote makes the issued invoice's PDF out of date, in each theme's run.
        const settings = await rpc(server.url, 'get_settings');
        await rpc(server.url, 'update_settings', { ...settings, invoice_footnote: `Thank you (${colorScheme}).` });
        await page.goto(new URL('#/invoices', server.url).href);
        await page.getByRole('table', { name: 'Invoices' }).waitFor();
        await page.getByRole('button', { name: 'Generate PDFs' }).click();
        const dialog = page.getByRole('dialog', { name: 'Generate PDFs' });
        await dialog.waitFor();
        found['invoices-pdf-batch-confirm'] = await seriousViolations(page);
        await screenshot(page, `a11y-invoices-pdf-batch-confirm-${colorScheme}`);
        await dialog.getByRole('button', { name: 'Generate 2 PDFs' }).click();
        await page.getByText('1 PDF generated, 1 failed.').waitFor();
        found['invoices-pdf-batch-summary'] = await seriousViolations(page);
        await screenshot(page, `a11y-invoices-pdf-batch-summary-${colorScheme}`);
        const failing = Object.entries(found).filter(([, violations]) => violations.length > 0);
        assert.deepEqual(failing, [], 'serious or critical axe violations');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await browser.close();
      }
    });
  }
});
