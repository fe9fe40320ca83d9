import { loadModel } from '../../model-file.js';
import type { TrainedModel } from '../../train/record.js';
import { formatLayerSpec, parameterCount } from '../../nn/layer-spec.js';
import { formatNumber } from '../output.js';
import type { Terminal } from '../terminal.js';
import { listOf } from '../../text.js';

/** Names listed in full before "… and N more" (--json lists them all). */
const LISTED = 20;

/** What a model is, for people (or, with --json, for scripts). */
export async function inspectCommand(path: string, flags: { json?: boolean }, term: Terminal): Promise<void> {
  const model = await loadModel(path);
  const summary = describe(model);
  if (flags.json) {
    await term.out(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const t = model.training;
  const lines = [
    `${path}: autograd model, format version 1`,
    `network      ${formatLayerSpec(model.layers)} (${summary.parameters.toLocaleString('en-US')} parameters); hidden ${model.activation}, output ${model.outputActivation}`,
    `features     ${listOf(model.features, LISTED)}`,
    ...model.encoding.map((e) => `one-hot      ${e.feature}: ${listOf(e.categories, LISTED)}`),
    `targets      ${listOf(model.targets, LISTED)}${model.classes ? ` (classes: ${listOf(model.classes, LISTED)})` : ''}`,
    `normalised   ${model.normalization ? "yes: features and targets standardised with the training rows' mean and standard deviation" : 'no'}`,
  ];
  if (model.normalization) {
    model.features
      .slice(0, LISTED)
      .forEach((name, i) =>
        lines.push(
          `  ${name}: mean ${formatNumber(model.normalization!.features.mean[i]!)}, std ${formatNumber(model.normalization!.features.std[i]!)}`,
        ),
      );
    if (model.features.length > LISTED)
      lines.push(`  … and ${model.features.length - LISTED} more (--json lists them all)`);
    model.targets.forEach((name, j) =>
      lines.push(
        `  ${name}: mean ${formatNumber(model.normalization!.targets.mean[j]!)}, std ${formatNumber(model.normalization!.targets.std[j]!)}`,
      ),
    );
  }
  if (t) {
    const o = t.optimizer;
    const optimizer =
      o.name === 'adam'
        ? `adam (β1 ${o.beta1}, β2 ${o.beta2}, ε ${o.eps})`
        : o.name === 'momentum'
          ? `momentum ${o.momentum}`
          : 'sgd';
    lines.push(
      `training     ${t.epochs} of ${t.plannedEpochs} planned epochs on ${t.rows.toLocaleString('en-US')} rows; batch ${t.batchSize}; seed ${t.seed}; ${t.shuffle ? 'shuffled' : 'file order'}`,
      `optimizer    ${optimizer}; lr ${t.lr}${t.lrSchedule.name === 'constant' ? '' : ` with a ${t.lrSchedule.name} schedule`}` +
        `${o.weightDecay ? `; weight decay ${o.weightDecay}` : ''}${o.clipGrad !== null ? `; gradients clipped to norm ${o.clipGrad}` : ''}`,
      `final loss   train ${formatNumber(summary.finalLoss ?? Number.NaN, 4)}` +
        (summary.finalValidationLoss !== null
          ? `, validation ${formatNumber(summary.finalValidationLoss, 4)} (${t.validation?.rows} rows)`
          : ''),
    );
    if (t.earlyStopping) {
      lines.push(
        `early stop   patience ${t.earlyStopping.patience}: ${t.earlyStopping.stoppedEarly ? `stopped, kept epoch ${t.earlyStopping.bestEpoch}` : 'did not stop'}`,
      );
    }
    if (t.state && t.state.position.batches > 0)
      lines.push(`interrupted  in epoch ${t.epochs + 1}: --resume goes on from there`);
  } else {
    lines.push('training     not recorded (weights from elsewhere)');
  }
  await term.out(`${lines.join('\n')}\n`);
}

function describe(model: TrainedModel) {
  const t = model.training;
  return {
    layers: model.layers,
    parameters: parameterCount(model.layers),
    activation: model.activation,
    outputActivation: model.outputActivation,
    features: model.features,
    targets: model.targets,
    task: model.task,
    classes: model.classes,
    encoding: model.encoding,
    normalization: model.normalization,
    training: t && {
      epochs: t.epochs,
      plannedEpochs: t.plannedEpochs,
      rows: t.rows,
      lr: t.lr,
      batchSize: t.batchSize,
      seed: t.seed,
      shuffle: t.shuffle,
      optimizer: t.optimizer,
      lrSchedule: t.lrSchedule,
      validation: t.validation,
      earlyStopping: t.earlyStopping,
    },
    // The saved weights' own losses (after early stopping, the kept epoch's); older records: the last epoch's mean.
    finalLoss: t?.finalLoss ?? t?.lossHistory[t.lossHistory.length - 1] ?? null,
    finalValidationLoss: t?.finalValidationLoss ?? t?.validationHistory[t.validationHistory.length - 1] ?? null,
  };
}
