// The Earnings and Settings screens in a real Chromium against a real `counterfoil serve`.
// Earnings: the table's figures and its total row are the engine's (the `earnings` operation over
// /rpc), with and without VAT, and the total row foots the months shown; Earlier and Later page
// by 12-month windows; a month opens its invoices (and Back returns to the same window); the CSV
// export holds the engine's exact strings; an empty book shows a calm empty state. Settings: the preview follows what is typed, a save reaches
// the engine and the header, a bad value is refused next to its field, the logo is set and
// removed; the payment terms decide the due date an issued invoice gets (and the preview's).
// Run from the repo root: node --test tests/browser/earnings_settings.test.mjs
// Leaves screenshots (light and dark) in artifacts/browser/.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { launchBrowser, screenshot } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { errorNextTo, realProblems, rpc } from '../support/ui.mjs';

/** Amounts as the UI shows them in the test browser's locale (en-GB), from the engine's strings. */
const money = (amount, currency = 'EUR') =>
  new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(amount);

const monthName = (period) =>
  new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${period}-01T00:00:00Z`),
  );

const address = (line1, city, zip, country) => ({ line1, line2: '', city, state: '', zip, country });

/** The month `back` months before `period` (YYYY-MM). */
function monthsBefore(period, back) {
  const [year, month] = period.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1 - back, 1));
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * A provider, three buyers (22% VAT, 19% VAT, no VAT) and invoices over the last three months
 * in every earnings bucket (paid, overdue, in process, not yet issued, cancelled), plus two in
 * the 12 months before (the month just before the last 12, and two months earlier), all through
 * /rpc. Returns the months used.
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
    numbering: 'monthly',
  });
  const now = (await rpc(url, 'book_info')).now;
  const current = now.slice(0, 7);
  const months = {
    current,
    previous: monthsBefore(current, 1),
    earlier: monthsBefore(current, 2),
    yearBefore: monthsBefore(current, 12),
    longBefore: monthsBefore(current, 14),
  };

  const account = (org_name, vat_rate, legal_address) => rpc(url, 'create_account', { org_name, vat_rate, legal_address });
  const acme = await account('Acme Analytics S.r.l.', '22', address('Via Roma 1', 'Milano', '20121', 'IT'));
  const globex = await account('Globex GmbH', '19', address('Hauptstraße 5', 'Berlin', '10115', 'DE'));
  const initech = await account('Initech Ltd', null, address('1 Main Street', 'Dublin', 'D02 X285', 'IE'));

  const invoice = async (buyer, period, costs, states = []) => {
    const created = await rpc(url, 'create_invoice', { account_id: buyer.id, period });
    for (const cost of costs) await rpc(url, 'add_line_item', { invoice_id: created.invoice.id, name: 'Fixed fee', cost });
    for (const state of states) {
      if (state === 'paid') await rpc(url, 'mark_invoice_paid', { id: created.invoice.id, reference: 'SEPA-0915' });
      else await rpc(url, 'transition_invoice', { id: created.invoice.id, state });
    }
  };
  await invoice(acme, months.earlier, ['1000.00', '234.5678'], ['pending', 'paid']);
  await invoice(globex, months.earlier, ['249.00'], ['pending', 'unpaid']);
  await invoice(initech, months.earlier, ['99.99'], ['pending', 'paid']);
  await invoice(acme, months.previous, ['49.90', '15.2301', '-5.00'], ['pending']);
  await invoice(globex, months.previous, ['500.00'], ['pending', 'cancelled']);
  await invoice(initech, months.previous, ['9.00'], ['finalized']);
  await invoice(acme, months.current, ['120.00']);
  await invoice(globex, months.yearBefore, ['100.00'], ['pending', 'unpaid']);
  await invoice(initech, months.longBefore, ['310.00'], ['pending', 'paid']);
  return months;
}

/** The earnings table's rows (`part` tbody: the months, tfoot: the total row): month, total,
 * in process, overdue, paid. */
async function tableRows(page, part = 'tbody') {
  return page
    .getByRole('table', { name: 'Earnings by month' })
    .locator(`${part} tr`)
    .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.innerText.trim())));
}

/** What the table must show for the engine's answer: the months, then the total row. */
function expectedRows(earnings) {
  const { totals } = earnings;
  return [
    ...earnings.months.map((m) => [monthName(m.period), money(m.total), money(m.in_process), money(m.overdue), money(m.paid)]),
    ['Total', money(totals.total), money(totals.in_process), money(totals.overdue), money(totals.paid)],
  ];
}

/** Waits until the table (months and total row) shows `expected`, and fails with the difference
 * otherwise. */
async function waitForTable(page, expected) {
  const deadline = Date.now() + 5000;
  let shown = [];
  while (Date.now() < deadline) {
    shown = (await page.getByRole('table', { name: 'Earnings by month' }).isVisible())
      ? [...(await tableRows(page)), ...(await tableRows(page, 'tfoot'))]
      : [];
    if (JSON.stringify(shown) === JSON.stringify(expected)) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(shown, expected);
}

/** An engine amount ("-1,902.47" never: "1902.47", "-5.00") in cents, exactly. */
function cents(amount) {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  assert.ok(match, `${amount} is an amount to the cent`);
  const value = BigInt(match[2]) * 100n + BigInt(match[3]);
  return match[1] ? -value : value;
}

/** The engine's total row equals, column by column, the sum of the months it answered. */
function assertFoots(earnings) {
  for (const column of ['total', 'in_process', 'overdue', 'paid']) {
    const summed = earnings.months.reduce((sum, m) => sum + cents(m[column]), 0n);
    assert.equal(cents(earnings.totals[column]), summed, `the total row's ${column} is the sum of the months`);
  }
}

