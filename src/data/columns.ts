import { DataError, UsageError } from '../errors.js';

export interface ColumnChoice {
  /** Target column names. Default: the last column. */
  targets?: readonly string[];
  /** Feature column names. Default: every column that is not a target. */
  features?: readonly string[];
}

export interface Columns {
  features: string[];
  targets: string[];
}

/** Decides which columns are features and which are targets, from the header. */
export function chooseColumns(header: readonly string[], file: string, choice: ColumnChoice = {}): Columns {
  const targets = choice.targets ? [...choice.targets] : [header[header.length - 1]!];
  requireColumns(header, file, targets, '--target');
  const features = choice.features ? [...choice.features] : header.filter((name) => !targets.includes(name));
  requireColumns(header, file, features, '--features');
  const overlap = features.find((name) => targets.includes(name));
  if (overlap !== undefined) {
    throw new UsageError('E_COLUMNS', `column ${JSON.stringify(overlap)} is both a feature and a target`);
  }
  if (features.length === 0) {
    throw new UsageError(
      'E_COLUMNS',
      `${file}: no feature columns left once the target is set aside (header: ${header.join(',')})`,
    );
  }
  return { features, targets };
}

function requireColumns(header: readonly string[], file: string, names: readonly string[], flag: string): void {
  for (const name of names) {
    if (!header.includes(name)) {
      throw new UsageError(
        'E_NO_COLUMN',
        `${flag}: ${file} has no column ${JSON.stringify(name)} (its columns: ${header.join(', ')})`,
      );
    }
  }
}

/** Where each named column sits in the header; a missing one is a located error. */
export function columnIndices(header: readonly string[], file: string, names: readonly string[]): number[] {
  return names.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError('E_NO_COLUMN', `has no column ${JSON.stringify(name)}`, { file });
    return i;
  });
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Powers of ten that a double holds exactly. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A decimal number such as `42`, `-0.5`, `1e-3`; surrounding spaces allowed;
 * NaN, Infinity, hex, binary and octal refused.
 *
 * Plain decimals of up to 15 digits — nearly every cell of numeric data — are
 * read here: the digits make an exact integer, and one division by an exact
 * power of ten rounds once, so the result is the same double `Number()` gives
 * (Clinger's fast path), several times faster. Anything else goes the strict way.
 */
export function parseNumber(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 0x2d /* - */) {
    negative = true;
    i = 1;
  }
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      if (dot) decimals++;
    } else if (c === 0x2e /* . */ && !dot) {
      dot = true;
    } else {
      return parseNumberStrictly(text);
    }
  }
  if (digits === 0 || digits > 15) return parseNumberStrictly(text);
  const value = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
  return negative ? -value : value;
}

function parseNumberStrictly(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  const value = Number(t);
  return Number.isFinite(value) ? value : undefined;
}

/** Why a cell is not a usable number, for messages. */
export function describeBadCell(cell: string): string {
  const t = cell.trim();
  if (t === '') return 'is empty';
  if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return `${JSON.stringify(cell)} is not a finite number`;
  if (NUMBER.test(t)) return `${JSON.stringify(cell)} is too large for a float64`;
  return `${JSON.stringify(cell)} is not a number`;
}
