import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { compile, type Program } from '../engine/compile.js';
import { Tape } from '../engine/tape.js';
import { Value } from '../engine/value.js';
import { rowLoss, unitsPerRow, type LossName } from './loss.js';
import type { MLP } from './mlp.js';

/** Rows and columns of float64, row-major (the data layer's `Matrix`, seen from here). */
export interface Rows {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface TrainingOptions {
  /** Most rows in one batch. */
  batchSize: number;
  /** Default "mse". */
  loss?: LossName;
  /**
   * Threads that may share a batch: 1 keeps everything on this thread. Default:
   * 2 when the machine has two cores and the batch is big enough to be worth it.
   * Results never depend on it (see `shardsFor`).
   */
  threads?: number;
}

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
 * An MLP's scalar graph — built once by `MLP.call` over placeholder inputs,
 * with each row's squared error when training — compiled to a `Tape` with one
 * lane per row of a batch. Its parameters are a copy of the MLP's: `pull`
 * copies them in, `push` copies them back.
 */
export class CompiledMLP {
  readonly mlp: MLP;
  readonly program: Program;
  private readonly parameters: Value[];
  /** One tape per shard of a batch; tape 0 holds the parameters all of them read. */
  private readonly tapes: Tape[];
  private readonly combined: Float64Array;
  private helper: ShardHelper | undefined;
  /** What each row's loss is divided by besides the rows (outputs, for MSE). */
  private readonly units: number;

  private constructor(mlp: MLP, program: Program, tapes: Tape[], units = 1) {
    this.mlp = mlp;
    this.units = units;
    this.program = program;
    this.parameters = mlp.parameters();
    this.tapes = tapes;
    this.combined = tapes.length > 1 ? new Float64Array(program.parameterCount) : tapes[0]!.paramGrads;
    this.pull();
  }

  /** For `lossAndGradients`, on batches of up to `batchSize` rows. Call `close` when done. */
  static async forTraining(mlp: MLP, options: TrainingOptions): Promise<CompiledMLP> {
    const loss = options.loss ?? 'mse';
    const program = compileNetwork(mlp, loss);
    const shards = shardsFor(program, options.batchSize);
    const lanes = Math.ceil(options.batchSize / shards);
    const threads = options.threads ?? (availableParallelism() >= 2 ? 2 : 1);
    const shared = (n: number) => new Float64Array(new SharedArrayBuffer(n * Float64Array.BYTES_PER_ELEMENT));
    const params = shards > 1 ? shared(program.parameterCount) : undefined;
    const tapes = [new Tape(program, lanes, { params })];
    if (shards > 1) {
      tapes.push(new Tape(program, lanes, { params, paramGrads: shared(program.parameterCount) }));
      tapes[1]!.shareWeights(tapes[0]!);
    }
    const net = new CompiledMLP(mlp, program, tapes, unitsPerRow(loss, mlp.outputSize));
    if (shards > 1 && threads > 1)
      net.helper = await ShardHelper.start(program, lanes, tapes[0]!.params, tapes[1]!.paramGrads);
    return net;
  }

  /** For `predictInto` only. */
  static forPrediction(mlp: MLP, lanes = 256): CompiledMLP {
    const program = compileNetwork(mlp, null);
    return new CompiledMLP(mlp, program, [new Tape(program, lanes)]);
  }

  /** Flat parameters, in `mlp.parameters()` order; an optimiser may change them in place. */
  get params(): Float64Array {
    return this.tapes[0]!.params;
  }

  /** ∂L/∂parameter after `lossAndGradients`. */
  get grads(): Float64Array {
    return this.combined;
  }

  /** Threads sharing each batch. */
  get threads(): number {
    return this.helper ? 2 : 1;
  }

  /** Copies the MLP's parameter values into the tape. */
  pull(): void {
    this.parameters.forEach((p, i) => (this.params[i] = p.data));
  }

  /** Copies the tape's parameter values back into the MLP. */
  push(): void {
    this.parameters.forEach((p, i) => (p.data = this.params[i]!));
  }

  /** Stops the helper thread, if any. */
  async close(): Promise<void> {
    await this.helper?.stop();
    this.helper = undefined;
  }

  /**
   * The batch's MSE over rows × outputs; leaves ∂L/∂parameters in `grads`.
   * With two shards, each computes its rows' sums and the gradient is shard
   * 0's plus shard 1's, whichever thread computed shard 1.
   */
  lossAndGradients(x: Rows, y: Rows, rows: Int32Array): number {
    const n = rows.length;
    const lanes = this.tapes[0]!.lanes;
    if (n > lanes * this.tapes.length)
      throw new RangeError(`a batch of ${n} rows is larger than this network was compiled for`);
    const scale = 1 / (n * this.units);
    if (this.tapes.length === 1) return runShard(this.tapes[0]!, x, y, rows, scale) * scale;

    const split = Math.min(n, lanes);
    const first = rows.subarray(0, split);
    const second = rows.subarray(split);
    let secondLoss: number;
    if (this.helper) {
      this.helper.begin(x, y, second, scale);
      const firstLoss = runShard(this.tapes[0]!, x, y, first, scale);
      secondLoss = this.helper.finish();
      return this.combine(firstLoss, secondLoss, scale);
    }
    const firstLoss = runShard(this.tapes[0]!, x, y, first, scale);
    secondLoss = runShard(this.tapes[1]!, x, y, second, scale, false); // weights gathered by the first
    return this.combine(firstLoss, secondLoss, scale);
  }

