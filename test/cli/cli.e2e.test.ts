import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, type RunResult, BIN, DATA, shell, tempDir } from '../helpers/cli.js';

const toy = join(DATA, 'toy.csv');
const moons = join(DATA, 'moons.csv');

/** A failure as the user sees it: one line on stderr, nothing on stdout, the right code. */
function expectFailure(result: RunResult, code: number, message: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(/^autograd: error: /);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(result.code).toBe(code);
}

describe('help and version', () => {
  it('--help lists the commands with examples; exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['train', 'predict', 'evaluate', 'Examples:', 'Exit codes']) expect(r.stdout).toContain(word);
  });

  it('train --help lists every flag with its default and an example', async () => {
    const r = await run(['train', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--layers',
      '--activation',
      '--output-activation',
      '--target',
      '--features',
      '--lr',
      '--epochs',
      '--batch-size',
      '--seed',
      '--no-normalize',
      '--no-shuffle',
      '--init',
      '--out',
      '--engine',
      '--delimiter',
      '--drop-invalid',
      '--quiet',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const shown of [
      'default: 0.05',
      'default: 100',
      'default: 32',
      'default: 42',
      'default: "model.json"',
      'default: "tanh"',
      'default: "linear"',
    ]) {
      expect(help).toContain(shown);
    }
    expect(r.stdout).toContain('$ autograd train');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect((await run(['--version'])).stdout.trim()).toBe(version);
  });

  it('no command shows help on stderr and exits 2', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: autograd');
  });
});

