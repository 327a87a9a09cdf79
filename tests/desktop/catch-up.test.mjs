// The billing catch-up in the desktop window: a book last used years ago (made by `counterfoil
// serve --clock` in 2022, with 25 buyers on a monthly plan) is opened with `--book`; the window
// shows "n of N days" while the missed days are billed, Cancel stops it between two days (the
// days left are shown and nothing is skipped), Resume goes on to the end, and the book then has
// an invoice for every month. (25 buyers: with one, nearly five years are billed in about 3 s,
// too fast to press Cancel in time.)
//
// The real desktop binary under Xvfb, driven by tauri-driver + WebKitWebDriver (driver.mjs).
// Leaves screenshots in artifacts/desktop/: catch-up-running.png, catch-up-paused.png,
// catch-up-done.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  appEnv,
  inSession,
  artifacts,
  buttonNamed,
  click,
  engine,
  freePort,
  missingTools,
  screenshot,
  script,
  start,
  startDriver,
  startXvfb,
  stop,
  stopAll,
  targetDir,
  until,
  waitForHeading,
} from './driver.mjs';

const cli = process.env.COUNTERFOIL_BIN || path.join(targetDir, 'debug', 'counterfoil');
const SINCE = '2022-01-01T00:00:00Z';
const BUYERS = 25;

/** Makes a book on a clock standing in January 2022: 25 buyers subscribed to a monthly plan. */
async function bookFrom2022(book, env) {
  const port = await freePort();
  const server = start('catch-up-serve', cli, ['serve', '--book', book, '--listen', `127.0.0.1:${port}`, '--clock', SINCE], env);
  const rpc = async (operation, input) => {
    const response = await fetch(`http://127.0.0.1:${port}/rpc/${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`${operation}: ${body.message}`);
    return body;
  };
  try {
    await until('counterfoil serve', 30_000, async () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false));
    const service = await rpc('create_service', { name: 'Maps API' });
    const plan = await rpc('create_plan', {
      service_id: service.id,
      name: 'Standard',
      setup_fee: '0',
      cost_per_month: '30',
      trial_period_days: 0,
      state: 'published',
    });
    for (let n = 1; n <= BUYERS; n++) {
      const account = await rpc('create_account', { org_name: n === 1 ? 'Old Faithful GmbH' : `Buyer ${n}` });
      await rpc('subscribe', { account_id: account.id, plan_id: plan.id, name: 'Maps' });
    }
  } finally {
    await stop(server);
  }
}

/** What the catch-up notice says now ('' when none shows). */
async function notice(wd, id) {
  return script(wd, id, "return document.querySelector('[data-testid=billing-catch-up]')?.textContent.replace(/\\s+/g, ' ').trim() ?? ''");
}

test('the desktop bills the days a book was closed with progress, Cancel and Resume', { timeout: 600_000 }, async () => {
  assert.deepEqual(missingTools(), [], 'the desktop test tools');
  assert.ok(fs.existsSync(cli), `the counterfoil CLI at ${cli} (cargo build -p counterfoil-cli)`);
  fs.mkdirSync(artifacts, { recursive: true });
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'counterfoil-catch-up-'));
  const book = path.join(temp, 'since-2022.book');
  try {
    const display = await startXvfb();
    const env = appEnv(display, temp);
    await bookFrom2022(book, env);
    const { wd } = await startDriver(env, env.HOME, 'catch-up-driver');
    await inSession(wd, ['--book', book], 'catch-up-driver', 'catch-up-failure', (id) => catchUp(wd, id));
  } finally {
    await stopAll();
    fs.rmSync(temp, { recursive: true, force: true });
  }
});

async function catchUp(wd, id) {
  await waitForHeading(wd, id, 'Dashboard');
  // Every day since 1 January 2022 is due: nearly five years of days.
  const running = await until('the catch-up in progress', 60_000, async () => {
    const text = await notice(wd, id);
    const match = /Billing the days the book was closed: ([\d,]+) of ([\d,]+) days/.exec(text);
    return match && Number(match[1].replace(/,/g, '')) >= 1 ? { text, total: Number(match[2].replace(/,/g, '')) } : null;
  });
  assert.ok(running.total > 1700, `years of days to bill: ${running.text}`);
  await screenshot(wd, id, 'catch-up-running');
  // The window stays usable between days: the engine answers while the catch-up runs.
  const listed = await engine(wd, id, 'list_accounts', { search: 'Old Faithful' });
  assert.equal(listed.items[0].org_name, 'Old Faithful GmbH');
  const buyer = listed.items[0].id;

  await click(wd, id, await buttonNamed(wd, id, 'Cancel'));
  const paused = await until('the catch-up paused', 60_000, async () => {
    const text = await notice(wd, id);
    const match = /Billing paused after (.+?): ([\d,]+) days? not billed yet/.exec(text);
    return match ? { text, left: Number(match[2].replace(/,/g, '')) } : null;
  });
  assert.ok(paused.left > 0 && paused.left < running.total, paused.text);
  await screenshot(wd, id, 'catch-up-paused');
  // Paused means paused: no day is billed while it waits.
  const invoiceCount = async () => (await engine(wd, id, 'list_invoices', { per_page: 1 })).total;
  const invoicesPaused = await invoiceCount();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(await invoiceCount(), invoicesPaused, 'nothing billed while paused');
  assert.ok(!(await notice(wd, id)).includes('caught up'));

  await click(wd, id, await buttonNamed(wd, id, 'Resume billing'));
  const done = await until('the catch-up to finish', 480_000, async () => {
    const text = await notice(wd, id);
    return /Billing caught up: [\d,]+ days billed/.test(text) ? text : null;
  });
  await screenshot(wd, id, 'catch-up-done');
  const resumed = Number(/caught up: ([\d,]+) days/.exec(done)[1].replace(/,/g, ''));
  assert.equal(resumed, paused.left, `the resumed catch-up billed the days left: ${done}`);

  // Every month from January 2022 to last month has its invoice; none is skipped or doubled.
  const invoices = (await engine(wd, id, 'list_invoices', { account_id: buyer, per_page: 200 })).items;
  const periods = new Set(invoices.map((invoice) => invoice.period));
  const months = [];
  for (let month = new Date(Date.UTC(2022, 0, 1)); month < new Date(); month.setUTCMonth(month.getUTCMonth() + 1)) {
    months.push(month.toISOString().slice(0, 7));
  }
  const billedMonths = months.slice(0, -1); // the current month is still open or not billed yet
  assert.deepEqual(
    billedMonths.filter((month) => !periods.has(month)),
    [],
    'a monthly invoice for every month since January 2022',
  );
  assert.equal(invoices.length, periods.size, 'one invoice per month');
}
