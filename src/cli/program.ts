import { version } from './version.js';
import type { Terminal } from './terminal.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_ENGINE, ENGINES, hasWasmSimd } from '../engine/engine.js';
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS } from '../nn/activation.js';
import { DEFAULTS, SETTINGS, type Settings } from '../train/settings.js';
import { SEED_DEFAULTS } from '../viz/seed.js';
// Command modules are loaded when their command runs, so that --help and --version start fast.
import type { EvaluateFlags } from './commands/evaluate.js';
import type { ExportFlags } from './commands/export.js';
import type { ReportFlags } from './commands/report.js';
import type { SplitFlags } from './commands/split.js';
import type { CvFlags, TuneFlags } from './commands/tune.js';
import type { PredictFlags } from './commands/predict.js';
import type { ExplainFlags, GraphFlags } from './commands/graph.js';
import type { GradcheckFlags } from './commands/gradcheck.js';
import type { TrainFlags } from './commands/train.js';
import { GRAPH_FORMATS, GRAPH_VIEWS } from '../viz/render.js';
import {
  delimiter,
  finiteNumber,
  integer,
  layerSpec,
  nameList,
  numberList,
  positiveInteger,
  openFraction,
  positiveNumber,
  settingOption,
} from './options.js';

export function createProgram(term: Terminal): Command {
  const program = new Command('autograd')
    .description(
      'Train multi-layer perceptrons on CSV files from the shell, on a scalar automatic-differentiation engine.',
    )
    .version(version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      'after',
      `
Examples:
  $ autograd train data/moons.csv --layers 2,16,16,1 --lr 0.05
  $ autograd predict --model model.json data/moons.csv | head
  $ autograd evaluate --model model.json data/moons.csv
  $ autograd graph --example seed --format dot | dot -Tsvg > seed.svg

Exit codes: 0 ok, 1 bad data or a failed run, 2 bad usage.`,
    );
  // The wasm engine needs WebAssembly SIMD; where it is missing, the js engine computes the same numbers.
  program.hook('preAction', (_program, command) => {
    if (command.getOptionValue('engine') === 'wasm' && !hasWasmSimd()) {
      term.warn('WebAssembly SIMD is not available in this Node.js; using --engine js');
      command.setOptionValue('engine', 'js');
    }
  });

  const train = program
    .command('train')
    .description('train an MLP on a CSV file (header row required) and write the model as JSON')
    .argument('<data>', 'CSV file to train on, or - for standard input');
  trainingOptions(train, true)
    .addHelpText(
      'after',
      `
Examples:
  $ autograd train data/moons.csv --layers 2,16,16,1 --lr 0.05
  $ autograd train data/sine.csv -l 1,32,32,1 --epochs 300 --out sine.json
  $ cat data.csv | autograd train - -l 3,8,1 --target price --out - > model.json`,
    )
    .action((data: string, flags: TrainFlags, command: Command) =>
      import('./commands/train.js').then((m) => m.trainCommand(data, flags, command, term)),
    );

  program
    .command('predict')
    .description('apply a saved model to a CSV file; writes predictions as CSV to standard output')
    .argument('<data>', "CSV file with the model's feature columns (any order), or - for standard input")
    .requiredOption('-m, --model <path>', 'model file written by autograd train')
    .option('--with-input', 'echo the input columns before the predictions')
    .option('--proba', 'classification: add a probability column per class (p_<class>)')
    .addOption(engineOption())
    .addOption(delimiterOption())
    .addOption(decimalOption())
    .addOption(dropInvalidOption())
    .addHelpText(
      'after',
      `
Examples:
  $ autograd predict --model model.json data/moons.csv > predictions.csv
  $ cat new.csv | autograd predict -m model.json - | head`,
    )
    .action((data: string, flags: PredictFlags) =>
      import('./commands/predict.js').then((m) => m.predictCommand(data, flags, term)),
    );

  program
    .command('evaluate')
    .description('score a saved model on a CSV file that has the target columns: MSE, RMSE, MAE, R² per target')
    .argument('<data>', 'CSV file with feature and target columns, or - for standard input')
    .requiredOption('-m, --model <path>', 'model file written by autograd train')
    .addOption(engineOption())
    .addOption(delimiterOption())
    .addOption(decimalOption())
    .addOption(dropInvalidOption())
    .option('--json', 'print the metrics as JSON, for scripts')
    .addHelpText(
      'after',
      `
Example:
  $ autograd evaluate --model model.json data/moons.csv`,
    )
    .action((data: string, flags: EvaluateFlags) =>
      import('./commands/evaluate.js').then((m) => m.evaluateCommand(data, flags, term)),
    );

  const graph = program
    .command('graph')
    .description("draw a scalar graph, with each node's value and gradient, as Mermaid or Graphviz DOT")
    .option('--example <name>', 'the design notes\' example "seed": y = w1*x1 + b1, z = w2*y + b2');
  seedOptions(graph);
  graph
    .addOption(
      new Option('-l, --layers <spec>', 'draw a small network of this shape (random weights from --seed)').argParser(
        layerSpec,
      ),
    )
    .option('-m, --model <path>', 'draw the network of this model file')
    .addOption(new Option('--input <numbers>', 'the input row, comma-separated (default: zeros)').argParser(numberList))
    .addOption(new Option('--target <numbers>', 'add the MSE loss against this target row').argParser(numberList))
    .addOption(freshSeedOption('seed for --layers weights'))
    .addOption(freshActivationOption())
    .addOption(freshOutputActivationOption())
    .addOption(
      new Option('--format <name>', 'mermaid (renders on GitHub) or dot (Graphviz)')
        .choices(GRAPH_FORMATS)
        .default('mermaid'),
    )
    .addOption(
      new Option('--view <name>', 'forward: values; backward: gradients; both').choices(GRAPH_VIEWS).default('both'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ autograd graph --example seed
  $ autograd graph --example seed --x1 1 --w1 2 --format dot | dot -Tsvg > seed.svg
  $ autograd graph --layers 2,2,1 --input 0.5,-1 --target 1 --view backward`,
    )
    .action((flags: GraphFlags) => import('./commands/graph.js').then((m) => m.graphCommand(flags, term)));

  const explain = program
    .command('explain')
    .description("print the chain-rule derivation of the design notes' example, with the engine's numbers")
    .requiredOption('--example <name>', 'the example: seed');
  seedOptions(explain);
  explain
    .addHelpText(
      'after',
      `
Example:
  $ autograd explain --example seed --w2 2`,
    )
    .action((flags: ExplainFlags) => import('./commands/graph.js').then((m) => m.explainCommand(flags, term)));

  program
    .command('gradcheck')
    .description('compare every back-propagated gradient with central finite differences; exit 1 above tolerance')
    .argument('[data]', 'CSV file to take the batch from (default: random rows), or - for standard input')
    .option('-m, --model <path>', "check this model file's network")
    .addOption(new Option('-l, --layers <spec>', 'or check a fresh network of this shape').argParser(layerSpec))
    .addOption(freshSeedOption('seed for --layers weights and random rows'))
    .addOption(freshActivationOption())
    .addOption(freshOutputActivationOption())
    .addOption(new Option('--rows <n>', 'rows in the batch').argParser(positiveInteger).default(8))
    .addOption(
      new Option('--tolerance <x>', 'largest relative error that passes').argParser(positiveNumber).default(1e-5),
    )
    .addOption(engineOption())
    .addOption(delimiterOption())
    .addOption(decimalOption())
    .addHelpText(
      'after',
      `
Examples:
  $ autograd gradcheck --model model.json data/moons.csv --rows 8
  $ autograd gradcheck --layers 3,4,4,1 --seed 7`,
    )
    .action((data: string | undefined, flags: GradcheckFlags) =>
      import('./commands/gradcheck.js').then((m) => m.gradcheckCommand(data, flags, term)),
    );

  program
    .command('split')
    .description(
      'split a CSV file in two: a seeded draw of rows for testing, the rest for training, rows copied as they are',
    )
    .argument('<data>', 'CSV file to split, or - for standard input')
    .addOption(
      new Option('--test <fraction>', 'fraction of the rows for the test part').argParser(openFraction).default(0.2),
    )
    .addOption(new Option('--seed <n>', 'seed for the draw').argParser(integer).default(DEFAULTS.seed))
    .option('--stratify', "keep each class's share in both parts (default: when the target holds labels)")
    .option('-t, --target <name>', 'the column whose classes --stratify keeps (default: the last column)')
    .requiredOption('--train-out <file>', 'where to write the training rows')
    .requiredOption('--test-out <file>', 'where to write the test rows')
    .addOption(delimiterOption())
    .addHelpText(
      'after',
      `
Example:
  $ autograd split data/blobs.csv --test 0.2 --train-out train.csv --test-out test.csv`,
    )
    .action((data: string, flags: SplitFlags) =>
      import('./commands/split.js').then((m) => m.splitCommand(data, flags, term)),
    );

  const cv = program
    .command('cv')
    .description(
      'cross-validate one configuration: train on k−1 folds, score the k-th, for each fold (stratified for classes)',
    )
    .argument('<data>', 'CSV file, as for train');
  trainingOptions(cv, false)
    .addOption(new Option('--folds <k>', 'how many folds').argParser(positiveInteger).default(5))
    .addOption(metricOption())
    .option('--json', 'print the scores as JSON')
    .addHelpText(
      'after',
      `
Example:
  $ autograd cv data/moons.csv -l auto,16,16,auto --task classify --folds 5`,
    )
    .action((data: string, flags: CvFlags, command: Command) =>
      import('./commands/tune.js').then((m) => m.cvCommand(data, flags, command, term)),
    );

  const tune = program
    .command('tune')
    .description(
      'search settings: each trial cross-validated, trials in parallel; a leaderboard and the best as a train command',
    )
    .argument('<data>', 'CSV file, as for train');
  trainingOptions(tune, false)
    .addOption(
      new Option(
        '--search <spec>',
        'a flag and its values, repeatable: lr=0.001..0.1:log, optimizer=sgd,adam, layers=auto,16,auto|auto,32,32,auto',
      )
        .argParser((value: string, previous: string[] = []) => [...previous, value])
        .default([]),
    )
    .addOption(
      new Option('--trials <n>', 'trials of a random search; a grid of at most this many is searched whole')
        .argParser(positiveInteger)
        .default(20),
    )
    .addOption(
      new Option('--folds <k>', 'folds of each trial (or --validation-split f: hold that fraction out once)')
        .argParser(positiveInteger)
        .default(5),
    )
    .addOption(
      new Option('--jobs <n>', 'trials run at once, each on its own thread (default: the number of cores)').argParser(
        positiveInteger,
      ),
    )
    .addOption(
      new Option('--time-limit <time>', 'start no trial after this long, e.g. 90s, 10m, 1h').argParser(duration),
    )
    .addOption(metricOption())
    .option('-o, --out <model>', 'train the best configuration on all the rows and write it here')
    .option('--log <file>', 'write every trial (settings, scores per fold, seconds): CSV, or JSON lines for .jsonl')
    .addHelpText(
      'after',
      `
Example:
  $ autograd tune data/moons.csv -l auto,16,auto --task classify --search lr=0.001..0.1:log --search optimizer=sgd,adam --trials 8 -o best.json`,
    )
    .action((data: string, flags: TuneFlags, command: Command) =>
      import('./commands/tune.js').then((m) => m.tuneCommand(data, flags, command, term)),
    );

  program
    .command('report')
    .description(
      'write one self-contained HTML page about a model: network, training, weights, and its scores and pictures on data',
    )
    .argument('<model>', 'model file written by autograd train')
    .argument('[data...]', "CSV files with the model's columns and targets, to score and draw")
    .option(
      '-o, --out <file>',
      'where to write the page, or - for standard output (default: the model file with .html)',
    )
    .addOption(delimiterOption())
    .addHelpText(
      'after',
      `
Example:
  $ autograd report model.json data/moons.csv -o moons.html`,
    )
    .action((path: string, data: string[], flags: ReportFlags) =>
      import('./commands/report.js').then((m) => m.reportCommand(path, data, flags, term)),
    );

  program
    .command('export')
    .description('write a model for another runtime: ONNX, a standalone ES module, or PyTorch')
    .argument('<model>', 'model file written by autograd train')
    .addOption(
      new Option(
        '--format <name>',
        'onnx (onnxruntime and friends), js (one dependency-free ES module), pytorch (.safetensors and a model.py)',
      )
        .choices(['onnx', 'js', 'pytorch'])
        .makeOptionMandatory(),
    )
    .option(
      '-o, --out <path>',
      'where to write it (default: the model file with .onnx, .mjs or .safetensors; pytorch adds a .py beside it); - for stdout',
    )
    .addOption(
      new Option('--dtype <type>', 'for onnx: float32 (what most runtimes serve) or float64 (an exact copy)').choices([
        'float32',
        'float64',
      ]),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ autograd export model.json --format onnx
  $ autograd export model.json --format js -o model.mjs
  $ autograd export model.json --format pytorch -o net.safetensors   # and net.py`,
    )
    .action((path: string, flags: ExportFlags) =>
      import('./commands/export.js').then((m) => m.exportCommand(path, flags, term)),
    );

  program
    .command('inspect')
    .description('describe a model file: architecture, parameters, columns, normalisation, training')
    .argument('<model>', 'model file written by autograd train')
    .option('--json', 'print it as JSON')
    .addHelpText(
      'after',
      `
Example:
  $ autograd inspect model.json`,
    )
    .action((path: string, flags: { json?: boolean }) =>
      import('./commands/inspect.js').then((m) => m.inspectCommand(path, flags, term)),
    );

  return program;
}

/**
 * The flags of a training run, in the order --help lists them. With `single`,
 * also those of one run that writes a model: --init, --resume, --validation,
 * --log, --no-chart, --out.
 */
function trainingOptions(command: Command, single: boolean): Command {
  const options: (Option | null)[] = [
    new Option(
      '-l, --layers <spec>',
      "every layer size including input and output, e.g. 3,4,4,1; auto for the first or last takes the data's (required unless --init or --resume)",
    ).argParser(layerSpec),
    new Option('--activation <name>', 'hidden-layer activation').choices(HIDDEN_ACTIVATIONS).default('tanh'),
    new Option('--output-activation <name>', 'output-layer activation').choices(OUTPUT_ACTIVATIONS).default('linear'),
    new Option('-t, --target <names>', 'target column(s), comma-separated (default: the last column)').argParser(
      nameList,
    ),
    new Option('-f, --features <names>', 'feature columns, comma-separated (default: every other column)').argParser(
      nameList,
    ),
    setting('learningRate'),
    setting('epochs'),
    setting('batchSize'),
    setting('lastBatch'),
    setting('seed'),
    new Option('--no-normalize', 'train on raw values instead of standardising features and targets'),
    setting('shuffle'),
    new Option('--task <name>', 'regress (numbers), classify (labels), or auto: classify when the target holds text')
      .choices(['auto', 'regress', 'classify'])
      .default('auto'),
    new Option(
      '--loss <name>',
      'mse for regression; cross-entropy for classification (softmax, or sigmoid for two classes)',
    ).choices(['mse', 'cross-entropy']),
    new Option(
      '--categorical <names>',
      'feature columns of categories, one-hot encoded (default: any feature whose every cell is a word)',
    ).argParser(nameList),
    new Option('--ignore <names>', 'columns to leave out, comma-separated (an id, a date, free text)').argParser(
      nameList,
    ),
    single ? new Option('--init <model>', 'start from the weights of this model file (same architecture)') : null,
    single
      ? new Option(
          '--resume <model>',
          "go on with this model's run: its weights, optimizer state, normalisation and settings; --epochs then counts epochs to add (default: what the run had left)",
        )
      : null,
    setting('optimizer'),
    setting('momentum'),
    setting('beta1'),
    setting('beta2'),
    setting('eps'),
    setting('weightDecay'),
    setting('clipGrad'),
    setting('lrSchedule'),
    setting('lrStepSize'),
    setting('lrGamma'),
    setting('lrMin'),
    setting('validationSplit'),
    single ? new Option('--validation <file>', 'or measure each epoch on this CSV (same columns)') : null,
    setting('patience'),
    setting('minDelta'),
    single
      ? new Option(
          '--log <file>',
          'write epoch, train_loss, validation_loss, lr, seconds per epoch: CSV, or JSON lines for .jsonl; - for stdout',
        )
      : null,
    single ? new Option('--no-chart', 'no loss chart at the end (it is drawn on a terminal only)') : null,
    single
      ? new Option('--report <file>', 'also write an HTML report of the model and its training data (- for stdout)')
      : null,
    single
      ? new Option('-o, --out <path>', 'where to write the model, or - for standard output').default('model.json')
      : null,
    engineOption(),
    delimiterOption(),
    decimalOption(),
    dropInvalidOption(),
    new Option('-q, --quiet', 'no progress bar and no summary'),
  ];
  for (const option of options) if (option) command.addOption(option);
  return command;
}

/** --x1 --w1 --b1 --w2 --b2 for the seed example. */
function seedOptions(command: Command): void {
  for (const [name, value] of Object.entries(SEED_DEFAULTS)) {
    command.addOption(
      new Option(`--${name} <number>`, `${name} in the seed example`).argParser(finiteNumber).default(value),
    );
  }
}

/** What cv and tune score by (named here so that --help loads nothing more). */
function metricOption(): Option {
  return new Option(
    '--metric <name>',
    'accuracy or f1 (classes); r2, mse, rmse or mae (numbers); default accuracy or r2',
  ).choices(['accuracy', 'f1', 'r2', 'mse', 'rmse', 'mae']);
}

/** "90s", "10m", "1h", or plain seconds. */
function duration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(value);
  if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError('must be a time such as 90s, 10m or 1h.');
  return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}

