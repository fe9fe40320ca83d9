import { describe, expect, it } from 'vitest';
import { sigmoid, tanh } from '../../src/engine/math.js';
import { Random } from '../../src/random.js';

describe('tanh', () => {
  it('is within 2 ulp (5e-16 relative) of Math.tanh from 1e-8 to 40, either sign', () => {
    const random = new Random(3);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = (random.next() < 0.5 ? -1 : 1) * 10 ** random.uniform(-8, 1.6);
      const exact = Math.tanh(x);
      worst = Math.max(worst, Math.abs(tanh(x) - exact) / Math.abs(exact));
    }
    expect(worst).toBeLessThan(5e-16);
    expect(worst).toBeGreaterThan(0); // it is an approximation: the check can see a difference
  });

  it.each([
    [0, 0],
    [-0, -0],
    [1e-300, 1e-300],
    [5e-324, 5e-324],
    [1000, 1],
    [-1000, -1],
    [Infinity, 1],
    [-Infinity, -1],
  ])('tanh(%d) = %d exactly', (x, y) => expect(tanh(x)).toBe(y));

  it('keeps NaN', () => expect(tanh(Number.NaN)).toBeNaN());
});

describe('sigmoid', () => {
  it.each([
    [0, 0.5],
    [1000, 1],
    [-1000, 0],
    [Infinity, 1],
    [-Infinity, 0],
  ])('sigmoid(%d) = %d, finite at the extremes', (x, y) => expect(sigmoid(x)).toBe(y));

  it('is 1 / (1 + e^-x) in between', () => {
    for (const x of [-30, -2, -0.5, 0.5, 2, 30])
      expect(Math.abs(sigmoid(x) - 1 / (1 + Math.exp(-x)))).toBeLessThan(1e-16);
  });
});
