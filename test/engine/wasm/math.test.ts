import { describe, expect, it } from 'vitest';
import { sigmoid as engineSigmoid, tanh as engineTanh } from '../../../src/engine/math.js';
import { ConstantTable, ModuleBuilder, Type } from '../../../src/engine/wasm/emit.js';
import { addLog } from '../../../src/engine/wasm/log.js';
import { addMath, exp, type Regs, SCRATCH, sigmoid, tanh } from '../../../src/engine/wasm/math.js';
import { Random } from '../../../src/random.js';

// The kernels' exp, tanh and sigmoid, run over arrays: as functions (one
// vector per call, the one-node path) and inline two vectors at a time (the
// layers' activations), each checked against its JavaScript counterpart.

const N = 1 << 16;
const MEMORY_PAGES = Math.ceil((N * 8 + ConstantTable.BYTES) / 65536) + 1;

type Fn = 'exp' | 'tanh' | 'sigmoid';
const inline = { exp, tanh, sigmoid };
type Exports = Record<`${Fn}${'' | '2'}` | 'log' | 'log1p', (bytes: number) => void>;

function build(): Exports & { memory: WebAssembly.Memory } {
  const table = new ConstantTable(N * 8);
  const m = new ModuleBuilder(table);
  const fns = addMath(m);
  const logs = addLog(m);
  for (const name of ['log', 'log1p'] as const) {
    // name: over the array one number at a time
    const f = m.func([Type.I32], [], [Type.I32]);
    f.code.i32(0).set(1).block().loop();
    f.code.get(1).get(0).op(0x4e).brIf(1);
    f.code.get(1).get(1).f64Load().call(logs[name]).f64Store();
    f.code.get(1).i32(8).op(0x6a).set(1).br(0).end().end();
    m.export(name, f.index);
  }
  const names: string[] = [];
  for (const name of ['exp', 'tanh', 'sigmoid'] as const) {
    // name: over the array one vector at a time through the function
    const one = m.func([Type.I32], [], [Type.I32]);
    one.code.i32(0).set(1).block().loop();
    one.code.get(1).get(0).op(0x4e).brIf(1);
    one.code.get(1).get(1).load().call(fns[name]).store();
    one.code.get(1).i32(16).op(0x6a).set(1).br(0).end().end();
    m.export(name, one.index);
    // name2: two vectors side by side, inline
    const locals = [Type.I32, ...Array<Type>(2 * (SCRATCH + 2)).fill(Type.V128)];
    const two = m.func([Type.I32], [], locals);
    const regs: Regs[] = [0, 1].map((v) => {
      const base = 2 + v * (SCRATCH + 2);
      return { x: base, y: base + 1, t: Array.from({ length: SCRATCH }, (_, i) => base + 2 + i) };
    });
    const c = two.code;
    c.i32(0).set(1).block().loop();
    c.get(1).get(0).op(0x4e).brIf(1);
    c.get(1).load(0).set(regs[0]!.x).get(1).load(16).set(regs[1]!.x);
    inline[name](c, regs);
    c.get(1).get(regs[0]!.y).store(0).get(1).get(regs[1]!.y).store(16);
    c.get(1).i32(32).op(0x6a).set(1).br(0).end().end();
    m.export(`${name}2`, two.index);
    names.push(name);
  }
  const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(m.bytes(MEMORY_PAGES)), { env: { memory } });
  table.write(memory.buffer);
  return { ...(instance.exports as Record<string, (bytes: number) => void>), memory } as never;
}

const wasm = build();
const io = new Float64Array(wasm.memory.buffer, 0, N);

/** Distance in units in the last place: how many doubles lie between a and b. */
function ulps(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const ordered = (x: number) => {
    const i = new BigInt64Array(Float64Array.of(x).buffer)[0]!;
    return i < 0n ? -(i & 0x7fffffffffffffffn) : i;
  };
  return Number(ordered(a) > ordered(b) ? ordered(a) - ordered(b) : ordered(b) - ordered(a));
}

/** Runs `name` (and its two-vector form) on xs; returns both outputs. */
function apply(name: Fn, xs: Float64Array): [Float64Array, Float64Array] {
  io.set(xs);
  wasm[name](xs.length * 8);
  const one = io.slice(0, xs.length);
  io.set(xs);
  wasm[`${name}2`](xs.length * 8);
  return [one, io.slice(0, xs.length)];
}

