import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../src/errors.js';
import { parseModel, serializeModel } from '../src/model-file.js';
import type { TrainedModel } from '../src/train/record.js';

/** parseModel must return a model or throw ModelFileError: never another exception. */
function loadsOrRefuses(text: string): TrainedModel | undefined {
  try {
    return parseModel(text, 'm.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    return undefined;
  }
}

const extreme = fc.oneof(
  fc.double(),
  fc.constantFrom(1e308, -1e308, 1e-320, -1e-320, 0, -0, Number.MAX_VALUE, Number.MIN_VALUE),
);

/** A valid model of a random small shape, with random (finite or extreme) numbers. */
const model = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }))
  .chain(([nin, hidden, nout]) =>
    fc.record({
      layers: fc.constant([nin, hidden, nout]),
      activation: fc.constantFrom('tanh', 'relu', 'sigmoid'),
      outputActivation: fc.constantFrom('linear', 'tanh', 'relu', 'sigmoid'),
      features: fc.constant(Array.from({ length: nin }, (_, i) => `x${i}`)),
      targets: fc.constant(Array.from({ length: nout }, (_, i) => `y${i}`)),
      normalization: fc.constant(null),
      parameters: fc.tuple(
        fc.record({
          weights: fc.array(fc.array(extreme, { minLength: nin, maxLength: nin }), {
            minLength: hidden,
            maxLength: hidden,
          }),
          biases: fc.array(extreme, { minLength: hidden, maxLength: hidden }),
        }),
        fc.record({
          weights: fc.array(fc.array(extreme, { minLength: hidden, maxLength: hidden }), {
            minLength: nout,
            maxLength: nout,
          }),
          biases: fc.array(extreme, { minLength: nout, maxLength: nout }),
        }),
      ),
      training: fc.constant(null),
    }),
  );

describe('fuzzing the model loader', () => {
  it('random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => void loadsOrRefuses(text)),
      { numRuns: 1000 },
    );
  });

  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => void loadsOrRefuses(JSON.stringify(value))),
      { numRuns: 1000 },
    );
  });

  it('models with extreme numbers: finite ones round-trip exactly, others are refused', () => {
    fc.assert(
      fc.property(model, (m) => {
        const text = JSON.stringify({ format: 'autograd-mlp', version: 1, ...m });
        const loaded = loadsOrRefuses(text);
        const finite = m.parameters.every((p) => [...p.weights.flat(), ...p.biases].every(Number.isFinite));
        expect(loaded !== undefined).toBe(finite);
        if (loaded) expect(parseModel(serializeModel(loaded))).toEqual(loaded);
      }),
      { numRuns: 300 },
    );
  });

  it('a valid model with one field replaced by random JSON: loads or is refused with our error', () => {
    const base = {
      format: 'autograd-mlp',
      version: 1,
      layers: [1, 1],
      activation: 'tanh',
      outputActivation: 'linear',
      features: ['x'],
      targets: ['y'],
      normalization: null,
      parameters: [{ weights: [[0.5]], biases: [0] }],
      training: null,
    };
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(base)), fc.jsonValue(), (key, value) => {
        const loaded = loadsOrRefuses(JSON.stringify({ ...base, [key]: value }));
        // What loads must be usable: its shapes agree with its layers.
        if (loaded) expect(loaded.parameters[0]!.weights[0]).toHaveLength(loaded.layers[0]!);
      }),
      { numRuns: 500 },
    );
  });
});
