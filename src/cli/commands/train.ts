import type { Command } from 'commander';
import { loadDataset } from '../../data/dataset.js';
import { UsageError } from '../../errors.js';
import { inputName, openInput } from '../../data/source.js';
import type { Engine } from '../../engine/engine.js';
import { checkWritable, sameFile, writeFileAtomic } from '../../files.js';
import { renderReport } from '../../report/report.js';
import { version } from '../version.js';
import { basename } from 'node:path';
import { loadModel, saveModel, serializeModel } from '../../model-file.js';
import type { TrainedModel, TrainingRecord } from '../../train/record.js';
import type { DecimalMark } from '../../data/numbers.js';
import type { Dataset } from '../../data/dataset.js';
import { count, listOf, quote } from '../../text.js';
import type { Activation, HiddenActivation } from '../../nn/activation.js';
import { formatLayerSpec } from '../../nn/layer-spec.js';
import { fit, type FitOptions, type FitResult } from '../../train/fit.js';
import { EpochLog } from '../epoch-log.js';
import { lossChart } from '../loss-chart.js';
import { catchSignals, SIGNAL_EXIT } from '../signals.js';
import { SETTINGS, type Settings } from '../../train/settings.js';
import { settingAttribute } from '../options.js';
import { formatCount, formatNumber, formatSeconds } from '../output.js';
import { TrainingProgress } from '../progress.js';
import { droppedRows, type Terminal } from '../terminal.js';
import { resolve as resolvePath } from 'node:path';

/**
 * The train command's flags: the settings table's (the learning rate as `lr`;
 * those without a default may be absent), and the rest.
 */
export interface TrainFlags extends Omit<Settings, 'learningRate' | 'clipGrad' | 'validationSplit' | 'patience'> {
  lr: number;
  clipGrad?: number;
  validationSplit?: number;
  patience?: number;
  layers?: number[];
  activation: HiddenActivation;
  outputActivation: Activation;
  target?: string[];
  features?: string[];
  normalize: boolean;
  init?: string;
  resume?: string;
  task: 'auto' | 'regress' | 'classify';
  categorical?: string[];
  loss?: 'mse' | 'cross-entropy';
  validation?: string;
  log?: string;
  report?: string;
  chart: boolean;
  out: string;
  engine: Engine;
  delimiter?: string;
  decimal?: DecimalMark;
  ignore?: string[];
  dropInvalid?: boolean;
  quiet?: boolean;
}

/** The flags every training command has (train adds those of one run that writes a model). */
export type TrainingFlags = Omit<TrainFlags, 'out' | 'log' | 'report' | 'init' | 'resume' | 'validation' | 'chart'>;

