// The desktop app's first start, as a new user meets it: no book yet and no --book, so the
// welcome screen; "Open the demo book" builds the demo book (as `counterfoil demo` does) and
// opens its dashboard; the accounts are there, Japanese and Korean names drawn, not boxes;
// the global search (Ctrl+K) finds an invoice and opens it; its PDF is regenerated and opened
// (pdftotext reads the friendly ID back). Then the app is started again and opens the
// remembered demo book directly.
//
// The real desktop binary under Xvfb, driven by tauri-driver + WebKitWebDriver (driver.mjs).
// Leaves screenshots in artifacts/desktop/: welcome.png, dashboard.png, accounts-demo.png,
// search.png, invoice-demo.png, restart.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ELEMENT,
  KEY,
  appEnv,
  inSession,
  artifacts,
  buttonNamed,
  click,
  engine,
  missingTools,
  pageText,
  press,
  screenshot,
  script,
  startDriver,
  startXvfb,
  stopAll,
  texts,
  until,
  waitForHeading,
} from './driver.mjs';

const SHOTS = ['welcome', 'dashboard', 'accounts-demo', 'search', 'invoice-demo', 'restart', 'first-start-failure'];

test('first start: welcome → demo book → search an invoice → regenerate its PDF; the next start opens the demo book', { timeout: 300_000 }, async () => {
  assert.deepEqual(missingTools(), [], 'the desktop test tools');
  fs.mkdirSync(artifacts, { recursive: true });
  for (const shot of SHOTS) fs.rmSync(path.join(artifacts, `${shot}.png`), { force: true });

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'counterfoil-first-start-'));
  const demoBook = path.join(temp, 'data', 'app.counterfoil.desktop', 'demo.book');
  const settingsFile = path.join(temp, 'config', 'app.counterfoil.desktop', 'settings.json');
  try {
    const display = await startXvfb();
    const env = appEnv(display, temp);
    const { wd } = await startDriver(env, env.HOME, 'first-start-driver');
    const invoice = await inSession(wd, [], 'first-start-driver', 'first-start-failure', async (id) => {
      await firstStart(wd, id, demoBook, settingsFile);
      const found = await searchForInvoice(wd, id);
      return regeneratePdf(wd, id, found, path.join(temp, 'cache'));
    });
    // The next start: the remembered demo book, straight to its dashboard.
    await inSession(wd, [], 'first-start-driver', 'first-start-failure', (id) => nextStart(wd, id, demoBook, invoice));
  } finally {
    await stopAll();
    fs.rmSync(temp, { recursive: true, force: true });
  }
});

