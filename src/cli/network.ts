import { UsageError } from '../errors.js';
import { createNetwork, type TrainedModel } from '../train/record.js';
import type { Activation, HiddenActivation } from '../nn/activation.js';
import { MLP } from '../nn/mlp.js';
import { Random } from '../random.js';

/** The flags that name a network to look at: a model file's, or a fresh one of a given shape. */
export interface NetworkFlags {
  layers?: number[];
  seed: number;
  activation: HiddenActivation;
  outputActivation: Activation;
}

/** The model's network, or a fresh one with weights drawn as `train` would draw them from the seed. */
export function networkFor(model: TrainedModel | undefined, flags: NetworkFlags): MLP {
  if (model) return createNetwork(model);
  if (flags.layers!.includes(0))
    throw new UsageError('E_LAYER_SPEC', '--layers: "auto" needs data to size from; give the numbers');
  return new MLP(flags.layers!, {
    activation: flags.activation,
    outputActivation: flags.outputActivation,
    random: Random.stream(flags.seed, 'init'),
  });
}
