import { describe, expect, it } from 'vitest';
import { chooseColumns, numericColumns, parseNumber } from '../../src/data/columns.js';
import { parseCsv } from '../../src/data/csv.js';
import { DataError, UsageError } from '../../src/errors.js';

const table = parseCsv({ name: 'd.csv', text: 'a,b,c,y\n1,2,3,4\n5,6,7,8\n' });

describe('chooseColumns', () => {
  it('defaults to the last column as target and the rest as features', () => {
    expect(chooseColumns(table)).toEqual({ features: ['a', 'b', 'c'], targets: ['y'] });
  });

  it('takes named targets and features', () => {
    expect(chooseColumns(table, { targets: ['a', 'y'] })).toEqual({ features: ['b', 'c'], targets: ['a', 'y'] });
    expect(chooseColumns(table, { features: ['c', 'a'] })).toEqual({ features: ['c', 'a'], targets: ['y'] });
  });

  it.each([
    [{ targets: ['z'] }, /--target: d\.csv has no column "z" \(its columns: a, b, c, y\)/],
    [{ features: ['a', 'q'] }, /--features: d\.csv has no column "q"/],
    [{ features: ['a', 'y'] }, /"y" is both a feature and a target/],
    [{ targets: ['a', 'b', 'c', 'y'] }, /no feature columns left/],
  ])('refuses %j', (choice, message) => {
    expect(() => chooseColumns(table, choice)).toThrow(UsageError);
    expect(() => chooseColumns(table, choice)).toThrow(message);
  });
});

describe('numericColumns', () => {
  it('reads the named columns in the order named', () => {
    const m = numericColumns(table, ['c', 'a']);
    expect([m.rows, m.cols]).toEqual([2, 2]);
    expect(Array.from(m.data)).toEqual([3, 1, 7, 5]);
  });

  it('names file, line and column of a bad cell', () => {
    const bad = parseCsv({ name: 'd.csv', text: 'age,y\n30,1\n\nabc,2\n' });
    expect(() => numericColumns(bad, ['age'])).toThrow(DataError);
    expect(() => numericColumns(bad, ['age'])).toThrow('d.csv line 4, column "age": "abc" is not a number');
    const empty = parseCsv({ name: 'd.csv', text: 'age,y\n,1\n' });
    expect(() => numericColumns(empty, ['age'])).toThrow('d.csv line 2, column "age": is empty');
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
  ])('%j → %d', (text, value) => expect(parseNumber(text)).toBe(value));

  it.each(['', ' ', 'abc', 'NaN', 'inf', 'Infinity', '-Infinity', '0x10', '1,5', '1e400', '--1', '1e'])(
    '%j is not a number',
    (text) => {
      expect(parseNumber(text)).toBeUndefined();
    },
  );
});
