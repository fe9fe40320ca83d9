import { describe, expect, it } from 'vitest';
import { gradcheck } from '../src/gradcheck.js';
import { CompiledMLP } from '../src/nn/compiled-mlp.js';
import { MLP } from '../src/nn/mlp.js';
import { Random } from '../src/random.js';

function batch(rows: number, cols: number, seed: number) {
  const random = new Random(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => random.normal()) };
}

describe('gradcheck', () => {
  const x = batch(8, 3, 1);
  const y = batch(8, 2, 2);

  it.each(['wasm', 'js', 'graph'] as const)('passes the %s engine on every layer', async (engine) => {
    const mlp = new MLP([3, 5, 4, 2], { random: new Random(3) });
    const result = await gradcheck(mlp, x, y, { engine });
    expect(result.passed).toBe(true);
    expect(result.layers.map((c) => c.parameters)).toEqual([20, 24, 10]);
    expect(result.worst).toBeLessThan(1e-6);
  });

  it('fails a deliberately broken gradient, and says where', async () => {
    const mlp = new MLP([3, 5, 4, 2], { random: new Random(3) });
    const result = await gradcheck(mlp, x, y, {
      // The engine's true gradients, with layer 2's neuron 3, weight 1 off by 1%.
      gradients: async (m, xx, yy) => {
        const net = await CompiledMLP.forTraining(m, { batchSize: xx.rows, threads: 1 });
        net.lossAndGradients(
          xx,
          yy,
          Int32Array.from({ length: xx.rows }, (_, i) => i),
        );
        const g = Float64Array.from(net.grads);
        await net.close();
        g[20 + 2 * 6 + 0]! *= 1.01; // layer 1 holds 5 × (3 + 1) = 20; layer 2's neurons hold 5 + 1 each
        return g;
      },
    });
    expect(result.passed).toBe(false);
    expect(result.layers[1]!.worst).toBeGreaterThan(1e-3);
    expect(result.layers[1]!.worstAt).toBe('weights[2][0]');
    expect(result.layers[0]!.worst).toBeLessThan(1e-6);
  });

  it('fails a step size that is far too large (negative control)', async () => {
    const mlp = new MLP([3, 5, 4, 2], { random: new Random(3) });
    expect((await gradcheck(mlp, x, y, { step: 0.5 })).passed).toBe(false);
  });
});

describe("gradcheck checks the model's own loss", () => {
  const x = batch(8, 2, 4);
  it.each([
    ['cross-entropy', 3],
    ['binary-cross-entropy', 1],
  ] as const)('%s: passes, and differs from the MSE check on the same network', async (loss, outputs) => {
    const random = new Random(5);
    const y = {
      rows: 8,
      cols: outputs,
      data: Float64Array.from({ length: 8 * outputs }, (_, i) =>
        outputs === 1 ? i % 2 : Number(i % outputs === Math.floor(i / outputs) % outputs),
      ),
    };
    const mlp = new MLP([2, 4, outputs], { random });
    const own = await gradcheck(mlp, x, y, { loss });
    expect(own.passed).toBe(true);
    // Negative control: the MSE's gradients, checked against the model's loss, fail.
    const broken = await gradcheck(mlp, x, y, {
      loss,
      gradients: async (m, bx, by) => {
        const net = await CompiledMLP.forTraining(m, { batchSize: 8, threads: 1, loss: 'mse' });
        net.lossAndGradients(
          bx,
          by,
          Int32Array.from({ length: 8 }, (_, i) => i),
        );
        const g = Float64Array.from(net.grads);
        await net.close();
        return g;
      },
    });
    expect(broken.passed).toBe(false);
  });
});
