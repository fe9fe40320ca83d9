import { type Code, F64, I32, I64, type ModuleBuilder, Type } from './emit.js';

/**
 * log and log1p inside WebAssembly, one number at a time: fdlibm's
 * `__ieee754_log` and `log1p` (the ones behind V8's Math.log and Math.log1p)
 * statement for statement, branches and all, so that they return the very
 * same bits. They serve the nodes that run one at a time (a loss's
 * log-sum-exp, a graph's log), where a lane at a time costs little.
 */
export interface LogFunctions {
  log: number;
  log1p: number;
}

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const TWO54 = 1.8014398509481984e16;
const L1 = 6.66666666666673513e-1;
const L2 = 3.999999999940941908e-1;
const L3 = 2.857142874366239149e-1;
const L4 = 2.222219843214978396e-1;
const L5 = 1.818357216161805012e-1;
const L6 = 1.531383769920937332e-1;
const L7 = 1.479819860511658591e-1;

export function addLog(m: ModuleBuilder): LogFunctions {
  // locals: 0 x | i32: 1 hx, 2 k, 3 i, 4 j | f64: 5 f, 6 s, 7 z, 8 w, 9 R, 10 hfsq, 11 dk, 12 c, 13 u
  const locals = [Type.I32, Type.I32, Type.I32, Type.I32, ...Array<Type>(9).fill(Type.F64)];
  const log = m.func([Type.F64], [Type.F64], locals);
  emitLog(log.code);
  const log1p = m.func([Type.F64], [Type.F64], locals);
  emitLog1p(log1p.code);
  return { log: log.index, log1p: log1p.index };
}

const [X, HX, K, II, J, F, S, Z, W, R, HFSQ, DK, C, U] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];

/** The high 32 bits of local `v` (an f64), as i32. */
function high(c: Code, v: number): Code {
  return c.get(v).op(I64.bitsOf).i64(32n).op(I64.shrU).op(I32.wrap);
}

/** Local `v` with its high 32 bits replaced by the i32 on the stack. */
function setHigh(c: Code, v: number): void {
  c.op(I64.fromU32).i64(32n).op(I64.shl);
  c.get(v).op(I64.bitsOf).i64(0xffffffffn).op(I64.and).op(I64.or).op(F64.fromBits).set(v);
}

/** w·(L2 + w·(L4 + w·L6)) + z·(L1 + w·(L3 + w·(L5 + w·L7))) as fdlibm's log: t2 + t1 into R. */
function polynomial(c: Code): void {
  c.get(Z).f64(L1).get(W).f64(L3).get(W).f64(L5).get(W).f64(L7).op(F64.mul).op(F64.add);
  c.op(F64.mul).op(F64.add).op(F64.mul).op(F64.add).op(F64.mul);
  c.get(W).f64(L2).get(W).f64(L4).get(W).f64(L6).op(F64.mul).op(F64.add).op(F64.mul).op(F64.add).op(F64.mul);
  c.op(F64.add).set(R);
}

