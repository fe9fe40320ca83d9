import { P0, P1, P2, Q0, Q1, Q2 } from '../math.js';
import { type Code, type ModuleBuilder, Simd, Type } from './emit.js';

/**
 * exp, tanh and sigmoid on two lanes at once. exp is fdlibm's
 * `__ieee754_exp` (the one behind V8's Math.exp) step for step, its branches
 * turned into lane selects, so it returns Math.exp's very bits; tanh and
 * sigmoid are then the engine's own (src/engine/math.ts) operation for
 * operation, so the wasm engine's activations equal the js engine's bit for bit.
 *
 * Each is written as a list of statements over a set of v128 locals, so that
 * a kernel can run the same statements for two vectors at once, alternating
 * (`interleave`): exp is a long chain of dependent operations, and two chains
 * side by side keep the core busy while each waits. The same statements also
 * make plain functions (v128) → v128 for the one-node-at-a-time path.
 */
export interface MathFunctions {
  exp: number;
  tanh: number;
  sigmoid: number;
}

/** The v128 locals one vector's statements use: `x` in, `y` out, the rest scratch. */
export interface Regs {
  x: number;
  y: number;
  t: readonly number[];
}

/** Locals each vector needs besides x and y. */
export const SCRATCH = 14;

type Statement = (c: Code, r: Regs) => void;

const bits = (hex: bigint) => new Float64Array(BigInt64Array.of(hex).buffer)[0]!;

// fdlibm e_exp.c
const O_THRESHOLD = 7.09782712893383973096e2;
const U_THRESHOLD = -7.4513321910194110842e2;
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const E1 = 1.66666666666666019037e-1;
const E2 = -2.77777777770155933842e-3;
const E3 = 6.61375632143793436117e-5;
const E4 = -1.6533902205465251539e-6;
const E5 = 4.13813679705723846039e-8;
/** |x| below this: k = 0 (fdlibm: high word ≤ 0x3fd62e42). Above it, (int)(x/ln2 ± ½) is fdlibm's k, ±1 included. */
const HALF_LN2 = bits(0x3fd62e4300000000n);
/** |x| below 2⁻²⁸: exp x = 1 + x. */
const TINY = bits(0x3e30000000000000n);
/** 2⁵² + 2⁵¹: adding it leaves a whole number's two's complement in the low bits. */
const MAGIC = 6755399441055744;
const MAGIC_BITS = 0x4338000000000000;
/** tanh's 2|x| is capped here: e⁴⁰ + 1 makes 1 − 2/(e + 1) round to 1, as any larger e does. */
const LARGE_CAP = 40;

/**
 * exp(r.x) into r.y; uses t[0..6]. `large`: for tanh's e^{2|x|}, where only
 * lanes with x > 1.25 matter, which lets fdlibm's branches for small, tiny
 * and very negative x go, and x is capped at 40 (tanh is 1 beyond either way).
 */
