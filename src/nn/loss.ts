import { sum, type Operand, type Value } from '../engine/value.js';

/**
 * Mean squared error over every element: L = 1/N Σ (Y − Ŷ)², N = rows × outputs,
 * as PyTorch's MSELoss with reduction "mean".
 */
export function mseLoss(predictions: readonly (readonly Value[])[], targets: readonly (readonly number[])[]): Value {
  const terms: Operand[] = [];
  predictions.forEach((row, r) => {
    row.forEach((yhat, j) => terms.push(yhat.sub(targets[r]![j]!).pow(2)));
  });
  return sum(terms).mul(1 / terms.length);
}
