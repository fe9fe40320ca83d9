import type { TrainedModel } from '../train/record.js';
import { encode, type Message } from './protobuf.js';
import { inputNames } from './columns.js';

export type ExportDtype = 'float32' | 'float64';

// onnx.proto's field numbers and codes, for the messages an MLP needs.
const FLOAT = 1;
const STRING = 8;
const DOUBLE = 11;
const ATTRIBUTE_INT = 2;
const IR_VERSION = 8;
const OPSET = 13;

const ACTIVATION_OPS: Record<string, string | null> = { tanh: 'Tanh', relu: 'Relu', sigmoid: 'Sigmoid', linear: null };

/**
 * The model as an ONNX file: one input, `input` [N, inputs] — the raw feature
 * columns, a categorical feature as its one-hot columns (named in the
 * metadata) — standardised inside the graph; then each layer as a Gemm and
 * its activation. Regression gives `predictions` [N, targets] in the targets'
 * units; classification gives `probabilities` [N, classes] (softmax, or the
 * two-class sigmoid as [1 − p, p]) and `label` [N], the most probable class.
 */
export function toOnnx(model: TrainedModel, dtype: ExportDtype, version: string): Uint8Array {
  const elem = dtype === 'float64' ? DOUBLE : FLOAT;
  const nodes: Message[] = [];
  const initializers: Message[] = [];
  const constant = (name: string, dims: number[], values: number[]) => {
    initializers.push(tensor(name, dims, values, dtype));
    return name;
  };
  const node = (op: string, inputs: string[], output: string, attributes: Message[] = []) => {
    nodes.push([
      ...inputs.map((i): [number, string] => [1, i]),
      [2, output],
      [3, `${op}_${nodes.length}`],
      [4, op],
      ...attributes.map((a): [number, Message] => [5, a]),
    ]);
    return output;
  };
  const inputs = model.layers[0]!;
  const outputs = model.layers[model.layers.length - 1]!;
  let h = 'input';
  const norm = model.normalization;
  if (norm) {
    h = node('Sub', [h, constant('feature_mean', [inputs], norm.features.mean)], 'centered');
    h = node('Div', [h, constant('feature_std', [inputs], norm.features.std)], 'standardised');
  }
  model.parameters.forEach((layer, l) => {
    const nin = model.layers[l]!;
    const nout = model.layers[l + 1]!;
    const w = constant(`layer${l + 1}.weight`, [nout, nin], layer.weights.flat());
    const b = constant(`layer${l + 1}.bias`, [nout], layer.biases);
    // transB: the weights are stored [out][in], as PyTorch's Linear.
    h = node('Gemm', [h, w, b], `layer${l + 1}`, [intAttribute('transB', 1)]);
    const last = l === model.parameters.length - 1;
    const op = ACTIVATION_OPS[last ? model.outputActivation : model.activation];
    if (op) h = node(op, [h], `layer${l + 1}.${op.toLowerCase()}`);
  });
  const outputsInfo: Message[] = [];
  if (model.classes) {
    const k = model.classes.length;
    if (outputs === 1) {
      const p = node('Sigmoid', [h], 'p');
      const q = node('Sub', [constant('one', [1], [1]), p], 'one_minus_p');
      node('Concat', [q, p], 'probabilities', [intAttribute('axis', 1)]);
    } else {
      node('Softmax', [h], 'probabilities', [intAttribute('axis', -1)]);
    }
    const best = node('ArgMax', ['probabilities'], 'best', [intAttribute('axis', 1), intAttribute('keepdims', 0)]);
    initializers.push(stringTensor('class_names', model.classes));
    node('Gather', ['class_names', best], 'label', [intAttribute('axis', 0)]);
    outputsInfo.push(valueInfo('probabilities', elem, ['N', k]), valueInfo('label', STRING, ['N']));
  } else {
    if (norm) {
      h = node('Mul', [h, constant('target_std', [outputs], norm.targets.std)], 'scaled');
      h = node('Add', [h, constant('target_mean', [outputs], norm.targets.mean)], 'predictions');
    } else {
      h = node('Identity', [h], 'predictions');
    }
    outputsInfo.push(valueInfo('predictions', elem, ['N', outputs]));
  }
  const graph: Message = [
    ...nodes.map((n): [number, Message] => [1, n]),
    [2, 'autograd-mlp'],
    ...initializers.map((t): [number, Message] => [5, t]),
    [11, valueInfo('input', elem, ['N', inputs])],
    ...outputsInfo.map((o): [number, Message] => [12, o]),
  ];
  const metadata: Record<string, string> = {
    features: JSON.stringify(model.features),
    inputs: JSON.stringify(inputNames(model)),
    targets: JSON.stringify(model.targets),
    ...(model.classes ? { classes: JSON.stringify(model.classes) } : {}),
    ...(model.encoding.length > 0 ? { encoding: JSON.stringify(model.encoding) } : {}),
  };
  return encode([
    [1, IR_VERSION],
    [2, 'autograd'],
    [3, version],
    [
      6,
      `An MLP trained by autograd (${model.layers.join(',')}); input: ${inputNames(model).length} columns, see "inputs"`,
    ],
    [7, graph],
    [8, [[2, OPSET]]],
    ...Object.entries(metadata).map(([key, value]): [number, Message] => [
      14,
      [
        [1, key],
        [2, value],
      ],
    ]),
  ]);
}

function intAttribute(name: string, value: number): Message {
  return [
    [1, name],
    [3, value],
    [20, ATTRIBUTE_INT],
  ];
}

function tensor(name: string, dims: number[], values: readonly number[], dtype: ExportDtype): Message {
  const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  // raw_data is little-endian, as typed arrays are on every machine Node runs on that matters here.
  return [
    ...dims.map((d): [number, number] => [1, d]),
    [2, dtype === 'float64' ? DOUBLE : FLOAT],
    [8, name],
    [9, new Uint8Array(data.buffer)],
  ];
}

function stringTensor(name: string, values: readonly string[]): Message {
  return [[1, values.length], [2, STRING], ...values.map((v): [number, string] => [6, v]), [8, name]];
}

function valueInfo(name: string, elem: number, shape: (string | number)[]): Message {
  const dims = shape.map((d): [number, Message] => [1, typeof d === 'string' ? [[2, d]] : [[1, d]]]);
  return [
    [1, name],
    [
      2,
      [
        [
          1,
          [
            [1, elem],
            [2, dims],
          ],
        ],
      ],
    ],
  ];
}
