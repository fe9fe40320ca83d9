import { Worker } from 'node:worker_threads';
import type { Matrix } from '../matrix.js';
import type { WasmTape } from './wasm-tape.js';
import { idleCores } from '../idle-cores.js';
import { workerScript } from '../worker-script.js';

/** The helper's script (see `workerScript`). */
const WORKER = workerScript('engine/wasm/shard-worker', import.meta.url);

/** Slots of the shared control array between this thread and the helper. */
export const enum Slot {
  /** Bumped by the trainer to hand shard 1 of a batch over. */
  Start,
  /** The last batch whose shard 1 someone took: whoever moves it from n − 1 to n computes it. */
  Claim,
  /** The last batch whose shard 1 is finished with: computed by the helper, or taken back by the trainer. */
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

/** Batches before the helper thread is started (see `startHelper`), and between looks for a free core to start it on. */
const WARM_UP = 100;

/** How much faster (mean batch time) a window with the helper must be than one without it. */
const MARGIN = 0.95;

/**
 * A batch in two shards (see `shardsFor`): shard 0 computed here and shard 1
 * handed to a helper thread, and the gradients added, shard 0's + shard 1's,
 * whoever computed shard 1 — so the numbers never depend on the threads.
 * Here, shard 0 runs on the whole batch's tape (`WasmTape.cut`: rows up to
 * the cut give shard 0's gradients, bit for bit), the one that runs a batch
 * in one pass while the helper is left out: one module to warm up here, not
 * three.
 *
 * Never much slower than one thread, whatever the machine is doing: when
 * shard 0 is done, this thread takes shard 1 back if the helper has not
 * started it; if the helper is at it but late (a busy machine may leave it
 * without a core), this thread waits a little (PATIENCE), then computes shard
 * 1 itself — the same numbers. A helper still busy with an old batch gets no
 * new one. And the choice is measured: every few windows of batches, one
 * window runs without the helper, and the helper is used only while batches
 * are faster with it.
 */
export class WasmShards {
  /** Both shards in one pass; shard 0 alone when the helper has shard 1. Its gradients are the batch's. */
  private readonly whole: WasmTape;
  /** Shard 1's tape, in the memory shared with the helper: loaded here, run there. */
  private readonly shard: WasmTape;
  /** Shard 0's gradients, kept while this thread computes shard 1 on the whole tape. */
  private readonly kept: Float64Array;
  /** Whether a helper may be started (see `run`). */
  private readonly wanted: boolean;
  private worker: Worker | undefined;
  /** Helpers stopped for a busy machine, still exiting. */
  private readonly stopping: Promise<number>[] = [];
  /** The control array of the helper running now (each helper gets its own). */
  private control = new Int32Array(new SharedArrayBuffer(Slot.Count * 4));
  private generation = 0;
  private readonly seed = new Float64Array(1);
  private batches = 0;
  /** The batch from which a helper may be started (again), and the wait after the next stop. */
  private startFrom: number;
  private restartWait = WARM_UP;
  // The adaptive choice: the mode of each window, the mean batch time each mode had last.
  private useHelper = false; // alone first: the helper has to show that it makes batches faster
  private windowTime = 0;
  private windowBatches = 0;
  private windows = 0;
  private last = { helper: Infinity, alone: Infinity };
  private probeEvery = 1;
  private probing = false;
  /** Whether the helper has started (it says so once its kernels are warm). */
  private ready = false;

  /** Whether another core is free now, for the helper. */
  private readonly coreFree: () => boolean;

  /**
   * A helper thread on `shard`'s kernels when `threads` > 1 (see `HELPER_WORK`
   * for when to ask for one), started after `warmUp` batches; without one,
   * batches run whole. `coreFree`: the test of a free core (tests replace it).
   */
  constructor(whole: WasmTape, shard: WasmTape, threads: number, warmUp = WARM_UP, coreFree = () => idleCores(1) >= 1) {
    this.whole = whole;
    this.shard = shard;
    this.kept = new Float64Array(whole.paramGrads.length);
    this.wanted = threads > 1;
    this.startFrom = warmUp;
    this.coreFree = coreFree;
  }

  /** Threads that may compute a batch: 2 with a helper (which the measurements may leave idle). */
  get threads(): number {
    return this.wanted ? 2 : 1;
  }

  /**
   * Starts the helper, which is measured once it says it is ready (and never
   * if it fails to start): not before the first batches, whose kernels V8 is
   * still optimising on the other core — a thread starting there slows them.
   */
  private startHelper(): void {
    this.control = new Int32Array(new SharedArrayBuffer(Slot.Count * 4));
    this.generation = 0;
    const worker = new Worker(WORKER, {
      workerData: { ...this.shard.kernels, control: this.control, lanes: this.shard.lanes },
    });
    worker.unref();
    worker.once('message', () => (this.ready = this.worker === worker));
    worker.on('error', () => this.worker === worker && (this.ready = false));
    this.worker = worker;
  }

  /**
   * Stops the helper when the machine is busy: a helper thread, even idle,
   * measured 6–18 % slower batches than one thread on a machine that turned
   * busy under it, and none once it was stopped. A new one may start when a
   * core is free again, after a wait that doubles with each stop.
   */
  private stopHelper(): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.ready = false;
    this.useHelper = false;
    Atomics.store(this.control, Slot.Exit, 1);
    Atomics.add(this.control, Slot.Start, 1);
    Atomics.notify(this.control, Slot.Start);
    this.stopping.push(worker.terminate());
    this.startFrom = this.batches + this.restartWait;
    this.restartWait *= 2;
  }

  /** Runs the batch `rows` (shard 0: the first `split` rows); returns the summed loss, the gradients in the whole tape's. */
  run(x: Matrix, y: Matrix, rows: Int32Array, split: number, scale: number): number {
    const { whole, shard } = this;
    const first = rows.subarray(0, split);
    const second = rows.subarray(split);
    this.seed[0] = scale;
    const start = performance.now();
    // The helper after the first batches, and only once a core is free for it (its start takes one for a while).
    const b = this.batches++ - this.startFrom;
    if (this.wanted && !this.worker && b >= 0 && b % WARM_UP === 0 && this.coreFree()) this.startHelper();
    const c = this.control;
    // Hand shard 1 over only to an idle helper (one that finished every shard it took).
    const handed = this.useHelper && second.length > 0 && Atomics.load(c, Slot.Done) === Atomics.load(c, Slot.Claim);
    if (!handed) {
      const loss = runWhole(whole, x, y, rows, split, this.seed);
      if (second.length > 0) this.measure(performance.now() - start);
      return loss;
    }
    shard.load(x, y, second);
    shard.seedWith(this.seed);
    this.generation++;
    Atomics.store(c, Slot.Rows, second.length);
    Atomics.store(c, Slot.Start, this.generation);
    Atomics.notify(c, Slot.Start);
    const began = performance.now();
    const loss = runWhole(whole, x, y, first, split, this.seed);

    const g = this.generation;
    let secondLoss = 0;
    if (Atomics.compareExchange(c, Slot.Claim, g - 1, g) === g - 1) {
      Atomics.store(c, Slot.Done, g); // taken back before the helper started it: the helper skips it
      secondLoss = this.secondHere(x, y, second);
    } else if (this.helperDone(g, (performance.now() - began) * PATIENCE)) {
      for (let l = 0; l < second.length; l++) secondLoss += shard.output(0, l);
      whole.addGrads(shard);
    } else {
      secondLoss = this.secondHere(x, y, second); // the helper is late: it gets no new shard until it is done
    }
    this.measure(performance.now() - start);
    return loss + secondLoss;
  }

  /**
   * Shard 1 on this thread, on the whole tape (its rows before the cut: shard
   * 1's gradients alone), then shard 0's kept gradients + these. Returns its loss.
   */
  private secondHere(x: Matrix, y: Matrix, second: Int32Array): number {
    const grads = this.whole.paramGrads;
    const kept = this.kept;
    kept.set(grads);
    const loss = runWhole(this.whole, x, y, second, second.length, this.seed);
    for (let i = 0; i < grads.length; i++) grads[i] = kept[i]! + grads[i]!;
    return loss;
  }

  /**
   * Whether the helper finishes batch g within `ms` (it has started it).
   * Spinning, not sleeping: a sleeping thread takes tens of microseconds to
   * wake, and the wait is short (a share of shard 0's time).
   */
  private helperDone(g: number, ms: number): boolean {
    const c = this.control;
    const until = performance.now() + ms;
    for (;;) {
      if (Atomics.load(c, Slot.Done) === g) return true;
      if (performance.now() > until) return false;
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
    const was = this.useHelper;
    if (was) this.last.helper = mean;
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
    // Back to the helper only while another core is free (looked at while it sleeps): on a
    // busy machine it would wait for time slices, and its batches be slower than one thread's.
    if (!was && this.useHelper && !this.coreFree()) {
      this.probing = false;
      this.windows = 0;
      this.stopHelper(); // and back to one thread
    }
  }

  async close(): Promise<void> {
    this.stopHelper();
    await Promise.all(this.stopping);
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
