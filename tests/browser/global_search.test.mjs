// The global search (Ctrl+K or "/") and Sign out, in Chromium against a real `counterfoil serve`.
// Screenshots: artifacts/browser/search-light.png, search-dark.png, signed-in.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser, screenshot } from '../support/browser.mjs';
import { freePort, repoRoot, startServer } from '../support/server.mjs';
import { realProblems, rpc } from '../support/ui.mjs';

const binary = process.env.COUNTERFOIL_BIN ?? path.join(repoRoot, 'target', 'debug', 'counterfoil');

test('Ctrl+K and "/" find accounts and invoices and open them; Esc closes the search', { timeout: 120_000 }, async () => {
  const server = await startServer({ clock: '2026-05-20T10:00:00Z' });
  const browser = await launchBrowser();
  try {
    const acme = await rpc(server.url, 'create_account', { org_name: 'Acme Trading GmbH', vat_code: 'DE123456789' });
    await rpc(server.url, 'create_account', { org_name: 'Zeta Analytics' });
    const created = await rpc(server.url, 'create_invoice', { account_id: acme.id, period: '2026-04' });
    const invoice = created.invoice;
    await rpc(server.url, 'add_line_item', { invoice_id: invoice.id, name: 'Consulting', cost: '120' });

    const { page, problems } = await browser.newPage();
    await page.goto(`${server.url}#/accounts`);
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();

    // No Sign out on a loopback server that needs no sign-in.
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);

    // Ctrl+K opens the search with the focus in its field; Esc closes it and gives the focus back.
    await page.keyboard.press('Control+k');
    const field = page.getByRole('combobox', { name: 'Search accounts and invoices' });
    await field.waitFor();
    assert.equal(await field.evaluate((el) => el === document.activeElement), true, 'the field has the focus');
    await page.keyboard.press('Escape');
    await field.waitFor({ state: 'detached' });

    // "/" opens it too; an account by part of its VAT code; Enter opens the account.
    await page.keyboard.press('/');
    await field.waitFor();
    await field.fill('de1234');
    const accountOption = page.getByRole('option', { name: /Acme Trading GmbH/ });
    await accountOption.waitFor();
    assert.equal(await accountOption.getAttribute('aria-selected'), 'true', 'the first result is highlighted');
    await screenshot(page, 'search-light');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Acme Trading GmbH' }).waitFor();
    assert.match(page.url(), new RegExp(`#/accounts/${acme.id}$`));
    assert.equal(await field.count(), 0, 'the search closed');

    // An invoice by its friendly ID with a wildcard (its only match); arrow keys stay on it.
    await page.keyboard.press('Control+k');
    await field.waitFor();
    const pattern = `${invoice.friendly_id.slice(0, 4)}*`;
    await field.fill(pattern);
    const invoiceOption = page.getByRole('option', { name: new RegExp(invoice.friendly_id) });
    await invoiceOption.waitFor();
    await page.keyboard.press('ArrowDown');
    assert.equal(await invoiceOption.getAttribute('aria-selected'), 'true', 'ArrowDown wraps around to it');
    assert.equal(await page.getByRole('option').count(), 1, 'no account has that ID');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: new RegExp(invoice.friendly_id) }).waitFor();

    // Nothing found is said, not left blank.
    await page.keyboard.press('Control+k');
    await field.waitFor();
    await field.fill('no such thing');
    await page.getByText('Nothing matches “no such thing”.').waitFor();
    await page.keyboard.press('Escape');

    // "/" typed into a form field is just a character.
    await page.goto(`${server.url}#/accounts`);
    const accountSearch = page.getByRole('searchbox').first();
    await accountSearch.waitFor();
    await accountSearch.focus();
    await page.keyboard.press('/');
    assert.equal(await field.count(), 0, '"/" in a text field does not open the search');

    assert.deepEqual(realProblems(problems), []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('the search dialog in the dark theme', { timeout: 60_000 }, async () => {
  const server = await startServer();
  const browser = await launchBrowser({ colorScheme: 'dark' });
  try {
    await rpc(server.url, 'create_account', { org_name: 'Acme Trading GmbH', vat_code: 'DE123456789' });
    const { page } = await browser.newPage();
    await page.goto(`${server.url}#/accounts`);
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    await page.keyboard.press('Control+k');
    await page.getByRole('combobox', { name: 'Search accounts and invoices' }).fill('acme');
    await page.getByRole('option', { name: /Acme Trading GmbH/ }).waitFor();
    const background = await page.locator('dialog[open]').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(background, 'rgb(255, 255, 255)', 'the dialog follows the dark theme');
    await screenshot(page, 'search-dark');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a signed-in user sees Sign out in the top bar, and it ends the session', { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'counterfoil-signout-'));
  const book = path.join(dir, 'book.sqlite');
  execFileSync(binary, ['user', 'add', '--book', book, '--username', 'ana', '--scopes', 'account_management,finance', '--permission', 'rw'], {
    env: { ...process.env, COUNTERFOIL_PASSWORD: 'correct horse battery' },
    stdio: 'ignore',
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const serve = spawn(binary, ['serve', '--book', book, '--listen', `127.0.0.1:${port}`, '--require-sign-in'], {
    cwd: repoRoot,
    stdio: 'ignore',
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const browser = await launchBrowser();
  try {
    for (let tries = 0; ; tries++) {
      const up = await fetch(url).then((r) => r.ok, () => false);
      if (up) break;
      if (tries > 100) throw new Error('counterfoil serve did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { page } = await browser.newPage();
    await page.goto(url);
    await page.getByLabel('Username').fill('ana');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    const signOut = page.getByRole('button', { name: 'Sign out' });
    await signOut.waitFor();
    await page.getByText('ana', { exact: true }).waitFor();
    await screenshot(page, 'signed-in');
    await signOut.click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const session = await page.evaluate(async () => (await fetch('/session')).status);
    assert.equal(session, 401, 'the session ended');
  } finally {
    await browser.close();
    serve.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
