import { describe, expect, it } from 'vitest';
import { datasetFromTable, FeatureBatches } from '../../src/data/dataset.js';
import { parseCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';

const table = parseCsv({ name: 'd.csv', text: 'a,b,c,y\n1,2,3,4\n5,6,7,8\n' });

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
    expect(data.firstDropped?.message).toBe('m.csv line 3, column "a": "NaN" is not a finite number');
    const batch = new FeatureBatches(messy.header, 'm.csv', ',', ['a'], { dropInvalid: true }).read(
      messy.records,
      messy.lines,
    );
    expect(batch.kept).toEqual([0, 2, 3, 4]);
    expect(batch.dropped).toBe(1);
  });

  it('with dropInvalid, a file with no good row is still an error', () => {
    const hopeless = parseCsv({ name: 'h.csv', text: 'a,y\nx,1\n' });
    expect(() => datasetFromTable(hopeless, { dropInvalid: true })).toThrow(
      /h\.csv: no rows left: all 1 row had a bad cell/,
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
    expect(() => load('x,y\n1,a\n2,a\n')).toThrow(/the target has only one class \("a"\)/);
    expect(() => load('x,y\n1,a\n2,\n')).toThrow(/c\.csv line 3, column "y": is empty/);
    expect(() => load('x,y\n1,a\n2,z\n', { classes: ['a', 'b'] })).toThrow(
      /label "z" is not one of the model's classes \(a, b\)/,
    );
  });
});

describe('categorical features', () => {
  const text = 'size,colour,y\n1,red,2\n2,blue,3\n3,red,4\n4,green,5\n';
  it('auto: a column of words is one-hot, categories sorted, in place of its column', () => {
    const d = datasetFromTable(parseCsv({ name: 'c.csv', text }), { detectCategorical: true });
    expect(d.encoding).toEqual([{ feature: 'colour', categories: ['blue', 'green', 'red'] }]);
    expect(d.inputs).toEqual(['size', 'colour=blue', 'colour=green', 'colour=red']);
    expect(Array.from(d.x.data.subarray(0, 8))).toEqual([1, 0, 0, 1, 2, 1, 0, 0]);
  });

  it('auto leaves a numeric column with a stray word as an error, with a hint', () => {
    const messy = parseCsv({ name: 'c.csv', text: 'a,y\n1,2\nabc,3\n' });
    expect(() => datasetFromTable(messy, { detectCategorical: true })).toThrow(
      'c.csv line 3, column "a": "abc" is not a number (dropInvalid skips such rows; categorical a if it holds categories)',
    );
  });

  it("a model's categories are fixed: an unseen one is a located error", () => {
    const encoding = [{ feature: 'colour', categories: ['blue', 'red'] }];
    expect(() => datasetFromTable(parseCsv({ name: 'c.csv', text }), { encoding })).toThrow(
      'c.csv line 5, column "colour": category "green" was not seen in training (known: blue, red)',
    );
    const batch = new FeatureBatches(['size', 'colour'], 'n.csv', ',', ['size', 'colour'], { encoding }).read(
      [['7', 'red']],
      [2],
    );
    expect(Array.from(batch.x.data)).toEqual([7, 0, 1]);
  });
});