export async function trainCommand(data: string, flags: TrainFlags, command: Command, term: Terminal): Promise<void> {
  const given = (name: string) => command.getOptionValueSource(name) === 'cli';
  if (flags.init !== undefined && flags.resume !== undefined) {
    throw new UsageError(
      'E_USAGE',
      'give --init (new run from saved weights) or --resume (go on with a saved run), not both',
    );
  }
  if (flags.validation !== undefined && flags.validationSplit !== undefined) {
    throw new UsageError('E_USAGE', 'give --validation-split or --validation, not both');
  }
  const toStdout = (['out', 'log', 'report'] as const).filter((name) => flags[name] === '-');
  if (toStdout.length > 1) {
    throw new UsageError(
      'E_USAGE',
      `${toStdout.map((name) => `--${name} -`).join(' and ')} would ${toStdout.length === 2 ? 'both' : 'all'} write to stdout; send ${toStdout.length === 2 ? 'one of them' : 'all but one'} to a file`,
    );
  }
  // Check everything that can fail before spending time on training.
  const resume = flags.resume === undefined ? undefined : await loadModel(flags.resume);
  const init = flags.init === undefined ? resume : await loadModel(flags.init);
  await checkOutputs(data, flags);
  warnUnusedSettings(term, flags, given, resume);
  const { dataset, task } = await loadTrainingData(data, flags, given, term, init, flags.init !== undefined);
  // Said once training starts: a run refused before then says only why.
  let remarks = flags.quiet ? [] : describeData(term, dataset, task === 'auto');
  const sayRemarks = () => {
    for (const remark of remarks) term.note(remark);
    remarks = [];
  };
  const validation =
    flags.validation === undefined
      ? undefined
      : await loadDataset(openInput(flags.validation, term.io.stdin), inputName(flags.validation), {
          choice: {
            targets: dataset.targets,
            features: dataset.features,
            namedBy: { targets: 'the training data', features: 'the training data' },
          },
          delimiter: flags.delimiter,
          decimal: flags.decimal,
          dropInvalid: flags.dropInvalid,
          task: dataset.classes ? 'classify' : 'regress',
          classes: dataset.classes ?? undefined,
          encoding: dataset.encoding,
        });
  // With --resume the saved settings hold unless a flag is given; otherwise every flag (or its default) counts.
  const log = flags.log === undefined ? undefined : new EpochLog(flags.log, term);

  const showBar = !flags.quiet && term.interactive;
  const measured = validation !== undefined || flags.validationSplit !== undefined || !!resume?.training?.validation;
  let progress: TrainingProgress | undefined;
  let batchesDone = 0;
  const interruption = catchSignals(() => {
    progress?.stop();
    term.note('autograd: stopping after this batch to save the model (press Ctrl-C again to quit without saving)');
  });
  const started = performance.now();
  let result: FitResult;
  try {
    result = await fit(dataset, {
      ...fitOptionsGiven(flags, given, init, resume !== undefined),
      init: resume ? undefined : init,
      resume,
      validation,
      signal: interruption.signal,
      onBatch: (event) => {
        sayRemarks();
        batchesDone++;
        if (showBar) {
          progress ??= new TrainingProgress(
            term,
            event.epochs,
            event.batches,
            (event.epoch - 1) * event.batches + event.batch - 1,
            measured,
          );
          progress.batch(event);
        }
      },
      onEpoch: (event) => {
        progress?.epoch(event);
        log?.write(event, (performance.now() - started) / 1000);
      },
      onWarning: flags.quiet
        ? undefined
        : (message) => {
            sayRemarks();
            term.warn(message);
          },
    });
  } catch (error) {
    interruption.release();
    throw error;
  } finally {
    progress?.stop();
  }
  sayRemarks();
  const seconds = (performance.now() - started) / 1000;
  const { model, training } = result;
  const where = flags.out === '-' ? 'stdout' : flags.out;

  if (result.interrupted && batchesDone === 0) {
    interruption.release();
    term.note('autograd: interrupted before training began; nothing written');
    term.exitCode = SIGNAL_EXIT[interruption.received!];
    return;
  }
  await interruption.guard(async () => {
    await (flags.out === '-' ? term.out(serializeModel(model)) : saveModel(flags.out, model));
    await log?.save();
    if (flags.report !== undefined) {
      const page = renderReport(
        model,
        `autograd report: ${flags.out === '-' ? 'model' : basename(flags.out)}`,
        [{ name: inputName(data), data: dataset }],
        version,
      );
      await (flags.report === '-' ? term.out(page) : writeFileAtomic(flags.report, page));
    }
  });

  if (result.interrupted) {
    term.note(
      `autograd: interrupted in epoch ${training.epochs + 1} of ${training.plannedEpochs}; ` +
        `the model so far (${count(training.epochs, 'full epoch')}) was written to ${where}`,
    );
    term.exitCode = SIGNAL_EXIT[interruption.received!];
    return;
  }
  if (result.stoppedEarly && !flags.quiet) {
    term.note(
      `autograd: no improvement for ${count(training.earlyStopping?.patience ?? 0, 'epoch')}: stopped after epoch ${training.epochs}, kept the weights of epoch ${training.earlyStopping?.bestEpoch}`,
    );
  }
  if (!flags.quiet && flags.chart && term.interactive && training.lossHistory.length > 1) {
    term.note(lossChart(term, training.lossHistory, training.validationHistory));
  }
  if (!flags.quiet) {
    const epochsRun = result.epochsDone - (resume?.training?.state?.position.epochs ?? resume?.training?.epochs ?? 0);
    term.note(summaryLine(term, model, training, seconds, epochsRun, where));
    if (flags.report !== undefined) term.note(`autograd: report written to ${flags.report}`);
  }
}

