import type { Random } from '../random.js';

/**
 * What to do when the rows do not divide into whole batches:
 * - "balance": ⌈rows / batchSize⌉ batches whose sizes differ by at most one,
 *   so no batch is a runt that takes a full step on a handful of rows;
 * - "keep": batches of `batchSize`, the last one smaller (PyTorch's DataLoader);
 * - "drop": batches of `batchSize`, the rest left out of the epoch.
 */
export type LastBatch = 'balance' | 'keep' | 'drop';
export const LAST_BATCH_MODES: readonly LastBatch[] = ['balance', 'keep', 'drop'];

/**
 * Splits row indices 0..rows-1 into mini-batches of at most `batchSize`,
 * shuffled when a source is given.
 */
export function batches(rows: number, batchSize: number, random?: Random, last: LastBatch = 'balance'): Int32Array[] {
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  if (random) random.shuffle(order);
  const out: Int32Array[] = [];
  if (last === 'balance') {
    const count = Math.ceil(rows / batchSize);
    const small = Math.floor(rows / count);
    const large = rows % count; // this many batches take one row more
    for (let b = 0, start = 0; b < count; b++) {
      const size = small + (b < large ? 1 : 0);
      out.push(order.subarray(start, start + size));
      start += size;
    }
    return out;
  }
  // With "drop", fewer rows than one batch still make one batch.
  const end = last === 'drop' && rows >= batchSize ? rows - (rows % batchSize) : rows;
  for (let start = 0; start < end; start += batchSize)
    out.push(order.subarray(start, Math.min(start + batchSize, end)));
  return out;
}