async function firstStart(wd, id, demoBook, settingsFile) {
  await waitForHeading(wd, id, 'Welcome to Counterfoil');
  const nav = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'nav[aria-label="Main"]' });
  assert.equal(nav.length, 0, 'no navigation before a book is open');
  assert.ok(!fs.existsSync(settingsFile), 'nothing remembered yet');
  const cardHeights = await script(wd, id, "return [...document.querySelectorAll('.choice')].map((card) => card.offsetHeight)");
  assert.equal(cardHeights.length, 2);
  assert.equal(cardHeights[0], cardHeights[1], 'the two choices are cards of one height');
  await screenshot(wd, id, 'welcome');

  await click(wd, id, await buttonStartingWith(wd, id, 'Open the demo book'));
  // Building the demo book and billing it up to today take a few seconds in a debug build.
  await waitForHeading(wd, id, 'Dashboard', 120_000);
  let text = '';
  await until('the header to name the demo book', 30_000, async () => {
    text = await pageText(wd, id);
    return text.includes(demoBook);
  }).catch((error) => {
    throw new Error(`${error.message} (page text: ${JSON.stringify(text.slice(0, 300))})`);
  });
  assert.equal(fs.readFileSync(demoBook).subarray(0, 16).toString('latin1'), 'SQLite format 3\0', 'the demo book is a book');
  assert.equal(JSON.parse(fs.readFileSync(settingsFile, 'utf8')).book, demoBook, 'the choice is remembered');
  const nav2 = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'nav[aria-label="Main"]' });
  assert.equal(nav2.length, 1, 'the app with its navigation');
  // The provider of the demo book is in the top bar.
  await until('the provider in the top bar', 30_000, async () => (await pageText(wd, id)).includes('Northwind APIs B.V.'));
  await settle(wd, id);
  await screenshot(wd, id, 'dashboard');

  await script(wd, id, "window.location.hash = '#/accounts'");
  await waitForHeading(wd, id, 'Accounts', 30_000);
  const rows = await until('the demo accounts', 30_000, async () => {
    const found = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'main table tbody tr' });
    return found.length >= 20 ? found.length : null;
  });
  assert.ok(rows >= 20, `two dozen demo buyers listed, saw ${rows}`);
  // The Japanese and Korean buyers' names are drawn with glyphs, not boxes (a fresh Debian has
  // no CJK font; the setup installs one). Each character is drawn on a canvas in the page's
  // fonts and compared with a character no font has, which WebKit draws as its box.
  const boxes = await script(
    wd,
    id,
    `const canvas = document.createElement('canvas');
     canvas.width = 48;
     canvas.height = 48;
     const context = canvas.getContext('2d', { willReadFrequently: true });
     context.font = '32px ' + getComputedStyle(document.body).fontFamily;
     const draw = (character) => {
       context.clearRect(0, 0, 48, 48);
       context.fillText(character, 4, 36);
       return context.getImageData(0, 0, 48, 48).data.join();
     };
     const box = draw('\u{10FFFD}');
     const names = [...document.querySelectorAll('main table tbody tr td:first-child')].map((cell) => cell.textContent.trim());
     const cjk = names.filter((n) => /[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(n));
     return {
       sameBoxForAnyMissing: draw('\u{10FFFC}') === box,
       latinIsNoBox: draw('A') !== box,
       cjk,
       boxed: [...cjk.join('')].filter((c) => c.trim() && draw(c) === box),
     };`,
  );
  assert.ok(boxes.sameBoxForAnyMissing && boxes.latinIsNoBox, `the box check itself works: ${JSON.stringify(boxes)}`);
  assert.deepEqual(boxes.cjk, ['株式会社サクラ技研', '한빛지도 주식회사'], 'the demo book’s Japanese and Korean buyers');
  assert.deepEqual(boxes.boxed, [], 'no character of their names is drawn as a box');
  await screenshot(wd, id, 'accounts-demo');
}

/** Ctrl+K opens the search, Esc closes it; a friendly ID typed into it finds the invoice and
 * Enter opens it. */
async function searchForInvoice(wd, id) {
  const listed = await engine(wd, id, 'list_invoices', { state: 'paid', per_page: 1 });
  const invoice = listed.items[0];
  assert.ok(invoice, 'the demo book has a paid invoice');

  const searchOpen = async () => (await script(wd, id, "return document.querySelector('dialog[open] input[role=combobox]') !== null")) === true;
  await press(wd, id, [KEY.CONTROL, 'k']);
  await until('the search dialog', 10_000, searchOpen);
  assert.equal(
    await script(wd, id, "return document.activeElement?.getAttribute('role')"),
    'combobox',
    'the search field has the focus',
  );
  await press(wd, id, [KEY.ESCAPE]);
  await until('Esc to close the search', 10_000, async () => !(await searchOpen()));

  await press(wd, id, [KEY.CONTROL, 'k']);
  await until('the search dialog again', 10_000, searchOpen);
  const [field] = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'dialog[open] input[role=combobox]' });
  await wd('POST', `/session/${id}/element/${field[ELEMENT]}/value`, { text: invoice.friendly_id });
  await until(`the invoice ${invoice.friendly_id} among the results`, 15_000, async () => {
    // textContent: WebKitWebDriver gives no visible text for elements in a modal dialog.
    const options = await script(wd, id, "return [...document.querySelectorAll('dialog[open] [role=option]')].map((o) => o.textContent)");
    return options.some((option) => option.includes(invoice.friendly_id));
  });
  await screenshot(wd, id, 'search');
  await press(wd, id, [KEY.ENTER]);
  await until(`the invoice page of ${invoice.friendly_id}`, 30_000, async () => {
    const hash = await script(wd, id, 'return window.location.hash');
    const headings = await texts(wd, id, 'h1');
    return hash.startsWith(`#/invoices/${invoice.id}`) && headings.some((h) => h.includes(invoice.friendly_id));
  });
  assert.equal(await searchOpen(), false, 'the search closed when the invoice opened');
  return invoice;
}

