import { describe, expect, it } from 'vitest';
import { batches } from '../../src/data/batches.js';
import { Random } from '../../src/random.js';

const sizes = (rows: number, size: number, mode?: 'balance' | 'keep' | 'drop') =>
  batches(rows, size, undefined, mode).map((b) => b.length);

describe('batches', () => {
  it('balance (the default): ⌈rows / size⌉ batches whose sizes differ by at most one', () => {
    expect(batches(7, 3).map((b) => Array.from(b))).toEqual([
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ]);
    // 353 rows in batches of 32: 12 batches of 29 or 30 instead of 11 × 32 and a runt of 1.
    expect(sizes(353, 32)).toEqual([30, 30, 30, 30, 30, 29, 29, 29, 29, 29, 29, 29]);
    expect(sizes(64, 32)).toEqual([32, 32]);
    expect(sizes(5, 32)).toEqual([5]);
  });

  it('keep: full batches and a smaller last one, in file order', () => {
    expect(batches(7, 3, undefined, 'keep').map((b) => Array.from(b))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(sizes(353, 32, 'keep').slice(-2)).toEqual([32, 1]);
  });

  it('drop: full batches only (fewer rows than one batch still make one)', () => {
    expect(sizes(7, 3, 'drop')).toEqual([3, 3]);
    expect(sizes(2, 3, 'drop')).toEqual([2]);
  });

  it.each(['balance', 'keep'] as const)('%s: shuffles every row exactly once with a random source', (mode) => {
    const all = batches(10, 4, new Random(1), mode).flatMap((b) => Array.from(b));
    expect(all).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...all].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
