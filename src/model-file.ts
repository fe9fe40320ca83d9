import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './files.js';
import { LAST_BATCH_MODES, type LastBatch } from './data/batches.js';
import { fileError } from './data/source.js';
import type { ColumnStats } from './data/normalize.js';
import { ModelFileError } from './errors.js';
import { quote } from './text.js';
import type { TrainedModel, TrainingRecord, TrainingState } from './train/record.js';
import type { OptimizerSettings } from './train/optimizer.js';
import { SETTINGS } from './train/settings.js';
import type { ScheduleSettings } from './train/schedule.js';
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, type Activation, type HiddenActivation } from './nn/activation.js';
import type { FeatureEncoding } from './data/dataset.js';
import { LOSSES, type LossName } from './nn/loss.js';
import type { LayerParameters } from './nn/mlp.js';

export const MODEL_FORMAT = 'autograd-mlp';
export const MODEL_VERSION = 1;

/** The model as the JSON text of a version-1 model file (same model, same bytes). */
export function serializeModel(model: TrainedModel): string {
  const file = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    layers: model.layers,
    activation: model.activation,
    outputActivation: model.outputActivation,
    features: model.features,
    targets: model.targets,
    task: model.task,
    classes: model.classes,
    encoding: model.encoding,
    normalization: model.normalization && {
      features: { mean: model.normalization.features.mean, std: model.normalization.features.std },
      targets: { mean: model.normalization.targets.mean, std: model.normalization.targets.std },
    },
    parameters: model.parameters.map((p) => ({ weights: p.weights, biases: p.biases })),
    training: model.training,
  };
  return `${formatJson(file, '')}\n`;
}

export async function saveModel(path: string, model: TrainedModel): Promise<void> {
  await writeFileAtomic(path, serializeModel(model));
}

export async function loadModel(path: string): Promise<TrainedModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fileError(path, error);
  }
  return parseModel(text, path);
}

/** Parses and validates a model file; every problem is named, with where it is. */
export function parseModel(text: string, file = 'model'): TrainedModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFileError('E_MODEL_JSON', file, `is not a model file: not valid JSON (${(error as Error).message})`);
  }
  const fail = (message: string): never => {
    throw new ModelFileError('E_MODEL_INVALID', file, message);
  };
  if (!isObject(json) || json.format !== MODEL_FORMAT) {
    throw new ModelFileError(
      'E_MODEL_FORMAT',
      file,
      `is not an autograd model file (expected "format": "${MODEL_FORMAT}")`,
    );
  }
  if (json.version !== MODEL_VERSION) {
    throw new ModelFileError(
      'E_MODEL_VERSION',
      file,
      `model file version ${JSON.stringify(json.version)} is not supported; this autograd reads version ${MODEL_VERSION}`,
    );
  }
  const layers = json.layers;
  if (!Array.isArray(layers) || layers.length < 2 || !layers.every((n) => Number.isSafeInteger(n) && n >= 1)) {
    return fail('"layers" must list at least two positive whole numbers');
  }
  const sizes = layers as number[];
  const activation = oneOf(json.activation, HIDDEN_ACTIVATIONS, '"activation"', fail) as HiddenActivation;
  const outputActivation = oneOf(json.outputActivation, OUTPUT_ACTIVATIONS, '"outputActivation"', fail) as Activation;
  const encoding = featureEncoding(json.encoding, fail);
  const extra = encoding.reduce((n, e) => n + e.categories.length - 1, 0);
  const features = names(json.features, '"features"', sizes[0]! - extra, fail);
  const unknownFeature = encoding.find((e) => !features.includes(e.feature));
  if (unknownFeature) return fail(`"encoding" names ${JSON.stringify(unknownFeature.feature)}, which is not a feature`);
  const outputs = sizes[sizes.length - 1]!;
  const task =
    json.task === undefined
      ? 'regress'
      : (oneOf(json.task, ['regress', 'classify'], '"task"', fail) as TrainedModel['task']);
  let classes: string[] | null = null;
  if (task === 'classify') {
    const c = json.classes;
    if (!Array.isArray(c) || c.length < 2 || !c.every((n) => typeof n === 'string') || new Set(c).size !== c.length) {
      return fail('"classes" must list two or more distinct class names');
    }
    if ((c.length === 2 ? 1 : c.length) !== outputs) {
      return fail(
        `${c.length} classes need ${c.length === 2 ? 1 : c.length} output${c.length === 2 ? '' : 's'}, but "layers" ends in ${outputs}`,
      );
    }
    classes = c as string[];
  }
  const targets = names(json.targets, '"targets"', task === 'classify' ? 1 : outputs, fail);
  const columns = [...features, ...targets];
  const repeated = columns.find((name, i) => columns.indexOf(name) !== i);
  if (repeated !== undefined) return fail(`names the column ${quote(repeated)} twice in "features" and "targets"`);

  let normalization: TrainedModel['normalization'] = null;
  // Absent counts as null, so a hand-written file (e.g. weights exported from elsewhere) needs no empty fields.
  if (json.normalization !== null && json.normalization !== undefined) {
    if (!isObject(json.normalization)) return fail('"normalization" must be null or an object');
    normalization = {
      features: stats(json.normalization.features, 'normalization.features', sizes[0]!, fail),
      targets: stats(json.normalization.targets, 'normalization.targets', outputs, fail),
    };
  }

  const params = json.parameters;
  if (!Array.isArray(params) || params.length !== sizes.length - 1) {
    return fail(`"parameters" must hold ${sizes.length - 1} layers for layers ${sizes.join(',')}`);
  }
  const parameters: LayerParameters[] = params.map((layer: unknown, l) => {
    const nin = sizes[l]!;
    const nout = sizes[l + 1]!;
    const where = `parameters[${l}]`;
    if (!isObject(layer)) return fail(`${where} must be an object with "weights" and "biases"`);
    const { weights, biases } = layer;
    if (!Array.isArray(weights) || weights.length !== nout) {
      return fail(
        `${where}.weights must have ${nout} rows (out × in = ${nout} × ${nin}) for layers ${sizes.join(',')}`,
      );
    }
    weights.forEach((row: unknown, j) => numbers(row, `${where}.weights[${j}]`, nin, fail));
    numbers(biases, `${where}.biases`, nout, fail);
    return { weights: weights as number[][], biases: biases as number[] };
  });

  return {
    layers: sizes,
    task,
    classes,
    encoding,
    activation,
    outputActivation,
    features,
    targets,
    normalization,
    parameters,
    training: training(json.training, fail, parameterCount(sizes)),
  };
}

