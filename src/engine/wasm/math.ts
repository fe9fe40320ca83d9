import { P0, P1, P2, Q0, Q1, Q2 } from '../math.js';
import { type Code, type ModuleBuilder, Simd, Type } from './emit.js';

/**
 * exp, tanh and sigmoid on two lanes at once, as WebAssembly functions
 * (v128) → v128. exp is fdlibm's `__ieee754_exp` (the one behind V8's
 * Math.exp) step for step, its branches turned into lane selects, so it
 * returns Math.exp's very bits; tanh and sigmoid are then the engine's own
 * (src/engine/math.ts) operation for operation.
 */
export interface MathFunctions {
  exp: number;
  tanh: number;
  sigmoid: number;
}

const bits = (hex: bigint) => new Float64Array(BigInt64Array.of(hex).buffer)[0]!;

// fdlibm e_exp.c
const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.45133219101941108420e2;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
const E1 = 1.66666666666666019037e-1;
const E2 = -2.77777777770155933842e-3;
const E3 = 6.61375632143793436117e-5;
const E4 = -1.65339022054652515390e-6;
const E5 = 4.13813679705723846039e-8;
/** |x| below this: k = 0 (fdlibm: high word ≤ 0x3fd62e42). */
const HALF_LN2 = bits(0x3fd62e4300000000n);
/** |x| below this (and above the last): k = ±1 (high word < 0x3ff0a2b2). */
const THREE_HALVES_LN2 = bits(0x3ff0a2b200000000n);
/** |x| below 2⁻²⁸: exp x = 1 + x. */
const TINY = bits(0x3e30000000000000n);
/** 2⁵² + 2⁵¹: adding it leaves a whole number's two's complement in the low bits. */
const MAGIC = 6755399441055744;
const MAGIC_BITS = 0x4338000000000000;

export function addMath(m: ModuleBuilder): MathFunctions {
  const exp = m.func([Type.V128], [Type.V128], Array<Type>(9).fill(Type.V128));
  emitExp(exp.code);
  const tanh = m.func([Type.V128], [Type.V128], Array<Type>(6).fill(Type.V128));
  emitTanh(tanh.code, exp.index);
  const sigmoid = m.func([Type.V128], [Type.V128], [Type.V128]);
  emitSigmoid(sigmoid.code, exp.index);
  return { exp: exp.index, tanh: tanh.index, sigmoid: sigmoid.index };
}

/** select(a, b, mask): a where the mask is set, else b — operands pushed as a, b, mask. */
function select(c: Code): Code {
  return c.simd(Simd.Bitselect);
}

function emitExp(c: Code): void {
  const [x, ax, neg, k, hi, lo, r, t, cc, y] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  c.get(x).simd(Simd.F64x2Abs).set(ax);
  c.get(x).splat(0).simd(Simd.F64x2Lt).set(neg);
  // k = (int)(invln2·x ± ½) in general; ±1 below 1.5·ln2; 0 below ½·ln2.
  c.splat(INV_LN2).get(x).simd(Simd.F64x2Mul);
  c.splat(-0.5).splat(0.5).get(neg);
  select(c).simd(Simd.F64x2Add).simd(Simd.F64x2Trunc);
  c.splat(-1).splat(1).get(neg);
  select(c);
  c.get(ax).splat(THREE_HALVES_LN2).simd(Simd.F64x2Lt);
  // stack: kGeneral, kOne, mask → want kOne where mask
  c.set(t).set(r).set(k); // t = mask, r = kOne, k = kGeneral
  c.get(r).get(k).get(t);
  select(c).set(k);
  c.splat(0).get(k).get(ax).splat(HALF_LN2).simd(Simd.F64x2Lt);
  select(c).set(k);
  // hi = x − k·ln2hi, lo = k·ln2lo, r = hi − lo
  c.get(x).get(k).splat(LN2_HI).simd(Simd.F64x2Mul).simd(Simd.F64x2Sub).set(hi);
  c.get(k).splat(LN2_LO).simd(Simd.F64x2Mul).set(lo);
  c.get(hi).get(lo).simd(Simd.F64x2Sub).set(r);
  c.get(r).get(r).simd(Simd.F64x2Mul).set(t);
  // c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
  c.get(r).get(t);
  c.splat(E1).get(t);
  c.splat(E2).get(t);
  c.splat(E3).get(t);
  c.splat(E4).get(t).splat(E5).simd(Simd.F64x2Mul).simd(Simd.F64x2Add);
  c.simd(Simd.F64x2Mul).simd(Simd.F64x2Add);
  c.simd(Simd.F64x2Mul).simd(Simd.F64x2Add);
  c.simd(Simd.F64x2Mul).simd(Simd.F64x2Add);
  c.simd(Simd.F64x2Mul).simd(Simd.F64x2Sub).set(cc);
  // y = 1 − ((lo − (r·c)/(2 − c)) − hi)
  c.splat(1);
  c.get(lo);
  c.get(r).get(cc).simd(Simd.F64x2Mul);
  c.splat(2).get(cc).simd(Simd.F64x2Sub);
  c.simd(Simd.F64x2Div).simd(Simd.F64x2Sub);
  c.get(hi).simd(Simd.F64x2Sub);
  c.simd(Simd.F64x2Sub).set(y);
  // y·2^k, as two exact factors 2^(k>>1)·2^(k−(k>>1)) so that neither overflows
  // nor goes subnormal: the one rounding is the last product's, as fdlibm's.
  c.get(k).splat(MAGIC).simd(Simd.F64x2Add).splatI64(MAGIC_BITS).simd(Simd.I64x2Sub).set(k);
  c.get(k).i32(1).simd(Simd.I64x2ShrS).set(t);
  c.get(y);
  c.get(t).splatI64(1023).simd(Simd.I64x2Add).i32(52).simd(Simd.I64x2Shl);
  c.simd(Simd.F64x2Mul);
  c.get(k).get(t).simd(Simd.I64x2Sub).splatI64(1023).simd(Simd.I64x2Add).i32(52).simd(Simd.I64x2Shl);
  c.simd(Simd.F64x2Mul).set(y);
  // Tiny arguments: 1 + x. Beyond the thresholds: ∞ and 0 (NaN stays NaN).
  c.splat(1).get(x).simd(Simd.F64x2Add).get(y).get(ax).splat(TINY).simd(Simd.F64x2Lt);
  select(c).set(y);
  c.splat(Infinity).get(y).get(x).splat(O_THRESHOLD).simd(Simd.F64x2Gt);
  select(c).set(y);
  c.splat(0).get(y).get(x).splat(U_THRESHOLD).simd(Simd.F64x2Lt);
  select(c);
}

