import { DataError, option, UsageError } from '../errors.js';
import { listOf, quote } from '../text.js';

export interface ColumnChoice {
  /** Target column names. Default: the last column that is not ignored. */
  targets?: readonly string[];
  /** Feature column names. Default: every column that is not a target or ignored. */
  features?: readonly string[];
  /** Columns to leave out (an id, a date, free text). */
  ignore?: readonly string[];
  /**
   * Who named the columns, for messages when one is missing: by default the
   * options ("target", "features"); a model's or another file's columns say so.
   */
  namedBy?: { targets?: string; features?: string };
}

export interface Columns {
  features: string[];
  targets: string[];
}

/** Decides which columns are features and which are targets, from the header. */
export function chooseColumns(header: readonly string[], file: string, choice: ColumnChoice = {}): Columns {
  const ignore = choice.ignore ?? [];
  requireColumns(header, file, ignore, { option: 'ignore' });
  const kept = header.filter((name) => !ignore.includes(name));
  const targets = choice.targets ? [...choice.targets] : kept.slice(-1);
  requireColumns(header, file, targets, namedBy(choice.namedBy?.targets, 'target'));
  const features = choice.features ? [...choice.features] : kept.filter((name) => !targets.includes(name));
  requireColumns(header, file, features, namedBy(choice.namedBy?.features, 'features'));
  const overlap = features.find((name) => targets.includes(name));
  if (overlap !== undefined) {
    throw new UsageError('E_COLUMNS', `column ${quote(overlap)} is both a feature and a target`);
  }
  const ignoredTarget = targets.find((name) => ignore.includes(name));
  if (ignoredTarget !== undefined) {
    throw new UsageError('E_COLUMNS', `${quote(ignoredTarget)} is the target; it cannot be ignored`, 'ignore');
  }
  const ignoredFeature = features.find((name) => ignore.includes(name));
  if (ignoredFeature !== undefined) {
    throw new UsageError('E_COLUMNS', `${quote(ignoredFeature)} is named as a feature too`, 'ignore');
  }
  if (features.length === 0) {
    throw new UsageError(
      'E_COLUMNS',
      `${file}: no feature columns left once the target is set aside (columns: ${listOf(header)})`,
    );
  }
  return { features, targets };
}

/** Who named columns, for the message when one is missing from a file. */
export type NamedBy =
  /** An option (a flag, on the command line): a usage error. */
  | { option: string }
  /** Another file or a model, e.g. "the training data": a data error. */
  | { source: string }
  /** A model that needs these of its features or targets: a data error listing every one missing. */
  | { model: 'feature' | 'target'; all: readonly string[] };

function namedBy(source: string | undefined, option: string): NamedBy {
  return source === undefined ? { option } : { source };
}

/** The one check that named columns are in a file's header. */
export function requireColumns(
  header: readonly string[],
  file: string,
  names: readonly string[],
  namedBy: NamedBy,
): void {
  const missing = names.filter((name) => !header.includes(name));
  if (missing.length === 0) return;
  if ('model' in namedBy) {
    const kind = namedBy.model;
    throw new DataError(
      'E_NO_COLUMN',
      `has no ${kind} column${missing.length === 1 ? '' : 's'} ${listOf(missing.map((m) => quote(m)))}, which the model needs (model ${kind}s: ${listOf(namedBy.all)})`,
      { file },
    );
  }
  if ('source' in namedBy) {
    throw new DataError('E_NO_COLUMN', `has no column ${quote(missing[0]!)}, which ${namedBy.source} has`, { file });
  }
  throw new UsageError(
    'E_NO_COLUMN',
    `${file} has no column ${quote(missing[0]!)} (its columns: ${listOf(header)})`,
    namedBy.option,
  );
}

/** Columns named as categorical must be features of this file. */
export function checkCategorical(
  declared: readonly string[],
  header: readonly string[],
  file: string,
  columns: Columns,
): void {
  requireColumns(header, file, declared, { option: 'categorical' });
  for (const name of declared) {
    if (columns.targets.includes(name)) {
      throw new UsageError(
        'E_USAGE',
        `${quote(name)} is the target, not a feature; to treat its values as classes, say ${option('task')} classify`,
        'categorical',
      );
    }
    if (!columns.features.includes(name)) {
      throw new UsageError('E_USAGE', `${quote(name)} is not one of the features used`, 'categorical');
    }
  }
}
