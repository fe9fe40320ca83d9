// A tuning worker: cross-validates the trials it is handed, one at a time,
// on the data it was started with (see `runTrials`).
import { parentPort, workerData } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.js';
import { AutogradError } from '../errors.js';
import type { FitOptions } from '../train/fit.js';
import { crossValidate, type CrossValidation } from './cross-validate.js';
import type { Trial } from './search.js';

const { data, base, cv } = workerData as { data: Dataset; base: FitOptions; cv: CrossValidation };

parentPort!.on('message', async ({ index, trial }: { index: number; trial: Trial }) => {
  const started = performance.now();
  try {
    // One thread a trial: the trials themselves fill the cores.
    const result = await crossValidate(data, { ...base, ...trial, threads: 1 }, cv);
    parentPort!.postMessage({ index, ...result, seconds: (performance.now() - started) / 1000 });
  } catch (error) {
    if (!(error instanceof AutogradError)) throw error;
    // A trial that fails (diverges, or does not fit the data) is a result too.
    parentPort!.postMessage({ index, failure: error.template, seconds: (performance.now() - started) / 1000 });
  }
});
parentPort!.postMessage('ready');
