import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { parseLayerSpec } from '../nn/layer-spec.js';
import { flagName } from './terminal.js';

// Option parsers for commander: each refuses a bad value with a message that names what was wrong.

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (/^\s*\d+\s*$/.test(value) && Number.isSafeInteger(n) && n >= 1) return n;
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('must be a positive whole number.');
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number.');
  if (!Number.isSafeInteger(n))
    throw new InvalidArgumentError('must be a positive whole number, and this one is too large.');
  throw new InvalidArgumentError(`must be a positive whole number written in digits, e.g. ${n}.`);
}

export function integer(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('must be a whole number.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a number greater than 0.');
  return n;
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

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number ≥ 0.');
  return n;
}

/** A number in [0, 1). */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n < 1))
    throw new InvalidArgumentError('must be a number from 0 up to (not including) 1.');
  return n;
}

/** A number strictly between 0 and 1. */
export function openFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1))
    throw new InvalidArgumentError('must be a number between 0 and 1, e.g. 0.2.');
  return n;
}
