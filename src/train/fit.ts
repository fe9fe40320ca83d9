import type { LastBatch } from '../data/batches.js';
import type { Dataset } from '../data/dataset.js';
import { takeRows, type Matrix } from '../data/matrix.js';
import { columnStats, constantColumns, standardize } from '../data/normalize.js';
import type { Engine } from '../engine/engine.js';
import { option, UsageError } from '../errors.js';
import { count, listOf, quote } from '../text.js';
import { createNetwork, type TrainedModel, type TrainingRecord } from '../model.js';
import type { Activation, HiddenActivation } from '../nn/activation.js';
import { formatLayerSpec } from '../nn/layer-spec.js';
import { MLP } from '../nn/mlp.js';
import { Random } from '../random.js';
import type { LossName } from '../nn/loss.js';
import { DEFAULTS } from './defaults.js';
import { trainLoop, type BatchEvent, type EpochEvent } from './loop.js';
import { OPTIMIZER_DEFAULTS, type OptimizerSettings } from './optimizer.js';
import { SCHEDULE_DEFAULTS, type ScheduleSettings } from './schedule.js';

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
  /** Rows that do not fill a whole batch: "balance" (default), "keep" or "drop". */
  lastBatch?: LastBatch;
  /** Default "compiled"; "graph" trains on `Value` objects (same numbers, slower). */
  engine?: Engine;
  /** Seeds weight initialisation and shuffling. Default 42. */
  seed?: number;
  /** Start from these weights instead of random ones (same architecture). */
  init?: TrainedModel;
  /**
   * Go on with this model's run: its weights, optimizer state, normalisation,
   * seed and settings (those given here override), with `epochs` more epochs
   * (default: the epochs its run had left). Its history keeps growing.
   */
  resume?: TrainedModel;
  /** Default: plain SGD. */
  optimizer?: Partial<OptimizerSettings>;
  /** Default: a constant learning rate. */
  schedule?: Partial<ScheduleSettings>;
  /** Hold out this fraction of the rows (drawn with the seed, before normalisation) to measure. */
  validationSplit?: number;
  /** Or measure on these rows (same columns). */
  validation?: Dataset;
  /** Stop after this many epochs without improvement, and keep the best epoch's weights. */
  patience?: number;
  /** Smallest improvement that counts for `patience`. Default 0. */
  minDelta?: number;
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
  /** Epochs completed in all (fewer than planned when interrupted or stopped early). */
  epochsDone: number;
  interrupted: boolean;
  stoppedEarly: boolean;
}

/**
 * Data in, trained model out: the layer spec checked against the columns,
 * standardisation, initial weights, the training loop. (`loadDataset` chooses
 * the columns; with `init`, pass its features and targets as the choice.)
 */
