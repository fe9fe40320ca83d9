import { Op, type Program } from '../compile.js';
import { type Code, ConstantTable, F64, I32, ModuleBuilder, Simd, Type } from './emit.js';
import { addLog } from './log.js';
import { addMath, type MathFunctions, type Regs, SCRATCH, sigmoid, tanh } from './math.js';
import type { Layer, MapStep, Plan, Step } from './plan.js';

/**
 * Where everything lives in the module's memory (byte offsets, 16-aligned).
 * Slot s's lanes are at `values + s·lanes·8`; a pair of rows is one v128.
 */
export interface Layout {
  lanes: number;
  /** The splatted numbers (`ConstantTable`). */
  constants: number;
  params: number;
  grads: number;
  values: number;
  nodeGrads: number;
  /** A layer's inputs transposed (row-major, plus a column of ones for the bias) for the weight gradient. */
  transposed: number;
  /** Rows to load, row-major, `inputs` numbers each: the batch as the caller hands it over. */
  chunk: number;
  /** Address of each lane's row (i32): in the chunk, or in `data`. */
  rowTable: number;
  /** Rows kept in memory for the whole training (row-major like the chunk), when they fit. */
  data: number;
  /** ∂L/∂output for each output, for backward. */
  seeds: number;
  /** Byte offset of each input's first lane (i32). */
  inputTable: number;
  bytes: number;
}

const align = (n: number) => Math.ceil(n / 16) * 16;
const even = (n: number) => n + (n & 1);

/**
 * The layout of each of `shards` kernels sharing one memory: the constants,
 * parameters and kept rows once, and for each shard its own gradients and
 * working space (values, lanes, rows).
 */
export function layoutsOf(program: Program, plan: Plan, lanes: number, dataBytes = 0, shards = 1): Layout[] {
  // One slot more than the plan's: where inputs that the graph never reads are loaded.
  const slotBytes = (plan.slots + 1) * lanes * 8;
  let width = 0;
  for (const step of plan.steps) if (step.kind === 'layer') width = Math.max(width, even(step.inputs + 1));
  const constants = 0;
  const params = ConstantTable.BYTES;
  const data = params + align(program.parameterCount * 8);
  let at = data + align(dataBytes) + 32; // a block may read a pair past the last row's end
  const layouts: Layout[] = [];
  for (let k = 0; k < shards; k++) {
    const grads = at;
    const values = grads + align(program.parameterCount * 8);
    const nodeGrads = values + slotBytes;
    const transposed = nodeGrads + slotBytes;
    const chunk = transposed + align(lanes * width * 8);
    const seeds = chunk + align(lanes * program.inputNodes.length * 8);
    const inputTable = seeds + align(program.outputNodes.length * 8);
    const rowTable = inputTable + align(program.inputNodes.length * 4);
    at = rowTable + align(lanes * 4);
    layouts.push({
      lanes,
      constants,
      params,
      grads,
      values,
      nodeGrads,
      transposed,
      chunk,
      rowTable,
      data,
      seeds,
      inputTable,
      bytes: 0,
    });
  }
  for (const layout of layouts) layout.bytes = at;
  return layouts;
}

/**
 * The scalar functions the one-node path calls: x ** k imported from
 * JavaScript (a power other than 2 is rare), log and log1p in the module.
 */
export interface Imports {
  pow: number;
  log: number;
  log1p: number;
}

/**
 * The module for a plan: `forward(rows)` loads the chunk's rows into the
 * input slots and runs every step; `backward(rows)` seeds the outputs from
 * `seeds` and runs the steps in reverse into `grads` (overwritten).
 */
export function emitModule(
  program: Program,
  plan: Plan,
  layout: Layout,
  shared = false,
): { bytes: Uint8Array; constants: ConstantTable } {
  const constants = new ConstantTable(layout.constants);
  const m = new ModuleBuilder(constants);
  const pow = m.importFunc('pow', [Type.F64, Type.F64], [Type.F64]);
  const math = addMath(m);
  const imports: Imports = { pow, ...addLog(m) };
  const k = new Kernels(m, program, plan, layout, math, imports);

  const forward = m.func([Type.I32], [], LOCALS);
  k.load(forward.code);
  const backward = m.func([Type.I32], [], LOCALS);
  k.seed(backward.code);
  // A dense block is a function of its own (called with the rows); any other node is written inline.
  const blocks = new Map<Step, { forward: number; backward: number }>();
  for (const step of plan.steps) {
    if (step.kind === 'node') continue;
    const f = m.func([Type.I32], [], LOCALS);
    const b = m.func([Type.I32], [], LOCALS);
    if (step.kind === 'layer') {
      k.layerForward(f.code, step);
      k.layerBackward(b.code, step);
    } else {
      k.mapForward(f.code, step);
      k.mapBackward(b.code, step);
    }
    blocks.set(step, { forward: f.index, backward: b.index });
  }
  for (const step of plan.steps) {
    if (step.kind === 'node') k.nodeForward(forward.code, step.node);
    else forward.code.get(0).call(blocks.get(step)!.forward);
  }
  for (const step of [...plan.steps].reverse()) {
    if (step.kind === 'node') k.nodeBackward(backward.code, step.node);
    else backward.code.get(0).call(blocks.get(step)!.backward);
  }
  m.export('forward', forward.index);
  m.export('backward', backward.index);
  m.export('descend', descend(m, layout, program.parameterCount));
  m.export('addGrads', addGrads(m, layout, program.parameterCount));
  return { bytes: m.bytes(Math.ceil(layout.bytes / 65536), shared), constants };
}

