import { DataError, UsageError } from '../errors.js';
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
  requireColumns(header, file, ignore, 'ignore');
  const kept = header.filter((name) => !ignore.includes(name));
  const targets = choice.targets ? [...choice.targets] : kept.slice(-1);
  requireColumns(header, file, targets, 'target', choice.namedBy?.targets);
  const features = choice.features ? [...choice.features] : kept.filter((name) => !targets.includes(name));
  requireColumns(header, file, features, 'features', choice.namedBy?.features);
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

function requireColumns(
  header: readonly string[],
  file: string,
  names: readonly string[],
  option: string,
  namedBy?: string,
): void {
  const missing = names.find((name) => !header.includes(name));
  if (missing === undefined) return;
  if (namedBy) {
    throw new DataError('E_NO_COLUMN', `has no column ${quote(missing)}, which ${namedBy} has`, { file });
  }
  throw new UsageError(
    'E_NO_COLUMN',
    `${file} has no column ${quote(missing)} (its columns: ${listOf(header)})`,
    option,
  );
}

/** Where each named column sits in the header; a missing one is a located error. */
export function columnIndices(header: readonly string[], file: string, names: readonly string[]): number[] {
  return names.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError('E_NO_COLUMN', `has no column ${quote(name)}`, { file });
    return i;
  });
}