type Fail = (message: string) => never;

/** Categorical features: absent (or empty) when there are none. */
function featureEncoding(x: unknown, fail: Fail): FeatureEncoding[] {
  if (x === undefined || x === null) return [];
  if (!Array.isArray(x)) return fail('"encoding" must be a list of { "feature", "categories" }');
  return x.map((e: unknown, i) => {
    if (!isObject(e) || typeof e.feature !== 'string') return fail(`"encoding[${i}].feature" must be a column name`);
    const c = e.categories;
    if (!Array.isArray(c) || c.length < 1 || !c.every((n) => typeof n === 'string') || new Set(c).size !== c.length) {
      return fail(`"encoding[${i}].categories" must list distinct category names`);
    }
    return { feature: e.feature, categories: c as string[] };
  });
}

function parameterCount(sizes: number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l + 1]! * (sizes[l]! + 1);
  return n;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function oneOf(x: unknown, allowed: readonly string[], what: string, fail: Fail): string {
  if (typeof x !== 'string' || !allowed.includes(x)) return fail(`${what} must be one of ${allowed.join(', ')}`);
  return x;
}

function names(x: unknown, what: string, length: number, fail: Fail): string[] {
  if (!Array.isArray(x) || x.length !== length || !x.every((n) => typeof n === 'string')) {
    return fail(`${what} must list ${length} column name${length === 1 ? '' : 's'} to fit "layers"`);
  }
  return x as string[];
}

function numbers(x: unknown, what: string, length: number, fail: Fail): number[] {
  if (!Array.isArray(x) || x.length !== length) return fail(`${what} must hold ${length} numbers`);
  const bad = x.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) return fail(`${what}[${bad}] is not a finite number`);
  return x as number[];
}

function stats(x: unknown, what: string, length: number, fail: Fail): ColumnStats {
  if (!isObject(x)) return fail(`"${what}" must be an object with "mean" and "std"`);
  const mean = numbers(x.mean, `${what}.mean`, length, fail);
  const std = numbers(x.std, `${what}.std`, length, fail);
  if (std.some((s) => s <= 0)) return fail(`${what}.std must be positive`);
  return { mean, std };
}

