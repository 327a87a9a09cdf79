// Desktop smoke test: the real desktop binary in a virtual X display, driven over W3C WebDriver
// (tauri-driver in front of WebKitWebDriver). No npm dependencies: node:test and fetch.
//
// Needs: Xvfb, /usr/bin/WebKitWebDriver (webkit2gtk-driver), tauri-driver, a built desktop binary.
// `cargo xtask test` provides all of them; it passes the paths in COUNTERFOIL_DESKTOP_BIN and
// TAURI_DRIVER. Needs xdotool to answer the save dialog. Leaves screenshots in
// artifacts/desktop/ (accounts.png, invoice.png).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const targetDir = path.resolve(repo, process.env.CARGO_TARGET_DIR || 'target');
const appBinary =
  process.env.COUNTERFOIL_DESKTOP_BIN || path.join(targetDir, 'debug', 'counterfoil-desktop');
const tauriDriver = process.env.TAURI_DRIVER || path.join(repo, '.cache', 'tools', 'bin', 'tauri-driver');
const nativeDriver = '/usr/bin/WebKitWebDriver';
const artifacts = path.join(repo, 'artifacts', 'desktop');

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'; // the W3C web element identifier

// ---- processes this test starts, and only those, are stopped at the end ----------------------

/** @type {{name: string, child: import('node:child_process').ChildProcess, exited: boolean}[]} */
const started = [];

function start(name, command, args, env, cwd = undefined) {
  fs.mkdirSync(artifacts, { recursive: true });
  const log = fs.openSync(path.join(artifacts, `${name}.log`), 'w');
  // detached: its own process group, so the driver's children (WebKitWebDriver, the app) can be
  // stopped together with it, and nothing else.
  const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const entry = { name, child, exited: false };
  child.on('exit', () => {
    entry.exited = true;
  });
  child.on('error', () => {
    entry.exited = true;
  });
  started.push(entry);
  return entry;
}

function signalGroup(entry, signal) {
  if (entry.child.pid === undefined) return;
  try {
    process.kill(-entry.child.pid, signal);
  } catch {
    // already gone
  }
}

