import { DataError } from '../errors.js';
import {
  chooseColumns,
  columnIndices,
  describeBadCell,
  parseNumber,
  type ColumnChoice,
  type Columns,
} from './columns.js';
import { readCsv, type CsvOptions, type Table } from './csv.js';
import { MatrixBuilder, type Matrix } from './matrix.js';

/** The numeric columns of a CSV file that a model trains or is scored on. */
export interface Dataset {
  file: string;
  header: string[];
  features: string[];
  targets: string[];
  x: Matrix;
  y: Matrix;
  /** Rows skipped for a missing or invalid number (only with `dropInvalid`). */
  dropped: number;
  /** Where the first skipped row was and why, for the report. */
  firstDropped?: string;
}

export interface LoadOptions extends CsvOptions {
  /** Which columns to use; default: the last column is the target, the rest features. */
  choice?: ColumnChoice;
  /** Decides the columns from the header instead of `choice` (e.g. a model's columns). */
  columns?: (header: string[], file: string) => Columns;
  /** Skip rows with a missing or invalid number instead of stopping at the first. */
  dropInvalid?: boolean;
}

/**
 * Reads the chosen columns of a CSV stream straight into typed arrays: only
 * the numbers are kept, never the rows' text, so memory is about 8 bytes a
 * cell used, whatever the file's size.
 */
export async function loadDataset(
  input: AsyncIterable<string | Buffer>,
  file: string,
  options: LoadOptions = {},
): Promise<Dataset> {
  let builder: DatasetBuilder | undefined;
  for await (const batch of readCsv(input, file, options)) {
    builder ??= new DatasetBuilder(batch.header, file, options);
    builder.add(batch.records, batch.lines);
  }
  return builder!.build();
}

/** The same from a table already in memory. */
export function datasetFromTable(table: Table, options: LoadOptions = {}): Dataset {
  const builder = new DatasetBuilder(table.header, table.file, options);
  builder.add(table.records, table.lines);
  return builder.build();
}

class DatasetBuilder {
  private readonly header: string[];
  private readonly file: string;
  private readonly columns: Columns;
  private readonly featureAt: number[];
  private readonly targetAt: number[];
  private readonly x: MatrixBuilder;
  private readonly y: MatrixBuilder;
  private readonly dropInvalid: boolean;
  private dropped = 0;
  private firstDropped: string | undefined;

  constructor(header: string[], file: string, options: LoadOptions) {
    this.header = header;
    this.file = file;
    this.columns = options.columns ? options.columns(header, file) : chooseColumns(header, file, options.choice);
    this.featureAt = columnIndices(header, file, this.columns.features);
    this.targetAt = columnIndices(header, file, this.columns.targets);
    this.x = new MatrixBuilder(this.featureAt.length);
    this.y = new MatrixBuilder(this.targetAt.length);
    this.dropInvalid = options.dropInvalid ?? false;
  }

  add(records: string[][], lines: number[]): void {
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const bad = fill(this.x, record, this.featureAt) ?? fill(this.y, record, this.targetAt);
      if (bad === undefined) continue;
      const column = this.header[bad]!;
      const error = new DataError('E_NOT_A_NUMBER', describeBadCell(record[bad]!), {
        file: this.file,
        line: lines[r],
        column,
      });
      if (!this.dropInvalid) throw error;
      // Undo whatever part of the row was written.
      if (this.x.rows > this.y.rows) this.x.dropLast();
      this.dropped++;
      this.firstDropped ??= error.message;
    }
  }

  build(): Dataset {
    const x = this.x.build();
    if (x.rows === 0) {
      throw new DataError(
        'E_NO_ROWS',
        `no rows left: all ${this.dropped} had a missing or invalid number (first: ${this.firstDropped})`,
        { file: this.file },
      );
    }
    return {
      file: this.file,
      header: this.header,
      features: this.columns.features,
      targets: this.columns.targets,
      x,
      y: this.y.build(),
      dropped: this.dropped,
      firstDropped: this.firstDropped,
    };
  }
}

/** Appends the record's cells at `at` as a row; returns the first bad column's index (row not added). */
function fill(m: MatrixBuilder, record: string[], at: number[]): number | undefined {
  const offset = m.nextRow();
  const values = m.values;
  for (let j = 0; j < at.length; j++) {
    const value = parseNumber(record[at[j]!]!);
    if (value === undefined) {
      m.dropLast();
      return at[j];
    }
    values[offset + j] = value;
  }
  return undefined;
}

/** A batch of records' chosen columns as numbers, for streaming use (e.g. predict). */
export interface NumericBatch {
  x: Matrix;
  /** Index, within the batch, of the record behind each row of `x`. */
  kept: number[];
  dropped: number;
  firstDropped?: string;
}

export function numericBatch(
  records: string[][],
  lines: number[],
  at: number[],
  header: readonly string[],
  file: string,
  dropInvalid: boolean,
): NumericBatch {
  const m = new MatrixBuilder(at.length, records.length);
  const kept: number[] = [];
  let dropped = 0;
  let firstDropped: string | undefined;
  for (let r = 0; r < records.length; r++) {
    const bad = fill(m, records[r]!, at);
    if (bad === undefined) {
      kept.push(r);
      continue;
    }
    const error = new DataError('E_NOT_A_NUMBER', describeBadCell(records[r]![bad]!), {
      file,
      line: lines[r],
      column: header[bad],
    });
    if (!dropInvalid) throw error;
    dropped++;
    firstDropped ??= error.message;
  }
  return { x: m.build(), kept, dropped, firstDropped };
}
