import { UsageError } from '../errors.js';
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS } from '../nn/activation.js';
import { formatLayerSpec, parseLayerSpec } from '../nn/layer-spec.js';
import { Random } from '../random.js';
import type { FitOptions } from '../train/fit.js';
import { SETTINGS, SettingValueError, type Setting } from '../train/settings.js';

/** What one trial sets: training settings, and the network's shape and activations. */
export type Trial = Partial<FitOptions>;

/** One searched setting: a list of values, or a range to draw from. */
export interface Dimension {
  /** Its command-line flag, without the dashes: "lr", "batch-size". */
  flag: string;
  /** The option it sets (`FitOptions`' key). */
  key: string;
  values?: unknown[];
  range?: { low: number; high: number; log: boolean; integer: boolean };
}

export interface Plan {
  kind: 'grid' | 'random';
  trials: Trial[];
}

/** A searched option: how its values read, and whether they are whole numbers. */
interface Searchable {
  flag: string;
  key: string;
  parse: (text: string) => unknown;
  integer: boolean;
  numeric: boolean;
}

const INTEGER_SETTINGS = new Set(['epochs', 'batchSize', 'seed', 'lrStepSize', 'patience']);

const BY_NAME = Object.fromEntries(
  SETTINGS.filter((s) => !s.flags.startsWith('--no-')).map((s) => [longFlag(s), s]),
) as Record<string, Setting>;

function longFlag(setting: Setting): string {
  return /--([a-z0-9-]+)/.exec(setting.flags)![1]!;
}

function searchable(flag: string): Searchable | undefined {
  const choice = (allowed: readonly string[]) => (text: string) => {
    if (!allowed.includes(text)) throw new SettingValueError(`must be one of ${allowed.join(', ')}.`);
    return text;
  };
  const plain = (key: string, parse: (text: string) => unknown) => ({
    flag,
    key,
    parse,
    integer: false,
    numeric: false,
  });
  if (flag === 'layers') return plain('layers', parseLayerSpec);
  if (flag === 'activation') return plain('activation', choice(HIDDEN_ACTIVATIONS));
  if (flag === 'output-activation') return plain('outputActivation', choice(OUTPUT_ACTIVATIONS));
  const setting = BY_NAME[flag] ?? SETTINGS.find((s) => s.name === flag && !s.flags.startsWith('--no-'));
  if (!setting) return undefined;
  return {
    flag: longFlag(setting),
    key: setting.name,
    parse: setting.choices ? choice(setting.choices) : setting.parse!,
    integer: INTEGER_SETTINGS.has(setting.name),
    numeric: !setting.choices,
  };
}

/** The flags a search may set. */
export const SEARCHABLE = ['layers', 'activation', 'output-activation', ...Object.keys(BY_NAME)];

/**
 * Reads one `--search` spec: `name=a,b,c` (or `a|b|c`, which layer specs
 * need), or a range `name=low..high`, `:log` to draw its logarithm evenly.
 * Every value is checked as the flag itself would check it.
 */
export function parseDimension(spec: string): Dimension {
  const at = spec.indexOf('=');
  const flag = (at < 0 ? spec : spec.slice(0, at)).trim().replace(/^--/, '');
  const what = searchable(flag);
  const fail = (why: string): never => {
    throw new UsageError('E_SEARCH', `${JSON.stringify(spec)}: ${why}`, 'search');
  };
  if (!what) return fail(`no flag --${flag} to search (searchable: ${SEARCHABLE.join(', ')})`);
  const text = at < 0 ? '' : spec.slice(at + 1).trim();
  if (text === '') return fail('give values, e.g. lr=0.01,0.1 or lr=0.001..0.1:log');
  const read = (value: string) => {
    try {
      return what.parse(value.trim());
    } catch (error) {
      if (error instanceof SettingValueError || error instanceof UsageError) {
        return fail(
          `${JSON.stringify(value.trim())} ${error instanceof UsageError ? `is refused: ${error.message}` : error.message.replace(/\.$/, '')}`,
        );
      }
      throw error;
    }
  };
  const range = /^(.+?)\.\.(.+?)(:log)?$/.exec(text);
  if (range && what.numeric) {
    const low = read(range[1]!) as number;
    const high = read(range[2]!) as number;
    if (!(low < high)) return fail(`the range ${range[1]}..${range[2]} is empty or inverted`);
    if (range[3] && !(low > 0)) return fail('a :log range must be above 0');
    return { flag: what.flag, key: what.key, range: { low, high, log: range[3] !== undefined, integer: what.integer } };
  }
  const items = text.split(text.includes('|') || what.key === 'layers' ? '|' : ',').map((v) => v.trim());
  if (items.some((v) => v === '')) return fail('an empty value in the list');
  return { flag: what.flag, key: what.key, values: items.map(read) };
}

/**
 * The trials: every combination (the first dimension varying slowest) when
 * each dimension is a list and there are at most `trials` of them; else
 * `trials` draws, seeded.
 */
export function planTrials(dimensions: Dimension[], trials: number, seed: number): Plan {
  const lists = dimensions.every((d) => d.values);
  const combinations = dimensions.reduce((n, d) => n * (d.values?.length ?? Infinity), 1);
  if (lists && combinations <= trials) {
    let grid: Trial[] = [{}];
    for (const d of dimensions) grid = grid.flatMap((t) => d.values!.map((v): Trial => ({ ...t, [d.key]: v })));
    return { kind: 'grid', trials: grid };
  }
  const random = Random.stream(seed, 'search');
  const drawn = Array.from({ length: trials }, () => {
    const trial: Record<string, unknown> = {};
    for (const d of dimensions) {
      if (d.values)
        trial[d.key] = d.values[Math.min(d.values.length - 1, Math.floor(random.uniform(0, d.values.length)))];
      else {
        const { low, high, log, integer } = d.range!;
        let v = log ? Math.exp(random.uniform(Math.log(low), Math.log(high))) : random.uniform(low, high);
        if (integer) v = Math.min(high, Math.max(low, Math.round(v)));
        else v = Number(v.toPrecision(4)); // settings people can read and retype
        trial[d.key] = v;
      }
    }
    return trial as Trial;
  });
  return { kind: 'random', trials: drawn };
}

/** A trial's settings as command-line flags, e.g. ["--lr", "0.01", "--layers", "auto,16,auto"]. */
export function trialFlags(trial: Trial, dimensions: Dimension[]): string[] {
  return dimensions.flatMap((d) => {
    const value = (trial as Record<string, unknown>)[d.key];
    return [`--${d.flag}`, d.key === 'layers' ? formatSpec(value as number[]) : String(value)];
  });
}

function formatSpec(layers: number[]): string {
  return formatLayerSpec(layers)
    .split(',')
    .map((n) => (n === '0' ? 'auto' : n))
    .join(',');
}
