import { describe, expect, it } from 'vitest';
import { Value } from '../../src/engine/value.js';
import { batchLossOf } from '../../src/nn/loss.js';

describe("batchLossOf('mse')", () => {
  it("averages over rows × outputs, as PyTorch's MSELoss", () => {
    const preds = [
      [new Value(1), new Value(2)],
      [new Value(3), new Value(5)],
    ];
    const loss = batchLossOf('mse', preds, [
      [0, 0],
      [3, 3],
    ]);
    expect(loss.data).toBe((1 + 4 + 0 + 4) / 4);
    loss.backward();
    expect(preds[1]![1]!.grad).toBe((2 * (5 - 3)) / 4);
  });
});
