import { Op, type Program } from './compile.js';
import { logSumExp, sigmoid, tanh } from './math.js';
import type { Matrix } from './matrix.js';

/**
 * Replays a compiled `Program` forward and backward on typed arrays, with one
 * lane per row of the batch: node i's values for rows 0..n−1 sit side by side
 * at `values[i·lanes ..]`, so every operation is a tight loop over the batch.
 * Parameters are shared by every row; their gradients sum over the lanes.
 * Nothing is allocated per batch.
 */
export class Tape {
  readonly program: Program;
  /** Most rows one pass can hold. */
  readonly lanes: number;
  readonly values: Float64Array;
  readonly grads: Float64Array;
  /** The trained numbers, in the order of `CompileSpec.parameters`. */
  readonly params: Float64Array;
  readonly paramGrads: Float64Array;
  /** Rows in the current pass. */
  rows = 0;
  /** Per sum-of-products term: its weight (refreshed each forward pass) and its node's first lane. */
  private termWeight: Float64Array;
  private readonly termOffset: Int32Array;

  /**
   * `buffers` lets several tapes (e.g. in worker threads) share one array of
   * parameters, or write their gradients where another thread reads them.
   */
  constructor(program: Program, lanes: number, buffers: { params?: Float64Array; paramGrads?: Float64Array } = {}) {
    this.program = program;
    this.lanes = lanes;
    this.values = new Float64Array(program.size * lanes);
    this.grads = new Float64Array(program.size * lanes);
    this.params = buffers.params ?? new Float64Array(program.parameterCount);
    this.paramGrads = buffers.paramGrads ?? new Float64Array(program.parameterCount);
    this.termWeight = new Float64Array(program.termParam.length);
    this.termOffset = program.termNode.map((node) => node * lanes);
    for (let i = 0; i < program.size; i++) {
      if (program.op[i] === Op.Const) this.values.fill(program.k[i]!, i * lanes, (i + 1) * lanes);
    }
  }

  /** Makes this tape read the per-term weights that `other` gathers (both must share `params`). */
  shareWeights(other: Tape): void {
    this.termWeight = other.termWeight;
  }

  /** Lane `lane` of input placeholder `input`. */
  setInput(input: number, lane: number, value: number): void {
    this.values[this.program.inputNodes[input]! * this.lanes + lane] = value;
  }

  /** Puts `rows` of x (and of y, in the placeholders after x's) in lanes 0.. for the next `forward`. */
  load(x: Matrix, y: Matrix | null, rows: ArrayLike<number>): void {
    const nin = x.cols;
    for (let l = 0; l < rows.length; l++) {
      const r = rows[l]!;
      for (let c = 0; c < nin; c++) this.setInput(c, l, x.data[r * nin + c]!);
      if (y) for (let c = 0; c < y.cols; c++) this.setInput(nin + c, l, y.data[r * y.cols + c]!);
    }
  }

  /** Rows start .. start + count − 1 of x in lanes 0.. (prediction). */
  loadRange(x: Matrix, start: number, count: number): void {
    const nin = x.cols;
    for (let l = 0; l < count; l++) {
      for (let c = 0; c < nin; c++) this.setInput(c, l, x.data[(start + l) * nin + c]!);
    }
  }

  /** Lane `lane` of output `output`, after `forward`. */
  output(output: number, lane: number): number {
    return this.values[this.program.outputNodes[output]! * this.lanes + lane]!;
  }

  /**
   * Computes every node for lanes 0..rows−1 (inputs must be set). It first
   * gathers each term's weight from `params`; `gather = false` skips that when
   * the caller knows they are already there (`shareWeights`).
   */
  forward(rows: number, gather = true): void {
    this.rows = rows;
    const { op, a, b, k, termStart, termCount, termParam, bias, size } = this.program;
    const L = this.lanes;
    const v = this.values;
    const params = this.params;
    // Each term's weight, gathered once per pass so the inner loops read them in order.
    const tw = this.termWeight;
    const to = this.termOffset;
    if (gather) for (let t = 0; t < tw.length; t++) tw[t] = params[termParam[t]!]!;
    for (let i = 0; i < size; i++) {
      const o = i * L;
      const end = o + rows;
      const x = a[i]! * L;
      const y = b[i]! * L;
      switch (op[i]) {
        case Op.Input:
        case Op.Const:
          break;
        case Op.Param:
          v.fill(params[a[i]!]!, o, end);
          break;
        case Op.Add:
          for (let l = 0; l < rows; l++) v[o + l] = v[x + l]! + v[y + l]!;
          break;
        case Op.Mul:
          for (let l = 0; l < rows; l++) v[o + l] = v[x + l]! * v[y + l]!;
          break;
        case Op.Pow: {
          const e = k[i]!;
          for (let l = 0; l < rows; l++) v[o + l] = v[x + l]! ** e;
          break;
        }
        case Op.Tanh:
          for (let l = 0; l < rows; l++) v[o + l] = tanh(v[x + l]!);
          break;
        case Op.Relu:
          for (let l = 0; l < rows; l++) v[o + l] = v[x + l]! > 0 ? v[x + l]! : 0;
          break;
        case Op.Sigmoid:
          for (let l = 0; l < rows; l++) v[o + l] = sigmoid(v[x + l]!);
          break;
        case Op.Exp:
          for (let l = 0; l < rows; l++) v[o + l] = Math.exp(v[x + l]!);
          break;
        case Op.Log:
          for (let l = 0; l < rows; l++) v[o + l] = Math.log(v[x + l]!);
          break;
        case Op.LogSumExp:
          for (let l = 0; l < rows; l++) v[o + l] = logSumExp(v[x + l]!, v[y + l]!);
          break;
        case Op.SumOfProducts:
          sumOfProducts(v, o, rows, bias[i]! >= 0 ? params[bias[i]!]! : 0, termStart[i]!, termCount[i]!, tw, to);
          break;
      }
    }
  }

