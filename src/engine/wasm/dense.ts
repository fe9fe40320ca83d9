import { Op, type Program } from '../compile.js';
import { type Code, F64, I32, Simd } from './emit.js';
import { even, type Layout } from './layout.js';
import { type MathFunctions, sigmoid, tanh } from './math.js';
import type { Layer, MapStep, Plan } from './plan.js';
import { F0, I, type Imports, REGS, V0, Writer } from './writer.js';

/**
 * The dense blocks' kernels: a layer's forward sums, weight and input
 * gradients as register-blocked f64x2 loops, and a map's activation.
 */
export class LayerWriter extends Writer {
  /** Layers whose parameters nothing else reads: their gradients are written, not added to zeroed ones. */
  private readonly exclusive: Set<Layer>;
  /** Parameter ranges [first, count] whose gradients must be zeroed before each backward pass. */
  readonly zeroed: [number, number][];

  constructor(program: Program, plan: Plan, layout: Layout, math: MathFunctions, imports: Imports) {
    super(program, plan, layout, math, imports);
    ({ exclusive: this.exclusive, zeroed: this.zeroed } = gradientOwners(program, plan));
    if (layout.cut < layout.lanes && this.zeroed.length > 0)
      throw new Error('rows are cut only where every parameter belongs to one layer');
  }

  /**
   * One register block of a layer's products: for `rows` sums (outputs, or
   * inputs for their gradients) × `pairs` pairs of lanes from lp,
   * acc ← start(j, p), then `count` times acc[j] += w[j] · v, v the next slot's
   * pairs (from `vectors`, stepping `vectorStep`) and w[j] a weight splat
   * (from local b, j · `weightStride` apart, stepping `weightStep`), in that
   * order — as the js engine adds them; acc is stored at local a + lp + j
   * slots. A runtime loop: unrolled, V8 hoists the loads and spills (slower,
   * as the probe found). 8 accumulators, 2 vectors and a weight: V8 has ~15
   * registers.
   */
  private product(
    c: Code,
    rows: number,
    pairs: number,
    o: {
      /** Pushes sum j's starting value for pair p. */
      start: (j: number, p: number) => Code;
      vectors: number;
      vectorStep: number;
      weightStride: number;
      weightStep: number;
      count: number;
    },
  ): void {
    const sb = this.slotBytes;
    const acc = accumulator(pairs);
    for (let j = 0; j < rows; j++) for (let p = 0; p < pairs; p++) o.start(j, p).set(acc(j, p));
    c.get(I.lp).i32(o.vectors).op(I32.add).set(I.d);
    c.get(I.b).set(I.e);
    this.repeat(c, I.n, o.count, () => {
      multiplyAdd(c, rows, pairs, I.d, I.e, o.weightStride);
      c.inc(I.d, o.vectorStep);
      c.inc(I.e, o.weightStep);
    });
    for (let j = 0; j < rows; j++) {
      for (let p = 0; p < pairs; p++)
        c.get(I.a)
          .get(I.lp)
          .op(I32.add)
          .get(acc(j, p))
          .store(j * sb + p * 16);
    }
  }