/** The Earnings heading for the window the engine answered: "Earnings July 2025 – June 2026". */
async function waitForHeading(page, earnings) {
  const name = `Earnings ${monthName(earnings.from)} – ${monthName(earnings.to)}`;
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** A PNG logo drawn by the browser: a blue mark and a wordmark. */
async function drawLogo(page) {
  const dataUrl = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 340;
    canvas.height = 90;
    const g = canvas.getContext('2d');
    g.fillStyle = '#1d4ed8';
    g.beginPath();
    g.arc(45, 45, 36, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#ffffff';
    g.font = 'bold 40px sans-serif';
    g.fillText('N', 31, 60);
    g.fillStyle = '#0f172a';
    g.font = 'bold 38px sans-serif';
    g.fillText('Northwind', 96, 60);
    return canvas.toDataURL('image/png');
  });
  return Buffer.from(dataUrl.split(',')[1], 'base64');
}

describe('Earnings screen, empty book', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows a calm empty state instead of a chart', async () => {
    const { page, problems } = await browser.newPage();
    await page.goto(`${server.url}#/earnings`);
    await page.getByRole('heading', { level: 1, name: 'Earnings' }).waitFor();
    await page.getByText('No earnings in these 12 months yet.').waitFor();
    assert.equal(await page.getByRole('img').count(), 0, 'no chart');
    assert.equal(await page.getByRole('table').count(), 0, 'no table of zeros');
    assert.equal(await page.getByRole('button', { name: 'Export CSV' }).isDisabled(), true);
    await page.getByRole('link', { name: 'Go to invoices' }).waitFor();
    await screenshot(page, 'earnings-empty');
    assert.deepEqual(realProblems(problems), []);
    await page.close();
  });
});

