// Training throughput: `npm run bench`. For each workload, rows/s (epochs ×
// rows / training seconds; data generation excluded), the median of several
// runs, for the three engines (object graph, js tape, WebAssembly kernels), a
// hand-fused plain-JS reference that lives only here, and the peers on the same
// rows, batch size and learning rate (bench/peers.py: scikit-learn and PyTorch
// float64, where installed), all on one thread, with the ratios. Everyone takes
// a turn in each round, peers included, so that a slow spell of the machine
// hits them alike.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompiledMLP, compile, MLP, parameterCount, Random, trainLoop, Value, WasmTape } from '../dist/index.js';
import { fmt, median, trainingRate } from './rates.js';
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
  { name: 'mnist-sized', layers: [784, 128, 10], batchSize: 32, rows: 10000 },
];
/** Above this many parameters the object graph is left out: its graph of a batch would not fit in memory. */
const GRAPH_LIMIT = 20_000;
const PYTHON = '/usr/bin/python3';
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

/** Rows/s of training (see rates.js), on the first `rows` rows for slow engines. */
function timeEngine(engine, threads, w, data, epochs, rows) {
  return trainingRate(w, prefix(data.x, rows), prefix(data.y, rows), { engine, threads, epochs });
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
    for (let i = 0; i < runs.length; i++) {
      // Each run starts from a collected heap (node --expose-gc): none pays for the garbage of the one before.
      globalThis.gc?.();
      rates[i].push(await runs[i](sizes[i]));
    }
  }
  return rates.map((r, i) => ({ rate: median(r), size: sizes[i] }));
}

/**
 * bench/peers.py as a child process that trains a peer on request, so that the
 * peers take their turns in the same rounds as the engines. Undefined without
 * Python.
 */
