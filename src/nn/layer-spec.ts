import { option, UsageError } from '../errors.js';

/**
 * Parses a layer spec such as "3,4,4,1": every layer including the input, so
 * 3 inputs, two hidden layers of 4 and 1 output. "auto" may stand for the
 * first or last number (the data's inputs or outputs); it parses as 0.
 */
export function parseLayerSpec(spec: string): number[] {
  const parts = spec.split(',').map((part) => part.trim());
  const sizes = parts.map((part, i) => {
    // "auto" at either end: the data's width (written as 0 until the data is known).
    if (part === 'auto' && (i === 0 || i === parts.length - 1) && parts.length >= 2) return 0;
    if (!/^\d+$/.test(part) || Number(part) < 1) {
      const shown = part === '' ? 'an empty entry' : JSON.stringify(part);
      throw new UsageError(
        'E_LAYER_SPEC',
        `${shown} at position ${i + 1} is not a positive whole number (e.g. ${option('layers')} 3,4,4,1)`,
        'layers',
      );
    }
    return Number(part);
  });
  if (sizes.length < 2) {
    throw new UsageError(
      'E_LAYER_SPEC',
      `needs at least an input and an output size, comma-separated (e.g. ${option('layers')} 3,4,4,1)`,
      'layers',
    );
  }
  return sizes;
}

export function formatLayerSpec(sizes: readonly number[]): string {
  return sizes.join(',');
}

/** Weights and biases of a fully connected network of these layer sizes. */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l + 1]! * (sizes[l]! + 1);
  return n;
}
