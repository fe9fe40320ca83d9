import { option } from '../errors.js';
import { quote } from '../text.js';

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

/** Which character separates a number's fraction: `.`, `,`, or either (each column keeps to the first it uses). */
export type DecimalMark = '.' | ',' | 'auto';

const COMMA_NUMBER = /^\s*[+-]?(\d+,\d*|,\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Reads one column's numbers. A column keeps to one decimal mark: the first
 * cell with a fraction decides it, so `1,5` after `2.25` (or the reverse) is
 * not read as a number. Commas are read only when allowed: `--decimal ,`, or
 * "auto" in a file whose fields are not separated by commas.
 */
export class NumberReader {
  /** The mark this column's fractions use, once chosen or shown by a cell. */
  mark: '.' | ',' | undefined;
  /** How the mark came to be fixed before any cell: chosen by the user, or commas ruled out by the separator. */
  private readonly fixedBy: 'user' | 'separator' | undefined;
  /** The cell that showed this column's decimal comma, for messages. */
  commaExample: string | undefined;

  constructor(decimal: DecimalMark, commasPossible = true) {
    if (decimal !== 'auto') {
      this.mark = decimal;
      this.fixedBy = 'user';
    } else if (!commasPossible) {
      this.mark = '.';
      this.fixedBy = 'separator';
    }
  }

  read(cell: string): number | undefined {
    const value = parseNumber(cell);
    if (value !== undefined) {
      // Most columns settle on "." at their first fraction; only then is no look needed.
      if (this.mark !== '.' && cell.indexOf('.') >= 0) {
        if (this.mark === ',') return undefined;
        this.mark = '.';
      }
      return value;
    }
    if (this.mark === '.' || !COMMA_NUMBER.test(cell)) return undefined;
    this.mark = ',';
    this.commaExample ??= cell.trim();
    return parseNumber(cell.replace(',', '.').trim());
  }

  /** Why `cell` is not a number here, for messages. */
  whyNot(cell: string): string {
    const t = cell.trim();
    const decimal = option('decimal');
    const settle = `(say ${decimal} , or ${decimal} . to settle it)`;
    if (this.mark === '.' && COMMA_NUMBER.test(t)) {
      if (this.fixedBy === 'user') return `${quote(cell)} has a decimal comma, but ${decimal} . was given`;
      if (this.fixedBy === 'separator')
        return `${quote(cell)} has a decimal comma; if the file uses them, say ${decimal} ,`;
      return `${quote(cell)} has a decimal comma, but this column's earlier numbers have a decimal point ${settle}`;
    }
    if (this.mark === ',' && parseNumber(t) !== undefined) {
      return this.fixedBy === 'user'
        ? `${quote(cell)} has a decimal point, but ${decimal} , was given`
        : `${quote(cell)} has a decimal point, but this column's earlier numbers have a decimal comma ${settle}`;
    }
    return describeBadCell(cell);
  }
}

/** Whether a cell reads as a number with a decimal comma (as some spreadsheets write them). */
export function hasDecimalComma(cell: string): boolean {
  return COMMA_NUMBER.test(cell);
}

/** Why a cell is not a usable number, for messages. */
export function describeBadCell(cell: string): string {
  const t = cell.trim();
  if (t === '') return 'is empty';
  if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return `${quote(cell)} is not a finite number`;
  if (NUMBER.test(t)) return `${quote(cell)} is too large for a float64`;
  return `${quote(cell)} is not a number`;
}
