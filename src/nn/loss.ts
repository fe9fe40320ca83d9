import { sum, type Operand, type Value } from '../engine/value.js';

/** One element's contribution to the MSE: (ŷ − y)². */
export function squaredError(prediction: Value, target: Operand): Value {
  return prediction.sub(target).pow(2);
}

/**
 * Mean squared error over every element: L = 1/N Σ (Y − Ŷ)², N = rows × outputs,
 * as PyTorch's MSELoss with reduction "mean".
 */
export function mseLoss(predictions: readonly (readonly Value[])[], targets: readonly (readonly number[])[]): Value {
  const terms: Operand[] = [];
  predictions.forEach((row, r) => {
    row.forEach((yhat, j) => terms.push(squaredError(yhat, targets[r]![j]!)));
  });
  return sum(terms).mul(1 / terms.length);
}
