import type { Value } from '../engine/value.js';

/** One gradient-descent step, W ← W − α∇L, for the seed's plain rule. */
export function sgdStep(parameters: readonly Value[], learningRate: number): void {
  for (const p of parameters) p.data -= learningRate * p.grad;
}
