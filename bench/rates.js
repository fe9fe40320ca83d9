// What the benchmarks time: rows/s of a training loop, from the end of its
// first batch to the end of its last (compiling, starting a helper thread and
// the final loss pass are set-up, not training).
import { MLP, Random, trainLoop } from '../dist/index.js';

/** Trains `layers` on x, y for `epochs` with `engine` and `threads`; returns rows/s. */
export async function trainingRate({ layers, batchSize }, x, y, { engine, threads, epochs }) {
  const mlp = new MLP(layers, { random: new Random(2) });
  let start = 0;
  let end = 0;
  let counted = 0;
  await trainLoop(mlp, x, y, {
    epochs,
    learningRate: 0.01,
    batchSize,
    engine,
    threads,
    random: new Random(3),
    onBatch: (event) => {
      if (start === 0) start = performance.now();
      else {
        counted += event.rows;
        end = performance.now();
      }
    },
  });
  return counted / ((end - start) / 1000);
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const fmt = (n) => Math.round(n).toLocaleString('en-US');
