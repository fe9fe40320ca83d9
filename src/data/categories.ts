import { parseNumber } from './numbers.js';

/** A categorical feature: which column, and its categories in the order of its one-hot columns. */
export interface FeatureEncoding {
  feature: string;
  categories: string[];
}

/** More distinct words than this in a column that was not named as categorical is refused. */
export const MAX_LEVELS = 100;

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
