import { availableParallelism } from 'node:os';
import { compile, type Program } from '../engine/compile.js';
import { engineToRun } from '../engine/engine.js';
import type { Matrix } from '../engine/matrix.js';
import { forwardRows, predictRows, runShard, ShardHelper, shardsFor } from '../engine/shards.js';
import { Tape } from '../engine/tape.js';
import { Value } from '../engine/value.js';
import { PREDICT_SHARE, PREDICT_WORK, PredictHelper } from '../engine/wasm/predict-helper.js';
import { HELPER_PARAMS, HELPER_WORK, runWhole, WasmShards } from '../engine/wasm/shards.js';
import { WasmTape } from '../engine/wasm/wasm-tape.js';
import { rowLoss, unitsPerRow, type LossName } from './loss.js';
import type { MLP } from './mlp.js';

const seed = new Float64Array(1);

/** The two engines that run a compiled program; "graph" never gets here. */
export type Kernels = 'wasm' | 'js';

export interface TrainingOptions {
  /** Most rows in one batch. */
  batchSize: number;
  /** Default "wasm"; "js" where WebAssembly SIMD is missing (`engineToRun`). */
  engine?: Kernels;
  /** The training rows, when known: the wasm engine keeps a copy and gathers each batch from it. */
  data?: { x: Matrix; y: Matrix };
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
  private readonly tapes: (Tape | WasmTape)[];
  private readonly combined: Float64Array;
  private helper: ShardHelper | undefined;
  /** The wasm engine's two shards of a batch, when it cuts them. */
  private pair: WasmShards | undefined;
  /** What each row's loss is divided by besides the rows (outputs, for MSE). */
  private readonly units: number;
  /**
   * Rows in each shard of a batch (the first shard's; the second has the
   * rest): the cut, by the network and batch size alone (`shardsFor`).
   */
  private readonly shardRows: number;
  /** Most rows in a batch: the shards' rows together. */
  private readonly capacity: number;
  /** Whether one tape computes both shards in one pass (`WasmTape.cut`). */
  private cut = false;
  /** Threads that may share a long prediction, and the second one's, once started. */
  private predictThreads = 1;
  private predictHelper: PredictHelper | undefined;
  /** Work of the predictions so far (rows × weights), for when to start the helper. */
  private predicted = 0;

  private constructor(
    mlp: MLP,
    program: Program,
    tapes: (Tape | WasmTape)[],
    units = 1,
    shardRows = tapes[0]!.lanes,
    shards = 1,
  ) {
    this.mlp = mlp;
    this.units = units;
    this.shardRows = shardRows;
    this.capacity = shards * shardRows;
    this.program = program;
    this.parameters = mlp.parameters();
    this.tapes = tapes;
    // The js engine adds its shards' gradients here; the wasm engine adds them into tape 0's.
    this.combined =
      tapes.length > 1 && tapes[0] instanceof Tape ? new Float64Array(program.parameterCount) : tapes[0]!.paramGrads;
    this.pull();
  }

  /** For `lossAndGradients`, on batches of up to `batchSize` rows. Call `close` when done. */
  static async forTraining(mlp: MLP, options: TrainingOptions): Promise<CompiledMLP> {
    const loss = options.loss ?? 'mse';
    const program = compileNetwork(mlp, loss);
    const shards = shardsFor(program, options.batchSize);
    const lanes = Math.ceil(options.batchSize / shards);
    const threads = options.threads ?? (availableParallelism() >= 2 ? 2 : 1);
    const units = unitsPerRow(loss, mlp.outputSize);
    if (engineToRun(options.engine ?? 'wasm') === 'wasm') {
      // The same cut into shards as the js engine's, so that the two give the same numbers:
      // both shards in one pass where the kernels can (the weights read once, not twice),
      // and with a helper for shards with enough work, shard 1 handed to it.
      const helper =
        threads > 1 && lanes * program.termParam.length >= HELPER_WORK && program.parameterCount <= HELPER_PARAMS;
      if (shards > 1 && helper) {
        const tapes = WasmTape.shardAndWhole(program, lanes, options.data);
        if (tapes) {
          const net = new CompiledMLP(mlp, program, [tapes.whole], units, lanes, shards);
          net.pair = new WasmShards(tapes.whole, tapes.shard, threads);
          return net;
        }
      }
      const whole = shards > 1 ? WasmTape.cut(program, 2 * lanes, lanes, options.data) : undefined;
      if (whole) {
        const net = new CompiledMLP(mlp, program, [whole], units, lanes, shards);
        net.cut = true;
        return net;
      }
      // One shard, or two that the kernels cannot run in one pass: two tapes, one after the other.
      return new CompiledMLP(mlp, program, WasmTape.group(program, lanes, shards, options.data), units, lanes, shards);
    }
    const shared = (n: number) => new Float64Array(new SharedArrayBuffer(n * Float64Array.BYTES_PER_ELEMENT));
    const params = shards > 1 ? shared(program.parameterCount) : undefined;
    const tapes = [new Tape(program, lanes, { params })];
    if (shards > 1) {
      const second = new Tape(program, lanes, { params, paramGrads: shared(program.parameterCount) });
      second.shareWeights(tapes[0]!);
      tapes.push(second);
    }
    const net = new CompiledMLP(mlp, program, tapes, units, lanes, shards);
    if (shards > 1 && threads > 1)
      net.helper = await ShardHelper.start(program, lanes, tapes[0]!.params, tapes[1]!.paramGrads);
    return net;
  }