class Peers {
  static async start() {
    return existsSync(PYTHON) ? new Peers() : undefined;
  }

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'autograd-bench-'));
    const script = fileURLToPath(new URL('peers.py', import.meta.url));
    this.child = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.waiting = [];
    createInterface({ input: this.child.stdout }).on('line', (line) => this.waiting.shift()?.resolve(JSON.parse(line)));
    this.child.on('exit', (code) => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`bench/peers.py exited ${code}`));
    });
  }

  ask(request) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(request) + '\n');
    });
  }

  /** Hands the workload's rows over; returns the peers installed. */
  async load(w, data) {
    const path = join(this.dir, `${w.name}.f64`);
    const nin = data.x.cols;
    const nout = data.y.cols;
    const rows = new Float64Array(w.rows * (nin + nout));
    for (let r = 0; r < w.rows; r++) {
      rows.set(data.x.data.subarray(r * nin, (r + 1) * nin), r * (nin + nout));
      rows.set(data.y.data.subarray(r * nout, (r + 1) * nout), r * (nin + nout) + nin);
    }
    writeFileSync(path, rows);
    const { peers } = await this.ask({
      workload: { name: w.name, layers: w.layers, batchSize: w.batchSize, rows: w.rows, path },
    });
    return peers;
  }

  /** Rows/s of `peer` training `epochs` whole epochs. */
  async rate(peer, epochs) {
    return (await this.ask({ peer, epochs })).rate;
  }

  async close() {
    this.child.stdin.end();
    await new Promise((resolve) => (this.child.exitCode === null ? this.child.on('exit', resolve) : resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One workload's rates: every engine and every peer installed, taking turns. */
async function measureWorkload(w) {
  const data = synthetic(w);
  const peers = await Peers.start();
  try {
    const withGraph = parameterCount(w.layers) <= GRAPH_LIMIT;
    const names = peers ? await peers.load(w, data) : [];
    // The object graph first, as it always ran: after the others its garbage collector starts from a fuller heap.
    const rates = await measureAll(
      [
        ...(withGraph ? [({ epochs, rows }) => timeEngine('graph', 1, w, data, epochs, rows)] : []),
        ({ epochs, rows }) => timeEngine('js', 1, w, data, epochs, rows),
        ({ epochs, rows }) => timeEngine('wasm', 1, w, data, epochs, rows),
        ({ epochs }) => timeReference(w, data, epochs),
        ...names.map(
          (name) =>
            ({ epochs }) =>
              peers.rate(name, epochs),
        ),
      ],
      w,
    );
    const graph = withGraph ? rates.shift() : undefined;
    const [js, wasm, reference, ...peerRates] = rates;
    return {
      name: w.name,
      graph: graph && { rate: graph.rate, partial: graph.size.rows < w.rows },
      js: js.rate,
      wasm: wasm.rate,
      reference: reference.rate,
      peers: Object.fromEntries(names.map((name, k) => [name, peerRates[k].rate])),
      python: peers !== undefined,
    };
  } finally {
    await peers?.close();
  }
}

// Each workload in a process of its own (with BENCH_CHILD set, a process measures
// its one workload and prints the rates as JSON): no workload runs in a heap
// that the ones before it filled.
if (process.env.BENCH_CHILD) {
  console.log(JSON.stringify(await measureWorkload(workloads[0])));
  process.exit(0);
}

console.log(`node ${process.version}; median of ${RUNS} runs; rows/s = epochs × rows / training seconds`);
console.log();
const results = [];
for (const w of workloads) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_ONLY: w.name, BENCH_CHILD: '1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`the ${w.name} workload's process exited ${child.status}`);
  results.push({ w, ...JSON.parse(child.stdout.trim().split('\n').pop()) });
}
if (!results.every((r) => r.python)) {
  console.log(`peers: skipped (no ${PYTHON}; apt-get install python3-sklearn python3-torch)`);
  console.log();
}
const header = [
  'workload',
  'layers',
  'batch',
  'rows',
  'graph',
  'js',
  'wasm',
  'reference',
  'wasm/ref',
  'wasm/js',
  'js/ref',
];
const table = [header];
for (const { w, graph, js, wasm, reference } of results) {
  table.push([
    w.name,
    w.layers.join(','),
    String(w.batchSize),
    fmt(w.rows),
    graph ? fmt(graph.rate) + (graph.partial ? '*' : '') : '—',
    fmt(js),
    fmt(wasm),
    fmt(reference),
    `${(wasm / reference).toFixed(2)}×`,
    `${(wasm / js).toFixed(2)}×`,
    `${(js / reference).toFixed(2)}×`,
  ]);
}
const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
for (const row of table) {
  console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}
console.log();
console.log('* timed on the first rows only (one partial epoch), to keep the run short.');
console.log(
  `— not run: over ${GRAPH_LIMIT.toLocaleString('en-US')} parameters, the object graph of a batch does not fit in memory.`,
);

peerTable(results);
await more();

/** Set-up, prediction and a whole command: the other figures the engine is held to. */
async function more() {
  console.log();
  // Compiling: the graph (built by MLP.call, lowered by compile) and then the kernels.
  const mlp = new MLP([784, 128, 10], { random: new Random(2) });
  let start = performance.now();
  const x = Array.from({ length: 784 }, () => new Value(0));
  const program = compile({ inputs: x, parameters: mlp.parameters(), outputs: mlp.call(x) });
  const graphMs = performance.now() - start;
  start = performance.now();
  new WasmTape(program, 32);
  const kernelMs = performance.now() - start;
  console.log(
    `784,128,10: kernels generated and compiled in ${kernelMs.toFixed(0)} ms (the graph built and lowered first: ${graphMs.toFixed(0)} ms)`,
  );

  // Prediction: 1,000,000 rows through 10,64,64,1, in chunks of 256 rows.
  const net = new MLP([10, 64, 64, 1], { random: new Random(2) });
  const random = new Random(5);
  const rows = 1_000_000;
  const features = { rows, cols: 10, data: Float64Array.from({ length: rows * 10 }, () => random.normal()) };
  const out = new Float64Array(rows);
  const rates = {};
  for (const [name, engine, threads] of [
    ['js', 'js', 1],
    ['wasm', 'wasm', 1],
    ['wasm2', 'wasm', 2],
  ]) {
    const predictor = CompiledMLP.forPrediction(net, engine, undefined, threads);
    predictor.predictInto({ rows: 1000, cols: 10, data: features.data.subarray(0, 10_000) }, out); // warm-up
    const times = [];
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      predictor.predictInto(features, out);
      times.push(performance.now() - t);
    }
    rates[name] = rows / (median(times) / 1000);
    await predictor.close();
  }
  console.log(
    `predict 1,000,000 rows, 10,64,64,1: wasm ${fmt(rates.wasm2)} rows/s on two threads, ${fmt(rates.wasm)} on one; js ${fmt(rates.js)} (the kernels alone; no CSV)`,
  );

  // A whole command, as a user runs it: 20,000 rows × 10 features, 10,64,64,1, batch 64, 10 epochs.
  const dir = mkdtempSync(join(tmpdir(), 'autograd-bench-'));
  try {
    const csv = join(dir, 'wide.csv');
    const data = synthetic({ layers: [10, 64, 64, 1], rows: 20_000 });
    const lines = ['x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,y'];
    for (let r = 0; r < 20_000; r++) {
      const cells = Array.from(data.x.data.subarray(r * 10, r * 10 + 10), (v) => v.toFixed(6));
      lines.push([...cells, data.y.data[r].toFixed(6)].join(','));
    }
    writeFileSync(csv, lines.join('\n') + '\n');
    const bin = fileURLToPath(new URL('../bin/autograd.js', import.meta.url));
    const args = [bin, 'train', csv, '-l', '10,64,64,1', '-b', '64', '-e', '10', '-q', '--out', join(dir, 'm.json')];
    const walls = [];
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
      walls.push((performance.now() - t) / 1000);
      if (r.status !== 0) throw new Error(`autograd train exited ${r.status}`);
    }
    console.log(
      `autograd train, 20,000 × 10, 10,64,64,1, batch 64, 10 epochs: ${median(walls).toFixed(2)} s wall (start to exit, median of 3)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The wasm engine against the peers, measured in the same rounds. */
function peerTable(results) {
  console.log();
  if (results.every((r) => Object.keys(r.peers).length === 0)) return;
  const head = ['workload', 'layers', 'wasm', 'scikit-learn', 'PyTorch f64', 'wasm/best peer'];
  const rows = [head];
  for (const { w, wasm, peers: p } of results) {
    const rates = [p['scikit-learn'], p.PyTorch].filter((v) => typeof v === 'number');
    const best = rates.length ? Math.max(...rates) : undefined;
    rows.push([
      w.name,
      w.layers.join(','),
      fmt(wasm),
      typeof p['scikit-learn'] === 'number' ? fmt(p['scikit-learn']) : 'not installed',
      typeof p.PyTorch === 'number' ? fmt(p.PyTorch) : 'not installed',
      best ? `${(wasm / best).toFixed(2)}×` : '—',
    ]);
  }
  const w = head.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows)
    console.log(row.map((cell, c) => (c < 2 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  '));
  console.log();
  console.log(
    'peers: plain SGD, lr 0.01, tanh, MSE, float64, one thread each, taking turns with the engines (bench/peers.py).',
  );
}
