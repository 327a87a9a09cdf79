// Benchmark: cold start of the RELEASE desktop app to an interactive dashboard on the demo book,
// and its idle memory. Prints figures; asserts nothing (timings belong in benchmarks, not tests).
//
//   cargo build --release -p counterfoil-desktop      # (the UI built first: cd ui && npx vite build)
//   cargo build -p counterfoil-cli --bin counterfoil   # builds the demo book
//   node tests/desktop/coldstart.bench.mjs [runs=5]
//
// The demo book is built once with `counterfoil demo` and billed up to today (`counterfoil
// bill`), as a book in daily use is; every run then starts a new app process on it.
//
// Start time: the app is launched by tauri-driver/WebKitWebDriver, and polled every 15 ms
// until the Dashboard heading is shown, the top bar names the provider (the book's settings
// came through IPC) and nothing on the screen says "Loading…". The figure is the app process's
// age at that moment (/proc/uptime minus the process's start time in /proc/<pid>/stat, 10 ms
// ticks), so WebDriver's own start-up is not counted; the polling adds up to ~20 ms.
//
// Idle memory: the app started directly (no WebDriver), left idle 5 s after the dashboard
// showed; RSS and PSS (/proc/<pid>/smaps_rollup: shared pages divided among their users) of
// the app process and its WebKit processes (WebKitWebProcess renders the page,
// WebKitNetworkProcess serves it), and each process's largest mappings by PSS
// (/proc/<pid>/smaps, summed per file; [heap] and [anon] are its own memory). RSS counts the shared libraries in full in every process,
// so the sum of RSS overstates; PSS sums to what the app really costs.
//
// Pages stay in the OS file cache between runs ("warm" cold start); the first run of a series
// reads the binary from disk if it was not read recently, and is shown apart.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  appEnv,
  nativeDriver,
  repo,
  script,
  sleep,
  start,
  startApp,
  startDriver,
  startXvfb,
  stop,
  stopAll,
  targetDir,
  tauriDriver,
  until,
} from './driver.mjs';

const runs = Number(process.argv[2] ?? 5);
const release = process.env.COUNTERFOIL_DESKTOP_RELEASE_BIN || path.join(targetDir, 'release', 'counterfoil-desktop');
const cli = process.env.COUNTERFOIL_BIN || path.join(targetDir, 'debug', 'counterfoil');
const CLOCK_TICKS = 100; // USER_HZ on Linux

for (const [file, what] of [
  [release, 'the release desktop binary (cargo build --release -p counterfoil-desktop)'],
  [cli, 'the counterfoil CLI (cargo build -p counterfoil-cli --bin counterfoil)'],
  [tauriDriver, 'tauri-driver'],
  [nativeDriver, 'WebKitWebDriver'],
]) {
  if (!fs.existsSync(file)) {
    console.error(`missing ${what}: ${file}`);
    process.exit(2);
  }
}

function uptimeSeconds() {
  return Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/** A process's start, in seconds after boot. */
function startedAt(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[19]) / CLOCK_TICKS; // field 22 of stat, counted after "pid (comm)"
}

function processes() {
  const list = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      let exe = '';
      try {
        exe = fs.readlinkSync(`/proc/${entry}/exe`);
      } catch {
        // gone, or not ours to read
      }
      list.push({ pid: Number(entry), ppid, comm, exe });
    } catch {
      // the process ended while we looked
    }
  }
  return list;
}

/** The release app's process and every process below it (WebKit's helpers). */
function appTree(binary) {
  const all = processes();
  const app = all.find((p) => p.exe === binary || p.exe === `${binary} (deleted)`);
  if (!app) return null;
  const tree = [app];
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!tree.includes(p) && tree.some((t) => t.pid === p.ppid)) {
        tree.push(p);
        grew = true;
      }
    }
  }
  return tree;
}