  /** out[o] = bias[o] + Σᵢ w[o][i]·in[i], inputs in order (as the js engine adds them), 4 outputs × 4 rows per block. */
  layerForward(c: Code, L: Layer): void {
    this.pairs(c);
    const sb = this.slotBytes;
    const block = (outs: number, pairs: number) =>
      this.product(c, outs, pairs, {
        // each output starts at its bias
        start: (o) => (L.bias >= 0 ? c.get(I.c).load64Splat(o * L.bo * 8) : c.splat(0)),
        vectors: this.value(L.input),
        vectorStep: sb,
        weightStride: L.wo * 8,
        weightStep: L.wi * 8,
        count: L.inputs,
      });
    // a = first output's lanes, b = its first weight, c = its bias
    c.i32(this.value(L.output)).set(I.a);
    c.i32(this.layout.params + L.w * 8).set(I.b);
    c.i32(this.layout.params + Math.max(L.bias, 0) * 8).set(I.c);
    // 4 outputs × 2 pairs of rows: 8 accumulators, 2 inputs and a weight in registers (V8 has ~15).
    const OUTS = 4;
    this.repeat(c, I.f, Math.floor(L.outputs / OUTS), () => {
      this.rowBlocks(c, (pairs) => block(OUTS, pairs));
      c.inc(I.a, OUTS * sb);
      c.inc(I.b, OUTS * L.wo * 8);
      c.inc(I.c, OUTS * L.bo * 8);
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

  /**
   * Pushes a gradient's new value from its sum over a part's rows, as the js
   * engine's shards compute it: 0 + sum where nothing else adds to it (the js
   * tape's zeroed array), else grad + sum; for the second part of cut rows,
   * grad + (0 + sum) — shard 0's gradient plus shard 1's. `vector`: two lanes at once.
   */
  private addTo(c: Code, L: Layer, part: 0 | 1, grad: () => void, sum: () => void, vector = false): void {
    const zero = () => (vector ? c.splat(0) : c.f64(0));
    const add = () => (vector ? c.simd(Simd.F64x2Add) : c.op(F64.add));
    if (part === 1) {
      grad();
      zero();
      sum();
      add();
      add();
      return;
    }
    if (this.exclusive.has(L)) zero();
    else grad();
    sum();
    add();
  }

  /** ∂L/∂bias[o] += Σ_rows g[o], in row order. */
  private biasGradients(c: Code, L: Layer): void {
    c.i32(this.grad(L.output)).set(I.a);
    c.i32(this.layout.grads + L.bias * 8).set(I.f);
    this.repeat(c, I.j, L.outputs, () => {
      for (const part of this.parts) {
        c.f64(0).set(F0);
        this.eachRow(c, () => c.get(F0).get(I.a).get(I.lp).op(I32.add).f64Load().op(F64.add).set(F0), part);
        c.get(I.f);
        this.addTo(
          c,
          L,
          part,
          () => c.get(I.f).f64Load(),
          () => c.get(F0),
        );
        c.f64Store();
      }
      c.inc(I.a, this.slotBytes);
      c.inc(I.f, L.bo * 8);
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
      c.inc(I.d, this.slotBytes);
      c.inc(I.e, 8).br(0);
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
      const acc = accumulator(pairs);
      // d = g of the block's first output at row l; e = row l at the block's first input
      // (transposed rows: e steps by a row; the data's rows: k steps through the row table)
      c.get(I.a).set(I.d);
      if (fromRows) c.i32(this.layout.rowTable).set(I.k);
      else c.get(I.b).set(I.e);
      for (const part of this.parts) {
        // n = the part's rows; d, e and k run on from one part into the next
        for (let o = 0; o < outs; o++) for (let q = 0; q < pairs; q++) c.splat(0).set(acc(o, q));
        this.rowsOf(c, part).tee(I.n).if();
        c.loop();
        if (fromRows) c.get(I.k).i32Load().get(I.b).op(I32.add).set(I.e);
        multiplyAdd(c, outs, pairs, I.e, I.d, sb);
        c.inc(I.d, 8);
        if (fromRows) c.inc(I.k, 4);
        else c.inc(I.e, width * 8);
        c.get(I.n).i32(1).op(I32.sub).tee(I.n).brIf(0);
        c.end();
        c.end();
        // each lane's sum into its gradient: weight (o, q) at c + o·wo + q·wi, bias o at f + o·bo;
        // two weights side by side in the parameters (wi = 1) as one vector
        for (let o = 0; o < outs; o++) {
          for (let q = 0; q < roles.length; q++) {
            if (roles[q] === '-') continue;
            if (L.wi === 1 && q % 2 === 0 && roles[q] === 'w' && roles[q + 1] === 'w') {
              const offset = (o * L.wo + q) * 8;
              c.get(I.c);
              this.addTo(
                c,
                L,
                part,
                () => c.get(I.c).load(offset),
                () => c.get(acc(o, q >> 1)),
                true,
              );
              c.store(offset);
              q++;
              continue;
            }
            const base = roles[q] === 'w' ? I.c : I.f;
            const offset = roles[q] === 'w' ? (o * L.wo + q * L.wi) * 8 : o * L.bo * 8;
            c.get(base);
            this.addTo(
              c,
              L,
              part,
              () => c.get(base).f64Load(offset),
              () => c.get(acc(o, q >> 1)).lane(Simd.F64x2ExtractLane, q & 1),
            );
            c.f64Store(offset);
          }
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
        c.inc(I.b, 32);
        c.inc(I.c, 4 * L.wi * 8);
      });
      if (restRoles.length > 0) block(outs, restRoles);
    };
    this.repeat(c, I.j, Math.floor(L.outputs / 4), () => {
      overInputs(4);
      c.inc(I.a, 4 * sb);
      c.inc(I.f, 4 * L.bo * 8);
      c.inc(I.lp, 4 * L.wo * 8);
    });
    if (L.outputs % 4 > 0) overInputs(L.outputs % 4);
  }

  /** ∂L/∂in[i] += Σₒ w[o][i]·g[o], o from last to first; 4 inputs × 4 rows per block. */
  private inputGradients(c: Code, L: Layer): void {
    const sb = this.slotBytes;
    // Each input's gradient starts where it is, then adds the outputs' terms from the last to the first.
    const block = (ins: number, pairs: number) =>
      this.product(c, ins, pairs, {
        start: (i, p) =>
          c
            .get(I.a)
            .get(I.lp)
            .op(I32.add)
            .load(i * sb + p * 16),
        vectors: this.grad(L.output) + (L.outputs - 1) * sb,
        vectorStep: -sb,
        weightStride: L.wi * 8,
        weightStep: -L.wo * 8,
        count: L.outputs,
      });
    c.i32(this.grad(L.input)).set(I.a);
    c.i32(this.layout.params + (L.w + (L.outputs - 1) * L.wo) * 8).set(I.b);
    this.repeat(c, I.f, Math.floor(L.inputs / 4), () => {
      this.rowBlocks(c, (pairs) => block(4, pairs));
      c.inc(I.a, 4 * sb);
      c.inc(I.b, 4 * L.wi * 8);
    });
    const rest = L.inputs % 4;
    if (rest > 0) this.rowBlocks(c, (pairs) => block(rest, pairs));
  }

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
      c.inc(I.a, this.slotBytes);
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
      c.inc(I.a, this.slotBytes);
    });
  }
}

/**
 * Which layers own their parameters (nothing else reads them: their gradients
 * are written whole), and the parameter ranges [first, count] that no owner
 * writes, to be zeroed before each backward pass.
 */
export function gradientOwners(program: Program, plan: Plan): { exclusive: Set<Layer>; zeroed: [number, number][] } {
  const exclusive = new Set<Layer>();
  const zeroed: [number, number][] = [];
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
    exclusive.add(L);
    for (let o = 0; o < L.outputs; o++) {
      for (let i = 0; i < L.inputs; i++) written[L.w + o * L.wo + i * L.wi] = 1;
      if (L.bias >= 0) written[L.bias + o * L.bo] = 1;
    }
  }
  for (let p = 0; p < written.length; p++) {
    if (written[p]) continue;
    const last = zeroed[zeroed.length - 1];
    if (last && last[0] + last[1] === p) last[1]++;
    else zeroed.push([p, 1]);
  }
  return { exclusive, zeroed };
}

