import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/data/csv.js';
import { ModelFileError } from '../src/errors.js';
import { predict } from '../src/model.js';
import { datasetFromTable } from '../src/data/dataset.js';
import { loadModel, parseModel, saveModel, serializeModel } from '../src/model-file.js';
import { fit } from '../src/train/fit.js';

const table = datasetFromTable(
  parseCsv({ name: 's.csv', text: 'a,b,y\n0.1,1,2\n0.5,-1,3\n0.9,2,1\n1.3,0,4\n1.7,1,0\n' }),
);
const trained = async () => (await fit(table, { layers: [2, 3, 1], epochs: 5, batchSize: 2 })).model;

describe('model file round trip', () => {
  it('train → save → load → predict gives identical numbers and identical bytes', async () => {
    const model = await trained();
    const dir = mkdtempSync(join(tmpdir(), 'autograd-'));
    const path = join(dir, 'm.json');
    await saveModel(path, model);
    expect(readdirSync(dir)).toEqual(['m.json']); // no temp file left beside it
    const loaded = await loadModel(path);
    expect(loaded).toEqual(model);
    const x = table.x;
    expect(Array.from(predict(loaded, x).data)).toEqual(Array.from(predict(model, x).data));
    expect(serializeModel(loaded)).toBe(readFileSync(path, 'utf8'));
  });

  it('has the documented shape, weights out × in', async () => {
    const json = JSON.parse(serializeModel(await trained()));
    expect(Object.keys(json)).toEqual([
      'format',
      'version',
      'layers',
      'activation',
      'outputActivation',
      'features',
      'targets',
      'task',
      'classes',
      'encoding',
      'normalization',
      'parameters',
      'training',
    ]);
    expect(json.format).toBe('autograd-mlp');
    expect(json.version).toBe(1);
    expect(json.parameters[0].weights).toHaveLength(3);
    expect(json.parameters[0].weights[0]).toHaveLength(2);
    expect(json.training).toMatchObject({ epochs: 5, lr: 0.05, batchSize: 2, seed: 42, shuffle: true, rows: 5 });
    expect(json.training.lossHistory).toHaveLength(5);
  });
});

describe('loading validates everything and names what is wrong', () => {
  const good = async () => JSON.parse(serializeModel(await trained()));
  it.each<[string, (m: any) => unknown, RegExp]>([
    ['not JSON', () => '{"format": ', /m\.json: is not a model file: not valid JSON/],
    ['another format', (m) => ({ ...m, format: 'keras' }), /m\.json: is not an autograd model file/],
    ['an array', () => [], /is not an autograd model file/],
    [
      'an unknown version',
      (m) => ({ ...m, version: 2 }),
      /model file version 2 is not supported; this autograd reads version 1/,
    ],
    ['bad layers', (m) => ({ ...m, layers: [2, 0, 1] }), /"layers" must list at least two positive whole numbers/],
    ['bad activation', (m) => ({ ...m, activation: 'swish' }), /"activation" must be one of tanh, relu, sigmoid/],
    ['features of the wrong count', (m) => ({ ...m, features: ['a'] }), /"features" must list 2 column names/],
    ['a feature named twice', (m) => ({ ...m, features: ['a', 'a'] }), /names the column "a" twice/],
    ['a feature that is also the target', (m) => ({ ...m, features: ['a', 'y'] }), /names the column "y" twice/],
    [
      'too few layers of parameters',
      (m) => ({ ...m, parameters: m.parameters.slice(1) }),
      /"parameters" must hold 2 layers for layers 2,3,1/,
    ],
    [
      'a short weight row',
      (m) => {
        m.parameters[0].weights[1] = [1];
        return m;
      },
      /parameters\[0\]\.weights\[1\] must hold 2 numbers/,
    ],
    [
      'a weight that is not a number',
      (m) => {
        m.parameters[1].weights[0][2] = 'x';
        return m;
      },
      /parameters\[1\]\.weights\[0\]\[2\] is not a finite number/,
    ],
    [
      'missing biases',
      (m) => {
        delete m.parameters[1].biases;
        return m;
      },
      /parameters\[1\]\.biases must hold 1 numbers/,
    ],
    [
      'a zero std',
      (m) => {
        m.normalization.features.std[0] = 0;
        return m;
      },
      /normalization\.features\.std must be positive/,
    ],
    [
      'a training record that is not an object',
      (m) => ({ ...m, training: [1] }),
      /"training" must be null or an object/,
    ],
    [
      'a training record without its epochs',
      (m) => {
        delete m.training.epochs;
        return m;
      },
      /"training\.epochs" must be a number/,
    ],
  ])('%s', async (_what, mutate, message) => {
    const m = mutate(await good());
    const text = typeof m === 'string' ? m : JSON.stringify(m);
    expect(() => parseModel(text, 'm.json')).toThrow(ModelFileError);
    expect(() => parseModel(text, 'm.json')).toThrow(message);
  });

  it('accepts a hand-written file without "training" and "normalization"', async () => {
    const m = await good();
    delete m.training;
    delete m.normalization;
    const model = parseModel(JSON.stringify(m), 'm.json');
    expect(model.training).toBeNull();
    expect(model.normalization).toBeNull();
  });

  it('accepts a hand-written file without "training" and "normalization"', async () => {
    const m = await good();
    delete m.training;
    delete m.normalization;
    const model = parseModel(JSON.stringify(m), 'm.json');
    expect(model.training).toBeNull();
    expect(model.normalization).toBeNull();
  });

  it('a missing file is a located read error', async () => {
    await expect(loadModel('/nonexistent/m.json')).rejects.toThrow('/nonexistent/m.json: cannot read: no such file');
  });
});
