import type { ColumnReader } from './column-reader.js';
import type { Matrix } from './matrix.js';
import { parseNumber } from './numbers.js';

/** A categorical feature: which column, and its categories in the order of its one-hot columns. */
export interface FeatureEncoding {
  feature: string;
  categories: string[];
}

/** More distinct words than this in a column that was not named as categorical is refused. */
const MAX_LEVELS = 100;

/**
 * Whether a column of words has too many different ones to be categories or
 * classes: more than `MAX_LEVELS`, or (from 20 rows on) one for every other
 * row or more — an id, a date, a name or free text, which a network could only
 * memorise.
 */
export function tooManyLevels(levels: number, rows: number): boolean {
  return levels > MAX_LEVELS || (rows >= 20 && levels > rows / 2);
}

/** Class or category names in a stable order: numerically when all are numbers, else alphabetically. */
export function sortLabels(names: readonly string[]): string[] {
  const numbers = names.map((n) => parseNumber(n));
  if (numbers.every((n) => n !== undefined)) {
    return names
      .map((name, i) => ({ name, n: numbers[i]! }))
      .sort((a, b) => a.n - b.n)
      .map((e) => e.name);
  }
  return [...names].sort();
}

/** The distinct words of a column, numbered in the order they first appear. */
export class WordTable {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  code(word: string): number {
    let code = this.index.get(word);
    if (code === undefined) {
      code = this.names.length;
      this.index.set(word, code);
      this.names.push(word);
    }
    return code;
  }
}

/**
 * Features with each categorical one one-hot in place of its column (its
 * categories sorted, or a model's in the model's order), from the kept rows
 * of `raw`, where a categorical feature's cells are word codes.
 */
export function oneHot(
  raw: Matrix,
  features: readonly ColumnReader[],
  kept: readonly number[],
): { x: Matrix; encoding: FeatureEncoding[]; inputs: string[] } {
  const encoding: FeatureEncoding[] = [];
  const inputs: string[] = [];
  // Per feature: for a categorical one, each word's code → its one-hot position, and how many.
  const positions = features.map((column) => {
    if (column.kind === 'number') {
      inputs.push(column.name);
      return null;
    }
    const categories = column.fixed ? [...column.fixed] : sortLabels(column.wordsUsedBy(kept));
    encoding.push({ feature: column.name, categories });
    for (const c of categories) inputs.push(`${column.name}=${c}`);
    const at = new Map(categories.map((c, i) => [c, i]));
    return { of: Int32Array.from(column.words.names, (word) => at.get(word) ?? -1), width: categories.length };
  });
  const width = inputs.length;
  const data = new Float64Array(kept.length * width);
  kept.forEach((r, i) => {
    let c = i * width;
    features.forEach((column, j) => {
      const position = positions[j];
      if (!position) data[c++] = raw.data[r * raw.cols + j]!;
      else {
        data[c + position.of[column.codes![r]!]!] = 1;
        c += position.width;
      }
    });
  });
  return { x: { rows: kept.length, cols: width, data }, encoding, inputs };
}
