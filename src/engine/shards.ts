import { MessageChannel, type MessagePort, Worker, type WorkerOptions } from 'node:worker_threads';
import type { Program } from './compile.js';
import type { Matrix } from './matrix.js';
import type { Tape } from './tape.js';
import type { WasmTape } from './wasm/wasm-tape.js';
import { workerScript } from './worker-script.js';

/** The helper's script (see `workerScript`). */
const WORKER = workerScript('engine/shard-worker', import.meta.url);

// A batch cut in two shards, the second computed on a helper thread: each
// shard runs forward and backward on its own tape over the same parameters,
// and the gradients are shard 0's plus shard 1's, whichever thread computed them.

/**
 * Below this many multiply-adds per batch (rows × weights), handing half a batch
 * to another thread costs more in hand-over than it saves.
 */
const SHARD_WORK = 100_000;

/**
 * How many parts a batch is cut into: two for big batches, else one. It depends
 * only on the network and the batch size — never on the machine — so the same
 * command gives the same bytes anywhere; threads only decide where parts run.
 */
export function shardsFor(program: Program, batchSize: number): 1 | 2 {
  return batchSize >= 16 && batchSize * program.termParam.length >= SHARD_WORK ? 2 : 1;
}

/**
 * Loads `rows` of x and y into the tape's lanes, runs forward, and backward
 * with ∂L/∂(row loss) = `scale` in every lane. Returns the rows' summed loss.
 */
export function runShard(
  tape: Tape | WasmTape,
  x: Matrix,
  y: Matrix,
  rows: Int32Array,
  scale: number,
  gather = true,
): number {
  const total = forwardRows(tape, x, y, rows, gather);
  seed[0] = scale;
  tape.backward(seed);
  return total;
}

/** Loads `rows` of x and y into the tape's lanes and runs forward; returns the rows' summed loss. */
export function forwardRows(tape: Tape | WasmTape, x: Matrix, y: Matrix, rows: Int32Array, gather: boolean): number {
  const n = rows.length;
  tape.load(x, y, rows);
  tape.forward(n, gather);
  let total = 0;
  for (let l = 0; l < n; l++) total += tape.output(0, l);
  return total;
}

/** Outputs of rows start .. start + count − 1 of x into `out` (rows × outputs), the tape's lanes at a time. */
export function predictRows(tape: Tape | WasmTape, x: Matrix, start: number, count: number, out: Float64Array): void {
  const nout = tape.program.outputNodes.length;
  for (let s = start; s < start + count; s += tape.lanes) {
    const n = Math.min(tape.lanes, start + count - s);
    tape.loadRange(x, s, n);
    tape.forward(n);
    for (let l = 0; l < n; l++) {
      for (let j = 0; j < nout; j++) out[(s + l) * nout + j] = tape.output(j, l);
    }
  }
}

const seed = new Float64Array(1);

/** Slots of the shared control array between this thread and the helper. */
export const enum Slot {
  /** Bumped by the trainer to hand over a shard. */
  Start,
  /** Set to Start's value by the helper when that shard is done. */
  Done,
  /** Rows in the handed-over shard. */
  Rows,
  /** 1 when the trainer asks the helper to exit. */
  Exit,
  Count,
}

/** Rows live in shared memory for the helper; copied there once per data set. */
interface SharedMatrix extends Matrix {
  source: Float64Array;
}

/**
 * A worker thread that computes shard 1 of each batch on its own tape, which
 * reads the shared parameters and writes its gradients into shared memory.
 * Hand-over is by Atomics on a small shared control array: no messages per batch.
 */
export class ShardHelper {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control: Int32Array;
  private readonly rows: Int32Array;
  private readonly numbers: Float64Array; // [scale, loss]
  private x: SharedMatrix | undefined;
  private y: SharedMatrix | undefined;
  private generation = 0;

  private constructor(worker: Worker, port: MessagePort, control: Int32Array, rows: Int32Array, numbers: Float64Array) {
    this.worker = worker;
    this.port = port;
    this.control = control;
    this.rows = rows;
    this.numbers = numbers;
  }

  static async start(program: Program, lanes: number, params: Float64Array, grads: Float64Array): Promise<ShardHelper> {
    const control = new Int32Array(new SharedArrayBuffer(Slot.Count * 4));
    const rows = new Int32Array(new SharedArrayBuffer(lanes * 4));
    const numbers = new Float64Array(new SharedArrayBuffer(2 * 8));
    const { port1, port2 } = new MessageChannel();
    const worker = await startHelper(WORKER, {
      workerData: { program, lanes, params, grads, control, rows, numbers, port: port2 },
      transferList: [port2],
    });
    port1.unref();
    return new ShardHelper(worker, port1, control, rows, numbers);
  }

  /** Hands `rows` to the helper; it starts at once. */
  begin(x: Matrix, y: Matrix, rows: Int32Array, scale: number): void {
    if (this.x?.source !== x.data || this.y?.source !== y.data) {
      // New data: the helper picks it up from its port when it wakes for this shard.
      this.x = toShared(x);
      this.y = toShared(y);
      this.port.postMessage({ x: plain(this.x), y: plain(this.y) });
    }
    this.rows.set(rows);
    this.numbers[0] = scale;
    Atomics.store(this.control, Slot.Rows, rows.length);
    this.generation++;
    Atomics.store(this.control, Slot.Start, this.generation);
    Atomics.notify(this.control, Slot.Start);
  }

  /** Waits for the helper's shard; returns its summed loss. */
  finish(): number {
    if (!waitUntil(this.control, Slot.Done, this.generation, 30_000)) {
      throw new Error('the helper thread stopped answering');
    }
    return this.numbers[1]!;
  }

  async stop(): Promise<void> {
    Atomics.store(this.control, Slot.Exit, 1);
    this.generation++;
    Atomics.store(this.control, Slot.Start, this.generation);
    Atomics.notify(this.control, Slot.Start);
    await this.worker.terminate();
  }
}

/**
 * Starts a helper thread and waits for its first message (it is ready); a
 * helper that fails or exits first is an error. It does not keep the process alive.
 */
async function startHelper(script: URL, options: WorkerOptions): Promise<Worker> {
  const worker = new Worker(script, options);
  const failure = await new Promise<Error | undefined>((resolve) => {
    worker.once('message', () => resolve(undefined));
    worker.once('error', (error) => resolve(error));
    worker.once('exit', (code) => resolve(new Error(`it exited with code ${code}`)));
  });
  if (failure) {
    await worker.terminate();
    throw new Error(`the helper thread did not start: ${failure.message}`);
  }
  worker.unref();
  return worker;
}

function plain({ rows, cols, data }: Matrix): Matrix {
  return { rows, cols, data };
}

function toShared(m: Matrix): SharedMatrix {
  const data = new Float64Array(new SharedArrayBuffer(m.data.length * 8));
  data.set(m.data);
  return { rows: m.rows, cols: m.cols, data, source: m.data };
}

/**
 * Waits until `control[slot]` equals `value`, sleeping on the slot between
 * looks. Each sleep is capped at a millisecond because a wake-up from the
 * other thread was seen, rarely, to go missing; a missed one then costs a
 * millisecond instead of a hang. Returns false after `timeoutMs`.
 */
export function waitUntil(control: Int32Array, slot: number, value: number, timeoutMs: number): boolean {
  const start = performance.now();
  for (;;) {
    const now = Atomics.load(control, slot);
    if (now === value) return true;
    if (performance.now() - start > timeoutMs) return false;
    Atomics.wait(control, slot, now, 1);
  }
}
