import { DataError, option } from '../errors.js';
import { count, listOf, quote } from '../text.js';
import { oneHot, tooManyLevels, type FeatureEncoding } from './categories.js';
import { ColumnReader, EMPTY, ID_NAME, NUMBER } from './column-reader.js';
import { classLabels } from './labels.js';
import { checkCategorical, chooseColumns, type ColumnChoice, type Columns } from './columns.js';
import { readCsv, type CsvOptions, type Table } from './csv.js';
import { MatrixBuilder, takeRows, type Matrix } from './matrix.js';
import { hasDecimalComma, NumberReader, type DecimalMark } from './numbers.js';

export type { FeatureEncoding } from './categories.js';

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
  /** Rows skipped for a missing or invalid cell (only with `dropInvalid`). */
  dropped: number;
  /** Where the first skipped row was and why, for the report. */
  firstDropped?: DataError;
  /** Columns found to write their numbers with a decimal comma (`decimal: "auto"`). */
  decimalComma: string[];
  /** The first such column's first cell with one, for messages. */
  decimalCommaExample?: string;
  /** Numeric features whose values count up, row after row, like a row number or an id. */
  rowNumbers: string[];
  /** A single numeric target holding only whole numbers, few of them: how many distinct ones (else 0). */
  wholeLevels: number;
}

export interface LoadOptions extends CsvOptions {
  /** Which columns to use; default: the last column is the target, the rest features. */
  choice?: ColumnChoice;
  /** Decides the columns from the header instead of `choice` (e.g. a model's columns). */
  columns?: (header: string[], file: string) => Columns;
  /** Skip rows with a missing or invalid cell instead of stopping at the first. */
  dropInvalid?: boolean;
  /**
   * "regress": numeric targets. "classify": the target column holds class
   * labels. "auto": classify when every target cell is a word (a column of
   * numbers with a few words in it is an error, not labels). Default "regress".
   */
  task?: 'regress' | 'classify' | 'auto';
  /** Known classes (a trained model's): labels outside them are an error. */
  classes?: readonly string[];
  /** Feature columns that hold categories, one-hot encoded whatever their cells look like. */
  categorical?: readonly string[];
  /**
   * Also encode as categories any other feature column whose every cell is a
   * word (a few words among numbers stay an error). Too many different words
   * (an id, a date, free text) are refused. Default false.
   */
  detectCategorical?: boolean;
  /** Known categories (a trained model's): a feature listed here is one-hot with exactly these. */
  encoding?: readonly FeatureEncoding[];
  /**
   * The decimal mark: "." or ",", or "auto" (default): "." — and, in a file
   * whose fields are separated by ";" or tab, "," in a column whose cells use it.
   */
  decimal?: DecimalMark;
}

/** A batch of records' feature columns as numbers, for streaming use (e.g. predict). */
export interface NumericBatch {
  x: Matrix;
  /** Index, within the batch, of the record behind each row of `x`. */
  kept: number[];
  dropped: number;
  firstDropped?: DataError;
}

/**
 * Reads the chosen columns of a CSV stream straight into typed arrays: only
 * the numbers are kept (and, for columns that are not numbers, each distinct
 * word once), never the rows' text, so memory is about 8 bytes a cell used,
 * whatever the file's size. What each column holds is decided from all of
 * its cells, at the end.
 */
export async function loadDataset(
  input: AsyncIterable<string | Buffer>,
  file: string,
  options: LoadOptions = {},
): Promise<Dataset> {
  let builder: DatasetBuilder | undefined;
  for await (const batch of readCsv(input, file, options)) {
    builder ??= new DatasetBuilder(batch.header, file, batch.delimiter, options);
    builder.add(batch.records, batch.lines);
  }
  return builder!.build();
}

/** The same from a table already in memory. */
export function datasetFromTable(table: Table, options: LoadOptions = {}): Dataset {
  const builder = new DatasetBuilder(table.header, table.file, table.delimiter, options);
  builder.add(table.records, table.lines);
  return builder.build();
}

