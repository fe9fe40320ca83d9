/** A dense row-major matrix of float64: rows of a batch, as the engine reads them and the data layer builds them. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}
