// Starting sync from a desk that already keeps the books (docs/sync.md "Linking"): a person
// signs in with their password instead of pasting a token, publishes their standalone book to
// an empty `counterfoil serve`, and a colleague's new desktop starts from it. Refusals say why:
// a wrong password, a read-only person, a second publish to a server that now holds a book.
// Run from the repo root: node --test tests/sync/publish.test.mjs

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, repoRoot } from '../support/server.mjs';

const binary = process.env.COUNTERFOIL_BIN ?? path.join(repoRoot, 'target', 'debug', 'counterfoil');

let dir;
let server;
let url;
let serverBook;

/** Runs `counterfoil ARGS` to its end (off the event loop, the server answers meanwhile). */
function cli(args, password, stdin) {
  return new Promise((resolve) => {
    const env = { ...process.env };
    if (password !== undefined) env.COUNTERFOIL_PASSWORD = password;
    else delete env.COUNTERFOIL_PASSWORD;
    const child = spawn(binary, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env });
    if (stdin !== undefined) child.stdin.end(stdin);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

async function op(book, operation, input = {}) {
  const run = await cli(['op', operation, JSON.stringify(input), '--book', book]);
  assert.equal(run.code, 0, `${operation}: ${run.out}${run.err}`);
  return JSON.parse(run.out);
}

/** A standalone book with a plan, a buyer subscribed to it and an invoice of its own. */
async function bookWithData(name, buyer) {
  const book = path.join(dir, name);
  const services = await op(book, 'list_services');
  const plan = await op(book, 'create_plan', {
    service_id: services.items[0].id, name: 'Team', setup_fee: '0', cost_per_month: '30',
    trial_period_days: 0, state: 'published',
  });
  const account = await op(book, 'create_account', { org_name: buyer });
  await op(book, 'subscribe', { account_id: account.id, plan_id: plan.id, name: `${buyer} app` });
  await op(book, 'create_invoice', { account_id: account.id, lines: [{ name: 'Onboarding', cost: '120.00' }] });
  return book;
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'counterfoil-publish-'));
  serverBook = path.join(dir, 'server.book');
  for (const [username, permission] of [['ann', 'rw'], ['viewer', 'ro']]) {
    const added = spawnSync(binary, [
      'user', 'add', '--book', serverBook, '--username', username,
      '--scopes', 'account_management,finance', '--permission', permission,
    ], { encoding: 'utf8', env: { ...process.env, COUNTERFOIL_PASSWORD: 'correct horse battery' } });
    assert.equal(added.status, 0, added.stderr);
  }
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  server = spawn(binary, ['serve', '--book', serverBook, '--listen', `127.0.0.1:${port}`], {
    stdio: 'ignore',
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const answer = await fetch(`${url}rpc/book_info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (answer.ok) break;
    } catch {
      // not listening yet
    }
    assert.ok(Date.now() < deadline, 'the server answers within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

after(async () => {
  if (server && server.exitCode === null) {
    await new Promise((resolve) => {
      server.once('exit', resolve);
      server.kill('SIGTERM');
    });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function serverAccounts() {
  const answer = await fetch(`${url}rpc/list_accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"per_page": 100}' });
  assert.equal(answer.status, 200);
  return (await answer.json()).items.map((account) => account.org_name);
}

test('a wrong password or a read-only person cannot link a desktop, and are told why', async () => {
  const book = path.join(dir, 'refused.book');
  const wrong = await cli(['sync', 'link', '--book', book, '--server', url, '--username', 'ann'], 'not the password');
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.err, /Wrong username or password/);
  const viewer = await cli(['sync', 'link', '--book', book, '--server', url, '--username', 'viewer'], 'correct horse battery');
  assert.notEqual(viewer.code, 0);
  assert.match(viewer.err, /read and write with both the account_management and the finance scope/);
});

test('a desk with books of its own publishes them to an empty server by signing in', async () => {
  const desk = await bookWithData('desk.book', 'Early Buyer');
  const before = await op(desk, 'list_invoices');

  // Without --publish or --replace, a book with data is not linked, and says what to do.
  const plain = await cli(['sync', 'link', '--book', desk, '--server', url, '--username', 'ann'], 'correct horse battery');
  assert.notEqual(plain.code, 0);
  assert.match(plain.err, /--publish/);

  const published = await cli(['sync', 'link', '--book', desk, '--server', url, '--username', 'ann', '--publish'], 'correct horse battery');
  assert.equal(published.code, 0, published.err);
  assert.match(published.out, /published/);
  assert.ok((await serverAccounts()).includes('Early Buyer'), 'the server holds the desk\'s accounts');

  const status = JSON.parse((await cli(['sync', 'status', '--book', desk, '--json'])).out);
  assert.equal(status.role, 'linked');
  assert.equal(status.server_url, url);
  const tokens = spawnSync(binary, ['token', 'list', '--book', serverBook], { encoding: 'utf8' });
  assert.equal(tokens.stdout.match(/Sync: ann on /g)?.length, 1,
    'one token, listed on the server for revoking: the refused attempts made none');

  // The desk goes on as a linked one: a change made there reaches the server.
  await op(desk, 'create_account', { org_name: 'Signed Up After' });
  const round = await cli(['sync', '--book', desk]);
  assert.equal(round.code, 0, round.err);
  assert.ok((await serverAccounts()).includes('Signed Up After'));

  // A colleague's new desktop starts from the published book, invoices and numbers alike.
  const colleague = path.join(dir, 'colleague.book');
  const linked = await cli(['sync', 'link', '--book', colleague, '--server', url, '--username', 'ann'], 'correct horse battery');
  assert.equal(linked.code, 0, linked.err);
  const theirs = await op(colleague, 'list_invoices');
  assert.deepEqual(theirs.items.map((i) => [i.friendly_id, i.total]), before.items.map((i) => [i.friendly_id, i.total]));
  const names = (await op(colleague, 'list_accounts', { per_page: 100 })).items.map((a) => a.org_name);
  assert.ok(names.includes('Early Buyer') && names.includes('Signed Up After'), names.join(', '));

  // The server now holds a book: another desk's publish is refused, and changes nothing.
  const other = await bookWithData('other.book', 'Other Buyer');
  const again = await cli(['sync', 'link', '--book', other, '--server', url, '--username', 'ann', '--publish'], 'correct horse battery');
  assert.notEqual(again.code, 0);
  assert.match(again.err, /already holds a book/);
  assert.ok(!(await serverAccounts()).includes('Other Buyer'));
  const otherStatus = JSON.parse((await cli(['sync', 'status', '--book', other, '--json'])).out);
  assert.equal(otherStatus.role, 'standalone', 'the refused book stays as it was');
});

test('a usage import of 14 000 rows (over 1 MiB) made offline, for an application made offline, reaches the server whole', async () => {
  const desk = path.join(dir, 'importer.book');
  const linked = await cli(['sync', 'link', '--book', desk, '--server', url, '--username', 'ann'], 'correct horse battery');
  assert.equal(linked.code, 0, linked.err);
  const plans = await op(desk, 'list_plans');
  const account = await op(desk, 'create_account', { org_name: 'Bulk Importer' });
  const app = await op(desk, 'subscribe', { account_id: account.id, plan_id: plans.items[0].id, name: 'Bulk app' });
  assert.ok(app.id.startsWith('-'), 'made here, not yet known to the server');
  const start = Date.parse(app.created_at);
  const rows = Array.from({ length: 14_000 }, (_, i) => ({
    application: app.id, metric: 'hits', timestamp: new Date(start - 1000 - (i % 50) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'), value: '1',
  }));
  // Usage a little earlier than the application, as a desk's clock may be: refused here.
  const early = await cli(['op', 'import_usage', '-', '--book', desk], undefined, JSON.stringify({ rows }));
  assert.notEqual(early.code, 0);
  assert.match(early.out + early.err, /earlier than the application's creation/);
  const later = rows.map((row) => ({ ...row, timestamp: app.created_at }));
  const imported = await cli(['op', 'import_usage', '-', '--book', desk], undefined, JSON.stringify({ rows: later }));
  assert.equal(imported.code, 0, imported.out + imported.err);
  assert.equal(JSON.parse(imported.out).imported, 14_000);
  const waiting = JSON.parse((await cli(['sync', 'status', '--book', desk, '--json'])).out).waiting;
  assert.equal(waiting, 2 + 7, 'the account, the application, and the import in seven parts of 2 000 rows');

  const round = await cli(['sync', '--book', desk]);
  assert.equal(round.code, 0, round.err);
  const status = JSON.parse((await cli(['sync', 'status', '--book', desk, '--json'])).out);
  assert.equal(status.waiting, 0);
  assert.deepEqual(status.refused, []);
  const apps = await fetch(`${url}rpc/list_applications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ per_page: 100 }) });
  const onServer = (await apps.json()).items.find((a) => a.name === 'Bulk app');
  assert.ok(onServer, 'the application is on the server');
  const usage = await fetch(`${url}rpc/list_usage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ application_id: onServer.id, per_page: 1 }) });
  const listed = await usage.json();
  assert.equal(listed.total, 14_000, JSON.stringify(listed).slice(0, 300));
});
