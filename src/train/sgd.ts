import type { Value } from '../engine/value.js';

/** One gradient-descent step, W ← W − α∇L, the seed's plain rule, on graph parameters. */
export function sgdStep(parameters: readonly Value[], learningRate: number): void {
  for (const p of parameters) p.data -= learningRate * p.grad;
}

/** The same step on flat arrays of parameters and their gradients. */
export function sgdStepFlat(params: Float64Array, grads: Float64Array, learningRate: number): void {
  for (let i = 0; i < params.length; i++) params[i] = params[i]! - learningRate * grads[i]!;
}