describe('train, predict, evaluate', () => {
  let dir: string;
  let model: string;
  beforeAll(async () => {
    dir = tempDir();
    model = join(dir, 'model.json');
    const r = await run(['train', toy, '--layers', '3,4,4,1', '--epochs', '50'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });

  it('train writes model.json, says so on stderr, prints nothing on stdout', async () => {
    const json = JSON.parse(readFileSync(model, 'utf8'));
    expect(json).toMatchObject({
      format: 'autograd-mlp',
      version: 1,
      layers: [3, 4, 4, 1],
      features: ['x1', 'x2', 'x3'],
      targets: ['y'],
    });
    expect(readdirSync(dir)).toEqual(['model.json']);
    const again = await run(['train', toy, '--layers', '3,4,4,1', '--epochs', '50', '--out', join(dir, 'again.json')]);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(
      /^trained 3,4,4,1 for 50 epochs on 4 rows in .* final loss .*; model written to .*again\.json\n$/,
    );
  });

  it('the same command gives a byte-identical model', async () => {
    const other = join(dir, 'same.json');
    await run(['train', toy, '--layers', '3,4,4,1', '--epochs', '50', '--out', other]);
    expect(readFileSync(other, 'utf8')).toBe(readFileSync(model, 'utf8'));
  });

  it('--out - writes the model to stdout and no file', async () => {
    const cwd = tempDir();
    const r = await run(['train', toy, '-l', '3,2,1', '-e', '3', '--out', '-', '-q'], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).layers).toEqual([3, 2, 1]);
    expect(r.stderr).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('trains from stdin with -', async () => {
    const cwd = tempDir();
    const r = await run(['train', '-', '-l', '3,2,1', '-e', '2', '-q'], { cwd, input: readFileSync(toy, 'utf8') });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, 'model.json'))).toBe(true);
  });

  it('--init continues from a model; --no-shuffle --no-normalize train on raw values in file order', async () => {
    const out = join(dir, 'continued.json');
    const r = await run([
      'train',
      toy,
      '--init',
      model,
      '--epochs',
      '5',
      '--no-shuffle',
      '--no-normalize',
      '--out',
      out,
      '-q',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.layers).toEqual([3, 4, 4, 1]);
    expect(json.normalization).toBeNull();
    expect(json.training.shuffle).toBe(false);
  });

  it('predict writes a CSV of predictions, one per input row', async () => {
    const r = await run(['predict', '--model', model, toy]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('y');
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(1)) expect(Number.isFinite(Number(line))).toBe(true);
    expect(r.stderr).toBe('');
  });

  it('predict matches features by name: column order may differ, the target may be absent', async () => {
    const shuffled = join(dir, 'reordered.csv');
    writeFileSync(shuffled, 'x3,x1,x2\n-1,2,3\n0.5,3,-1\n1,0.5,1\n-1,1,1\n');
    const a = (await run(['predict', '-m', model, toy])).stdout;
    const b = (await run(['predict', '-m', model, shuffled])).stdout;
    expect(b).toBe(a);
  });

  it('predict --with-input echoes the input and names the prediction apart from the target', async () => {
    const r = await run(['predict', '-m', model, toy, '--with-input']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('x1,x2,x3,y,predicted_y');
    expect(lines[1]).toMatch(/^2,3,-1,1,-?\d/);
  });

  it('predict reads stdin and stops quietly when the reader goes away (| head)', async () => {
    const big = join(dir, 'big.csv');
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i % 7},${i % 5},${i % 3}`);
    writeFileSync(big, `x1,x2,x3\n${rows.join('\n')}\n`);
    // autograd's own exit status (cat, upstream, may well die of SIGPIPE: that is cat's business).
    const r = shell(
      `cat ${big} | node ${BIN} predict -m ${model} - | head -n 2; echo "status \${PIPESTATUS[1]}" >&2`,
      dir,
    );
    expect(r.stderr).toBe('status 0\n');
    expect(r.stdout.split('\n')[0]).toBe('y');
  });

  it('--engine graph trains and predicts the same numbers as the compiled default', async () => {
    const graph = join(dir, 'graph.json');
    const compiled = join(dir, 'compiled.json');
    await run(['train', toy, '-l', '3,4,4,1', '-e', '20', '--engine', 'graph', '-q', '--out', graph]);
    await run(['train', toy, '-l', '3,4,4,1', '-e', '20', '-q', '--out', compiled]);
    const weights = (path: string) =>
      JSON.parse(readFileSync(path, 'utf8')).parameters.flatMap((p: { weights: number[][]; biases: number[] }) => [
        ...p.weights.flat(),
        ...p.biases,
      ]);
    const a = weights(graph);
    const b = weights(compiled);
    a.forEach((w: number, i: number) => expect(Math.abs(w - b[i]), `weight ${i}`).toBeLessThan(1e-9));
    const viaGraph = (await run(['predict', '-m', compiled, toy, '--engine', 'graph'])).stdout
      .trim()
      .split('\n')
      .slice(1)
      .map(Number);
    const viaTape = (await run(['predict', '-m', compiled, toy])).stdout.trim().split('\n').slice(1).map(Number);
    viaGraph.forEach((p, i) => expect(Math.abs(p - viaTape[i]!)).toBeLessThan(1e-12));
  });

  it('evaluate prints MSE, RMSE, MAE and R² per target', async () => {
    const r = await run(['evaluate', '--model', model, toy]);
    expect(r.code, r.stderr).toBe(0);
    const [head, row] = r.stdout.trimEnd().split('\n');
    expect(head!.split(/\s+/)).toEqual(['target', 'mse', 'rmse', 'mae', 'r2']);
    const [name, mse, rmse, mae, r2] = row!.split(/\s+/);
    expect(name).toBe('y');
    expect(Number(rmse)).toBeCloseTo(Math.sqrt(Number(mse)), 5);
    for (const v of [mse, mae, r2]) expect(Number.isFinite(Number(v))).toBe(true);
  });
});

describe("the README's first command", () => {
  it('trains moons with 2,16,16,1 to a low loss and a good fit', async () => {
    const cwd = tempDir();
    const r = await run(['train', moons, '--layers', '2,16,16,1', '--lr', '0.05', '--epochs', '20'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const ev = await run(['evaluate', '-m', join(cwd, 'model.json'), moons]);
    const r2 = Number(ev.stdout.trimEnd().split('\n')[1]!.split(/\s+/)[4]);
    expect(r2).toBeGreaterThan(0.7);
  }, 60_000);
});

describe('bad input: one line, the right exit code, nothing written', () => {
  const ok = ['--layers', '3,4,1'];
  let dir: string;
  let badFiles: Record<string, string>;
  beforeAll(async () => {
    dir = tempDir();
    badFiles = {
      empty: '',
      headerOnly: 'x1,x2,x3,y\n',
      ragged: 'x1,x2,x3,y\n1,2,3,4\n1,2,3\n',
      nonNumeric: 'x1,x2,x3,y\n1,2,3,4\n1,abc,3,4\n',
      notOurs: '{"format": "keras", "version": 1}',
      futureVersion: '{"format": "autograd-mlp", "version": 9}',
      brokenJson: '{"format": ',
    };
    for (const [name, text] of Object.entries(badFiles)) writeFileSync(join(dir, name), text);
  });
  const file = (name: string) => join(dir, name);
  const model = () => join(dir, 'good.json');
  beforeAll(async () => {
    await run(['train', toy, '-l', '3,2,1', '-e', '2', '-q', '--out', model()]);
  });

  it.each<[string, () => string[], number, RegExp]>([
    ['a missing file', () => ['train', file('nope.csv'), ...ok], 1, /nope\.csv: cannot read: no such file/],
    ['an empty file', () => ['train', file('empty'), ...ok], 1, /empty: the file is empty/],
    ['a header only', () => ['train', file('headerOnly'), ...ok], 1, /headerOnly: has a header row but no data rows/],
    ['a ragged row', () => ['train', file('ragged'), ...ok], 1, /ragged line 3: has 3 fields, but the header has 4/],
    [
      'a non-numeric cell',
      () => ['train', file('nonNumeric'), ...ok],
      1,
      /nonNumeric line 3, column "x2": "abc" is not a number/,
    ],
    ['layers 2,,1', () => ['train', toy, '--layers', '2,,1'], 2, /--layers.*an empty entry at position 2/],
    [
      'layers 0',
      () => ['train', toy, '--layers', '0'],
      2,
      /--layers.*"0" at position 1 is not a positive whole number/,
    ],
    ['layers abc', () => ['train', toy, '--layers', 'abc'], 2, /--layers.*"abc"/],
    ['a single number', () => ['train', toy, '--layers', '3'], 2, /--layers.*at least an input and an output/],
    [
      'a spec that does not fit',
      () => ['train', toy, '--layers', '2,4,2'],
      2,
      /--layers 2,4,2 expects 2 inputs and 2 outputs, but .*toy\.csv gives 3 features \(x1, x2, x3\) and 1 target \(y\); try --layers 3,4,1/,
    ],
    ['no spec', () => ['train', toy], 2, /no layer spec given; for .*toy\.csv try --layers 3,16,16,1/],
    ['lr 0', () => ['train', toy, ...ok, '--lr', '0'], 2, /--lr.*must be a number greater than 0/],
    ['lr -1', () => ['train', toy, ...ok, '--lr=-1'], 2, /--lr.*must be a number greater than 0/],
    ['lr abc', () => ['train', toy, ...ok, '--lr', 'abc'], 2, /--lr.*must be a number greater than 0/],
    ['epochs 0', () => ['train', toy, ...ok, '--epochs', '0'], 2, /--epochs.*must be a positive whole number/],
    ['epochs 1.5', () => ['train', toy, ...ok, '--epochs', '1.5'], 2, /--epochs.*must be a positive whole number/],
    [
      'batch size -3',
      () => ['train', toy, ...ok, '--batch-size=-3'],
      2,
      /--batch-size.*must be a positive whole number/,
    ],
    [
      'an unknown target',
      () => ['train', toy, ...ok, '--target', 'price'],
      2,
      /--target: .*toy\.csv has no column "price"/,
    ],
    ['an unknown option', () => ['train', toy, ...ok, '--learning-rate', '1'], 2, /unknown option '--learning-rate'/],
    [
      'an unknown activation',
      () => ['train', toy, ...ok, '--activation', 'swish'],
      2,
      /--activation.*swish.*Allowed choices are tanh, relu, sigmoid/,
    ],
    [
      'an output folder that does not exist',
      () => ['train', toy, ...ok, '--out', join(dir, 'no', 'm.json')],
      1,
      /m\.json: cannot write: its folder does not exist/,
    ],
    [
      'a model that is not ours',
      () => ['predict', '-m', file('notOurs'), toy],
      1,
      /notOurs: is not an autograd model file/,
    ],
    [
      'a model of an unknown version',
      () => ['predict', '-m', file('futureVersion'), toy],
      1,
      /futureVersion: model file version 9 is not supported/,
    ],
    [
      'a model that is not JSON',
      () => ['evaluate', '-m', file('brokenJson'), toy],
      1,
      /brokenJson: is not a model file: not valid JSON/,
    ],
    ['a missing model', () => ['predict', '-m', file('none.json'), toy], 1, /none\.json: cannot read: no such file/],
    ['predict without --model', () => ['predict', toy], 2, /required option '-m, --model <path>' not specified/],
    [
      'predict on data without the features',
      () => ['predict', '-m', model(), file('ragged')],
      1,
      /ragged line 3: has 3 fields/,
    ],
    [
      'an --init of another shape',
      () => ['train', toy, '--layers', '3,4,1', '--init', model()],
      2,
      /--init model differs from the requested network: layers 3,2,1 vs 3,4,1/,
    ],
  ])('%s', async (_what, args, code, message) => {
    const cwd = tempDir();
    const before = new Set(readdirSync(dir));
    const r = await run(args(), { cwd });
    expectFailure(r, code, message);
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(dir).filter((f) => !before.has(f) && f !== 'good.json')).toEqual([]);
  });

  it('a model whose shapes disagree with its layers', async () => {
    const path = join(dir, 'bad-shapes.json');
    const json = JSON.parse(readFileSync(model(), 'utf8'));
    json.parameters[0].weights.pop();
    writeFileSync(path, JSON.stringify(json));
    expectFailure(
      await run(['predict', '-m', path, toy]),
      1,
      /bad-shapes\.json: parameters\[0\]\.weights must have 2 rows \(out × in = 2 × 3\) for layers 3,2,1/,
    );
  });

  it('evaluate on data without the target column names it', async () => {
    const path = join(dir, 'features-only.csv');
    writeFileSync(path, 'x1,x2,x3\n1,2,3\n');
    expectFailure(
      await run(['evaluate', '-m', model(), path]),
      1,
      /features-only\.csv: has no target column "y", which the model needs/,
    );
  });

  it('predict names feature columns the data lacks', async () => {
    const path = join(dir, 'two-features.csv');
    writeFileSync(path, 'x1,x2\n1,2\n');
    expectFailure(
      await run(['predict', '-m', model(), path]),
      1,
      /two-features\.csv: has no feature column "x3", which the model needs \(model features: x1, x2, x3\)/,
    );
  });
});