/** The last line of a run, shortened to fit the terminal: the rate goes first, then the time. */
function summaryLine(
  term: Terminal,
  model: TrainedModel,
  training: TrainingRecord,
  seconds: number,
  epochsRun: number,
  where: string,
): string {
  const loss = training.finalLoss ?? training.lossHistory[training.lossHistory.length - 1] ?? Number.NaN;
  const head = `${formatLayerSpec(model.layers)} for ${count(training.epochs, 'epoch')} on ${count(training.rows, 'row')}`;
  const time = ` in ${formatSeconds(seconds)}`;
  const rate = ` (${formatCount((training.rows * epochsRun) / seconds)} rows/s)`;
  const tail =
    `; final loss ${formatNumber(loss, 4)}` +
    (training.finalValidationLoss !== null ? `, validation ${formatNumber(training.finalValidationLoss, 4)}` : '') +
    (model.normalization && model.task === 'regress' ? ' (standardised)' : '') +
    `; model written to `;
  const width = term.width;
  const fits = (middle: string) => `trained ${head}${middle}${tail}${where}`.length <= width;
  const middle = fits(time + rate) ? time + rate : fits(time) ? time : '';
  return `${term.colors.green('trained')} ${head}${middle}${tail}${term.colors.bold(where)}`;
}

/**
 * The data to train on, as the flags say to read it (with --init or --resume,
 * the model's columns, task and categories): its columns chosen, its task
 * decided ("auto": labels classify).
 */
export async function loadTrainingData(
  data: string,
  flags: TrainingFlags,
  given: (name: string) => boolean,
  term: Terminal,
  init?: TrainedModel,
  fromInit = false,
): Promise<{ dataset: Dataset; task: 'auto' | 'regress' | 'classify' }> {
  const fromModel = fromInit ? 'the --init model' : 'the --resume model';
  const choice = {
    targets: flags.target ?? init?.targets,
    features: flags.features ?? init?.features,
    ignore: flags.ignore,
    namedBy: init && {
      targets: flags.target ? undefined : fromModel,
      features: flags.features ? undefined : fromModel,
    },
  };
  // A saved model's task and classes hold; else --task, or --loss cross-entropy, decides (auto: labels classify).
  const asked = init ? init.task : given('task') ? flags.task : 'auto';
  if (flags.loss !== undefined && asked !== 'auto' && (flags.loss === 'mse') !== (asked === 'regress')) {
    throw new UsageError(
      'E_USAGE',
      `--loss ${flags.loss} does not go with ${init ? "the model's task" : '--task'} ${asked}`,
    );
  }
  const task = asked !== 'auto' || flags.loss === undefined ? asked : flags.loss === 'mse' ? 'regress' : 'classify';
  const dataset = await loadDataset(openInput(data, term.io.stdin), inputName(data), {
    choice,
    delimiter: flags.delimiter,
    decimal: flags.decimal,
    dropInvalid: flags.dropInvalid,
    task,
    classes: init?.classes ?? undefined,
    ...(init ? { encoding: init.encoding } : { categorical: flags.categorical, detectCategorical: true }),
  });
  return { dataset, task };
}

/** What the flags say of the network and its training (with --init or --resume, only what they give). */
export function fitOptionsGiven(
  flags: TrainingFlags,
  given: (name: string) => boolean,
  init: TrainedModel | undefined,
  resuming: boolean,
): Partial<FitOptions> {
  return {
    layers: flags.layers,
    activation: given('activation') || !init ? flags.activation : undefined,
    outputActivation: given('outputActivation') || !init ? flags.outputActivation : undefined,
    normalize: flags.normalize,
    ...settingsGiven(flags, given, resuming),
    engine: flags.engine,
  };
}

/**
 * The training settings the command line gives: with --resume only the flags
 * given (the saved run's hold for the rest), otherwise every flag's value or
 * default.
 */
export function settingsGiven(
  flags: TrainingFlags,
  given: (name: string) => boolean,
  resuming: boolean,
): Partial<Settings> {
  const settings: Partial<Record<keyof Settings, unknown>> = {};
  for (const setting of SETTINGS) {
    const name = settingAttribute(setting);
    const value = (flags as unknown as Record<string, unknown>)[name];
    if ((given(name) || !resuming) && value !== undefined) settings[setting.name] = value;
  }
  return settings as Partial<Settings>;
}

/**
 * Refuses, before any work, an output that would replace an input (the data,
 * --validation, --init; --resume may be rewritten by --out, which is how a run
 * goes on) or the other output; checks that each output can be written.
 */
