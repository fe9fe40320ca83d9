import { Op, type Program } from '../compile.js';
import { type Code, F64, I32, Simd, Type } from './emit.js';
import type { Layout } from './layout.js';
import type { MathFunctions, Regs } from './math.js';
import { SCRATCH } from './math.js';
import type { Plan } from './plan.js';

/**
 * The scalar functions the one-node path calls: x ** k imported from
 * JavaScript (a power other than 2 is rare), log and log1p in the module.
 */
export interface Imports {
  pow: number;
  log: number;
  log1p: number;
}

// Locals of every step function: param 0 = rows; then i32 scratch, then v128 scratch.
export const I = {
  rows: 0,
  pairBytes: 1,
  lp: 2,
  a: 3,
  b: 4,
  c: 5,
  d: 6,
  n: 7,
  e: 8,
  f: 9,
  h: 10,
  j: 11,
  k: 12,
  m: 13,
} as const;
export const V0 = 14;
export const V_COUNT = 2 * (SCRATCH + 2);
export const F0 = V0 + V_COUNT;
export const LOCALS: Type[] = [...Array<Type>(13).fill(Type.I32), ...Array<Type>(V_COUNT).fill(Type.V128), Type.F64];
/** Two vectors' locals for the activations, run side by side. */
export const REGS: Regs[] = [0, 1].map((v) => {
  const base = V0 + v * (SCRATCH + 2);
  return { x: base, y: base + 1, t: Array.from({ length: SCRATCH }, (_, i) => base + 2 + i) };
});

/**
 * What every kernel writer shares: the program, its plan and layout, where a
 * slot's values and gradients live, and the loops over a batch's rows.
 */
export class Writer {
  protected readonly slotBytes: number;

  constructor(
    readonly program: Program,
    readonly plan: Plan,
    readonly layout: Layout,
    readonly math: MathFunctions,
    readonly imports: Imports,
  ) {
    this.slotBytes = layout.lanes * 8;
  }

  protected value(slot: number): number {
    return this.layout.values + slot * this.slotBytes;
  }

  protected grad(slot: number): number {
    return this.layout.nodeGrads + slot * this.slotBytes;
  }

  /** pairBytes = ⌈rows/2⌉·16: the bytes of each slot a pass touches. */
  protected pairs(c: Code): void {
    c.get(I.rows).i32(1).op(I32.add).i32(1).op(I32.shrS).i32(16).op(I32.mul).set(I.pairBytes);
  }

  /**
   * Rows in blocks of two pairs (four rows), then a last pair if there is one:
   * `body(pairs)` runs with lp = the block's byte offset within a slot.
   */
  protected rowBlocks(c: Code, body: (pairs: number) => void, size = 2): void {
    c.i32(0).set(I.lp);
    c.block().loop();
    c.get(I.lp)
      .i32(16 * size)
      .op(I32.add)
      .get(I.pairBytes)
      .op(I32.gtS)
      .brIf(1);
    body(size);
    c.inc(I.lp, 16 * size).br(0);
    c.end().end();
    c.block().loop();
    c.get(I.lp).get(I.pairBytes).op(I32.geS).brIf(1);
    body(1);
    c.inc(I.lp, 16).br(0);
    c.end().end();
  }

  /** Each pair of rows: lp from 0 to pairBytes. */
  protected eachPair(c: Code, body: () => void): void {
    c.i32(0).set(I.lp);
    c.block().loop();
    c.get(I.lp).get(I.pairBytes).op(I32.geS).brIf(1);
    body();
    c.inc(I.lp, 16).br(0);
    c.end().end();
  }

  /**
   * Each row l < rows, with lp = l·8 (scalar, in order: sums over rows run as
   * the js engine's); or only the rows of `part` (see `parts`).
   */
  protected eachRow(c: Code, body: () => void, part?: 0 | 1): void {
    const cut = part !== undefined && this.parts.length > 1;
    if (cut && part === 1) this.partRows(c).i32(8).op(I32.mul).set(I.lp);
    else c.i32(0).set(I.lp);
    c.block().loop();
    c.get(I.lp);
    if (cut && part === 0) this.partRows(c);
    else c.get(I.rows);
    c.i32(8).op(I32.mul).op(I32.geS).brIf(1);
    body();
    c.inc(I.lp, 8).br(0);
    c.end().end();
  }

  /** The parts a sum over rows runs in: [0] or, when the rows are cut, [0, 1] (see `Layout.cut`). */
  protected get parts(): (0 | 1)[] {
    return this.layout.cut < this.layout.lanes ? [0, 1] : [0];
  }

