import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toJsModule } from '../../src/export/js-module.js';
import { argmax, Predictor } from '../../src/model.js';
import type { TrainedModel } from '../../src/train/record.js';
import { inputRows, KINDS, trainedModel } from './models.js';

interface Exported {
  features: string[];
  predict(row: unknown): number[] | { label: string; probabilities: number[] };
  predictBatch(rows: unknown[]): unknown[];
}

async function load(model: TrainedModel): Promise<Exported> {
  const path = join(mkdtempSync(join(tmpdir(), 'autograd-js-')), 'model.mjs');
  writeFileSync(path, toJsModule(model, 'test', 'model.json'));
  return (await import(pathToFileURL(path).href)) as Exported;
}

/** A row of input columns back as the model's features: a category's name where its one-hot columns are. */
function featuresOf(model: TrainedModel, inputs: Float64Array): Record<string, number | string> {
  const row: Record<string, number | string> = {};
  let at = 0;
  for (const f of model.features) {
    const categories = model.encoding.find((e) => e.feature === f)?.categories;
    if (categories) {
      row[f] = categories[inputs.subarray(at, at + categories.length).indexOf(1)]!;
      at += categories.length;
    } else row[f] = inputs[at++]!;
  }
  return row;
}

describe('the standalone JavaScript module', () => {
  it.each(KINDS)('$name: the same doubles as predict, bit for bit, from objects and arrays', async (kind) => {
    const model = await trainedModel(kind);
    const js = await load(model);
    const x = inputRows(model, 50);
    const expected = new Predictor(model).run(x);
    const best = model.classes ? argmax(expected) : undefined;
    for (let r = 0; r < x.rows; r++) {
      const row = featuresOf(model, x.data.subarray(r * x.cols, (r + 1) * x.cols));
      const want = Array.from(expected.data.subarray(r * expected.cols, (r + 1) * expected.cols));
      for (const given of [row, model.features.map((f) => row[f])]) {
        const got = js.predict(given);
        if (Array.isArray(got)) expect(got).toEqual(want);
        else expect(got).toEqual({ label: model.classes![best![r]!], probabilities: want });
      }
    }
    expect(js.predictBatch([featuresOf(model, x.data.subarray(0, x.cols))])).toHaveLength(1);
  });

  it('refuses a wrong number of values, a missing column, a word for a number and an unknown category', async () => {
    const model = await trainedModel(KINDS.find((k) => k.categorical && k.classes)!);
    const js = await load(model);
    expect(() => js.predict([1, 2])).toThrow('expected 4 values (a, b, c, colour), got 2');
    expect(() => js.predict({ a: 1, b: 2, colour: 'red' })).toThrow('missing column "c"');
    expect(() => js.predict({ a: 1, b: 'x', c: 3, colour: 'red' })).toThrow('column "b": "x" is not a finite number');
    expect(() => js.predict({ a: 1, b: 2, c: 3, colour: 'mauve' })).toThrow(
      'category "mauve" was not seen in training',
    );
  });

  it('grows with the parameters, not with the product of the widths', async () => {
    const kind = KINDS[0]!;
    const model = await trainedModel(kind);
    const text = toJsModule(model, 'test', 'model.json');
    const parameters = model.parameters.reduce((n, p) => n + p.biases.length * (p.weights[0]!.length + 1), 0);
    expect(text.length).toBeLessThan(4000 + parameters * 30);
  });
});
