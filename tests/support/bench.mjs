// What the benchmarks over a served book share: a book of many invoices, seeded in release
// mode, and `counterfoil serve` on it. Benchmarks print figures and assert nothing about time.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, repoRoot } from './server.mjs';

/** The counterfoil binary to serve with: COUNTERFOIL_BIN, else the release build, else debug. */
export function counterfoilBinary() {
  if (process.env.COUNTERFOIL_BIN) return process.env.COUNTERFOIL_BIN;
  for (const profile of ['release', 'debug']) {
    const file = path.join(repoRoot, 'target', profile, 'counterfoil');
    if (existsSync(file)) return file;
  }
  throw new Error('no counterfoil binary: cargo build --release -p counterfoil-cli --bin counterfoil');
}

/**
 * Seeds `bookFile` with `invoices` invoices (crates/engine/examples/seed_invoice_book.rs,
 * billed up to now so the server has nothing to catch up on), and prints what it made.
 */
export function seedInvoiceBook(bookFile, invoices) {
  const started = Date.now();
  // SEED_BIN: an already built seeder (target/release/examples/seed_invoice_book), e.g. while
  // another build holds cargo's lock.
  const [command, args] = process.env.SEED_BIN
    ? [process.env.SEED_BIN, [bookFile, String(invoices)]]
    : [
        'cargo',
        ['run', '-q', '--release', '-p', 'counterfoil-engine', '--features', 'bench-support', '--example', 'seed_invoice_book', '--', bookFile, String(invoices)],
      ];
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`seeding failed (${result.status})`);
  process.stdout.write(`${result.stdout.trim()} (${((Date.now() - started) / 1000).toFixed(1)} s with the build)\n`);
}

/** `counterfoil serve` on `bookFile` at a free loopback port, once it answers. */
export async function serveBook(bookFile) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawn(counterfoilBinary(), ['serve', '--book', bookFile, '--listen', `127.0.0.1:${port}`], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('counterfoil serve did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop: () => child.kill('SIGTERM') };
}
