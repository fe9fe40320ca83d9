import { Value, type Operand } from '../engine/value.js';
import type { Random } from '../random.js';
import { activate, type Activation } from './activation.js';

/** Squashes a weighted sum of its inputs: act(b + Σ wᵢ·xᵢ). */
export class Neuron {
  readonly weights: Value[];
  readonly bias: Value;
  readonly activation: Activation;

  /** Weights and bias are drawn uniformly from ±1/√nin, as PyTorch's Linear does. */
  constructor(nin: number, activation: Activation, random: Random) {
    const bound = 1 / Math.sqrt(nin);
    this.weights = Array.from({ length: nin }, () => new Value(random.uniform(-bound, bound)));
    this.bias = new Value(random.uniform(-bound, bound));
    this.activation = activation;
  }

  call(x: readonly Operand[]): Value {
    let total = this.bias;
    for (let i = 0; i < this.weights.length; i++) total = total.add(this.weights[i]!.mul(x[i]!));
    return activate(total, this.activation);
  }

  parameters(): Value[] {
    return [...this.weights, this.bias];
  }
}
