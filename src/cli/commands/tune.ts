import type { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { availableParallelism } from 'node:os';
import { AutogradError, UsageError } from '../../errors.js';
import { checkWritable, sameFile, writeFileAtomic } from '../../files.js';
import { saveModel } from '../../model-file.js';
import { formatLayerSpec } from '../../nn/layer-spec.js';
import { fit, type FitOptions } from '../../train/fit.js';
import {
  assignFolds,
  crossValidate,
  defaultMetric,
  higherIsBetter,
  type CrossValidation,
  type Evaluation,
  type Metric,
} from '../../tune/cross-validate.js';
import { parseDimension, planTrials, trialFlags, type Dimension } from '../../tune/search.js';
import { runTrials, type TrialResult } from '../../tune/trials.js';
import { formatNumber } from '../output.js';
import { catchSignals, SIGNAL_EXIT } from '../signals.js';
import { flagName, type Terminal } from '../terminal.js';
import { describeData, fitOptionsGiven, loadTrainingData, type TrainingFlags } from './train.js';

export interface CvFlags extends TrainingFlags {
  folds: number;
  metric?: Metric;
  json?: boolean;
}

export interface TuneFlags extends CvFlags {
  search: string[];
  trials: number;
  jobs?: number;
  timeLimit?: number;
  out?: string;
  log?: string;
}

/** The data and the run the flags describe, checked before any training; the remarks are said now. */
async function prepare(data: string, flags: CvFlags, command: Command, term: Terminal) {
  const given = (name: string) => command.getOptionValueSource(name) === 'cli';
  const { dataset, task } = await loadTrainingData(data, flags, given, term);
  const metric = flags.metric ?? defaultMetric(dataset);
  if (dataset.classes ? !['accuracy', 'f1'].includes(metric) : ['accuracy', 'f1'].includes(metric)) {
    throw new UsageError(
      'E_METRIC',
      `${metric} does not score ${dataset.classes ? 'a classifier (accuracy or f1 do)' : 'a regression (r2, mse, rmse or mae do)'}`,
      'metric',
    );
  }
  const base: FitOptions = { ...fitOptionsGiven(flags, given, undefined, false) };
  const cv: CrossValidation =
    flags.validationSplit !== undefined && command.name() === 'tune'
      ? { holdout: flags.validationSplit, seed: flags.seed, metric }
      : { folds: flags.folds, seed: flags.seed, metric };
  // In tuning, --validation-split holds rows out of each trial instead of folds; it is not the training's own.
  if (cv.holdout !== undefined) delete base.validationSplit;
  else assignFolds(dataset, flags.folds, flags.seed); // refuses folds the data cannot fill, before any training
  if (!flags.quiet) for (const remark of describeData(term, dataset, task === 'auto')) term.note(remark);
  return { dataset, base, cv, metric, given };
}

/** `autograd cv`: k-fold cross-validation of one configuration. */
export async function cvCommand(data: string, flags: CvFlags, command: Command, term: Terminal): Promise<void> {
  const { dataset, base, cv, metric } = await prepare(data, flags, command, term);
  const result = await crossValidate(dataset, base, cv);
  if (flags.json) {
    await term.out(`${JSON.stringify({ metric, folds: cv.folds, rows: dataset.x.rows, ...result }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${cv.folds}-fold cross-validation on ${dataset.x.rows.toLocaleString('en-US')} rows${dataset.classes ? ', stratified by class' : ''}: ${metric}`,
    ...result.scores.map((s, f) => `fold ${f + 1}  ${formatNumber(s, 4)}`),
    `mean    ${plusMinus(result)}`,
  ];
  await term.out(`${lines.join('\n')}\n`);
}

/** `autograd tune`: a search over settings, each trial cross-validated, trials in parallel. */
export async function tuneCommand(data: string, flags: TuneFlags, command: Command, term: Terminal): Promise<void> {
  if (flags.search.length === 0)
    throw new UsageError('E_USAGE', 'give at least one --search, e.g. --search lr=0.001..0.1:log');
  const dimensions = flags.search.map(parseDimension);
  const repeated = dimensions.find((d, i) => dimensions.findIndex((e) => e.key === d.key) !== i);
  if (repeated) throw new UsageError('E_SEARCH', `--${repeated.flag} is searched twice`, 'search');
  for (const output of [flags.out, flags.log]) {
    if (output === undefined) continue;
    if (await sameFile(output, data)) {
      throw new UsageError('E_OVERWRITE', `"${output}" is the training data; writing there would destroy it`);
    }
    await checkWritable(output);
  }
  const { dataset, base, cv, metric, given } = await prepare(data, flags, command, term);
  const plan = planTrials(dimensions, flags.trials, flags.seed);
  const jobs = flags.jobs ?? availableParallelism();
  if (!flags.quiet) {
    term.note(
      `autograd: ${plan.kind === 'grid' ? 'grid search' : `random search (seed ${flags.seed})`}: ${plan.trials.length} trials of ${dimensions.map((d) => d.flag).join(', ')}, ` +
        `${cv.holdout !== undefined ? `${cv.holdout} of the rows held out` : `${cv.folds}-fold cross-validation`}, ${metric} (${higherIsBetter(metric) ? 'higher' : 'lower'} is better)`,
    );
  }
  const better = (a: number, b: number) => (higherIsBetter(metric) ? a > b : a < b);
  let best: number | undefined;
  const bar =
    !flags.quiet && term.interactive
      ? new cliProgress.SingleBar(
          {
            stream: term.io.stderr as NodeJS.WriteStream,
            format: `${term.colors.cyan('{bar}')} {value}/{total} trials | best ${metric} {best} | ETA {eta_formatted}`,
            barsize: 20,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(plan.trials.length, 0, { best: '…' });
  const interruption = catchSignals(() => {
    bar?.stop();
    term.note('autograd: stopping once the running trials finish (press Ctrl-C again to quit at once)');
  });
  let results: TrialResult[];
  try {
    results = await runTrials(dataset, base, cv, plan.trials, {
      jobs,
      signal: interruption.signal,
      deadline: flags.timeLimit === undefined ? undefined : performance.now() + flags.timeLimit * 1000,
      onResult: (r) => {
        if (r.mean !== undefined && (best === undefined || better(r.mean, best))) best = r.mean;
        bar?.increment(1, { best: best === undefined ? '…' : formatNumber(best, 4) });
      },
    });
  } finally {
    bar?.stop();
  }
  const ranked = results
    .filter((r) => r.mean !== undefined)
    .sort((a, b) => (a.mean === b.mean ? a.index - b.index : better(a.mean!, b.mean!) ? -1 : 1));
  await term.out(leaderboard(ranked, dimensions, metric, results, plan.trials.length));
  const winner = ranked[0];
  if (winner) {
    const retrain = [
      'autograd',
      'train',
      data,
      ...givenFlags(command, given, dimensions, cv.holdout !== undefined),
      ...trialFlags(winner.trial, dimensions),
    ];
    await term.out(`best: ${retrain.join(' ')}\n`);
  }
  const save = async () => {
    if (flags.log !== undefined) await writeFileAtomic(flags.log, trialLog(flags.log, results, dimensions));
    if (flags.out !== undefined && winner) {
      // The best configuration, trained on all the rows.
      const { model } = await fit(dataset, { ...base, ...winner.trial });
      await saveModel(flags.out, model);
      if (!flags.quiet)
        term.note(
          `autograd: the best configuration, trained on all ${dataset.x.rows} rows, was written to ${flags.out}`,
        );
    }
  };
  await interruption.guard(save);
  if (interruption.received) term.exitCode = SIGNAL_EXIT[interruption.received];
  else if (results.length === 0) throw new AutogradError('E_TUNE', 'no trial started within the --time-limit');
  else if (!winner) throw new AutogradError('E_TUNE', `every trial failed (first: ${firstFailure(results)})`);
}

function plusMinus({ mean, std }: Evaluation): string {
  return `${formatNumber(mean, 4)} ± ${formatNumber(std, 2)}`;
}

function leaderboard(
  ranked: TrialResult[],
  dimensions: Dimension[],
  metric: Metric,
  all: TrialResult[],
  planned: number,
): string {
  const rows = [['rank', `${metric} (mean ± std)`, ...dimensions.map((d) => d.flag)]];
  ranked.slice(0, 10).forEach((r, i) => {
    const values = trialFlags(r.trial, dimensions).filter((_, k) => k % 2 === 1);
    rows.push([String(i + 1), plusMinus(r as Evaluation), ...values]);
  });
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const table = rows
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const failed = all.length - ranked.length;
  const notes = [
    all.length < planned ? `${all.length} of ${planned} trials ran (stopped early)` : '',
    failed > 0 ? `${failed} failed (first: ${firstFailure(all)})` : '',
  ].filter(Boolean);
  return `${table}\n${notes.map((n) => `${n}\n`).join('')}`;
}

function firstFailure(results: TrialResult[]): string {
  const failed = results.find((r) => r.failure !== undefined);
  return failed
    ? `trial ${failed.index + 1}: ${failed.failure!.replace(/\u001f(\w+)\u001f/g, (_, o: string) => flagName(o))}`
    : 'none';
}

/** The training flags given on the command line, as they would be typed again (the searched ones left out). */
function givenFlags(
  command: Command,
  given: (name: string) => boolean,
  dimensions: Dimension[],
  holdout: boolean,
): string[] {
  const searched = new Set(dimensions.map((d) => `--${d.flag}`));
  const tuneOnly = new Set([
    '--search',
    '--trials',
    '--folds',
    '--jobs',
    '--time-limit',
    '--metric',
    '--out',
    '--log',
    '--json',
    '--quiet',
  ]);
  return command.options.flatMap((option: Option) => {
    const name = option.attributeName();
    // With a holdout, --validation-split was the tuning's, not the training's.
    if (holdout && option.long === '--validation-split') return [];
    if (!given(name) || searched.has(option.long!) || tuneOnly.has(option.long!)) return [];
    const value = command.getOptionValue(name) as unknown;
    if (option.negate) return value === false ? [option.long!] : [];
    if (typeof value === 'boolean') return value ? [option.long!] : [];
    const text = Array.isArray(value)
      ? option.long === '--layers'
        ? formatLayerSpec(value as number[])
            .split(',')
            .map((n) => (n === '0' ? 'auto' : n))
            .join(',')
        : value.join(',')
      : String(value);
    return [option.long!, text];
  });
}

/** --log: every trial, its settings, its per-fold scores and its time: CSV, or JSON lines for .jsonl. */
function trialLog(path: string, results: TrialResult[], dimensions: Dimension[]): string {
  const rows = results.map((r) => {
    const settings = Object.fromEntries(dimensions.map((d) => [d.flag, trialFlags(r.trial, [d])[1]!]));
    return {
      trial: r.index + 1,
      ...settings,
      mean: r.mean ?? null,
      std: r.std ?? null,
      scores: r.scores ?? [],
      seconds: Number(r.seconds.toFixed(3)),
      failure: r.failure?.replace(/\u001f(\w+)\u001f/g, (_, o: string) => flagName(o)) ?? null,
    };
  });
  if (path.endsWith('.jsonl')) return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const header = ['trial', ...dimensions.map((d) => d.flag), 'mean', 'std', 'scores', 'seconds', 'failure'];
  const cell = (v: unknown) => {
    const text = v === null ? '' : Array.isArray(v) ? v.join(';') : String(v);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return (
    [header.join(','), ...rows.map((r) => header.map((h) => cell((r as Record<string, unknown>)[h])).join(','))].join(
      '\n',
    ) + '\n'
  );
}
