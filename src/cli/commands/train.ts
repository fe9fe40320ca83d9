import type { Command } from 'commander';
import { loadDataset } from '../../data/dataset.js';
import { inputName, openInput } from '../../data/source.js';
import type { Engine } from '../../engine/engine.js';
import { abandonPendingWrites, checkWritable, loadModel, saveModel, serializeModel } from '../../model-file.js';
import type { Activation, HiddenActivation } from '../../nn/activation.js';
import { formatLayerSpec } from '../../nn/layer-spec.js';
import { fit, type FitResult } from '../../train/fit.js';
import { formatCount, formatNumber, formatSeconds, writeStdout } from '../output.js';
import { TrainingProgress } from '../progress.js';
import { isInteractive, note, reportDropped, stderrColors, warn } from '../terminal.js';

export interface TrainFlags {
  layers?: number[];
  activation: HiddenActivation;
  outputActivation: Activation;
  target?: string[];
  features?: string[];
  lr: number;
  epochs: number;
  batchSize: number;
  seed: number;
  normalize: boolean;
  shuffle: boolean;
  init?: string;
  out: string;
  engine: Engine;
  delimiter?: string;
  dropInvalid?: boolean;
  quiet?: boolean;
}

/** Exit codes after a signal, as shells report them: 128 + the signal's number. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function trainCommand(data: string, flags: TrainFlags, command: Command): Promise<void> {
  // Check everything that can fail before spending time on training.
  const init = flags.init === undefined ? undefined : await loadModel(flags.init);
  if (flags.out !== '-') await checkWritable(flags.out);
  const dataset = await loadDataset(openInput(data, process.stdin), inputName(data), {
    choice: { targets: flags.target ?? init?.targets, features: flags.features ?? init?.features },
    delimiter: flags.delimiter,
    dropInvalid: flags.dropInvalid,
  });
  if (!flags.quiet) reportDropped(dataset.dropped, dataset.firstDropped);
  const given = (name: string) => command.getOptionValueSource(name) === 'cli';

  const showBar = !flags.quiet && isInteractive(process.stderr);
  let progress: TrainingProgress | undefined;
  const batchesPerEpoch = Math.ceil(dataset.x.rows / flags.batchSize);
  let batchesDone = 0;
  const interruption = catchSignals(() => {
    progress?.stop();
    note('autograd: stopping after this batch to save the model (press Ctrl-C again to quit without saving)');
  });
  const started = performance.now();
  let result: FitResult;
  try {
    result = await fit(dataset, {
      layers: flags.layers,
      activation: given('activation') || !init ? flags.activation : undefined,
      outputActivation: given('outputActivation') || !init ? flags.outputActivation : undefined,
      normalize: flags.normalize,
      shuffle: flags.shuffle,
      epochs: flags.epochs,
      learningRate: flags.lr,
      batchSize: flags.batchSize,
      seed: flags.seed,
      engine: flags.engine,
      init,
      signal: interruption.signal,
      onBatch: (event) => {
        batchesDone++;
        if (showBar) (progress ??= new TrainingProgress(flags.epochs, batchesPerEpoch)).batch(event);
      },
      onEpoch: (event) => progress?.epoch(event),
      onWarning: flags.quiet ? undefined : warn,
    });
  } catch (error) {
    interruption.release();
    throw error;
  } finally {
    progress?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const { model, training } = result;
  const where = flags.out === '-' ? 'stdout' : flags.out;

  if (result.interrupted && batchesDone === 0) {
    interruption.release();
    note('autograd: interrupted before training began; nothing written');
    process.exitCode = SIGNAL_EXIT[interruption.received!];
    return;
  }
  if (flags.out === '-') await writeStdout(serializeModel(model));
  else await saveModel(flags.out, model);
  interruption.release();

  if (result.interrupted) {
    note(
      `autograd: interrupted in epoch ${training.epochs + 1} of ${flags.epochs}; ` +
        `the model so far (${training.epochs} full epoch${training.epochs === 1 ? '' : 's'}) was written to ${where}`,
    );
    process.exitCode = SIGNAL_EXIT[interruption.received!];
    return;
  }
  if (!flags.quiet) {
    const finalLoss = training.lossHistory[training.lossHistory.length - 1] ?? Number.NaN;
    const rows = training.rows;
    note(
      `${stderrColors.green('trained')} ${formatLayerSpec(model.layers)} for ${training.epochs} epochs on ${formatCount(rows)} rows ` +
        `in ${formatSeconds(seconds)} (${formatCount((rows * training.epochs) / seconds)} rows/s); ` +
        `final loss ${formatNumber(finalLoss, 4)}${model.normalization ? ' (standardised)' : ''}; model written to ${stderrColors.bold(where)}`,
    );
  }
}

/**
 * While training: the first SIGINT or SIGTERM asks the loop to stop after the
 * current batch (so the model so far can be saved); a second one exits at
 * once, removing any half-written file.
 */
function catchSignals(onFirst: () => void) {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      abandonPendingWrites();
      process.exit(SIGNAL_EXIT[signal]);
    }
    received = signal;
    controller.abort();
    onFirst();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    release() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
