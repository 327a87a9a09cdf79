// The README's screenshots: the dashboard of a fresh demo book, light and dark, taken as the
// browser tests take theirs (Debian's Chromium through playwright-core, 1280 × 800, en-GB).
// Run from the repository's root after building the UI and the `counterfoil` command:
//
//   node tests/readme-screenshots.mjs        (COUNTERFOIL_BIN as for the browser tests)
//
// and look at docs/screenshots/dashboard-{light,dark}.png before committing them.

import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchBrowser } from './support/browser.mjs';
import { repoRoot, startServer } from './support/server.mjs';

// The header shows the book's path: a short one rather than a test's random directory.
const server = await startServer({ demo: true, dir: path.join(tmpdir(), 'books'), timeoutMs: 120_000 });
try {
  for (const colorScheme of ['light', 'dark']) {
    const browser = await launchBrowser({ colorScheme });
    try {
      const { page, problems } = await browser.newPage();
      await page.goto(`${server.url}#/dashboard`);
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Needs attention' }).waitFor();
      await page.waitForLoadState('networkidle');
      const file = path.join(repoRoot, 'docs', 'screenshots', `dashboard-${colorScheme}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (problems.length > 0) throw new Error(`the page logged errors:\n${problems.join('\n')}`);
      console.log(file);
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
}
