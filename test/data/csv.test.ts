import { describe, expect, it } from 'vitest';
import { MAX_RECORD, parseCsv, readCsv } from '../../src/data/csv.js';
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

  it('detects ; and tab delimiters from the header, or takes one given', () => {
    expect(csv('a;b\n1,5;2\n').records).toEqual([['1,5', '2']]);
    expect(csv('a\tb\n1\t2\n').records).toEqual([['1', '2']]);
    expect(parseCsv({ name: 'd.csv', text: 'a|b\n1|2\n' }, { delimiter: '|' }).records).toEqual([['1', '2']]);
    expect(csv('"a;b",c\n1,2\n').header).toEqual(['a;b', 'c']); // a quoted delimiter does not count
  });

  it('skips lines of only spaces, and reports the line a multi-line record starts on', () => {
    const t = csv('a,b\n   \n"x\ny",1\n2,3\n');
    expect(t.records).toEqual([
      ['x\ny', '1'],
      ['2', '3'],
    ]);
    expect(t.lines).toEqual([3, 5]);
  });

  it.each([
    ['', /d\.csv: the file is empty/],
    ['  \n\n', /d\.csv: the file is empty/],
    ['a,b\n', /d\.csv: has a header row but no data rows/],
    ['a,b\n1,2\n3\n', /d\.csv line 3: has 1 field, but the header has 2/],
    ['a,b\n1,2,3\n', /d\.csv line 2: has 3 fields, but the header has 2/],
    ['a,a\n1,2\n', /d\.csv line 1: the header names "a" twice \(columns 1 and 2\)/],
    ['a,,c\n1,2,3\n', /d\.csv line 1: the header's column 2 has no name/],
    ['a,b\n"1,2\n', /d\.csv line 2: a quoted field opened here is never closed/],
    ['a,b\n"1"x,2\n', /d\.csv line 2: not valid CSV/],
  ])('refuses %j with a located message', (text, message) => {
    expect(() => csv(text)).toThrow(DataError);
    expect(() => csv(text)).toThrow(message);
  });
});

describe('files that are not CSV', () => {
  it('a NUL byte: not a text file, located at once', () => {
    expect(() => csv('a,y\n1,2\n\0\0\0')).toThrow('d.csv line 3: has a NUL byte: this is not a text (CSV) file');
  });

  it('a record longer than 1 MiB: located, without reading on', () => {
    expect(() => csv(`a,y\n1,2\n${'7'.repeat(MAX_RECORD + 1)}\n`)).toThrow(
      'd.csv line 3: a record longer than 1 MiB starts here: this does not look like a CSV file',
    );
    expect(() => csv(`a,y\n"${'x'.repeat(MAX_RECORD)}`)).toThrow(/d\.csv line 2: a record longer than 1 MiB/);
  });

  it('UTF-16 (as some spreadsheets save "Unicode text") is named', async () => {
    async function* utf16() {
      yield Buffer.from('\ufeffa,y\n1,2\n', 'utf16le');
    }
    const read = async () => {
      for await (const _ of readCsv(utf16(), 'u.csv')) void _;
    };
    await expect(read()).rejects.toThrow('u.csv: is UTF-16 text; save it as UTF-8');
  });
});

describe('exports as spreadsheets write them', () => {
  it('line ends of a lone CR, and an Excel "sep=" line, are read', () => {
    expect(csv('a,y\r1,2\r3,4\r').records).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    const excel = csv('sep=;\r\na;y\r\n1,5;2\r\n');
    expect([excel.header, excel.records, excel.delimiter]).toEqual([['a', 'y'], [['1,5', '2']], ';']);
  });
});
