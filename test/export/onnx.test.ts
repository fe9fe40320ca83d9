import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../src/export/onnx.js';
import { argmax, Predictor } from '../../src/model.js';
import { inputRows, KINDS, trainedModel } from './models.js';

const pythonOnnx = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;

describe('ONNX export, run in onnxruntime', () => {
  it.each(KINDS)('$name: matches predict, 1e-12 in float64 and 1e-5 relative in float32', async (kind) => {
    const model = await trainedModel(kind);
    const x = inputRows(model, 40);
    const expected = new Predictor(model).run(x);
    for (const [dtype, tolerance] of [
      ['float64', 1e-12],
      ['float32', 1e-5],
    ] as const) {
      const session = await ort.InferenceSession.create(toOnnx(model, dtype, 'test'));
      expect([session.inputNames, session.outputNames]).toEqual([
        ['input'],
        model.classes ? ['probabilities', 'label'] : ['predictions'],
      ]);
      const data = dtype === 'float64' ? x.data : Float32Array.from(x.data);
      const out = await session.run({ input: new ort.Tensor(dtype, data, [x.rows, x.cols]) });
      const got = out[model.classes ? 'probabilities' : 'predictions']!;
      expect(got.dims).toEqual([x.rows, expected.cols]);
      const values = got.data as Float64Array | Float32Array;
      for (let i = 0; i < expected.data.length; i++) {
        const e = expected.data[i]!;
        const error = Math.abs(values[i]! - e) / Math.max(1, Math.abs(e));
        if (!(error <= tolerance)) expect.fail(`${dtype} [${i}]: onnx ${values[i]}, predict ${e}, error ${error}`);
      }
      if (model.classes) {
        const best = argmax(expected);
        expect(Array.from(out.label!.data as string[])).toEqual(Array.from(best, (k) => model.classes![k]));
      }
    }
  });

  it.skipIf(!pythonOnnx)(
    "passes ONNX's own checker (full check)",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'autograd-onnx-'));
      for (const kind of KINDS) {
        const path = join(dir, `${kind.classes}-${kind.targets}.onnx`);
        writeFileSync(path, toOnnx(await trainedModel(kind), 'float32', 'test'));
        const r = spawnSync(
          '/usr/bin/python3',
          [
            '-c',
            'import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(dict((p.key,p.value) for p in m.metadata_props)["features"])',
            path,
          ],
          { encoding: 'utf8' },
        );
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(/^\["a", ?"b", ?"c"/);
      }
    },
    60_000,
  );
});
