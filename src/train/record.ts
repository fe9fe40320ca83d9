import { LAST_BATCH_MODES, type LastBatch } from '../data/batches.js';
import type { FeatureEncoding } from '../data/categories.js';
import type { ColumnStats } from '../data/normalize.js';
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, type Activation, type HiddenActivation } from '../nn/activation.js';
import { LOSSES, type LossName } from '../nn/loss.js';
import { MLP, type LayerParameters } from '../nn/mlp.js';
import { parameterCount } from '../nn/layer-spec.js';
import { quote } from '../text.js';
import type { OptimizerSettings } from './optimizer.js';
import type { ScheduleSettings } from './schedule.js';
import { SETTINGS } from './settings.js';

// What training produces — a network with what it needs to be used again, and
// the record of how it was trained — as one schema: each field of a model
// file in its order, with the reader that checks it (naming what is wrong).
// The `TrainedModel` type, the validation and the file's field order all come
// from it; model-file.ts only turns it into text and back.

/** How a field is read from a parsed file: the other fields on demand, and a way to say what is wrong. */
export interface FieldReader {
  /** Another field (by name), read and checked first if it was not yet. */
  field(name: string): unknown;
  fail(message: string): never;
}

type Field<T> = (value: unknown, model: FieldReader) => T;
const field = <T>(read: Field<T>): Field<T> => read;

/** The fields of a model file, in the order it writes them. */
export const MODEL_FIELDS = {
  /** Every layer including the input, e.g. [3, 4, 4, 1]. */
  layers: field((x, m): number[] => {
    if (!Array.isArray(x) || x.length < 2 || !x.every((n) => Number.isSafeInteger(n) && n >= 1)) {
      return m.fail('"layers" must list at least two positive whole numbers');
    }
    return x as number[];
  }),
  activation: field((x, m) => oneOf(x, HIDDEN_ACTIVATIONS, '"activation"', m) as HiddenActivation),
  outputActivation: field((x, m) => oneOf(x, OUTPUT_ACTIVATIONS, '"outputActivation"', m) as Activation),
  /** The feature columns, in the order the network takes them (a categorical one as its one-hot inputs). */
  features: field((x, m): string[] => {
    const encoding = m.field('encoding') as FeatureEncoding[];
    const extra = encoding.reduce((n, e) => n + e.categories.length - 1, 0);
    const features = names(x, '"features"', sizes(m)[0]! - extra, m);
    const unknown = encoding.find((e) => !features.includes(e.feature));
    if (unknown) return m.fail(`"encoding" names ${JSON.stringify(unknown.feature)}, which is not a feature`);
    return features;
  }),
  targets: field((x, m): string[] => {
    const targets = names(x, '"targets"', m.field('task') === 'classify' ? 1 : outputs(m), m);
    const columns = [...(m.field('features') as string[]), ...targets];
    const repeated = columns.find((name, i) => columns.indexOf(name) !== i);
    if (repeated !== undefined) return m.fail(`names the column ${quote(repeated)} twice in "features" and "targets"`);
    return targets;
  }),
  /** "classify": the outputs are logits over `classes` (one sigmoid output for two classes). */
  task: field((x, m) =>
    x === undefined ? 'regress' : (oneOf(x, ['regress', 'classify'], '"task"', m) as 'regress' | 'classify'),
  ),
  /** Class names, in the order of the outputs; null for regression. */
  classes: field((x, m): string[] | null => {
    if (m.field('task') !== 'classify') return null;
    if (!Array.isArray(x) || x.length < 2 || !x.every((n) => typeof n === 'string') || new Set(x).size !== x.length) {
      return m.fail('"classes" must list two or more distinct class names');
    }
    const needed = x.length === 2 ? 1 : x.length;
    if (needed !== outputs(m)) {
      return m.fail(
        `${x.length} classes need ${needed} output${needed === 1 ? '' : 's'}, but "layers" ends in ${outputs(m)}`,
      );
    }
    return x as string[];
  }),
  /** Categorical features, one-hot over these categories in place of their column (in `features` order). */
  encoding: field((x, m): FeatureEncoding[] => {
    if (x === undefined || x === null) return [];
    if (!Array.isArray(x)) return m.fail('"encoding" must be a list of { "feature", "categories" }');
    return x.map((e: unknown, i) => {
      if (!isObject(e) || typeof e.feature !== 'string')
        return m.fail(`"encoding[${i}].feature" must be a column name`);
      const c = e.categories;
      if (!Array.isArray(c) || c.length < 1 || !c.every((n) => typeof n === 'string') || new Set(c).size !== c.length) {
        return m.fail(`"encoding[${i}].categories" must list distinct category names`);
      }
      return { feature: e.feature, categories: c as string[] };
    });
  }),
  /** Standardisation fitted on the training rows, or null when training used raw values. */
  normalization: field((x, m): { features: ColumnStats; targets: ColumnStats } | null => {
    // Absent counts as null, so a hand-written file (e.g. weights exported from elsewhere) needs no empty fields.
    if (x === null || x === undefined) return null;
    if (!isObject(x)) return m.fail('"normalization" must be null or an object');
    return {
      features: stats(x.features, 'normalization.features', sizes(m)[0]!, m),
      targets: stats(x.targets, 'normalization.targets', outputs(m), m),
    };
  }),
  parameters: field((x, m): LayerParameters[] => {
    const layers = sizes(m);
    if (!Array.isArray(x) || x.length !== layers.length - 1) {
      return m.fail(`"parameters" must hold ${layers.length - 1} layers for layers ${layers.join(',')}`);
    }
    return x.map((layer: unknown, l) => {
      const nin = layers[l]!;
      const nout = layers[l + 1]!;
      const where = `parameters[${l}]`;
      if (!isObject(layer)) return m.fail(`${where} must be an object with "weights" and "biases"`);
      const { weights, biases } = layer;
      if (!Array.isArray(weights) || weights.length !== nout) {
        return m.fail(
          `${where}.weights must have ${nout} rows (out × in = ${nout} × ${nin}) for layers ${layers.join(',')}`,
        );
      }
      return {
        weights: weights.map((row: unknown, j) => numbers(row, `${where}.weights[${j}]`, nin, m)),
        biases: numbers(biases, `${where}.biases`, nout, m),
      };
    });
  }),
  /** How the weights were trained; null for weights that came from elsewhere. */
  training: field((x, m) => readTraining(x, m, parameterCount(sizes(m)))),
};

