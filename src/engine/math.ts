/**
 * Scalar functions shared by both engines, so the object graph and the tape
 * compute the very same numbers.
 */

// Cephes' rational approximation of tanh on |x| ≤ 0.625 (relative error about
// 2.5e-16), and 1 − 2/(e^{2|x|} + 1) beyond. Within 2 ulp of Math.tanh, and
// about a third faster: tanh is most of the time a forward pass spends in a
// small network, and Math.tanh is a call into C.
export const P0 = -9.64399179425052238628e-1;
export const P1 = -9.92877231001918586564e1;
export const P2 = -1.61468768441708447952e3;
export const Q0 = 1.12811678491632931402e2;
export const Q1 = 2.23548839060100448583e3;
export const Q2 = 4.84406305325125486048e3;

export function tanh(x: number): number {
  const a = x < 0 ? -x : x;
  if (a > 0.625) {
    const z = 1 - 2 / (Math.exp(2 * a) + 1); // exp overflows to Infinity for a > 355: z = 1 exactly
    return x < 0 ? -z : z;
  }
  if (a < 1e-8) return x; // tanh x = x − x³/3 + …: x is within rounding (and keeps −0)
  const s = x * x;
  return x + (x * s * ((P0 * s + P1) * s + P2)) / (((s + Q0) * s + Q1) * s + Q2);
}

/** Logistic function that stays finite at the extremes (no exp overflow). */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(e^a + e^b) without overflow: the larger plus log1p of the smaller's share. */
export function logSumExp(a: number, b: number): number {
  const m = a > b ? a : b;
  if (m === -Infinity) return -Infinity;
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}
