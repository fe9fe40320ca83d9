import { sum, type Operand, type Value } from '../engine/value.js';

/**
 * The losses: MSE for regression (the seed's), and for classification the
 * cross-entropy of the softmax of the outputs (one output per class) or, with
 * two classes, of the sigmoid of one output. Both cross-entropies are written
 * with log-sum-exp on the raw outputs (logits), which never overflows.
 */
export const LOSSES = ['mse', 'cross-entropy', 'binary-cross-entropy'] as const;
export type LossName = (typeof LOSSES)[number];

/** One element's contribution to the MSE: (ŷ − y)². */
function squaredError(prediction: Value, target: Operand): Value {
  return prediction.sub(target).pow(2);
}

/**
 * One row's loss, before averaging:
 * - mse: Σⱼ (ŷⱼ − yⱼ)²;
 * - cross-entropy, targets one-hot: log Σₖ e^zₖ − Σₖ yₖ·zₖ = −log softmax(z)_class;
 * - binary-cross-entropy, target 0 or 1: log(1 + e^z) − y·z = −log σ(z) or −log(1 − σ(z)).
 */
export function rowLoss(loss: LossName, outputs: readonly Value[], targets: readonly Operand[]): Value {
  switch (loss) {
    case 'mse':
      return sum(outputs.map((p, j) => squaredError(p, targets[j]!)));
    case 'cross-entropy': {
      let lse = outputs[0]!;
      for (let k = 1; k < outputs.length; k++) lse = lse.logSumExp(outputs[k]!);
      return lse.sub(sum(outputs.map((z, k) => z.mul(targets[k]!))));
    }
    case 'binary-cross-entropy': {
      const z = outputs[0]!;
      return z.logSumExp(0).sub(z.mul(targets[0]!));
    }
  }
}

/** What a row's loss is divided by, besides the rows: MSE averages over every output too (as PyTorch's MSELoss). */
export function unitsPerRow(loss: LossName, outputs: number): number {
  return loss === 'mse' ? outputs : 1;
}

/** The mean loss over a batch of rows. */
export function batchLossOf(
  loss: LossName,
  predictions: readonly (readonly Value[])[],
  targets: readonly (readonly Operand[])[],
): Value {
  const rows = predictions.map((p, r) => rowLoss(loss, p, targets[r]!));
  return sum(rows).mul(1 / (rows.length * unitsPerRow(loss, predictions[0]?.length ?? 1)));
}
