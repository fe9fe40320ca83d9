import type { Command } from 'commander';
import { parseCsv } from '../../data/csv.js';
import type { Engine } from '../../engine/engine.js';
import { readSource } from '../../data/source.js';
import { checkWritable, loadModel, saveModel, serializeModel } from '../../model-file.js';
import type { Activation, HiddenActivation } from '../../nn/activation.js';
import { formatLayerSpec } from '../../nn/layer-spec.js';
import { fit } from '../../train/fit.js';
import { formatCount, formatNumber, formatSeconds, writeStdout } from '../output.js';
import { TrainingProgress } from '../progress.js';
import { isInteractive, note, stderrColors, warn } from '../terminal.js';

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
  quiet?: boolean;
}

export async function trainCommand(data: string, flags: TrainFlags, command: Command): Promise<void> {
  // Check everything that can fail before spending time on training.
  const init = flags.init === undefined ? undefined : await loadModel(flags.init);
  if (flags.out !== '-') await checkWritable(flags.out);
  const table = parseCsv(await readSource(data, process.stdin));
  const given = (name: string) => command.getOptionValueSource(name) === 'cli';

  const showBar = !flags.quiet && isInteractive(process.stderr);
  let progress: TrainingProgress | undefined;
  const batchesPerEpoch = Math.ceil(table.records.length / flags.batchSize);
  const started = performance.now();
  let result;
  try {
    result = await fit(table, {
      layers: flags.layers,
      activation: given('activation') || !init ? flags.activation : undefined,
      outputActivation: given('outputActivation') || !init ? flags.outputActivation : undefined,
      targets: flags.target,
      features: flags.features,
      normalize: flags.normalize,
      shuffle: flags.shuffle,
      epochs: flags.epochs,
      learningRate: flags.lr,
      batchSize: flags.batchSize,
      seed: flags.seed,
      engine: flags.engine,
      init,
      onBatch: showBar
        ? (event) => (progress ??= new TrainingProgress(flags.epochs, batchesPerEpoch)).batch(event)
        : undefined,
      onEpoch: (event) => progress?.epoch(event),
      onWarning: flags.quiet ? undefined : warn,
    });
  } finally {
    progress?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const { model, training } = result;

  if (flags.out === '-') await writeStdout(serializeModel(model));
  else await saveModel(flags.out, model);

  if (!flags.quiet) {
    const finalLoss = training.lossHistory[training.lossHistory.length - 1] ?? Number.NaN;
    const rows = training.rows;
    const where = flags.out === '-' ? 'stdout' : flags.out;
    note(
      `${stderrColors.green('trained')} ${formatLayerSpec(model.layers)} for ${training.epochs} epochs on ${formatCount(rows)} rows ` +
        `in ${formatSeconds(seconds)} (${formatCount((rows * training.epochs) / seconds)} rows/s); ` +
        `final loss ${formatNumber(finalLoss, 4)}${model.normalization ? ' (standardised)' : ''}; model written to ${stderrColors.bold(where)}`,
    );
  }
}
