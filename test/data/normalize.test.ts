import { describe, expect, it } from 'vitest';
import { columnStats, constantColumns, standardize, unstandardize } from '../../src/data/normalize.js';
import { expectClose } from '../helpers/numeric.js';

const m = { rows: 4, cols: 2, data: Float64Array.from([1, 5, 2, 5, 3, 5, 4, 5]) };

describe('standardisation', () => {
  it('uses the mean and population standard deviation; a constant column gets std 1', () => {
    const stats = columnStats(m);
    expectClose(stats.mean, [2.5, 5], 1e-15, 'mean');
    expectClose(stats.std, [Math.sqrt(1.25), 1], 1e-15, 'std');
    expect(constantColumns(m)).toEqual([1]);
  });

  it('standardize and unstandardize undo each other', () => {
    const stats = columnStats(m);
    const z = standardize(m, stats);
    expectClose([z.data[0]!, z.data[1]!], [-1.5 / Math.sqrt(1.25), 0], 1e-15);
    expectClose(unstandardize(z, stats).data, m.data, 1e-15);
  });
});
