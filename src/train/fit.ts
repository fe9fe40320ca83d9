import type { Dataset } from '../data/dataset.js';
import { columnStats, constantColumns, standardize } from '../data/normalize.js';
import type { Engine } from '../engine/engine.js';
import { UsageError } from '../errors.js';
import { createNetwork, type TrainedModel, type TrainingRecord } from '../model.js';
import type { Activation, HiddenActivation } from '../nn/activation.js';
import { formatLayerSpec } from '../nn/layer-spec.js';
import { MLP } from '../nn/mlp.js';
import { Random } from '../random.js';
import { DEFAULTS } from './defaults.js';
import { trainLoop, type BatchEvent, type EpochEvent } from './loop.js';

export interface FitOptions {
  /** Every layer including the input, e.g. [3, 4, 4, 1]. Default: taken from `init`, else required. */
  layers?: number[];
  /** Hidden activation. Default "tanh" (or `init`'s). */
  activation?: HiddenActivation;
  /** Output activation. Default "linear" (or `init`'s). */
  outputActivation?: Activation;
  /** Standardise features and targets with the training rows' statistics. Default true. */
  normalize?: boolean;
  /** Shuffle rows each epoch. Default true. */
  shuffle?: boolean;
  /** Default 100. */
  epochs?: number;
  /** Step size α in W ← W − α∇L. Default 0.05. */
  learningRate?: number;
  /** Rows per gradient step. Default 32. */
  batchSize?: number;
  /** Default "compiled"; "graph" trains on `Value` objects (same numbers, slower). */
  engine?: Engine;
  /** Seeds weight initialisation and shuffling. Default 42. */
  seed?: number;
  /** Start from these weights instead of random ones (same architecture). */
  init?: TrainedModel;
  onBatch?: (event: BatchEvent) => void;
  onEpoch?: (event: EpochEvent) => void;
  signal?: AbortSignal;
  /** Told about things worth knowing that do not stop training (e.g. a constant column). */
  onWarning?: (message: string) => void;
}

export interface FitResult {
  model: TrainedModel;
  /** The same as `model.training`, never null here. */
  training: TrainingRecord;
  /** Epochs actually completed (fewer than asked when interrupted). */
  epochsDone: number;
  interrupted: boolean;
}

/**
 * Data in, trained model out: the layer spec checked against the columns,
 * standardisation, initial weights, the training loop. (`loadDataset` chooses
 * the columns; with `init`, pass its features and targets as the choice.)
 */
export async function fit(data: Dataset, options: FitOptions): Promise<FitResult> {
  const init = options.init;
  const epochs = options.epochs ?? DEFAULTS.epochs;
  const learningRate = options.learningRate ?? DEFAULTS.learningRate;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const seed = options.seed ?? DEFAULTS.seed;
  checkPositiveInteger('epochs', epochs);
  checkPositiveInteger('batchSize', batchSize);
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new UsageError('E_OPTION', `learningRate must be a positive number, got ${learningRate}`);
  }
  if (!Number.isSafeInteger(seed)) throw new UsageError('E_OPTION', `seed must be a whole number, got ${seed}`);

  const columns = { features: data.features, targets: data.targets };
  const activation = options.activation ?? init?.activation ?? 'tanh';
  const outputActivation = options.outputActivation ?? init?.outputActivation ?? 'linear';
  const layers = options.layers ?? init?.layers;
  const fitting = [columns.features.length, ...(layers?.slice(1, -1) ?? [16, 16]), columns.targets.length];
  if (!layers) {
    throw new UsageError(
      'E_LAYER_SPEC',
      `no layer spec given; for ${data.file} try --layers ${formatLayerSpec(fitting)}`,
    );
  }
  if (layers[0] !== columns.features.length || layers[layers.length - 1] !== columns.targets.length) {
    throw new UsageError(
      'E_LAYER_SPEC',
      `--layers ${formatLayerSpec(layers)} expects ${layers[0]} input${plural(layers[0]!)} and ${layers[layers.length - 1]} output${plural(layers[layers.length - 1]!)}, ` +
        `but ${data.file} gives ${columns.features.length} feature${plural(columns.features.length)} (${columns.features.join(', ')}) ` +
        `and ${columns.targets.length} target${plural(columns.targets.length)} (${columns.targets.join(', ')}); try --layers ${formatLayerSpec(fitting)}`,
    );
  }
  if (init) checkSameArchitecture(init, layers, activation, outputActivation);

  const rawX = data.x;
  const rawY = data.y;
  const normalize = options.normalize ?? true;
  let normalization: TrainedModel['normalization'] = null;
  let x = rawX;
  let y = rawY;
  if (normalize) {
    normalization = { features: columnStats(rawX), targets: columnStats(rawY) };
    for (const c of constantColumns(rawX)) {
      options.onWarning?.(
        `feature column ${JSON.stringify(columns.features[c])} is constant; it cannot inform the model`,
      );
    }
    x = standardize(rawX, normalization.features);
    y = standardize(rawY, normalization.targets);
  }

  const mlp = init
    ? createNetwork(init)
    : new MLP(layers, { activation, outputActivation, random: Random.stream(seed, 'init') });
  const shuffle = options.shuffle ?? true;
  const result = await trainLoop(mlp, x, y, {
    epochs,
    learningRate,
    batchSize,
    engine: options.engine,
    random: shuffle ? Random.stream(seed, 'shuffle') : undefined,
    onBatch: options.onBatch,
    onEpoch: options.onEpoch,
    signal: options.signal,
  });

  const training: TrainingRecord = {
    loss: 'mse',
    epochs: result.epochsDone,
    lr: learningRate,
    batchSize,
    seed,
    shuffle,
    rows: data.x.rows,
    lossHistory: result.lossHistory,
  };
  const model: TrainedModel = {
    layers: [...layers],
    activation,
    outputActivation,
    features: columns.features,
    targets: columns.targets,
    normalization,
    parameters: mlp.getParameters(),
    training,
  };
  return { model, training, epochsDone: result.epochsDone, interrupted: result.interrupted };
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError('E_OPTION', `${name} must be a positive whole number, got ${value}`);
  }
}

function checkSameArchitecture(
  init: TrainedModel,
  layers: number[],
  activation: string,
  outputActivation: string,
): void {
  const differences: string[] = [];
  if (formatLayerSpec(init.layers) !== formatLayerSpec(layers)) {
    differences.push(`layers ${formatLayerSpec(init.layers)} vs ${formatLayerSpec(layers)}`);
  }
  if (init.activation !== activation) differences.push(`activation ${init.activation} vs ${activation}`);
  if (init.outputActivation !== outputActivation) {
    differences.push(`output activation ${init.outputActivation} vs ${outputActivation}`);
  }
  if (differences.length > 0) {
    throw new UsageError(
      'E_INIT_MISMATCH',
      `--init model differs from the requested network: ${differences.join('; ')}`,
    );
  }
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