  private combine(firstLoss: number, secondLoss: number, scale: number): number {
    const a = this.tapes[0]!.paramGrads;
    const b = this.tapes[1]!.paramGrads;
    const out = this.combined;
    for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
    return (firstLoss + secondLoss) * scale;
  }

  /** The mean loss over every row of x and y (rows × outputs), forward only: the gradients stay as they are. */
  loss(x: Rows, y: Rows): number {
    const tape = this.tapes[0]!;
    let total = 0;
    for (let start = 0; start < x.rows; start += tape.lanes) {
      const n = Math.min(tape.lanes, x.rows - start);
      total += forwardRows(
        tape,
        x,
        y,
        Int32Array.from({ length: n }, (_, l) => start + l),
        true,
      );
    }
    return total / (x.rows * this.units);
  }

  /** Outputs for every row of `x`, into `out` (rows × outputs). */
  predictInto(x: Rows, out: Float64Array): void {
    const tape = this.tapes[0]!;
    const nin = x.cols;
    const nout = this.mlp.outputSize;
    for (let start = 0; start < x.rows; start += tape.lanes) {
      const n = Math.min(tape.lanes, x.rows - start);
      for (let l = 0; l < n; l++) {
        for (let c = 0; c < nin; c++) tape.setInput(c, l, x.data[(start + l) * nin + c]!);
      }
      tape.forward(n);
      for (let l = 0; l < n; l++) {
        for (let j = 0; j < nout; j++) out[(start + l) * nout + j] = tape.output(j, l);
      }
    }
  }
}

/** The network's graph for one row: its outputs, or (training) the row's loss against target placeholders. */
function compileNetwork(mlp: MLP, loss: LossName | null): Program {
  const x = Array.from({ length: mlp.inputSize }, () => new Value(0));
  const yhat = mlp.call(x);
  if (loss === null) return compile({ inputs: x, parameters: mlp.parameters(), outputs: yhat });
  const y = Array.from({ length: mlp.outputSize }, () => new Value(0));
  return compile({ inputs: [...x, ...y], parameters: mlp.parameters(), outputs: [rowLoss(loss, yhat, y)] });
}

/**
 * Loads `rows` of x and y into the tape's lanes, runs forward, and backward
 * with ∂L/∂(row loss) = `scale` in every lane. Returns the rows' summed loss.
 */
export function runShard(tape: Tape, x: Rows, y: Rows, rows: Int32Array, scale: number, gather = true): number {
  const total = forwardRows(tape, x, y, rows, gather);
  seed[0] = scale;
  tape.backward(seed);
  return total;
}

/** Loads `rows` of x and y into the tape's lanes and runs forward; returns the rows' summed loss. */
function forwardRows(tape: Tape, x: Rows, y: Rows, rows: Int32Array, gather: boolean): number {
  const n = rows.length;
  const nin = x.cols;
  const nout = y.cols;
  for (let l = 0; l < n; l++) {
    const r = rows[l]!;
    for (let c = 0; c < nin; c++) tape.setInput(c, l, x.data[r * nin + c]!);
    for (let c = 0; c < nout; c++) tape.setInput(nin + c, l, y.data[r * nout + c]!);
  }
  tape.forward(n, gather);
  let total = 0;
  for (let l = 0; l < n; l++) total += tape.output(0, l);
  return total;
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
interface SharedRows extends Rows {
  source: Float64Array;
}

/**
 * A worker thread that computes shard 1 of each batch on its own tape, which
 * reads the shared parameters and writes its gradients into shared memory.
 * Hand-over is by Atomics on a small shared control array: no messages per batch.
 */
class ShardHelper {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control: Int32Array;
  private readonly rows: Int32Array;
  private readonly numbers: Float64Array; // [scale, loss]
  private x: SharedRows | undefined;
  private y: SharedRows | undefined;
  private generation = 0;

  private constructor(worker: Worker, port: MessagePort, control: Int32Array, rows: Int32Array, numbers: Float64Array) {
    this.worker = worker;
    this.port = port;
    this.control = control;
    this.rows = rows;
    this.numbers = numbers;
  }

  static async start(
    program: Program,
    lanes: number,
    params: Float64Array,
    grads: Float64Array,
  ): Promise<ShardHelper | undefined> {
    const control = new Int32Array(new SharedArrayBuffer(Slot.Count * 4));
    const rows = new Int32Array(new SharedArrayBuffer(lanes * 4));
    const numbers = new Float64Array(new SharedArrayBuffer(2 * 8));
    const { port1, port2 } = new MessageChannel();
    let worker: Worker;
    try {
      worker = new Worker(new URL('./shard-worker.js', import.meta.url), {
        workerData: { program, lanes, params, grads, control, rows, numbers, port: port2 },
        transferList: [port2],
      });
    } catch {
      return undefined; // no worker file (e.g. running from source): one thread it is
    }
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', () => resolve(true));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return undefined;
    }
    worker.unref();
    port1.unref();
    return new ShardHelper(worker, port1, control, rows, numbers);
  }

  /** Hands `rows` to the helper; it starts at once. */
  begin(x: Rows, y: Rows, rows: Int32Array, scale: number): void {
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

function plain({ rows, cols, data }: Rows): Rows {
  return { rows, cols, data };
}

function toShared(m: Rows): SharedRows {
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