/** The local of a register block's sum j for pair p, `pairs` pairs to a sum; then the step's vectors and splat (`multiplyAdd`). */
function accumulator(pairs: number): (j: number, p: number) => number {
  return (j, p) => V0 + j * pairs + p;
}

/**
 * One step of a register block of `rows` sums × `pairs` pairs of lanes:
 * acc[j][p] += s_j · v_p, v_p the vector at local `vectors` + p·16 and s_j the
 * number at local `splats` + j·`stride` in both lanes: rows·pairs accumulators,
 * pairs vectors and a splat live at once (V8 has ~15 registers: 4 × 2 fits).
 */
function multiplyAdd(c: Code, rows: number, pairs: number, vectors: number, splats: number, stride: number): void {
  const acc = accumulator(pairs);
  const v = (p: number) => V0 + rows * pairs + p;
  const s = V0 + rows * pairs + pairs;
  for (let p = 0; p < pairs; p++)
    c.get(vectors)
      .load(p * 16)
      .set(v(p));
  for (let j = 0; j < rows; j++) {
    c.get(splats)
      .load64Splat(j * stride)
      .set(s);
    for (let p = 0; p < pairs; p++)
      c.get(acc(j, p)).get(s).get(v(p)).simd(Simd.F64x2Mul).simd(Simd.F64x2Add).set(acc(j, p));
  }
}
