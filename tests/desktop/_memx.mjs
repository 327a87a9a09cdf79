import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appEnv, sleep, start, startXvfb, stopAll, stop, targetDir } from './driver.mjs';
const release = path.join(targetDir, 'release', 'counterfoil-desktop');
const cli = process.env.COUNTERFOIL_BIN;
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'memx-'));
const book = path.join(temp, 'demo.book');
execFileSync(cli, ['demo', '--book', book], { stdio: 'ignore' });
execFileSync(cli, ['bill', '--book', book], { stdio: 'ignore' });
const display = await startXvfb();
const env = appEnv(display, temp);
const app = start('memx', release, ['--book', book], env, env.HOME);
await sleep(9000);
const pids = execFileSync('bash', ['-c', `pgrep -P ${app.child.pid}; echo ${app.child.pid}`]).toString().trim().split('\n');
for (const pid of pids) {
  const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  const smaps = fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n');
  const by = new Map(); let cur = '';
  for (const line of smaps) {
    const m = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/);
    if (m) { cur = m[1] || '[anon]'; continue; }
    const p = line.match(/^Pss:\s+(\d+)/); if (p) by.set(cur, (by.get(cur) ?? 0) + Number(p[1]));
  }
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  console.log(comm, pid, 'PSS MB', (total / 1024).toFixed(0));
  for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log('   ', (v / 1024).toFixed(1).padStart(7), k);
}
await stop(app); await stopAll(); fs.rmSync(temp, { recursive: true, force: true });