function emitLog(c: Code): void {
  c.i32(0).set(K);
  high(c, X).set(HX);
  // x < 2^-1022: zero, negative or subnormal
  c.get(HX).i32(0x00100000).op(I32.ltS).if();
  {
    c.get(X).f64(0).op(F64.eq).if().f64(-Infinity).return().end();
    c.get(HX).i32(0).op(I32.ltS).if().f64(NaN).return().end();
    c.get(K).i32(54).op(I32.sub).set(K);
    c.get(X).f64(TWO54).op(F64.mul).set(X);
    high(c, X).set(HX);
  }
  c.end();
  c.get(HX).i32(0x7ff00000).op(I32.geS).if().get(X).get(X).op(F64.add).return().end();
  c.get(K).get(HX).i32(20).op(I32.shrS).i32(1023).op(I32.sub).op(I32.add).set(K);
  c.get(HX).i32(0x000fffff).op(I32.and).set(HX);
  c.get(HX).i32(0x95f64).op(I32.add).i32(0x100000).op(I32.and).set(II);
  c.get(HX).get(II).i32(0x3ff00000).op(I32.xor).op(I32.or);
  setHigh(c, X);
  c.get(K).get(II).i32(20).op(I32.shrS).op(I32.add).set(K);
  c.get(X).f64(1).op(F64.sub).set(F);
  // |f| < 2^-20
  c.i32(0x000fffff).i32(2).get(HX).op(I32.add).op(I32.and).i32(3).op(0x48 /* lt_s */).if();
  {
    c.get(F).f64(0).op(F64.eq).if();
    c.get(K).op(I32.eqz).if().f64(0).return().end();
    c.get(K).op(F64.fromI32).set(DK);
    c.get(DK).f64(LN2_HI).op(F64.mul).get(DK).f64(LN2_LO).op(F64.mul).op(F64.add).return();
    c.end();
    // R = f·f·(0.5 − 0.33333333333333333·f)
    c.get(F).get(F).op(F64.mul).f64(0.5).f64(0.33333333333333333).get(F).op(F64.mul).op(F64.sub).op(F64.mul).set(R);
    c.get(K).op(I32.eqz).if().get(F).get(R).op(F64.sub).return().end();
    c.get(K).op(F64.fromI32).set(DK);
    c.get(DK).f64(LN2_HI).op(F64.mul);
    c.get(R).get(DK).f64(LN2_LO).op(F64.mul).op(F64.sub).get(F).op(F64.sub).op(F64.sub).return();
  }
  c.end();
  c.get(F).f64(2).get(F).op(F64.add).op(F64.div).set(S);
  c.get(K).op(F64.fromI32).set(DK);
  c.get(S).get(S).op(F64.mul).set(Z);
  c.get(HX).i32(0x6147a).op(I32.sub).set(II);
  c.get(Z).get(Z).op(F64.mul).set(W);
  c.i32(0x6b851).get(HX).op(I32.sub).set(J);
  polynomial(c);
  c.get(II).get(J).op(I32.or).i32(0).op(I32.gtS).if();
  {
    c.f64(0.5).get(F).op(F64.mul).get(F).op(F64.mul).set(HFSQ);
    c.get(K).op(I32.eqz).if();
    c.get(F).get(HFSQ).get(S).get(HFSQ).get(R).op(F64.add).op(F64.mul).op(F64.sub).op(F64.sub).return();
    c.end();
    c.get(DK).f64(LN2_HI).op(F64.mul);
    c.get(HFSQ).get(S).get(HFSQ).get(R).op(F64.add).op(F64.mul).get(DK).f64(LN2_LO).op(F64.mul).op(F64.add);
    c.op(F64.sub).get(F).op(F64.sub).op(F64.sub).return();
  }
  c.end();
  c.get(K).op(I32.eqz).if();
  c.get(F).get(S).get(F).get(R).op(F64.sub).op(F64.mul).op(F64.sub).return();
  c.end();
  c.get(DK).f64(LN2_HI).op(F64.mul);
  c.get(S).get(F).get(R).op(F64.sub).op(F64.mul).get(DK).f64(LN2_LO).op(F64.mul).op(F64.sub);
  c.get(F).op(F64.sub).op(F64.sub);
}

