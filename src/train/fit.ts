import type { Dataset } from '../data/dataset.js';
import { takeRows, type Matrix } from '../data/matrix.js';
import { columnStats, constantColumns, standardize } from '../data/normalize.js';
import type { Engine } from '../engine/engine.js';
import { option, UsageError } from '../errors.js';
import { count, listOf, quote } from '../text.js';
import type { Activation, HiddenActivation } from '../nn/activation.js';
import { formatLayerSpec } from '../nn/layer-spec.js';
import { MLP } from '../nn/mlp.js';
import { Random } from '../random.js';
import type { LossName } from '../nn/loss.js';
import { trainLoop, type BatchEvent, type EpochEvent, type LoopResult } from './loop.js';
import { createNetwork, type TrainedModel, type TrainingRecord } from './record.js';
import { optimizerSettings, resolveSettings, scheduleSettings, type Settings } from './settings.js';

/**
 * What to train and how. The training settings (learning rate, epochs, batch
 * size, optimizer…: see `SETTINGS` for each one's meaning and default) may be
 * given here; with `resume`, those not given are the saved run's.
 */
export interface FitOptions extends Partial<Settings> {
  /** Every layer including the input, e.g. [3, 4, 4, 1]. Default: taken from `init`, else required. */
  layers?: number[];
  /** Hidden activation. Default "tanh" (or `init`'s). */
  activation?: HiddenActivation;
  /** Output activation. Default "linear" (or `init`'s). */
  outputActivation?: Activation;
  /** Standardise features and targets with the training rows' statistics. Default true. */
  normalize?: boolean;
  /** Default "wasm"; "js" runs the tape in plain JavaScript, "graph" trains on `Value` objects (same numbers, slower). */
  engine?: Engine;
  /** Threads a batch may be shared by (default: up to 2). The numbers do not depend on it. */
  threads?: number;
  /** Start from these weights instead of random ones (same architecture). */
  init?: TrainedModel;
  /**
   * Go on with this model's run: its weights, optimizer state, normalisation,
   * seed and settings (those given here override), with `epochs` more epochs
   * (default: the epochs its run had left). Its history keeps growing.
   */
  resume?: TrainedModel;
  /** Measure on these rows (same columns), instead of a `validationSplit`. */
  validation?: Dataset;
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
 * Data in, trained model out, in four steps: the run (settings, epochs and
 * network shape, checked against the data), the rows (validation set aside,
 * then standardised), the training loop, and the record of it all.
 * (`loadDataset` chooses the columns; with `init`, pass its features and
 * targets as the choice.)
 */
export async function fit(data: Dataset, options: FitOptions): Promise<FitResult> {
  const run = planRun(data, options);
  const rows = prepareRows(data, options, run);
  const mlp =
    options.init || options.resume
      ? createNetwork((options.resume ?? options.init)!)
      : new MLP(run.layers, {
          activation: run.activation,
          outputActivation: run.outputActivation,
          random: Random.stream(run.settings.seed, 'init'),
        });
  const random = run.settings.shuffle ? Random.stream(run.settings.seed, 'shuffle') : undefined;
  const saved = run.saved;
  if (random && saved?.state?.randomState !== undefined && saved.state.randomState !== null) {
    random.state = saved.state.randomState;
  }
  const { settings } = run;
  const result = await trainLoop(mlp, rows.x, rows.y, {
    epochs: run.plannedEpochs,
    learningRate: settings.learningRate,
    batchSize: settings.batchSize,
    lastBatch: settings.lastBatch,
    engine: options.engine,
    threads: options.threads,
    loss: run.loss,
    optimizer: optimizerSettings(settings),
    schedule: scheduleSettings(settings),
    random,
    validation: rows.held,
    earlyStopping:
      settings.patience === null ? undefined : { patience: settings.patience, minDelta: settings.minDelta },
    // A record without state (older or hand-written) goes on after its epochs, with a fresh optimizer.
    resume: saved
      ? {
          position: saved.state?.position ?? { epochs: run.done, batches: 0, randomState: null, partialLoss: 0 },
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
  const training = recordOf(run, rows, result, random);
  const model: TrainedModel = {
    layers: [...run.layers],
    activation: run.activation,
    outputActivation: run.outputActivation,
    features: data.features,
    targets: data.targets,
    task: data.classes ? 'classify' : 'regress',
    classes: data.classes,
    encoding: data.encoding,
    normalization: rows.normalization,
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

type Run = ReturnType<typeof planRun>;
type Rows = ReturnType<typeof prepareRows>;

/** The run's settings, epochs, loss and network shape, each checked (against the data where it must fit). */
function planRun(data: Dataset, options: FitOptions) {
  const resume = options.resume;
  const saved = resume?.training ?? null;
  if (resume && !saved)
    throw new UsageError('E_RESUME', `${option('resume')}: the model has no training record to go on from`);
  const init = resume ?? options.init;
  const settings = resolveSettings(options, saved);
  // Measured on given rows, a run sets none aside, whatever a resumed one did.
  if (options.validation && options.validationSplit === undefined) settings.validationSplit = null;
  // Epochs fully done before; with --resume, --epochs counts the epochs to add (an interrupted one among them).
  const done = saved?.state?.position.epochs ?? saved?.epochs ?? 0;
  const more = options.epochs ?? (saved ? saved.plannedEpochs - done : settings.epochs);
  if (resume && more <= 0) {
    throw new UsageError(
      'E_RESUME',
      `${option('resume')}: the model already has the ${count(done, 'epoch')} it planned; give ${option('epochs')} to train more`,
    );
  }
  checkSettings(settings, more);

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
  const layers = fitLayers(data, options.layers ?? init?.layers);
  if (classes && outputActivation !== 'linear') {
    throw new UsageError(
      'E_OPTION',
      `classification trains linear outputs (logits): the ${classes.length === 2 ? 'sigmoid' : 'softmax'} is part of the cross-entropy; drop ${option('outputActivation')} ${outputActivation}`,
    );
  }
  if (init) checkSameArchitecture(init, layers, activation, outputActivation, option(resume ? 'resume' : 'init'));
  return { settings, saved, done, plannedEpochs: done + more, loss, layers, activation, outputActivation, outputs };
}

/** The layer spec with "auto" (0) at either end taken from the data, checked against its inputs and outputs. */
function fitLayers(data: Dataset, spec: number[] | undefined): number[] {
  const layers = spec?.map((n, i, all) =>
    n !== 0 ? n : i === 0 ? data.x.cols : i === all.length - 1 ? data.y.cols : n,
  );
  // Inputs: one per numeric feature, one per category of a categorical one.
  const inputs = data.x.cols;
  const outputs = data.y.cols;
  const fitting = [inputs, ...(layers?.slice(1, -1) ?? [16, 16]), outputs];
  if (!layers) {
    throw new UsageError(
      'E_LAYER_SPEC',
      `no layer spec given; for ${data.file} try ${option('layers')} ${formatLayerSpec(fitting)}`,
    );
  }
  if (layers[0] !== inputs || layers[layers.length - 1] !== outputs) {
    const classes = data.classes;
    const gives = classes
      ? `${count(classes.length, 'class', 'classes')} in ${data.targets[0]} (${listOf(classes)}), which take ${count(outputs, 'output')}`
      : `${count(data.targets.length, 'target')} (${listOf(data.targets)})`;
    throw new UsageError(
      'E_LAYER_SPEC',
      `${option('layers')} ${formatLayerSpec(layers)} expects ${count(layers[0]!, 'input')} and ${count(layers[layers.length - 1]!, 'output')}, ` +
        `but ${data.file} gives ${describeInputs(data)} ` +
        `and ${gives}; try ${option('layers')} ${formatLayerSpec(fitting)}`,
    );
  }
  return layers;
}

/** What the library takes from a caller unchecked (the CLI's parsers refuse these earlier). */
function checkSettings(settings: Settings, epochs: number): void {
  checkPositiveInteger('epochs', epochs);
  checkPositiveInteger('batchSize', settings.batchSize);
  const { learningRate, seed, validationSplit: split, patience } = settings;
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new UsageError('E_OPTION', `learningRate must be a positive number, got ${learningRate}`);
  }
  if (!Number.isSafeInteger(seed)) throw new UsageError('E_OPTION', `seed must be a whole number, got ${seed}`);
  if (split !== null && !(split > 0 && split < 1)) {
    throw new UsageError('E_OPTION', `validationSplit must be between 0 and 1, got ${split}`);
  }
  if (patience !== null) checkPositiveInteger('patience', patience);
}

/**
 * The rows to train on and to measure: the validation rows set aside first, so
 * that nothing about them leaks into the statistics; then both standardised
 * with the training rows' (a resumed run keeps those it started with).
 */
function prepareRows(data: Dataset, options: FitOptions, run: Run) {
  const split = run.settings.validationSplit;
  if (split !== null && data.x.rows < 2) {
    throw new UsageError(
      'E_OPTION',
      `a validation split needs 2 rows or more; ${data.file} has ${count(data.x.rows, 'row')}`,
      'validationSplit',
    );
  }
  let train = { x: data.x, y: data.y };
  let held: { x: Matrix; y: Matrix } | undefined;
  if (split !== null) {
    const parts = splitRows(data.x, data.y, split, run.settings.seed);
    train = parts.train;
    held = parts.held;
  } else if (options.validation) {
    held = { x: options.validation.x, y: options.validation.y };
  }
  const resume = options.resume;
  const normalize = resume ? resume.normalization !== null : (options.normalize ?? true);
  if (!normalize) return { ...train, held, trainRows: train.x.rows, normalization: null };
  const classes = data.classes;
  // Class targets are not standardised: they stay one-hot (or 0/1).
  const normalization: TrainedModel['normalization'] = resume?.normalization ?? {
    features: columnStats(train.x),
    targets: classes
      ? { mean: new Array(run.outputs).fill(0), std: new Array(run.outputs).fill(1) }
      : columnStats(train.y),
  };
  if (!resume) {
    for (const c of constantColumns(train.x)) {
      options.onWarning?.(`feature column ${quote(data.inputs[c] ?? '')} is constant; it cannot inform the model`);
    }
    if (!classes && train.y.rows > 1) {
      for (const c of constantColumns(train.y)) {
        options.onWarning?.(`target column ${quote(data.targets[c] ?? '')} is constant; there is nothing to learn`);
      }
    }
  }
  const scaleY = (m: Matrix) => (classes ? m : standardize(m, normalization.targets));
  return {
    x: standardize(train.x, normalization.features),
    y: scaleY(train.y),
    held: held && { x: standardize(held.x, normalization.features), y: scaleY(held.y) },
    trainRows: train.x.rows,
    normalization,
  };
}

/** How the weights were obtained: enough to reproduce the run, and to go on with it. */
function recordOf(run: Run, rows: Rows, result: LoopResult, random: Random | undefined): TrainingRecord {
  const { settings, saved } = run;
  const { patience, minDelta } = settings;
  return {
    loss: run.loss,
    epochs: result.epochsDone,
    plannedEpochs: run.plannedEpochs,
    lr: settings.learningRate,
    batchSize: settings.batchSize,
    lastBatch: settings.lastBatch,
    seed: settings.seed,
    shuffle: settings.shuffle,
    rows: rows.trainRows,
    optimizer: optimizerSettings(settings),
    lrSchedule: scheduleSettings(settings),
    validation: rows.held ? { split: settings.validationSplit, rows: rows.held.x.rows } : null,
    earlyStopping:
      patience === null
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
