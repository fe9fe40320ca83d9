import type { Dataset } from '../data/dataset.js';
import { takeRows } from '../data/matrix.js';
import { UsageError } from '../errors.js';
import { classIndices, classificationMetrics, regressionMetrics } from '../metrics.js';
import { argmax, Predictor } from '../model.js';
import { Random } from '../random.js';
import { fit, type FitOptions } from '../train/fit.js';

/** What a trial is scored by: higher is better for the first three, lower for the rest. */
export const METRICS = ['accuracy', 'f1', 'r2', 'mse', 'rmse', 'mae'] as const;
export type Metric = (typeof METRICS)[number];

export function higherIsBetter(metric: Metric): boolean {
  return metric === 'accuracy' || metric === 'f1' || metric === 'r2';
}

/** The metric a task is scored by unless asked: accuracy for classes, R² for numbers. */
export function defaultMetric(data: Dataset): Metric {
  return data.classes ? 'accuracy' : 'r2';
}

export interface Evaluation {
  /** One score per fold (one for a single held-out part). */
  scores: number[];
  mean: number;
  /** Population standard deviation of the scores. */
  std: number;
}

export interface CrossValidation {
  /** k folds; or, instead, hold out this fraction once (seeded). */
  folds?: number;
  holdout?: number;
  /** Seeds the folds (and the holdout). */
  seed: number;
  metric: Metric;
}

/**
 * Which fold each row is in: the rows shuffled with the seed and dealt out in
 * turn; for classes, each class dealt out on its own, so every fold has its
 * share of each (stratified). Refuses folds a class cannot fill.
 */
export function assignFolds(data: Dataset, folds: number, seed: number): Int32Array {
  const n = data.x.rows;
  if (!Number.isSafeInteger(folds) || folds < 2 || folds > n) {
    throw new UsageError('E_FOLDS', `folds must be from 2 to the number of rows (${n}), got ${folds}`, 'folds');
  }
  const fold = new Int32Array(n);
  const random = Random.stream(seed, 'folds');
  const groups = data.classes ? byClass(data) : [Int32Array.from({ length: n }, (_, i) => i)];
  let next = 0;
  groups.forEach((rows, c) => {
    if (data.classes && rows.length > 0 && rows.length < folds) {
      throw new UsageError(
        'E_FOLDS',
        `class "${data.classes[c]}" has only ${rows.length} row${rows.length === 1 ? '' : 's'}, fewer than the ${folds} folds it must be spread over`,
        'folds',
      );
    }
    random.shuffle(rows);
    // Continue the deal where the last class stopped, so the folds stay within one row of each other in size.
    for (const r of rows) fold[r] = next++ % folds;
  });
  return fold;
}

function byClass(data: Dataset): Int32Array[] {
  const labels = classIndices(data.y);
  return data.classes!.map((_, c) => Int32Array.from(labels.keys()).filter((r) => labels[r] === c));
}

/** The dataset's rows in `rows` (features, targets and all). */
export function subset(data: Dataset, rows: ArrayLike<number>): Dataset {
  return { ...data, x: takeRows(data.x, rows), y: takeRows(data.y, rows), dropped: 0 };
}

/** One configuration trained on each fold's other rows and scored on the fold. */
export async function crossValidate(data: Dataset, options: FitOptions, cv: CrossValidation): Promise<Evaluation> {
  const parts: { train: Int32Array; test: Int32Array }[] = [];
  if (cv.holdout !== undefined) {
    const n = data.x.rows;
    const order = Random.stream(cv.seed, 'holdout').shuffle(Int32Array.from({ length: n }, (_, i) => i));
    const held = Math.min(n - 1, Math.max(1, Math.round(n * cv.holdout)));
    parts.push({ test: order.slice(0, held).sort(), train: order.slice(held).sort() });
  } else {
    const fold = assignFolds(data, cv.folds ?? 5, cv.seed);
    for (let f = 0; f < (cv.folds ?? 5); f++) {
      parts.push({
        train: Int32Array.from(fold.keys()).filter((r) => fold[r] !== f),
        test: Int32Array.from(fold.keys()).filter((r) => fold[r] === f),
      });
    }
  }
  const scores: number[] = [];
  for (const part of parts) {
    const { model } = await fit(subset(data, part.train), options);
    scores.push(score(model, subset(data, part.test), cv.metric));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const std = Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length);
  return { scores, mean, std };
}

/** The model's metric on rows it was not trained on. */
export function score(model: Awaited<ReturnType<typeof fit>>['model'], data: Dataset, metric: Metric): number {
  const predicted = new Predictor(model).run(data.x);
  if (model.classes) {
    const m = classificationMetrics(classIndices(data.y), argmax(predicted), model.classes);
    if (metric === 'accuracy') return m.accuracy;
    if (metric === 'f1') return m.classes.reduce((a, c) => a + c.f1, 0) / m.classes.length;
    throw new UsageError('E_METRIC', `${metric} is for regression; a classifier is scored by accuracy or f1`, 'metric');
  }
  if (metric === 'accuracy' || metric === 'f1') {
    throw new UsageError(
      'E_METRIC',
      `${metric} is for classification; a regression is scored by r2, mse, rmse or mae`,
      'metric',
    );
  }
  const targets = regressionMetrics(data.y, predicted);
  return targets.reduce((a, t) => a + t[metric], 0) / targets.length;
}