/** addGrads(from): grads ← grads + the gradients at `from` (another shard's), two at a time. */
function addGrads(m: ModuleBuilder, layout: Layout, count: number): number {
  const f = m.func([Type.I32], [], [Type.I32]);
  const c = f.code;
  const [from, at] = [0, 1];
  c.i32(0).set(at);
  c.block().loop();
  c.get(at)
    .i32(count * 8)
    .op(I32.geS)
    .brIf(1);
  // Past an odd count the pair reads and writes the padding after the gradients (16-aligned).
  c.get(at).get(at).load(layout.grads).get(from).get(at).op(I32.add).load().simd(Simd.F64x2Add).store(layout.grads);
  c.get(at).i32(16).op(I32.add).set(at).br(0);
  c.end().end();
  return f.index;
}

/** descend(lr): params ← params − lr·grads, the plain SGD step, two parameters at a time. */
function descend(m: ModuleBuilder, layout: Layout, count: number): number {
  const f = m.func([Type.F64], [], [Type.I32, Type.V128]);
  const c = f.code;
  const [lr, at, rate] = [0, 1, 2];
  c.get(lr).simd(Simd.F64x2Splat).set(rate);
  const pairs = Math.floor(count / 2);
  if (pairs > 0) {
    c.i32(0).set(at);
    c.loop();
    c.get(at);
    c.get(at).load(layout.params).get(rate).get(at).load(layout.grads).simd(Simd.F64x2Mul).simd(Simd.F64x2Sub);
    c.store(layout.params);
    c.get(at)
      .i32(16)
      .op(I32.add)
      .tee(at)
      .i32(pairs * 16)
      .op(I32.ltS)
      .brIf(0);
    c.end();
  }
  if (count % 2) {
    const last = (count - 1) * 8;
    c.i32(0)
      .i32(0)
      .f64Load(layout.params + last)
      .get(lr)
      .i32(0)
      .f64Load(layout.grads + last)
      .op(F64.mul)
      .op(F64.sub);
    c.f64Store(layout.params + last);
  }
  return f.index;
}