function memoryKb(pid) {
  const field = (text, name) => Number((text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm')) ?? [0, 0])[1]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rss: field(status, 'VmRSS'), pss: field(rollup, 'Pss') };
}

/** Where a process's PSS goes: kB per mapped file (or [heap], [anon], …), largest first. */
function pssByMapping(pid) {
  const totals = new Map();
  let current = '';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (header) {
      current = header[1] ? path.basename(header[1]) : '[anon]';
      continue;
    }
    const pss = line.match(/^Pss:\s+(\d+) kB/);
    if (pss) totals.set(current, (totals.get(current) ?? 0) + Number(pss[1]));
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'counterfoil-coldstart-'));
try {
  const book = path.join(temp, 'demo.book');
  execFileSync(cli, ['demo', '--book', book], { stdio: 'ignore' });
  execFileSync(cli, ['bill', '--book', book], { stdio: 'ignore' });

  const display = await startXvfb();
  const env = appEnv(display, temp);
  const { driver, wd } = await startDriver(env, env.HOME, 'coldstart-driver');

  const starts = [];
  for (let run = 0; run < runs; run++) {
    const id = await startApp(wd, ['--book', book], 'coldstart-driver', release);
    const seconds = await until('an interactive dashboard', 60_000, async () => {
      const ready = await script(
        wd,
        id,
        `const h1 = [...document.querySelectorAll('h1')].map((h) => h.textContent.trim());
         const text = document.body.textContent;
         return h1.includes('Dashboard') && text.includes('Northwind APIs B.V.') && !text.includes('Loading…');`,
      );
      if (!ready) return null;
      const tree = appTree(release);
      if (!tree) throw new Error(`no process runs ${release}`);
      return uptimeSeconds() - startedAt(tree[0].pid);
    });
    starts.push(seconds);
    await wd('DELETE', `/session/${id}`);
    await sleep(500);
  }
  await stop(driver);

  // Idle memory, without WebDriver: the app as a user starts it.
  const app = start('coldstart-app', release, ['--book', book], env, env.HOME);
  const ready = Date.now();
  await until('the app window', 30_000, async () => appTree(release)?.some((p) => p.comm.startsWith('WebKitWebProces')));
  // The window shows the dashboard well within the start figure above; then 5 s idle.
  await sleep(Math.max(0, 1500 - (Date.now() - ready)) + 5000);
  const tree = appTree(release) ?? [];
  const memory = tree.map((p) => ({ ...p, ...memoryKb(p.pid), mappings: pssByMapping(p.pid) }));
  // PSS splits a shared page among the processes that map it: another WebKit app running
  // takes a share of WebKit's and Mesa's pages, and the app's figure comes out too low.
  const others = processes().filter((p) => p.comm.startsWith('WebKit') && !tree.some((t) => t.pid === p.pid));
  await stop(app);

  const ms = (s) => `${Math.round(s * 1000)} ms`;
  const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
  console.log(`cold start of ${path.relative(repo, release)} to an interactive dashboard on the demo book`);
  console.log(`  runs: ${starts.map(ms).join(', ')}`);
  console.log(`  first run: ${ms(starts[0])}; median of the rest: ${ms(median(starts.slice(1).length ? starts.slice(1) : starts))}`);
  console.log('idle memory after 5 s (app + WebKit processes):');
  for (const p of memory) {
    console.log(`  ${p.comm.padEnd(18)} pid ${String(p.pid).padEnd(7)} RSS ${mb(p.rss).padStart(7)}  PSS ${mb(p.pss).padStart(7)}`);
    const largest = p.mappings.slice(0, 10).map(([name, kb]) => `${name} ${(kb / 1024).toFixed(1)}`);
    console.log(`    largest PSS, MB: ${largest.join(', ')}`);
  }
  const sum = (key) => memory.reduce((total, p) => total + p[key], 0);
  const web = memory.filter((p) => p.pid === memory[0]?.pid || p.comm.startsWith('WebKitWebProces'));
  const webSum = (key) => web.reduce((total, p) => total + p[key], 0);
  console.log(`  app + WebKitWebProcess: RSS ${mb(webSum('rss'))}, PSS ${mb(webSum('pss'))}`);
  console.log(`  all of them:            RSS ${mb(sum('rss'))}, PSS ${mb(sum('pss'))}`);
  if (others.length) {
    console.log(`  NOT COMPARABLE: ${others.length} other WebKit processes ran (pids ${others.map((p) => p.pid).join(', ')}) and share these pages`);
  }
} finally {
  await stopAll();
  fs.rmSync(temp, { recursive: true, force: true });
}
