// Settings → Access in a browser, on a server that wants sign-in (docs/access.md): an admin
// makes an access token, copies its value and the 3scale API takes it; revoked in Settings, the
// API refuses it. A person added in Settings signs in as themselves; after five failed sign-ins
// in a row the sign-in form tells them to wait, and once the book's clock has moved past the
// wait the right password works. The book has no payment gateway, and the screens say so. axe
// on the new section and its dialogs, light and dark.
// Run from the repo root: node --test tests/browser/access.test.mjs

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot, seriousViolations } from '../support/browser.mjs';
import { startServer } from '../support/server.mjs';
import { realProblems } from '../support/ui.mjs';

const START = '2025-01-15T10:00:00Z';
const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const DANA = { username: 'dana', password: 'dana has a long password' };

/** The session cookie of `who`, signed in over HTTP (for setup calls beside the browser). */
async function cookieOf(url, who) {
  const response = await fetch(new URL('session', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  assert.equal(response.status, 200, `sign-in as ${who.username}`);
  return response.headers.get('set-cookie').split(';')[0];
}

/** `POST /rpc/<operation>` with a session cookie. */
async function rpcAs(url, cookie, operation, input = {}) {
  const response = await fetch(new URL(`rpc/${operation}`, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(input),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${operation}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** A 3scale Account Management API call with `token`, as a program would make it. */
async function listAccountsWith(url, token) {
  const response = await fetch(new URL(`admin/api/accounts.json?access_token=${token}`, url));
  return { status: response.status, body: await response.json() };
}

/** The server's sign-in form: fills it in and submits; resolves once the form answered. */
async function signIn(page, url, who) {
  await page.goto(url);
  const form = page.locator('form#sign-in');
  await form.getByLabel('Username').fill(who.username);
  await form.getByLabel('Password').fill(who.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
}

describe('Settings → Access', () => {
  let server;

  before(async () => {
    server = await startServer({
      clock: START,
      args: ['--require-sign-in'],
      // The first person comes from the command line, through the same operation.
      prepare: ({ binary, book }) => {
        const added = spawnSync(
          binary,
          ['user', 'add', '--book', book, '--username', ADMIN.username, '--scopes', 'account_management,finance', '--permission', 'rw'],
          { env: { ...process.env, COUNTERFOIL_PASSWORD: ADMIN.password }, encoding: 'utf8' },
        );
        assert.equal(added.status, 0, added.stderr);
      },
    });
  });

  after(async () => {
    await server?.stop();
  });

  it('makes a token, copies it for the API, and revokes it', async () => {
    const browser = await launchBrowser();
    try {
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
      const { page, problems } = await browser.newPage();
      await signIn(page, server.url, ADMIN);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

      // No payment gateway in this book: the dashboard and Settings say charging is off.
      const dashboardCharging = page.getByTestId('dashboard-charging');
      await dashboardCharging.waitFor();
      assert.match(await dashboardCharging.innerText(), /No payment gateway: charging is off\./);
      await page.goto(new URL('#/settings', server.url).href);
      const settingsCharging = page.getByTestId('settings-charging');
      await settingsCharging.waitFor();
      assert.match(await settingsCharging.innerText(), /No payment gateway: charging is off\./);
      await screenshot(page, 'access-settings-no-gateway');
      // An issued invoice offers no Charge, and says why; recording a payment is the next step.
      const admin = await cookieOf(server.url, ADMIN);
      const buyer = await rpcAs(server.url, admin, 'create_account', { org_name: 'Acme Ltd' });
      const created = await rpcAs(server.url, admin, 'create_invoice', { account_id: buyer.id, period: '2025-01' });
      await rpcAs(server.url, admin, 'add_line_item', { invoice_id: created.invoice.id, name: 'Consulting', cost: '100' });
      await rpcAs(server.url, admin, 'transition_invoice', { id: created.invoice.id, state: 'pending' });
      await page.goto(new URL(`#/invoices/${created.invoice.id}`, server.url).href);
      const invoiceCharging = page.getByTestId('invoice-charging');
      await invoiceCharging.waitFor();
      assert.match(await invoiceCharging.innerText(), /^No payment gateway: charging is off\. Record a payment/);
      const actions = page.getByRole('group', { name: 'Invoice actions' });
      assert.equal(await actions.getByRole('button', { name: 'Charge' }).count(), 0);
      assert.match(await actions.getByRole('button', { name: 'Mark as paid' }).getAttribute('class'), /\bprimary\b/);
      await screenshot(page, 'access-invoice-no-gateway');

      await page.goto(new URL('#/settings', server.url).href);
      await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Access: people and tokens' }).click();
      await page.getByRole('heading', { level: 2, name: 'Access tokens' }).waitFor();
      const people = page.getByRole('table', { name: 'People' });
      await people.getByRole('cell', { name: 'admin', exact: true }).waitFor();

      await page.getByRole('button', { name: 'New token' }).click();
      const dialog = page.getByRole('dialog', { name: 'New token' });
      await dialog.getByLabel('Name').fill('Month-end export');
      await dialog.getByRole('checkbox', { name: 'Accounts (account_management)' }).check();
      await dialog.getByLabel('Permission').selectOption('ro');
      await dialog.getByRole('button', { name: 'Make token' }).click();
      const made = page.getByRole('dialog', { name: 'Token made' });
      await made.waitFor();
      const shown = await made.getByLabel('Token value').inputValue();
      assert.match(shown, /^[0-9a-f]{96}$/);
      await made.getByRole('button', { name: 'Copy' }).click();
      await made.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, shown, 'the clipboard holds the value shown');
      await screenshot(page, 'access-token-made');

      // A program uses it against the 3scale API.
      const accepted = await listAccountsWith(server.url, copied);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.deepEqual(
        accepted.body.accounts.map((item) => item.account.org_name),
        ['Acme Ltd'],
      );

      await made.getByRole('button', { name: 'Done' }).click();
      await made.waitFor({ state: 'detached' });
      const tokens = page.getByRole('table', { name: 'Access tokens' });
      const row = tokens.getByRole('row').filter({ hasText: 'Month-end export' });
      await row.waitFor();
      assert.match(await row.innerText(), /Accounts and finance, read only/);
      assert.ok(!(await page.content()).includes(copied), 'the value is not on the page once the dialog is closed');

      await row.getByRole('button', { name: 'Revoke token Month-end export' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Revoke token' });
      await confirm.getByRole('button', { name: 'Revoke token' }).click();
      await page.getByRole('status').filter({ hasText: 'Token “Month-end export” revoked' }).waitFor();
      await tokens.waitFor({ state: 'detached' });

      const refused = await listAccountsWith(server.url, copied);
      assert.equal(refused.status, 403);
      assert.deepEqual(refused.body, { error: 'Access denied' });
      assert.deepEqual(realProblems(problems), []);
    } finally {
      await browser.close();
    }
  });

  it('adds a person who then signs in as themselves, and who may not manage people', async () => {
    const browser = await launchBrowser();
    try {
      const { page, problems } = await browser.newPage();
      await signIn(page, server.url, ADMIN);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.goto(new URL('#/settings/access', server.url).href);
      await page.getByRole('button', { name: 'Add person' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add person' });
      await dialog.getByLabel('Username').fill(DANA.username);
      // The label reads “Password*”: the star marks it required.
      await dialog.getByLabel(/^Password\W*$/).fill(DANA.password);
      await dialog.getByLabel('Password again').fill('dana has a long passw0rd');
      await dialog.getByRole('checkbox', { name: 'Accounts (account_management)' }).uncheck();
      await dialog.getByRole('button', { name: 'Add person' }).click();
      // Two passwords that differ: said next to the second, nothing sent.
      const again = dialog.getByLabel('Password again');
      assert.equal(await again.getAttribute('aria-invalid'), 'true');
      await dialog.getByText('The two passwords differ').waitFor();
      await again.fill(DANA.password);
      await dialog.getByRole('button', { name: 'Add person' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('status').filter({ hasText: 'dana was added and may sign in.' }).waitFor();
      const row = page.getByRole('table', { name: 'People' }).getByRole('row').filter({ hasText: 'dana' });
      assert.match(await row.innerText(), /Finance, read only/);
      assert.match(await row.innerText(), /Active/);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('form#sign-in').waitFor();
      await signIn(page, server.url, DANA);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.locator('.signed-in').getByText('dana').waitFor();

      // Dana has finance only: Settings → Access is refused by the engine, and says why.
      await page.goto(new URL('#/settings/access', server.url).href);
      await page.getByRole('alert').filter({ hasText: 'Only a person with both the account_management and the finance scope' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Add person' }).count(), 0, 'nothing offered that would be refused');
      await screenshot(page, 'access-refused-to-dana');
      assert.deepEqual(realProblems(problems), []);
    } finally {
      await browser.close();
    }
  });

  it('makes an account wait after five failed sign-ins in a row, until the clock has moved on', async () => {
    const browser = await launchBrowser();
    try {
      const { page } = await browser.newPage();
      const problem = page.locator('#problem');
      for (let attempt = 1; attempt <= 5; attempt++) {
        await signIn(page, server.url, { username: DANA.username, password: `wrong guess number ${attempt}` });
        await page.locator('#problem', { hasText: 'Wrong username or password.' }).waitFor();
      }
      // The sixth waits, even with the right password.
      await signIn(page, server.url, DANA);
      await page.locator('#problem', { hasText: 'Too many failed sign-ins' }).waitFor();
      assert.equal(await problem.innerText(), 'Too many failed sign-ins in a row for this user: wait 1 second and try again.');
      await screenshot(page, 'access-sign-in-wait');

      // Meanwhile the admin sees Dana waiting.
      const admin = await cookieOf(server.url, ADMIN);
      const users = await rpcAs(server.url, admin, 'list_users');
      const dana = users.find((user) => user.username === DANA.username);
      assert.equal(dana.failed_sign_ins, 5);
      assert.equal(dana.locked_until, '2025-01-15T10:00:01Z');

      // The book's clock moves past the wait: the right password signs in.
      await rpcAs(server.url, admin, 'advance_clock', { to: '2025-01-15T10:00:02Z' });
      await signIn(page, server.url, DANA);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      const after = (await rpcAs(server.url, admin, 'list_users')).find((user) => user.username === DANA.username);
      assert.equal(after.failed_sign_ins, 0);
    } finally {
      await browser.close();
    }
  });

  for (const colorScheme of ['light', 'dark']) {
    it(`has no serious or critical accessibility violations in the ${colorScheme} theme`, async () => {
      const browser = await launchBrowser({ colorScheme });
      try {
        const { page, problems } = await browser.newPage();
        await signIn(page, server.url, ADMIN);
        await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
        const admin = await cookieOf(server.url, ADMIN);
        await rpcAs(server.url, admin, 'create_access_token', {
          name: `Reports (${colorScheme})`,
          scopes: ['finance'],
          permission: 'ro',
          expires_at: '2026-01-01T00:00:00Z',
        });
        await page.goto(new URL('#/settings/access', server.url).href);
        await page.getByRole('table', { name: 'Access tokens' }).waitFor();
        await page.waitForLoadState('networkidle');
        const found = { section: await seriousViolations(page) };
        await screenshot(page, `access-section-${colorScheme}`);

        await page.getByRole('button', { name: 'Add person' }).click();
        const person = page.getByRole('dialog', { name: 'Add person' });
        await person.getByRole('button', { name: 'Add person' }).click();
        await person.locator('[aria-invalid="true"]').first().waitFor();
        found.addPerson = await seriousViolations(page);
        await screenshot(page, `access-add-person-${colorScheme}`);
        await person.getByRole('button', { name: 'Cancel' }).click();

        const dana = page.getByRole('table', { name: 'People' }).getByRole('row').filter({ hasText: 'dana' });
        await dana.getByRole('button', { name: 'Change password of dana' }).click();
        const password = page.getByRole('dialog', { name: 'Change password' });
        await password.waitFor();
        found.changePassword = await seriousViolations(page);
        await screenshot(page, `access-change-password-${colorScheme}`);
        await password.getByRole('button', { name: 'Cancel' }).click();

        await page.getByRole('button', { name: 'New token' }).click();
        const token = page.getByRole('dialog', { name: 'New token' });
        await token.getByLabel('Name').fill(`Axe (${colorScheme})`);
        found.newToken = await seriousViolations(page);
        await token.getByRole('button', { name: 'Make token' }).click();
        const made = page.getByRole('dialog', { name: 'Token made' });
        await made.waitFor();
        found.tokenMade = await seriousViolations(page);
        await screenshot(page, `access-token-made-${colorScheme}`);
        await made.getByRole('button', { name: 'Done' }).click();

        await page
          .getByRole('table', { name: 'Access tokens' })
          .getByRole('button', { name: `Revoke token Reports (${colorScheme})` })
          .click();
        const confirm = page.getByRole('alertdialog', { name: 'Revoke token' });
        await confirm.waitFor();
        found.revoke = await seriousViolations(page);
        await confirm.getByRole('button', { name: 'Keep token' }).click();

        await page.goto(new URL('#/settings', server.url).href);
        await page.getByTestId('settings-charging').waitFor();
        found.settingsCharging = await seriousViolations(page);

        for (const [name, violations] of Object.entries(found)) {
          assert.deepEqual(violations, [], `${name} (${colorScheme})`);
        }
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await browser.close();
      }
    });
  }
});
