// Starts a real `counterfoil serve` on a fresh book and a free loopback port, for one test file.
// The binary comes from COUNTERFOIL_BIN (default: <repo>/target/debug/counterfoil). Only the
// process started here is ever stopped.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
export async function startServer({ timeoutMs = 30_000, clock } = {}) {
  const binary = process.env.COUNTERFOIL_BIN ?? path.join(repoRoot, 'target', 'debug', 'counterfoil');
  if (!existsSync(binary)) {
    throw new Error(
      `No counterfoil binary at ${binary}: build it with \`cargo build -p counterfoil-cli\` or set COUNTERFOIL_BIN.`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'counterfoil-browser-'));
  const book = path.join(dir, 'book.sqlite');
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const url = `http://${listen}/`;

  // `clock`: an RFC 3339 instant; the book then runs on a simulated clock that only the
  // advance_clock operation moves.
  const args = ['serve', '--book', book, '--listen', listen, ...(clock ? ['--clock', clock] : [])];
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
