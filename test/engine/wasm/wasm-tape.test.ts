import { describe, expect, it } from 'vitest';
import { compile, Op, type Program } from '../../../src/engine/compile.js';
import { Tape } from '../../../src/engine/tape.js';
import { Value } from '../../../src/engine/value.js';
import { planOf } from '../../../src/engine/wasm/plan.js';
import { WasmTape } from '../../../src/engine/wasm/wasm-tape.js';
import type { Activation, HiddenActivation } from '../../../src/nn/activation.js';
import { rowLoss, type LossName } from '../../../src/nn/loss.js';
import { MLP } from '../../../src/nn/mlp.js';
import { Random } from '../../../src/random.js';

// The WebAssembly kernels against the js tape on the same compiled program:
// the kernels add every sum in the js engine's order and their exp is
// Math.exp's, so values and gradients are expected equal bit for bit — more
// than the 1e-12 asked of them.

function rows(random: Random, n: number, cols: number) {
  return { rows: n, cols, data: Float64Array.from({ length: n * cols }, () => random.normal()) };
}

function trainingProgram(mlp: MLP, loss: LossName): Program {
  const x = Array.from({ length: mlp.inputSize }, () => new Value(0));
  const y = Array.from({ length: mlp.outputSize }, () => new Value(0));
  return compile({ inputs: [...x, ...y], parameters: mlp.parameters(), outputs: [rowLoss(loss, mlp.call(x), y)] });
}

/** Targets for a loss: one-hot rows, 0/1, or numbers. */
function targets(random: Random, n: number, k: number, loss: LossName) {
  if (loss === 'mse') return rows(random, n, k);
  const y = { rows: n, cols: k, data: new Float64Array(n * k) };
  for (let r = 0; r < n; r++) {
    if (loss === 'binary-cross-entropy') y.data[r] = random.int(2);
    else y.data[r * k + random.int(k)] = 1;
  }
  return y;
}

/**
 * Loads the same rows into both tapes, runs both ways, and compares
 * everything; twice, the rows in reverse the second time, so that nothing
 * the first pass left behind may count in the second.
 */
function expectSame(
  program: Program,
  params: ArrayLike<number>,
  x: ReturnType<typeof rows>,
  y: ReturnType<typeof rows> | null,
  order: Int32Array,
  lanes: number,
  seeds: number[],
  keep = false,
) {
  const js = new Tape(program, lanes);
  const wasm = new WasmTape(program, lanes, keep && y ? { x, y } : undefined);
  js.params.set(params);
  wasm.params.set(params);
  for (const pass of [order, order.slice().reverse()]) {
    js.load(x, y, pass);
    wasm.load(x, y, pass);
    js.forward(pass.length);
    wasm.forward(pass.length);
    for (let j = 0; j < program.outputNodes.length; j++) {
      for (let l = 0; l < pass.length; l++) {
        if (!Object.is(wasm.output(j, l), js.output(j, l)))
          expect.fail(`output ${j}, row ${l}: wasm ${wasm.output(j, l)}, js ${js.output(j, l)}`);
      }
    }
    js.backward(seeds);
    wasm.backward(seeds);
    for (let i = 0; i < program.parameterCount; i++) {
      if (!Object.is(wasm.paramGrads[i], js.paramGrads[i]))
        expect.fail(`∂L/∂param ${i}: wasm ${wasm.paramGrads[i]}, js ${js.paramGrads[i]}`);
    }
  }
}

