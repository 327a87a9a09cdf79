// The invoice list's scroll benchmark (issue 6: "scroll through 100 000 invoices without a frame
// longer than 50 ms in Chromium's performance trace"). Not a test: it prints figures for
// docs/benchmarks.md and asserts nothing about time.
//
//   node tests/browser/invoice_scroll.bench.mjs [INVOICES]        (default 100 000)
//
// 1. Seeds a book (crates/engine/examples/seed_invoice_book.rs: bench_support's invoice book,
//    billed up to now so the server has nothing to catch up on), in release mode.
// 2. Serves it with `counterfoil serve` (COUNTERFOIL_BIN, else target/release/counterfoil, else
//    target/debug/counterfoil) and the built UI (ui/dist: `cd ui && npx vite build` first).
// 3. Opens #/invoices in Debian's Chromium (headless, 1280×800), records a performance trace
//    over CDP (Tracing.start) while scrolling the list from the first invoice to the last with
//    the mouse wheel, a screenful and more per frame, then with the End key and a jump of the
//    scrollbar, and prints the longest frame (as DevTools' Frames track counts frames: from
//    the first dropped frame of a row to the presented one; idle time is no frame) and the
//    longest main-thread task, with the rows that were in the DOM at most. The frames are also
//    shown split into the wheel's and the jumps', with when each frame over 50 ms began.
//
// Leaves the trace in artifacts/browser/invoice-scroll-trace.json (open it in chrome://tracing
// or DevTools' Performance panel) and a screenshot of the end of the list.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { counterfoilBinary, seedInvoiceBook, serveBook } from '../support/bench.mjs';
import { artifactsDir, launchBrowser, screenshot } from '../support/browser.mjs';
import { repoRoot } from '../support/server.mjs';

const invoices = Number(process.argv[2] ?? 100_000);
const WHEEL_PX = Number(process.env.WHEEL_PX ?? 1200); // ≈ 33 rows per wheel step
const dir = mkdtempSync(path.join(tmpdir(), 'counterfoil-scroll-bench-'));
const bookFile = path.join(dir, 'invoices.book');
let server;

/** Reads a trace stream that Tracing.end handed back (transferMode ReturnAsStream). */
async function readStream(cdp, handle) {
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle });
  return JSON.parse(text);
}

/**
 * Frames as DevTools' Frames track counts them: Chromium's frame reporter (PipelineReporter)
 * says for each frame of the page whether it was presented, dropped, or not wanted (nothing
 * changed). A frame lasts from one presented frame to the next while updates are wanted (a row
 * of dropped frames makes it long); after idle time, from the first frame wanted. Idle time
 * itself (no update wanted), e.g. while the script waits between key presses, is no frame at
 * all. Gaps between drawn frames would count that idle time.
 */
function frames(events, rendererPid, from, to) {
  const begins = new Map();
  const reported = [];
  for (const e of events) {
    if (e.name !== 'PipelineReporter' || e.pid !== rendererPid) continue;
    const key = e.id2?.local ?? e.id;
    if (e.ph === 'b') begins.set(key, e);
    else if (e.ph === 'e' && begins.has(key)) {
      const begin = begins.get(key);
      begins.delete(key);
      const report = begin.args?.frame_reporter ?? begin.args?.chrome_frame_reporter ?? {};
      // A forked report is the main thread's share of a frame also reported whole.
      if (report.frame_type === 'FORKED' || begin.ts < from || e.ts > to) continue;
      reported.push({ start: begin.ts, end: e.ts, state: report.state });
    }
  }
  reported.sort((a, b) => a.start - b.start);
  const timed = [];
  let waitingSince = null; // the begin of the first frame wanted since the screen last changed
  let shownAt = null; // when the last presented frame reached the screen, while busy
  let dropped = 0;
  for (const frame of reported) {
    if (frame.state === 'STATE_NO_UPDATE_DESIRED') {
      waitingSince = null;
      shownAt = null;
    } else if (frame.state === 'STATE_DROPPED') {
      waitingSince ??= frame.start;
      dropped++;
    } else {
      // How long the previous picture stayed up while a new one was wanted; after idle time,
      // from the first frame wanted.
      const began = shownAt ?? waitingSince ?? frame.start;
      timed.push({ at: began, ms: (frame.end - began) / 1000 });
      shownAt = frame.end;
      waitingSince = null;
    }
  }
  return { timed, dropped };
}

/**
 * Frame figures from the trace between two marks; `rendererPid` is the page's process (where
 * the marks are). The frames over 50 ms are listed by when they began, in seconds after `from`.
 */
function analyse(events, from, to, rendererPid) {
  const { timed, dropped } = frames(events, rendererPid, from, to);
  const durations = timed.map((frame) => frame.ms);
  const sorted = [...durations].sort((a, b) => a - b);
  const p = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
  return {
    frames: sorted.length,
    dropped,
    longestFrame: sorted.at(-1) ?? 0,
    over50: sorted.filter((d) => d > 50).length,
    longOnes: timed.filter((frame) => frame.ms > 50).map((frame) => `${frame.ms.toFixed(1)} ms at ${((frame.at - from) / 1e6).toFixed(1)} s`),
    p50: p(0.5),
    p99: p(0.99),
  };
}

