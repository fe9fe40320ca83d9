import type { Matrix } from './data/matrix.js';

export interface RegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
  /** 1 − SS_res / SS_tot; NaN when the target is constant (R² is undefined then). */
  r2: number;
}

/** Metrics per column of `actual` against `predicted` (same shape). */
export function regressionMetrics(actual: Matrix, predicted: Matrix): RegressionMetrics[] {
  const out: RegressionMetrics[] = [];
  for (let c = 0; c < actual.cols; c++) {
    let mean = 0;
    for (let r = 0; r < actual.rows; r++) mean += actual.data[r * actual.cols + c]!;
    mean /= actual.rows;
    let squared = 0;
    let absolute = 0;
    let total = 0;
    for (let r = 0; r < actual.rows; r++) {
      const y = actual.data[r * actual.cols + c]!;
      const error = y - predicted.data[r * predicted.cols + c]!;
      squared += error * error;
      absolute += Math.abs(error);
      total += (y - mean) ** 2;
    }
    const mse = squared / actual.rows;
    out.push({
      mse,
      rmse: Math.sqrt(mse),
      mae: absolute / actual.rows,
      r2: total > 0 ? 1 - squared / total : Number.NaN,
    });
  }
  return out;
}

export interface ClassMetrics {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true class this is. */
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  classes: ClassMetrics[];
  /** confusion[i][j]: rows of true class i predicted as class j. */
  confusion: number[][];
}

/** Accuracy, per-class precision/recall/F1 (0 where undefined, as scikit-learn reports) and the confusion matrix. */
export function classificationMetrics(
  actual: Int32Array,
  predicted: Int32Array,
  classes: readonly string[],
): ClassificationMetrics {
  const k = classes.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let r = 0; r < actual.length; r++) {
    confusion[actual[r]!]![predicted[r]!]!++;
    if (actual[r] === predicted[r]) correct++;
  }
  const perClass = classes.map((name, c) => {
    const tp = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[c]!, 0);
    const precision = predictedAs > 0 ? tp / predictedAs : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { class: name, precision, recall, f1, support };
  });
  return { accuracy: actual.length > 0 ? correct / actual.length : Number.NaN, classes: perClass, confusion };
}

/** Class indices from targets as a classification data set holds them: 0/1 in one column, or one-hot. */
export function classIndices(y: Matrix): Int32Array {
  const out = new Int32Array(y.rows);
  for (let r = 0; r < y.rows; r++) {
    if (y.cols === 1) out[r] = y.data[r]!;
    else for (let j = 0; j < y.cols; j++) if (y.data[r * y.cols + j] === 1) out[r] = j;
  }
  return out;
}
