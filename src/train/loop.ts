import { batches, type LastBatch } from '../data/batches.js';
import type { Matrix } from '../data/matrix.js';
import type { Engine } from '../engine/engine.js';
import { topologicalOrder, type Value } from '../engine/value.js';
import { DivergenceError } from '../errors.js';
import { CompiledMLP } from '../nn/compiled-mlp.js';
import { checkGraphFits } from '../nn/graph-size.js';
import { batchLossOf, type LossName } from '../nn/loss.js';
import type { MLP } from '../nn/mlp.js';
import type { Random } from '../random.js';
import { Optimizer, OPTIMIZER_DEFAULTS, type OptimizerSettings, type OptimizerState } from './optimizer.js';
import { learningRateAt, SCHEDULE_DEFAULTS, type ScheduleSettings } from './schedule.js';

export interface BatchEvent {
  epoch: number;
  /** The epoch the run goes up to. */
  epochs: number;
  batch: number;
  batches: number;
  rows: number;
  loss: number;
}

export interface EpochEvent {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Mean training loss over the epoch's rows. */
  loss: number;
  /** Loss on the validation rows after the epoch, when there are some. */
  validationLoss?: number;
  /** The learning rate the epoch used. */
  learningRate: number;
}

/** Where a run stopped, so that a later run can go on exactly from there. */
export interface LoopPosition {
  /** Epochs fully done. */
  epochs: number;
  /** Batches done of the next epoch (after an interruption). */
  batches: number;
  /** The shuffling generator's state at the start of that epoch. */
  randomState: number | null;
  /** Σ loss × rows of those batches. */
  partialLoss: number;
}

export interface EarlyStopping {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest fall in the watched loss that counts as improvement. Default 0. */
  minDelta: number;
}

/** The watched loss's best so far, for early stopping across a resume. */
export interface EarlyStoppingState {
  best: number;
  bestEpoch: number;
  /** Epochs since the best. */
  waited: number;
  /** The best epoch's parameters, flat, in `mlp.parameters()` order. */
  bestParameters: number[];
}

export interface LoopOptions {
  /** The epoch to train up to (counting epochs done before a resume). */
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** How rows that do not fill a whole batch are handled. Default "balance". */
  lastBatch?: LastBatch;
  /** Default "wasm". */
  engine?: Engine;
  /** Threads the compiled engines may use for one batch (default: up to 2). Results do not depend on it. */
  threads?: number;
  /** Default "mse". */
  loss?: LossName;
  /** Default: plain SGD. */
  optimizer?: OptimizerSettings;
  /** Default: constant. */
  schedule?: ScheduleSettings;
  /** Shuffles rows each epoch when given; file order otherwise. */
  random?: Random;
  /** Rows to measure the loss on after each epoch (never trained on). */
  validation?: { x: Matrix; y: Matrix };
  earlyStopping?: EarlyStopping;
  /** Go on from a saved run. */
  resume?: { position: LoopPosition; optimizer: OptimizerState | null; earlyStopping: EarlyStoppingState | null };
  onBatch?: (event: BatchEvent) => void;
  onEpoch?: (event: EpochEvent) => void;
  /** Stops after the current batch once aborted. */
  signal?: AbortSignal;
}

export interface LoopResult {
  /** Mean training loss of each epoch run here. */
  lossHistory: number[];
  validationHistory: number[];
  position: LoopPosition;
  interrupted: boolean;
  /** Early stopping ended the run; the best epoch's weights were put back. */
  stoppedEarly: boolean;
  optimizer: OptimizerState;
  earlyStopping: EarlyStoppingState | null;
  /** Epochs fully completed, counting those before a resume. */
  epochsDone: number;
  /** The loss of the final weights (the kept ones after early stopping) over all training rows. */
  finalLoss: number;
  /** The same over the validation rows, when there are some. */
  finalValidationLoss: number | null;
}

/** How long the loop may run before letting timers (progress bar) and signals in. */
const YIELD_EVERY_MS = 50;
/** A loss this many times the first batch's means the steps are blowing up. */
const DIVERGED = 1e6;

