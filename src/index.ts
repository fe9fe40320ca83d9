// The library API: everything the CLI uses, without the CLI.
export { Value, sum, topologicalOrder, type Operand } from './engine/value.js';
export { compile, Op, type Program, type CompileSpec } from './engine/compile.js';
export { Tape } from './engine/tape.js';
export { ENGINES, DEFAULT_ENGINE, engineToRun, hasWasmSimd, type Engine } from './engine/engine.js';
export { WasmTape } from './engine/wasm/wasm-tape.js';
export { CompiledMLP } from './nn/compiled-mlp.js';
export { Neuron } from './nn/neuron.js';
export { Layer } from './nn/layer.js';
export { MLP, type MLPOptions, type LayerParameters } from './nn/mlp.js';
export { batchLossOf, LOSSES, type LossName } from './nn/loss.js';
export { parseLayerSpec, formatLayerSpec, parameterCount } from './nn/layer-spec.js';
export { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, type Activation, type HiddenActivation } from './nn/activation.js';
export { Random } from './random.js';
export { openInput, type Source } from './data/source.js';
export {
  parseCsv,
  readCsv,
  CsvSplitter,
  detectDelimiter,
  type Table,
  type CsvOptions,
  type RecordBatch,
} from './data/csv.js';
export { chooseColumns, type ColumnChoice, type Columns } from './data/columns.js';
export { parseNumber, NumberReader, type DecimalMark } from './data/numbers.js';
export {
  loadDataset,
  datasetFromTable,
  FeatureBatches,
  type Dataset,
  type LoadOptions,
  type NumericBatch,
} from './data/dataset.js';
export { columnStats, standardize, unstandardize, type ColumnStats } from './data/normalize.js';
export { batches } from './data/batches.js';
export { MatrixBuilder, type Matrix } from './data/matrix.js';
export { predict, Predictor, modelColumns } from './model.js';
export { createNetwork, type TrainedModel, type TrainingRecord } from './train/record.js';
export { trainLoop, batchLoss, type BatchEvent, type EpochEvent, type LoopOptions } from './train/loop.js';
export { fit, type FitOptions, type FitResult } from './train/fit.js';
export { DEFAULTS, SETTINGS, resolveSettings, type Setting, type Settings } from './train/settings.js';
export { regressionMetrics, type RegressionMetrics } from './metrics.js';
export { serializeModel, parseModel, saveModel, loadModel, MODEL_FORMAT, MODEL_VERSION } from './model-file.js';
export { AutogradError, UsageError, DataError, ModelFileError, DivergenceError } from './errors.js';
export {
  renderGraph,
  escapeMermaid,
  quoteDot,
  type GraphFormat,
  type GraphView,
  type RenderOptions,
} from './viz/render.js';
export { seedExample, explainSeed, SEED_DEFAULTS, type SeedInputs, type SeedGraph } from './viz/seed.js';
export { networkGraph, renderLayers, NODE_LIMIT, type NetworkGraph } from './viz/network.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult, type LayerCheck } from './gradcheck.js';
export { tanh, sigmoid } from './engine/math.js';
export {
  Optimizer,
  OPTIMIZERS,
  OPTIMIZER_DEFAULTS,
  type OptimizerName,
  type OptimizerSettings,
  type OptimizerState,
} from './train/optimizer.js';
export {
  learningRateAt,
  SCHEDULES,
  SCHEDULE_DEFAULTS,
  type ScheduleName,
  type ScheduleSettings,
} from './train/schedule.js';
