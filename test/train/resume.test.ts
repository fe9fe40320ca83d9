import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { datasetFromTable } from '../../src/data/dataset.js';
import { parseModel, serializeModel } from '../../src/model-file.js';
import { fit, type FitOptions } from '../../src/train/fit.js';

const data = datasetFromTable(
  parseCsv({ name: 'moons.csv', text: readFileSync(new URL('../../data/moons.csv', import.meta.url), 'utf8') }),
);
const settings: FitOptions = {
  layers: [2, 8, 8, 1],
  epochs: 6,
  batchSize: 50,
  optimizer: 'adam',
  learningRate: 0.01,
  lrSchedule: 'cosine',
  validationSplit: 0.2,
  seed: 3,
};

/** Trains, stopping after `batches` batches; saves and loads the model as a file would. */
async function interrupted(batches: number) {
  const controller = new AbortController();
  let seen = 0;
  const first = await fit(data, {
    ...settings,
    signal: controller.signal,
    onBatch: () => ++seen === batches && controller.abort(),
  });
  expect(first.interrupted).toBe(true);
  return parseModel(serializeModel(first.model));
}

describe('resume', () => {
  it.each([
    ['in the middle of an epoch', 23],
    ['at the end of an epoch', 32],
  ])(
    'interrupted %s, then resumed: the same weights, history and optimizer state as one run',
    async (_when, batches) => {
      const whole = await fit(data, settings);
      const saved = await interrupted(batches);
      const resumed = await fit(data, { resume: saved });
      expect(resumed.interrupted).toBe(false);
      expect(resumed.model.parameters).toEqual(whole.model.parameters);
      expect(resumed.training.lossHistory).toEqual(whole.training.lossHistory);
      expect(resumed.training.validationHistory).toEqual(whole.training.validationHistory);
      expect(resumed.training.state).toEqual(whole.training.state);
      expect(serializeModel(resumed.model)).toBe(serializeModel(whole.model));
    },
  );

  it('adds --epochs more to a finished run, and the history grows', async () => {
    const first = await fit(data, { ...settings, epochs: 3, lrSchedule: 'constant' });
    const more = await fit(data, { resume: parseModel(serializeModel(first.model)), epochs: 2 });
    expect(more.training.epochs).toBe(5);
    expect(more.training.lossHistory).toHaveLength(5);
    expect(more.training.lossHistory.slice(0, 3)).toEqual(first.training.lossHistory);
    const straight = await fit(data, { ...settings, epochs: 5, lrSchedule: 'constant' });
    expect(more.model.parameters).toEqual(straight.model.parameters);
  });

  it('refuses to resume a finished run without --epochs', async () => {
    const done = await fit(data, { ...settings, epochs: 1 });
    await expect(fit(data, { resume: done.model })).rejects.toThrow(/already has the 1 epoch it planned; give epochs/);
  });
});

describe('resume without a saved state', () => {
  it('goes on after the recorded epochs, with a fresh optimizer', async () => {
    const first = await fit(data, { ...settings, epochs: 2 });
    const stateless = { ...first.model, training: { ...first.training, state: null } };
    const more = await fit(data, { resume: parseModel(serializeModel(stateless)), epochs: 1 });
    expect(more.training.epochs).toBe(3);
    expect(more.training.lossHistory).toHaveLength(3);
  });
});

describe('resume after early stopping', () => {
  it('counts patience afresh, so --epochs n really trains on (until patience runs out again)', async () => {
    const stopped = await fit(data, { ...settings, epochs: 200, patience: 1, lrSchedule: 'constant' });
    expect(stopped.stoppedEarly).toBe(true);
    const saved = parseModel(serializeModel(stopped.model));
    const more = await fit(data, { resume: saved, epochs: 3, patience: 1000 });
    expect(more.training.epochs).toBe(stopped.training.epochs + 3);
    expect(more.stoppedEarly).toBe(false);
  });
});
