// Desktop smoke test: the real desktop binary in a virtual X display, driven over W3C WebDriver
// (tauri-driver in front of WebKitWebDriver; see driver.mjs). The app is started with
// `--book FILE`, so it opens that book directly, without the welcome screen.
//
// Needs xdotool to answer the save dialog. Leaves screenshots in artifacts/desktop/
// (accounts.png, settings-access.png, invoice.png).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ELEMENT,
  appEnv,
  inSession,
  artifacts,
  buttonNamed,
  click,
  engine,
  missingTools,
  pageText,
  screenshot,
  sleep,
  startDriver,
  startXvfb,
  stopAll,
  until,
  waitForHeading,
} from './driver.mjs';

// ---- the test ------------------------------------------------------------------------------

test('the desktop app opens the book it is given, creates it and opens invoice PDFs', { timeout: 180_000 }, async () => {
  assert.deepEqual(missingTools(), [], 'the desktop test tools');

  fs.mkdirSync(artifacts, { recursive: true });
  for (const stale of ['accounts.png', 'settings-access.png', 'invoice.png', 'failure.png', 'failure.html']) {
    fs.rmSync(path.join(artifacts, stale), { force: true });
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'counterfoil-smoke-'));
  const book = path.join(temp, 'smoke.sqlite');
  try {
    const display = await startXvfb();
    const env = appEnv(display, temp);
    // The app's working directory, where the save dialog starts: the test's own folder.
    const { wd } = await startDriver(env, env.HOME);
    await inSession(wd, ['--book', book], undefined, 'failure', async (id) => {
      await checkApp(wd, id, book);
      await checkAccessAndCharging(wd, id);
      const invoice = await checkInvoicePdf(wd, id, path.join(temp, 'cache'));
      await checkSaveDialog(wd, id, invoice, env);
    });
  } finally {
    await stopAll();
    fs.rmSync(temp, { recursive: true, force: true });
  }
});

async function checkApp(wd, id, book) {
  // The app opens on the Dashboard, with no welcome screen: the book was given.
  await waitForHeading(wd, id, 'Dashboard');
  await wd('POST', `/session/${id}/execute/sync`, { script: "window.location.hash = '#/accounts'", args: [] });
  await waitForHeading(wd, id, 'Accounts', 30_000);

  // The engine answered through IPC: the list rendered (an empty book shows its empty state)
  // and the header names the book that was opened. A screen stuck on "Loading…" fails here.
  let body = '';
  await until('the accounts list to finish loading', 30_000, async () => {
    body = await pageText(wd, id);
    return body.includes('No accounts yet.') && body.includes(book);
  }).catch((error) => {
    throw new Error(`${error.message} (page text: ${JSON.stringify(body.slice(0, 300))})`);
  });

  const nav = await wd('POST', `/session/${id}/elements`, {
    using: 'css selector',
    value: 'nav[aria-label="Main"]',
  });
  assert.equal(nav.length, 1, 'one nav[aria-label="Main"]');

  await screenshot(wd, id, 'accounts');

  // The app created the book it was given, as an SQLite database.
  const header = await until(`the book ${book}`, 10_000, () => {
    const bytes = fs.existsSync(book) ? fs.readFileSync(book).subarray(0, 16) : Buffer.alloc(0);
    return bytes.length === 16 ? bytes : null;
  });
  assert.equal(header.toString('latin1'), 'SQLite format 3\0', 'the book is an SQLite file');
}

/** Settings → Access in the desktop, where the local user manages people without signing in:
 * a person added through the dialog is listed. And a new book has no payment gateway: the
 * dashboard says charging is off. */
async function checkAccessAndCharging(wd, id) {
  await wd('POST', `/session/${id}/execute/sync`, { script: "window.location.hash = '#/dashboard'", args: [] });
  await until('the dashboard to say charging is off', 30_000, async () =>
    (await pageText(wd, id)).includes('No payment gateway: charging is off.'),
  );

  await wd('POST', `/session/${id}/execute/sync`, { script: "window.location.hash = '#/settings/access'", args: [] });
  await until('the Access section', 30_000, async () => (await pageText(wd, id)).includes('Nobody yet: add a person'));
  await click(wd, id, await buttonNamed(wd, id, 'Add person'));
  const inputs = await until('the Add person dialog', 10_000, async () => {
    const found = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'dialog[open] input' });
    return found.length >= 3 ? found : null;
  });
  const [username, password, repeated] = inputs;
  const type = (element, text) => wd('POST', `/session/${id}/element/${element[ELEMENT]}/value`, { text });
  await type(username, 'dana');
  await type(password, 'dana has a long password');
  await type(repeated, 'dana has a long password');
  const [submit] = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'dialog[open] button[type=submit]' });
  await click(wd, id, submit);
  await until('dana in the list of people', 30_000, async () => (await pageText(wd, id)).includes('dana was added and may sign in.'));
  const users = await engine(wd, id, 'list_users', {});
  assert.deepEqual(
    users.map((user) => [user.username, user.scopes, user.permission]),
    [['dana', ['account_management', 'finance'], 'ro']],
  );
  await screenshot(wd, id, 'settings-access');
}

