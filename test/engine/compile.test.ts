import { describe, expect, it } from 'vitest';
import { compile, Op } from '../../src/engine/compile.js';
import { Tape } from '../../src/engine/tape.js';
import { Value } from '../../src/engine/value.js';
import { CompiledMLP } from '../../src/nn/compiled-mlp.js';
import { batchLossOf } from '../../src/nn/loss.js';
import { MLP } from '../../src/nn/mlp.js';
import { batchLoss } from '../../src/train/loop.js';
import { Random } from '../../src/random.js';

/**
 * Relative agreement, |a − b| ≤ tol · max(|a|, |b|), reporting the first index
 * off. A gradient is a sum over the batch's rows, which the two engines add in
 * different orders; where the terms nearly cancel, the rounding of that sum is
 * relative to the terms, not to the result. So entries below 1e-3 of the
 * largest are held to tol relative to that 1e-3 floor instead.
 */
function expectRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  let largest = 0;
  for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(expected[i]!));
  const floor = 1e-3 * largest;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), floor))) {
      expect.fail(
        `${what}[${i}]: compiled ${a}, graph ${b}, relative difference ${Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))} > ${tol}`,
      );
    }
  }
}

function randomRows(random: Random, rows: number, cols: number) {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => random.normal()) };
}

describe('the compiled engines (js and wasm) agree with the object graph', () => {
  const engines = ['js', 'wasm'] as const;
  const cases = [
    { layers: [2, 16, 16, 1], activation: 'tanh', outputActivation: 'linear', batch: 32, rows: 32 },
    { layers: [3, 5, 4, 2], activation: 'relu', outputActivation: 'sigmoid', batch: 8, rows: 5 }, // partial batch
    { layers: [4, 7, 3], activation: 'sigmoid', outputActivation: 'tanh', batch: 16, rows: 13 },
    { layers: [6, 9, 9, 9, 4], activation: 'tanh', outputActivation: 'relu', batch: 4, rows: 4 },
    { layers: [10, 64, 64, 1], activation: 'tanh', outputActivation: 'linear', batch: 64, rows: 37 }, // two shards
    { layers: [1, 1], activation: 'tanh', outputActivation: 'linear', batch: 1, rows: 1 },
  ] as const;

  it.each([
    ['cross-entropy', [3, 6, 4], 9],
    ['binary-cross-entropy', [3, 6, 1], 7],
  ] as const)('%s: loss and every gradient to 1e-12, and ∂L/∂logits = (p − y)/n', async (loss, layers, rows) => {
    const mlp = new MLP(layers, { random: new Random(5) });
    const data = new Random(6);
    const x = randomRows(data, rows, 3);
    const k = layers[2];
    const y = { rows, cols: k, data: new Float64Array(rows * k) };
    for (let r = 0; r < rows; r++) {
      if (k === 1) y.data[r] = data.int(2);
      else y.data[r * k + data.int(k)] = 1;
    }
    const order = Int32Array.from({ length: rows }, (_, i) => i);
    const graph = batchLoss(mlp, x, y, order, loss);
    mlp.zeroGrad();
    graph.backward();
    for (const engine of engines) {
      const net = await CompiledMLP.forTraining(mlp, { engine, batchSize: 16, threads: 1, loss });
      const compiledLoss = net.lossAndGradients(x, y, order);
      expectRelative([compiledLoss], [graph.data], 1e-12, `${engine} loss`);
      expectRelative(
        net.grads,
        mlp.parameters().map((p) => p.grad),
        1e-12,
        `${engine} gradient`,
      );
    }
    // The output biases' gradients are Σ over rows of (softmax or σ) − target, over n: by hand.
    const expected = new Array<number>(k).fill(0);
    let reference = 0;
    for (let r = 0; r < rows; r++) {
      const z = mlp.call(Array.from(x.data.subarray(r * 3, r * 3 + 3))).map((v) => v.data);
      if (k === 1) {
        const p = 1 / (1 + Math.exp(-z[0]!));
        expected[0]! += (p - y.data[r]!) / rows;
        reference -= (y.data[r]! * Math.log(p) + (1 - y.data[r]!) * Math.log(1 - p)) / rows;
      } else {
        const e = z.map((v) => Math.exp(v));
        const total = e.reduce((a, b) => a + b);
        e.forEach((v, j) => (expected[j]! += (v / total - y.data[r * k + j]!) / rows));
        reference -= Math.log(e[y.data.subarray(r * k, r * k + k).indexOf(1)]! / total) / rows;
      }
    }
    const biases = mlp.layers[1]!.neurons.map((n) => n.bias.grad);
    expectRelative(biases, expected, 1e-10, 'output bias gradients');
    expectRelative([graph.data], [reference], 1e-12, 'loss against −log p');
  });

  it.each(cases)('$layers ($activation/$outputActivation), $rows rows: loss and every gradient to 1e-12', async (c) => {
    const mlp = new MLP(c.layers, {
      activation: c.activation,
      outputActivation: c.outputActivation,
      random: new Random(7),
    });
    const data = new Random(8);
    const x = randomRows(data, c.rows, c.layers[0]);
    const y = randomRows(data, c.rows, c.layers[c.layers.length - 1]!);
    const rows = Int32Array.from({ length: c.rows }, (_, i) => c.rows - 1 - i); // any order of rows

    const predictions = Array.from(rows, (r) => mlp.call(Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols))));
    const targets = Array.from(rows, (r) => Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols)));
    const loss = batchLossOf('mse', predictions, targets);
    mlp.zeroGrad();
    loss.backward();

    for (const engine of engines) {
      const net = await CompiledMLP.forTraining(mlp, { engine, batchSize: c.batch, threads: 1 });
      const compiledLoss = net.lossAndGradients(x, y, rows);
      expectRelative([compiledLoss], [loss.data], 1e-12, `${engine} loss`);
      expectRelative(
        net.grads,
        mlp.parameters().map((p) => p.grad),
        1e-12,
        `${engine} gradient`,
      );
    }
  });

  it('the comparison catches a gradient that is off (negative control)', () => {
    const grads = [0.5, -0.25, 1e-4];
    expect(() => expectRelative([0.5, -0.25, 1.000001e-4], grads, 1e-12, 'g')).toThrow(/g\[2\]/);
    expect(() => expectRelative([0.5 * (1 + 1e-11), -0.25, 1e-4], grads, 1e-12, 'g')).toThrow(/g\[0\]/);
  });

  it('predicts what the object graph computes, in chunks of any size', () => {
    const mlp = new MLP([3, 8, 2], { random: new Random(3) });
    const x = randomRows(new Random(4), 600, 3); // more rows than the 256 lanes
    for (const engine of engines) {
      const out = new Float64Array(600 * 2);
      CompiledMLP.forPrediction(mlp, engine).predictInto(x, out);
      for (let r = 0; r < 600; r += 37) {
        const expected = mlp.call(Array.from(x.data.subarray(r * 3, r * 3 + 3))).map((v) => v.data);
        expectRelative(out.subarray(r * 2, r * 2 + 2), expected, 1e-15, `${engine}, row ${r}`);
      }
    }
  });
});

