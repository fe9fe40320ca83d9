// `npm run bench:tune`: the wall time of one tuning run with --jobs 1 and with
// --jobs 2, in one run, on a quiet machine and with a competing CPU load (a
// busy loop on one core), and their ratio. Trials are independent trainings,
// so two jobs should take about half the time on two cores, and never more
// than one job does.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = [
  `${root}bin/autograd.js`,
  'tune',
  `${root}data/moons.csv`,
  '-l',
  'auto,16,16,auto',
  '--task',
  'classify',
  '-e',
  '100',
  '--folds',
  '5',
  '--search',
  'lr=0.005..0.2:log',
  '--search',
  'optimizer=sgd,adam',
  '--trials',
  '8',
  '-q',
];

function time(jobs) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [...args, '--jobs', String(jobs)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { seconds: (performance.now() - started) / 1000, leaderboard: r.stdout };
}

function measure(label) {
  const one = time(1);
  const two = time(2);
  if (one.leaderboard !== two.leaderboard) throw new Error('the leaderboards differ between --jobs 1 and 2');
  console.log(
    `${label.padEnd(28)} jobs 1: ${one.seconds.toFixed(2)} s   jobs 2: ${two.seconds.toFixed(2)} s   ratio ${(two.seconds / one.seconds).toFixed(2)}`,
  );
}

console.log('autograd tune, 8 trials × 5 folds (moons, auto,16,16,auto, 100 epochs); same leaderboard checked');
measure('quiet machine');
const busy = spawn(process.execPath, ['-e', 'for (;;) {}']);
try {
  measure('one core busy elsewhere');
} finally {
  busy.kill();
}
