import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parameterCount, parseLayerSpec } from '../../src/nn/layer-spec.js';
import { MLP } from '../../src/nn/mlp.js';

describe('parseLayerSpec', () => {
  it.each([
    ['3,4,4,1', [3, 4, 4, 1]],
    ['2,1', [2, 1]],
    [' 2, 16 ,1', [2, 16, 1]],
  ])('%s → %j', (spec, sizes) => expect(parseLayerSpec(spec)).toEqual(sizes));

  it.each([
    ['2,,1', /an empty entry at position 2/],
    ['0', /"0" at position 1 is not a positive whole number/],
    ['abc', /"abc" at position 1/],
    ['3', /at least an input and an output/],
    ['2,1.5,1', /"1.5" at position 2/],
    ['2,-4,1', /"-4"/],
    ['', /an empty entry/],
  ])('%j is refused', (spec, message) => {
    expect(() => parseLayerSpec(spec)).toThrow(UsageError);
    expect(() => parseLayerSpec(spec)).toThrow(message);
  });
});

describe('parameterCount', () => {
  it('counts what an MLP of those sizes holds', () => {
    for (const sizes of [
      [2, 1],
      [3, 4, 4, 1],
      [784, 128, 10],
    ]) {
      expect(parameterCount(sizes)).toBe(new MLP(sizes).parameters().length);
    }
    expect(parameterCount([2, 16, 16, 1])).toBe(337);
  });
});