async function stop(entry) {
  signalGroup(entry, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (!entry.exited && Date.now() < deadline) await sleep(50);
  signalGroup(entry, 'SIGKILL');
}

async function stopAll() {
  for (const entry of started.reverse()) await stop(entry);
  started.length = 0;
}

// If this process ends before the test's own cleanup ran, still leave nothing behind.
process.on('exit', () => {
  for (const entry of started) signalGroup(entry, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => process.exit(128 + os.constants.signals[signal]));
}

function logTail(name, lines = 30) {
  try {
    const text = fs.readFileSync(path.join(artifacts, `${name}.log`), 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---- helpers -------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, timeoutMs, probe) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(200);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts Xvfb on the first free display from :99 up; returns e.g. ":99". */
async function startXvfb() {
  for (let n = 99; n < 200; n++) {
    if (fs.existsSync(`/tmp/.X${n}-lock`) || fs.existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const xvfb = start('xvfb', 'Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], process.env);
    const state = await until(`Xvfb :${n}`, 10_000, () =>
      xvfb.exited ? 'exited' : fs.existsSync(`/tmp/.X11-unix/X${n}`) ? 'ready' : null,
    );
    if (state === 'ready') return `:${n}`;
    started.splice(started.indexOf(xvfb), 1); // lost a race for :n; try the next one
  }
  throw new Error(`no free X display from :99 to :199\n${logTail('xvfb')}`);
}

function webdriver(base) {
  return async function call(method, route, body, timeoutMs = 30_000) {
    let response;
    let text;
    try {
      response = await fetch(base + route, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new Error(`${method} ${route}: ${error.message}`);
    }
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = { value: text };
    }
    if (!response.ok) {
      const value = json.value ?? json;
      throw new Error(`${method} ${route}: HTTP ${response.status} ${value.error ?? ''} ${value.message ?? JSON.stringify(value)}`);
    }
    return json.value;
  };
}

// ---- the test ------------------------------------------------------------------------------

test('the desktop app opens on the Accounts screen, creates its book and opens invoice PDFs', { timeout: 180_000 }, async () => {
  for (const [file, what] of [
    [appBinary, 'the desktop binary (cargo build --bin counterfoil-desktop)'],
    [tauriDriver, "tauri-driver (cargo install tauri-driver --version '^2' --locked --root .cache/tools)"],
    [nativeDriver, 'WebKitWebDriver (apt-get install webkit2gtk-driver)'],
  ]) {
    assert.ok(fs.existsSync(file), `missing ${what}: ${file}`);
  }

  fs.mkdirSync(artifacts, { recursive: true });
  for (const stale of ['accounts.png', 'invoice.png', 'failure.png', 'failure.html']) {
    fs.rmSync(path.join(artifacts, stale), { force: true });
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'counterfoil-smoke-'));
  const book = path.join(temp, 'smoke.sqlite');
  let wd;
  let id;
  try {
    const display = await startXvfb();
    const port = await freePort();
    const nativePort = await freePort();
    const env = {
      ...process.env,
      DISPLAY: display,
      // Keep the app's own files (settings, caches) out of the user's real directories.
      XDG_CONFIG_HOME: path.join(temp, 'config'),
      XDG_DATA_HOME: path.join(temp, 'data'),
      XDG_CACHE_HOME: path.join(temp, 'cache'),
      // xdg-open, with no desktop environment in Xvfb, hands files to $BROWSER: `true` stands
      // for the PDF viewer (the test checks the file the app handed over).
      BROWSER: 'true',
      // Where the save dialog starts.
      HOME: path.join(temp, 'home'),
    };
    fs.mkdirSync(env.HOME, { recursive: true });
    delete env.WAYLAND_DISPLAY;
    const driver = start(
      'tauri-driver',
      tauriDriver,
      ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriver],
      env,
      // The app's working directory, where the save dialog starts: the test's own folder.
      env.HOME,
    );
    const base = `http://127.0.0.1:${port}`;
    await until('tauri-driver to listen', 15_000, async () => {
      if (driver.exited) throw new Error(`tauri-driver exited:\n${logTail('tauri-driver')}`);
      await fetch(`${base}/status`, { signal: AbortSignal.timeout(2000) });
      return true;
    });

    wd = webdriver(base);
    try {
      const capabilities = {
        alwaysMatch: { 'tauri:options': { application: appBinary, args: ['--book', book] } },
      };
      const session = await wd('POST', '/session', { capabilities }, 60_000);
      id = session.sessionId;
    } catch (error) {
      throw new Error(`could not start the app through tauri-driver: ${error.message}\n${logTail('tauri-driver')}`);
    }

    await checkApp(wd, id, book)
      .then(() => checkInvoicePdf(wd, id, path.join(temp, 'cache')))
      .then((invoice) => checkSaveDialog(wd, id, invoice, env))
      .catch(async (error) => {
      await saveFailure(wd, id);
      throw error;
    });

    await wd('DELETE', `/session/${id}`);
    id = undefined;
  } finally {
    if (id !== undefined) await wd('DELETE', `/session/${id}`).catch(() => {});
    await stopAll();
    fs.rmSync(temp, { recursive: true, force: true });
  }
});

async function checkApp(wd, id, book) {
  // The app opens on the Accounts screen.
  let headings = [];
  await until('an h1 "Accounts"', 60_000, async () => {
    const found = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'h1' });
    headings = [];
    for (const element of found) {
      headings.push((await wd('GET', `/session/${id}/element/${element[ELEMENT]}/text`)).trim());
    }
    return headings.includes('Accounts');
  }).catch((error) => {
    throw new Error(`${error.message} (h1 texts seen: ${JSON.stringify(headings)})`);
  });

  // The engine answered through IPC: the list rendered (an empty book shows its empty state)
  // and the header names the book that was opened. A screen stuck on "Loading…" fails here.
  let body = '';
  await until('the accounts list to finish loading', 30_000, async () => {
    // textContent, not the element's visible text: WebKitWebDriver leaves out text in
    // `overflow: hidden` boxes such as the header's (ellipsized) book path.
    body = await wd('POST', `/session/${id}/execute/sync`, { script: 'return document.body.textContent', args: [] });
    return body.includes('No accounts yet.') && body.includes(book);
  }).catch((error) => {
    throw new Error(`${error.message} (page text: ${JSON.stringify(body.slice(0, 300))})`);
  });

  const nav = await wd('POST', `/session/${id}/elements`, {
    using: 'css selector',
    value: 'nav[aria-label="Main"]',
  });
  assert.equal(nav.length, 1, 'one nav[aria-label="Main"]');

  // The DOM can be there before a frame of it is painted: let fonts load and two frames pass.
  await wd('POST', `/session/${id}/execute/async`, {
    script: `const done = arguments[arguments.length - 1];
      document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done())));`,
    args: [],
  });
  const png = Buffer.from(await wd('GET', `/session/${id}/screenshot`), 'base64');
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', 'the screenshot is a PNG');
  fs.writeFileSync(path.join(artifacts, 'accounts.png'), png);

  // The app created the book it was given, as an SQLite database.
  const header = await until(`the book ${book}`, 10_000, () => {
    const bytes = fs.existsSync(book) ? fs.readFileSync(book).subarray(0, 16) : Buffer.alloc(0);
    return bytes.length === 16 ? bytes : null;
  });
  assert.equal(header.toString('latin1'), 'SQLite format 3\0', 'the book is an SQLite file');
}

/** Runs an engine operation through the app's own IPC, as the UI does. */
async function engine(wd, id, operation, input) {
  const answer = await wd('POST', `/session/${id}/execute/async`, {
    script: `const [operation, input, done] = arguments;
      window.__TAURI_INTERNALS__.invoke('call', { operation, input })
        .then((output) => done({ output }), (error) => done({ error }));`,
    args: [operation, input],
  });
  if (answer.error) throw new Error(`${operation}: ${JSON.stringify(answer.error)}`);
  return answer.output;
}

async function pageText(wd, id) {
  return wd('POST', `/session/${id}/execute/sync`, { script: 'return document.body.textContent', args: [] });
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
  const png = Buffer.from(await wd('GET', `/session/${id}/screenshot`), 'base64');
  fs.writeFileSync(path.join(artifacts, 'invoice.png'), png);
  return invoice;
}

async function buttonNamed(wd, id, name) {
  const buttons = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'button' });
  for (const button of buttons) {
    if ((await wd('GET', `/session/${id}/element/${button[ELEMENT]}/text`)).trim() === name) return button;
  }
  throw new Error(`no "${name}" button`);
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

/** Leaves what the window showed and what the page was, for whoever reads the failure. */
async function saveFailure(wd, id) {
  try {
    const png = Buffer.from(await wd('GET', `/session/${id}/screenshot`), 'base64');
    fs.writeFileSync(path.join(artifacts, 'failure.png'), png);
    fs.writeFileSync(path.join(artifacts, 'failure.html'), await wd('GET', `/session/${id}/source`));
  } catch {
    // the session itself is broken; tauri-driver.log says why
  }
}