/**
 * A model's feature columns, batch after batch (predict): each batch comes
 * back as numbers, while what a column has shown (its decimal mark) holds
 * for the whole stream.
 */
export class FeatureBatches {
  private readonly builder: DatasetBuilder;

  constructor(
    header: readonly string[],
    file: string,
    delimiter: string,
    features: readonly string[],
    options: Pick<LoadOptions, 'encoding' | 'dropInvalid' | 'decimal'> = {},
  ) {
    this.builder = new DatasetBuilder([...header], file, delimiter, {
      ...options,
      columns: () => ({ features: [...features], targets: [] }),
    });
  }

  read(records: string[][], lines: number[]): NumericBatch {
    this.builder.add(records, lines);
    return this.builder.takeBatch();
  }
}

class DatasetBuilder {
  private readonly header: string[];
  private readonly file: string;
  private readonly options: LoadOptions;
  private readonly columns: Columns;
  private readonly features: ColumnReader[];
  private readonly targets: ColumnReader[];
  private x: MatrixBuilder;
  private y: MatrixBuilder;
  private lines: number[] = [];
  private rows = 0;

  constructor(header: string[], file: string, delimiter: string, options: LoadOptions) {
    this.header = header;
    this.file = file;
    this.options = options;
    this.columns = options.columns ? options.columns(header, file) : chooseColumns(header, file, options.choice);
    const decimal = options.decimal ?? 'auto';
    // Commas can only be decimal marks where they do not separate fields.
    const reader = () => new NumberReader(decimal, delimiter !== ',');
    const fixed = new Map((options.encoding ?? []).map((e) => [e.feature, e.categories]));
    const declared = options.categorical ?? [];
    checkCategorical(declared, header, file, this.columns);
    this.features = this.columns.features.map((name) => {
      const categories = fixed.get(name);
      const kind = categories || declared.includes(name) ? 'words' : options.detectCategorical ? 'auto' : 'number';
      return new ColumnReader(name, header.indexOf(name), 'feature', kind, reader(), categories);
    });
    const task = options.task ?? 'regress';
    if (task === 'classify' && this.columns.targets.length !== 1) {
      throw new DataError('E_CLASSIFY', 'classification takes exactly one target column', { file });
    }
    const labels = task === 'classify' || options.classes !== undefined;
    const targetKind = labels ? 'words' : task === 'auto' && this.columns.targets.length === 1 ? 'auto' : 'number';
    this.targets = this.columns.targets.map(
      (name) => new ColumnReader(name, header.indexOf(name), 'target', targetKind, reader(), options.classes),
    );
    this.x = new MatrixBuilder(this.features.length);
    this.y = new MatrixBuilder(this.targets.length);
  }