/** "Regenerate PDF" makes a new PDF (the status line changes); "Open PDF" hands a copy to the
 * viewer, and pdftotext reads the friendly ID in it. */
async function regeneratePdf(wd, id, invoice, cacheHome) {
  const before = (await engine(wd, id, 'get_invoice', { id: invoice.id })).pdf;
  assert.ok(before && before.generated_at, 'an issued demo invoice has its PDF');
  const shown = () => script(wd, id, "return document.querySelector('[data-testid=pdf-status] time')?.getAttribute('datetime') ?? null");
  await until('the PDF status', 15_000, async () => (await shown()) === before.generated_at);

  await click(wd, id, await buttonNamed(wd, id, 'Regenerate PDF'));
  const after = await until('a regenerated PDF', 30_000, async () => {
    const pdf = (await engine(wd, id, 'get_invoice', { id: invoice.id })).pdf;
    return pdf && pdf.generated_at !== before.generated_at ? pdf : null;
  });
  await until('the PDF status to show the new PDF', 15_000, async () => (await shown()) === after.generated_at);
  assert.ok(Date.parse(after.generated_at) > Date.parse(before.generated_at), 'made after the old one');

  await click(wd, id, await buttonNamed(wd, id, 'Open PDF'));
  const copy = path.join(cacheHome, 'app.counterfoil.desktop', 'invoices', `invoice-${invoice.friendly_id}.pdf`);
  let text = '';
  await until('"Opened …" in the PDF panel', 30_000, async () => {
    text = await pageText(wd, id);
    return text.includes(`Opened ${copy}`);
  }).catch((error) => {
    throw new Error(`${error.message} (page text: ${JSON.stringify(text.slice(0, 400))})`);
  });
  const pdfText = execFileSync('pdftotext', ['-layout', copy, '-'], { encoding: 'utf8' });
  assert.ok(pdfText.includes(invoice.friendly_id), `the PDF shows ${invoice.friendly_id}:\n${pdfText.slice(0, 500)}`);
  await settle(wd, id);
  await screenshot(wd, id, 'invoice-demo');
  return invoice;
}

async function nextStart(wd, id, demoBook, invoice) {
  await waitForHeading(wd, id, 'Dashboard', 60_000);
  const text = await until('the demo book in the header', 30_000, async () => {
    const page = await pageText(wd, id);
    return page.includes(demoBook) ? page : null;
  });
  assert.ok(!text.includes('Welcome to Counterfoil'), 'no welcome screen on the next start');
  // The same book: the invoice regenerated before is there, with its new PDF.
  const detail = await engine(wd, id, 'get_invoice', { id: invoice.id });
  assert.equal(detail.invoice.friendly_id, invoice.friendly_id);
  await settle(wd, id);
  await screenshot(wd, id, 'restart');
}

/** Lets the screen finish loading (no "Loading…" left) before a screenshot. */
async function settle(wd, id) {
  await until('the screen to finish loading', 15_000, async () => !(await pageText(wd, id)).includes('Loading…')).catch(() => {});
}

async function buttonStartingWith(wd, id, start) {
  const buttons = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'button' });
  for (const button of buttons) {
    if ((await wd('GET', `/session/${id}/element/${button[ELEMENT]}/text`)).trim().startsWith(start)) return button;
  }
  throw new Error(`no button starting with "${start}"`);
}
