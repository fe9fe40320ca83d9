// The helper thread runs from the built code (dist/), as users run it: a worker
// thread cannot load the TypeScript sources that the other tests import.
import { describe, expect, it } from 'vitest';
import { CompiledMLP, MLP, Random, trainLoop } from '../../dist/index.js';

function data(rows: number, cols: number, seed: number) {
  const random = new Random(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => random.normal()) };
}

describe('sharing batches with a helper thread', () => {
  it('is used for big batches and gives bit-identical weights to one thread', async () => {
    const x = data(500, 10, 1);
    const y = data(500, 1, 2);
    const train = async (threads: number) => {
      const mlp = new MLP([10, 64, 64, 1], { random: new Random(3) });
      await trainLoop(mlp, x, y, { epochs: 3, learningRate: 0.05, batchSize: 64, threads, random: new Random(4) });
      return mlp.getParameters();
    };
    const probe = await CompiledMLP.forTraining(new MLP([10, 64, 64, 1]), { batchSize: 64, threads: 2 });
    expect(probe.threads).toBe(2);
    await probe.close();
    expect(await train(2)).toEqual(await train(1));
  }, 60_000);

  it('is not used for small networks, where handing over costs more than it saves', async () => {
    const small = await CompiledMLP.forTraining(new MLP([2, 16, 16, 1]), { batchSize: 32, threads: 2 });
    expect(small.threads).toBe(1);
    await small.close();
  });
});
