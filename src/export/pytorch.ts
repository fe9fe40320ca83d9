import type { TrainedModel } from '../train/record.js';
import { inputNames } from './columns.js';

const MODULES: Record<string, string | null> = {
  tanh: 'torch.nn.Tanh()',
  relu: 'torch.nn.ReLU()',
  sigmoid: 'torch.nn.Sigmoid()',
  linear: null,
};

/**
 * The model for PyTorch: a .safetensors file whose tensors are the
 * `nn.Sequential`'s state dict ("0.weight", "0.bias", "2.weight", …; the
 * activations take the indices between) and the standardisation, float64;
 * and a small model.py whose `load()` returns the module, predicting as
 * `autograd predict` does. No Python is needed to write them.
 */
export function toPytorch(
  model: TrainedModel,
  version: string,
  source: string,
  weightsFile: string,
): { safetensors: Uint8Array; python: string } {
  const tensors: [string, number[], number[]][] = [];
  const modules: string[] = [];
  model.parameters.forEach((layer, l) => {
    const nin = model.layers[l]!;
    const nout = model.layers[l + 1]!;
    tensors.push([`${modules.length}.weight`, [nout, nin], layer.weights.flat()]);
    tensors.push([`${modules.length}.bias`, [nout], layer.biases]);
    modules.push(`torch.nn.Linear(${nin}, ${nout})`);
    const last = l === model.parameters.length - 1;
    const activation = MODULES[last ? model.outputActivation : model.activation];
    if (activation) modules.push(activation);
  });
  const norm = model.normalization;
  const buffers: [string, number[]][] = [];
  if (norm) {
    buffers.push(['feature_mean', norm.features.mean], ['feature_std', norm.features.std]);
    if (!model.classes) buffers.push(['target_mean', norm.targets.mean], ['target_std', norm.targets.std]);
  }
  for (const [name, values] of buffers) tensors.push([name, [values.length], values]);
  return {
    safetensors: safetensors(tensors, { format: 'pt', producer: `autograd ${version}`, source }),
    python: python(model, version, source, weightsFile, modules, buffers),
  };
}

/** The safetensors layout: an 8-byte little-endian header length, a JSON header, then the raw float64 tensors. */
function safetensors(tensors: [string, number[], number[]][], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, shape, values] of tensors) {
    header[name] = { dtype: 'F64', shape, data_offsets: [offset, offset + values.length * 8] };
    offset += values.length * 8;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // the tensors start 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, , values] of tensors) {
    for (const v of values) {
      view.setFloat64(at, v, true);
      at += 8;
    }
  }
  return out;
}

function python(
  model: TrainedModel,
  version: string,
  source: string,
  weightsFile: string,
  modules: string[],
  buffers: [string, number[]][],
): string {
  const k = model.classes?.length ?? 0;
  const scaled = buffers.some(([name]) => name === 'target_std');
  const output = !model.classes
    ? scaled
      ? 'return z * self.target_std + self.target_mean'
      : 'return z'
    : model.layers[model.layers.length - 1] === 1
      ? 'p = torch.sigmoid(z)\n        return torch.cat([1 - p, p], dim=1)'
      : 'return torch.softmax(z, dim=1)';
  const inputs = inputNames(model);
  return `"""A PyTorch copy of an autograd model (autograd ${version}, from ${source}).

    from ${weightsFile.replace(/\.safetensors$/, '').replace(/[^A-Za-z0-9_]/g, '_')} import load
    net = load()    # a torch.nn.Module, float64, in eval mode
    y = net(x)      # x: float64 [N, ${inputs.length}], the columns in INPUTS order

It returns ${model.classes ? `the probability of each class [N, ${k}] (label() names the best)` : `the targets [N, ${model.targets.length}] in their own units`},
as \`autograd predict\` does.${model.encoding.length > 0 ? ' A categorical feature is given as its one-hot columns (INPUTS).' : ''}
"""
import json
import pathlib
import struct

import torch

FEATURES = ${JSON.stringify(model.features)}
INPUTS = ${JSON.stringify(inputs)}
TARGETS = ${JSON.stringify(model.targets)}
CLASSES = ${model.classes ? JSON.stringify(model.classes) : 'None'}


def _read_safetensors(path):
    data = pathlib.Path(path).read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = data[8 + length :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(body[start:end]), dtype=torch.float64).reshape(info["shape"])
    return tensors


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(
${modules.map((m) => `            ${m},`).join('\n')}
        )
${buffers.map(([name, values]) => `        self.register_buffer("${name}", torch.zeros(${values.length}, dtype=torch.float64))`).join('\n')}

    def forward(self, x):
        z = self.net(${buffers.length > 0 ? '(x - self.feature_mean) / self.feature_std' : 'x'})
        ${output}


def load(path=None):
    """The model, with its weights from the .safetensors file beside this one (or \`path\`)."""
    tensors = _read_safetensors(path or pathlib.Path(__file__).with_name(${JSON.stringify(weightsFile)}))
    model = Model().double()
    model.net.load_state_dict({name: t for name, t in tensors.items() if name[0].isdigit()})
    for name, buffer in model.named_buffers():
        buffer.copy_(tensors[name])
    return model.eval()


def label(probabilities):
    """The most probable class of each row."""
    return [CLASSES[i] for i in probabilities.argmax(dim=1).tolist()]
`;
}
