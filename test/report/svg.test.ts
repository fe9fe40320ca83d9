import { describe, expect, it } from 'vitest';
import { logTicks, niceTicks } from '../../src/report/svg.js';

describe('axis ticks', () => {
  it('are round steps of 1, 2 or 5 inside the range', () => {
    expect(niceTicks(1, 60, true)).toEqual([20, 40, 60]);
    expect(niceTicks(0, 0.011)).toEqual([0, 0.005, 0.01]);
    expect(niceTicks(-1.3, 1.2)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 0.3)).toEqual([0, 0.1, 0.2, 0.3]); // 0.3, not 0.30000000000000004
  });

  it('count in whole numbers when asked', () => {
    expect(niceTicks(0, 3.15, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 2.1)).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  it('on a log axis: powers of ten, then 2 and 5 between them, then round values within a decade', () => {
    expect(logTicks(0.0008, 12)).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(logTicks(0.03, 0.6)).toEqual([0.05, 0.1, 0.2, 0.5]);
    expect(logTicks(0.229, 0.614)).toEqual([0.3, 0.4, 0.5, 0.6]);
  });

  it('a range of one value gets one tick', () => {
    expect(niceTicks(2, 2)).toEqual([2]);
  });
});
