import { CsvError, parse } from 'csv-parse/sync';
import { StringDecoder } from 'node:string_decoder';
import { DataError } from '../errors.js';
import type { Source } from './source.js';

/** A CSV file with a header row, cells still as text. */
export interface Table {
  file: string;
  header: string[];
  records: string[][];
  /** The file line on which each record starts (1-based), for messages. */
  lines: number[];
  /** The field separator, given or detected. */
  delimiter: string;
}

export interface CsvOptions {
  /** Field separator; by default detected from the header line among `,` `;` and tab. */
  delimiter?: string;
}

/** Records as they arrive: a batch of them, with the line each starts on. */
export interface RecordBatch {
  records: string[][];
  lines: number[];
}

const DETECTABLE = [',', ';', '\t'];

/** A record longer than this is not a row of a table: a binary file, or one without line breaks. */
export const MAX_RECORD = 1 << 20;

/**
 * Cuts CSV text into records as it arrives, in pieces of any size. A newline
 * ends a record only outside quotes, so quoted fields may hold newlines,
 * delimiters and doubled quotes. Lines without a quote — nearly all of them in
 * numeric data — are split directly; a record with quotes is handed to
 * csv-parse, which unescapes it and refuses malformed quoting. Blank lines
 * are skipped, a UTF-8 byte-order mark and CR before LF are ignored.
 */
export class CsvSplitter {
  readonly file: string;
  delimiter: string | undefined;
  /** Text of a record whose end has not arrived yet. */
  private carry = '';
  /** Line the carried record starts on (0: nothing carried). */
  private carryLine = 0;
  /** Whether the carried text has an odd number of quotes, i.e. a quoted field is open. */
  private open = false;
  /** Lines completed so far. */
  private line = 0;
  private started = false;
  /** Whether lines end in a lone CR (classic Mac, some exports); undefined until the first line end. */
  private crOnly: boolean | undefined;
  /** Text held until the line ends are known. */
  private held = '';
  /** The column names, once the first record has been read. */
  header: string[] | undefined;

  constructor(file: string, options: CsvOptions = {}) {
    this.file = file;
    this.delimiter = options.delimiter;
  }

  /** Adds text; every record it completes goes into `out`. */
  push(text: string, out: RecordBatch): void {
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      const line = this.line + 1 + countLines(this.crOnly ? text.replace(/\r/g, '\n') : text, nul);
      throw new DataError('E_NOT_TEXT', 'has a NUL byte: this is not a text (CSV) file', { file: this.file, line });
    }
    if (this.crOnly === undefined) {
      // Which line ends the file uses is known at its first CR or LF; until then, hold the text.
      this.held += text;
      this.crOnly = lineEndsAreCR(this.held);
      if (this.crOnly === undefined) {
        if (this.held.length > MAX_RECORD) this.tooLong(1);
        return;
      }
      text = this.held;
      this.held = '';
    }
    this.scan(this.crOnly ? text.replace(/\r/g, '\n') : text, out);
  }

  private scan(text: string, out: RecordBatch): void {
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline < 0) break;
      const piece = text.slice(start, newline);
      start = newline + 1;
      this.line++;
      if (piece.length + this.carry.length > MAX_RECORD) this.tooLong(this.carryLine || this.line);
      if (this.carryLine === 0 && piece.indexOf('"') < 0) {
        this.emit(piece, this.line, out); // the common case: a whole line, no quotes
        continue;
      }
      const whole = this.carry + piece;
      const open = this.open !== oddQuotes(piece);
      const first = this.carryLine || this.line;
      if (open) {
        this.carry = `${whole}\n`;
        this.carryLine = first;
        this.open = true;
      } else {
        this.carry = '';
        this.carryLine = 0;
        this.open = false;
        this.emit(whole, first, out);
      }
    }
    if (start < text.length) {
      const rest = text.slice(start);
      this.carry += rest;
      this.carryLine ||= this.line + 1;
      this.open = this.open !== oddQuotes(rest);
      if (this.carry.length > MAX_RECORD) this.tooLong(this.carryLine);
    }
  }

  private tooLong(line: number): never {
    throw new DataError(
      'E_RECORD_TOO_LONG',
      `a record longer than ${MAX_RECORD / (1 << 20)} MiB starts here: this does not look like a CSV file`,
      { file: this.file, line },
    );
  }

  /** The end of the text: emits a last record without a final newline, or refuses an open quote. */
  end(out: RecordBatch): void {
    if (this.held !== '') {
      this.crOnly = false; // no line end at all: one line
      this.scan(this.held, out);
      this.held = '';
    }
    if (this.carryLine === 0) return;
    if (this.open) {
      throw new DataError('E_CSV_SYNTAX', 'a quoted field opened here is never closed (a " is missing)', {
        file: this.file,
        line: this.carryLine,
      });
    }
    const text = this.carry;
    const line = this.carryLine;
    this.carry = '';
    this.carryLine = 0;
    this.emit(text, line, out);
  }

  private emit(text: string, line: number, out: RecordBatch): void {
    if (text.endsWith('\r')) text = text.slice(0, -1);
    // Blank (or blank-looking) lines carry no record.
    if (text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '')) return;
    // Excel writes the separator on a first line of its own: "sep=;".
    if (!this.header && this.delimiter === undefined && /^sep=.$/i.test(text)) {
      this.delimiter = text[4]!;
      return;
    }
    this.delimiter ??= detectDelimiter(text);
    const fields = text.indexOf('"') < 0 ? text.split(this.delimiter) : this.parseQuoted(text, line);
    // Checked record by record, so the first problem in the file is the one reported.
    if (!this.header) {
      this.header = readHeader(fields, this.file, line);
      return;
    }
    checkWidth(fields, this.header.length, this.file, line);
    out.records.push(fields);
    out.lines.push(line);
  }

  private parseQuoted(text: string, line: number): string[] {
    try {
      const records = parse(text, { delimiter: this.delimiter, relax_column_count: true }) as string[][];
      return records[0] ?? [''];
    } catch (error) {
      if (error instanceof CsvError) {
        throw new DataError('E_CSV_SYNTAX', `not valid CSV: ${error.message.replace(/ at line \d+$/, '')}`, {
          file: this.file,
          line,
        });
      }
      throw error;
    }
  }
}

