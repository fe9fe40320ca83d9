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
  /** Categorical features and their categories: each is one-hot in x, in place of its column. */
  encoding: FeatureEncoding[];
  /** The names of x's columns: a feature's name, or feature=category for one-hot columns. */
  inputs: string[];
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
  /**
   * Feature columns that hold categories: named, or "auto" (a feature whose
   * first rows hold words and no numbers). Default: none.
   */
  categorical?: readonly string[] | 'auto';
  /** Known categories (a trained model's): a feature listed here is one-hot with exactly these. */
  encoding?: readonly FeatureEncoding[];
}

/** A categorical feature: which column, and its categories in the order of its one-hot columns. */
export interface FeatureEncoding {
  feature: string;
  categories: string[];
}

/** How one feature column becomes numbers. */
interface Category {
  index: Map<string, number>;
  names: string[];
  /** Known in advance (a model's): no new categories. */
  fixed: boolean;
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
  /** Per feature: its categories when categorical; undefined (numeric) or not yet decided. */
  private kinds: (Category | null)[] | undefined;
  /** Indices (within the records added) of the rows kept. */
  private readonly kept: number[] = [];
  /** Set when the last row failed on a categorical feature, for the message. */
  private badCategory: { known: string[]; cell: string } | undefined;

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

  /** Which features are categorical: from the options, or (auto) from the first batch of rows. */
  private decideKinds(records: string[][]): (Category | null)[] {
    const known = new Map((this.options.encoding ?? []).map((e) => [e.feature, e.categories]));
    const named = this.options.categorical;
    return this.columns.features.map((name, j) => {
      const fixed = known.get(name);
      if (fixed) return { index: new Map(fixed.map((c, i) => [c, i])), names: [...fixed], fixed: true };
      if (this.options.encoding) return null; // a model's numeric feature
      // auto: a column of words (not one number among its first rows); a stray word in numbers stays an error.
      const cells = records.map((record) => record[this.featureAt[j]!]!.trim()).filter((cell) => cell !== '');
      const textual =
        named === 'auto'
          ? cells.length > 0 && cells.every((cell) => parseNumber(cell) === undefined)
          : (named ?? []).includes(name);
      return textual ? { index: new Map(), names: [], fixed: false } : null;
    });
  }

  /** The record's features as one row of x (categories as their index); the bad column's index, if any. */
  private features(record: string[]): number | undefined {
    const kinds = this.kinds!;
    const offset = this.x.nextRow();
    const values = this.x.values;
    for (let j = 0; j < this.featureAt.length; j++) {
      const column = this.featureAt[j]!;
      const cell = record[column]!;
      const kind = kinds[j];
      let value: number | undefined;
      if (kind) {
        const text = cell.trim();
        value = kind.index.get(text);
        if (value === undefined && text !== '' && !kind.fixed) {
          value = kind.names.length;
          kind.index.set(text, value);
          kind.names.push(text);
        }
      } else {
        value = parseNumber(cell);
      }
      if (value === undefined) {
        this.x.dropLast();
        this.badCategory = kind ? { known: kind.names, cell } : undefined;
        return column;
      }
      values[offset + j] = value;
    }
    return undefined;
  }

  add(records: string[][], lines: number[]): void {
    this.kinds ??= this.decideKinds(records);
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      this.badCategory = undefined;
      const bad = this.features(record) ?? (this.labels ? this.label(record) : fill(this.y, record, this.targetAt));
      if (bad === undefined) {
        this.kept.push(r);
        continue;
      }
      const column = this.header[bad]!;
      const category = this.badCategory as { known: string[]; cell: string } | undefined; // set by features()
      const why = category
        ? category.cell.trim() === ''
          ? 'is empty'
          : `category ${JSON.stringify(category.cell.trim())} was not seen in training (known: ${category.known.join(', ')})`
        : describeBadCell(record[bad]!) + this.categoryHint(column, record[bad]!);
      const error = new DataError(category ? 'E_CATEGORY' : 'E_NOT_A_NUMBER', why, {
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

  /** For a word in a numeric feature column (in training): how to say it is a category. */
  private categoryHint(column: string, cell: string): string {
    const word = describeBadCell(cell).endsWith('is not a number');
    const feature = this.columns.features.includes(column) && !this.options.encoding;
    return word && feature ? ` (if ${JSON.stringify(column)} holds categories, say --categorical ${column})` : '';
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

  /** x with each categorical feature expanded to one-hot columns (categories sorted, unless a model fixed them). */
  private encode(raw: Matrix): { x: Matrix; encoding: FeatureEncoding[]; inputs: string[] } {
    const kinds = this.kinds ?? [];
    const features = this.columns.features;
    if (!kinds.some((k) => k)) return { x: raw, encoding: [], inputs: [...features] };
    const encoding: FeatureEncoding[] = [];
    const inputs: string[] = [];
    const remap: (Int32Array | null)[] = kinds.map((kind, j) => {
      if (!kind) {
        inputs.push(features[j]!);
        return null;
      }
      const categories = kind.fixed ? kind.names : sortLabels(kind.names);
      encoding.push({ feature: features[j]!, categories });
      for (const c of categories) inputs.push(`${features[j]}=${c}`);
      const at = new Map(categories.map((c, i) => [c, i]));
      return Int32Array.from(kind.names, (name) => at.get(name)!);
    });
    const width = inputs.length;
    const data = new Float64Array(raw.rows * width);
    for (let r = 0; r < raw.rows; r++) {
      let c = 0;
      kinds.forEach((kind, j) => {
        const v = raw.data[r * raw.cols + j]!;
        if (!kind) data[r * width + c++] = v;
        else {
          data[r * width + c + remap[j]![v]!] = 1;
          c += kind.names.length;
        }
      });
    }
    return { x: { rows: raw.rows, cols: width, data }, encoding, inputs };
  }

  /** The features of the rows added, encoded, without a target or a minimum of rows (for streaming use). */
  batch(): NumericBatch {
    return {
      x: this.encode(this.x.build()).x,
      kept: this.kept,
      dropped: this.dropped,
      firstDropped: this.firstDropped,
    };
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
    const encoded = this.encode(x);
    return {
      file: this.file,
      header: this.header,
      features: this.columns.features,
      targets: this.columns.targets,
      x: encoded.x,
      encoding: encoded.encoding,
      inputs: encoded.inputs,
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
  /** A model's categorical features: the feature at `at[j]` named here is one-hot over its categories. */
  encoding: readonly FeatureEncoding[] = [],
): NumericBatch {
  const features = at.map((column) => header[column]!);
  const builder = new DatasetBuilder([...header], file, {
    columns: () => ({ features, targets: [] }),
    encoding,
    dropInvalid,
  });
  builder.add(records, lines);
  return builder.batch();
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
