// What the desktop tests share: the real desktop binary in a virtual X display, driven over W3C
// WebDriver (tauri-driver in front of WebKitWebDriver). No npm dependencies: node's own modules
// and fetch. Every process started here is stopped at the end, and nothing else.
//
// Needs: Xvfb, /usr/bin/WebKitWebDriver (webkit2gtk-driver), tauri-driver, a built desktop binary.
// `cargo xtask test` provides all of them; it passes the paths in COUNTERFOIL_DESKTOP_BIN and
// TAURI_DRIVER.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const targetDir = path.resolve(repo, process.env.CARGO_TARGET_DIR || 'target');
export const appBinary =
  process.env.COUNTERFOIL_DESKTOP_BIN || path.join(targetDir, 'debug', 'counterfoil-desktop');
export const tauriDriver =
  process.env.TAURI_DRIVER || path.join(repo, '.cache', 'tools', 'bin', 'tauri-driver');
export const nativeDriver = '/usr/bin/WebKitWebDriver';
export const artifacts = path.join(repo, 'artifacts', 'desktop');

export const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'; // the W3C web element identifier

// ---- processes the test starts, and only those, are stopped at the end ----------------------

/** @type {{name: string, child: import('node:child_process').ChildProcess, exited: boolean}[]} */
const started = [];

