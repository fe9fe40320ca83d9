/** A dense row-major matrix of float64, the form every numeric column set takes. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function createMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Row r as a fresh array (for code that wants plain numbers). */
export function row(m: Matrix, r: number): number[] {
  return Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols));
}