/**
 * Mini-batch gradient descent: one step per batch, batches in file order or
 * shuffled each epoch, the optimizer's rule with the schedule's learning rate,
 * and early stopping on the validation loss (the training loss without
 * validation rows). Async only so that the event loop gets a turn.
 */
export async function trainLoop(mlp: MLP, x: Matrix, y: Matrix, options: LoopOptions): Promise<LoopResult> {
  const step =
    options.engine === 'graph'
      ? graphStep(mlp, x, y, options.loss ?? 'mse', options.batchSize)
      : await compiledStep(mlp, x, y, options);
  try {
    return await runEpochs(step, x, y, options);
  } finally {
    await step.close();
  }
}

async function runEpochs(step: Step, x: Matrix, y: Matrix, options: LoopOptions): Promise<LoopResult> {
  const optimizer = new Optimizer(
    options.optimizer ?? OPTIMIZER_DEFAULTS,
    step.params.length,
    options.resume?.optimizer ?? undefined,
  );
  const schedule = options.schedule ?? SCHEDULE_DEFAULTS;
  const position: LoopPosition = options.resume
    ? { ...options.resume.position }
    : { epochs: 0, batches: 0, randomState: null, partialLoss: 0 };
  const lossHistory: number[] = [];
  const validationHistory: number[] = [];
  let early = options.resume?.earlyStopping ?? null;
  let startLoss: number | undefined;
  let lastYield = performance.now();
  const result = (interrupted: boolean, stoppedEarly: boolean): LoopResult => {
    step.finish();
    // One more pass: what the weights being kept score, not a running mean taken while they changed.
    const finalLoss = step.loss(x, y);
    const finalValidationLoss = options.validation ? step.loss(options.validation.x, options.validation.y) : null;
    return {
      finalLoss,
      finalValidationLoss,
      lossHistory,
      validationHistory,
      position,
      interrupted,
      stoppedEarly,
      optimizer: optimizer.state(),
      earlyStopping: early,
      epochsDone: position.epochs,
    };
  };

  for (let epoch = position.epochs + 1; epoch <= options.epochs; epoch++) {
    // Resuming mid-epoch: the same shuffle as the interrupted run, from the saved state.
    if (options.random) {
      if (position.randomState !== null) options.random.state = position.randomState;
      else position.randomState = options.random.state;
    }
    const steps = batches(x.rows, options.batchSize, options.random, options.lastBatch);
    let rowsInEpoch = 0;
    for (const rows of steps) rowsInEpoch += rows.length;
    const lr = learningRateAt(options.learningRate, schedule, epoch - 1, options.epochs);
    let weightedLoss = position.partialLoss;
    for (let b = position.batches; b < steps.length; b++) {
      if (options.signal?.aborted) {
        position.batches = b;
        position.partialLoss = weightedLoss;
        return result(true, false);
      }
      const rows = steps[b]!;
      const loss = await step.run(rows);
      startLoss ??= loss;
      if (!Number.isFinite(loss) || loss > DIVERGED * Math.max(startLoss, 1e-6)) {
        throw new DivergenceError(epoch, b + 1, loss, startLoss);
      }
      optimizer.update(step.params, step.grads, lr, step.descend);
      step.updated();
      weightedLoss += loss * rows.length;
      options.onBatch?.({
        epoch,
        epochs: options.epochs,
        batch: b + 1,
        batches: steps.length,
        rows: rows.length,
        loss,
      });
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    const loss = weightedLoss / rowsInEpoch;
    position.epochs = epoch;
    position.batches = 0;
    position.partialLoss = 0;
    position.randomState = null;
    lossHistory.push(loss);
    const validationLoss = options.validation ? step.loss(options.validation.x, options.validation.y) : undefined;
    if (validationLoss !== undefined) validationHistory.push(validationLoss);
    options.onEpoch?.({ epoch, epochs: options.epochs, loss, validationLoss, learningRate: lr });

    if (options.earlyStopping) {
      const watched = validationLoss ?? loss;
      if (early === null || watched < early.best - options.earlyStopping.minDelta) {
        early = { best: watched, bestEpoch: epoch, waited: 0, bestParameters: Array.from(step.params) };
      } else if (++early.waited >= options.earlyStopping.patience) {
        step.params.set(early.bestParameters);
        step.updated();
        return result(false, true);
      }
    }
  }
  return result(false, false);
}

/** One engine's way to compute a batch's gradients on flat parameters. */
interface Step {
  /** The parameters, flat; the optimizer changes them in place. */
  params: Float64Array;
  /** ∂L/∂params after `run`. */
  grads: Float64Array;
  /** The batch's loss before the step; leaves the gradients in `grads`. */
  run(rows: Int32Array): number | Promise<number>;
  /** The plain SGD step over `params` and `grads`, where the engine has one. */
  descend?: (lr: number) => void;
  /** Tells the engine that `params` changed. */
  updated(): void;
  /** The loss on other rows, without touching the gradients. */
  loss(x: Matrix, y: Matrix): number;
  /** Leaves the trained weights in the MLP's `Value`s. */
  finish(): void;
  /** Releases what the step holds (threads). */
  close(): Promise<void>;
}

function graphStep(mlp: MLP, x: Matrix, y: Matrix, kind: LossName, batchSize: number): Step {
  const parameters = mlp.parameters();
  checkGraphFits(parameters.length, Math.min(batchSize, x.rows));
  const params = Float64Array.from(parameters, (p) => p.data);
  const grads = new Float64Array(params.length);
  return {
    params,
    grads,
    async run(rows) {
      const loss = await batchLossInSlices(mlp, x, y, rows, kind);
      mlp.zeroGrad();
      await backwardInSlices(loss);
      parameters.forEach((p, i) => (grads[i] = p.grad));
      return loss.data;
    },
    updated: () => parameters.forEach((p, i) => (p.data = params[i]!)),
    loss(vx, vy) {
      // A batch's worth of rows at a time, so that the graph never holds the whole data set.
      let total = 0;
      for (let start = 0; start < vx.rows; start += batchSize) {
        const rows = Int32Array.from({ length: Math.min(batchSize, vx.rows - start) }, (_, i) => start + i);
        total += batchLoss(mlp, vx, vy, rows, kind).data * rows.length;
      }
      return total / vx.rows;
    },
    finish() {},
    close: async () => {},
  };
}

async function compiledStep(mlp: MLP, x: Matrix, y: Matrix, options: LoopOptions): Promise<Step> {
  const net = await CompiledMLP.forTraining(mlp, {
    engine: options.engine === 'js' ? 'js' : 'wasm',
    data: { x, y },
    batchSize: Math.min(options.batchSize, x.rows),
    threads: options.threads,
    loss: options.loss,
  });
  return {
    params: net.params,
    grads: net.grads,
    run: (rows) => net.lossAndGradients(x, y, rows),
    descend: net.descend,
    updated() {},
    loss: (vx, vy) => net.loss(vx, vy),
    finish: () => net.push(),
    close: () => net.close(),
  };
}

// A big object graph takes seconds per batch: building and walking it in
// slices lets signals in between (a second Ctrl-C must stop the run at once).

async function batchLossInSlices(mlp: MLP, x: Matrix, y: Matrix, rows: Int32Array, kind: LossName): Promise<Value> {
  const predictions: Value[][] = [];
  const targets: number[][] = [];
  let last = performance.now();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    predictions.push(mlp.call(Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols))));
    targets.push(Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols)));
    if (performance.now() - last > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
  return batchLossOf(kind, predictions, targets);
}

/** `loss.backward()`, the same walk in the same order, with a turn for events every few milliseconds. */
async function backwardInSlices(loss: Value): Promise<void> {
  const order = topologicalOrder(loss);
  loss.grad = 1;
  let last = performance.now();
  for (let i = order.length - 1; i >= 0; i--) {
    order[i]!.backwardStep();
    if ((i & 4095) === 0 && performance.now() - last > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      last = performance.now();
    }
  }
}

/** The batch's mean loss as a graph over the network's parameters. */
export function batchLoss(mlp: MLP, x: Matrix, y: Matrix, rows: ArrayLike<number>, kind: LossName = 'mse'): Value {
  const predictions: Value[][] = [];
  const targets: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    predictions.push(mlp.call(Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols))));
    targets.push(Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols)));
  }
  return batchLossOf(kind, predictions, targets);
}
