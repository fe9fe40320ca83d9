import { describe, expect, it } from 'vitest';
import { compile, type Program } from '../../src/engine/compile.js';
import { Value } from '../../src/engine/value.js';
import { CompiledMLP, predictionLanes } from '../../src/nn/compiled-mlp.js';
import { MLP } from '../../src/nn/mlp.js';
import { Random } from '../../src/random.js';

function predictionProgram(mlp: MLP) {
  const x = Array.from({ length: mlp.inputSize }, () => new Value(0));
  return compile({ inputs: x, parameters: mlp.parameters(), outputs: mlp.call(x) });
}

describe('prediction in runs of rows', () => {
  it('runs as many rows at a time as keep the nodes’ lanes within a core’s cache', () => {
    expect(predictionProgram(new MLP([10, 64, 64, 1])).size).toBe(267);
    expect(predictionLanes(predictionProgram(new MLP([10, 64, 64, 1])))).toBe(64);
    // node counts of 2,16,16,1 and 784,128,10, and of something bigger still
    const sized = (size: number) => ({ size }) as Program;
    expect(predictionLanes(sized(67))).toBe(256);
    expect(predictionLanes(sized(1050))).toBe(16);
    expect(predictionLanes(sized(100_000))).toBe(16);
  });

  it('gives every row the same outputs whatever the run length', () => {
    const mlp = new MLP([10, 64, 64, 3], { random: new Random(1) });
    const random = new Random(2);
    const x = { rows: 700, cols: 10, data: Float64Array.from({ length: 7000 }, () => random.normal()) };
    for (const engine of ['wasm', 'js'] as const) {
      const outputs = [undefined, 256, 16].map((lanes) => {
        const out = new Float64Array(700 * 3);
        CompiledMLP.forPrediction(mlp, engine, lanes, 1).predictInto(x, out);
        return out;
      });
      expect(outputs[0]).toEqual(outputs[1]);
      expect(outputs[2]).toEqual(outputs[1]);
    }
  });
});
