import { describe, expect, it } from 'vitest';
import { chooseColumns, describeBadCell, parseNumber } from '../../src/data/columns.js';
import { datasetFromTable, numericBatch } from '../../src/data/dataset.js';
import { parseCsv } from '../../src/data/csv.js';
import { DataError, UsageError } from '../../src/errors.js';

const table = parseCsv({ name: 'd.csv', text: 'a,b,c,y\n1,2,3,4\n5,6,7,8\n' });

describe('chooseColumns', () => {
  it('defaults to the last column as target and the rest as features', () => {
    expect(chooseColumns(table.header, table.file)).toEqual({ features: ['a', 'b', 'c'], targets: ['y'] });
  });

  it('takes named targets and features', () => {
    expect(chooseColumns(table.header, table.file, { targets: ['a', 'y'] })).toEqual({
      features: ['b', 'c'],
      targets: ['a', 'y'],
    });
    expect(chooseColumns(table.header, table.file, { features: ['c', 'a'] })).toEqual({
      features: ['c', 'a'],
      targets: ['y'],
    });
  });

  it.each([
    [{ targets: ['z'] }, /--target: d\.csv has no column "z" \(its columns: a, b, c, y\)/],
    [{ features: ['a', 'q'] }, /--features: d\.csv has no column "q"/],
    [{ features: ['a', 'y'] }, /"y" is both a feature and a target/],
    [{ targets: ['a', 'b', 'c', 'y'] }, /no feature columns left/],
  ])('refuses %j', (choice, message) => {
    expect(() => chooseColumns(table.header, table.file, choice)).toThrow(UsageError);
    expect(() => chooseColumns(table.header, table.file, choice)).toThrow(message);
  });
});

describe('numeric columns', () => {
  it('reads the named columns in the order named', () => {
    const m = datasetFromTable(table, { choice: { features: ['c', 'a'] } }).x;
    expect([m.rows, m.cols]).toEqual([2, 2]);
    expect(Array.from(m.data)).toEqual([3, 1, 7, 5]);
  });

  it('names file, line and column of a bad cell', () => {
    const bad = parseCsv({ name: 'd.csv', text: 'age,y\n30,1\n\nabc,2\n' });
    expect(() => datasetFromTable(bad)).toThrow(DataError);
    expect(() => datasetFromTable(bad)).toThrow('d.csv line 4, column "age": "abc" is not a number');
    const empty = parseCsv({ name: 'd.csv', text: 'age,y\n,1\n' });
    expect(() => datasetFromTable(empty)).toThrow('d.csv line 2, column "age": is empty');
  });

  it('with dropInvalid, skips bad rows, counts them and keeps the first reason', () => {
    const messy = parseCsv({ name: 'm.csv', text: 'a,y\n1,2\nNaN,3\n4,inf\n5,\n6,7\n' });
    const data = datasetFromTable(messy, { dropInvalid: true });
    expect(Array.from(data.x.data)).toEqual([1, 6]);
    expect(Array.from(data.y.data)).toEqual([2, 7]);
    expect(data.dropped).toBe(3);
    expect(data.firstDropped).toBe('m.csv line 3, column "a": "NaN" is not a finite number');
    const batch = numericBatch(messy.records, messy.lines, [0], messy.header, 'm.csv', true);
    expect(batch.kept).toEqual([0, 2, 3, 4]);
    expect(batch.dropped).toBe(1);
  });

  it('with dropInvalid, a file with no good row is still an error', () => {
    const hopeless = parseCsv({ name: 'h.csv', text: 'a,y\nx,1\n' });
    expect(() => datasetFromTable(hopeless, { dropInvalid: true })).toThrow(
      /h\.csv: no rows left: all 1 had a missing or invalid number/,
    );
  });

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

describe('class labels', () => {
  const load = (text: string, options = {}) =>
    datasetFromTable(parseCsv({ name: 'c.csv', text }), { task: 'auto', ...options } as never);

  it('auto: text labels classify, sorted; three or more classes are one-hot', () => {
    const d = load('x,kind\n1,cat\n2,dog\n3,bird\n4,cat\n');
    expect(d.classes).toEqual(['bird', 'cat', 'dog']);
    expect(d.y.cols).toBe(3);
    expect(Array.from(d.y.data)).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it('two classes are one 0/1 column (the second class is 1); numbers sort as numbers', () => {
    const d = load('x,y\n1,10\n2,9\n3,10\n', { task: 'classify' });
    expect(d.classes).toEqual(['9', '10']);
    expect(d.y.cols).toBe(1);
    expect(Array.from(d.y.data)).toEqual([1, 0, 1]);
  });

  it('auto: numeric targets stay regression', () => {
    const d = load('x,y\n1,0.5\n2,1.5\n');
    expect(d.classes).toBeNull();
    expect(Array.from(d.y.data)).toEqual([0.5, 1.5]);
  });

  it('refuses one class, an empty label, and a label the model does not know', () => {
    expect(() => load('x,y\n1,a\n2,a\n')).toThrow(/the target has only one class \(a\)/);
    expect(() => load('x,y\n1,a\n2,\n')).toThrow(/c\.csv line 3, column "y": is empty/);
    expect(() => load('x,y\n1,a\n2,z\n', { classes: ['a', 'b'] })).toThrow(
      /label "z" is not one of the model's classes \(a, b\)/,
    );
  });
});

describe('categorical features', () => {
  const text = 'size,colour,y\n1,red,2\n2,blue,3\n3,red,4\n4,green,5\n';
  it('auto: a column of words is one-hot, categories sorted, in place of its column', () => {
    const d = datasetFromTable(parseCsv({ name: 'c.csv', text }), { categorical: 'auto' });
    expect(d.encoding).toEqual([{ feature: 'colour', categories: ['blue', 'green', 'red'] }]);
    expect(d.inputs).toEqual(['size', 'colour=blue', 'colour=green', 'colour=red']);
    expect(Array.from(d.x.data.subarray(0, 8))).toEqual([1, 0, 0, 1, 2, 1, 0, 0]);
  });

  it('auto leaves a numeric column with a stray word as an error, with a hint', () => {
    const messy = parseCsv({ name: 'c.csv', text: 'a,y\n1,2\nabc,3\n' });
    expect(() => datasetFromTable(messy, { categorical: 'auto' })).toThrow(
      'c.csv line 3, column "a": "abc" is not a number (if "a" holds categories, say --categorical a)',
    );
  });

  it("a model's categories are fixed: an unseen one is a located error", () => {
    const encoding = [{ feature: 'colour', categories: ['blue', 'red'] }];
    expect(() => datasetFromTable(parseCsv({ name: 'c.csv', text }), { encoding })).toThrow(
      'c.csv line 5, column "colour": category "green" was not seen in training (known: blue, red)',
    );
    const batch = numericBatch([['7', 'red']], [2], [0, 1], ['size', 'colour'], 'n.csv', false, encoding);
    expect(Array.from(batch.x.data)).toEqual([7, 0, 1]);
  });
});
