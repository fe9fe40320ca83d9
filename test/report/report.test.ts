import { readFileSync } from 'node:fs';
import * as parse5 from 'parse5';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { datasetFromTable } from '../../src/data/dataset.js';
import { renderReport, SCATTER_ROWS } from '../../src/report/report.js';
import { fit } from '../../src/train/fit.js';

const load = (name: string) =>
  datasetFromTable(
    parseCsv({ name: `${name}.csv`, text: readFileSync(new URL(`../../data/${name}.csv`, import.meta.url), 'utf8') }),
    { task: 'auto' },
  );

/** The page parsed as a browser would; every parse error is a failure. */
function expectValid(html: string): void {
  const errors: string[] = [];
  parse5.parse(html, { onParseError: (e) => errors.push(`${e.code} at ${e.startLine}:${e.startCol}`) });
  expect(errors).toEqual([]);
  // Self-contained: nothing it would fetch, no script.
  expect(html).not.toMatch(/https?:|<script|<link|<img|@import|url\(/i);
}

const charts = (html: string) => [...html.matchAll(/<svg class="chart"[^>]* aria-label="([^"]*)"/g)].map((m) => m[1]);
const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe('the HTML report', () => {
  it('classification: the network, loss (kept epoch marked) and learning rate, confusion matrix, surface, weights', async () => {
    const data = load('blobs');
    const { model, stoppedEarly } = await fit(data, {
      layers: [0, 8, 0],
      epochs: 300,
      validationSplit: 0.2,
      patience: 1,
      seed: 1,
    });
    expect(stoppedEarly).toBe(true);
    const html = renderReport(model, 'blobs', [{ name: 'blobs.csv', data }], 'test');
    expectValid(html);
    expect(charts(html)).toEqual([
      'the network: weights as lines, blue positive, red negative, wider larger',
      'loss per epoch (train, validation)',
      'learning rate per epoch',
      'confusion matrix: rows the true class, columns the predicted one',
      'decision surface over x1 and x2',
      'layer 1: 16 weights',
      'layer 2: 24 weights',
    ]);
    expect(html).toMatch(/kept epoch \d+/);
    expect(count(html, /<rect class="cell"/g)).toBe(9);
    expect(count(html, /class="edge (pos|neg)"/g)).toBe(2 * 8 + 8 * 3);
    expect(count(html, /<circle class="dot k\d"/g)).toBe(600);
    expect(html).toMatch(/accuracy <b>0\.\d+<\/b> on 600 rows/);
  });

  it('regression: predicted against actual with the diagonal, residuals; a big file is sampled and says so', async () => {
    const small = load('sine');
    const { model } = await fit(small, { layers: [1, 6, 1], epochs: 3 });
    const many = {
      ...small,
      x: { rows: 2000, cols: 1, data: Float64Array.from({ length: 2000 }, (_, i) => i / 300 - 3) },
    };
    many.y = { rows: 2000, cols: 1, data: Float64Array.from(many.x.data, Math.sin) };
    const html = renderReport(model, 'sine', [{ name: 'big.csv', data: many }], 'test');
    expectValid(html);
    expect(charts(html)).toEqual(
      expect.arrayContaining(['y: predicted against actual', 'y: residuals', 'layer 1: 6 weights']),
    );
    expect(count(html, /<circle class="dot /g)).toBe(2 * SCATTER_ROWS);
    expect(html).toMatch(
      /The plots show 1,500 of the 2,000 rows, drawn at random \(seeded\); the scores use them all\./,
    );
    expect(html).not.toMatch(/decision surface/); // one feature
  });

  it('a model without a training record (weights from elsewhere) still has its network and weights', async () => {
    const data = load('moons');
    const { model } = await fit(data, { layers: [2, 3, 1], epochs: 1 });
    const html = renderReport({ ...model, training: null }, 'moons', [], 'test');
    expectValid(html);
    expect(charts(html)).toEqual([
      'the network: weights as lines, blue positive, red negative, wider larger',
      'layer 1: 6 weights',
      'layer 2: 3 weights',
    ]);
  });
});