export async function fit(data: Dataset, options: FitOptions): Promise<FitResult> {
  const resume = options.resume;
  const saved = resume?.training ?? null;
  if (resume && !saved)
    throw new UsageError('E_RESUME', `${option('resume')}: the model has no training record to go on from`);
  const init = resume ?? options.init;
  const learningRate = options.learningRate ?? saved?.lr ?? DEFAULTS.learningRate;
  const batchSize = options.batchSize ?? saved?.batchSize ?? DEFAULTS.batchSize;
  // Records written before the choice existed trained with the runt batch kept.
  const lastBatch = options.lastBatch ?? saved?.lastBatch ?? (saved ? 'keep' : 'balance');
  const seed = options.seed ?? saved?.seed ?? DEFAULTS.seed;
  // Epochs fully done before; with --resume, --epochs counts the epochs to add (an interrupted one among them).
  const done = saved?.state?.position.epochs ?? saved?.epochs ?? 0;
  const more = options.epochs ?? (saved ? saved.plannedEpochs - done : DEFAULTS.epochs);
  if (resume && more <= 0) {
    throw new UsageError(
      'E_RESUME',
      `${option('resume')}: the model already has the ${count(done, 'epoch')} it planned; give ${option('epochs')} to train more`,
    );
  }
  checkPositiveInteger('epochs', more);
  const plannedEpochs = done + more;
  checkPositiveInteger('batchSize', batchSize);
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new UsageError('E_OPTION', `learningRate must be a positive number, got ${learningRate}`);
  }
  if (!Number.isSafeInteger(seed)) throw new UsageError('E_OPTION', `seed must be a whole number, got ${seed}`);
  const optimizer: OptimizerSettings = { ...OPTIMIZER_DEFAULTS, ...saved?.optimizer, ...options.optimizer };
  const schedule: ScheduleSettings = { ...SCHEDULE_DEFAULTS, ...saved?.lrSchedule, ...options.schedule };
  const split = options.validationSplit ?? (options.validation ? null : (saved?.validation?.split ?? null));
  if (split !== null && !(split > 0 && split < 1)) {
    throw new UsageError('E_OPTION', `validationSplit must be between 0 and 1, got ${split}`);
  }
  const patience = options.patience ?? saved?.earlyStopping?.patience;
  const minDelta = options.minDelta ?? saved?.earlyStopping?.minDelta ?? 0;
  if (patience !== undefined) checkPositiveInteger('patience', patience);

  const columns = { features: data.features, targets: data.targets };
  // Classification: one output per class, or a single (sigmoid) output for two.
  const classes = data.classes;
  const outputs = data.y.cols;
  const loss: LossName = classes === null ? 'mse' : classes.length === 2 ? 'binary-cross-entropy' : 'cross-entropy';
  if (resume && resume.task !== (classes ? 'classify' : 'regress')) {
    throw new UsageError(
      'E_RESUME',
      `${option('resume')}: the model was trained to ${resume.task === 'classify' ? 'classify' : 'regress'}; this data asks to ${classes ? 'classify' : 'regress'}`,
    );
  }
  const activation = options.activation ?? init?.activation ?? 'tanh';
  const outputActivation = options.outputActivation ?? init?.outputActivation ?? 'linear';
  // "auto" (0) at either end of the spec takes the data's widths.
  const layers = (options.layers ?? init?.layers)?.map((n, i, all) =>
    n !== 0 ? n : i === 0 ? data.x.cols : i === all.length - 1 ? data.y.cols : n,
  );
  // Inputs: one per numeric feature, one per category of a categorical one.
  const inputs = data.x.cols;
  const fitting = [inputs, ...(layers?.slice(1, -1) ?? [16, 16]), outputs];
  if (!layers) {
    throw new UsageError(
      'E_LAYER_SPEC',
      `no layer spec given; for ${data.file} try ${option('layers')} ${formatLayerSpec(fitting)}`,
    );
  }
  if (layers[0] !== inputs || layers[layers.length - 1] !== outputs) {
    const gives = classes
      ? `${count(classes.length, 'class', 'classes')} in ${columns.targets[0]} (${listOf(classes)}), which take ${count(outputs, 'output')}`
      : `${count(columns.targets.length, 'target')} (${listOf(columns.targets)})`;
    throw new UsageError(
      'E_LAYER_SPEC',
      `${option('layers')} ${formatLayerSpec(layers)} expects ${count(layers[0]!, 'input')} and ${count(layers[layers.length - 1]!, 'output')}, ` +
        `but ${data.file} gives ${describeInputs(data)} ` +
        `and ${gives}; try ${option('layers')} ${formatLayerSpec(fitting)}`,
    );
  }
  if (classes && outputActivation !== 'linear') {
    throw new UsageError(
      'E_OPTION',
      `classification trains linear outputs (logits): the ${classes.length === 2 ? 'sigmoid' : 'softmax'} is part of the cross-entropy; drop ${option('outputActivation')} ${outputActivation}`,
    );
  }
  if (init) checkSameArchitecture(init, layers, activation, outputActivation, option(resume ? 'resume' : 'init'));

  // The validation rows are set aside first, so that nothing about them leaks into the statistics.
  let train = { x: data.x, y: data.y };
  let held: { x: Matrix; y: Matrix } | undefined;
  if (split !== null) {
    const parts = splitRows(data.x, data.y, split, seed);
    train = parts.train;
    held = parts.held;
  } else if (options.validation) {
    held = { x: options.validation.x, y: options.validation.y };
  }

  const normalize = resume ? resume.normalization !== null : (options.normalize ?? true);
  let normalization: TrainedModel['normalization'] = null;
  let x = train.x;
  let y = train.y;
  if (normalize) {
    // A resumed run keeps the statistics it started with, so its inputs mean the same.
    // Class targets are not standardised: they stay one-hot (or 0/1).
    normalization = resume?.normalization ?? {
      features: columnStats(train.x),
      targets: classes ? { mean: new Array(outputs).fill(0), std: new Array(outputs).fill(1) } : columnStats(train.y),
    };
    if (!resume) {
      for (const c of constantColumns(train.x)) {
        options.onWarning?.(`feature column ${quote(data.inputs[c] ?? '')} is constant; it cannot inform the model`);
      }
    }
    const scaleY = (m: Matrix) => (classes ? m : standardize(m, normalization!.targets));
    x = standardize(train.x, normalization.features);
    y = scaleY(train.y);
    if (held) held = { x: standardize(held.x, normalization.features), y: scaleY(held.y) };
  }

  const mlp = init
    ? createNetwork(init)
    : new MLP(layers, { activation, outputActivation, random: Random.stream(seed, 'init') });
  const shuffle = options.shuffle ?? saved?.shuffle ?? true;
  const random = shuffle ? Random.stream(seed, 'shuffle') : undefined;
  if (random && saved?.state?.randomState !== undefined && saved.state.randomState !== null) {
    random.state = saved.state.randomState;
  }
  const result = await trainLoop(mlp, x, y, {
    epochs: plannedEpochs,
    learningRate,
    batchSize,
    lastBatch,
    engine: options.engine,
    loss,
    optimizer,
    schedule,
    random,
    validation: held,
    earlyStopping: patience === undefined ? undefined : { patience, minDelta },
    // A record without state (older or hand-written) goes on after its epochs, with a fresh optimizer.
    resume: saved
      ? {
          position: saved.state?.position ?? { epochs: done, batches: 0, randomState: null, partialLoss: 0 },
          optimizer: saved.state?.optimizer ?? null,
          // A run that stopped early starts counting patience afresh, or it would stop again at once.
          earlyStopping:
            saved.state?.earlyStopping && saved.earlyStopping?.stoppedEarly
              ? { ...saved.state.earlyStopping, waited: 0 }
              : (saved.state?.earlyStopping ?? null),
        }
      : undefined,
    onBatch: options.onBatch,
    onEpoch: options.onEpoch,
    signal: options.signal,
  });

  const training: TrainingRecord = {
    loss,
    epochs: result.epochsDone,
    plannedEpochs,
    lr: learningRate,
    batchSize,
    lastBatch,
    seed,
    shuffle,
    rows: train.x.rows,
    optimizer,
    lrSchedule: schedule,
    validation: held ? { split, rows: held.x.rows } : null,
    earlyStopping:
      patience === undefined
        ? null
        : { patience, minDelta, stoppedEarly: result.stoppedEarly, bestEpoch: result.earlyStopping?.bestEpoch ?? null },
    finalLoss: result.finalLoss,
    finalValidationLoss: result.finalValidationLoss,
    lossHistory: [...(saved?.lossHistory ?? []), ...result.lossHistory],
    validationHistory: [...(saved?.validationHistory ?? []), ...result.validationHistory],
    state: {
      position: result.position,
      // The generator's state after the last shuffle: a resumed run shuffles on from there.
      randomState: random?.state ?? null,
      optimizer: result.optimizer,
      earlyStopping: result.earlyStopping,
    },
  };
  const model: TrainedModel = {
    layers: [...layers],
    activation,
    outputActivation,
    features: columns.features,
    targets: columns.targets,
    task: classes ? 'classify' : 'regress',
    classes,
    encoding: data.encoding,
    normalization,
    parameters: mlp.getParameters(),
    training,
  };
  return {
    model,
    training,
    epochsDone: result.epochsDone,
    interrupted: result.interrupted,
    stoppedEarly: result.stoppedEarly,
  };
}

/** A seeded draw of `fraction` of the rows to hold out; the rest keep their order. */
function splitRows(x: Matrix, y: Matrix, fraction: number, seed: number) {
  const n = x.rows;
  const heldCount = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const order = Random.stream(seed, 'validation').shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const heldRows = order.subarray(0, heldCount).slice().sort();
  const isHeld = new Uint8Array(n);
  for (const r of heldRows) isHeld[r] = 1;
  const trainRows = Int32Array.from({ length: n }, (_, i) => i).filter((r) => !isHeld[r]);
  return {
    train: { x: takeRows(x, trainRows), y: takeRows(y, trainRows) },
    held: { x: takeRows(x, heldRows), y: takeRows(y, heldRows) },
  };
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
  flag: string,
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
      `${flag} model differs from the requested network: ${differences.join('; ')}`,
    );
  }
}

/** "2 features (x1, x2)", or with categories "4 inputs: x1, colour=blue, colour=green, colour=red". */
function describeInputs(data: Dataset): string {
  const n = data.x.cols;
  if (data.encoding.length === 0) return `${count(n, 'feature')} (${listOf(data.features)})`;
  return `${count(n, 'input')} (${listOf(data.inputs)}: categories count one each)`;
}