try {
  seedInvoiceBook(bookFile, invoices);
  server = await serveBook(bookFile);
  const browser = await launchBrowser();
  try {
    const { page } = await browser.newPage();
    await page.goto(`${server.url}#/invoices`);
    const count = page.getByTestId('invoice-count');
    await count.filter({ hasText: invoices.toLocaleString('en-GB') }).waitFor({ timeout: 60_000 });
    const box = page.locator('.scroller');
    await box.locator('tbody tr[aria-rowindex] a[href]').first().waitFor();
    const geometry = await box.boundingBox();
    await page.mouse.move(geometry.x + geometry.width / 2, geometry.y + geometry.height / 2);

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Tracing.start', {
      transferMode: 'ReturnAsStream',
      traceConfig: {
        // Few categories: a scroll through 100 000 rows with more overflows a string in node
        // (the main thread's tasks come from the page's own Long Tasks API instead).
        // benchmark: the frame reporter; the marks bound the window.
        // TRACE_CATEGORIES adds more (e.g. devtools.timeline) for a smaller list.
        includedCategories: ['benchmark', 'blink.user_timing', ...(process.env.TRACE_CATEGORIES?.split(',') ?? [])],
      },
    });
    const clock = () => page.evaluate(() => performance.timeOrigin * 1000 + performance.now() * 1000);
    // Main-thread tasks over 50 ms, as the page itself sees them (Long Tasks API).
    await page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask' });
    });
    await page.evaluate(() => performance.mark('scroll-start'));
    const started = Date.now();
    let maxRows = 0;
    let steps = 0;
    // Wheel down until the box is at its end.
    for (;;) {
      await page.mouse.wheel(0, WHEEL_PX);
      steps++;
      if (steps % 25 === 0) {
        const state = await box.evaluate((element) => ({
          atEnd: element.scrollTop + element.clientHeight >= element.scrollHeight - 2,
          rows: element.querySelectorAll('tbody tr[aria-rowindex]').length,
        }));
        maxRows = Math.max(maxRows, state.rows);
        if (state.atEnd) break;
      }
    }
    const wheelSeconds = (Date.now() - started) / 1000;
    // The last invoice shows once its page arrives.
    await box.locator(`tr[aria-rowindex="${invoices + 1}"] a[href]`).waitFor({ timeout: 30_000 });
    await page.evaluate(() => performance.mark('jumps-start'));
    // Home and End from the keyboard, and a jump of the scrollbar to the middle.
    await box.locator(`tr[aria-rowindex="${invoices + 1}"] a[href]`).focus();
    await page.keyboard.press('Home');
    await box.locator('tr[aria-rowindex="2"] a[href]').waitFor();
    await page.keyboard.press('End');
    await box.locator(`tr[aria-rowindex="${invoices + 1}"] a[href]`).waitFor();
    await box.evaluate((element) => (element.scrollTop = element.scrollHeight / 2));
    await page.waitForTimeout(800);
    await page.evaluate(() => performance.mark('scroll-end'));
    const end = await clock();
    const { stream } = await new Promise((resolve) => {
      cdp.once('Tracing.tracingComplete', resolve);
      void cdp.send('Tracing.end');
    });
    const trace = await readStream(cdp, stream);
    mkdirSync(artifactsDir, { recursive: true });
    writeFileSync(path.join(artifactsDir, 'invoice-scroll-trace.json'), JSON.stringify(trace));
    const events = trace.traceEvents ?? trace;
    const mark = (name) => events.find((e) => e.name === name);
    const from = mark('scroll-start')?.ts ?? 0;
    const jumpsFrom = mark('jumps-start')?.ts ?? from;
    const to = mark('scroll-end')?.ts ?? end;
    const rendererPid = mark('scroll-start')?.pid;
    const figures = analyse(events, from, to, rendererPid);
    // The same frames, split: wheeling down the list, then the keyboard and scrollbar jumps.
    const wheel = analyse(events, from, jumpsFrom, rendererPid);
    const jumps = analyse(events, jumpsFrom, to, rendererPid);
    const longTasks = await page.evaluate(() => window.__longTasks);
    figures.longestTask = Math.max(0, ...longTasks);
    figures.tasksOver50 = longTasks.length;
    await screenshot(page, 'invoice-scroll-end');
    const rows = Math.max(maxRows, await box.locator('tbody tr[aria-rowindex]').count());
    console.log(
      [
        `invoices: ${invoices.toLocaleString('en-GB')}, wheel steps of ${WHEEL_PX} px: ${steps} in ${wheelSeconds.toFixed(1)} s`,
        `frames presented: ${figures.frames} (${figures.dropped} dropped on the way); frame time p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms`,
        `longest frame: ${figures.longestFrame.toFixed(1)} ms (${figures.over50} over 50 ms)`,
        ...[
          ['wheel', wheel],
          ['jumps', jumps],
        ].map(
          ([phase, f]) =>
            `  ${phase}: ${f.frames} frames, p99 ${f.p99.toFixed(1)} ms, longest ${f.longestFrame.toFixed(1)} ms` +
            (f.longOnes.length ? `; over 50 ms: ${f.longOnes.join(', ')}` : ''),
        ),
        `longest main-thread task: ${figures.longestTask.toFixed(1)} ms (${figures.tasksOver50} over 50 ms, Long Tasks API)`,
        `rows in the DOM at most: ${rows}`,
        `binary: ${path.relative(repoRoot, counterfoilBinary())}`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
  }
} finally {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
