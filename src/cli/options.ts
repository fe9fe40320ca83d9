import { InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../errors.js';
import { parseLayerSpec } from '../nn/layer-spec.js';
import * as values from '../train/settings.js';
import type { Setting } from '../train/settings.js';
import { flagName } from './terminal.js';

// Option parsers for commander: each refuses a bad value with a message that names what was wrong.

/** A library parser as commander's: its refusal becomes commander's usage error. */
function parser<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      if (error instanceof values.SettingValueError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}

export const positiveInteger = parser(values.positiveInteger);
export const integer = parser(values.integer);
export const positiveNumber = parser(values.positiveNumber);
export const openFraction = parser(values.openFraction);

/** A training setting's flag, with its parser, choices and default, as the settings table says. */
export function settingOption(setting: Setting): Option {
  const option = new Option(setting.flags, setting.doc);
  if (setting.parse) option.argParser(parser(setting.parse));
  if (setting.choices) option.choices(setting.choices);
  // Negatable flags (--no-shuffle) default to true by themselves; no default is shown for "none".
  if (!option.negate && setting.default !== null) option.default(setting.default);
  return option;
}

/** The name commander gives a setting's flag value (e.g. "lr" for learningRate). */
export function settingAttribute(setting: Setting): string {
  return new Option(setting.flags).attributeName();
}

export function layerSpec(value: string): number[] {
  try {
    return parseLayerSpec(value);
  } catch (error) {
    if (error instanceof UsageError) throw new InvalidArgumentError(error.worded(flagName));
    throw error;
  }
}

/** "a, b,c" → ["a", "b", "c"]; an empty name is refused. */
export function nameList(value: string): string[] {
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === ''))
    throw new InvalidArgumentError('must be comma-separated column names, none empty.');
  return names;
}

/** A single character; "tab" or "\\t" for a tab. Quotes and line breaks cannot separate fields. */
export function delimiter(value: string): string {
  const d = value === 'tab' || value === '\\t' ? '\t' : value;
  if ([...d].length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new InvalidArgumentError('must be a single character such as , ; | or "tab".');
  }
  return d;
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number.');
  return n;
}

/** "0.5,-1" → [0.5, -1]. */
export function numberList(value: string): number[] {
  const parts = value.split(',');
  const numbers = parts.map((p) => Number(p));
  if (parts.some((p) => p.trim() === '') || numbers.some((n) => !Number.isFinite(n))) {
    throw new InvalidArgumentError('must be comma-separated numbers, e.g. 0.5,-1.');
  }
  return numbers;
}