  add(records: string[][], lines: number[]): void {
    const { features, targets } = this;
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const row = this.rows++;
      this.lines.push(lines[r]!);
      let offset = this.x.nextRow();
      let values = this.x.values;
      for (let j = 0; j < features.length; j++) {
        const column = features[j]!;
        values[offset + j] = column.read(record[column.at]!, row);
      }
      offset = this.y.nextRow();
      values = this.y.values;
      for (let j = 0; j < targets.length; j++) {
        const column = targets[j]!;
        values[offset + j] = column.read(record[column.at]!, row);
      }
    }
  }

  build(): Dataset {
    this.decideKinds();
    const { kept, dropped, firstDropped } = this.checkRows();
    if (kept.length === 0) {
      throw new DataError(
        'E_NO_ROWS',
        `no rows left: all ${count(dropped, 'row')} had a bad cell (first: ${firstDropped!.template})`,
        {
          file: this.file,
        },
      );
    }
    const { x, encoding, inputs } = this.encodeFeatures(kept, dropped > 0);
    const { y, classes } = this.encodeTargets(kept, dropped > 0);
    const decimal = this.options.decimal ?? 'auto';
    const commaColumns =
      decimal === 'auto'
        ? [...this.features, ...this.targets].filter((c) => c.kind === 'number' && c.numbers.mark === ',')
        : [];
    return {
      file: this.file,
      header: this.header,
      features: this.columns.features,
      targets: this.columns.targets,
      x,
      y,
      classes,
      encoding,
      inputs,
      dropped,
      firstDropped,
      decimalComma: commaColumns.map((c) => c.name),
      decimalCommaExample: commaColumns[0]?.numbers.commaExample,
      rowNumbers: this.features
        .filter(
          (c) => c.kind === 'number' && c.increasing && this.rows >= 10 && (c.consecutive || ID_NAME.test(c.name)),
        )
        .map((c) => c.name),
      wholeLevels: classes ? 0 : wholeLevels(y),
    };
  }

  /** The rows added since the last batch, as features (no target, no minimum of rows); then forgets them. */
  takeBatch(): NumericBatch {
    this.decideKinds();
    const { kept, dropped, firstDropped } = this.checkRows();
    const { x } = this.encodeFeatures(kept, dropped > 0);
    this.x = new MatrixBuilder(this.features.length);
    this.y = new MatrixBuilder(0);
    this.lines = [];
    this.rows = 0;
    for (const column of this.features) column.clearRows();
    return { x, kept, dropped, firstDropped };
  }

  /** Settles what each "auto" column holds, from all of its cells. */
  private decideKinds(): void {
    for (const column of [...this.features, ...this.targets]) {
      if (column.kind !== 'auto') continue;
      const words = column.words.names;
      if (column.wordCount === 0 || words.every(hasDecimalComma)) {
        // Numbers — those written with a comma where a point was expected are reported per cell.
        column.kind = 'number';
      } else if (column.numberCount === 0) {
        column.kind = 'words';
        this.checkLevels(column);
      } else if (column.numberCount >= column.wordCount || words.length <= 2) {
        // A few words among numbers, or one or two words over and over (NA, ?, -: missing values): each is a bad cell.
        column.kind = 'number';
      } else {
        const first = column.firstNumber!;
        const what = column.role === 'target' ? 'labels' : 'categories';
        const flag =
          column.role === 'target' ? `${option('task')} classify` : `${option('categorical')} ${column.name}`;
        throw new DataError(
          'E_MIXED_COLUMN',
          `${quote(first.cell)} is a number among ${count(column.wordCount, 'word')}; if these are ${what}, say ${flag}`,
          { file: this.file, line: this.lines[first.row], column: column.name },
        );
      }
    }
  }

  /** A column of words that has about one per row is an id, a date or free text, not categories. */
  private checkLevels(column: ColumnReader): void {
    const levels = column.words.names.length;
    if (!tooManyLevels(levels, this.rows)) return;
    const location = { file: this.file, column: column.name };
    const seen = `${count(levels, 'different value')} in ${count(this.rows, 'row')}`;
    if (column.role === 'target') {
      throw new DataError(
        'E_TOO_MANY_CLASSES',
        `has ${seen}: too many to be classes; pick the target with ${option('target')}, or say ${option('task')} classify to train on them anyway`,
        location,
      );
    }
    throw new DataError(
      'E_TOO_MANY_CATEGORIES',
      `has ${seen}, like an id, a date or free text: leave it out with ${option('ignore')} ${column.name}, or say ${option('categorical')} ${column.name} to one-hot encode it anyway`,
      location,
    );
  }

  /** Which rows have a bad cell; the first is an error unless `dropInvalid`. */
  private checkRows(): { kept: number[]; dropped: number; firstDropped: DataError | undefined } {
    const byPosition = [...this.features, ...this.targets].sort((a, b) => a.at - b.at);
    let bad: Uint8Array | undefined;
    let first: { row: number; column: ColumnReader } | undefined;
    for (const column of byPosition) {
      const codes = column.codes;
      if (!codes) continue;
      const accepted = this.acceptedWords(column);
      for (let r = 0; r < codes.length; r++) {
        const code = codes[r]!;
        if (column.kind === 'number' ? code === NUMBER : code !== EMPTY && accepted![code]) continue;
        bad ??= new Uint8Array(this.rows);
        bad[r] = 1;
        if (!first || r < first.row) first = { row: r, column };
      }
    }
    const kept: number[] = [];
    for (let r = 0; r < this.rows; r++) if (!bad?.[r]) kept.push(r);
    if (!first) return { kept, dropped: 0, firstDropped: undefined };
    const error = this.badCell(first.column, first.row);
    if (!this.options.dropInvalid) throw error;
    return { kept, dropped: this.rows - kept.length, firstDropped: error };
  }

  /** For a column of words: per word, whether it is allowed (a model's columns know theirs). */
  private acceptedWords(column: ColumnReader): boolean[] | undefined {
    if (column.kind !== 'words') return undefined;
    const fixed = column.fixed && new Set(column.fixed);
    return column.words.names.map((word) => !fixed || fixed.has(word));
  }

  private badCell(column: ColumnReader, row: number): DataError {
    const code = column.codes![row]!;
    const word = code >= 0 ? column.words.names[code]! : '';
    const location = { file: this.file, line: this.lines[row], column: column.name };
    const skip = this.options.dropInvalid ? [] : [`${option('dropInvalid')} skips such rows`];
    if (column.kind === 'words' && code >= 0) {
      const known = listOf(column.fixed!);
      return column.role === 'target'
        ? new DataError('E_CLASS', `label ${quote(word)} is not one of the model's classes (${known})`, location)
        : new DataError('E_CATEGORY', `category ${quote(word)} was not seen in training (known: ${known})`, location);
    }
    if (code === EMPTY) return new DataError('E_EMPTY_CELL', withHints('is empty', skip), location);
    const why = column.numbers.whyNot(word);
    // A cell whose decimal mark breaks with its column's says itself how to settle it.
    if (why.includes('decimal')) return new DataError('E_NOT_A_NUMBER', why, location);
    const hints = [...skip];
    if (why.endsWith('is not a number') && this.options.encoding === undefined) {
      hints.push(
        column.role === 'target'
          ? `${option('task')} classify if ${quote(column.name)} holds labels`
          : `${option('categorical')} ${column.name} if it holds categories`,
      );
    }
    return new DataError('E_NOT_A_NUMBER', withHints(why, hints), location);
  }

  /** x from the kept rows, each categorical feature one-hot in place of its column. */
  private encodeFeatures(kept: number[], filtered: boolean): Pick<Dataset, 'x' | 'encoding' | 'inputs'> {
    const raw = this.x.build();
    if (this.features.every((c) => c.kind === 'number')) {
      return { x: filtered ? takeRows(raw, kept) : raw, encoding: [], inputs: [...this.columns.features] };
    }
    return oneHot(raw, this.features, kept);
  }

  /** y from the kept rows: numbers, or class labels one-hot (0/1 for two classes). */
  private encodeTargets(kept: number[], filtered: boolean): { y: Matrix; classes: string[] | null } {
    const target = this.targets[0];
    if (!target || target.kind !== 'words') {
      const raw = this.y.build();
      return { y: filtered ? takeRows(raw, kept) : raw, classes: null };
    }
    return classLabels(target, kept, this.file);
  }
}

function withHints(message: string, hints: string[]): string {
  return hints.length === 0 ? message : `${message} (${hints.join('; ')})`;
}

/** Whole numbers with at most 20 distinct values (and rows to spare) in a single target: how many; else 0. */
function wholeLevels(y: Matrix): number {
  if (y.cols !== 1) return 0;
  const seen = new Set<number>();
  for (const v of y.data) {
    if (!Number.isInteger(v)) return 0;
    seen.add(v);
    if (seen.size > 20) return 0;
  }
  return seen.size >= 2 && y.rows >= 4 * seen.size ? seen.size : 0;
}