describe('the WebAssembly kernels compute what the js tape does', () => {
  const shapes: [number[], HiddenActivation, Activation][] = [
    [[2, 16, 16, 1], 'tanh', 'linear'],
    [[3, 5, 6, 2], 'relu', 'sigmoid'],
    [[7, 9, 3], 'sigmoid', 'tanh'],
    [[5, 4, 4, 4, 3], 'tanh', 'relu'],
    [[10, 64, 64, 1], 'tanh', 'linear'],
    [[1, 1], 'tanh', 'linear'],
  ];
  const losses: LossName[] = ['mse', 'cross-entropy', 'binary-cross-entropy'];
  const cases = shapes.flatMap(([layers, activation, output]) =>
    losses
      .filter((loss) => loss !== 'binary-cross-entropy' || layers.at(-1) === 1)
      .filter((loss) => loss !== 'cross-entropy' || layers.at(-1)! > 1)
      .map((loss) => ({ layers, activation, output, loss })),
  );

  it.each(cases)(
    '$layers $activation/$output, $loss: loss and gradients, full and partial batches',
    ({ layers, activation, output, loss }) => {
      const mlp = new MLP(layers, { activation, outputActivation: output, random: new Random(layers.length) });
      const program = trainingProgram(mlp, loss);
      const params = mlp.parameters().map((p) => p.data);
      const data = new Random(11);
      const x = rows(data, 40, layers[0]!);
      const y = targets(data, 40, layers.at(-1)!, loss);
      for (const n of [1, 2, 3, 7, 16]) {
        const order = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % 40);
        expectSame(program, params, x, y, order, 16, [1 / n]);
      }
    },
  );

  it('gathers each batch from the training rows it keeps, as from rows handed over', () => {
    for (const [layers, loss] of [
      [[13, 6, 5, 3], 'cross-entropy'],
      [[4, 9, 1], 'mse'],
    ] as const) {
      const mlp = new MLP([...layers], { random: new Random(9) });
      const program = trainingProgram(mlp, loss);
      const data = new Random(10);
      const x = rows(data, 50, layers[0]);
      const y = targets(data, 50, layers.at(-1)!, loss);
      for (const n of [1, 6, 9]) {
        const order = Int32Array.from({ length: n }, (_, i) => (i * 11 + 5) % 50);
        expectSame(
          program,
          mlp.parameters().map((p) => p.data),
          x,
          y,
          order,
          10,
          [1 / n],
          true,
        );
      }
    }
  });

  it('recognises an MLP’s layers and activations as dense blocks (the kernels under test)', () => {
    const mlp = new MLP([3, 5, 6, 2], { random: new Random(1) });
    const plan = planOf(trainingProgram(mlp, 'mse'));
    const kinds = plan.steps.map((s) => (s.kind === 'node' ? 'node' : s.kind));
    expect(kinds.filter((k) => k === 'layer')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'map')).toHaveLength(2);
    expect(plan.steps.find((s) => s.kind === 'layer')).toMatchObject({
      inputs: 3,
      outputs: 5,
      wo: 4,
      wi: 1,
      bo: 4,
      inputGrads: false,
    });
  });

  it('runs any other graph one node at a time: parameters in plain ops, shared nodes, every primitive', () => {
    const random = new Random(5);
    const [a, b, c] = [random.uniform(0.5, 2), random.uniform(0.5, 2), random.uniform(-1, 1)].map(
      (v) => new Value(v),
    ) as [Value, Value, Value];
    const input = new Value(0);
    const target = new Value(0);
    const shared = a.mul(input).add(b);
    const out = shared
      .tanh()
      .mul(shared)
      .add(a.mul(b))
      .add(c.exp().div(b.pow(3)))
      .add(shared.sigmoid().log())
      .add(input.relu())
      .add(shared.logSumExp(target))
      .sub(c)
      .pow(2);
    const program = compile({ inputs: [input, target], parameters: [a, b, c], outputs: [out, shared] });
    const ops = planOf(program).steps.flatMap((s) => (s.kind === 'node' ? [program.op[s.node]] : []));
    for (const op of [Op.Param, Op.Mul, Op.Add, Op.Pow, Op.Sigmoid, Op.Log, Op.Exp, Op.Relu, Op.LogSumExp])
      expect(ops).toContain(op);
    const data = new Random(6);
    const x = rows(data, 9, 1);
    const y = rows(data, 9, 1);
    expectSame(program, [a.data, b.data, c.data], x, y, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]), 10, [0.5, -2]);
  });

  it('a network whose weights are not laid out as a matrix still runs, one node at a time', () => {
    // Two neurons sharing their weights, over their inputs in different orders: one dense block at most.
    const [w, v, b] = [new Value(0.3), new Value(-0.7), new Value(0.1)];
    const x = [new Value(0), new Value(0)];
    const outputs = [w.mul(x[0]!).add(v.mul(x[1]!)).add(b).tanh(), w.mul(x[1]!).add(v.mul(x[0]!)).add(b).tanh()];
    const program = compile({ inputs: x, parameters: [w, v, b], outputs });
    const plan = planOf(program);
    expect(plan.steps.some((s) => s.kind === 'node' && program.op[s.node] === Op.SumOfProducts)).toBe(true);
    expectSame(program, [0.3, -0.7, 0.1], rows(new Random(2), 5, 2), null, Int32Array.from([4, 0, 3]), 4, [1, 1]);
  });

  it('one pass over a batch cut in two gives two shards’ gradients, shard 0’s plus shard 1’s', () => {
    for (const [layers, loss, cut] of [
      [[10, 64, 64, 1], 'mse', 16],
      [[6, 7, 3], 'cross-entropy', 5],
    ] as const) {
      const mlp = new MLP([...layers], { random: new Random(12) });
      const program = trainingProgram(mlp, loss);
      const params = mlp.parameters().map((p) => p.data);
      const data = new Random(13);
      const x = rows(data, 40, layers[0]);
      const y = targets(data, 40, layers.at(-1)!, loss);
      const whole = WasmTape.cut(program, 2 * cut, cut, { x, y })!;
      whole.params.set(params);
      const shards = [new Tape(program, cut), new Tape(program, cut)];
      for (const t of shards) t.params.set(params);
      // a full batch, one that ends in the second part, and one that never reaches it
      for (const n of [2 * cut, cut + 3, cut - 1]) {
        const order = Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % 40);
        const parts = [order.subarray(0, cut), order.subarray(cut)];
        const seeds = [1 / n];
        shards.forEach((t, k) => {
          t.load(x, y, parts[k]!);
          t.forward(parts[k]!.length);
          t.backward(seeds);
        });
        whole.load(x, y, order);
        whole.forward(n);
        whole.backward(seeds);
        for (let l = 0; l < n; l++) {
          const expected = shards[l < cut ? 0 : 1]!.output(0, l < cut ? l : l - cut);
          if (!Object.is(whole.output(0, l), expected)) expect.fail(`row ${l}: ${whole.output(0, l)}, ${expected}`);
        }
        for (let i = 0; i < program.parameterCount; i++) {
          const expected = shards[0]!.paramGrads[i]! + shards[1]!.paramGrads[i]!;
          if (!Object.is(whole.paramGrads[i], expected))
            expect.fail(`${n} rows, ∂L/∂param ${i}: one pass ${whole.paramGrads[i]}, shards ${expected}`);
        }
      }
    }
  });

  it('cuts rows in one pass only where every parameter belongs to one layer', () => {
    const [w, v, b] = [new Value(0.3), new Value(-0.7), new Value(0.1)];
    const x = [new Value(0), new Value(0)];
    const outputs = [w.mul(x[0]!).add(v.mul(x[1]!)).add(b).tanh(), w.mul(x[1]!).add(v.mul(x[0]!)).add(b).tanh()];
    expect(WasmTape.cut(compile({ inputs: x, parameters: [w, v, b], outputs }), 8, 4)).toBeUndefined();
  });

  it('predicts in chunks: a row range loads like the same rows by index', () => {
    const mlp = new MLP([4, 8, 3], { random: new Random(3) });
    const x = Array.from({ length: 4 }, () => new Value(0));
    const program = compile({ inputs: x, parameters: mlp.parameters(), outputs: mlp.call(x) });
    const data = rows(new Random(4), 20, 4);
    const a = new WasmTape(program, 8);
    const b = new WasmTape(program, 8);
    for (const t of [a, b]) t.params.set(mlp.parameters().map((p) => p.data));
    a.loadRange(data, 5, 7);
    b.load(data, null, Int32Array.from([5, 6, 7, 8, 9, 10, 11]));
    a.forward(7);
    b.forward(7);
    for (let l = 0; l < 7; l++) for (let j = 0; j < 3; j++) expect(a.output(j, l)).toBe(b.output(j, l));
  });
});
