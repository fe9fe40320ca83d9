import type { LastBatch } from '../data/batches.js';
import type { FeatureEncoding } from '../data/categories.js';
import type { ColumnStats } from '../data/normalize.js';
import type { Activation, HiddenActivation } from '../nn/activation.js';
import type { LossName } from '../nn/loss.js';
import { MLP, type LayerParameters } from '../nn/mlp.js';
import type { EarlyStoppingState, LoopPosition } from './loop.js';
import type { OptimizerSettings, OptimizerState } from './optimizer.js';
import type { ScheduleSettings } from './schedule.js';

// What training produces: a network with what it needs to be used again, and
// the record of how it was trained. A model file is this, written down.

/** What a trained network needs to be used again: the in-memory form of a model file. */
export interface TrainedModel {
  /** Every layer including the input, e.g. [3, 4, 4, 1]. */
  layers: number[];
  activation: HiddenActivation;
  outputActivation: Activation;
  features: string[];
  targets: string[];
  /** "classify": the outputs are logits over `classes` (one sigmoid output for two classes). */
  task: 'regress' | 'classify';
  /** Class names, in the order of the outputs; null for regression. */
  classes: string[] | null;
  /** Categorical features, one-hot over these categories in place of their column (in `features` order). */
  encoding: FeatureEncoding[];
  /** Standardisation fitted on the training rows, or null when training used raw values. */
  normalization: { features: ColumnStats; targets: ColumnStats } | null;
  parameters: LayerParameters[];
  /** How the weights were trained; null for weights that came from elsewhere. */
  training: TrainingRecord | null;
}

/** How the weights were obtained: enough to reproduce the run, and to go on with it. */
export interface TrainingRecord {
  loss: LossName;
  /** Epochs fully done. */
  epochs: number;
  /** Epochs the run set out to do (more than `epochs` when it was interrupted or stopped early). */
  plannedEpochs: number;
  lr: number;
  batchSize: number;
  /** How rows that did not fill a whole batch were handled ("keep" in records older than the choice). */
  lastBatch: LastBatch;
  seed: number;
  shuffle: boolean;
  /** Rows trained on (without the validation rows). */
  rows: number;
  optimizer: OptimizerSettings;
  lrSchedule: ScheduleSettings;
  validation: { split: number | null; rows: number } | null;
  earlyStopping: { patience: number; minDelta: number; stoppedEarly: boolean; bestEpoch: number | null } | null;
  /**
   * The saved weights' loss over all training rows (standardised scale when
   * normalised): after early stopping, the kept epoch's. Null in older records.
   */
  finalLoss: number | null;
  /** The same over the validation rows; null without them. */
  finalValidationLoss: number | null;
  /** Mean training loss of each epoch, taken while the weights changed (on standardised targets when normalised). */
  lossHistory: number[];
  /** Validation loss after each epoch, when there were validation rows. */
  validationHistory: number[];
  /** Where the run stopped and what its optimizer remembers, for `--resume`. */
  state: TrainingState | null;
}

export interface TrainingState {
  position: LoopPosition;
  /** The shuffling generator's state after the last epoch's shuffle. */
  randomState: number | null;
  optimizer: OptimizerState;
  earlyStopping: EarlyStoppingState | null;
}

/** The network of a trained model, with its weights. */
export function createNetwork(model: TrainedModel): MLP {
  const mlp = new MLP(model.layers, { activation: model.activation, outputActivation: model.outputActivation });
  mlp.setParameters(model.parameters);
  return mlp;
}
