import { describe, expect, it } from 'vitest';
import { describeBadCell, NumberReader, parseNumber } from '../../src/data/numbers.js';
import { AutogradError } from '../../src/errors.js';

/** A message as the library says it, its options by name. */
const plain = (marked: string) => new AutogradError('E', marked).message;

describe('describeBadCell', () => {
  it.each([
    ['', 'is empty'],
    ['abc', '"abc" is not a number'],
    ['NaN', '"NaN" is not a finite number'],
    ['-inf', '"-inf" is not a finite number'],
    ['1e400', '"1e400" is too large for a float64'],
  ])('describes %j: %s', (cell, description) => {
    expect(describeBadCell(cell)).toBe(description);
  });
});

describe('parseNumber', () => {
  it.each([
    ['42', 42],
    [' 42 ', 42],
    ['-0.5', -0.5],
    ['+3', 3],
    ['1e-3', 0.001],
    ['2.5E+2', 250],
    ['.5', 0.5],
    ['5.', 5],
    ['-0', -0],
    ['0', 0],
    ['0.25', 0.25],
    ['007', 7],
    ['9e-320', 9e-320],
  ])('%j → %d', (text, value) => expect(parseNumber(text)).toBe(value));

  it.each([
    '',
    ' ',
    'abc',
    'NaN',
    'inf',
    'Infinity',
    '-Infinity',
    '0x10',
    '0X1F',
    '0b101',
    '0o7',
    ' 0x10',
    '1,5',
    '1e400',
    '--1',
    '1e',
    '1_000',
    '12abc',
  ])('%j is not a number', (text) => {
    expect(parseNumber(text)).toBeUndefined();
  });
});

describe('parseNumber agrees with Number() on every decimal it accepts', () => {
  it('for doubles written every way JavaScript writes them, to the bit', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (x, digits) => {
        for (const text of [String(x), x.toFixed(Math.min(digits, 100)), x.toPrecision(1 + (digits % 21))]) {
          const expected = Number(text);
          if (Number.isFinite(expected) && !/[eE]/.test(text))
            expect(Object.is(parseNumber(text), expected)).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('NumberReader: decimal marks', () => {
  const readAll = (reader: NumberReader, cells: string[]) => cells.map((cell) => reader.read(cell));

  it('auto: a column may write fractions with a comma, read as the same double as with a point', () => {
    const reader = new NumberReader('auto');
    expect(readAll(reader, ['71,51', '3', '-0,5', ',25', '1,5e3'])).toEqual([71.51, 3, -0.5, 0.25, 1500]);
    expect(reader.mark).toBe(',');
  });

  it('auto: a column keeps to the first mark it shows; the other is not a number, and says why', () => {
    const points = new NumberReader('auto');
    expect(readAll(points, ['1', '2.25', '1,5'])).toEqual([1, 2.25, undefined]);
    expect(plain(points.whyNot('1,5'))).toBe(
      '"1,5" has a decimal comma, but this column\'s earlier numbers have a decimal point (say decimal , or decimal . to settle it)',
    );
    const commas = new NumberReader('auto');
    expect(readAll(commas, ['2,25', '1.5'])).toEqual([2.25, undefined]);
    expect(plain(commas.whyNot('1.5'))).toMatch(
      /"1\.5" has a decimal point, but this column's earlier numbers have a decimal comma/,
    );
  });

  it('a chosen mark refuses the other (a point may be a thousands separator under ",")', () => {
    const comma = new NumberReader(',');
    expect(readAll(comma, ['1,5', '1.234', '7'])).toEqual([1.5, undefined, 7]);
    expect(plain(comma.whyNot('1.234'))).toBe('"1.234" has a decimal point, but decimal , was given');
    const point = new NumberReader('.');
    expect(point.read('1,5')).toBeUndefined();
    expect(plain(point.whyNot('1,5'))).toBe('"1,5" has a decimal comma, but decimal . was given');
  });

  it('where commas separate fields, a comma in a (quoted) number is not read, and the message hints at --decimal', () => {
    const reader = new NumberReader('auto', false);
    expect(reader.read('71,51')).toBeUndefined();
    expect(plain(reader.whyNot('71,51'))).toBe('"71,51" has a decimal comma; if the file uses them, say decimal ,');
  });

  it('words, thousands groups and two commas are never numbers', () => {
    const reader = new NumberReader(',');
    expect(readAll(reader, ['1,2,3', 'a,5', '1 234,5', ','])).toEqual([undefined, undefined, undefined, undefined]);
  });
});