describe('compile', () => {
  it('fuses each neuron into one sum-of-products node and keeps the rest', () => {
    const mlp = new MLP([3, 4, 2]);
    const x = [new Value(0), new Value(0), new Value(0)];
    const program = compile({ inputs: x, parameters: mlp.parameters(), outputs: mlp.call(x) });
    const count = (op: Op) => program.op.filter((o) => o === op).length;
    expect(count(Op.SumOfProducts)).toBe(6);
    expect(count(Op.Tanh)).toBe(4);
    expect(count(Op.Add) + count(Op.Mul)).toBe(0);
    expect(count(Op.Input)).toBe(3);
    expect(program.termParam.length).toBe(3 * 4 + 4 * 2);
  });

  it('gives the same program whatever was compiled before over the same nodes (an unused input included)', () => {
    const mlp = new MLP([3, 4, 2], { random: new Random(4) });
    const x = [new Value(0), new Value(0), new Value(0), new Value(0)]; // the last is not read
    const outputs = mlp.call(x.slice(0, 3));
    const spec = { inputs: x, parameters: mlp.parameters(), outputs };
    const first = compile(spec);
    expect(first.inputNodes[3]).toBe(-1);
    // another graph over the same parameters and inputs, in another order, compiled in between
    const other = mlp.call([x[2]!, x[0]!, x[1]!]).map((v) => v.mul(2));
    compile({ inputs: [x[3]!, ...x.slice(0, 3)], parameters: [...mlp.parameters()].reverse(), outputs: other });
    expect(compile(spec)).toEqual(first);
  });

  it('compiles any expression: parameters in plain ops, shared nodes, every primitive', () => {
    const random = new Random(5);
    const [a, b, c] = [random.uniform(0.5, 2), random.uniform(0.5, 2), random.uniform(-1, 1)].map(
      (v) => new Value(v),
    ) as [Value, Value, Value];
    const input = new Value(0);
    const build = (xv: Value) => {
      const shared = a.mul(xv).add(b); // a sum of products with a bias
      return shared
        .tanh()
        .mul(shared)
        .add(a.mul(b))
        .add(c.exp().div(b.pow(3)))
        .add(shared.sigmoid().log())
        .add(xv.relu())
        .sub(c);
    };
    const program = compile({ inputs: [input], parameters: [a, b, c], outputs: [build(input)] });
    const tape = new Tape(program, 4);
    tape.params.set([a.data, b.data, c.data]);
    const xs = [-1.5, -0.2, 0.3, 2];
    xs.forEach((xv, l) => tape.setInput(0, l, xv));
    tape.forward(4);
    tape.backward([1]);
    const grads = [0, 0, 0];
    xs.forEach((xv, l) => {
      for (const p of [a, b, c]) p.grad = 0;
      const out = build(new Value(xv));
      out.backward();
      expectRelative([tape.output(0, l)], [out.data], 1e-14, `value at x=${xv}`);
      [a, b, c].forEach((p, i) => (grads[i]! += p.grad));
    });
    expectRelative(tape.paramGrads, grads, 1e-12, 'parameter gradients summed over lanes');
  });

  it('compiles a 784,128,10 network (about 100,000 parameters) without a stack overflow', async () => {
    const mlp = new MLP([784, 128, 10], { random: new Random(1) });
    const net = await CompiledMLP.forTraining(mlp, { engine: 'js', batchSize: 32, threads: 1 });
    expect(net.program.termParam.length).toBe(784 * 128 + 128 * 10);
    const data = new Random(2);
    const loss = net.lossAndGradients(randomRows(data, 4, 784), randomRows(data, 4, 10), Int32Array.from([0, 1, 2, 3]));
    expect(Number.isFinite(loss)).toBe(true);
  }, 30_000);
});

