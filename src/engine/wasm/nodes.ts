import { Op } from '../compile.js';
import { type Code, F64, Simd } from './emit.js';
import { F0, I, V0, Writer } from './writer.js';

/**
 * Any node that is not part of a dense block, one at a time: its op over the
 * batch's pairs of rows, forward and backward as the js tape computes them.
 */
export class NodeWriter extends Writer {
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
      case Op.LogSumExp: {
        // Each input receives g times its softmax weight, e^(input − out).
        const share = (v: number) => () =>
          c
            .get(I.lp)
            .load(v)
            .get(I.lp)
            .load(vo)
            .simd(Simd.F64x2Sub)
            .call(this.math.exp)
            .get(I.lp)
            .load(go)
            .simd(Simd.F64x2Mul);
        if (needsGrad[xa]) add(gx, share(vx));
        if (needsGrad[xb]) add(gy, share(vy));
        break;
      }
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