// Locals of every step function: param 0 = rows; then i32 scratch, then v128 scratch.
const I = {
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
const V0 = 14;
const V_COUNT = 2 * (SCRATCH + 2);
const F0 = V0 + V_COUNT;
const LOCALS: Type[] = [...Array<Type>(13).fill(Type.I32), ...Array<Type>(V_COUNT).fill(Type.V128), Type.F64];
/** Two vectors' locals for the activations, run side by side. */
const REGS: Regs[] = [0, 1].map((v) => {
  const base = V0 + v * (SCRATCH + 2);
  return { x: base, y: base + 1, t: Array.from({ length: SCRATCH }, (_, i) => base + 2 + i) };
});

class Kernels {
  private readonly slotBytes: number;
  /** Layers whose parameters nothing else reads: their gradients are written, not added to zeroed ones. */
  private readonly exclusive = new Set<Layer>();
  /** Parameter ranges [first, count] whose gradients must be zeroed before each backward pass. */
  private readonly zeroed: [number, number][] = [];

  constructor(
    readonly m: ModuleBuilder,
    readonly program: Program,
    readonly plan: Plan,
    readonly layout: Layout,
    readonly math: MathFunctions,
    readonly imports: Imports,
  ) {
    this.slotBytes = layout.lanes * 8;
    // How often each parameter is read: a layer's weight or bias once; anything else read one node at a time counts as shared.
    const uses = new Int32Array(program.parameterCount);
    const layers = plan.steps.filter((s): s is Layer => s.kind === 'layer');
    for (const L of layers) {
      for (let o = 0; o < L.outputs; o++) {
        for (let i = 0; i < L.inputs; i++) uses[L.w + o * L.wo + i * L.wi]!++;
        if (L.bias >= 0) uses[L.bias + o * L.bo]!++;
      }
    }
    for (const s of plan.steps) {
      if (s.kind !== 'node') continue;
      const n = s.node;
      if (program.op[n] === Op.Param) uses[program.a[n]!] = 2;
      if (program.op[n] === Op.SumOfProducts) {
        for (let t = program.termStart[n]!; t < program.termStart[n]! + program.termCount[n]!; t++)
          uses[program.termParam[t]!] = 2;
        if (program.bias[n]! >= 0) uses[program.bias[n]!] = 2;
      }
    }
    const written = new Uint8Array(program.parameterCount);
    for (const L of layers) {
      let alone = true;
      for (let o = 0; o < L.outputs && alone; o++) {
        for (let i = 0; i < L.inputs && alone; i++) alone = uses[L.w + o * L.wo + i * L.wi] === 1;
        if (L.bias >= 0 && alone) alone = uses[L.bias + o * L.bo] === 1;
      }
      if (!alone) continue;
      this.exclusive.add(L);
      for (let o = 0; o < L.outputs; o++) {
        for (let i = 0; i < L.inputs; i++) written[L.w + o * L.wo + i * L.wi] = 1;
        if (L.bias >= 0) written[L.bias + o * L.bo] = 1;
      }
    }
    for (let p = 0; p < written.length; p++) {
      if (written[p]) continue;
      const last = this.zeroed[this.zeroed.length - 1];
      if (last && last[0] + last[1] === p) last[1]++;
      else this.zeroed.push([p, 1]);
    }
  }

  private value(slot: number): number {
    return this.layout.values + slot * this.slotBytes;
  }
  private grad(slot: number): number {
    return this.layout.nodeGrads + slot * this.slotBytes;
  }

  /** pairBytes = ⌈rows/2⌉·16: the bytes of each slot a pass touches. */
  private pairs(c: Code): void {
    c.get(I.rows).i32(1).op(I32.add).i32(1).op(I32.shrS).i32(16).op(I32.mul).set(I.pairBytes);
  }

  /**
   * Rows in blocks of two pairs (four rows), then a last pair if there is one:
   * `body(pairs)` runs with lp = the block's byte offset within a slot.
   */
  private rowBlocks(c: Code, body: (pairs: number) => void, size = 2): void {
    c.i32(0).set(I.lp);
    c.block().loop();
    c.get(I.lp)
      .i32(16 * size)
      .op(I32.add)
      .get(I.pairBytes)
      .op(I32.gtS)
      .brIf(1);
    body(size);
    c.get(I.lp)
      .i32(16 * size)
      .op(I32.add)
      .set(I.lp)
      .br(0);
    c.end().end();
    c.block().loop();
    c.get(I.lp).get(I.pairBytes).op(I32.geS).brIf(1);
    body(1);
    c.get(I.lp).i32(16).op(I32.add).set(I.lp).br(0);
    c.end().end();
  }

  /** Each pair of rows: lp from 0 to pairBytes. */
  private eachPair(c: Code, body: () => void): void {
    c.i32(0).set(I.lp);
    c.block().loop();
    c.get(I.lp).get(I.pairBytes).op(I32.geS).brIf(1);
    body();
    c.get(I.lp).i32(16).op(I32.add).set(I.lp).br(0);
    c.end().end();
  }

  /** Each row l < rows, with lp = l·8 (scalar, in order: sums over rows run as the js engine's). */
  private eachRow(c: Code, body: () => void): void {
    c.i32(0).set(I.lp);
    c.block().loop();
    c.get(I.lp).get(I.rows).i32(8).op(I32.mul).op(I32.geS).brIf(1);
    body();
    c.get(I.lp).i32(8).op(I32.add).set(I.lp).br(0);
    c.end().end();
  }

  /** A counted runtime loop: `count` times, counter in local `n`. */
  private repeat(c: Code, counter: number, count: number, body: () => void): void {
    if (count <= 0) return;
    c.i32(count).set(counter);
    c.loop();
    body();
    c.get(counter).i32(1).op(I32.sub).tee(counter).brIf(0);
    c.end();
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
    c.get(I.lp).i32(8).op(I32.add).set(I.lp).br(0);
    c.end().end();
  }

  /** Clears the gradients and puts each output's seed in its lanes below `rows`. */
  seed(c: Code): void {
    const { nodeGrads, grads, seeds } = this.layout;
    this.pairs(c);
    const first = nodeGrads + this.plan.firstGradSlot * this.slotBytes;
    c.i32(first)
      .i32(0)
      .i32(nodeGrads + this.plan.slots * this.slotBytes - first)
      .fill();
    for (const [first, count] of this.zeroed)
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

  // ----- layers -----

  /** out[o] = bias[o] + Σᵢ w[o][i]·in[i], inputs in order (as the js engine adds them), 4 outputs × 4 rows per block. */
  layerForward(c: Code, L: Layer): void {
    this.pairs(c);
    const sb = this.slotBytes;
    const block = (outs: number, pairs: number) => {
      const acc = (o: number, p: number) => V0 + o * pairs + p;
      const x = (p: number) => V0 + outs * pairs + p;
      const w = V0 + outs * pairs + pairs;
      for (let o = 0; o < outs; o++) {
        for (let p = 0; p < pairs; p++) {
          if (L.bias >= 0) c.get(I.c).load64Splat(o * L.bo * 8);
          else c.splat(0);
          c.set(acc(o, p));
        }
      }
      c.get(I.lp).i32(this.value(L.input)).op(I32.add).set(I.d);
      c.get(I.b).set(I.e);
      // A runtime loop over the inputs: unrolled, V8 hoists the loads and spills (slower, as the probe found).
      this.repeat(c, I.n, L.inputs, () => {
        for (let p = 0; p < pairs; p++)
          c.get(I.d)
            .load(p * 16)
            .set(x(p));
        for (let o = 0; o < outs; o++) {
          c.get(I.e)
            .load64Splat(o * L.wo * 8)
            .set(w);
          for (let p = 0; p < pairs; p++) {
            c.get(acc(o, p)).get(w).get(x(p)).simd(Simd.F64x2Mul).simd(Simd.F64x2Add).set(acc(o, p));
          }
        }
        c.get(I.d).i32(sb).op(I32.add).set(I.d);
        c.get(I.e)
          .i32(L.wi * 8)
          .op(I32.add)
          .set(I.e);
      });
      for (let o = 0; o < outs; o++) {
        for (let p = 0; p < pairs; p++)
          c.get(I.a)
            .get(I.lp)
            .op(I32.add)
            .get(acc(o, p))
            .store(o * sb + p * 16);
      }
    };
    // a = first output's lanes, b = its first weight, c = its bias
    c.i32(this.value(L.output)).set(I.a);
    c.i32(this.layout.params + L.w * 8).set(I.b);
    c.i32(this.layout.params + Math.max(L.bias, 0) * 8).set(I.c);
    // 4 outputs × 2 pairs of rows: 8 accumulators, 2 inputs and a weight in registers (V8 has ~15).
    const OUTS = 4;
    this.repeat(c, I.f, Math.floor(L.outputs / OUTS), () => {
      this.rowBlocks(c, (pairs) => block(OUTS, pairs));
      c.get(I.a)
        .i32(OUTS * sb)
        .op(I32.add)
        .set(I.a);
      c.get(I.b)
        .i32(OUTS * L.wo * 8)
        .op(I32.add)
        .set(I.b);
      c.get(I.c)
        .i32(OUTS * L.bo * 8)
        .op(I32.add)
        .set(I.c);
    });
    const rest = L.outputs % OUTS;
    if (rest > 0) this.rowBlocks(c, (pairs) => block(rest, pairs));
  }

  /**
   * ∂L/∂w[o][i] += Σ_rows g[o]·in[i] and ∂L/∂bias[o] += Σ_rows g[o], each sum
   * over the rows in order; then ∂L/∂in[i] += Σₒ w[o][i]·g[o], outputs from the
   * last to the first — the order in which the js engine adds them.
   */
  layerBackward(c: Code, L: Layer): void {
    this.pairs(c);
    // A layer over the data's columns reads its inputs straight from the rows
    // being loaded (they are already row by row); any other is transposed first.
    const fromRows = this.readsRows(L);
    if (fromRows) {
      this.weightGradients(c, L, true);
      if (L.bias >= 0) this.biasGradients(c, L);
    } else {
      this.transpose(c, L);
      this.weightGradients(c, L, false);
    }
    if (L.inputGrads) this.inputGradients(c, L);
  }

  /** Whether the layer's inputs are the program's first inputs, in order: then each lane's row holds them. */
  private readsRows(L: Layer): boolean {
    const inputs = this.program.inputNodes;
    if (L.inputs > inputs.length) return false;
    for (let i = 0; i < L.inputs; i++) if (inputs[i]! < 0 || this.plan.slot[inputs[i]!] !== L.input + i) return false;
    return true;
  }

  /** ∂L/∂bias[o] += Σ_rows g[o], in row order. */
  private biasGradients(c: Code, L: Layer): void {
    c.i32(this.grad(L.output)).set(I.a);
    c.i32(this.layout.grads + L.bias * 8).set(I.f);
    this.repeat(c, I.j, L.outputs, () => {
      c.f64(0).set(F0);
      this.eachRow(c, () => c.get(F0).get(I.a).get(I.lp).op(I32.add).f64Load().op(F64.add).set(F0));
      c.get(I.f);
      if (this.exclusive.has(L)) c.f64(0);
      else c.get(I.f).f64Load();
      c.get(F0).op(F64.add).f64Store();
      c.get(I.a).i32(this.slotBytes).op(I32.add).set(I.a);
      c.get(I.f)
        .i32(L.bo * 8)
        .op(I32.add)
        .set(I.f);
    });
  }

  /** transposed[l][i] = in[i][l], then 1 for the bias and 0 to an even width. */
  private transpose(c: Code, L: Layer): void {
    const width = even(L.inputs + 1);
    const t = this.layout.transposed;
    this.eachRow(c, () => {
      // a = this row's first transposed number; d = in[0][l]
      c.get(I.lp).i32(width).op(I32.mul).i32(t).op(I32.add).set(I.a);
      c.get(I.lp).i32(this.value(L.input)).op(I32.add).set(I.d);
      c.i32(0).set(I.e);
      c.block().loop();
      c.get(I.e)
        .i32(L.inputs * 8)
        .op(I32.geS)
        .brIf(1);
      c.get(I.a).get(I.e).op(I32.add).get(I.d).f64Load().f64Store();
      c.get(I.d).i32(this.slotBytes).op(I32.add).set(I.d);
      c.get(I.e).i32(8).op(I32.add).set(I.e).br(0);
      c.end().end();
      c.get(I.a)
        .f64(1)
        .f64Store(L.inputs * 8);
      if (width > L.inputs + 1)
        c.get(I.a)
          .f64(0)
          .f64Store((L.inputs + 1) * 8);
    });
  }

  private weightGradients(c: Code, L: Layer, fromRows: boolean): void {
    const width = even(L.inputs + 1);
    const sb = this.slotBytes;
    const pg = this.layout.grads;
    // One block: `outs` outputs × roles.length inputs, summed over the rows in order.
    // roles[q] says what input lane q is: 'w' a weight, 'b' the bias (its column of ones), '-' padding.
    const block = (outs: number, roles: string) => {
      const pairs = roles.length / 2;
      const acc = (o: number, q: number) => V0 + o * 2 + q;
      const g = (o: number) => V0 + 8 + o;
      const x = (q: number) => V0 + 12 + q;
      for (let o = 0; o < outs; o++) for (let q = 0; q < pairs; q++) c.splat(0).set(acc(o, q));
      // d = g of the block's first output at row l; e = row l at the block's first input
      // (transposed rows: e steps by a row; the data's rows: k steps through the row table)
      c.get(I.a).set(I.d);
      if (fromRows) c.i32(this.layout.rowTable).set(I.k);
      else c.get(I.b).set(I.e);
      c.get(I.rows).tee(I.n).if();
      c.loop();
      if (fromRows) c.get(I.k).i32Load().get(I.b).op(I32.add).set(I.e);
      for (let q = 0; q < pairs; q++)
        c.get(I.e)
          .load(q * 16)
          .set(x(q));
      for (let o = 0; o < outs; o++) {
        c.get(I.d)
          .load64Splat(o * sb)
          .set(g(o));
        for (let q = 0; q < pairs; q++) {
          c.get(acc(o, q)).get(g(o)).get(x(q)).simd(Simd.F64x2Mul).simd(Simd.F64x2Add).set(acc(o, q));
        }
      }
      c.get(I.d).i32(8).op(I32.add).set(I.d);
      if (fromRows) c.get(I.k).i32(4).op(I32.add).set(I.k);
      else
        c.get(I.e)
          .i32(width * 8)
          .op(I32.add)
          .set(I.e);
      c.get(I.n).i32(1).op(I32.sub).tee(I.n).brIf(0);
      c.end();
      c.end();
      // grads[…] += each lane: weight (o, q) at c + o·wo + q·wi, bias o at f + o·bo
      for (let o = 0; o < outs; o++) {
        for (let q = 0; q < roles.length; q++) {
          if (roles[q] === '-') continue;
          const base = roles[q] === 'w' ? I.c : I.f;
          const offset = roles[q] === 'w' ? (o * L.wo + q * L.wi) * 8 : o * L.bo * 8;
          // grads + sum, or 0 + sum where nothing else adds to them (as the js tape's zeroed array does)
          c.get(base);
          if (this.exclusive.has(L)) c.f64(0);
          else c.get(base).f64Load(offset);
          c.get(acc(o, q >> 1)).lane(Simd.F64x2ExtractLane, q & 1);
          c.op(F64.add).f64Store(offset);
        }
      }
    };
    const fullInputs = Math.floor(L.inputs / 4);
    let restRoles = 'w'.repeat(L.inputs % 4) + (L.bias >= 0 && !fromRows ? 'b' : '');
    if (restRoles.length % 2) restRoles += '-';
    // a = g of the output block's first output; f = its bias gradient; lp = its first weight's gradient
    c.i32(this.grad(L.output)).set(I.a);
    c.i32(pg + Math.max(L.bias, 0) * 8).set(I.f);
    c.i32(pg + L.w * 8).set(I.lp);
    const overInputs = (outs: number) => {
      // b = the input block's column in the transposed rows; c = gradient of w[block's o][block's i]
      c.i32(fromRows ? 0 : this.layout.transposed).set(I.b);
      c.get(I.lp).set(I.c);
      this.repeat(c, I.h, fullInputs, () => {
        block(outs, 'wwww');
        c.get(I.b).i32(32).op(I32.add).set(I.b);
        c.get(I.c)
          .i32(4 * L.wi * 8)
          .op(I32.add)
          .set(I.c);
      });
      if (restRoles.length > 0) block(outs, restRoles);
    };
    this.repeat(c, I.j, Math.floor(L.outputs / 4), () => {
      overInputs(4);
      c.get(I.a)
        .i32(4 * sb)
        .op(I32.add)
        .set(I.a);
      c.get(I.f)
        .i32(4 * L.bo * 8)
        .op(I32.add)
        .set(I.f);
      c.get(I.lp)
        .i32(4 * L.wo * 8)
        .op(I32.add)
        .set(I.lp);
    });
    if (L.outputs % 4 > 0) overInputs(L.outputs % 4);
  }

  /** ∂L/∂in[i] += Σₒ w[o][i]·g[o], o from last to first; 4 inputs × 4 rows per block. */
  private inputGradients(c: Code, L: Layer): void {
    const sb = this.slotBytes;
    const block = (ins: number, pairs: number) => {
      const acc = (i: number, p: number) => V0 + i * 2 + p;
      const g = (p: number) => V0 + 8 + p;
      const w = V0 + 10;
      // a = in-gradient of the block's first input; d = g of the last output; e = w[last][block's first input]
      for (let i = 0; i < ins; i++)
        for (let p = 0; p < pairs; p++)
          c.get(I.a)
            .get(I.lp)
            .op(I32.add)
            .load(i * sb + p * 16)
            .set(acc(i, p));
      c.get(I.lp)
        .i32(this.grad(L.output) + (L.outputs - 1) * sb)
        .op(I32.add)
        .set(I.d);
      c.get(I.b).set(I.e);
      this.repeat(c, I.n, L.outputs, () => {
        for (let p = 0; p < pairs; p++)
          c.get(I.d)
            .load(p * 16)
            .set(g(p));
        for (let i = 0; i < ins; i++) {
          c.get(I.e)
            .load64Splat(i * L.wi * 8)
            .set(w);
          for (let p = 0; p < pairs; p++) {
            c.get(acc(i, p)).get(g(p)).get(w).simd(Simd.F64x2Mul).simd(Simd.F64x2Add).set(acc(i, p));
          }
        }
        c.get(I.d).i32(sb).op(I32.sub).set(I.d);
        c.get(I.e)
          .i32(L.wo * 8)
          .op(I32.sub)
          .set(I.e);
      });
      for (let i = 0; i < ins; i++) {
        for (let p = 0; p < pairs; p++)
          c.get(I.a)
            .get(I.lp)
            .op(I32.add)
            .get(acc(i, p))
            .store(i * sb + p * 16);
      }
    };
    c.i32(this.grad(L.input)).set(I.a);
    c.i32(this.layout.params + (L.w + (L.outputs - 1) * L.wo) * 8).set(I.b);
    this.repeat(c, I.f, Math.floor(L.inputs / 4), () => {
      this.rowBlocks(c, (pairs) => block(4, pairs));
      c.get(I.a)
        .i32(4 * sb)
        .op(I32.add)
        .set(I.a);
      c.get(I.b)
        .i32(4 * L.wi * 8)
        .op(I32.add)
        .set(I.b);
    });
    const rest = L.inputs % 4;
    if (rest > 0) this.rowBlocks(c, (pairs) => block(rest, pairs));
  }

  // ----- element-wise maps -----

  /** The activation of a block of slots, four rows (two vectors, side by side) at a time. */
  mapForward(c: Code, s: MapStep): void {
    this.pairs(c);
    c.i32(0).set(I.a);
    this.repeat(c, I.n, s.count, () => {
      c.get(I.a).set(I.d);
      this.rowBlocks(c, (pairs) => {
        const regs = REGS.slice(0, pairs);
        regs.forEach((r, p) =>
          c
            .get(I.d)
            .get(I.lp)
            .op(I32.add)
            .load(this.value(s.input) + p * 16)
            .set(r.x),
        );
        if (s.op === Op.Tanh) tanh(c, regs);
        else if (s.op === Op.Sigmoid) sigmoid(c, regs);
        else for (const r of regs) this.relu(c.get(r.x)).set(r.y);
        regs.forEach((r, p) =>
          c
            .get(I.d)
            .get(I.lp)
            .op(I32.add)
            .get(r.y)
            .store(this.value(s.output) + p * 16),
        );
      });
      c.get(I.a).i32(this.slotBytes).op(I32.add).set(I.a);
    });
  }

  mapBackward(c: Code, s: MapStep): void {
    this.pairs(c);
    c.i32(0).set(I.a);
    this.repeat(c, I.n, s.count, () => {
      this.eachPair(c, () => {
        c.get(I.a).get(I.lp).op(I32.add).set(I.d);
        this.derivative(
          c,
          s.op,
          I.d,
          this.value(s.input),
          this.value(s.output),
          this.grad(s.input),
          this.grad(s.output),
        );
      });
      c.get(I.a).i32(this.slotBytes).op(I32.add).set(I.a);
    });
  }

  /** max(x, 0) as the js engine: x > 0 ? x : 0 (NaN → 0). */
  private relu(c: Code): Code {
    const x = V0 + V_COUNT - 1;
    return c.set(x).get(x).splat(0).get(x).splat(0).simd(Simd.F64x2Gt).simd(Simd.Bitselect);
  }

  /** gx += f'·g for an element-wise op, at address local `at` + the slots' offsets. */
  private derivative(c: Code, op: Op, at: number, x: number, y: number, gx: number, gy: number): void {
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

  // ----- any other node, one at a time -----

  nodeForward(c: Code, node: number): void {
    const { op, a, b, k } = this.program;
    const slot = this.plan.slot;
    const code = op[node]!;
    if (code === Op.Input || code === Op.Const) return;
    this.pairs(c);
    const out = this.value(slot[node]!);
    const x = a[node]! >= 0 && code !== Op.Param ? this.value(slot[a[node]!]!) : 0;
    const y = b[node]! >= 0 ? this.value(slot[b[node]!]!) : 0;
    this.eachPair(c, () => {
      c.get(I.lp);
      switch (code) {
        case Op.Param:
          c.i32(0).load64Splat(this.layout.params + a[node]! * 8);
          break;
        case Op.Add:
        case Op.Mul:
          c.get(I.lp)
            .load(x)
            .get(I.lp)
            .load(y)
            .simd(code === Op.Add ? Simd.F64x2Add : Simd.F64x2Mul);
          break;
        case Op.Pow:
          if (k[node] === 2) c.get(I.lp).load(x).tee(V0).get(V0).simd(Simd.F64x2Mul);
          else this.perLane(c, x, (cc) => cc.f64(k[node]!).call(this.imports.pow));
          break;
        case Op.Tanh:
        case Op.Sigmoid:
        case Op.Exp:
          c.get(I.lp)
            .load(x)
            .call(code === Op.Tanh ? this.math.tanh : code === Op.Sigmoid ? this.math.sigmoid : this.math.exp);
          break;
        case Op.Relu:
          c.get(I.lp).load(x);
          this.relu(c);
          break;
        case Op.Log:
          this.perLane(c, x, (cc) => cc.call(this.imports.log));
          break;
        case Op.LogSumExp:
          this.logSumExp(c, x, y);
          break;
        case Op.SumOfProducts: {
          const { termStart, termCount, termParam, termNode, bias } = this.program;
          if (bias[node]! >= 0) c.i32(0).load64Splat(this.layout.params + bias[node]! * 8);
          else c.splat(0);
          for (let t = termStart[node]!; t < termStart[node]! + termCount[node]!; t++) {
            c.i32(0).load64Splat(this.layout.params + termParam[t]! * 8);
            c.get(I.lp).load(this.value(slot[termNode[t]!]!)).simd(Simd.F64x2Mul).simd(Simd.F64x2Add);
          }
          break;
        }
        default:
          throw new Error(`no kernel for op ${code}`);
      }
      c.store(out);
    });
  }

  /** f(lane) for both lanes of slot x at lp, through a scalar function `call` (value on the stack). */
  private perLane(c: Code, x: number, call: (c: Code) => void): void {
    c.get(I.lp).load(x).set(V0);
    c.get(V0).lane(Simd.F64x2ExtractLane, 0);
    call(c);
    c.simd(Simd.F64x2Splat);
    c.get(V0).lane(Simd.F64x2ExtractLane, 1);
    call(c);
    c.lane(0x22 as Simd, 1); // f64x2.replace_lane 1
  }

  /** log(eᵃ + eᵇ) = m + log1p(exp(−|a − b|)), m = max (−∞ when both are). */
  private logSumExp(c: Code, x: number, y: number): void {
    const [va, vb, m, e] = [V0 + 1, V0 + 2, V0 + 3, V0 + 4];
    c.get(I.lp).load(x).set(va);
    c.get(I.lp).load(y).set(vb);
    c.get(va).get(vb).get(va).get(vb).simd(Simd.F64x2Gt).simd(Simd.Bitselect).set(m);
    c.get(va).get(vb).simd(Simd.F64x2Sub).simd(Simd.F64x2Abs).simd(Simd.F64x2Neg).call(this.math.exp).set(e);
    c.get(m);
    c.get(e).lane(Simd.F64x2ExtractLane, 0).call(this.imports.log1p).simd(Simd.F64x2Splat);
    c.get(e)
      .lane(Simd.F64x2ExtractLane, 1)
      .call(this.imports.log1p)
      .lane(0x22 as Simd, 1);
    c.simd(Simd.F64x2Add);
    // m = −∞ (both −∞) → −∞
    c.get(m).get(m).splat(-Infinity).simd(Simd.F64x2Ne).simd(Simd.Bitselect);
  }

  nodeBackward(c: Code, node: number): void {
    const { op, a, b, k, needsGrad } = this.program;
    const slot = this.plan.slot;
    const code = op[node]!;
    if (!needsGrad[node] || code === Op.Input || code === Op.Const) return;
    this.pairs(c);
    const go = this.grad(slot[node]!);
    const vo = this.value(slot[node]!);
    const pg = this.layout.grads;
    if (code === Op.Param) {
      this.sumRows(c, go, pg + a[node]! * 8);
      return;
    }
    if (code === Op.SumOfProducts) {
      const { termStart, termCount, termParam, termNode, bias } = this.program;
      if (bias[node]! >= 0) this.sumRows(c, go, pg + bias[node]! * 8);
      for (let t = termStart[node]!; t < termStart[node]! + termCount[node]!; t++) {
        const xs = slot[termNode[t]!]!;
        this.sumRows(c, go, pg + termParam[t]! * 8, this.value(xs));
        if (!needsGrad[termNode[t]!]) continue;
        this.eachPair(c, () => {
          c.get(I.lp).get(I.lp).load(this.grad(xs));
          c.get(I.lp)
            .load(go)
            .i32(0)
            .load64Splat(this.layout.params + termParam[t]! * 8)
            .simd(Simd.F64x2Mul);
          c.simd(Simd.F64x2Add).store(this.grad(xs));
        });
      }
      return;
    }
    const xa = a[node]!;
    const xb = b[node]!;
    const vx = this.value(slot[xa]!);
    const gx = this.grad(slot[xa]!);
    const vy = xb >= 0 ? this.value(slot[xb]!) : 0;
    const gy = xb >= 0 ? this.grad(slot[xb]!) : 0;
    // One operand's update per pass: gx += f(…)·g.
    const add = (into: number, term: () => void) =>
      this.eachPair(c, () => {
        c.get(I.lp).get(I.lp).load(into);
        term();
        c.simd(Simd.F64x2Add).store(into);
      });
    switch (code) {
      case Op.Add:
        if (needsGrad[xa]) add(gx, () => c.get(I.lp).load(go));
        if (needsGrad[xb]) add(gy, () => c.get(I.lp).load(go));
        break;
      case Op.Mul:
        if (needsGrad[xa]) add(gx, () => c.get(I.lp).load(vy).get(I.lp).load(go).simd(Simd.F64x2Mul));
        if (needsGrad[xb]) add(gy, () => c.get(I.lp).load(vx).get(I.lp).load(go).simd(Simd.F64x2Mul));
        break;
      case Op.Pow: {
        const e = k[node]!;
        add(gx, () => {
          c.splat(e);
          if (e === 2) c.get(I.lp).load(vx);
          else this.perLane(c, vx, (cc) => cc.f64(e - 1).call(this.imports.pow));
          c.simd(Simd.F64x2Mul).get(I.lp).load(go).simd(Simd.F64x2Mul);
        });
        break;
      }
      case Op.Tanh:
      case Op.Sigmoid:
      case Op.Exp:
      case Op.Relu:
        this.eachPair(c, () => this.derivative(c, code, I.lp, vx, vo, gx, go));
        break;
      case Op.Log:
        add(gx, () => c.get(I.lp).load(go).get(I.lp).load(vx).simd(Simd.F64x2Div));
        break;
      case Op.LogSumExp:
        if (needsGrad[xa])
          add(gx, () =>
            c
              .get(I.lp)
              .load(vx)
              .get(I.lp)
              .load(vo)
              .simd(Simd.F64x2Sub)
              .call(this.math.exp)
              .get(I.lp)
              .load(go)
              .simd(Simd.F64x2Mul),
          );
        if (needsGrad[xb])
          add(gy, () =>
            c
              .get(I.lp)
              .load(vy)
              .get(I.lp)
              .load(vo)
              .simd(Simd.F64x2Sub)
              .call(this.math.exp)
              .get(I.lp)
              .load(go)
              .simd(Simd.F64x2Mul),
          );
        break;
      default:
        throw new Error(`no kernel for op ${code}`);
    }
  }

  /** *at += Σ_{l<rows} g[l] (· x[l]), in row order. */
  private sumRows(c: Code, g: number, at: number, x?: number): void {
    c.f64(0).set(F0);
    this.eachRow(c, () => {
      c.get(F0).get(I.lp).f64Load(g);
      if (x !== undefined) c.get(I.lp).f64Load(x).op(F64.mul);
      c.op(F64.add).set(F0);
    });
    c.i32(0).i32(0).f64Load(at).get(F0).op(F64.add).f64Store(at);
  }
}