function expStatements(large = false): Statement[] {
  const S = (f: (c: Code, x: number, y: number, t: readonly number[]) => void): Statement => {
    return (c, r) => f(c, r.x, r.y, r.t);
  };
  // t: 0 ax, 1 k, 2 hi, 3 lo, 4 r, 5 t, 6 c
  const k: Statement[] = large
    ? [
        // x ≤ 40 (NaN stays NaN): beyond, tanh's 1 − 2/(e + 1) is 1 all the same; k = trunc(invln2·x + ½)
        S((c, x) => c.get(x).splat(LARGE_CAP).simd(Simd.F64x2Pmin).set(x)),
        S((c, x, _y, t) => {
          c.splat(INV_LN2).get(x).simd(Simd.F64x2Mul).splat(0.5).simd(Simd.F64x2Add).simd(Simd.F64x2Trunc).set(t[1]!);
        }),
      ]
    : [
        S((c, x, _y, t) => c.get(x).simd(Simd.F64x2Abs).set(t[0]!)),
        // k = trunc(invln2·x ± ½), and 0 below ½·ln2
        S((c, x, _y, t) => {
          c.splat(INV_LN2).get(x).simd(Simd.F64x2Mul);
          c.splat(-0.5).splat(0.5).get(x).splat(0).simd(Simd.F64x2Lt).simd(Simd.Bitselect);
          c.simd(Simd.F64x2Add).simd(Simd.F64x2Trunc);
          c.get(t[0]!).splat(HALF_LN2).simd(Simd.F64x2Ge).simd(Simd.And).set(t[1]!);
        }),
      ];
  return [
    ...k,
    // hi = x − k·ln2hi, lo = k·ln2lo, r = hi − lo, t = r²
    S((c, x, _y, t) => c.get(x).get(t[1]!).splat(LN2_HI).simd(Simd.F64x2Mul).simd(Simd.F64x2Sub).set(t[2]!)),
    S((c, _x, _y, t) => c.get(t[1]!).splat(LN2_LO).simd(Simd.F64x2Mul).set(t[3]!)),
    S((c, _x, _y, t) =>
      c.get(t[2]!).get(t[3]!).simd(Simd.F64x2Sub).tee(t[4]!).get(t[4]!).simd(Simd.F64x2Mul).set(t[5]!),
    ),
    // c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5))))
    S((c, _x, _y, t) => {
      const tt = t[5]!;
      c.get(t[4]!).get(tt);
      c.splat(E1).get(tt).splat(E2).get(tt).splat(E3).get(tt).splat(E4).get(tt).splat(E5);
      for (let i = 0; i < 4; i++) c.simd(Simd.F64x2Mul).simd(Simd.F64x2Add);
      c.simd(Simd.F64x2Mul).simd(Simd.F64x2Sub).set(t[6]!);
    }),
    // y = 1 − ((lo − (r·c)/(2 − c)) − hi)
    S((c, _x, y, t) => {
      c.splat(1).get(t[3]!);
      c.get(t[4]!).get(t[6]!).simd(Simd.F64x2Mul);
      c.splat(2).get(t[6]!).simd(Simd.F64x2Sub);
      c.simd(Simd.F64x2Div).simd(Simd.F64x2Sub);
      c.get(t[2]!).simd(Simd.F64x2Sub).simd(Simd.F64x2Sub).set(y);
    }),
    // y·2^k, exact as fdlibm's: as two factors 2^(k>>1)·2^(k−(k>>1)), so that neither
    // overflows nor goes subnormal; for tanh (k ≤ 58) as one.
    S((c, _x, _y, t) => {
      c.get(t[1]!).splat(MAGIC).simd(Simd.F64x2Add).splatI64(MAGIC_BITS).simd(Simd.I64x2Sub).set(t[1]!);
      if (!large) c.get(t[1]!).i32(1).simd(Simd.I64x2ShrS).set(t[5]!);
    }),
    S((c, _x, y, t) => {
      c.get(y);
      if (large) {
        c.get(t[1]!).splatI64(1023).simd(Simd.I64x2Add).i32(52).simd(Simd.I64x2Shl);
        c.simd(Simd.F64x2Mul).set(y);
        return;
      }
      c.get(t[5]!).splatI64(1023).simd(Simd.I64x2Add).i32(52).simd(Simd.I64x2Shl);
      c.simd(Simd.F64x2Mul);
      c.get(t[1]!).get(t[5]!).simd(Simd.I64x2Sub).splatI64(1023).simd(Simd.I64x2Add).i32(52).simd(Simd.I64x2Shl);
      c.simd(Simd.F64x2Mul).set(y);
    }),
    // Tiny arguments: 1 + x. Beyond the thresholds: ∞ and 0 (NaN stays NaN).
    ...(large
      ? []
      : [
          S((c, x, y, t) => {
            c.splat(1).get(x).simd(Simd.F64x2Add).get(y).get(t[0]!).splat(TINY).simd(Simd.F64x2Lt);
            c.simd(Simd.Bitselect).set(y);
            c.splat(Infinity).get(y).get(x).splat(O_THRESHOLD).simd(Simd.F64x2Gt).simd(Simd.Bitselect).set(y);
            c.splat(0).get(y).get(x).splat(U_THRESHOLD).simd(Simd.F64x2Lt).simd(Simd.Bitselect).set(y);
          }),
        ]),
  ];
}

/** Runs each statement for every vector in turn before the next statement. */
export function interleave(c: Code, statements: readonly Statement[], regs: readonly Regs[]): void {
  for (const s of statements) for (const r of regs) s(c, r);
}

/**
 * The engine's tanh of r.x into r.y: Cephes' rational form for |x| ≤ 0.625, x
 * itself below 1e−8, 1 − 2/(e^{2|x|} + 1) with x's sign beyond. Both forms
 * for every lane, without branches; their divisions are one: each lane
 * divides its own form's numerator by its denominator (the same operation,
 * so the same bits, as the engine's).
 */