/** true: the first line end is a CR alone; false: an LF (or CRLF); undefined: none seen yet. */
function lineEndsAreCR(text: string): boolean | undefined {
  const lf = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr < 0 || (lf >= 0 && lf < cr)) return lf >= 0 ? false : undefined;
  return cr + 1 < text.length ? text[cr + 1] !== '\n' : undefined;
}

function countLines(text: string, end: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

function oddQuotes(text: string): boolean {
  let odd = false;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) odd = !odd;
  return odd;
}

/** The most frequent of `,` `;` tab in the header line (outside quotes); `,` when none. */
export function detectDelimiter(headerLine: string): string {
  const unquoted = headerLine.replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const d of DETECTABLE) {
    const count = unquoted.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Checks the header row and turns it into column names: trimmed, none empty,
 * none twice.
 */
function readHeader(fields: string[], file: string, line: number): string[] {
  const header = fields.map((cell) => cell.trim());
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new DataError('E_HEADER', `the header's column ${i + 1} has no name`, { file, line });
    const first = seen.get(name);
    if (first !== undefined) {
      throw new DataError(
        'E_HEADER',
        `the header names ${JSON.stringify(name)} twice (columns ${first + 1} and ${i + 1})`,
        {
          file,
          line,
        },
      );
    }
    seen.set(name, i);
  });
  return header;
}

/** A record must have as many fields as the header. */
function checkWidth(fields: string[], width: number, file: string, line: number): void {
  if (fields.length !== width) {
    throw new DataError(
      'E_RAGGED_ROW',
      `has ${fields.length} field${fields.length === 1 ? '' : 's'}, but the header has ${width}`,
      { file, line },
    );
  }
}

function emptyFileError(file: string): DataError {
  return new DataError('E_EMPTY', 'the file is empty (expected a header row and data rows)', { file });
}

function noRowsError(file: string): DataError {
  return new DataError('E_NO_ROWS', 'has a header row but no data rows', { file });
}

/** Parses CSV text with a header row, all at once (for text already in memory). */
export function parseCsv({ name, text }: Source, options: CsvOptions = {}): Table {
  const splitter = new CsvSplitter(name, options);
  const out: RecordBatch = { records: [], lines: [] };
  splitter.push(text, out);
  splitter.end(out);
  if (!splitter.header) throw emptyFileError(name);
  if (out.records.length === 0) throw noRowsError(name);
  return {
    file: name,
    header: splitter.header,
    records: out.records,
    lines: out.lines,
    delimiter: splitter.delimiter!,
  };
}

/**
 * Reads CSV from a stream of bytes (UTF-8) or text: batches of records, with
 * the header, as they arrive. Memory stays bounded by a chunk of input,
 * whatever the file's size.
 */
export async function* readCsv(
  input: AsyncIterable<string | Buffer>,
  file: string,
  options: CsvOptions = {},
): AsyncGenerator<RecordBatch & { header: string[]; delimiter: string }> {
  const splitter = new CsvSplitter(file, options);
  const decoder = new StringDecoder('utf8');
  let rows = 0;
  let first = true;
  for await (const chunk of input) {
    if (first && typeof chunk !== 'string' && chunk.length >= 2) {
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        throw new DataError('E_NOT_UTF8', 'is UTF-16 text; save it as UTF-8 (CSV UTF-8 in spreadsheets)', { file });
      }
    }
    first = false;
    const batch: RecordBatch = { records: [], lines: [] };
    splitter.push(typeof chunk === 'string' ? chunk : decoder.write(chunk), batch);
    rows += batch.records.length;
    if (batch.records.length > 0) yield { header: splitter.header!, delimiter: splitter.delimiter!, ...batch };
  }
  const last: RecordBatch = { records: [], lines: [] };
  splitter.push(decoder.end(), last);
  splitter.end(last);
  rows += last.records.length;
  if (last.records.length > 0) yield { header: splitter.header!, delimiter: splitter.delimiter!, ...last };
  if (!splitter.header) throw emptyFileError(file);
  if (rows === 0) throw noRowsError(file);
}
