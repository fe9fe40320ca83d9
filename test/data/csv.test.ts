import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { DataError } from '../../src/errors.js';

const csv = (text: string) => parseCsv({ name: 'd.csv', text });

describe('parseCsv', () => {
  it("reads a header and rows, remembering each row's line", () => {
    const t = csv('a,b\n1,2\n\n3,4\n');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.records).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(t.lines).toEqual([2, 4]);
  });

  it('ignores a byte-order mark, accepts CRLF and a missing final newline', () => {
    const t = csv('\ufeffa,b\r\n1,2\r\n3,4');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.records).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('handles quoted fields with commas, quotes and newlines', () => {
    const t = csv('name,x\n"Smith, J. ""Jr""",1\n"two\nlines",2\n');
    expect(t.records).toEqual([
      ['Smith, J. "Jr"', '1'],
      ['two\nlines', '2'],
    ]);
  });

  // Text without quotes takes a fast path; with a quoted header cell the same text goes through csv-parse.
  it.each([
    'a,b\n1,2\n3,4\n',
    '\ufeffa,b\r\n1,2\r\n\r\n3,4',
    'a,b\n\n\n 1 , 2 \n3,\n',
    'a,b,c\n1,2,3\n4,5\n',
    'a\n1\n2\n',
  ])('the fast path reads %j exactly as csv-parse does', (text) => {
    const quoted = text.replace(/^(\ufeff?)a/, '$1"a"');
    let fast: unknown;
    let full: unknown;
    try {
      fast = csv(text);
    } catch (error) {
      fast = (error as Error).message;
    }
    try {
      full = csv(quoted);
    } catch (error) {
      full = (error as Error).message;
    }
    expect(fast).toEqual(full);
  });

  it.each([
    ['', /d\.csv: the file is empty/],
    ['  \n\n', /d\.csv: the file is empty/],
    ['a,b\n', /d\.csv: has a header row but no data rows/],
    ['a,b\n1,2\n3\n', /d\.csv line 3: has 1 field, but the header has 2/],
    ['a,b\n1,2,3\n', /d\.csv line 2: has 3 fields, but the header has 2/],
    ['a,a\n1,2\n', /d\.csv line 1: the header names "a" twice \(columns 1 and 2\)/],
    ['a,,c\n1,2,3\n', /d\.csv line 1: the header's column 2 has no name/],
    ['a,b\n"1,2\n', /d\.csv line 2: a quoted field is opened but never closed/],
  ])('refuses %j with a located message', (text, message) => {
    expect(() => csv(text)).toThrow(DataError);
    expect(() => csv(text)).toThrow(message);
  });
});
