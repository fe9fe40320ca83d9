import { expect } from 'vitest';

/**
 * Asserts |actual − expected| ≤ tol · max(1, |expected|) for every element,
 * naming the first element that is off (NaN always fails).
 */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  tol: number,
  what = 'value',
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  expect(a.length, `${what}: length`).toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    const ok = Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= tol * Math.max(1, Math.abs(y));
    if (!ok) {
      expect.fail(
        `${what}[${i}]: actual ${x}, expected ${y}, difference ${Math.abs(x - y)} > tolerance ${tol} (relative above 1)`,
      );
    }
  }
}

/** Central finite difference of f at x along coordinate i. */
export function centralDifference(f: (x: number[]) => number, x: readonly number[], i: number, h: number): number {
  const plus = [...x];
  const minus = [...x];
  plus[i]! += h;
  minus[i]! -= h;
  return (f(plus) - f(minus)) / (2 * h);
}

/**
 * Largest error between analytic gradients and central differences, relative
 * to the gradient's size (absolute below 1).
 */
export function worstGradientError(
  f: (x: number[]) => number,
  x: readonly number[],
  analytic: readonly number[],
  h = 1e-6,
): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const numeric = centralDifference(f, x, i, h);
    const error = Math.abs(numeric - analytic[i]!) / Math.max(1, Math.abs(numeric));
    worst = Math.max(worst, Number.isNaN(error) ? Infinity : error);
  }
  return worst;
}