  /**
   * Back-propagates from the outputs, whose gradient in every lane is
   * `seeds[j]`, into `paramGrads` (overwritten) and every node's `grads`.
   */
  backward(seeds: ArrayLike<number>): void {
    const { op, a, b, k, needsGrad, outputNodes, size } = this.program;
    const L = this.lanes;
    const rows = this.rows;
    const v = this.values;
    const g = this.grads;
    const pg = this.paramGrads;
    g.fill(0, 0, size * L);
    pg.fill(0);
    for (let j = 0; j < outputNodes.length; j++) {
      const o = outputNodes[j]! * L;
      for (let l = 0; l < rows; l++) g[o + l] = g[o + l]! + seeds[j]!;
    }
    for (let i = size - 1; i >= 0; i--) {
      if (!needsGrad[i]) continue;
      const o = i * L;
      const x = a[i]! * L;
      const y = b[i]! * L;
      switch (op[i]) {
        case Op.Param: {
          let total = 0;
          for (let l = 0; l < rows; l++) total += g[o + l]!;
          pg[a[i]!] = pg[a[i]!]! + total;
          break;
        }
        case Op.Add:
          // The addition forwards the same derivative to each input.
          if (needsGrad[a[i]!]) for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + g[o + l]!;
          if (needsGrad[b[i]!]) for (let l = 0; l < rows; l++) g[y + l] = g[y + l]! + g[o + l]!;
          break;
        case Op.Mul:
          // The multiplication forwards the derivative times the other input.
          if (needsGrad[a[i]!]) for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + v[y + l]! * g[o + l]!;
          if (needsGrad[b[i]!]) for (let l = 0; l < rows; l++) g[y + l] = g[y + l]! + v[x + l]! * g[o + l]!;
          break;
        case Op.Pow: {
          const e = k[i]!;
          for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + e * v[x + l]! ** (e - 1) * g[o + l]!;
          break;
        }
        case Op.Tanh:
          for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + (1 - v[o + l]! * v[o + l]!) * g[o + l]!;
          break;
        case Op.Relu:
          for (let l = 0; l < rows; l++) if (v[x + l]! > 0) g[x + l] = g[x + l]! + g[o + l]!;
          break;
        case Op.Sigmoid:
          for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + v[o + l]! * (1 - v[o + l]!) * g[o + l]!;
          break;
        case Op.Exp:
          for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + v[o + l]! * g[o + l]!;
          break;
        case Op.Log:
          for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + g[o + l]! / v[x + l]!;
          break;
        case Op.LogSumExp:
          // Each input receives g times its softmax weight, e^(input − out).
          if (needsGrad[a[i]!])
            for (let l = 0; l < rows; l++) g[x + l] = g[x + l]! + Math.exp(v[x + l]! - v[o + l]!) * g[o + l]!;
          if (needsGrad[b[i]!])
            for (let l = 0; l < rows; l++) g[y + l] = g[y + l]! + Math.exp(v[y + l]! - v[o + l]!) * g[o + l]!;
          break;
        case Op.SumOfProducts:
          sumOfProductsBackward(this, i, o);
          break;
      }
    }
  }
}

/**
 * out[l] = bias + Σₜ w[t] · x_t[l] for lanes l < rows. Four lanes at a time,
 * their sums held in locals, so each term costs one weight load and four
 * value loads per four multiply-adds; terms are added in order, as the
 * graph's chain of additions does.
 */