/** A training setting's flag, from the settings table. */
function setting(name: keyof Settings): Option {
  return settingOption(SETTINGS.find((s) => s.name === name)!);
}

function engineOption(): Option {
  return new Option(
    '--engine <name>',
    'wasm: the graph compiled to WebAssembly SIMD kernels; js: lowered to typed arrays in plain JavaScript; graph: the object graph (slow reference)',
  )
    .choices(ENGINES)
    .default(DEFAULT_ENGINE);
}

function delimiterOption(): Option {
  return new Option(
    '-d, --delimiter <char>',
    'field separator: a single character, or "tab" (default: detected from the header: , ; or tab)',
  ).argParser(delimiter);
}

function decimalOption(): Option {
  return new Option(
    '--decimal <mark>',
    'decimal mark of numbers: . or , (default: ".", and "," where a column uses it in a file separated by ; or tab)',
  ).choices(['.', ',']);
}

function dropInvalidOption(): Option {
  return new Option(
    '--drop-invalid',
    'skip rows with an empty, non-numeric, NaN or infinite cell (and say how many) instead of stopping',
  );
}

// For commands that look at a fresh network (--layers) instead of a model file.
function freshSeedOption(description: string): Option {
  return new Option('--seed <n>', description).argParser(integer).default(DEFAULTS.seed);
}

function freshActivationOption(): Option {
  return new Option('--activation <name>', 'hidden activation for --layers')
    .choices(HIDDEN_ACTIVATIONS)
    .default('tanh');
}

function freshOutputActivationOption(): Option {
  return new Option('--output-activation <name>', 'output activation for --layers')
    .choices(OUTPUT_ACTIVATIONS)
    .default('linear');
}
