import { Worker } from 'node:worker_threads';
import type { Matrix } from '../matrix.js';
import type { WasmTape } from './wasm-tape.js';
import { workerScript } from '../worker-script.js';

/** The helper's script (see `workerScript`). */
const WORKER = workerScript('shard-worker', import.meta.url);

/** Slots of the shared control array between this thread and the helper. */
export const enum Slot {
  /** Bumped by the trainer to hand shard 1 of a batch over. */
  Start,
  /** The last batch whose shard 1 someone took: whoever moves it from n − 1 to n computes it. */
  Claim,
  /** The last batch whose shard 1 was computed in the shared space (by the helper, or by the trainer that took it back). */
  Done,
  /** Rows in shard 1. */
  Rows,
  /** 1 when the trainer asks the helper to exit. */
  Exit,
  Count,
}

/**
 * How long this thread waits for a helper that started shard 1, as a share of
 * the time shard 0 took here, before computing shard 1 itself: at worst a
 * batch takes 1 + PATIENCE / 2 of one thread's time, and the measured choice
 * (below) turns the helper off if that happens often.
 */
const PATIENCE = 0.5;

/**
 * Least work in a shard (multiply-adds of its forward pass: rows × weights)
 * worth handing to a helper thread. A hand-over costs 10–20 µs here; below
 * this, a shard takes the kernels about as long (digits, 64,64,10 in halves
 * of 16 rows: 75,000, measured no faster with the helper), above it the
 * helper gains (10,64,64,1 in halves of 32 rows: 154,000, 1.2–1.45×).
 */
export const HELPER_WORK = 100_000;

/**
 * Most parameters for which a helper is asked: weights that fit in a core's
 * cache (256 KB). Beyond, both threads stream them from the shared cache and
 * memory every batch, and two threads measured no faster than one pass on one
 * (784,128,10: 0.77–1.20× over twelve runs here, half of them under load).
 */
export const HELPER_PARAMS = 32_768;

/**
 * A measuring window of the adaptive choice between one thread and two: long
 * enough to span several of a busy machine's time slices.
 */
const WINDOW = { batches: 8, ms: 25 };

/** How much faster (mean batch time) a window with the helper must be than one without it. */
const MARGIN = 0.95;

/**
 * A batch in two shards (see `shardsFor`): shard 0 computed here and shard 1
 * handed to a helper thread, and the gradients added, shard 0's + shard 1's,
 * whoever computed shard 1 — so the numbers never depend on the threads.
 *
 * Never much slower than one thread, whatever the machine is doing: when
 * shard 0 is done, this thread takes shard 1 back if the helper has not
 * started it; if the helper is at it but late (a busy machine may leave it
 * without a core), this thread waits a little (PATIENCE), then computes shard
 * 1 itself in a space of its own — the same numbers. A helper still busy with
 * an old batch gets no new one. And the choice is measured: every few windows
 * of batches, one window runs without the helper, and the helper is used only
 * while batches are faster with it.
 */
export class WasmShards {
  /** Shard 0, shard 1 (shared with the helper) and this thread's own space for shard 1. */
  private readonly tapes: [WasmTape, WasmTape, WasmTape];
  /** Both shards in one pass, its gradients in tape 0's (`WasmTape.groupWithWhole`): how a batch runs without the helper. */
  private readonly whole: WasmTape | undefined;
  private readonly worker: Worker | undefined;
  private readonly control: Int32Array;
  private generation = 0;
  private readonly seed = new Float64Array(1);
  // The adaptive choice: the mode of each window, the mean batch time each mode had last.
  private useHelper: boolean;
  private windowTime = 0;
  private windowBatches = 0;
  private windows = 0;
  private last = { helper: Infinity, alone: Infinity };
  private probeEvery = 4;
  private probing = false;
  /** Whether the helper has started (it says so once its kernels are instantiated). */
  private ready = false;

  private constructor(
    tapes: [WasmTape, WasmTape, WasmTape],
    worker: Worker | undefined,
    control: Int32Array,
    whole: WasmTape | undefined,
  ) {
    this.tapes = tapes;
    this.whole = whole;
    this.worker = worker;
    this.control = control;
    // Alone first: the helper has to show, window against window, that it makes batches faster.
    this.useHelper = false;
    this.probeEvery = 1;
  }

  /** Starts the helper thread when `threads` > 1 (see `HELPER_WORK` for when to ask for one). */
  static start(tapes: [WasmTape, WasmTape, WasmTape], threads: number, whole?: WasmTape): WasmShards {
    const control = new Int32Array(new SharedArrayBuffer(Slot.Count * 4));
    if (threads < 2) return new WasmShards(tapes, undefined, control, whole);
    // Training starts without waiting for the helper (it starts idle anyway): it is
    // measured once it says it is ready, and never if it fails to start.
    const worker = new Worker(WORKER, { workerData: { ...tapes[1].kernels, control } });
    worker.unref();
    const shards = new WasmShards(tapes, worker, control, whole);
    worker.once('message', () => (shards.ready = true));
    worker.on('error', () => (shards.ready = false));
    return shards;
  }

