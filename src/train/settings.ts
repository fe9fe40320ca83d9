// Every training setting in one table: its name (as `fit` takes it), its
// default, how a value given as text reads, what it means, and where a model
// file's training record keeps it. The CLI builds its flags from it, `fit`
// resolves a run's settings with it, and the model file reads records with it.
// Light on purpose: `--help` loads it.
import { LAST_BATCH_MODES, type LastBatch } from '../data/batches.js';
import type { OptimizerSettings } from './optimizer.js';
import type { ScheduleSettings } from './schedule.js';

/** Update rules, as PyTorch writes them (see optimizer.ts). */
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];
/** How the learning rate changes from epoch to epoch (see schedule.ts). */
export const SCHEDULES = ['constant', 'step', 'cosine'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** A run's settings, resolved: what was given, else what a resumed run had, else the default. */
export interface Settings {
  learningRate: number;
  epochs: number;
  batchSize: number;
  lastBatch: LastBatch;
  seed: number;
  shuffle: boolean;
  optimizer: OptimizerName;
  momentum: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  clipGrad: number | null;
  lrSchedule: ScheduleName;
  lrStepSize: number;
  lrGamma: number;
  lrMin: number;
  validationSplit: number | null;
  patience: number | null;
  minDelta: number;
}

/** Why a value given as text is not one a setting takes: "must be …". */
export class SettingValueError extends RangeError {}

export interface Setting<K extends keyof Settings = keyof Settings> {
  readonly name: K;
  /** How a command line gives it, e.g. "-e, --epochs <n>". */
  readonly flags: string;
  readonly doc: string;
  readonly default: Settings[K];
  /** Reads a value given as text; throws a `SettingValueError` saying what it must be. */
  readonly parse?: (text: string) => Settings[K];
  readonly choices?: readonly string[];
  /** Where a model file's "training" record keeps it, e.g. ["optimizer", "momentum"]; none for `epochs` (counted there). */
  readonly record: readonly string[];
}

const setting = <K extends keyof Settings>(s: Setting<K>): Setting<K> => s;

export const SETTINGS = [
  setting({
    name: 'learningRate',
    flags: '--lr <rate>',
    doc: 'learning rate α in W ← W − α∇L',
    default: 0.05,
    parse: positiveNumber,
    record: ['lr'],
  }),
  setting({
    name: 'epochs',
    flags: '-e, --epochs <n>',
    doc: 'passes over the data',
    default: 100,
    parse: positiveInteger,
    record: [],
  }),
  setting({
    name: 'batchSize',
    flags: '-b, --batch-size <n>',
    doc: 'rows per gradient step (at most)',
    default: 32,
    parse: positiveInteger,
    record: ['batchSize'],
  }),
  setting({
    name: 'lastBatch',
    flags: '--last-batch <mode>',
    doc: 'rows that do not fill whole batches: balance (equal batches, sizes differ by at most one), keep (a smaller last batch, as PyTorch), drop',
    default: 'balance',
    choices: LAST_BATCH_MODES,
    record: ['lastBatch'],
  }),
  setting({
    name: 'seed',
    flags: '--seed <n>',
    doc: 'seed for initial weights and shuffling',
    default: 42,
    parse: integer,
    record: ['seed'],
  }),
  setting({
    name: 'shuffle',
    flags: '--no-shuffle',
    doc: 'keep file order instead of shuffling rows each epoch',
    default: true,
    record: ['shuffle'],
  }),
  setting({
    name: 'optimizer',
    flags: '--optimizer <name>',
    doc: 'update rule',
    default: 'sgd',
    choices: OPTIMIZERS,
    record: ['optimizer', 'name'],
  }),
  setting({
    name: 'momentum',
    flags: '--momentum <m>',
    doc: 'for --optimizer momentum',
    default: 0.9,
    parse: fraction,
    record: ['optimizer', 'momentum'],
  }),
  setting({
    name: 'beta1',
    flags: '--beta1 <b>',
    doc: 'for --optimizer adam',
    default: 0.9,
    parse: fraction,
    record: ['optimizer', 'beta1'],
  }),
  setting({
    name: 'beta2',
    flags: '--beta2 <b>',
    doc: 'for --optimizer adam',
    default: 0.999,
    parse: fraction,
    record: ['optimizer', 'beta2'],
  }),
  setting({
    name: 'eps',
    flags: '--eps <e>',
    doc: 'for --optimizer adam',
    default: 1e-8,
    parse: positiveNumber,
    record: ['optimizer', 'eps'],
  }),
  setting({
    name: 'weightDecay',
    flags: '--weight-decay <λ>',
    doc: 'L2 penalty: each gradient gets + λ·w',
    default: 0,
    parse: nonNegativeNumber,
    record: ['optimizer', 'weightDecay'],
  }),
  setting({
    name: 'clipGrad',
    flags: '--clip-grad <norm>',
    doc: 'rescale the gradient to at most this norm (default: no clipping)',
    default: null,
    parse: positiveNumber,
    record: ['optimizer', 'clipGrad'],
  }),
  setting({
    name: 'lrSchedule',
    flags: '--lr-schedule <name>',
    doc: 'learning rate by epoch',
    default: 'constant',
    choices: SCHEDULES,
    record: ['lrSchedule', 'name'],
  }),
  setting({
    name: 'lrStepSize',
    flags: '--lr-step-size <n>',
    doc: 'for --lr-schedule step: epochs between drops',
    default: 10,
    parse: positiveInteger,
    record: ['lrSchedule', 'stepSize'],
  }),
  setting({
    name: 'lrGamma',
    flags: '--lr-gamma <g>',
    doc: 'for --lr-schedule step: factor at each drop',
    default: 0.1,
    parse: positiveNumber,
    record: ['lrSchedule', 'gamma'],
  }),
  setting({
    name: 'lrMin',
    flags: '--lr-min <lr>',
    doc: "for --lr-schedule cosine: the last epoch's rate",
    default: 0,
    parse: nonNegativeNumber,
    record: ['lrSchedule', 'minLr'],
  }),
  setting({
    name: 'validationSplit',
    flags: '--validation-split <f>',
    doc: 'hold out this fraction of rows (seeded) to measure each epoch',
    default: null,
    parse: openFraction,
    record: ['validation', 'split'],
  }),
  setting({
    name: 'patience',
    flags: '--patience <n>',
    doc: 'stop after n epochs without improvement and keep the best weights',
    default: null,
    parse: positiveInteger,
    record: ['earlyStopping', 'patience'],
  }),
  setting({
    name: 'minDelta',
    flags: '--min-delta <d>',
    doc: 'smallest improvement that counts for --patience',
    default: 0,
    parse: nonNegativeNumber,
    record: ['earlyStopping', 'minDelta'],
  }),
] as const satisfies readonly Setting[];

/** Every setting's default. */
export const DEFAULTS = Object.fromEntries(SETTINGS.map((s) => [s.name, s.default])) as unknown as Readonly<Settings>;

/** The optimizer's part of a run's settings. */
export function optimizerSettings(s: Settings): OptimizerSettings {
  const { optimizer: name, momentum, beta1, beta2, eps, weightDecay, clipGrad } = s;
  return { name, momentum, beta1, beta2, eps, weightDecay, clipGrad };
}

/** The learning-rate schedule's part of a run's settings. */
export function scheduleSettings(s: Settings): ScheduleSettings {
  return { name: s.lrSchedule, stepSize: s.lrStepSize, gamma: s.lrGamma, minLr: s.lrMin };
}

/**
 * A run's settings: each one given, else the saved record's (a resumed run's),
 * else its default. `epochs` is not taken from a record: a resumed run counts
 * the epochs it adds (see `fit`).
 */
export function resolveSettings(given: Partial<Settings>, saved?: object | null): Settings {
  const settings = {} as Record<keyof Settings, unknown>;
  for (const s of SETTINGS) {
    settings[s.name] =
      given[s.name] ?? (saved && s.record.length > 0 ? recorded(saved, s.record) : undefined) ?? s.default;
  }
  return settings as unknown as Settings;
}

/** The value at `path` in a record, or undefined where any step is missing or null. */
function recorded(record: object, path: readonly string[]): unknown {
  let at: unknown = record;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at ?? undefined;
}

// How values given as text read; each refusal says what the value must be.

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (/^\s*\d+\s*$/.test(value) && Number.isSafeInteger(n) && n >= 1) return n;
  if (value.trim() === '' || !Number.isFinite(n)) throw new SettingValueError('must be a positive whole number.');
  if (!Number.isInteger(n) || n < 1) throw new SettingValueError('must be a positive whole number.');
  if (!Number.isSafeInteger(n))
    throw new SettingValueError('must be a positive whole number, and this one is too large.');
  throw new SettingValueError(`must be a positive whole number written in digits, e.g. ${n}.`);
}

export function integer(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new SettingValueError('must be a whole number.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new SettingValueError('must be a number greater than 0.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new SettingValueError('must be a number ≥ 0.');
  return n;
}

/** A number in [0, 1). */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n < 1))
    throw new SettingValueError('must be a number from 0 up to (not including) 1.');
  return n;
}

/** A number strictly between 0 and 1. */
export function openFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1))
    throw new SettingValueError('must be a number between 0 and 1, e.g. 0.2.');
  return n;
}
