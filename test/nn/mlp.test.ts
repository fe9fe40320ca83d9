import { describe, expect, it } from 'vitest';
import { Layer } from '../../src/nn/layer.js';
import { batchLossOf } from '../../src/nn/loss.js';
import { MLP } from '../../src/nn/mlp.js';
import { Neuron } from '../../src/nn/neuron.js';
import { Random } from '../../src/random.js';
import { expectClose, worstGradientError } from '../helpers/numeric.js';

describe('Neuron', () => {
  it('computes act(b + Σ wᵢxᵢ)', () => {
    const n = new Neuron(3, 'tanh', new Random(1));
    const x = [0.5, -1, 2];
    const expected = Math.tanh(n.bias.data + n.weights.reduce((s, w, i) => s + w.data * x[i]!, 0));
    expectClose(n.call(x).data, expected, 1e-15);
  });

  it('draws weights and bias from ±1/√nin', () => {
    const n = new Neuron(16, 'tanh', new Random(2));
    for (const p of n.parameters()) expect(Math.abs(p.data)).toBeLessThanOrEqual(0.25);
  });
});

describe('Layer and MLP', () => {
  it('a layer is m neurons over the same n inputs', () => {
    const layer = new Layer(3, 4, 'tanh', new Random(1));
    expect(layer.neurons).toHaveLength(4);
    expect(layer.call([1, 2, 3])).toHaveLength(4);
    expect(layer.parameters()).toHaveLength(4 * (3 + 1));
  });

  it('MLP [3,4,4,1] has 3 inputs, two hidden layers of 4, 1 output', () => {
    const mlp = new MLP([3, 4, 4, 1]);
    expect(mlp.layers.map((l) => l.neurons.length)).toEqual([4, 4, 1]);
    expect(mlp.parameters()).toHaveLength(4 * 4 + 4 * 5 + 1 * 5);
    expect(mlp.layers[0]!.neurons[0]!.activation).toBe('tanh');
    expect(mlp.layers[2]!.neurons[0]!.activation).toBe('linear');
    expect(mlp.call([1, 2, 3])).toHaveLength(1);
  });

  it('the same seed gives the same weights; another seed other weights', () => {
    const weights = (seed: number) => new MLP([2, 5, 1], { random: new Random(seed) }).getParameters();
    expect(weights(9)).toEqual(weights(9));
    expect(weights(9)).not.toEqual(weights(10));
  });

  it('getParameters / setParameters round-trip, out × in', () => {
    const a = new MLP([3, 2, 1], { random: new Random(1) });
    const b = new MLP([3, 2, 1], { random: new Random(2) });
    const params = a.getParameters();
    expect(params[0]!.weights).toHaveLength(2);
    expect(params[0]!.weights[0]).toHaveLength(3);
    b.setParameters(params);
    expect(b.call([0.1, 0.2, 0.3])[0]!.data).toBe(a.call([0.1, 0.2, 0.3])[0]!.data);
    expect(() => b.setParameters([params[0]!])).toThrow(RangeError);
  });

  it('zeroGrad clears every parameter', () => {
    const mlp = new MLP([2, 3, 1]);
    mlp.call([1, 1])[0]!.backward();
    expect(mlp.parameters().some((p) => p.grad !== 0)).toBe(true);
    mlp.zeroGrad();
    expect(mlp.parameters().every((p) => p.grad === 0)).toBe(true);
  });

  it.each([
    ['tanh', 'linear'],
    ['relu', 'sigmoid'],
    ['sigmoid', 'tanh'],
  ] as const)(
    'every parameter gradient of a small MLP (%s hidden, %s out) matches finite differences',
    (activation, outputActivation) => {
      const mlp = new MLP([3, 4, 3, 2], { activation, outputActivation, random: new Random(11) });
      const data = new Random(12);
      const xs = Array.from({ length: 5 }, () => [data.normal(), data.normal(), data.normal()]);
      const ys = Array.from({ length: 5 }, () => [data.normal(), data.normal()]);
      const params = mlp.parameters();
      const lossAt = (values: number[]): number => {
        values.forEach((v, i) => (params[i]!.data = v));
        return batchLossOf(
          'mse',
          xs.map((x) => mlp.call(x)),
          ys,
        ).data;
      };
      const start = params.map((p) => p.data);
      const loss = batchLossOf(
        'mse',
        xs.map((x) => mlp.call(x)),
        ys,
      );
      mlp.zeroGrad();
      loss.backward();
      const analytic = params.map((p) => p.grad);
      expect(worstGradientError(lossAt, start, analytic)).toBeLessThan(1e-6);
      // Negative control: one gradient off by 1% must be caught.
      const broken = [...analytic];
      const k = broken.findIndex((g) => Math.abs(g) > 1e-3);
      broken[k]! *= 1.01;
      expect(worstGradientError(lossAt, start, broken)).toBeGreaterThan(1e-6);
    },
  );
});
