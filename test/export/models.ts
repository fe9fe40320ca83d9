import { parseCsv } from '../../src/data/csv.js';
import { datasetFromTable } from '../../src/data/dataset.js';
import type { Activation, HiddenActivation } from '../../src/nn/activation.js';
import { Random } from '../../src/random.js';
import { fit } from '../../src/train/fit.js';
import type { TrainedModel } from '../../src/train/record.js';

export interface Kind {
  name: string;
  targets: number;
  /** 0: regression; 2 or more: that many classes. */
  classes: number;
  activation: HiddenActivation;
  outputActivation: Activation;
  categorical?: boolean;
  normalize?: boolean;
}

/** The kinds of model an export must carry: every task, output shape and activation, with and without categories. */
export const KINDS: Kind[] = [
  { name: 'regression, tanh', targets: 1, classes: 0, activation: 'tanh', outputActivation: 'linear' },
  { name: 'two targets, relu, tanh out', targets: 2, classes: 0, activation: 'relu', outputActivation: 'tanh' },
  {
    name: 'regression, sigmoid, relu out, raw values',
    targets: 1,
    classes: 0,
    activation: 'sigmoid',
    outputActivation: 'relu',
    normalize: false,
  },
  {
    name: 'regression, sigmoid out, a categorical feature',
    targets: 1,
    classes: 0,
    activation: 'tanh',
    outputActivation: 'sigmoid',
    categorical: true,
  },
  { name: 'two classes', targets: 1, classes: 2, activation: 'tanh', outputActivation: 'linear' },
  {
    name: 'three classes, relu, a categorical feature',
    targets: 1,
    classes: 3,
    activation: 'relu',
    outputActivation: 'linear',
    categorical: true,
  },
];

/** A small model of that kind, trained for a few epochs on random rows. */
export async function trainedModel(kind: Kind): Promise<TrainedModel> {
  const random = new Random(7);
  const colours = ['red', 'green', 'blue'];
  const header = [
    'a',
    'b',
    'c',
    ...(kind.categorical ? ['colour'] : []),
    ...Array.from({ length: kind.targets }, (_, j) => `y${j}`),
  ];
  const lines = Array.from({ length: 60 }, (_, r) => {
    const x = [random.normal(), random.normal() * 3, random.uniform(-1, 1)];
    const cells = x.map((v) => v.toFixed(6));
    if (kind.categorical) cells.push(colours[r % 3]!);
    for (let j = 0; j < kind.targets; j++) {
      const y = x[0]! * (j + 1) - x[1]! + 0.5 * x[2]!;
      cells.push(kind.classes ? `k${Math.abs(Math.round(y * 10)) % kind.classes}` : y.toFixed(6));
    }
    return cells.join(',');
  });
  const data = datasetFromTable(parseCsv({ name: 'm.csv', text: [header.join(','), ...lines].join('\n') }), {
    choice: { targets: header.slice(header.length - kind.targets) },
    task: kind.classes ? 'classify' : 'regress',
    detectCategorical: true,
  });
  const { model } = await fit(data, {
    layers: [0, 5, 4, 0],
    activation: kind.activation,
    outputActivation: kind.outputActivation,
    normalize: kind.normalize ?? true,
    epochs: 3,
    seed: 3,
  });
  return model;
}

/** Rows of the model's input columns (one-hot columns as 0/1), to predict on. */
export function inputRows(model: TrainedModel, rows: number, seed = 11) {
  const random = new Random(seed);
  const cols = model.layers[0]!;
  const data = new Float64Array(rows * cols);
  let at = 0;
  for (const f of model.features) {
    const categories = model.encoding.find((e) => e.feature === f)?.categories;
    if (categories) {
      for (let r = 0; r < rows; r++) data[r * cols + at + (r % categories.length)] = 1;
      at += categories.length;
    } else {
      for (let r = 0; r < rows; r++) data[r * cols + at] = random.normal() * 2;
      at++;
    }
  }
  return { rows, cols, data };
}