describe('every operation, forward and backward, on the tape as in the graph', () => {
  type Operation = Exclude<Op, Op.Leaf | Op.Input | Op.Const | Op.Param | Op.SumOfProducts>;
  // A Record over every operation a Value can be: a new one fails to compile here until it is tested.
  const build: Record<Operation, (a: Value, b: Value) => Value> = {
    [Op.Add]: (a, b) => a.add(b),
    [Op.Mul]: (a, b) => a.mul(b),
    [Op.Pow]: (a) => a.pow(3),
    [Op.Tanh]: (a) => a.tanh(),
    [Op.Relu]: (a) => a.relu(),
    [Op.Sigmoid]: (a) => a.sigmoid(),
    [Op.Exp]: (a) => a.exp(),
    [Op.Log]: (a) => a.mul(a).add(1).log(),
    [Op.LogSumExp]: (a, b) => a.logSumExp(b),
  };

  it.each(Object.entries(build))('op %s: values and gradients of both inputs, every lane', (_op, make) => {
    const rows = [
      [0.7, -1.3],
      [-2.1, 0.4],
      [1.9, 2.6],
    ];
    const a = new Value(0);
    const b = new Value(0);
    const w = new Value(0.8); // a parameter, so that the inputs' gradients are needed
    const out = make(a.mul(w), b.mul(w));
    expect(out.op).toBe(Number(_op));
    const program = compile({ inputs: [a, b], parameters: [w], outputs: [out] });
    const tape = new Tape(program, rows.length);
    tape.params[0] = w.data;
    rows.forEach(([x, y], l) => {
      tape.setInput(0, l, x!);
      tape.setInput(1, l, y!);
    });
    tape.forward(rows.length);
    tape.backward([1]);
    let dw = 0;
    rows.forEach(([x, y], l) => {
      const [ga, gb, gw] = [new Value(x!), new Value(y!), new Value(0.8)];
      const graph = make(ga.mul(gw), gb.mul(gw));
      graph.backward();
      expect(tape.output(0, l)).toBeCloseTo(graph.data, 12);
      dw += gw.grad;
    });
    expect(tape.paramGrads[0]).toBeCloseTo(dw, 12);
  });
});
