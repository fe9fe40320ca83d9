// Training throughput: `npm run bench`. For each workload, rows/s (epochs ×
// rows / training seconds; data generation excluded), the median of several
// runs, for the object graph, the compiled engine and a hand-fused reference
// that lives only here, all in one run, with the ratios. The engines take
// turns within each round, so that a slow spell of the machine hits them alike.
// All single-threaded, except the last column: the compiled engine as
// `autograd train` runs it, sharing big batches with a second thread.
import { MLP, Random, trainLoop } from '../dist/index.js';
import { FusedMLP } from './reference.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** Each timed run trains for about this long (whole epochs; the object graph on a prefix of the rows). */
const TARGET_SECONDS = 0.4;

const only = process.env.BENCH_ONLY;
const allWorkloads = [
  { name: 'moons', layers: [2, 16, 16, 1], batchSize: 32, rows: 1000 },
  { name: 'regression', layers: [10, 32, 32, 1], batchSize: 16, rows: 442 },
  { name: 'wide', layers: [10, 64, 64, 1], batchSize: 64, rows: 20000 },
  { name: 'digits', layers: [64, 64, 10], batchSize: 32, rows: 1797 },
];
const workloads = only ? allWorkloads.filter((w) => w.name === only) : allWorkloads;

/** Synthetic data of the workload's shape: normal features, targets a smooth function of them, fixed seed. */
function synthetic({ layers, rows }) {
  const random = new Random(1);
  const nin = layers[0];
  const nout = layers[layers.length - 1];
  const x = new Float64Array(rows * nin);
  const y = new Float64Array(rows * nout);
  const mix = Array.from({ length: nout * nin }, () => random.normal() / Math.sqrt(nin));
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nin; i++) x[r * nin + i] = random.normal();
    for (let j = 0; j < nout; j++) {
      let s = 0;
      for (let i = 0; i < nin; i++) s += mix[j * nin + i] * x[r * nin + i];
      y[r * nout + j] = Math.tanh(s) + 0.1 * random.normal();
    }
  }
  return { x: { rows, cols: nin, data: x }, y: { rows, cols: nout, data: y } };
}

function prefix(m, rows) {
  return { rows, cols: m.cols, data: m.data.subarray(0, rows * m.cols) };
}

/** Rows/s of training after the first batch: compiling and starting a helper thread are set-up, as allocation is for the reference. */
async function timeEngine(engine, threads, w, data, epochs, rows) {
  const mlp = new MLP(w.layers, { random: new Random(2) });
  const x = prefix(data.x, rows);
  const y = prefix(data.y, rows);
  let start = 0;
  let counted = 0;
  await trainLoop(mlp, x, y, {
    epochs,
    learningRate: 0.01,
    batchSize: w.batchSize,
    engine,
    threads,
    random: new Random(3),
    onBatch: (event) => {
      if (start === 0) start = performance.now();
      else counted += event.rows;
    },
  });
  return counted / ((performance.now() - start) / 1000);
}

function timeReference(w, data, epochs) {
  const net = new FusedMLP(w.layers, w.batchSize, new Random(2));
  const random = new Random(3);
  const order = Int32Array.from({ length: w.rows }, (_, i) => i);
  const start = performance.now();
  for (let e = 0; e < epochs; e++) {
    random.shuffle(order);
    for (let s = 0; s < w.rows; s += w.batchSize) {
      net.step(data.x.data, data.y.data, order.subarray(s, Math.min(s + w.batchSize, w.rows)), 0.01);
    }
  }
  return (epochs * w.rows) / ((performance.now() - start) / 1000);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Epochs (or rows, for slow engines) that take about TARGET_SECONDS at a measured rate. */
function sized(rate, w) {
  const rows = rate * TARGET_SECONDS;
  if (rows < w.rows)
    return {
      epochs: 1,
      rows: Math.min(w.rows, Math.max(4 * w.batchSize, Math.floor(rows / w.batchSize) * w.batchSize)),
    };
  return { epochs: Math.max(1, Math.round(rows / w.rows)), rows: w.rows };
}

/** Median rates of several engines, each sized to run about TARGET_SECONDS, taking turns each round. */
async function measureAll(runs, w) {
  const sizes = [];
  for (const run of runs) {
    // A warm-up, then a short run to size the timed ones (a cold first run underestimates).
    const warm = await run({ epochs: 1, rows: Math.min(w.rows, w.batchSize * 16) });
    const probe = await run(sized(warm / 4, w));
    sizes.push(sized(probe, w));
  }
  const rates = runs.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    for (let i = 0; i < runs.length; i++) rates[i].push(await runs[i](sizes[i]));
  }
  return rates.map((r, i) => ({ rate: median(r), size: sizes[i] }));
}

console.log(`node ${process.version}; median of ${RUNS} runs; rows/s = epochs × rows / training seconds`);
console.log();
const header = [
  'workload',
  'layers',
  'batch',
  'rows',
  'object graph',
  'compiled',
  'reference',
  'compiled/ref',
  'compiled/graph',
  'compiled, 2 threads',
];
const table = [header];
for (const w of workloads) {
  const data = synthetic(w);
  const [graph, compiled, reference, threaded] = await measureAll(
    [
      ({ epochs, rows }) => timeEngine('graph', 1, w, data, epochs, rows),
      ({ epochs, rows }) => timeEngine('compiled', 1, w, data, epochs, rows),
      ({ epochs }) => timeReference(w, data, epochs),
      ({ epochs, rows }) => timeEngine('compiled', 2, w, data, epochs, rows),
    ],
    w,
  );
  table.push([
    w.name,
    w.layers.join(','),
    String(w.batchSize),
    fmt(w.rows),
    fmt(graph.rate) + (graph.size.rows < w.rows ? '*' : ''),
    fmt(compiled.rate),
    fmt(reference.rate),
    `${(compiled.rate / reference.rate).toFixed(2)}×`,
    `${(compiled.rate / graph.rate).toFixed(1)}×`,
    fmt(threaded.rate),
  ]);
}
const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
for (const row of table) {
  console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}
console.log();
console.log('* timed on the first rows only (one partial epoch), to keep the run short.');
console.log('2 threads: small batches stay on one thread, where handing over would cost more than it saves.');