export function start(name, command, args, env, cwd = undefined) {
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

export async function stop(entry) {
  signalGroup(entry, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (!entry.exited && Date.now() < deadline) await sleep(50);
  signalGroup(entry, 'SIGKILL');
  const at = started.indexOf(entry);
  if (at >= 0) started.splice(at, 1);
}

export async function stopAll() {
  for (const entry of [...started].reverse()) await stop(entry);
  started.length = 0;
}

// If this process ends before the test's own cleanup ran, still leave nothing behind.
process.on('exit', () => {
  for (const entry of started) signalGroup(entry, 'SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => process.exit(128 + os.constants.signals[signal]));
}

export function logTail(name, lines = 30) {
  try {
    const text = fs.readFileSync(path.join(artifacts, `${name}.log`), 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---- helpers -------------------------------------------------------------------------------

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what, timeoutMs, probe) {
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

export function freePort() {
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
/** The X display of this test process's Xvfb (one per process), where screenshots are taken. */
let xDisplay = null;

export async function startXvfb() {
  for (let n = 99; n < 200; n++) {
    if (fs.existsSync(`/tmp/.X${n}-lock`) || fs.existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const xvfb = start('xvfb', 'Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], process.env);
    const state = await until(`Xvfb :${n}`, 10_000, () =>
      xvfb.exited ? 'exited' : fs.existsSync(`/tmp/.X11-unix/X${n}`) ? 'ready' : null,
    );
    if (state === 'ready') {
      xDisplay = `:${n}`;
      return xDisplay;
    }
    started.splice(started.indexOf(xvfb), 1); // lost a race for :n; try the next one
  }
  throw new Error(`no free X display from :99 to :199\n${logTail('xvfb')}`);
}

export function webdriver(base) {
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

/** Checks that the binaries the desktop tests need are there; returns what is missing. */
export function missingTools() {
  const missing = [];
  for (const [file, what] of [
    [appBinary, 'the desktop binary (cargo build --bin counterfoil-desktop)'],
    [tauriDriver, "tauri-driver (cargo install tauri-driver --version '^2' --locked --root .cache/tools)"],
    [nativeDriver, 'WebKitWebDriver (apt-get install webkit2gtk-driver)'],
  ]) {
    if (!fs.existsSync(file)) missing.push(`missing ${what}: ${file}`);
  }
  return missing;
}

/** The environment of an app run inside `temp`: its own X display and XDG folders, so the
 * app's settings, books and caches stay out of the user's real directories. */
export function appEnv(display, temp) {
  const env = {
    ...process.env,
    DISPLAY: display,
    XDG_CONFIG_HOME: path.join(temp, 'config'),
    XDG_DATA_HOME: path.join(temp, 'data'),
    XDG_CACHE_HOME: path.join(temp, 'cache'),
    // xdg-open, with no desktop environment in Xvfb, hands files to $BROWSER: `true` stands
    // for the PDF viewer (the tests check the file the app handed over).
    BROWSER: 'true',
    // Where the save dialog starts.
    HOME: path.join(temp, 'home'),
  };
  fs.mkdirSync(env.HOME, { recursive: true });
  delete env.WAYLAND_DISPLAY;
  return env;
}

/** Starts tauri-driver (in `cwd`, the app's working directory); resolves with a WebDriver client. */
export async function startDriver(env, cwd, name = 'tauri-driver') {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = start(
    name,
    tauriDriver,
    ['--port', String(port), '--native-port', String(nativePort), '--native-driver', nativeDriver],
    env,
    cwd,
  );
  const base = `http://127.0.0.1:${port}`;
  await until('tauri-driver to listen', 15_000, async () => {
    if (driver.exited) throw new Error(`tauri-driver exited:\n${logTail(name)}`);
    await fetch(`${base}/status`, { signal: AbortSignal.timeout(2000) });
    return true;
  });
  return { driver, wd: webdriver(base) };
}

/** Starts the app (`binary`, the debug build unless told) through the driver; resolves with
 * the session id. */
export async function startApp(wd, args, logName = 'tauri-driver', binary = appBinary) {
  try {
    const capabilities = { alwaysMatch: { 'tauri:options': { application: binary, args } } };
    const session = await wd('POST', '/session', { capabilities }, 60_000);
    return session.sessionId;
  } catch (error) {
    throw new Error(`could not start the app through tauri-driver: ${error.message}\n${logTail(logName)}`);
  }
}

// ---- the page ------------------------------------------------------------------------------

/** The page's whole text. textContent, not the visible text: WebKitWebDriver leaves out text in
 * `overflow: hidden` boxes such as the header's (ellipsized) book path. */
export async function pageText(wd, id) {
  return wd('POST', `/session/${id}/execute/sync`, { script: 'return document.body.textContent', args: [] });
}

export async function script(wd, id, source, args = []) {
  return wd('POST', `/session/${id}/execute/sync`, { script: source, args });
}

/** The texts of the elements matching `selector`. */
export async function texts(wd, id, selector) {
  const found = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: selector });
  const result = [];
  for (const element of found) {
    result.push((await wd('GET', `/session/${id}/element/${element[ELEMENT]}/text`)).trim());
  }
  return result;
}

/** Waits until an h1 reads `heading`. */
export async function waitForHeading(wd, id, heading, timeoutMs = 60_000) {
  let seen = [];
  await until(`an h1 "${heading}"`, timeoutMs, async () => {
    seen = await texts(wd, id, 'h1');
    return seen.includes(heading);
  }).catch((error) => {
    throw new Error(`${error.message} (h1 texts seen: ${JSON.stringify(seen)})`);
  });
}

export async function buttonNamed(wd, id, name) {
  const buttons = await wd('POST', `/session/${id}/elements`, { using: 'css selector', value: 'button' });
  for (const button of buttons) {
    if ((await wd('GET', `/session/${id}/element/${button[ELEMENT]}/text`)).trim() === name) return button;
  }
  throw new Error(`no "${name}" button`);
}

export async function click(wd, id, element) {
  await wd('POST', `/session/${id}/element/${element[ELEMENT]}/click`, {});
}

/** Runs an engine operation through the app's own IPC, as the UI does. */
export async function engine(wd, id, operation, input) {
  const answer = await wd('POST', `/session/${id}/execute/async`, {
    script: `const [operation, input, done] = arguments;
      window.__TAURI_INTERNALS__.invoke('call', { operation, input })
        .then((output) => done({ output }), (error) => done({ error }));`,
    args: [operation, input],
  });
  if (answer.error) throw new Error(`${operation}: ${JSON.stringify(answer.error)}`);
  return answer.output;
}

/**
 * The X display as the user sees it, as a PNG (ImageMagick's `import`). Not WebDriver's
 * screenshot: that asks WebKit for a snapshot, which never comes when WebKit draws without
 * accelerated compositing, as the app has it on machines without a GPU (src-tauri/rendering.rs).
 */
export function captureDisplay() {
  if (!xDisplay) throw new Error('no Xvfb started: call startXvfb first');
  const png = execFileSync('import', ['-window', 'root', 'png:-'], {
    env: { ...process.env, DISPLAY: xDisplay },
    maxBuffer: 64 << 20,
  });
  if (png.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('the screenshot is not a PNG');
  return png;
}

/** Saves a screenshot of the window as artifacts/desktop/<name>.png once fonts are loaded and
 * two frames have been painted; returns the PNG. */
export async function screenshot(wd, id, name) {
  await wd('POST', `/session/${id}/execute/async`, {
    script: `const done = arguments[arguments.length - 1];
      document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => done())));`,
    args: [],
  });
  const png = captureDisplay();
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, `${name}.png`), png);
  return png;
}

/** Leaves what the window showed and what the page was, for whoever reads the failure. */
export async function saveFailure(wd, id, name = 'failure') {
  try {
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, `${name}.png`), captureDisplay());
    fs.writeFileSync(path.join(artifacts, `${name}.html`), await wd('GET', `/session/${id}/source`));
  } catch {
    // the session itself is broken; tauri-driver.log says why
  }
}

/**
 * Starts the app with `args` in a new WebDriver session (`driverLog`: startApp's), runs
 * `check(id)` and ends the session, returning what the check returned. A failed check leaves
 * what the window showed as artifacts/desktop/<failureName>.png and .html.
 */
export async function inSession(wd, args, driverLog, failureName, check) {
  const id = await startApp(wd, args, driverLog);
  let result;
  try {
    result = await check(id);
  } catch (error) {
    await saveFailure(wd, id, failureName);
    await wd('DELETE', `/session/${id}`).catch(() => {});
    throw error;
  }
  await wd('DELETE', `/session/${id}`);
  return result;
}

/** Presses keys through WebDriver actions: `chord` keys go down in order and up in reverse
 * (e.g. [CONTROL, 'k']). */
export async function press(wd, id, chord) {
  const down = chord.map((value) => ({ type: 'keyDown', value }));
  const up = [...chord].reverse().map((value) => ({ type: 'keyUp', value }));
  await wd('POST', `/session/${id}/actions`, {
    actions: [{ type: 'key', id: 'keyboard', actions: [...down, ...up] }],
  });
  await wd('DELETE', `/session/${id}/actions`);
}

export const KEY = { CONTROL: '\uE009', ENTER: '\uE007', ESCAPE: '\uE00C' };