function training(x: unknown, fail: Fail, parameterCount: number): TrainingRecord | null {
  if (x === null || x === undefined) return null;
  if (!isObject(x)) return fail('"training" must be null or an object');
  const where = (key: string) => `"training.${key}"`;
  const num = (obj: Record<string, unknown>, key: string, path = where(key)): number => {
    const v = obj[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : fail(`${path} must be a number`);
  };
  const list = (v: unknown, path: string, length?: number): number[] => {
    if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isFinite(n))) {
      return fail(`${path} must be a list of numbers`);
    }
    if (length !== undefined && v.length !== length) return fail(`${path} must hold ${length} numbers`);
    return v as number[];
  };
  const object = (v: unknown, path: string): Record<string, unknown> =>
    isObject(v) ? v : fail(`${path} must be an object`);
  const epochs = num(x, 'epochs');

  // Written before optimizers, schedules and validation existed (or by hand): plain SGD, nothing else.
  // Each group's keys, checks and defaults are the settings table's.
  const group = (name: string): Record<string, unknown> => {
    const given = x[name] === undefined ? {} : object(x[name], where(name));
    const settings: Record<string, unknown> = {};
    for (const s of SETTINGS) {
      if (s.record.length !== 2 || s.record[0] !== name) continue;
      const key = s.record[1]!;
      const value = given[key];
      const path = where(`${name}.${key}`);
      settings[key] =
        value === undefined || (value === null && s.default === null)
          ? s.default
          : s.choices
            ? oneOf(value, s.choices, path, fail)
            : num(given, key, path);
    }
    return settings;
  };
  const optimizer = group('optimizer') as unknown as OptimizerSettings;
  const lrSchedule = group('lrSchedule') as unknown as ScheduleSettings;
  let validation: TrainingRecord['validation'] = null;
  if (x.validation !== undefined && x.validation !== null) {
    const v = object(x.validation, where('validation'));
    validation = { split: v.split === null || v.split === undefined ? null : num(v, 'split'), rows: num(v, 'rows') };
  }
  let earlyStopping: TrainingRecord['earlyStopping'] = null;
  if (x.earlyStopping !== undefined && x.earlyStopping !== null) {
    const e = object(x.earlyStopping, where('earlyStopping'));
    earlyStopping = {
      patience: num(e, 'patience', where('earlyStopping.patience')),
      minDelta: num(e, 'minDelta', where('earlyStopping.minDelta')),
      stoppedEarly: e.stoppedEarly === true,
      bestEpoch: typeof e.bestEpoch === 'number' ? e.bestEpoch : null,
    };
  }
  let state: TrainingState | null = null;
  if (x.state !== undefined && x.state !== null) {
    const st = object(x.state, where('state'));
    const p = object(st.position, where('state.position'));
    const opt = object(st.optimizer, where('state.optimizer'));
    if (!Array.isArray(opt.buffers)) return fail(`${where('state.optimizer.buffers')} must be a list of lists`);
    const es =
      st.earlyStopping === null || st.earlyStopping === undefined
        ? null
        : object(st.earlyStopping, where('state.earlyStopping'));
    state = {
      position: {
        epochs: num(p, 'epochs', where('state.position.epochs')),
        batches: num(p, 'batches', where('state.position.batches')),
        randomState: p.randomState === null ? null : num(p, 'randomState', where('state.position.randomState')),
        partialLoss: num(p, 'partialLoss', where('state.position.partialLoss')),
      },
      randomState:
        st.randomState === null || st.randomState === undefined
          ? null
          : num(st, 'randomState', where('state.randomState')),
      optimizer: {
        step: num(opt, 'step', where('state.optimizer.step')),
        buffers: opt.buffers.map((b: unknown, k) => list(b, where(`state.optimizer.buffers[${k}]`), parameterCount)),
      },
      earlyStopping: es && {
        best: num(es, 'best', where('state.earlyStopping.best')),
        bestEpoch: num(es, 'bestEpoch', where('state.earlyStopping.bestEpoch')),
        waited: num(es, 'waited', where('state.earlyStopping.waited')),
        bestParameters: list(es.bestParameters, where('state.earlyStopping.bestParameters'), parameterCount),
      },
    };
  }
  return {
    loss: x.loss === undefined ? 'mse' : (oneOf(x.loss, LOSSES, where('loss'), fail) as LossName),
    epochs,
    plannedEpochs: x.plannedEpochs === undefined ? epochs : num(x, 'plannedEpochs'),
    lr: num(x, 'lr'),
    batchSize: num(x, 'batchSize'),
    lastBatch:
      x.lastBatch === undefined
        ? 'keep'
        : (oneOf(x.lastBatch, LAST_BATCH_MODES, where('lastBatch'), fail) as LastBatch),
    seed: num(x, 'seed'),
    shuffle: x.shuffle !== false,
    rows: num(x, 'rows'),
    optimizer,
    lrSchedule,
    validation,
    earlyStopping,
    finalLoss: x.finalLoss === undefined || x.finalLoss === null ? null : num(x, 'finalLoss'),
    finalValidationLoss:
      x.finalValidationLoss === undefined || x.finalValidationLoss === null ? null : num(x, 'finalValidationLoss'),
    lossHistory: list(x.lossHistory, where('lossHistory')),
    validationHistory: x.validationHistory === undefined ? [] : list(x.validationHistory, where('validationHistory')),
    state,
  };
}

/** JSON with two-space indentation, but arrays of plain values kept on one line. */
function formatJson(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object'))
      return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + formatJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObject(value)) {
    const inner = indent + '  ';
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
