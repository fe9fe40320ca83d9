import { batches } from '../data/batches.js';
import type { Matrix } from '../data/matrix.js';
import type { Engine } from '../engine/engine.js';
import type { Value } from '../engine/value.js';
import { DivergenceError } from '../errors.js';
import { mseLoss } from '../nn/loss.js';
import { CompiledMLP } from '../nn/compiled-mlp.js';
import type { MLP } from '../nn/mlp.js';
import type { Random } from '../random.js';
import { sgdStep, sgdStepFlat } from './sgd.js';

export interface BatchEvent {
  epoch: number;
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
}

export interface LoopOptions {
  epochs: number;
  learningRate: number;
  batchSize: number;
  /** Default "compiled". */
  engine?: Engine;
  /** Threads the compiled engine may use for one batch (default: up to 2). Results do not depend on it. */
  threads?: number;
  /** Shuffles rows each epoch when given; file order otherwise. */
  random?: Random;
  onBatch?: (event: BatchEvent) => void;
  onEpoch?: (event: EpochEvent) => void;
  /** Stops after the current batch once aborted. */
  signal?: AbortSignal;
}

export interface LoopResult {
  lossHistory: number[];
  /** Epochs fully completed. */
  epochsDone: number;
  interrupted: boolean;
}

/** How long the loop may run before letting timers (progress bar) and signals in. */
const YIELD_EVERY_MS = 50;

/**
 * Mini-batch gradient descent on MSE: one step per batch, batches in file
 * order or shuffled each epoch. Async only so that the event loop gets a turn.
 */
export async function trainLoop(mlp: MLP, x: Matrix, y: Matrix, options: LoopOptions): Promise<LoopResult> {
  const step =
    options.engine === 'graph' ? graphStep(mlp, x, y, options.learningRate) : await compiledStep(mlp, x, y, options);
  try {
    return await runEpochs(step, x, options);
  } finally {
    await step.close();
  }
}

/** A loss this many times the first batch's means the steps are blowing up. */
const DIVERGED = 1e6;

async function runEpochs(step: Step, x: Matrix, options: LoopOptions): Promise<LoopResult> {
  const lossHistory: number[] = [];
  let startLoss: number | undefined;
  let lastYield = performance.now();
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const steps = batches(x.rows, options.batchSize, options.random);
    let weightedLoss = 0;
    for (let b = 0; b < steps.length; b++) {
      if (options.signal?.aborted) {
        step.finish();
        return { lossHistory, epochsDone: epoch - 1, interrupted: true };
      }
      const rows = steps[b]!;
      const loss = step.run(rows);
      startLoss ??= loss;
      if (!Number.isFinite(loss) || loss > DIVERGED * Math.max(startLoss, 1e-6)) {
        throw new DivergenceError(epoch, b + 1, loss, startLoss);
      }
      weightedLoss += loss * rows.length;
      options.onBatch?.({ epoch, batch: b + 1, batches: steps.length, rows: rows.length, loss });
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    const loss = weightedLoss / x.rows;
    lossHistory.push(loss);
    options.onEpoch?.({ epoch, epochs: options.epochs, loss });
  }
  step.finish();
  return { lossHistory, epochsDone: options.epochs, interrupted: false };
}

/** One gradient step on a batch, returning the batch's loss before the step. */
interface Step {
  run(rows: Int32Array): number;
  /** Leaves the trained weights in the MLP's `Value`s. */
  finish(): void;
  /** Releases what the step holds (threads). */
  close(): Promise<void>;
}

function graphStep(mlp: MLP, x: Matrix, y: Matrix, learningRate: number): Step {
  const parameters = mlp.parameters();
  return {
    run(rows) {
      const loss = batchLoss(mlp, x, y, rows);
      if (!Number.isFinite(loss.data)) return loss.data;
      mlp.zeroGrad();
      loss.backward();
      sgdStep(parameters, learningRate);
      return loss.data;
    },
    finish() {},
    close: async () => {},
  };
}

async function compiledStep(mlp: MLP, x: Matrix, y: Matrix, options: LoopOptions): Promise<Step> {
  const net = await CompiledMLP.forTraining(mlp, {
    batchSize: Math.min(options.batchSize, x.rows),
    threads: options.threads,
  });
  return {
    run(rows) {
      const loss = net.lossAndGradients(x, y, rows);
      if (Number.isFinite(loss)) sgdStepFlat(net.params, net.grads, options.learningRate);
      return loss;
    },
    finish: () => net.push(),
    close: () => net.close(),
  };
}

/** The batch's MSE as a graph over the network's parameters. */
export function batchLoss(mlp: MLP, x: Matrix, y: Matrix, rows: ArrayLike<number>): Value {
  const predictions: Value[][] = [];
  const targets: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    predictions.push(mlp.call(Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols))));
    targets.push(Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols)));
  }
  return mseLoss(predictions, targets);
}
