import type { Value } from '../engine/value.js';

export const HIDDEN_ACTIVATIONS = ['tanh', 'relu', 'sigmoid'] as const;
export const OUTPUT_ACTIVATIONS = ['linear', 'tanh', 'relu', 'sigmoid'] as const;

export type Activation = (typeof OUTPUT_ACTIVATIONS)[number];
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

export function activate(x: Value, activation: Activation): Value {
  switch (activation) {
    case 'linear':
      return x;
    case 'tanh':
      return x.tanh();
    case 'relu':
      return x.relu();
    case 'sigmoid':
      return x.sigmoid();
  }
}
