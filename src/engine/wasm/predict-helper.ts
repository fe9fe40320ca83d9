import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Program } from '../compile.js';
import type { Matrix } from '../matrix.js';
import { predictRows } from '../shards.js';
import type { WasmTape } from './wasm-tape.js';
import { workerScript } from '../worker-script.js';

/** The helper's script (see `workerScript`). */
const WORKER = workerScript('engine/wasm/predict-worker', import.meta.url);

/** Slots of the control array shared with the helper. */
export const enum Slot {
  /** Bumped for each prediction handed out. */
  Job,
  /** The next block to take, counted over every prediction so far. */
  Next,
  /** Blocks computed, counted likewise. */
  Done,
  /** 1 when the helper is to exit. */
  Exit,
  Count,
}

/** What the helper gets with each prediction. */
export interface Job {
  x: Float64Array;
  rows: number;
  cols: number;
  out: Float64Array;
  /** Its blocks are first .. end − 1 of the counters; each is `blockRows` rows. */
  first: number;
  end: number;
  blockRows: number;
}

/**
 * Work (rows × weights) of predictions after which a second thread is
 * started: about 20 ms of the kernels, against a thread that takes 30–190 ms
 * to start. Counted over calls, so that a stream of small batches (predict
 * reads a file a chunk at a time) gets one as well as a single long call.
 */
export const PREDICT_WORK = 50_000_000;

/**
 * Least work of one call worth sharing with a started helper: ~0.4 ms of the
 * kernels, against a hand-over of tens of µs (waking the helper, the job's
 * message, the copy of x into shared memory).
 */
export const PREDICT_SHARE = 1_000_000;

/** Rows per block that a thread takes at a time: at most 16 runs of the lanes, and at least 8 blocks to a call. */
const BLOCK_RUNS = 16;
const BLOCKS = 8;

/**
 * A second thread for long predictions: this thread and the helper take
 * blocks of rows in turn from a shared counter, each through its own lanes
 * of the same kernels and weights, until none is left. Each row's outputs
 * are the same numbers whoever computes them. The helper is never waited for
 * to start: until it has, this thread takes every block; at the end this
 * thread waits only for the block the helper is computing.
 */
export class PredictHelper {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control = new Int32Array(new SharedArrayBuffer(Slot.Count * 4));
  private readonly lanes: number;
  /** Shared memory for x and the outputs, kept from call to call (grown when too small). */
  private xs: Float64Array = new Float64Array(0);
  private os: Float64Array = new Float64Array(0);

  /** `tape`: shard 1 of `WasmTape.group(program, lanes, 2)`, whose memory the helper shares. */
  constructor(program: Program, tape: WasmTape) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.lanes = tape.lanes;
    this.worker = new Worker(WORKER, {
      workerData: { program, lanes: tape.lanes, memory: tape.kernels.memory, control: this.control, port: port2 },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('error', () => {}); // a helper that fails leaves every block to this thread
  }

  /** Outputs of every row of x into `out` (rows × outputs), `tape` (shard 0) here and the helper beside it. */
  run(tape: WasmTape, x: Matrix, out: Float64Array): void {
    const c = this.control;
    let xs = x.data;
    if (!(xs.buffer instanceof SharedArrayBuffer)) {
      this.xs = room(this.xs, xs.length);
      xs = this.xs.subarray(0, x.data.length);
      xs.set(x.data);
    }
    let os = out;
    if (!(os.buffer instanceof SharedArrayBuffer)) {
      this.os = room(this.os, out.length);
      os = this.os.subarray(0, out.length);
    }
    // blocks of whole runs of the lanes: enough of them for both threads, up to BLOCK_RUNS runs
    const runs = Math.min(BLOCK_RUNS, Math.max(1, Math.ceil(x.rows / (BLOCKS * this.lanes))));
    const blockRows = runs * this.lanes;
    const first = Atomics.load(c, Slot.Next);
    const end = first + Math.ceil(x.rows / blockRows);
    const job: Job = { x: xs, rows: x.rows, cols: x.cols, out: os, first, end, blockRows };
    this.port.postMessage(job);
    Atomics.add(c, Slot.Job, 1);
    Atomics.notify(c, Slot.Job);
    const here = { rows: x.rows, cols: x.cols, data: xs };
    for (let b = take(c, end); b >= 0; b = take(c, end)) {
      const start = (b - first) * blockRows;
      predictRows(tape, here, start, Math.min(blockRows, x.rows - start), os);
      Atomics.add(c, Slot.Done, 1);
    }
    for (let done = Atomics.load(c, Slot.Done); done < end; done = Atomics.load(c, Slot.Done)) {
      Atomics.wait(c, Slot.Done, done, 50);
    }
    if (os !== out) out.set(os);
  }

  async close(): Promise<void> {
    Atomics.store(this.control, Slot.Exit, 1);
    Atomics.add(this.control, Slot.Job, 1);
    Atomics.notify(this.control, Slot.Job);
    this.port.close();
    await this.worker.terminate();
  }
}

/** `held` if it has room for n numbers, else a new array in shared memory, at least twice as large. */
function room(held: Float64Array, n: number): Float64Array {
  return held.length >= n ? held : new Float64Array(new SharedArrayBuffer(Math.max(n, 2 * held.length) * 8));
}

/** Takes the next block below `end`; −1 when none is left (or the counter is past this job). */
export function take(c: Int32Array, end: number): number {
  for (;;) {
    const b = Atomics.load(c, Slot.Next);
    if (b >= end) return -1;
    if (Atomics.compareExchange(c, Slot.Next, b, b + 1) === b) return b;
  }
}
