import type { Random } from '../random.js';

/**
 * Splits row indices 0..rows-1 into mini-batches of `batchSize`; the last,
 * partial batch is kept as its own step. Shuffled when a source is given.
 */
export function batches(rows: number, batchSize: number, random?: Random): Int32Array[] {
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  if (random) random.shuffle(order);
  const out: Int32Array[] = [];
  for (let start = 0; start < rows; start += batchSize)
    out.push(order.subarray(start, Math.min(start + batchSize, rows)));
  return out;
}
