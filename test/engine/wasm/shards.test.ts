// The helper thread's script is the built one (dist/engine/wasm/shard-worker.js)
// even here: a worker thread cannot load the TypeScript sources the tests import.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../src/engine/compile.js';
import { Tape } from '../../../src/engine/tape.js';
import { Value } from '../../../src/engine/value.js';
import { WasmShards } from '../../../src/engine/wasm/shards.js';
import { WasmTape } from '../../../src/engine/wasm/wasm-tape.js';
import { rowLoss } from '../../../src/nn/loss.js';
import { MLP } from '../../../src/nn/mlp.js';
import { Random } from '../../../src/random.js';

function rows(random: Random, n: number, cols: number) {
  return { rows: n, cols, data: Float64Array.from({ length: n * cols }, () => random.normal()) };
}

describe('a batch in two shards, shard 1 handed to a helper thread', () => {
  it('gives shard 0’s plus shard 1’s loss and gradients, whichever thread computes shard 1', async () => {
    const mlp = new MLP([10, 64, 64, 1], { random: new Random(1) });
    const inputs = Array.from({ length: 11 }, () => new Value(0));
    const outputs = [rowLoss('mse', mlp.call(inputs.slice(0, 10)), inputs.slice(10))];
    const program = compile({ inputs, parameters: mlp.parameters(), outputs });
    const params = mlp.parameters().map((p) => p.data);
    const data = new Random(2);
    const x = rows(data, 200, 10);
    const y = rows(data, 200, 1);
    const lanes = 32;
    const shards = [new Tape(program, lanes), new Tape(program, lanes)];
    for (const t of shards) t.params.set(params);

    // threads 1: no helper, so every shard handed over is taken back and computed here.
    for (const threads of [1, 2]) {
      const tapes = WasmTape.shardAndWhole(program, lanes, { x, y })!;
      tapes.whole.params.set(params);
      // the helper started at the first batch, whatever else runs, and handed every shard 1
      // (the measurements would start without it)
      const pair = new WasmShards(tapes.whole, tapes.shard, threads, 0, () => true);
      Object.assign(pair, { useHelper: true, probeEvery: 1e9 });
      for (const [b, n] of [64, 45, 33, 32, 20, 64, 40, 64].entries()) {
        // the first batch before the helper is up (shard 1 taken back), the next five once it is
        for (let wait = 0; b > 0 && b < 6 && threads > 1 && !(pair as unknown as { ready: boolean }).ready; wait++) {
          if (wait === 500) expect.fail('the helper did not start');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // then the helper stopped (as for a busy machine), and every shard 1 handed over taken back
        if (b === 6) {
          (pair as unknown as { stopHelper(): void }).stopHelper();
          Object.assign(pair, { useHelper: true });
        }
        const order = Int32Array.from({ length: n }, (_, i) => (i * 13 + n) % 200);
        const split = Math.min(n, lanes);
        const seeds = [1 / n];
        const losses = shards.map((t, k) => {
          const part = k === 0 ? order.subarray(0, split) : order.subarray(split);
          t.load(x, y, part);
          t.forward(part.length);
          t.backward(seeds);
          let loss = 0;
          for (let l = 0; l < part.length; l++) loss += t.output(0, l);
          return loss;
        });
        expect(pair.run(x, y, order, split, 1 / n)).toBe(losses[0]! + losses[1]!);
        for (let i = 0; i < program.parameterCount; i++) {
          const expected = shards[0]!.paramGrads[i]! + shards[1]!.paramGrads[i]!;
          if (!Object.is(tapes.whole.paramGrads[i], expected))
            expect.fail(`${threads} threads, ${n} rows, ∂L/∂param ${i}: ${tapes.whole.paramGrads[i]}, ${expected}`);
        }
      }
      await pair.close();
    }
  }, 30_000);
});
