import { DataError } from '../errors.js';
import { quote } from '../text.js';
import { sortLabels } from './categories.js';
import type { ColumnReader } from './column-reader.js';
import type { Matrix } from './matrix.js';

/**
 * A target of class labels, from the kept rows: the classes (sorted, or a
 * model's in the model's order) and y — one-hot, or one 0/1 column for two
 * classes, the second class being 1.
 */
export function classLabels(
  target: ColumnReader,
  kept: readonly number[],
  file: string,
): { y: Matrix; classes: string[] } {
  const classes = target.fixed ? [...target.fixed] : sortLabels(target.wordsUsedBy(kept));
  if (classes.length < 2) {
    throw new DataError(
      'E_CLASS',
      `the target has only one class (${quote(classes[0] ?? '')}): there is nothing to tell apart`,
      { file, column: target.name },
    );
  }
  const at = new Map(classes.map((c, i) => [c, i]));
  const classOf = Int32Array.from(target.words.names, (word) => at.get(word) ?? -1);
  const cols = classes.length === 2 ? 1 : classes.length;
  const data = new Float64Array(kept.length * cols);
  kept.forEach((r, i) => {
    const k = classOf[target.codes![r]!]!;
    if (cols === 1) data[i] = k;
    else data[i * cols + k] = 1;
  });
  return { y: { rows: kept.length, cols, data }, classes };
}
