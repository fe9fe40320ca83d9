import { requireColumns, type Columns } from './data/columns.js';
import { createMatrix, type Matrix } from './data/matrix.js';
import { standardize, unstandardize } from './data/normalize.js';
import type { Engine } from './engine/engine.js';
import { sigmoid } from './engine/math.js';
import { CompiledMLP } from './nn/compiled-mlp.js';
import type { LossName } from './nn/loss.js';
import type { MLP } from './nn/mlp.js';
import { createNetwork, type TrainedModel } from './train/record.js';

/** The loss the model was (or would be) trained with: MSE, or cross-entropy for classes. */
export function lossOf(model: TrainedModel): LossName {
  if (!model.classes) return 'mse';
  return model.classes.length === 2 ? 'binary-cross-entropy' : 'cross-entropy';
}

/**
 * Applies a model to raw feature rows, batch after batch: standardises them
 * as in training, runs the network, and returns predictions in the targets'
 * own units. The wasm engine by default; "js" runs the tape in plain JavaScript, "graph" walks `Value` objects.
 */
export class Predictor {
  readonly model: TrainedModel;
  private readonly mlp: MLP;
  private readonly compiled: CompiledMLP | undefined;

  constructor(model: TrainedModel, engine: Engine = 'wasm') {
    this.model = model;
    this.mlp = createNetwork(model);
    this.compiled = engine === 'graph' ? undefined : CompiledMLP.forPrediction(this.mlp, engine);
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
export function predict(model: TrainedModel, features: Matrix, engine: Engine = 'wasm'): Matrix {
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
