import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { datasetFromTable } from '../../src/data/dataset.js';
import { classIndices } from '../../src/metrics.js';
import { fit } from '../../src/train/fit.js';
import { assignFolds, crossValidate, score, subset } from '../../src/tune/cross-validate.js';

const blobs = datasetFromTable(
  parseCsv({ name: 'blobs.csv', text: readFileSync(new URL('../../data/blobs.csv', import.meta.url), 'utf8') }),
  { task: 'auto' },
);

describe('folds', () => {
  it("stratified: every fold holds its share of each class, and all folds are within a row of each other's size", () => {
    const fold = assignFolds(blobs, 7, 3);
    const labels = classIndices(blobs.y);
    const sizes = new Array<number>(7).fill(0);
    const perClass = Array.from({ length: 3 }, () => new Array<number>(7).fill(0));
    fold.forEach((f, r) => {
      sizes[f]!++;
      perClass[labels[r]!]![f]!++;
    });
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const counts of perClass) expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(assignFolds(blobs, 7, 3)).toEqual(fold);
  });

  it('refuses fewer than 2 folds, more than rows, and a class too rare to spread over them', () => {
    expect(() => assignFolds(blobs, 1, 1)).toThrow(/folds must be from 2 to the number of rows \(600\), got 1/);
    expect(() => assignFolds(blobs, 601, 1)).toThrow(/got 601/);
    const labels = classIndices(blobs.y);
    const of = (c: number, n: number) =>
      Int32Array.from(labels.keys())
        .filter((r) => labels[r] === c)
        .slice(0, n);
    const rare = subset(blobs, [...of(0, 10), ...of(1, 10), ...of(2, 1)]);
    expect(() => assignFolds(rare, 3, 1)).toThrow(/has only 1 row, fewer than the 3 folds/);
  });
});

describe('crossValidate', () => {
  it('scores each fold with a model trained on the other rows, the same every time', async () => {
    const options = { layers: [2, 6, 3], epochs: 3, seed: 2 };
    const cv = { folds: 3, seed: 5, metric: 'accuracy' as const };
    const result = await crossValidate(blobs, options, cv);
    expect(result.scores).toHaveLength(3);
    expect(await crossValidate(blobs, options, cv)).toEqual(result);
    // Fold 1 by hand.
    const fold = assignFolds(blobs, 3, 5);
    const rows = (f: (k: number) => boolean) => Int32Array.from(fold.keys()).filter((r) => f(fold[r]!));
    const { model } = await fit(
      subset(
        blobs,
        rows((k) => k !== 0),
      ),
      options,
    );
    expect(
      score(
        model,
        subset(
          blobs,
          rows((k) => k === 0),
        ),
        'accuracy',
      ),
    ).toBe(result.scores[0]);
    const mean = result.scores.reduce((a, b) => a + b) / 3;
    expect(result.mean).toBeCloseTo(mean, 15);
  });
});