  /**
   * For `predictInto` only. `lanes`: rows per run of the kernels (default:
   * `predictionLanes`). `threads`: how many may share a long prediction (the
   * wasm engine's; default 2 on a machine with two cores).
   */
  static forPrediction(mlp: MLP, engine: Kernels = 'wasm', lanes?: number, threads?: number): CompiledMLP {
    const program = compileNetwork(mlp, null);
    lanes ??= predictionLanes(program);
    const wasm = engineToRun(engine) === 'wasm';
    const tape = wasm ? new WasmTape(program, lanes) : new Tape(program, lanes);
    const net = new CompiledMLP(mlp, program, [tape]);
    net.predictThreads = wasm ? (threads ?? (availableParallelism() >= 2 ? 2 : 1)) : 1;
    return net;
  }

  /** Flat parameters, in `mlp.parameters()` order; an optimiser may change them in place. */
  get params(): Float64Array {
    return this.tapes[0]!.params;
  }

  /** ∂L/∂parameter after `lossAndGradients`. */
  get grads(): Float64Array {
    return this.combined;
  }

  /** The plain SGD step in the engine's kernels (wasm only): params ← params − lr·grads. */
  get descend(): ((lr: number) => void) | undefined {
    const tape = this.tapes[0]!;
    return tape instanceof WasmTape ? (lr) => tape.descend(lr) : undefined;
  }

  /** Threads sharing each batch. */
  get threads(): number {
    return this.helper ? 2 : (this.pair?.threads ?? 1);
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
    await this.pair?.close();
    this.pair = undefined;
    await this.predictHelper?.close();
    this.predictHelper = undefined;
  }

  /**
   * The batch's MSE over rows × outputs; leaves ∂L/∂parameters in `grads`.
   * With two shards, each computes its rows' sums and the gradient is shard
   * 0's plus shard 1's, whichever thread computed shard 1.
   */
  lossAndGradients(x: Matrix, y: Matrix, rows: Int32Array): number {
    const n = rows.length;
    if (n > this.capacity) throw new RangeError(`a batch of ${n} rows is larger than this network was compiled for`);
    const scale = 1 / (n * this.units);
    const split = Math.min(n, this.shardRows);
    if (this.pair) return this.pair.run(x, y, rows, split, scale) * scale;
    if (this.cut) {
      seed[0] = scale;
      return runWhole(this.tapes[0] as WasmTape, x, y, rows, split, seed) * scale;
    }
    if (this.tapes.length === 1) return runShard(this.tapes[0]!, x, y, rows, scale) * scale;

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
  loss(x: Matrix, y: Matrix): number {
    const tape = this.tapes[0]!;
    let total = 0;
    // in runs of a shard's rows, so that every engine adds the same partial sums
    for (let start = 0; start < x.rows; start += this.shardRows) {
      const n = Math.min(this.shardRows, x.rows - start);
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
  predictInto(x: Matrix, out: Float64Array): void {
    const work = x.rows * this.program.termParam.length;
    this.predicted += work;
    if (this.predictThreads > 1 && work >= PREDICT_SHARE && (this.predictHelper || this.predicted >= PREDICT_WORK)) {
      if (!this.predictHelper) {
        // two tapes over one memory, the weights in it: this thread's and the helper's
        const [here, there] = WasmTape.group(this.program, this.tapes[0]!.lanes, 2);
        this.tapes[0] = here!;
        this.pull();
        this.predictHelper = new PredictHelper(this.program, there!);
      }
      this.predictHelper.run(this.tapes[0] as WasmTape, x, out);
      return;
    }
    predictRows(this.tapes[0]!, x, 0, x.rows, out);
  }
}

/** Bytes of node values a run of the prediction kernels should touch: well inside a core's cache (L2). */
const PREDICTION_SPACE = 160 * 1024;

/**
 * Rows per run when predicting: as many as keep every node's lanes within
 * PREDICTION_SPACE (a power of two, 16 to 256). More lanes spread the calls'
 * cost; past the cache they cost more than that — 1M rows of 10,64,64,1 (267
 * nodes): 556,000 rows/s in runs of 64, 433,000 in runs of 256; 784,128,10
 * (1,050 nodes): 49,000 in runs of 16, 33,000 in runs of 256.
 */
export function predictionLanes(program: Program): number {
  let lanes = 256;
  while (lanes > 16 && program.size * lanes * 8 > PREDICTION_SPACE) lanes /= 2;
  return lanes;
}

/** The network's graph for one row: its outputs, or (training) the row's loss against target placeholders. */
function compileNetwork(mlp: MLP, loss: LossName | null): Program {
  const x = Array.from({ length: mlp.inputSize }, () => new Value(0));
  const yhat = mlp.call(x);
  if (loss === null) return compile({ inputs: x, parameters: mlp.parameters(), outputs: yhat });
  const y = Array.from({ length: mlp.outputSize }, () => new Value(0));
  return compile({ inputs: [...x, ...y], parameters: mlp.parameters(), outputs: [rowLoss(loss, yhat, y)] });
}