function sumOfProducts(
  v: Float64Array,
  o: number,
  rows: number,
  bias: number,
  start: number,
  count: number,
  tw: Float64Array,
  to: Int32Array,
): void {
  const end = start + count;
  let l = 0;
  for (; l + 3 < rows; l += 4) {
    let s0 = bias;
    let s1 = bias;
    let s2 = bias;
    let s3 = bias;
    for (let t = start; t < end; t++) {
      const w = tw[t]!;
      const x = to[t]! + l;
      s0 += w * v[x]!;
      s1 += w * v[x + 1]!;
      s2 += w * v[x + 2]!;
      s3 += w * v[x + 3]!;
    }
    v[o + l] = s0;
    v[o + l + 1] = s1;
    v[o + l + 2] = s2;
    v[o + l + 3] = s3;
  }
  for (; l < rows; l++) {
    let s = bias;
    for (let t = start; t < end; t++) s += tw[t]! * v[to[t]! + l]!;
    v[o + l] = s;
  }
}

/**
 * The backward step of `sumOfProducts`, node `i` at lane offset `o`: the
 * seed's two rules — the addition forwards g to the bias and to each product;
 * the product wᵢ·xᵢ forwards g·xᵢ to wᵢ (summed over the rows) and g·wᵢ to xᵢ.
 */
function sumOfProductsBackward(tape: Tape, i: number, o: number): void {
  const { termStart, termCount, termParam, termNode, bias, needsGrad } = tape.program;
  const L = tape.lanes;
  const rows = tape.rows;
  const v = tape.values;
  const g = tape.grads;
  const params = tape.params;
  const pg = tape.paramGrads;
  if (bias[i]! >= 0) {
    let total = 0;
    for (let l = 0; l < rows; l++) total += g[o + l]!;
    pg[bias[i]!] = pg[bias[i]!]! + total;
  }
  const first = termStart[i]!;
  const last = first + termCount[i]!;
  let t = first;
  // Four terms per pass over the lanes, each with its own running sum: the
  // sums do not wait on one another, and g is loaded once per four terms.
  for (; t + 3 < last; t += 4) {
    const n0 = termNode[t]!;
    const n1 = termNode[t + 1]!;
    const n2 = termNode[t + 2]!;
    const n3 = termNode[t + 3]!;
    const x0 = n0 * L;
    const x1 = n1 * L;
    const x2 = n2 * L;
    const x3 = n3 * L;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const propagate = needsGrad[n0]! & needsGrad[n1]! & needsGrad[n2]! & needsGrad[n3]!;
    if (propagate) {
      const w0 = params[termParam[t]!]!;
      const w1 = params[termParam[t + 1]!]!;
      const w2 = params[termParam[t + 2]!]!;
      const w3 = params[termParam[t + 3]!]!;
      for (let l = 0; l < rows; l++) {
        const gl = g[o + l]!;
        s0 += gl * v[x0 + l]!;
        s1 += gl * v[x1 + l]!;
        s2 += gl * v[x2 + l]!;
        s3 += gl * v[x3 + l]!;
        g[x0 + l] = g[x0 + l]! + gl * w0;
        g[x1 + l] = g[x1 + l]! + gl * w1;
        g[x2 + l] = g[x2 + l]! + gl * w2;
        g[x3 + l] = g[x3 + l]! + gl * w3;
      }
    } else {
      for (let l = 0; l < rows; l++) {
        const gl = g[o + l]!;
        s0 += gl * v[x0 + l]!;
        s1 += gl * v[x1 + l]!;
        s2 += gl * v[x2 + l]!;
        s3 += gl * v[x3 + l]!;
      }
      // Inputs that need a gradient (rare in a mixed block) get it term by term.
      for (let q = 0; q < 4; q++) {
        const node = termNode[t + q]!;
        if (!needsGrad[node]) continue;
        const w = params[termParam[t + q]!]!;
        const xq = node * L;
        for (let l = 0; l < rows; l++) g[xq + l] = g[xq + l]! + g[o + l]! * w;
      }
    }
    const p0 = termParam[t]!;
    const p1 = termParam[t + 1]!;
    const p2 = termParam[t + 2]!;
    const p3 = termParam[t + 3]!;
    pg[p0] = pg[p0]! + s0;
    pg[p1] = pg[p1]! + s1;
    pg[p2] = pg[p2]! + s2;
    pg[p3] = pg[p3]! + s3;
  }
  for (; t < last; t++) {
    const p = termParam[t]!;
    const node = termNode[t]!;
    const xt = node * L;
    // wᵢ receives g·xᵢ summed over the rows; xᵢ receives g·wᵢ.
    let total = 0;
    if (needsGrad[node]) {
      const w = params[p]!;
      for (let l = 0; l < rows; l++) {
        const gl = g[o + l]!;
        total += gl * v[xt + l]!;
        g[xt + l] = g[xt + l]! + gl * w;
      }
    } else {
      for (let l = 0; l < rows; l++) total += g[o + l]! * v[xt + l]!;
    }
    pg[p] = pg[p]! + total;
  }
}