  /** Threads that may compute a batch: 2 with a helper (which the measurements may leave idle). */
  get threads(): number {
    return this.worker ? 2 : 1;
  }

  /** Runs the batch `rows` (shard 0: the first `split` rows); returns the summed loss, the gradients in tape 0's. */
  run(x: Matrix, y: Matrix, rows: Int32Array, split: number, scale: number): number {
    const [t0, shared, own] = this.tapes;
    const first = rows.subarray(0, split);
    const second = rows.subarray(split);
    this.seed[0] = scale;
    const start = performance.now();
    const c = this.control;
    // Hand shard 1 over only to an idle helper (one that finished every shard it took).
    const handed = this.useHelper && second.length > 0 && Atomics.load(c, Slot.Done) === Atomics.load(c, Slot.Claim);
    if (!handed && this.whole) {
      const loss = runWhole(this.whole, x, y, rows, split, this.seed);
      if (second.length > 0) this.measure(performance.now() - start);
      return loss;
    }
    if (handed) {
      shared.load(x, y, second);
      shared.seedWith(this.seed);
      this.generation++;
      Atomics.store(c, Slot.Rows, second.length);
      Atomics.store(c, Slot.Start, this.generation);
      Atomics.notify(c, Slot.Start);
    }
    const began = performance.now();
    t0.load(x, y, first);
    t0.forward(first.length);
    t0.backward(this.seed);
    let loss = 0;
    for (let l = 0; l < first.length; l++) loss += t0.output(0, l);

    const g = this.generation;
    let t1 = own;
    if (handed && Atomics.compareExchange(c, Slot.Claim, g - 1, g) === g - 1) {
      t1 = shared; // the helper had not started: compute it here, where it was loaded
      t1.forward(second.length);
      t1.backward(this.seed);
      Atomics.store(c, Slot.Done, g); // the helper is idle again
    } else if (handed && this.helperDone(g, (performance.now() - began) * PATIENCE)) {
      t1 = shared;
    } else {
      own.load(x, y, second);
      own.forward(second.length);
      own.backward(this.seed);
    }
    let secondLoss = 0;
    for (let l = 0; l < second.length; l++) secondLoss += t1.output(0, l);
    t0.addGrads(t1);
    if (second.length > 0) this.measure(performance.now() - start);
    return loss + secondLoss;
  }

  /** Whether the helper finishes batch g within `ms` (it has started it). */
  private helperDone(g: number, ms: number): boolean {
    const c = this.control;
    const until = performance.now() + ms;
    for (;;) {
      const done = Atomics.load(c, Slot.Done);
      if (done === g) return true;
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.wait(c, Slot.Done, done, left);
    }
  }

  /**
   * The adaptive choice: after every `probeEvery` windows in one mode, one
   * window in the other; then the faster mode is kept. The same answer twice
   * doubles the wait before the next look (up to 64 windows); a change resets it.
   */
  private measure(ms: number): void {
    if (!this.ready) return;
    this.windowTime += ms;
    if (++this.windowBatches < WINDOW.batches || this.windowTime < WINDOW.ms) return;
    const mean = this.windowTime / this.windowBatches;
    this.windowTime = 0;
    this.windowBatches = 0;
    if (this.useHelper) this.last.helper = mean;
    else this.last.alone = mean;
    if (this.probing) {
      this.probing = false;
      const before = !this.useHelper;
      // the helper must win clearly: a window is noisy, and one thread never risks a slow hand-over
      const helper = this.last.helper < MARGIN * this.last.alone;
      this.probeEvery = helper === before ? Math.min(this.probeEvery * 2, 64) : 4;
      this.useHelper = helper;
      this.windows = 0;
    } else if (++this.windows >= this.probeEvery) {
      this.probing = true;
      this.useHelper = !this.useHelper;
    }
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    Atomics.store(this.control, Slot.Exit, 1);
    Atomics.add(this.control, Slot.Start, 1);
    Atomics.notify(this.control, Slot.Start);
    await this.worker.terminate();
  }
}

/**
 * A batch on a tape that cuts it after `split` rows (`WasmTape.cut`): forward,
 * backward from `seeds`; returns the loss as two shards add it, the first's
 * rows and then the rest's.
 */
export function runWhole(
  tape: WasmTape,
  x: Matrix,
  y: Matrix,
  rows: Int32Array,
  split: number,
  seeds: ArrayLike<number>,
): number {
  const n = rows.length;
  tape.load(x, y, rows);
  tape.forward(n);
  let first = 0;
  for (let l = 0; l < split; l++) first += tape.output(0, l);
  let second = 0;
  for (let l = split; l < n; l++) second += tape.output(0, l);
  tape.backward(seeds);
  return first + second;
}