function emitLog1p(c: Code): void {
  // locals reused: HX = hx, II = ax, J = hu, K = k
  high(c, X).set(HX);
  c.get(HX).i32(0x7fffffff).op(I32.and).set(II);
  c.i32(1).set(K);
  c.f64(0).set(C);
  c.get(HX).i32(0x3fda827a).op(I32.ltS).if();
  {
    // x ≤ −1: −∞ or NaN
    c.get(II).i32(0x3ff00000).op(I32.geS).if();
    c.get(X).f64(-1).op(F64.eq).if().f64(-Infinity).return().end();
    c.f64(NaN).return();
    c.end();
    // |x| < 2^-29
    c.get(II).i32(0x3e200000).op(I32.ltS).if();
    c.get(II).i32(0x3c900000).op(I32.ltS).if().get(X).return().end();
    c.get(X).get(X).get(X).op(F64.mul).f64(0.5).op(F64.mul).op(F64.sub).return();
    c.end();
    // −0.2929 < x < 0.41422: k = 0, f = x, hu = 1
    c.get(HX)
      .i32(0)
      .op(I32.gtS)
      .get(HX)
      .i32(0xbfd2bec3 | 0)
      .op(I32.leS)
      .op(I32.or)
      .if();
    c.i32(0).set(K);
    c.get(X).set(F);
    c.i32(1).set(J);
    c.end();
  }
  c.end();
  c.get(HX).i32(0x7ff00000).op(I32.geS).if().get(X).get(X).op(F64.add).return().end();
  c.get(K).if();
  {
    c.get(HX).i32(0x43400000).op(I32.ltS).if();
    {
      c.f64(1).get(X).op(F64.add).set(U);
      high(c, U).set(J);
      c.get(J).i32(20).op(I32.shrS).i32(1023).op(I32.sub).set(K);
      // c = (k > 0 ? 1 − (u − x) : x − (u − 1)) / u
      c.get(K).i32(0).op(I32.gtS).if();
      c.f64(1).get(U).get(X).op(F64.sub).op(F64.sub).set(C);
      c.else();
      c.get(X).get(U).f64(1).op(F64.sub).op(F64.sub).set(C);
      c.end();
      c.get(C).get(U).op(F64.div).set(C);
    }
    c.else();
    {
      c.get(X).set(U);
      high(c, U).set(J);
      c.get(J).i32(20).op(I32.shrS).i32(1023).op(I32.sub).set(K);
      c.f64(0).set(C);
    }
    c.end();
    c.get(J).i32(0x000fffff).op(I32.and).set(J);
    c.get(J).i32(0x6a09e).op(I32.ltS).if();
    c.get(J).i32(0x3ff00000).op(I32.or);
    setHigh(c, U);
    c.else();
    c.get(K).i32(1).op(I32.add).set(K);
    c.get(J).i32(0x3fe00000).op(I32.or);
    setHigh(c, U);
    c.i32(0x00100000).get(J).op(I32.sub).i32(2).op(I32.shrS).set(J);
    c.end();
    c.get(U).f64(1).op(F64.sub).set(F);
  }
  c.end();
  c.f64(0.5).get(F).op(F64.mul).get(F).op(F64.mul).set(HFSQ);
  c.get(K).op(F64.fromI32).set(DK);
  c.get(J).op(I32.eqz).if();
  {
    c.get(F).f64(0).op(F64.eq).if();
    c.get(K).op(I32.eqz).if().f64(0).return().end();
    c.get(C).get(DK).f64(LN2_LO).op(F64.mul).op(F64.add).set(C);
    c.get(DK).f64(LN2_HI).op(F64.mul).get(C).op(F64.add).return();
    c.end();
    c.get(HFSQ).f64(1).f64(0.66666666666666666).get(F).op(F64.mul).op(F64.sub).op(F64.mul).set(R);
    c.get(K).op(I32.eqz).if().get(F).get(R).op(F64.sub).return().end();
    c.get(DK).f64(LN2_HI).op(F64.mul);
    c.get(R).get(DK).f64(LN2_LO).op(F64.mul).get(C).op(F64.add).op(F64.sub).get(F).op(F64.sub).op(F64.sub).return();
  }
  c.end();
  c.get(F).f64(2).get(F).op(F64.add).op(F64.div).set(S);
  c.get(S).get(S).op(F64.mul).set(Z);
  // R = z·(Lp1 + z·(Lp2 + z·(Lp3 + z·(Lp4 + z·(Lp5 + z·(Lp6 + z·Lp7))))))
  c.get(Z).f64(L1).get(Z).f64(L2).get(Z).f64(L3).get(Z).f64(L4).get(Z).f64(L5).get(Z).f64(L6).get(Z).f64(L7);
  for (let i = 0; i < 6; i++) c.op(F64.mul).op(F64.add);
  c.op(F64.mul).set(R);
  c.get(K).op(I32.eqz).if();
  c.get(F).get(HFSQ).get(S).get(HFSQ).get(R).op(F64.add).op(F64.mul).op(F64.sub).op(F64.sub).return();
  c.end();
  c.get(DK).f64(LN2_HI).op(F64.mul);
  c.get(HFSQ).get(S).get(HFSQ).get(R).op(F64.add).op(F64.mul).get(DK).f64(LN2_LO).op(F64.mul).get(C).op(F64.add);
  c.op(F64.add).op(F64.sub).get(F).op(F64.sub).op(F64.sub);
}
