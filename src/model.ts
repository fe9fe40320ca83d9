import { numericColumns } from './data/columns.js';
import type { Table } from './data/csv.js';
import { createMatrix, type Matrix } from './data/matrix.js';
import { standardize, unstandardize, type ColumnStats } from './data/normalize.js';
import { DataError } from './errors.js';
import type { Engine } from './engine/engine.js';
import type { Activation, HiddenActivation } from './nn/activation.js';
import { CompiledMLP } from './nn/compiled-mlp.js';
import { MLP, type LayerParameters } from './nn/mlp.js';

/** What a trained network needs to be used again: the in-memory form of a model file. */
export interface TrainedModel {
  /** Every layer including the input, e.g. [3, 4, 4, 1]. */
  layers: number[];
  activation: HiddenActivation;
  outputActivation: Activation;
  features: string[];
  targets: string[];
  /** Standardisation fitted on the training rows, or null when training used raw values. */
  normalization: { features: ColumnStats; targets: ColumnStats } | null;
  parameters: LayerParameters[];
  /** How the weights were trained; null for weights that came from elsewhere. */
  training: TrainingRecord | null;
}

/** How the weights were obtained: enough to reproduce the run. */
export interface TrainingRecord {
  loss: 'mse';
  epochs: number;
  lr: number;
  batchSize: number;
  seed: number;
  shuffle: boolean;
  rows: number;
  /** Mean training loss of each epoch (on standardised targets when normalised). */
  lossHistory: number[];
}

export function createNetwork(model: TrainedModel): MLP {
  const mlp = new MLP(model.layers, { activation: model.activation, outputActivation: model.outputActivation });
  mlp.setParameters(model.parameters);
  return mlp;
}

/**
 * Runs the network on raw feature rows; returns predictions in the targets'
 * own units. The compiled engine by default; "graph" walks `Value` objects.
 */
export function predict(model: TrainedModel, features: Matrix, engine: Engine = 'compiled'): Matrix {
  const mlp = createNetwork(model);
  const x = model.normalization ? standardize(features, model.normalization.features) : features;
  const out = createMatrix(x.rows, mlp.outputSize);
  if (engine === 'compiled') {
    CompiledMLP.forPrediction(mlp).predictInto(x, out.data);
  } else {
    const rowInputs = new Array<number>(x.cols);
    for (let r = 0; r < x.rows; r++) {
      for (let c = 0; c < x.cols; c++) rowInputs[c] = x.data[r * x.cols + c]!;
      mlp.call(rowInputs).forEach((v, j) => (out.data[r * out.cols + j] = v.data));
    }
  }
  return model.normalization ? unstandardize(out, model.normalization.targets) : out;
}

/** The model's feature columns from a table, matched by name (order and extra columns do not matter). */
export function featuresOf(model: TrainedModel, table: Table): Matrix {
  requireColumns(model, table, model.features, 'feature');
  return numericColumns(table, model.features);
}

/** The model's target columns from a table, for evaluation. */
export function targetsOf(model: TrainedModel, table: Table): Matrix {
  requireColumns(model, table, model.targets, 'target');
  return numericColumns(table, model.targets);
}

function requireColumns(model: TrainedModel, table: Table, names: readonly string[], kind: string): void {
  const missing = names.filter((name) => !table.header.includes(name));
  if (missing.length > 0) {
    throw new DataError(
      'E_NO_COLUMN',
      `has no ${kind} column${missing.length === 1 ? '' : 's'} ${missing.map((m) => JSON.stringify(m)).join(', ')}, which the model needs (model ${kind}s: ${names.join(', ')})`,
      { file: table.file },
    );
  }
}