/** An invoice's "Open PDF" makes its PDF, copies it to the app's cache folder and hands it to
 * the system viewer. */
async function checkInvoicePdf(wd, id, cacheHome) {
  const account = await engine(wd, id, 'create_account', { org_name: 'Ελληνική Α.Ε.' });
  const created = await engine(wd, id, 'create_invoice', { account_id: account.id, period: '2025-04' });
  const invoice = created.invoice;
  await engine(wd, id, 'add_line_item', { invoice_id: invoice.id, name: 'Consulting', cost: '120' });

  await wd('POST', `/session/${id}/execute/sync`, {
    script: `window.location.hash = '#/invoices/${invoice.id}'`,
    args: [],
  });
  await until('the invoice detail', 30_000, async () => (await pageText(wd, id)).includes('No PDF yet'));
  const buttons = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'button' });
  let openButton;
  for (const button of buttons) {
    if ((await wd('GET', `/session/${id}/element/${button[ELEMENT]}/text`)).trim() === 'Open PDF') {
      openButton = button;
    }
  }
  assert.ok(openButton, 'an "Open PDF" button');
  await wd('POST', `/session/${id}/element/${openButton[ELEMENT]}/click`, {});

  const copy = path.join(cacheHome, 'app.counterfoil.desktop', 'invoices', `invoice-${invoice.friendly_id}.pdf`);
  let text = '';
  await until('"Opened …" in the PDF panel', 30_000, async () => {
    text = await pageText(wd, id);
    return text.includes(`Opened ${copy}`);
  }).catch((error) => {
    throw new Error(`${error.message} (page text: ${JSON.stringify(text.slice(0, 400))})`);
  });
  assert.equal(fs.readFileSync(copy).subarray(0, 5).toString('latin1'), '%PDF-', 'the viewer got a PDF');
  const detail = await engine(wd, id, 'get_invoice', { id: invoice.id });
  assert.equal(typeof detail.pdf.generated_at, 'string', 'opening made and stored the PDF');
  await until('the PDF panel to say when it was generated', 10_000, async () =>
    (await pageText(wd, id)).includes('PDF generated'),
  );
  await screenshot(wd, id, 'invoice');
  return invoice;
}

function xdotool(env, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('xdotool', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`xdotool ${args.join(' ')}: exit ${code}`))));
  });
}

/** "Save PDF…" opens the system's save dialog proposing invoice-<friendly id>.pdf; accepting
 * it (Enter, in a real GTK dialog driven with xdotool) writes the PDF there. */
async function checkSaveDialog(wd, id, invoice, env) {
  await wd('POST', `/session/${id}/element/${(await buttonNamed(wd, id, 'Save PDF…'))[ELEMENT]}/click`, {});
  const dialog = await until('the save dialog', 30_000, async () => {
    const found = await xdotool(env, ['search', '--name', 'Save invoice PDF']).catch(() => '');
    return found.split('\n').filter(Boolean).pop();
  });
  await sleep(500); // let GTK finish mapping the dialog and focus its file-name entry
  await xdotool(env, ['windowfocus', '--sync', dialog]);
  await xdotool(env, ['key', '--window', dialog, 'Return']);
  const name = `invoice-${invoice.friendly_id}.pdf`;
  let text = '';
  const saved = await until('"Saved to …" in the PDF panel', 30_000, async () => {
    text = await pageText(wd, id);
    const match = text.match(/Saved to (\S+\.pdf)/);
    return match ? match[1] : null;
  }).catch((error) => {
    throw new Error(`${error.message} (page text: ${JSON.stringify(text.slice(0, 400))})`);
  });
  assert.equal(path.basename(saved), name, 'the dialog proposed invoice-<friendly id>.pdf');
  assert.ok(saved.startsWith(env.HOME), `saved in the test's folder, not elsewhere: ${saved}`);
  assert.equal(fs.readFileSync(saved).subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF was saved');
}