export function tanh(c: Code, regs: readonly Regs[]): void {
  // t: 0..6 exp's, then 0 den, 1 far, 2 d; 9 |x|, 10 2|x|, 11 e^{2|x|}, 12 s, 13 num
  const exp = expStatements(true);
  const inner = regs.map((r) => ({ x: r.t[10]!, y: r.t[11]!, t: r.t }));
  for (const r of regs) {
    c.get(r.x).simd(Simd.F64x2Abs).set(r.t[9]!);
    c.splat(0).set(r.t[11]!);
  }
  // e only where a lane is beyond 0.625
  regs.forEach((r, i) => {
    c.get(r.t[9]!).splat(0.625).simd(Simd.F64x2Gt);
    if (i > 0) c.simd(Simd.Or);
  });
  c.simd(Simd.AnyTrue).if();
  for (const r of regs) c.get(r.t[9]!).get(r.t[9]!).simd(Simd.F64x2Add).set(r.t[10]!);
  interleave(c, exp, inner);
  c.end();
  for (const r of regs) {
    const [den, far, d] = [r.t[0]!, r.t[1]!, r.t[2]!];
    const [s, num] = [r.t[12]!, r.t[13]!];
    // near: x·s·((P0·s + P1)·s + P2) over ((s + Q0)·s + Q1)·s + Q2
    c.get(r.x).get(r.x).simd(Simd.F64x2Mul).set(s);
    c.get(r.x).get(s).simd(Simd.F64x2Mul);
    c.splat(P0).get(s).simd(Simd.F64x2Mul).splat(P1).simd(Simd.F64x2Add);
    c.get(s).simd(Simd.F64x2Mul).splat(P2).simd(Simd.F64x2Add);
    c.simd(Simd.F64x2Mul).set(num);
    c.get(s).splat(Q0).simd(Simd.F64x2Add).get(s).simd(Simd.F64x2Mul).splat(Q1).simd(Simd.F64x2Add);
    c.get(s).simd(Simd.F64x2Mul).splat(Q2).simd(Simd.F64x2Add).set(den);
    // far (NaN is not: it takes the near form, as in the engine): 2 over e + 1
    c.get(r.t[9]!).splat(0.625).simd(Simd.F64x2Gt).set(far);
    c.splat(2).get(num).get(far).simd(Simd.Bitselect);
    c.get(r.t[11]!).splat(1).simd(Simd.F64x2Add).get(den).get(far).simd(Simd.Bitselect);
    c.simd(Simd.F64x2Div).set(d);
    // far: z = 1 − d, negated where x < 0; near: x + d, or x itself below 1e−8
    c.splat(1).get(d).simd(Simd.F64x2Sub).set(den);
    c.get(den).simd(Simd.F64x2Neg).get(den).get(r.x).splat(0).simd(Simd.F64x2Lt).simd(Simd.Bitselect);
    c.get(r.x).get(d).simd(Simd.F64x2Add).get(r.x).get(r.t[9]!).splat(1e-8).simd(Simd.F64x2Ge).simd(Simd.Bitselect);
    c.get(far).simd(Simd.Bitselect).set(r.y);
  }
}

/** The engine's sigmoid of r.x into r.y: 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below, e = exp(−|x|). */
export function sigmoid(c: Code, regs: readonly Regs[]): void {
  const inner = regs.map((r) => ({ x: r.t[10]!, y: r.t[11]!, t: r.t }));
  for (const r of regs) c.get(r.x).simd(Simd.F64x2Abs).simd(Simd.F64x2Neg).set(r.t[10]!);
  interleave(c, expStatements(), inner);
  for (const r of regs) {
    const e = r.t[11]!;
    c.splat(1).splat(1).get(e).simd(Simd.F64x2Add).simd(Simd.F64x2Div);
    c.get(e).splat(1).get(e).simd(Simd.F64x2Add).simd(Simd.F64x2Div);
    c.get(r.x).splat(0).simd(Simd.F64x2Ge).simd(Simd.Bitselect).set(r.y);
  }
}

/** exp of r.x into r.y. */
export function exp(c: Code, regs: readonly Regs[]): void {
  interleave(c, expStatements(), regs);
}

/** exp, tanh and sigmoid as functions (v128) → v128, for the one-node-at-a-time path. */
export function addMath(m: ModuleBuilder): MathFunctions {
  const make = (body: (c: Code, regs: readonly Regs[]) => void) => {
    const f = m.func([Type.V128], [Type.V128], Array<Type>(SCRATCH + 1).fill(Type.V128));
    const r: Regs = { x: 0, y: 1, t: Array.from({ length: SCRATCH }, (_, i) => i + 2) };
    body(f.code, [r]);
    f.code.get(r.y);
    return f.index;
  };
  return { exp: make(exp), tanh: make(tanh), sigmoid: make(sigmoid) };
}