describe('Earnings and Settings screens', () => {
  let server;
  let browser;
  let page;
  let problems;
  let months;
  let downloads;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    months = await buildBook(server.url);
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
    await page.emulateMedia({ colorScheme: 'light' });
    await page.close();
  });

  it('shows the engine’s earnings with and without VAT, as a chart and a table', async () => {
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Earnings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Earnings' }).waitFor();

    // VAT included by default: every figure is the engine's, and the total row foots the 12
    // months shown.
    const withVat = await rpc(server.url, 'earnings', { include_vat: true });
    assert.equal(withVat.months.length, 12);
    assert.equal(withVat.to, months.current);
    assert.equal(withVat.months[11].period, months.current);
    assert.deepEqual(await rpc(server.url, 'earnings_by_month', { include_vat: true }), withVat.months);
    assertFoots(withVat);
    await waitForTable(page, expectedRows(withVat));
    await waitForHeading(page, withVat);
    await page.getByText('Last 12 months', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Include VAT').isChecked(), true);

    // The figures a finance user would check by hand: the earlier month's paid invoices
    // (1234.5678 × 1.22 + 99.99 without VAT = 1606.162716) and Globex's overdue one (249.00 × 1.19).
    const earlier = withVat.months.find((m) => m.period === months.earlier);
    assert.deepEqual(earlier, { period: months.earlier, total: '1902.47', in_process: '0.00', overdue: '296.31', paid: '1606.16' });
    const rows = await tableRows(page);
    assert.deepEqual(rows[9], [monthName(months.earlier), '€1,902.47', '€0.00', '€296.31', '€1,606.16']);
    // The cancelled invoice counts nowhere; the finalized one (not issued yet) is in process.
    const previous = withVat.months.find((m) => m.period === months.previous);
    // (49.90 + 15.2301 − 5.00) × 1.22 + 9.00 = 82.358722.
    assert.deepEqual(previous, { period: months.previous, total: '82.36', in_process: '82.36', overdue: '0.00', paid: '0.00' });
    assert.equal(rows[10][1], money(previous.total));
    // The total row of these months: 1902.47 + 82.36 + the current month's 146.40 (120.00 × 1.22).
    assert.deepEqual(withVat.totals, { total: '2131.23', in_process: '228.76', overdue: '296.31', paid: '1606.16' });
    assert.deepEqual(await tableRows(page, 'tfoot'), [['Total', '€2,131.23', '€228.76', '€296.31', '€1,606.16']]);

    const aligned = await page
      .getByRole('table', { name: 'Earnings by month' })
      .locator('tbody td, tfoot td')
      .evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell).textAlign));
    assert.equal(aligned.length, 13 * 4);
    assert.ok(aligned.every((align) => align === 'right'), 'every amount is right-aligned, the total row too');

    // The chart: an image with a summary, a legend, and a bar per month.
    const chart = page.getByRole('img');
    const summary = await chart.getAttribute('aria-label');
    assert.match(summary, /VAT included/);
    assert.ok(summary.includes(`Largest month: ${monthName(months.earlier)}, €1,902.47`), summary);
    assert.deepEqual(await page.getByRole('list', { name: 'Legend' }).getByRole('listitem').allInnerTexts(), [
      'Paid',
      'In process',
      'Overdue',
    ]);
    assert.equal(await page.locator('svg .bar').count(), 12);
    const bar = (period) => page.locator(`svg .bar[data-period="${period}"]`);
    assert.equal(await bar(months.earlier).locator('rect.segment').count(), 2, 'paid and overdue');
    assert.equal(await bar(monthsBefore(months.current, 5)).locator('rect.segment').count(), 0, 'an empty month');
    const heights = async (period) =>
      bar(period)
        .locator('rect.segment')
        .evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('height'))));
    const [paidHeight, overdueHeight] = await heights(months.earlier);
    assert.ok(Math.abs(paidHeight / overdueHeight - 1606.16 / 296.31) < 0.01, 'bars are drawn to scale');
    await screenshot(page, 'earnings');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'earnings-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Without VAT: the engine's other figures, and the summary says so.
    await page.getByLabel('Include VAT').uncheck();
    const withoutVat = await rpc(server.url, 'earnings', { include_vat: false });
    assertFoots(withoutVat);
    await waitForTable(page, expectedRows(withoutVat));
    const earlierNet = withoutVat.months.find((m) => m.period === months.earlier);
    assert.deepEqual(earlierNet, { period: months.earlier, total: '1583.56', in_process: '0.00', overdue: '249.00', paid: '1334.56' });
    assert.notDeepEqual(expectedRows(withoutVat), expectedRows(withVat), 'the switch changes the figures');
    assert.match(await chart.getAttribute('aria-label'), /without VAT/);
    await page.getByRole('heading', { name: 'By month, without VAT' }).waitFor();
    assert.deepEqual(realProblems(problems), []);
  });

  it('exports the table as CSV with the engine’s exact amounts', async () => {
    await page.goto(`${server.url}#/earnings`);
    const withVat = await rpc(server.url, 'earnings', { include_vat: true });
    await waitForTable(page, expectedRows(withVat));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `earnings-${withVat.from}-to-${months.current}-with-vat.csv`);
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const unit = 'EUR, VAT included';
    const expected =
      [
        `Month,"Total (${unit})","In process (${unit})","Overdue (${unit})","Paid (${unit})"`,
        ...withVat.months.map((m) => [m.period, m.total, m.in_process, m.overdue, m.paid].join(',')),
        'Total,2131.23,228.76,296.31,1606.16',
      ].join('\r\n') + '\r\n';
    assert.equal(readFileSync(file, 'utf8'), expected);
    assert.ok(expected.includes(`${months.earlier},1902.47,0.00,296.31,1606.16`));
    assert.deepEqual(realProblems(problems), []);
  });

  it('opens the invoices of a month from its row and from its bar', async () => {
    await page.goto(`${server.url}#/earnings`);
    const table = page.getByRole('table', { name: 'Earnings by month' });
    await table.getByRole('link', { name: monthName(months.earlier) }).click();
    await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/invoices?month=${months.earlier}`);
    assert.equal(await page.getByLabel('Month').inputValue(), months.earlier);
    const listed = await rpc(server.url, 'list_invoices', { period: months.earlier });
    await page.getByText(`${listed.total} invoices`, { exact: true }).waitFor();

    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Earnings' }).waitFor();
    await page.locator(`svg .bar[data-period="${months.previous}"]`).click();
    await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/invoices?month=${months.previous}`);
    assert.deepEqual(realProblems(problems), []);
  });

  it('pages to earlier and later 12-month windows, from the keyboard', async () => {
    await page.goto(`${server.url}#/earnings`);
    const latest = await rpc(server.url, 'earnings', {});
    await waitForTable(page, expectedRows(latest));
    await waitForHeading(page, latest);
    const earlierButton = page.getByRole('button', { name: 'Earlier', exact: true });
    const laterButton = page.getByRole('button', { name: 'Later', exact: true });
    assert.equal(await laterButton.isDisabled(), true, 'nothing later than the current month');
    assert.equal(await earlierButton.isEnabled(), true);

    // Earlier, with Enter: the 12 months before, as the engine answers them, total row included.
    const yearBefore = await rpc(server.url, 'earnings', { to: months.yearBefore });
    assert.equal(yearBefore.from, monthsBefore(months.current, 23));
    assertFoots(yearBefore);
    // 100.00 × 1.19 overdue in the month just before the last 12, and 310.00 paid (no VAT).
    assert.deepEqual(yearBefore.totals, { total: '429.00', in_process: '0.00', overdue: '119.00', paid: '310.00' });
    assert.equal(await earlierButton.getAttribute('title'), `Show ${monthName(yearBefore.from)} – ${monthName(yearBefore.to)}`);
    await earlierButton.focus();
    await page.keyboard.press('Enter');
    await waitForTable(page, expectedRows(yearBefore));
    await waitForHeading(page, yearBefore);
    assert.equal(new URL(page.url()).hash, `#/earnings?to=${months.yearBefore}`);
    assert.equal(await page.getByText('Last 12 months', { exact: true }).count(), 0, 'not the last 12 months any more');
    assert.equal(await page.locator('svg .bar').count(), 12);
    assert.equal(await laterButton.isEnabled(), true);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), '‹ Earlier', 'the focus stays');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Later ›', 'Later is next');
    await screenshot(page, 'earnings-earlier');

    // A month of that window opens its invoices, and Back returns to the same window.
    await page.getByRole('table', { name: 'Earnings by month' }).getByRole('link', { name: monthName(months.longBefore) }).click();
    await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/invoices?month=${months.longBefore}`);
    await page.goBack();
    await waitForTable(page, expectedRows(yearBefore));
    await waitForHeading(page, yearBefore);

    // Earlier again: 12 months with nothing in them, and still the way back.
    await earlierButton.click();
    const twoBefore = await rpc(server.url, 'earnings', { to: monthsBefore(months.current, 24) });
    await waitForHeading(page, twoBefore);
    await page.getByText('No earnings in these 12 months.', { exact: true }).waitFor();
    assert.deepEqual(twoBefore.totals, { total: '0.00', in_process: '0.00', overdue: '0.00', paid: '0.00' });

    // Later twice: back to the last 12 months, where Later stops.
    await laterButton.click();
    await waitForTable(page, expectedRows(yearBefore));
    await waitForHeading(page, yearBefore);
    await laterButton.focus();
    await page.keyboard.press('Space');
    await waitForTable(page, expectedRows(latest));
    await waitForHeading(page, latest);
    assert.equal(new URL(page.url()).hash, '#/earnings');
    assert.equal(await laterButton.isDisabled(), true);
    await page.getByText('Last 12 months', { exact: true }).waitFor();

    // The main menu's Earnings link from an earlier window shows the last 12 months.
    await earlierButton.click();
    await waitForHeading(page, yearBefore);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Earnings' }).click();
    await waitForTable(page, expectedRows(latest));
    await waitForHeading(page, latest);
    assert.deepEqual(realProblems(problems), []);
  });

  it('previews, saves and refuses settings, and the header follows a save', async () => {
    await page.goto(server.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const form = page.getByRole('form', { name: 'Settings' });
    const preview = page.getByTestId('invoice-preview');
    const header = page.locator('header.topbar');
    assert.equal(await form.getByLabel('Organisation name').inputValue(), 'Northwind APIs B.V.');
    await header.getByText('Northwind APIs B.V. · EUR').waitFor();

    // The preview: the provider block as the PDF prints it and the first ID of this month.
    const previewText = async () => (await preview.innerText()).replace(/\s+/g, ' ');
    let text = await previewText();
    for (const part of ['Northwind APIs B.V.', 'Herengracht 182', '1016 BR Amsterdam', 'Netherlands', 'VAT code: NL862371935B01']) {
      assert.ok(text.includes(part), `${part} in ${text}`);
    }
    assert.ok(text.includes(`Invoice ID ${months.current}-00000001`), text);
    assert.ok(text.includes('Amounts in EUR'), text);
    assert.ok(text.includes(`Invoice for ${monthName(months.current)}`), text);

    // Numbering, currency and footnote change the preview as they are typed, not the header.
    await form.getByLabel('Invoice numbering').selectOption('yearly');
    await preview.getByText(`${months.current.slice(0, 4)}-00000001`, { exact: true }).waitFor();
    await form.getByLabel('Currency').fill('usd');
    await form.getByLabel('Invoice footnote').fill('Pay within 14 days to IBAN NL91 ABNA 0417 1643 00.');
    await preview.getByText('Amounts in USD').waitFor();
    await preview.getByText('AMOUNT DUE: USD 1,234.50').waitFor();
    await preview.getByText('Pay within 14 days to IBAN NL91 ABNA 0417 1643 00.').waitFor();
    await page.getByText('Unsaved changes').waitFor();
    await header.getByText('Northwind APIs B.V. · EUR').waitFor();

    // Enter saves: the engine has it, and the header shows the new currency.
    await form.getByLabel('Organisation name').press('Enter');
    await page.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    await header.getByText('Northwind APIs B.V. · USD').waitFor();
    const saved = await rpc(server.url, 'get_settings');
    assert.equal(saved.currency, 'USD');
    assert.equal(saved.numbering, 'yearly');
    assert.equal(saved.invoice_footnote, 'Pay within 14 days to IBAN NL91 ABNA 0417 1643 00.');
    assert.equal(await page.getByText('Unsaved changes').count(), 0);

    // A currency the engine refuses (the field takes 3 characters at most): its message next
    // to the field, nothing saved.
    const currency = form.getByLabel('Currency');
    await currency.fill('EU');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await currency.elementHandle());
    const refused = await errorNextTo(currency);
    assert.equal(refused.nextToControl, true);
    assert.equal(refused.visible, true);
    assert.match(refused.message, /three-letter ISO 4217 code/);
    assert.equal((await rpc(server.url, 'get_settings')).currency, 'USD');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')), 'true', 'the focus is on it');

    // An empty organisation name, likewise.
    await currency.fill('EUR');
    const name = form.getByLabel('Organisation name');
    await name.fill('   ');
    await name.press('Enter');
    await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await name.elementHandle());
    assert.equal((await errorNextTo(name)).nextToControl, true);
    assert.equal((await errorNextTo(currency)).invalid, false, 'the earlier error is gone');
    await form.getByRole('button', { name: 'Discard changes' }).click();
    assert.equal(await name.inputValue(), 'Northwind APIs B.V.');
    assert.equal(await currency.inputValue(), 'USD');
    assert.deepEqual(realProblems(problems), []);
  });

  it('sets the payment terms, and an invoice issued then is due that many days later', async () => {
    await page.goto(`${server.url}#/settings`);
    const form = page.getByRole('form', { name: 'Settings' });
    const preview = page.getByTestId('invoice-preview');
    const terms = form.getByLabel('Payment terms');
    const hintOf = (control) =>
      control.evaluate((element) => document.getElementById(element.getAttribute('aria-describedby'))?.textContent.trim());
    const today = (await rpc(server.url, 'book_info')).now.slice(0, 10);
    const plusDays = (day, days) => {
      const date = new Date(`${day}T00:00:00Z`);
      date.setUTCDate(date.getUTCDate() + days);
      return date.toISOString().slice(0, 10);
    };
    const shown = (day) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
    const printed = (day) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

    // 3scale's two days until changed: the rule with today as the example, and the preview.
    assert.equal(await terms.inputValue(), '2');
    assert.equal(
      await hintOf(terms),
      `Invoices are due 2 days after issue: one issued on ${shown(today)} is due on ${shown(plusDays(today, 2))}.`,
    );
    assert.equal(await preview.getByTestId('preview-due-on').innerText(), printed(plusDays(today, 2)));

    // Not a number: refused next to the field before the engine is asked.
    await terms.fill('two weeks');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await terms.elementHandle());
    const notANumber = await errorNextTo(terms);
    assert.equal(notANumber.nextToControl, true);
    assert.match(notANumber.message, /whole number of days/);
    // More than the engine takes: its message, at the same place; nothing saved.
    await terms.fill('400');
    await terms.press('Enter');
    await page.waitForFunction(
      ([element, old]) => element.closest('.field').querySelector('.error')?.textContent.trim() !== old,
      [await terms.elementHandle(), notANumber.message],
    );
    assert.match((await errorNextTo(terms)).message, /at most 365 days/);
    assert.equal((await rpc(server.url, 'get_settings')).net_terms, 2);

    // Thirty days: the preview follows as it is typed; Save keeps it, and the hint (shown
    // again once the error is gone) says the new rule.
    await terms.fill('30');
    await preview.getByTestId('preview-due-on').getByText(printed(plusDays(today, 30))).waitFor();
    await terms.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor();
    assert.equal((await rpc(server.url, 'get_settings')).net_terms, 30);
    assert.equal((await errorNextTo(terms)).invalid, false);
    assert.match(await hintOf(terms), new RegExp(`due 30 days after issue: .* is due on ${shown(plusDays(today, 30))}\\.$`));
    await screenshot(page, 'settings-payment-terms');

    // An invoice issued now, from its page, is due in 30 days: on the page and in the engine.
    const buyer = (await rpc(server.url, 'list_accounts', { search: 'Initech' })).items[0];
    const created = await rpc(server.url, 'create_invoice', { account_id: buyer.id });
    await rpc(server.url, 'add_line_item', { invoice_id: created.invoice.id, name: 'Consulting', cost: '300.00' });
    await page.goto(`${server.url}#/invoices/${created.invoice.id}`);
    await page.getByRole('heading', { level: 1, name: `Invoice ${created.invoice.friendly_id}` }).waitFor();
    await page.getByRole('button', { name: 'Issue invoice' }).click();
    await page.getByText(`Invoice ${created.invoice.friendly_id} issued.`).waitFor();
    const issued = (await rpc(server.url, 'get_invoice', { id: created.invoice.id })).invoice;
    assert.equal(issued.issued_on, today);
    assert.equal(issued.due_on, plusDays(today, 30));
    const dueOn = page.locator('dt', { hasText: /^Due on$/ }).locator('xpath=following-sibling::dd[1]');
    assert.equal(await dueOn.innerText(), shown(plusDays(today, 30)));
    await screenshot(page, 'invoice-due-by-payment-terms');

    // Back to the default for the tests after this one.
    await rpc(server.url, 'update_settings', { ...(await rpc(server.url, 'get_settings')), net_terms: 2 });
    assert.deepEqual(realProblems(problems), []);
  });

  it('sets, refuses and removes the logo, shown in the preview', async () => {
    await page.goto(`${server.url}#/settings`);
    const form = page.getByRole('form', { name: 'Settings' });
    const preview = page.getByTestId('invoice-preview');
    await preview.locator('.wordmark').waitFor();

    // Not an image: the engine's message next to the file input.
    const logo = form.getByLabel('Logo', { exact: true });
    await logo.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
    await page.waitForFunction((element) => element.getAttribute('aria-invalid') === 'true', await logo.elementHandle());
    const refused = await errorNextTo(logo);
    assert.equal(refused.nextToControl, true);
    assert.match(refused.message, /PNG or JPEG/);
    assert.equal((await rpc(server.url, 'get_settings')).has_logo, false);

    // A real PNG: stored, and the preview shows it.
    const png = await drawLogo(page);
    await logo.setInputFiles({ name: 'northwind.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('status').filter({ hasText: 'Logo saved' }).waitFor();
    await preview.getByRole('img', { name: 'Northwind APIs B.V. logo' }).waitFor();
    assert.equal((await rpc(server.url, 'get_settings')).has_logo, true);
    assert.equal((await rpc(server.url, 'get_invoice_logo')).image_base64, png.toString('base64'));

    // After a reload the stored logo is shown again.
    await page.reload();
    await preview.getByRole('img', { name: 'Northwind APIs B.V. logo' }).waitFor();
    const loaded = await preview.getByRole('img').evaluate((img) => img.complete && img.naturalWidth);
    assert.equal(loaded, 340);
    await screenshot(page, 'settings');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'settings-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Removing it is confirmed first.
    await form.getByRole('button', { name: 'Remove logo' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove logo' });
    await confirm.getByRole('button', { name: 'Remove logo' }).click();
    await page.getByRole('status').filter({ hasText: 'Logo removed' }).waitFor();
    await preview.locator('.wordmark').waitFor();
    assert.equal((await rpc(server.url, 'get_settings')).has_logo, false);
    assert.deepEqual(realProblems(problems), []);
  });
});
