import type { Operand, Value } from '../engine/value.js';
import type { Random } from '../random.js';
import type { Activation } from './activation.js';
import { Neuron } from './neuron.js';

/** `nout` neurons over the same `nin` inputs. */
export class Layer {
  readonly neurons: Neuron[];

  constructor(nin: number, nout: number, activation: Activation, random: Random) {
    this.neurons = Array.from({ length: nout }, () => new Neuron(nin, activation, random));
  }

  call(x: readonly Operand[]): Value[] {
    return this.neurons.map((neuron) => neuron.call(x));
  }

  parameters(): Value[] {
    const all: Value[] = [];
    for (const neuron of this.neurons) {
      for (const w of neuron.weights) all.push(w);
      all.push(neuron.bias);
    }
    return all;
  }
}
