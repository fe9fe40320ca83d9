import type { LastBatch } from './data/batches.js';
import { requireColumns, type Columns } from './data/columns.js';
import type { FeatureEncoding } from './data/dataset.js';
import { createMatrix, type Matrix } from './data/matrix.js';
import { standardize, unstandardize, type ColumnStats } from './data/normalize.js';
import type { Engine } from './engine/engine.js';
import { sigmoid } from './engine/math.js';
import type { Activation, HiddenActivation } from './nn/activation.js';
import { CompiledMLP } from './nn/compiled-mlp.js';
import type { LossName } from './nn/loss.js';
import { MLP, type LayerParameters } from './nn/mlp.js';
// Types only: the shapes of the training state that a model file carries.
import type { EarlyStoppingState, LoopPosition } from './train/loop.js';
import type { OptimizerSettings, OptimizerState } from './train/optimizer.js';
import type { ScheduleSettings } from './train/schedule.js';

/** What a trained network needs to be used again: the in-memory form of a model file. */
export interface TrainedModel {
  /** Every layer including the input, e.g. [3, 4, 4, 1]. */
  layers: number[];
  activation: HiddenActivation;
  outputActivation: Activation;
  features: string[];
  targets: string[];
  /** "classify": the outputs are logits over `classes` (one sigmoid output for two classes). */
  task: 'regress' | 'classify';
  /** Class names, in the order of the outputs; null for regression. */
  classes: string[] | null;
  /** Categorical features, one-hot over these categories in place of their column (in `features` order). */
  encoding: FeatureEncoding[];
  /** Standardisation fitted on the training rows, or null when training used raw values. */
  normalization: { features: ColumnStats; targets: ColumnStats } | null;
  parameters: LayerParameters[];
  /** How the weights were trained; null for weights that came from elsewhere. */
  training: TrainingRecord | null;
}

/** How the weights were obtained: enough to reproduce the run, and to go on with it. */
export interface TrainingRecord {
  loss: LossName;
  /** Epochs fully done. */
  epochs: number;
  /** Epochs the run set out to do (more than `epochs` when it was interrupted or stopped early). */
  plannedEpochs: number;
  lr: number;
  batchSize: number;
  /** How rows that did not fill a whole batch were handled ("keep" in records older than the choice). */
  lastBatch: LastBatch;
  seed: number;
  shuffle: boolean;
  /** Rows trained on (without the validation rows). */
  rows: number;
  optimizer: OptimizerSettings;
  lrSchedule: ScheduleSettings;
  validation: { split: number | null; rows: number } | null;
  earlyStopping: { patience: number; minDelta: number; stoppedEarly: boolean; bestEpoch: number | null } | null;
  /**
   * The saved weights' loss over all training rows (standardised scale when
   * normalised): after early stopping, the kept epoch's. Null in older records.
   */
  finalLoss: number | null;
  /** The same over the validation rows; null without them. */
  finalValidationLoss: number | null;
  /** Mean training loss of each epoch, taken while the weights changed (on standardised targets when normalised). */
  lossHistory: number[];
  /** Validation loss after each epoch, when there were validation rows. */
  validationHistory: number[];
  /** Where the run stopped and what its optimizer remembers, for `--resume`. */
  state: TrainingState | null;
}

export interface TrainingState {
  position: LoopPosition;
  /** The shuffling generator's state after the last epoch's shuffle. */
  randomState: number | null;
  optimizer: OptimizerState;
  earlyStopping: EarlyStoppingState | null;
}

/** The loss the model was (or would be) trained with: MSE, or cross-entropy for classes. */
export function lossOf(model: TrainedModel): LossName {
  if (!model.classes) return 'mse';
  return model.classes.length === 2 ? 'binary-cross-entropy' : 'cross-entropy';
}

export function createNetwork(model: TrainedModel): MLP {
  const mlp = new MLP(model.layers, { activation: model.activation, outputActivation: model.outputActivation });
  mlp.setParameters(model.parameters);
  return mlp;
}

/**
 * Applies a model to raw feature rows, batch after batch: standardises them
 * as in training, runs the network, and returns predictions in the targets'
 * own units. The compiled engine by default; "graph" walks `Value` objects.
 */
export class Predictor {
  readonly model: TrainedModel;
  private readonly mlp: MLP;
  private readonly compiled: CompiledMLP | undefined;

  constructor(model: TrainedModel, engine: Engine = 'compiled') {
    this.model = model;
    this.mlp = createNetwork(model);
    this.compiled = engine === 'compiled' ? CompiledMLP.forPrediction(this.mlp) : undefined;
  }

  /**
   * Predictions in the targets' units; for classification, the probability of
   * each class (softmax of the outputs, or σ for two classes), one column per class.
   */
  run(features: Matrix): Matrix {
    const out = this.outputs(features);
    return this.model.task === 'classify' ? probabilities(out) : out;
  }

  private outputs(features: Matrix): Matrix {
    const { normalization } = this.model;
    const x = normalization ? standardize(features, normalization.features) : features;
    const out = createMatrix(x.rows, this.mlp.outputSize);
    if (this.compiled) {
      this.compiled.predictInto(x, out.data);
    } else {
      const inputs = new Array<number>(x.cols);
      for (let r = 0; r < x.rows; r++) {
        for (let c = 0; c < x.cols; c++) inputs[c] = x.data[r * x.cols + c]!;
        this.mlp.call(inputs).forEach((v, j) => (out.data[r * out.cols + j] = v.data));
      }
    }
    return normalization ? unstandardize(out, normalization.targets) : out;
  }
}

/** Logits to class probabilities: softmax by rows, or [1 − σ(z), σ(z)] for one output. */
export function probabilities(logits: Matrix): Matrix {
  const k = logits.cols === 1 ? 2 : logits.cols;
  const out = createMatrix(logits.rows, k);
  for (let r = 0; r < logits.rows; r++) {
    if (logits.cols === 1) {
      const p = sigmoid(logits.data[r]!);
      out.data[r * 2] = 1 - p;
      out.data[r * 2 + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < k; j++) max = Math.max(max, logits.data[r * k + j]!);
    let total = 0;
    for (let j = 0; j < k; j++) total += out.data[r * k + j] = Math.exp(logits.data[r * k + j]! - max);
    for (let j = 0; j < k; j++) out.data[r * k + j] = out.data[r * k + j]! / total;
  }
  return out;
}

/** The most probable class of each row. */
export function argmax(p: Matrix): Int32Array {
  const out = new Int32Array(p.rows);
  for (let r = 0; r < p.rows; r++) {
    let best = 0;
    for (let j = 1; j < p.cols; j++) if (p.data[r * p.cols + j]! > p.data[r * p.cols + best]!) best = j;
    out[r] = best;
  }
  return out;
}

/** One-off prediction for rows in memory. */
export function predict(model: TrainedModel, features: Matrix, engine: Engine = 'compiled'): Matrix {
  return new Predictor(model, engine).run(features);
}

/**
 * The columns a model reads from a file: its features (matched by name, so
 * order and extra columns do not matter) and, when `withTargets`, its targets.
 */
export function modelColumns(model: TrainedModel, withTargets: boolean) {
  return (header: readonly string[], file: string): Columns => {
    requireColumns(header, file, model.features, { model: 'feature', all: model.features });
    if (withTargets) requireColumns(header, file, model.targets, { model: 'target', all: model.targets });
    return { features: model.features, targets: withTargets ? model.targets : [] };
  };
}