/** What a trained network needs to be used again: the in-memory form of a model file. */
export type TrainedModel = { [K in keyof typeof MODEL_FIELDS]: ReturnType<(typeof MODEL_FIELDS)[K]> };

/** How the weights were obtained: enough to reproduce the run, and to go on with it. */
export type TrainingRecord = NonNullable<TrainedModel['training']>;
/** Where the run stopped and what its optimizer remembers, for `--resume`. */
export type TrainingState = NonNullable<TrainingRecord['state']>;

/** Reads every field of a parsed model file, in order, each checked. */
export function readModel(json: Record<string, unknown>, fail: (message: string) => never): TrainedModel {
  const read = new Map<string, unknown>();
  const fields: Record<string, Field<unknown>> = MODEL_FIELDS;
  const reader: FieldReader = {
    field(name) {
      if (!read.has(name)) read.set(name, fields[name]!(json[name], reader));
      return read.get(name);
    },
    fail,
  };
  const model: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) model[name] = reader.field(name);
  return model as TrainedModel;
}

/** The network of a trained model, with its weights. */
export function createNetwork(model: TrainedModel): MLP {
  const mlp = new MLP(model.layers, { activation: model.activation, outputActivation: model.outputActivation });
  mlp.setParameters(model.parameters);
  return mlp;
}

const sizes = (m: FieldReader): number[] => m.field('layers') as number[];
const outputs = (m: FieldReader): number => sizes(m)[sizes(m).length - 1]!;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function oneOf(x: unknown, allowed: readonly string[], what: string, m: Pick<FieldReader, 'fail'>): string {
  if (typeof x !== 'string' || !allowed.includes(x)) return m.fail(`${what} must be one of ${allowed.join(', ')}`);
  return x;
}

function names(x: unknown, what: string, length: number, m: FieldReader): string[] {
  if (!Array.isArray(x) || x.length !== length || !x.every((n) => typeof n === 'string')) {
    return m.fail(`${what} must list ${length} column name${length === 1 ? '' : 's'} to fit "layers"`);
  }
  return x as string[];
}

function numbers(x: unknown, what: string, length: number, m: Pick<FieldReader, 'fail'>): number[] {
  if (!Array.isArray(x) || x.length !== length) return m.fail(`${what} must hold ${length} numbers`);
  const bad = x.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) return m.fail(`${what}[${bad}] is not a finite number`);
  return x as number[];
}

