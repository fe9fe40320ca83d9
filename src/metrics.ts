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
