// The helper thread's script is the built one (dist/engine/shard-worker.js) even
// here: a worker thread cannot load the TypeScript sources the tests import.
import { describe, expect, it } from 'vitest';
import { CompiledMLP } from '../../src/nn/compiled-mlp.js';
import { MLP } from '../../src/nn/mlp.js';
import { Random } from '../../src/random.js';
import { trainLoop } from '../../src/train/loop.js';

function data(rows: number, cols: number, seed: number) {
  const random = new Random(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => random.normal()) };
}

describe('the js engine sharing batches with a helper thread', () => {
  it('is used for big batches and gives bit-identical weights to one thread', async () => {
    const x = data(500, 10, 1);
    const y = data(500, 1, 2);
    const train = async (threads: number) => {
      const mlp = new MLP([10, 64, 64, 1], { random: new Random(3) });
      await trainLoop(mlp, x, y, {
        epochs: 3,
        learningRate: 0.05,
        batchSize: 64,
        engine: 'js',
        threads,
        random: new Random(4),
      });
      return mlp.getParameters();
    };
    const probe = await CompiledMLP.forTraining(new MLP([10, 64, 64, 1]), { engine: 'js', batchSize: 64, threads: 2 });
    expect(probe.threads).toBe(2);
    await probe.close();
    expect(await train(2)).toEqual(await train(1));
  }, 60_000);

  it('is not used for small networks, where handing over costs more than it saves', async () => {
    const small = await CompiledMLP.forTraining(new MLP([2, 16, 16, 1]), { engine: 'js', batchSize: 32, threads: 2 });
    expect(small.threads).toBe(1);
    await small.close();
  });
});

describe('the wasm engine sharing batches with a helper thread', () => {
  it('cuts big batches as the js engine does, and gives the same bits with one thread or two', async () => {
    const x = data(640, 10, 5);
    const y = data(640, 1, 6);
    const train = async (engine: 'wasm' | 'js', threads: number) => {
      const mlp = new MLP([10, 64, 64, 1], { random: new Random(7) });
      await trainLoop(mlp, x, y, {
        epochs: 3,
        learningRate: 0.05,
        batchSize: 64,
        engine,
        threads,
        random: new Random(8),
      });
      return mlp.getParameters();
    };
    const probe = await CompiledMLP.forTraining(new MLP([10, 64, 64, 1]), {
      engine: 'wasm',
      batchSize: 64,
      threads: 2,
    });
    expect(probe.threads).toBe(2);
    await probe.close();
    const two = await train('wasm', 2);
    expect(two).toEqual(await train('wasm', 1));
    expect(two).toEqual(await train('js', 1));
  }, 60_000);

  it('cuts a batch with odd halves where the js engine does, with a helper, in one pass or in two shards', async () => {
    // 30 rows: shards of 15 (odd lanes); 310 rows: a last batch of 10, all in the first shard.
    const x = data(310, 10, 9);
    const y = data(310, 1, 10);
    const train = async (layers: number[], engine: 'wasm' | 'js', threads: number) => {
      const mlp = new MLP(layers, { random: new Random(11) });
      const { lossHistory } = await trainLoop(mlp, x, y, {
        epochs: 2,
        learningRate: 0.05,
        batchSize: 30,
        engine,
        threads,
        random: new Random(12),
      });
      return { lossHistory, weights: mlp.getParameters() };
    };
    // 10,128,128,1: the path with a helper (too few batches here for it to start: its numbers are
    // test/engine/wasm/shards.test.ts's); 10,64,64,1: one pass over both halves.
    for (const layers of [
      [10, 128, 128, 1],
      [10, 64, 64, 1],
    ]) {
      const js = await train(layers, 'js', 1);
      expect(await train(layers, 'wasm', 1)).toEqual(js);
      expect(await train(layers, 'wasm', 2)).toEqual(js);
    }
  }, 60_000);

  it('keeps small batches on one thread', async () => {
    const small = await CompiledMLP.forTraining(new MLP([2, 16, 16, 1]), { engine: 'wasm', batchSize: 32, threads: 2 });
    expect(small.threads).toBe(1);
    await small.close();
  });
});

/** The prediction helper a network has started, if any. */
const helperOf = (net: CompiledMLP) => (net as unknown as { predictHelper?: object }).predictHelper;

describe('a long prediction shared with a helper thread', () => {
  it('gives every row the same outputs as one thread, call after call', async () => {
    // 10,64,64,1 has 4,800 weights: 12,345 rows (blocks of 16 runs of 64, the last one short) start a
    // helper at once; 500 rows (blocks of one run) are then shared with it, and 100 are not.
    const mlp = new MLP([10, 64, 64, 1], { random: new Random(17) });
    const long = data(12_345, 10, 18);
    const short = data(500, 10, 19);
    const tiny = data(100, 10, 20);
    const one = CompiledMLP.forPrediction(mlp, 'wasm', undefined, 1);
    const two = CompiledMLP.forPrediction(mlp, 'wasm', undefined, 2);
    const sameAsOne = (net: CompiledMLP, x: typeof long) => {
      const expected = new Float64Array(x.rows);
      const got = new Float64Array(x.rows);
      one.predictInto(x, expected);
      net.predictInto(x, got);
      expect(got).toEqual(expected);
    };
    for (const [k, x] of [long, short, tiny, long].entries()) {
      sameAsOne(two, x);
      if (k === 0) expect(helperOf(two)).toBeDefined();
    }
    // a stream of short calls starts a helper too, once their work adds up
    const streamed = CompiledMLP.forPrediction(mlp, 'wasm', undefined, 2);
    for (let k = 0; k < 25; k++) {
      sameAsOne(streamed, short);
      expect(helperOf(streamed) !== undefined).toBe(k >= 20); // 21 × 500 × 4,800 ≥ 50,000,000
    }
    await one.close();
    await two.close();
    await streamed.close();
  }, 60_000);
});