function stats(x: unknown, what: string, length: number, m: FieldReader): ColumnStats {
  if (!isObject(x)) return m.fail(`"${what}" must be an object with "mean" and "std"`);
  const mean = numbers(x.mean, `${what}.mean`, length, m);
  const std = numbers(x.std, `${what}.std`, length, m);
  if (std.some((s) => s <= 0)) return m.fail(`${what}.std must be positive`);
  return { mean, std };
}

/** The "training" record, each field checked; absent or null for weights that came from elsewhere. */
function readTraining(x: unknown, m: Pick<FieldReader, 'fail'>, parameterCount: number) {
  if (x === null || x === undefined) return null;
  const fail = m.fail;
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
  const optional = <T>(key: string, read: (v: Record<string, unknown>) => T): T | null =>
    x[key] === undefined || x[key] === null ? null : read(object(x[key], where(key)));
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
            ? oneOf(value, s.choices, path, m)
            : num(given, key, path);
    }
    return settings;
  };
  const epochs = num(x, 'epochs');
  const optimizer = group('optimizer') as unknown as OptimizerSettings;
  const lrSchedule = group('lrSchedule') as unknown as ScheduleSettings;
  const validation = optional('validation', (v) => ({
    split: v.split === null || v.split === undefined ? null : num(v, 'split'),
    rows: num(v, 'rows'),
  }));
  const earlyStopping = optional('earlyStopping', (e) => ({
    patience: num(e, 'patience', where('earlyStopping.patience')),
    minDelta: num(e, 'minDelta', where('earlyStopping.minDelta')),
    stoppedEarly: e.stoppedEarly === true,
    bestEpoch: typeof e.bestEpoch === 'number' ? e.bestEpoch : null,
  }));
  const state = optional('state', (st) => {
    const p = object(st.position, where('state.position'));
    const opt = object(st.optimizer, where('state.optimizer'));
    if (!Array.isArray(opt.buffers)) return fail(`${where('state.optimizer.buffers')} must be a list of lists`);
    const es =
      st.earlyStopping === null || st.earlyStopping === undefined
        ? null
        : object(st.earlyStopping, where('state.earlyStopping'));
    return {
      /** Where the loop stopped: epochs done, batches of the next, the shuffle's state, the partial loss. */
      position: {
        epochs: num(p, 'epochs', where('state.position.epochs')),
        batches: num(p, 'batches', where('state.position.batches')),
        randomState: p.randomState === null ? null : num(p, 'randomState', where('state.position.randomState')),
        partialLoss: num(p, 'partialLoss', where('state.position.partialLoss')),
      },
      /** The shuffling generator's state after the last epoch's shuffle. */
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
  });
  return {
    loss: x.loss === undefined ? 'mse' : (oneOf(x.loss, LOSSES, where('loss'), m) as LossName),
    /** Epochs fully done. */
    epochs,
    /** Epochs the run set out to do (more than `epochs` when it was interrupted or stopped early). */
    plannedEpochs: x.plannedEpochs === undefined ? epochs : num(x, 'plannedEpochs'),
    lr: num(x, 'lr'),
    batchSize: num(x, 'batchSize'),
    /** How rows that did not fill a whole batch were handled ("keep" in records older than the choice). */
    lastBatch:
      x.lastBatch === undefined ? 'keep' : (oneOf(x.lastBatch, LAST_BATCH_MODES, where('lastBatch'), m) as LastBatch),
    seed: num(x, 'seed'),
    shuffle: x.shuffle !== false,
    /** Rows trained on (without the validation rows). */
    rows: num(x, 'rows'),
    optimizer,
    lrSchedule,
    validation,
    earlyStopping,
    /**
     * The saved weights' loss over all training rows (standardised scale when
     * normalised): after early stopping, the kept epoch's. Null in older records.
     */
    finalLoss: x.finalLoss === undefined || x.finalLoss === null ? null : num(x, 'finalLoss'),
    /** The same over the validation rows; null without them. */
    finalValidationLoss:
      x.finalValidationLoss === undefined || x.finalValidationLoss === null ? null : num(x, 'finalValidationLoss'),
    /** Mean training loss of each epoch, taken while the weights changed (on standardised targets when normalised). */
    lossHistory: list(x.lossHistory, where('lossHistory')),
    /** Validation loss after each epoch, when there were validation rows. */
    validationHistory: x.validationHistory === undefined ? [] : list(x.validationHistory, where('validationHistory')),
    state,
  };
}
