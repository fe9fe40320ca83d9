import type { Matrix } from './matrix.js';

/** Per-column mean and standard deviation, as the model file stores them. */
export interface ColumnStats {
  mean: number[];
  std: number[];
}

/**
 * Mean and population standard deviation of each column. A constant column
 * gets std 1, so standardising it gives zeros instead of dividing by zero.
 */
export function columnStats(m: Matrix): ColumnStats {
  const mean = new Array<number>(m.cols).fill(0);
  const std = new Array<number>(m.cols).fill(0);
  for (let c = 0; c < m.cols; c++) {
    let total = 0;
    for (let r = 0; r < m.rows; r++) total += m.data[r * m.cols + c]!;
    const mu = total / m.rows;
    let squares = 0;
    for (let r = 0; r < m.rows; r++) squares += (m.data[r * m.cols + c]! - mu) ** 2;
    const sigma = Math.sqrt(squares / m.rows);
    mean[c] = mu;
    std[c] = sigma > 0 && Number.isFinite(sigma) ? sigma : 1;
  }
  return { mean, std };
}

/** Columns whose values are all the same (their std was replaced by 1). */
export function constantColumns(m: Matrix): number[] {
  const constant: number[] = [];
  for (let c = 0; c < m.cols; c++) {
    const first = m.data[c]!;
    let same = true;
    for (let r = 1; r < m.rows && same; r++) same = m.data[r * m.cols + c] === first;
    if (same) constant.push(c);
  }
  return constant;
}

/** (x − mean) / std, column by column, into a new matrix. */
export function standardize(m: Matrix, stats: ColumnStats): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % m.cols;
    data[i] = (m.data[i]! - stats.mean[c]!) / stats.std[c]!;
  }
  return { rows: m.rows, cols: m.cols, data };
}

/** x · std + mean: undoes `standardize`. */
export function unstandardize(m: Matrix, stats: ColumnStats): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % m.cols;
    data[i] = m.data[i]! * stats.std[c]! + stats.mean[c]!;
  }
  return { rows: m.rows, cols: m.cols, data };
}
