import { describe, expect, it } from 'vitest';
import { sum, topologicalOrder, Value } from '../../src/engine/value.js';
import { Random } from '../../src/random.js';
import { expectClose, worstGradientError } from '../helpers/numeric.js';

describe("the design notes' worked example", () => {
  it('y = w1*x1 + b1, z = w2*y + b2 back-propagates exactly', () => {
    const [x1, w1, b1, w2, b2] = [2, -3, 1, 0.5, 4].map((v) => new Value(v)) as [Value, Value, Value, Value, Value];
    const y = w1.mul(x1).add(b1);
    const z = w2.mul(y).add(b2);
    z.backward();
    expect(z.data).toBe(0.5 * (-3 * 2 + 1) + 4);
    expect(z.grad).toBe(1);
    expect(w2.grad).toBe(y.data); // dz/dw2 = y
    expect(b2.grad).toBe(1); // dz/db2 = 1
    expect(y.grad).toBe(w2.data); // dz/dy = w2
    expect(w1.grad).toBe(w2.data * x1.data); // dz/dw1 = w2*x1
    expect(b1.grad).toBe(w2.data); // dz/db1 = w2
    expect(x1.grad).toBe(w2.data * w1.data); // dz/dx1 = w2*w1
  });
});

// Each op as a function of plain numbers, built through the engine; the engine's
// gradient is checked against central differences at seeded random points.
type Expr = (v: Value[]) => Value;
const cases: [string, number, Expr, (r: Random) => number][] = [
  ['add', 2, ([a, b]) => a!.add(b!), (r) => r.uniform(-3, 3)],
  ['add number', 1, ([a]) => a!.add(2.5), (r) => r.uniform(-3, 3)],
  ['sub', 2, ([a, b]) => a!.sub(b!), (r) => r.uniform(-3, 3)],
  ['mul', 2, ([a, b]) => a!.mul(b!), (r) => r.uniform(-3, 3)],
  ['mul number', 1, ([a]) => a!.mul(-1.5), (r) => r.uniform(-3, 3)],
  ['div', 2, ([a, b]) => a!.div(b!), (r) => r.uniform(0.5, 3)],
  ['pow 3', 1, ([a]) => a!.pow(3), (r) => r.uniform(-2, 2)],
  ['pow -0.5', 1, ([a]) => a!.pow(-0.5), (r) => r.uniform(0.5, 3)],
  ['neg', 1, ([a]) => a!.neg(), (r) => r.uniform(-3, 3)],
  ['tanh', 1, ([a]) => a!.tanh(), (r) => r.uniform(-3, 3)],
  ['relu', 1, ([a]) => a!.relu(), (r) => (r.next() < 0.5 ? -1 : 1) * r.uniform(0.1, 3)],
  ['sigmoid', 1, ([a]) => a!.sigmoid(), (r) => r.uniform(-5, 5)],
  ['exp', 1, ([a]) => a!.exp(), (r) => r.uniform(-3, 3)],
  ['log', 1, ([a]) => a!.log(), (r) => r.uniform(0.2, 5)],
  ['logSumExp', 2, ([a, b]) => a!.logSumExp(b!), (r) => r.uniform(-5, 5)],
  [
    'composite',
    3,
    ([a, b, c]) => a!.mul(b!).add(c!.tanh()).pow(2).sub(b!.sigmoid().mul(c!)).div(a!.exp().add(1)),
    (r) => r.uniform(-2, 2),
  ],
];

function evaluate(expr: Expr, xs: number[]): { value: number; grads: number[] } {
  const leaves = xs.map((x) => new Value(x));
  const out = expr(leaves);
  out.backward();
  return { value: out.data, grads: leaves.map((l) => l.grad) };
}

describe('every op against central finite differences', () => {
  it.each(cases)('%s', (_name, arity, expr, draw) => {
    const random = new Random(7);
    for (let trial = 0; trial < 20; trial++) {
      const xs = Array.from({ length: arity }, () => draw(random));
      const { grads } = evaluate(expr, xs);
      const error = worstGradientError((x) => evaluate(expr, x).value, xs, grads);
      expect(error, `at ${xs.join(', ')}`).toBeLessThan(1e-6);
    }
  });

  it('the check fails for a wrong derivative and for a wrong step size (negative controls)', () => {
    const xs = [0.7];
    const f = (x: number[]) => Math.tanh(x[0]!);
    const right = 1 - Math.tanh(0.7) ** 2;
    expect(worstGradientError(f, xs, [right])).toBeLessThan(1e-6);
    expect(worstGradientError(f, xs, [1 - Math.tanh(0.7)])).toBeGreaterThan(1e-3); // forgot the square
    expect(worstGradientError(f, xs, [right], 1)).toBeGreaterThan(1e-3); // h far too large
  });
});

describe('gradients', () => {
  it('accumulate for a node used twice', () => {
    const a = new Value(3);
    const b = a.add(a); // db/da = 2
    b.backward();
    expect(a.grad).toBe(2);
    const c = new Value(-4);
    const d = c.mul(c).add(c); // d = c² + c, dd/dc = 2c + 1
    d.backward();
    expect(c.grad).toBe(2 * -4 + 1);
  });

  it('accumulate across backward() calls until cleared', () => {
    const a = new Value(2);
    const y = a.mul(5);
    y.backward();
    y.backward();
    expect(a.grad).toBe(10);
  });

  it('sum() of operands, and of nothing', () => {
    const xs = [1, 2, 3].map((v) => new Value(v));
    const total = sum([...xs, 4]);
    total.backward();
    expect(total.data).toBe(10);
    expect(xs.map((x) => x.grad)).toEqual([1, 1, 1]);
    expect(sum([]).data).toBe(0);
  });

  it('a chain of 200,000 nodes back-propagates without a stack overflow', () => {
    const x = new Value(1);
    let y = x;
    for (let i = 0; i < 200_000; i++) y = y.mul(1).add(0);
    expect(() => y.backward()).not.toThrow();
    expect(x.grad).toBe(1);
  });

  it('the topological order puts every node after its inputs, each once', () => {
    const a = new Value(1);
    const b = a.mul(2);
    const c = a.add(b); // a reached twice: directly and through b
    const d = c.mul(b).tanh();
    const order = topologicalOrder(d);
    expect(new Set(order).size).toBe(order.length);
    expect(order.length).toBe(6); // a, the constant 2, b, c, c·b, tanh
    for (const node of order) {
      for (const child of node.children) expect(order.indexOf(child)).toBeLessThan(order.indexOf(node));
    }
    expect(order[order.length - 1]).toBe(d);
  });
});

describe('numerics at the extremes', () => {
  it.each([
    ['sigmoid(1000)', () => new Value(1000).sigmoid(), 1, 0],
    ['sigmoid(-1000)', () => new Value(-1000).sigmoid(), 0, 0],
    ['tanh(1000)', () => new Value(1000).tanh(), 1, 0],
    ['logSumExp(1000, 0)', () => new Value(1000).logSumExp(0), 1000, 1],
    ['logSumExp(-1000, 0)', () => new Value(-1000).logSumExp(0), 0, 0],
  ])('%s is finite, with a finite gradient', (_name, make, value, grad) => {
    const leaf = new Value(0);
    const out = make();
    out.backward();
    expectClose(out.data, value, 1e-12);
    expect(Number.isFinite(out.children[0]!.grad)).toBe(true);
    expectClose(out.children[0]!.grad, grad, 1e-12);
    expect(leaf.grad).toBe(0);
  });
});
