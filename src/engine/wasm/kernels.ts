import type { Program } from '../compile.js';
import { ConstantTable, F64, I32, ModuleBuilder, Simd, Type } from './emit.js';
import { LayerWriter } from './dense.js';
import type { Layout } from './layout.js';
import { addLog } from './log.js';
import { addMath } from './math.js';
import { NodeWriter } from './nodes.js';
import type { Plan, Step } from './plan.js';
import { type Imports, LOCALS } from './writer.js';

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
  const dense = new LayerWriter(program, plan, layout, math, imports);
  const nodes = new NodeWriter(program, plan, layout, math, imports);

  const forward = m.func([Type.I32], [], LOCALS);
  dense.load(forward.code);
  const backward = m.func([Type.I32], [], LOCALS);
  dense.seed(backward.code, dense.zeroed);
  // A dense block is a function of its own (called with the rows); any other node is written inline.
  const blocks = new Map<Step, { forward: number; backward: number }>();
  for (const step of plan.steps) {
    if (step.kind === 'node') continue;
    const f = m.func([Type.I32], [], LOCALS);
    const b = m.func([Type.I32], [], LOCALS);
    if (step.kind === 'layer') {
      dense.layerForward(f.code, step);
      dense.layerBackward(b.code, step);
    } else {
      dense.mapForward(f.code, step);
      dense.mapBackward(b.code, step);
    }
    blocks.set(step, { forward: f.index, backward: b.index });
  }
  for (const step of plan.steps) {
    if (step.kind === 'node') nodes.nodeForward(forward.code, step.node);
    else forward.code.get(0).call(blocks.get(step)!.forward);
  }
  for (const step of [...plan.steps].reverse()) {
    if (step.kind === 'node') nodes.nodeBackward(backward.code, step.node);
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
