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
  /** For classification: the class names, in the order of the outputs (y is one-hot, or 0/1 for two classes). */
  classes: string[] | null;
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
  /**
   * "regress": numeric targets. "classify": the target column holds class
   * labels. "auto": classify when a target cell is not a number. Default "regress".
   */
  task?: 'regress' | 'classify' | 'auto';
  /** Known classes (a trained model's): labels outside them are an error. */
  classes?: readonly string[];
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
  /** Label mode: each row's label, as an index into `labelNames` (first seen first). */
  private readonly labels: number[] | undefined;
  private readonly labelIndex = new Map<string, number>();
  private readonly labelNames: string[] = [];
  private labelsAllNumeric = true;
  private readonly options: LoadOptions;

  constructor(header: string[], file: string, options: LoadOptions) {
    this.options = options;
    this.header = header;
    this.file = file;
    this.columns = options.columns ? options.columns(header, file) : chooseColumns(header, file, options.choice);
    this.featureAt = columnIndices(header, file, this.columns.features);
    this.targetAt = columnIndices(header, file, this.columns.targets);
    this.x = new MatrixBuilder(this.featureAt.length);
    this.y = new MatrixBuilder(this.targetAt.length);
    this.dropInvalid = options.dropInvalid ?? false;
    const task = options.task ?? 'regress';
    if (task !== 'regress') {
      if (this.targetAt.length !== 1) {
        if (task === 'classify')
          throw new DataError('E_CLASSIFY', 'classification takes exactly one target column', { file });
      } else {
        this.labels = [];
      }
    }
  }

  add(records: string[][], lines: number[]): void {
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const bad =
        fill(this.x, record, this.featureAt) ??
        (this.labels ? this.label(record) : fill(this.y, record, this.targetAt));
      if (bad === undefined) continue;
      const column = this.header[bad]!;
      const error = new DataError('E_NOT_A_NUMBER', describeBadCell(record[bad]!), {
        file: this.file,
        line: lines[r],
        column,
      });
      if (!this.dropInvalid) throw error;
      // Undo whatever part of the row was written.
      if (this.x.rows > (this.labels ? this.labels.length : this.y.rows)) this.x.dropLast();
      this.dropped++;
      this.firstDropped ??= error.message;
    }
  }

  /** Label mode: records the row's label; returns the target's index when it is empty. */
  private label(record: string[]): number | undefined {
    const column = this.targetAt[0]!;
    const text = record[column]!.trim();
    if (text === '') return column;
    let index = this.labelIndex.get(text);
    if (index === undefined) {
      index = this.labelNames.length;
      this.labelIndex.set(text, index);
      this.labelNames.push(text);
      if (parseNumber(text) === undefined) this.labelsAllNumeric = false;
    }
    this.labels!.push(index);
    return undefined;
  }

  /** Label mode, at the end: classes, and y one-hot (or 0/1 for two); or plain numbers after all ("auto"). */
  private targets(): { y: Matrix; classes: string[] | null } {
    const labels = this.labels!;
    const classify = this.options.task === 'classify' || !this.labelsAllNumeric || this.options.classes !== undefined;
    if (!classify) {
      const values = this.labelNames.map((name) => parseNumber(name)!);
      return { y: { rows: labels.length, cols: 1, data: Float64Array.from(labels, (i) => values[i]!) }, classes: null };
    }
    const classes = this.options.classes ? [...this.options.classes] : sortLabels(this.labelNames);
    const where = new Map(classes.map((name, k) => [name, k]));
    const unknown = this.labelNames.find((name) => !where.has(name));
    if (unknown !== undefined) {
      throw new DataError(
        'E_CLASS',
        `label ${JSON.stringify(unknown)} is not one of the model's classes (${classes.join(', ')})`,
        {
          file: this.file,
          column: this.columns.targets[0],
        },
      );
    }
    if (classes.length < 2) {
      throw new DataError('E_CLASS', `the target has only one class (${classes[0]}): there is nothing to tell apart`, {
        file: this.file,
        column: this.columns.targets[0],
      });
    }
    const k = this.labelNames.map((name) => where.get(name)!);
    const cols = classes.length === 2 ? 1 : classes.length;
    const data = new Float64Array(labels.length * cols);
    labels.forEach((i, r) => {
      if (cols === 1) data[r] = k[i]!;
      else data[r * cols + k[i]!] = 1;
    });
    return { y: { rows: labels.length, cols, data }, classes };
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
    const { y, classes } = this.labels ? this.targets() : { y: this.y.build(), classes: null };
    return {
      file: this.file,
      header: this.header,
      features: this.columns.features,
      targets: this.columns.targets,
      x,
      y,
      classes,
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

/** Class names in a stable order: numerically when all are numbers, else alphabetically. */
export function sortLabels(names: readonly string[]): string[] {
  const numbers = names.map((n) => parseNumber(n));
  if (numbers.every((n) => n !== undefined)) {
    return names
      .map((name, i) => ({ name, n: numbers[i]! }))
      .sort((a, b) => a.n - b.n)
      .map((e) => e.name);
  }
  return [...names].sort();
}
