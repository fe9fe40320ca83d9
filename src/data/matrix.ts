import type { Matrix } from '../engine/matrix.js';

/** A dense row-major matrix of float64, the form every numeric column set takes. */
export type { Matrix } from '../engine/matrix.js';

export function createMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** A matrix that grows a row at a time (capacity doubles), for data of unknown length. */
export class MatrixBuilder {
  readonly cols: number;
  rows = 0;
  private data: Float64Array;

  constructor(cols: number, capacity = 1024) {
    this.cols = cols;
    this.data = new Float64Array(Math.max(1, capacity * cols));
  }

  /** Room for one more row; returns the offset at which to write its `cols` values. */
  nextRow(): number {
    const offset = this.rows * this.cols;
    if (offset + this.cols > this.data.length) {
      const bigger = new Float64Array(Math.max(this.data.length * 2, offset + this.cols));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.rows++;
    return offset;
  }

  /** Drops the last row (e.g. one found invalid while it was being filled). */
  dropLast(): void {
    this.rows--;
  }

  get values(): Float64Array {
    return this.data;
  }

  /** The rows so far, trimmed to size (a copy only when there is slack worth freeing). */
  build(): Matrix {
    const used = this.rows * this.cols;
    const data = used === this.data.length ? this.data : this.data.slice(0, used);
    return { rows: this.rows, cols: this.cols, data };
  }
}

/** The given rows of `m`, in that order. */
export function takeRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  const data = new Float64Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  return { rows: rows.length, cols: m.cols, data };
}
