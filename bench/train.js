// Training throughput: `npm run bench`. Prints rows/s (epochs × rows / training
// seconds; data generation and loading excluded), the median of several runs.
import { MLP, Random, trainLoop } from '../dist/index.js';

const RUNS = 5;

/** Moons-shaped synthetic data: `rows` × 2 features, 1 target, from a fixed seed. */
function moonsLike(rows, seed) {
  const random = new Random(seed);
  const x = new Float64Array(rows * 2);
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const label = r % 2;
    const t = Math.PI * random.next();
    x[2 * r] = (label ? 1 - Math.cos(t) : Math.cos(t)) + 0.1 * random.normal();
    x[2 * r + 1] = (label ? 0.5 - Math.sin(t) : Math.sin(t)) + 0.1 * random.normal();
    y[r] = label;
  }
  return { x: { rows, cols: 2, data: x }, y: { rows, cols: 1, data: y } };
}

async function rowsPerSecond({ layers, batchSize, rows, epochs }) {
  const { x, y } = moonsLike(rows, 1);
  const mlp = new MLP(layers, { random: new Random(2) });
  const start = performance.now();
  await trainLoop(mlp, x, y, { epochs, learningRate: 0.05, batchSize, random: new Random(3) });
  return (epochs * rows) / ((performance.now() - start) / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const workloads = [{ name: 'moons', layers: [2, 16, 16, 1], batchSize: 32, rows: 1000, epochs: 5 }];

console.log(`node ${process.version}, ${RUNS} runs each, median rows/s`);
console.log('workload  layers      batch  rows    rows/s (object graph)');
for (const w of workloads) {
  await rowsPerSecond({ ...w, epochs: 1 }); // warm-up
  const rates = [];
  for (let i = 0; i < RUNS; i++) rates.push(await rowsPerSecond(w));
  console.log(
    `${w.name.padEnd(9)} ${w.layers.join(',').padEnd(11)} ${String(w.batchSize).padStart(5)}  ${String(w.rows).padStart(6)}  ${Math.round(median(rates)).toLocaleString('en-US').padStart(10)}`,
  );
}
