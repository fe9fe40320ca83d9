// One thread or two: `npm run bench:threads`. Trains the workloads whose
// batches are cut in two shards (see shardsFor) with the wasm engine on one
// thread and on two, taking turns, first on a quiet machine, then with one
// busy process per core competing for the CPU. Rows/s of the training loop,
// the median of seven runs of each. The helper thread must never make a run
// slower than one thread; the weights are the same bits either way.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { CompiledMLP, MLP, Random } from '../dist/index.js';
import { fmt, median, trainingRate } from './rates.js';

const workloads = [
  { name: 'wide', layers: [10, 64, 64, 1], batchSize: 64, rows: 20000, epochs: 10 },
  { name: 'digits', layers: [64, 64, 10], batchSize: 32, rows: 1797, epochs: 20 },
  { name: 'mnist-sized', layers: [784, 128, 10], batchSize: 32, rows: 10000, epochs: 1 },
];

function data({ layers, rows }) {
  const random = new Random(1);
  const matrix = (cols) => ({ rows, cols, data: Float64Array.from({ length: rows * cols }, () => random.normal()) });
  return { x: matrix(layers[0]), y: matrix(layers[layers.length - 1]) };
}

const RUNS = 7;

const rate = (w, d, threads) => trainingRate(w, d.x, d.y, { engine: 'wasm', threads, epochs: w.epochs });

// And a long prediction: 1,000,000 rows through 10,64,64,1, rows/s.
const PREDICT = { name: 'predict', rows: 1_000_000 };
const features = data({ layers: [10, 64, 64, 1], rows: PREDICT.rows }).x;
const predictors = Object.fromEntries(
  [1, 2].map((threads) => [
    threads,
    CompiledMLP.forPrediction(new MLP([10, 64, 64, 1], { random: new Random(2) }), 'wasm', undefined, threads),
  ]),
);
const predicted = new Float64Array(PREDICT.rows);
function predictRate(threads) {
  const start = performance.now();
  predictors[threads].predictInto(features, predicted);
  return PREDICT.rows / ((performance.now() - start) / 1000);
}

async function measure(label) {
  for (const w of [...workloads, PREDICT]) {
    const d = w === PREDICT ? undefined : data(w);
    const run = (threads) => (w === PREDICT ? predictRate(threads) : rate(w, d, threads));
    await run(1);
    await run(2);
    const one = [];
    const two = [];
    for (let k = 0; k < RUNS; k++) {
      // which goes first alternates: neither always follows the other
      if (k % 2) two.push(await run(2));
      one.push(await run(1));
      if (!(k % 2)) two.push(await run(2));
    }
    const ratio = median(two) / median(one);
    console.log(
      `${label.padEnd(6)} ${w.name.padEnd(12)} 1 thread ${fmt(median(one)).padStart(9)}  2 threads ${fmt(median(two)).padStart(9)}  ${ratio.toFixed(2)}×`,
    );
  }
}

console.log(
  `node ${process.version}; ${availableParallelism()} cores; training-loop rows/s (predict: rows/s), median of ${RUNS} runs each`,
);
await measure('quiet');
const busy = Array.from({ length: availableParallelism() }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
try {
  await new Promise((resolve) => setTimeout(resolve, 500));
  await measure('busy');
} finally {
  for (const child of busy) child.kill();
  for (const p of Object.values(predictors)) await p.close();
}