async function checkOutputs(data: string, flags: TrainFlags): Promise<void> {
  const inputs: [string | undefined, string][] = [
    [data, 'the training data'],
    [flags.validation, 'the --validation data'],
    [flags.init, 'the --init model'],
  ];
  const outputs: [string | undefined, string][] = [
    [flags.out, 'out'],
    [flags.log, 'log'],
    [flags.report, 'report'],
  ];
  const written: string[] = [];
  for (const [output, option] of outputs) {
    if (output === undefined || output === '-') continue;
    const guarded =
      option === 'log' && flags.resume !== undefined
        ? [...inputs, [flags.resume, 'the --resume model'] as const]
        : inputs;
    for (const [input, what] of guarded) {
      if (input !== undefined && input !== '-' && (await sameFile(output, input))) {
        throw new UsageError('E_OVERWRITE', `${quote(output)} is ${what}; writing there would destroy it`, option);
      }
    }
    for (const other of written) {
      if (resolvePath(other) === resolvePath(output) || (await sameFile(other, output))) {
        throw new UsageError('E_OVERWRITE', `${quote(output)} is also where --out writes the model`, option);
      }
    }
    await checkWritable(output);
    written.push(output);
  }
}

/** A setting given for an optimizer or schedule that the run does not use is worth a word. */
function warnUnusedSettings(
  term: Terminal,
  flags: TrainFlags,
  given: (name: string) => boolean,
  resume?: TrainedModel,
): void {
  if (flags.quiet) return;
  const saved = resume?.training;
  const optimizer = given('optimizer') || !saved ? flags.optimizer : saved.optimizer.name;
  const schedule = given('lrSchedule') || !saved ? flags.lrSchedule : saved.lrSchedule.name;
  const uses: [string, string, boolean][] = [
    ['momentum', '--optimizer momentum', optimizer === 'momentum'],
    ['beta1', '--optimizer adam', optimizer === 'adam'],
    ['beta2', '--optimizer adam', optimizer === 'adam'],
    ['eps', '--optimizer adam', optimizer === 'adam'],
    ['lrStepSize', '--lr-schedule step', schedule === 'step'],
    ['lrGamma', '--lr-schedule step', schedule === 'step'],
    ['lrMin', '--lr-schedule cosine', schedule === 'cosine'],
  ];
  for (const [name, owner, used] of uses) {
    if (given(name) && !used) {
      const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      term.warn(
        `${flag} is for ${owner}; this run uses ${owner.startsWith('--optimizer') ? optimizer : schedule}, so it has no effect`,
      );
    }
  }
}

/** What autograd made of the data, where it decided something the user did not say: lines for stderr. */
export function describeData(term: Terminal, dataset: Dataset, taskAuto: boolean): string[] {
  const lines: string[] = [];
  const warning = (message: string) => lines.push(`${term.colors.yellow('autograd: warning:')} ${message}`);
  if (dataset.decimalComma.length > 0) {
    const example = dataset.decimalCommaExample;
    const asIn = example === undefined ? '' : ` (as in ${quote(example)})`;
    lines.push(
      `autograd: reading decimal commas${asIn} in ${listOf(dataset.decimalComma)}; --decimal . turns this off`,
    );
  }
  for (const name of dataset.rowNumbers) {
    warning(`feature ${quote(name)} counts up row by row like an id; if it is one, leave it out with --ignore ${name}`);
  }
  if (dataset.encoding.length > 0) {
    const list = listOf(dataset.encoding.map((e) => `${e.feature} (${e.categories.length})`));
    lines.push(
      `autograd: one-hot encoding the categorical feature${dataset.encoding.length === 1 ? '' : 's'} ${list}: ${dataset.x.cols} inputs in all`,
    );
  }
  if (taskAuto && dataset.classes) {
    lines.push(
      `autograd: ${dataset.targets[0]} holds labels, so this is classification: ${count(dataset.classes.length, 'class', 'classes')} (${listOf(dataset.classes)}), cross-entropy loss`,
    );
  }
  if (taskAuto && dataset.wholeLevels > 0) {
    lines.push(
      `autograd: ${dataset.targets[0]} holds ${dataset.wholeLevels} different whole numbers; training a regression — say --task classify to treat them as classes`,
    );
  }
  if (dataset.dropped > 0 && dataset.firstDropped) warning(droppedRows(dataset.dropped, dataset.firstDropped));
  return lines;
}