/** Arguments over a range: uniform, plus the special values and every branch edge of fdlibm's exp and the engine's tanh. */
function argumentsOver(lo: number, hi: number, seed: number): Float64Array {
  const random = new Random(seed);
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) xs[i] = lo + (hi - lo) * random.next();
  const bits = (h: bigint) => new Float64Array(BigInt64Array.of(h).buffer)[0]!;
  const edges = [
    0,
    -0,
    NaN,
    Infinity,
    -Infinity,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    709.782712893384,
    709.7827128933841,
    -745.1332191019411,
    -745.1332191019412,
    -708.4,
    -740,
    1e-300,
    bits(0x3fd62e4300000000n),
    bits(0x3fd62e42ffffffffn),
    bits(0x3ff0a2b200000000n),
    bits(0x3ff0a2b1ffffffffn),
    bits(0x3e30000000000000n),
    bits(0x3e2fffffffffffffn),
    0.625,
    0.6250000000000001,
    1e-8,
    9.999999999999999e-9,
    Math.LN2 / 2,
    1.5 * Math.LN2,
    354.9,
    355.1,
    19.06,
    -19.06,
  ];
  edges.forEach((e, i) => {
    xs[i] = e;
    xs[edges.length + i] = -e;
  });
  return xs;
}

describe('exp, tanh and sigmoid inside WebAssembly', () => {
  it.each([
    ['the whole range', -800, 800],
    ['|x| < 2', -2, 2],
    ['tiny arguments', -1e-7, 1e-7],
  ])('exp equals Math.exp bit for bit over %s (worst: 0 ulp)', (_, lo, hi) => {
    const xs = argumentsOver(lo, hi, 1);
    for (const out of apply('exp', xs)) {
      for (let i = 0; i < N; i++)
        if (!Object.is(out[i], Math.exp(xs[i]!)))
          expect.fail(`exp(${xs[i]}) = ${out[i]}, Math.exp: ${Math.exp(xs[i]!)}`);
    }
  });

  it.each([
    ['the whole range', -30, 30],
    ['|x| < 1', -1, 1],
  ])('tanh equals the engine’s bit for bit over %s, and is within 2 ulp of Math.tanh', (_, lo, hi) => {
    const xs = argumentsOver(lo, hi, 2);
    let worst = 0;
    for (const out of apply('tanh', xs)) {
      for (let i = 0; i < N; i++) {
        if (!Object.is(out[i], engineTanh(xs[i]!)))
          expect.fail(`tanh(${xs[i]}) = ${out[i]}, engine: ${engineTanh(xs[i]!)}`);
        worst = Math.max(worst, ulps(out[i]!, Math.tanh(xs[i]!)));
      }
    }
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('sigmoid equals the engine’s bit for bit over the whole range', () => {
    const xs = argumentsOver(-800, 800, 3);
    for (const out of apply('sigmoid', xs)) {
      for (let i = 0; i < N; i++) {
        if (!Object.is(out[i], engineSigmoid(xs[i]!)))
          expect.fail(`sigmoid(${xs[i]}) = ${out[i]}, engine: ${engineSigmoid(xs[i]!)}`);
      }
    }
  });

  it.each([
    ['log', Math.log],
    ['log1p', Math.log1p],
  ] as const)(
    '%s equals Math.%s bit for bit: near 1, over every exponent, subnormals, the special values',
    (name, ref) => {
      const random = new Random(4);
      const xs = new Float64Array(N);
      const bits = (h: bigint) => new Float64Array(BigInt64Array.of(h).buffer)[0]!;
      for (let i = 0; i < N; i++) {
        const kind = i % 4;
        xs[i] =
          kind === 0
            ? (name === 'log' ? 1 : 0) + (random.next() - 0.5) * 2 ** -(1 + random.int(40)) // near the function's zero
            : kind === 1
              ? random.next() * 2 ** (random.int(2098) - 1074) // every exponent, subnormals too
              : kind === 2
                ? -1 + random.next() * 3 // around log1p's branches (−0.29, 0.41, √2 − 1)
                : random.next() * 10;
      }
      const edges = [
        0,
        -0,
        NaN,
        Infinity,
        -Infinity,
        -1,
        -2,
        Number.MIN_VALUE,
        1,
        bits(0x3fda827a00000000n),
        bits(0xbfd2bec300000000n),
        2 ** -29,
        2 ** -54,
        2 ** 53,
        2 ** 54,
      ];
      edges.forEach((e, i) => (xs[i] = e));
      io.set(xs);
      wasm[name](N * 8);
      for (let i = 0; i < N; i++) {
        if (!Object.is(io[i], ref(xs[i]!)) && !(Number.isNaN(io[i]) && Number.isNaN(ref(xs[i]!)))) {
          expect.fail(`${name}(${xs[i]}) = ${io[i]}, Math.${name}: ${ref(xs[i]!)}`);
        }
      }
    },
  );

  it('the ulp measure counts doubles between two numbers (a check on the check)', () => {
    expect(ulps(1, 1 + Number.EPSILON)).toBe(1);
    expect(ulps(-0, 0)).toBe(0);
    expect(ulps(Number.MIN_VALUE, -Number.MIN_VALUE)).toBe(2);
  });
});
