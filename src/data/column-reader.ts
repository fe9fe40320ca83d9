import { WordTable } from './categories.js';
import type { NumberReader } from './numbers.js';

/** A cell's code where it is not a number: empty, or a word's index in the column's `WordTable`. */
export const NUMBER = -1;
export const EMPTY = -2;

/** Names under which people keep row numbers and identifiers. */
export const ID_NAME = /^(id|ids|index|idx|row|rownum|row_?number|no|nr|num|key|#)$|[_ .-]id$|[a-z]Id$|^id[_ .-]/i;

/** One used column as it is read, and (at the end) what it turned out to hold. */
export class ColumnReader {
  readonly name: string;
  readonly at: number;
  readonly role: 'feature' | 'target';
  /** "words": categories or labels; "auto": decided at the end from what the cells hold. */
  kind: 'number' | 'words' | 'auto';
  readonly numbers: NumberReader;
  readonly words = new WordTable();
  /** A model's categories or classes: no others are accepted. */
  readonly fixed: readonly string[] | undefined;
  /** Per row: NUMBER, EMPTY or a word's code; absent while every cell so far was a number. */
  codes: number[] | undefined;
  numberCount = 0;
  wordCount = 0;
  firstNumber: { row: number; cell: string } | undefined;
  // Whether the numbers so far count up as row numbers do.
  increasing = true;
  consecutive = true;
  private previous = Number.NEGATIVE_INFINITY;

  constructor(
    name: string,
    at: number,
    role: 'feature' | 'target',
    kind: 'number' | 'words' | 'auto',
    numbers: NumberReader,
    fixed?: readonly string[],
  ) {
    this.name = name;
    this.at = at;
    this.role = role;
    this.kind = kind;
    this.numbers = numbers;
    this.fixed = fixed;
  }

  /** The cell as a number, or NaN with its code noted. */
  read(cell: string, row: number): number {
    if (this.kind !== 'words') {
      const value = this.numbers.read(cell);
      if (value !== undefined) {
        this.numberCount++;
        this.firstNumber ??= { row, cell };
        this.codes?.push(NUMBER);
        if (this.increasing) this.countUp(value);
        return value;
      }
    }
    const word = cell.trim();
    let code = EMPTY;
    if (word !== '') {
      this.wordCount++;
      code = this.words.code(word);
    }
    (this.codes ??= new Array<number>(row).fill(NUMBER)).push(code);
    return Number.NaN;
  }

  private countUp(value: number): void {
    if (!Number.isInteger(value) || value <= this.previous) {
      this.increasing = false;
      return;
    }
    if (this.previous === Number.NEGATIVE_INFINITY ? value > 1 : value !== this.previous + 1) {
      this.consecutive = false;
    }
    this.previous = value;
  }

  /** The words that the given rows use, in the order first seen. */
  wordsUsedBy(rows: readonly number[]): string[] {
    const used = new Uint8Array(this.words.names.length);
    for (const r of rows) used[this.codes![r]!] = 1;
    return this.words.names.filter((_, code) => used[code]);
  }

  /** Forgets the rows read (a streaming batch is done); what the column has shown stays. */
  clearRows(): void {
    this.codes = this.kind === 'words' ? [] : undefined;
  }
}
