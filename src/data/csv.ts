import { CsvError, parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';
import type { Source } from './source.js';

/** A CSV file with a header row, cells still as text. */
export interface Table {
  file: string;
  header: string[];
  records: string[][];
  /** The file line on which each record ends (1-based), for messages. */
  lines: number[];
}

/**
 * Parses CSV text with a header row. Blank lines are skipped; every record must
 * have as many fields as the header. A UTF-8 byte-order mark is ignored.
 */
export function parseCsv({ name, text }: Source): Table {
  if (text.trim() === '') {
    throw new DataError('E_EMPTY', 'the file is empty (expected a header row and data rows)', { file: name });
  }
  // Without a quote character CSV is only lines and commas: split it directly, several times faster.
  const parsed = text.includes('"') ? parseQuoted(text, name) : parsePlain(text);
  const [head, ...rows] = parsed;
  if (!head) throw new DataError('E_EMPTY', 'the file is empty (expected a header row and data rows)', { file: name });
  const header = head.record.map((cell) => cell.trim());
  checkHeader(header, name, head.info.lines);
  if (rows.length === 0) {
    throw new DataError('E_NO_ROWS', 'has a header row but no data rows', { file: name });
  }
  for (const { record, info } of rows) {
    if (record.length !== header.length) {
      throw new DataError(
        'E_RAGGED_ROW',
        `has ${record.length} field${record.length === 1 ? '' : 's'}, but the header has ${header.length}`,
        { file: name, line: info.lines },
      );
    }
  }
  return { file: name, header, records: rows.map((r) => r.record), lines: rows.map((r) => r.info.lines) };
}

/** A record and the line on which it ends, as csv-parse reports them with `info: true`. */
interface Parsed {
  record: string[];
  info: { lines: number };
}

function parsePlain(text: string): Parsed[] {
  const out: Parsed[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') continue;
    out.push({ record: line.split(','), info: { lines: i + 1 } });
  }
  return out;
}

function parseQuoted(text: string, name: string): Parsed[] {
  try {
    return parse(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
    }) as unknown as Parsed[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      const message =
        error.code === 'CSV_QUOTE_NOT_CLOSED'
          ? 'a quoted field is opened but never closed (a " is missing)'
          : `not valid CSV: ${error.message}`;
      throw new DataError('E_CSV_SYNTAX', message, { file: name, line });
    }
    throw error;
  }
}

function checkHeader(header: string[], file: string, line: number): void {
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') {
      throw new DataError('E_HEADER', `the header's column ${i + 1} has no name`, { file, line });
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new DataError(
        'E_HEADER',
        `the header names ${JSON.stringify(name)} twice (columns ${first + 1} and ${i + 1})`,
        { file, line },
      );
    }
    seen.set(name, i);
  });
}
