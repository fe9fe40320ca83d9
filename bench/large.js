// Large inputs: `npm run bench:large`. Writes a 1,000,000-row CSV (10 features,
// 1 target) to the temporary folder, then measures from outside, with GNU
// time: predict streaming it through a 10,32,32,1 model (rows/s, peak RSS),
// and train loading all of it into memory (peak RSS).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../dist/index.js';

const ROWS = Number(process.env.LARGE_ROWS ?? 1_000_000);
const bin = fileURLToPath(new URL('../bin/autograd.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'autograd-large-'));
const csv = join(dir, 'large.csv');
const small = join(dir, 'small.csv');

function writeData(path, rows, seed) {
  const random = new Random(seed);
  const fd = openSync(path, 'w');
  writeSync(fd, `${Array.from({ length: 10 }, (_, i) => `f${i}`).join(',')},y\n`);
  let chunk = '';
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: 10 }, () => random.normal());
    const y = Math.tanh(x[0] - 0.5 * x[3] + 0.3 * x[7]) + 0.1 * random.normal();
    chunk += `${[...x, y].map((v) => v.toFixed(6)).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

function measure(label, args) {
  if (!existsSync('/usr/bin/time')) {
    console.log(`${label}: skipped (needs GNU time at /usr/bin/time)`);
    return;
  }
  const start = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = (performance.now() - start) / 1000;
  const lines = run.stderr.trim().split('\n');
  const peakMB = Number(lines[lines.length - 1]) / 1024;
  if (run.status !== 0) throw new Error(`${label} failed: ${run.stderr}`);
  console.log(
    `${label.padEnd(44)} ${seconds.toFixed(2).padStart(6)} s  ${Math.round(ROWS / seconds)
      .toLocaleString('en-US')
      .padStart(9)} rows/s  peak RSS ${peakMB.toFixed(0).padStart(4)} MB`,
  );
}

writeData(csv, ROWS, 1);
writeData(small, 5000, 2);
console.log(
  `${ROWS.toLocaleString('en-US')} rows, ${(statSync(csv).size / 1e6).toFixed(0)} MB of CSV; node ${process.version}`,
);
const model = join(dir, 'model.json');
spawnSync(process.execPath, [bin, 'train', small, '-l', '10,32,32,1', '-e', '5', '-q', '--out', model]);
measure('predict (streams; whole process)', ['predict', '-m', model, csv]);
measure('evaluate (loads the columns it scores)', ['evaluate', '-m', model, csv]);
measure(`train, 1 epoch (loads ${(ROWS / 1e6).toLocaleString('en-US')}M × 11 numbers)`, [
  'train',
  csv,
  '-l',
  '10,32,32,1',
  '-e',
  '1',
  '-q',
  '--out',
  join(dir, 'm2.json'),
]);
console.log(`(files in ${dir})`);