  /** Pushes the rows in part 0: min(rows, cut). */
  protected partRows(c: Code): Code {
    const cut = this.layout.cut;
    return c.get(I.rows).i32(cut).get(I.rows).i32(cut).op(I32.ltS).op(I32.select);
  }

  /** Pushes the rows a sum over `part` runs over: all of them when they are not cut. */
  protected rowsOf(c: Code, part: 0 | 1): Code {
    if (this.parts.length === 1) return c.get(I.rows);
    if (part === 0) return this.partRows(c);
    return this.partRows(c.get(I.rows)).op(I32.sub);
  }

  /** A counted runtime loop: `count` times, counter in local `n`. */
  protected repeat(c: Code, counter: number, count: number, body: () => void): void {
    if (count <= 0) return;
    c.i32(count).set(counter);
    c.loop();
    body();
    c.get(counter).i32(1).op(I32.sub).tee(counter).brIf(0);
    c.end();
  }

  /** max(x, 0) as the js engine: x > 0 ? x : 0 (NaN → 0). */
  protected relu(c: Code): Code {
    const x = V0 + V_COUNT - 1;
    return c.set(x).get(x).splat(0).get(x).splat(0).simd(Simd.F64x2Gt).simd(Simd.Bitselect);
  }

  /** gx += f'·g for an element-wise op, at address local `at` + the slots' offsets. */
  protected derivative(c: Code, op: Op, at: number, x: number, y: number, gx: number, gy: number): void {
    const v = V0;
    c.get(at);
    if (op === Op.Relu) {
      // g added only where x > 0
      c.get(at).load(gx).get(at).load(gy).simd(Simd.F64x2Add);
      c.get(at).load(gx);
      c.get(at).load(x).splat(0).simd(Simd.F64x2Gt).simd(Simd.Bitselect);
    } else {
      c.get(at).load(gx);
      if (op === Op.Tanh) {
        c.splat(1).get(at).load(y).tee(v).get(v).simd(Simd.F64x2Mul).simd(Simd.F64x2Sub);
      } else if (op === Op.Sigmoid) {
        c.get(at).load(y).tee(v).splat(1).get(v).simd(Simd.F64x2Sub).simd(Simd.F64x2Mul);
      } else if (op === Op.Exp) {
        c.get(at).load(y);
      }
      c.get(at).load(gy).simd(Simd.F64x2Mul).simd(Simd.F64x2Add);
    }
    c.store(gx);
  }

  /**
   * Copies each lane's row (from `rowTable`: in the chunk or the kept data)
   * into the input slots, a row at a time, so that each row is read in order.
   */
  load(c: Code): void {
    const inputs = this.program.inputNodes.length;
    this.pairs(c);
    // lp = the lane's byte offset in a slot; d = its row; a = the input table entry (4 bytes each)
    c.i32(0).set(I.lp);
    c.block().loop();
    c.get(I.lp).get(I.pairBytes).op(I32.geS).brIf(1);
    c.get(I.lp).i32(1).op(I32.shrS).i32Load(this.layout.rowTable).set(I.d);
    c.i32(0).set(I.a);
    c.loop();
    c.get(I.a).i32Load(this.layout.inputTable).get(I.lp).op(I32.add);
    c.get(I.a).i32(1).op(I32.shl).get(I.d).op(I32.add).f64Load();
    c.f64Store();
    c.get(I.a)
      .i32(4)
      .op(I32.add)
      .tee(I.a)
      .i32(inputs * 4)
      .op(I32.ltS)
      .brIf(0);
    c.end();
    c.inc(I.lp, 8).br(0);
    c.end().end();
  }

  /** Clears the gradients (`zeroed`: the parameters' that no layer writes whole) and puts each output's seed in its lanes below `rows`. */
  seed(c: Code, zeroed: readonly [number, number][]): void {
    const { nodeGrads, grads, seeds } = this.layout;
    this.pairs(c);
    const first = nodeGrads + this.plan.firstGradSlot * this.slotBytes;
    c.i32(first)
      .i32(0)
      .i32(nodeGrads + this.plan.slots * this.slotBytes - first)
      .fill();
    for (const [first, count] of zeroed)
      c.i32(grads + first * 8)
        .i32(0)
        .i32(count * 8)
        .fill();
    this.program.outputNodes.forEach((node, j) => {
      const at = this.grad(this.plan.slot[node]!);
      this.eachRow(c, () => {
        c.get(I.lp)
          .get(I.lp)
          .f64Load(at)
          .i32(0)
          .f64Load(seeds + j * 8)
          .op(F64.add)
          .f64Store(at);
      });
    });
  }
}
