import { DataError, UsageError } from '../errors.js';
import type { Table } from './csv.js';
import { createMatrix, type Matrix } from './matrix.js';

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

/** Decides which columns are features and which are targets. */
export function chooseColumns(table: Table, choice: ColumnChoice = {}): Columns {
  const { header, file } = table;
  const targets = choice.targets ? [...choice.targets] : [header[header.length - 1]!];
  requireColumns(table, targets, '--target');
  const features = choice.features ? [...choice.features] : header.filter((name) => !targets.includes(name));
  requireColumns(table, features, '--features');
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

function requireColumns(table: Table, names: readonly string[], flag: string): void {
  for (const name of names) {
    if (!table.header.includes(name)) {
      throw new UsageError(
        'E_NO_COLUMN',
        `${flag}: ${table.file} has no column ${JSON.stringify(name)} (its columns: ${table.header.join(', ')})`,
      );
    }
  }
}

/** The named columns as numbers; a cell that is not a finite number is an error with its place. */
export function numericColumns(table: Table, names: readonly string[]): Matrix {
  const indices = names.map((name) => {
    const i = table.header.indexOf(name);
    if (i < 0) throw new DataError('E_NO_COLUMN', `has no column ${JSON.stringify(name)}`, { file: table.file });
    return i;
  });
  const m = createMatrix(table.records.length, names.length);
  table.records.forEach((record, r) => {
    indices.forEach((c, j) => {
      const cell = record[c]!;
      const value = parseNumber(cell);
      if (value === undefined) {
        const shown = cell.trim() === '' ? 'is empty' : `${JSON.stringify(cell)} is not a number`;
        throw new DataError('E_NOT_A_NUMBER', shown, { file: table.file, line: table.lines[r], column: names[j] });
      }
      m.data[r * names.length + j] = value;
    });
  });
  return m;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number such as `42`, `-0.5`, `1e-3`; surrounding spaces allowed; NaN, Infinity, hex refused. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!NUMBER.test(t)) return undefined;
  const value = Number(t);
  return Number.isFinite(value) ? value : undefined;
}
