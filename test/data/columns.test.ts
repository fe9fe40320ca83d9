import { describe, expect, it } from 'vitest';
import { chooseColumns } from '../../src/data/columns.js';
import { parseCsv } from '../../src/data/csv.js';
import { UsageError } from '../../src/errors.js';

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
    [{ targets: ['z'] }, /^d\.csv has no column "z" \(its columns: a, b, c, y\)$/],
    [{ features: ['a', 'q'] }, /^d\.csv has no column "q"/],
    [{ ignore: ['y'], targets: ['y'] }, /"y" is the target; it cannot be ignored/],
    [{ features: ['a', 'y'] }, /"y" is both a feature and a target/],
    [{ targets: ['a', 'b', 'c', 'y'] }, /no feature columns left/],
  ])('refuses %j', (choice, message) => {
    expect(() => chooseColumns(table.header, table.file, choice)).toThrow(UsageError);
    expect(() => chooseColumns(table.header, table.file, choice)).toThrow(message);
  });
});

describe('chooseColumns: which option a missing column concerns', () => {
  const thrown = (choice: object) => {
    try {
      chooseColumns(table.header, table.file, choice);
    } catch (error) {
      return error as UsageError;
    }
    throw new Error('expected an error');
  };

  it('names the option as data, for the CLI to word as its flag', () => {
    expect(thrown({ targets: ['z'] }).option).toBe('target');
    expect(thrown({ features: ['q'] }).option).toBe('features');
    expect(thrown({ ignore: ['q'] }).option).toBe('ignore');
  });

  it('columns named by a model or another file are a data error that says who named them', () => {
    expect(() =>
      chooseColumns(table.header, table.file, { features: ['a', 'x9'], namedBy: { features: 'the --init model' } }),
    ).toThrow('d.csv: has no column "x9", which the --init model has');
  });

  it('ignore leaves columns out of the default features, and out of the default target', () => {
    expect(chooseColumns(table.header, table.file, { ignore: ['b'] })).toEqual({
      features: ['a', 'c'],
      targets: ['y'],
    });
    expect(chooseColumns(table.header, table.file, { ignore: ['y'] })).toEqual({
      features: ['a', 'b'],
      targets: ['c'],
    });
  });
});