/**
 * The engine's tanh: Cephes' rational form for |x| ≤ 0.625, x itself below
 * 1e−8, 1 − 2/(e^{2|x|} + 1) with x's sign beyond. A pair of lanes computes
 * only the branches one of them takes.
 */
function emitTanh(c: Code, exp: number): void {
  const [x, a, far, big, s, r, z] = [0, 1, 2, 3, 4, 5, 6];
  c.get(x).simd(Simd.F64x2Abs).set(a);
  c.get(a).splat(0.625).simd(Simd.F64x2Gt).set(far);
  c.get(far).simd(Simd.AnyTrue).if();
  {
    // z = 1 − 2/(exp(2a) + 1), negated where x < 0
    c.splat(1).splat(2);
    c.get(a).get(a).simd(Simd.F64x2Add).call(exp).splat(1).simd(Simd.F64x2Add);
    c.simd(Simd.F64x2Div).simd(Simd.F64x2Sub).set(z);
    c.get(z).simd(Simd.F64x2Neg).get(z).get(x).splat(0).simd(Simd.F64x2Lt);
    select(c).set(big);
  }
  c.end();
  c.get(far).simd(Simd.I64x2AllTrue).i32(1).op(0x47 /* i32.ne */).if();
  {
    // x + x·s·((P0·s + P1)·s + P2) / (((s + Q0)·s + Q1)·s + Q2)
    c.get(x).get(x).simd(Simd.F64x2Mul).set(s);
    c.get(x);
    c.get(x).get(s).simd(Simd.F64x2Mul);
    c.splat(P0).get(s).simd(Simd.F64x2Mul).splat(P1).simd(Simd.F64x2Add);
    c.get(s).simd(Simd.F64x2Mul).splat(P2).simd(Simd.F64x2Add);
    c.simd(Simd.F64x2Mul);
    c.get(s).splat(Q0).simd(Simd.F64x2Add).get(s).simd(Simd.F64x2Mul).splat(Q1).simd(Simd.F64x2Add);
    c.get(s).simd(Simd.F64x2Mul).splat(Q2).simd(Simd.F64x2Add);
    c.simd(Simd.F64x2Div).simd(Simd.F64x2Add).set(r);
    c.get(x).get(r).get(a).splat(1e-8).simd(Simd.F64x2Lt);
    select(c).set(r);
  }
  c.end();
  c.get(big).get(r).get(far);
  select(c);
}

/** 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below: both from e = exp(−|x|). */
function emitSigmoid(c: Code, exp: number): void {
  const [x, e] = [0, 1];
  c.get(x).simd(Simd.F64x2Abs).simd(Simd.F64x2Neg).call(exp).set(e);
  c.splat(1).splat(1).get(e).simd(Simd.F64x2Add).simd(Simd.F64x2Div);
  c.get(e).splat(1).get(e).simd(Simd.F64x2Add).simd(Simd.F64x2Div);
  c.get(x).splat(0).simd(Simd.F64x2Ge);
  select(c);
}
