import { Worker } from 'node:worker_threads';
import type { Dataset } from '../data/dataset.js';
import type { FitOptions } from '../train/fit.js';
import type { CrossValidation, Evaluation } from './cross-validate.js';
import type { Trial } from './search.js';
import { workerScript } from '../engine/worker-script.js';

/** A trial's outcome: its scores, or why it failed (an error message with its options marked). */
export interface TrialResult extends Partial<Evaluation> {
  index: number;
  trial: Trial;
  seconds: number;
  failure?: string;
}

export interface RunOptions {
  /** Worker threads: trials run this many at a time. */
  jobs: number;
  /** Once aborted (or past `deadline`, a `performance.now()` time), no trial starts; those running finish. */
  signal?: AbortSignal;
  deadline?: number;
  onResult?: (result: TrialResult) => void;
}

/** The trial worker's script (see `workerScript`). */
const WORKER = workerScript('tune/trial-worker', import.meta.url);

/**
 * Cross-validates each trial on worker threads, `jobs` at a time, handing out
 * trials in order as workers come free. A trial's result depends only on the
 * trial, never on which worker ran it or when, so the results are the same
 * whatever `jobs` is. Returns the results of the trials that ran, in order.
 */
export async function runTrials(
  data: Dataset,
  base: FitOptions,
  cv: CrossValidation,
  trials: Trial[],
  options: RunOptions,
): Promise<TrialResult[]> {
  const results: TrialResult[] = [];
  const workers = await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.jobs, trials.length)) }, () => start(data, base, cv)),
  );
  let next = 0;
  const stopped = () =>
    options.signal?.aborted === true || (options.deadline !== undefined && performance.now() > options.deadline);
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (next < trials.length && !stopped()) {
          const index = next++;
          const reply = await ask(worker, { index, trial: trials[index] });
          const result: TrialResult = { ...(reply as Omit<TrialResult, 'trial'>), trial: trials[index]! };
          results.push(result);
          options.onResult?.(result);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results.sort((a, b) => a.index - b.index);
}

async function start(data: Dataset, base: FitOptions, cv: CrossValidation): Promise<Worker> {
  const worker = new Worker(WORKER, { workerData: { data, base, cv } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return worker;
}

function ask(worker: Worker, message: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (reply: unknown) => {
      worker.off('error', onError);
      resolve(reply);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage(message);
  });
}