describe('what a column holds is decided from all of its cells', () => {
  const csv = (name: string, lines: string[]) => parseCsv({ name, text: `${lines.join('\n')}\n` });
  const numbers = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

  it('a numeric target with a typo is an error at the typo, not a classifier (auto)', () => {
    const rows = numbers(60, (i) => `${i},${(i * 1.5).toFixed(2)}`);
    rows[40] = '40,12O.50';
    const file = csv('t.csv', ['x,y', ...rows]);
    expect(() => datasetFromTable(file, { task: 'auto' })).toThrow(
      't.csv line 42, column "y": "12O.50" is not a number (dropInvalid skips such rows; task classify if "y" holds labels)',
    );
    const dropped = datasetFromTable(file, { task: 'auto', dropInvalid: true });
    expect([dropped.classes, dropped.y.rows, dropped.dropped]).toEqual([null, 59, 1]);
    expect(datasetFromTable(file, { task: 'classify' }).classes).toHaveLength(60);
  });

  it('a stray word in a numeric feature is an error even where word columns become categories', () => {
    const rows = numbers(30, (i) => `${i % 7},${i}`);
    rows[3] = 'seven,3';
    expect(() => datasetFromTable(csv('f.csv', ['a,y', ...rows]), { detectCategorical: true })).toThrow(
      /f\.csv line 5, column "a": "seven" is not a number/,
    );
  });

  it('words with a few numbers among them are neither: located, with the flag that settles it', () => {
    const rows = numbers(12, (i) => `${i},${['red', 'green', 'blue'][i % 3]}`);
    rows[5] = '5,3';
    expect(() => datasetFromTable(csv('m.csv', ['x,y', ...rows]), { task: 'auto' })).toThrow(
      'm.csv line 7, column "y": "3" is a number among 11 words; if these are labels, say task classify',
    );
  });

  it('a numbers column with a missing-value marker (NA) over and over is numbers with bad cells, not labels', () => {
    const rows = numbers(30, (i) => `${i},${i % 3 ? 'NA' : i * 2}`);
    expect(() => datasetFromTable(csv('na.csv', ['x,y', ...rows]), { task: 'auto' })).toThrow(
      'na.csv line 3, column "y": "NA" is not a number',
    );
    expect(datasetFromTable(csv('na.csv', ['x,y', ...rows]), { task: 'auto', dropInvalid: true }).y.rows).toBe(10);
  });

  it('decimal commas in a ;-separated export are numbers, and the columns are named', () => {
    const file = parseCsv({ name: 'e.csv', text: '\ufeffa;b;y\r\n71,51;3;1,5\r\n-2,25;4;0,25\r\n' });
    const d = datasetFromTable(file, { task: 'auto', detectCategorical: true });
    expect(Array.from(d.x.data)).toEqual([71.51, 3, -2.25, 4]);
    expect(Array.from(d.y.data)).toEqual([1.5, 0.25]);
    expect([d.classes, d.encoding, d.decimalComma]).toEqual([null, [], ['a', 'y']]);
    expect(d.decimalCommaExample).toBe('71,51'); // the first such cell, for the notice
    const later = parseCsv({ name: 'f.csv', text: 'a;y\n2;3\n 4,5 ;6,75\n' });
    expect(datasetFromTable(later).decimalCommaExample).toBe('4,5');
    expect(datasetFromTable(file, { decimal: ',' }).decimalComma).toEqual([]);
    expect(() => datasetFromTable(file, { decimal: '.' })).toThrow(
      'e.csv line 2, column "a": "71,51" has a decimal comma, but decimal . was given',
    );
  });

  it('quoted decimal commas in a comma-separated file are not taken for categories: the error hints at --decimal', () => {
    const file = csv('q.csv', ['a,y', '"1,5",1', '"2,5",2', '"3,25",3']);
    expect(() => datasetFromTable(file, { task: 'auto', detectCategorical: true })).toThrow(
      'q.csv line 2, column "a": "1,5" has a decimal comma; if the file uses them, say decimal ,',
    );
    expect(Array.from(datasetFromTable(file, { decimal: ',' }).x.data)).toEqual([1.5, 2.5, 3.25]);
  });

  it('a column of words with about one per row (a date, an id) is refused, naming it', () => {
    const rows = numbers(40, (i) => `2024-01-${String(i + 1).padStart(2, '0')},${i % 5},${i}`);
    const file = csv('d.csv', ['date,x,y', ...rows]);
    expect(() => datasetFromTable(file, { detectCategorical: true })).toThrow(
      'd.csv, column "date": has 40 different values in 40 rows, like an id, a date or free text: leave it out with ignore date, or say categorical date to one-hot encode it anyway',
    );
    expect(datasetFromTable(file, { detectCategorical: true, choice: { ignore: ['date'] } }).features).toEqual(['x']);
    expect(datasetFromTable(file, { categorical: ['date'] }).x.cols).toBe(41);
    const labels = csv('n.csv', ['x,name', ...numbers(40, (i) => `${i},person${i}`)]);
    expect(() => datasetFromTable(labels, { task: 'auto' })).toThrow(
      /has 40 different values in 40 rows: too many to be classes/,
    );
  });

  it('notes features that count up like row numbers, and whole-number targets with few values', () => {
    const rows = numbers(30, (i) => `${i + 1},${100 + i * 3},${(i * 7) % 10},${i % 3}`);
    const d = datasetFromTable(csv('r.csv', ['id,customer_id,x,y', ...rows]), { task: 'auto' });
    expect(d.rowNumbers).toEqual(['id', 'customer_id']);
    expect(d.wholeLevels).toBe(3);
    const plain = datasetFromTable(csv('p.csv', ['a,y', '3,0.5', '1,1.5', '2,2']));
    expect([plain.rowNumbers, plain.wholeLevels]).toEqual([[], 0]);
  });

  it('categorical names must be features of the file', () => {
    const file = csv('c.csv', ['a,b,y', '1,x,2']);
    expect(() => datasetFromTable(file, { categorical: ['q'] })).toThrow(/c\.csv has no column "q"/);
    expect(() => datasetFromTable(file, { categorical: ['y'] })).toThrow(/"y" is the target/);
  });

  it('keeps every message short, whatever the data holds', () => {
    const huge = '9'.repeat(5000);
    const file = csv('h.csv', ['a,y', `${huge}x\u0007,1`, ...numbers(5, (i) => `${i},${i}`)]);
    let message = '';
    try {
      datasetFromTable(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^h\.csv line 2, column "a": "9{39}…" is not a number/);
    expect(message.length).toBeLessThan(200);
  });
});
