import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA, run, tempDir } from '../helpers/cli.js';

const blobs = join(DATA, 'blobs.csv');
let dir: string;
let model: string;

beforeAll(async () => {
  dir = tempDir();
  model = join(dir, 'm.json');
  await run(['train', blobs, '-l', 'auto,6,auto', '-e', '3', '-q', '-o', model]);
});

describe('autograd export', () => {
  it('writes each format beside the model by default, and says where', async () => {
    for (const [format, files] of [
      ['onnx', ['m.onnx']],
      ['js', ['m.mjs']],
      ['pytorch', ['m.safetensors', 'm.py']],
    ] as const) {
      const r = await run(['export', model, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`autograd: wrote ${files.map((f) => join(dir, f)).join(' and ')}\n`);
      for (const f of files) expect(existsSync(join(dir, f))).toBe(true);
    }
  });

  it('the JS module predicts the labels predict prints', async () => {
    const out = join(tempDir(), 'blobs.mjs');
    expect((await run(['export', model, '--format', 'js', '-o', out])).code).toBe(0);
    const js = await import(pathToFileURL(out).href);
    const printed = (await run(['predict', '-m', model, blobs])).stdout.trim().split('\n').slice(1);
    const rows = readFileSync(blobs, 'utf8').trim().split('\n').slice(1, 51);
    rows.forEach((line, r) => {
      const [x1, x2] = line.split(',').map(Number);
      expect(js.predict({ x1, x2 }).label).toBe(printed[r]);
    });
  });

  it('writes ONNX to stdout with -o -', async () => {
    const r = await run(['export', model, '--format', 'onnx', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(100);
  });

  it.each([
    [['--format', 'tflite'], 2, /--format.*Allowed choices are onnx, js, pytorch/],
    [['--format', 'js', '--dtype', 'float32'], 2, /--dtype float32 is for --format onnx/],
    [['--format', 'onnx', '--dtype', 'half'], 2, /--dtype.*Allowed choices are float32, float64/],
    [['--format', 'pytorch', '-o', '-'], 2, /the pytorch export is two files/],
    [['--format', 'onnx', '-o', '/nonexistent-dir/m.onnx'], 1, /cannot write: its folder does not exist/],
    [['--format', 'js', '-o', 'MODEL'], 2, /--out: .* is the model being exported/],
  ])('%j: one line, exit %d, nothing written', async (flags, code, message) => {
    const before = readdirSync(dir).sort();
    const r = await run(['export', model, ...flags.map((f) => (f === 'MODEL' ? model : f))]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.code).toBe(code);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('a file that is not a model is refused, naming it', async () => {
    const bad = join(tempDir(), 'bad.json');
    writeFileSync(bad, '{"hello": 1}');
    const r = await run(['export', bad, '--format', 'onnx']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.json: is not an autograd model file/);
  });
});
