import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toPytorch } from '../../src/export/pytorch.js';
import { Predictor } from '../../src/model.js';
import { inputRows, KINDS, trainedModel } from './models.js';

const pythonTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

/** A safetensors file read back by the letter of its layout. */
function readSafetensors(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, any>;
  const body = 8 + length;
  const tensors: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    expect(info.dtype).toBe('F64');
    const [start, end] = info.data_offsets as [number, number];
    const values = Array.from({ length: (end - start) / 8 }, (_, i) => view.getFloat64(body + start + i * 8, true));
    tensors[name] = { shape: info.shape, values };
  }
  return { header, tensors, aligned: body % 8 === 0 };
}

describe('PyTorch export', () => {
  it.each(KINDS)('$name: the Sequential state dict and the standardisation, the same numbers', async (kind) => {
    const model = await trainedModel(kind);
    const { safetensors } = toPytorch(model, 'test', 'model.json', 'net.safetensors');
    const { tensors, header, aligned } = readSafetensors(safetensors);
    expect(aligned).toBe(true);
    expect(header.__metadata__.format).toBe('pt');
    // Linear modules at 0, 2, 4 (an activation between each pair), whatever the output activation.
    model.parameters.forEach((layer, l) => {
      expect(tensors[`${2 * l}.weight`]).toEqual({
        shape: [layer.biases.length, layer.weights[0]!.length],
        values: layer.weights.flat(),
      });
      expect(tensors[`${2 * l}.bias`]!.values).toEqual(layer.biases);
    });
    if (model.normalization) expect(tensors.feature_std!.values).toEqual(model.normalization.features.std);
    else expect(tensors.feature_std).toBeUndefined();
  });

  it.skipIf(!pythonTorch)(
    'loads in PyTorch and predicts as predict does, to 1e-12',
    async () => {
      // One Python for every kind: importing torch takes seconds.
      const cases: { name: string; dir: string; rows: number[][]; expected: Float64Array }[] = [];
      for (const kind of KINDS) {
        const model = await trainedModel(kind);
        const dir = mkdtempSync(join(tmpdir(), 'autograd-torch-'));
        const { safetensors, python } = toPytorch(model, 'test', 'model.json', 'net.safetensors');
        writeFileSync(join(dir, 'net.safetensors'), safetensors);
        writeFileSync(join(dir, 'net.py'), python);
        const x = inputRows(model, 20);
        const rows = Array.from({ length: x.rows }, (_, r) =>
          Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols)),
        );
        cases.push({ name: kind.name, dir, rows, expected: new Predictor(model).run(x).data });
      }
      const script = `import importlib.util,json,sys,torch
out = []
for case in json.loads(sys.stdin.read()):
    spec = importlib.util.spec_from_file_location("net", case["dir"] + "/net.py")
    net = importlib.util.module_from_spec(spec); spec.loader.exec_module(net)
    out.append(net.load()(torch.tensor(case["rows"], dtype=torch.float64)).tolist())
print(json.dumps(out))`;
      const r = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
      expect(r.stderr).toBe('');
      (JSON.parse(r.stdout) as number[][][]).forEach((predictions, c) => {
        const { name, expected } = cases[c]!;
        predictions
          .flat()
          .forEach((v, i) => expect(Math.abs(v - expected[i]!), `${name} [${i}]`).toBeLessThanOrEqual(1e-12));
      });
    },
    60_000,
  );
});
