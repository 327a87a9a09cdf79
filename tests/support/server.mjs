// Starts a real `counterfoil serve` on a fresh book (or a fresh demo book) and a free loopback
// port, for one test file.
// The binary comes from COUNTERFOIL_BIN (default: <repo>/target/debug/counterfoil). Only the
// process started here is ever stopped.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A port nobody listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Runs `counterfoil ARGS` to its end; removes `dir` and throws when it fails. */
function built(binary, args, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk) => (errors = (errors + chunk.toString()).slice(-8000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve();
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`counterfoil ${args.join(' ')} exited with ${code}:\n${errors}`));
    });
  });
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts the server; resolves with `{ url, book, stop() }` once `GET /` answers 200.
 * `stop()` ends the server and removes its temporary book directory.
 */
export async function startServer({
  timeoutMs = 30_000,
  clock,
  demo = false,
  testBook = false,
  dir: bookDir,
  args: extraArgs = [],
  prepare,
} = {}) {
  const binary = process.env.COUNTERFOIL_BIN ?? path.join(repoRoot, 'target', 'debug', 'counterfoil');
  if (!existsSync(binary)) {
    throw new Error(
      `No counterfoil binary at ${binary}: build it with \`cargo build -p counterfoil-cli\` or set COUNTERFOIL_BIN.`,
    );
  }
  // `dir`: a new directory for the book (e.g. one whose name reads well in a screenshot); a fresh
  // temporary one by default. stop() removes it either way.
  const dir = bookDir ?? mkdtempSync(path.join(tmpdir(), 'counterfoil-browser-'));
  if (bookDir) mkdirSync(bookDir);
  const book = path.join(dir, demo ? 'demo.book' : 'book.sqlite');
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const url = `http://${listen}/`;

  // `demo`: the book is the demo book (`counterfoil demo`) with every day up to now (or `clock`)
  // billed, as a new user sees it once the start's catch-up is done.
  if (demo) {
    await built(binary, ['demo', '--book', book], dir);
    await built(binary, ['bill', '--book', book, ...(clock ? ['--until', clock] : [])], dir);
  }

  // `testBook`: a new book that charges through the test gateway (`counterfoil test-book`), for
  // tests of charging; any other new book has no payment gateway (billing-rules.md §9).
  if (testBook) await built(binary, ['test-book', '--book', book], dir);

  // `prepare({ binary, book })`: runs before the server starts, e.g. `counterfoil user add`.
  if (prepare) await prepare({ binary, book });

  // `clock`: an RFC 3339 instant; the book then runs on a simulated clock that only the
  // advance_clock operation moves. `args`: more arguments of `serve` (`--require-sign-in`).
  const args = ['serve', '--book', book, '--listen', listen, ...(clock ? ['--clock', clock] : []), ...extraArgs];
  const child = spawn(binary, args, {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => exited === null && child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (!(await answers(url))) {
    if (exited !== null) {
      await stop();
      throw new Error(`counterfoil serve exited (${JSON.stringify(exited)}) before answering:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`counterfoil serve did not answer ${url} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, book, stop, output: () => output };
}
