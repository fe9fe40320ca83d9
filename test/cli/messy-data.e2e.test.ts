import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, type RunResult, DATA, tempDir } from '../helpers/cli.js';

// Files as spreadsheets and people make them: each must end in a right answer
// or in one short located line and a non-zero exit, leaving every file as it was.

const moons = join(DATA, 'moons.csv');
const blobs = join(DATA, 'blobs.csv');
let dir: string;

const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i));

beforeAll(async () => {
  dir = tempDir();
  const typo = rows(60, (i) => `${(i * 0.37) % 5},${(i * 1.5).toFixed(2)}`);
  typo[40] = '1.2,abc';
  writeFileSync(join(dir, 'typo.csv'), ['x,y', ...typo, ''].join('\n'));
  const commas = rows(50, (i) => `${(20 + i * 0.51).toFixed(2)};${i % 7};${(i * 1.25).toFixed(2)}`.replace(/\./g, ','));
  writeFileSync(join(dir, 'comma.csv'), `\ufeffa;b;y\r\n${commas.join('\r\n')}\r\n`);
  const dated = rows(40, (i) => `${i + 1},2024-03-${String((i % 28) + 1).padStart(2, '0')}T${i},${i % 5},${i % 3}.5`);
  writeFileSync(join(dir, 'ids.csv'), ['id,date,x,y', ...dated, ''].join('\n'));
  const names = rows(784, (i) => `pixel${i}`);
  writeFileSync(
    join(dir, 'wide.csv'),
    [[...names, 'y'].join(','), rows(785, (i) => String(i % 3)).join(',')].join('\n'),
  );
  writeFileSync(join(dir, 'one.csv'), 'a,y\n1,2\n');
});

/** One line on stderr, short, no stack; nothing on stdout; the code. */
function expectRefusal(r: RunResult, code: number, message: RegExp) {
  expect(r.stderr, r.stderr).toMatch(message);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.length).toBeLessThan(330);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(code);
}

describe('messy data: an error at the cell, never a silently wrong model', () => {
  it.each([
    [
      'a typo in a numeric target is not a 59-class classifier',
      ['typo.csv'],
      1,
      /^autograd: error: \S*typo\.csv line 42, column "y": "abc" is not a number \(--drop-invalid skips such rows; --task classify if "y" holds labels\)\n$/,
    ],
    [
      'a date column is not 40 categories',
      ['ids.csv'],
      1,
      /^autograd: error: \S*ids\.csv, column "date": has 40 different values in 40 rows, like an id, a date or free text: leave it out with --ignore date/,
    ],
    [
      '--ignore names a real column',
      ['ids.csv', '--ignore', 'when'],
      2,
      /^autograd: error: --ignore: .*no column "when"/,
    ],
    [
      'a 784-feature file that does not fit the spec: a short message, and no log file',
      ['wide.csv', '-l', '10,4,1', '--log', 'run.csv'],
      2,
      /^autograd: error: --layers 10,4,1 expects 10 inputs and 1 output, but .* gives 784 features \(pixel0, .* and 778 more\)/,
    ],
    ['--categorical names a feature', ['typo.csv', '--categorical', 'nope'], 2, /--categorical: .*no column "nope"/],
    [
      '--categorical is not for the target',
      ['typo.csv', '--categorical', 'y'],
      2,
      /"y" is the target.*--task classify/,
    ],
    ['--momentum outside [0, 1)', ['typo.csv', '--momentum', '1'], 2, /--momentum.*from 0 up to \(not including\) 1/],
    ['-e 1e2 says what is wrong', ['typo.csv', '-e', '1e2'], 2, /--epochs.*written in digits, e\.g\. 100/],
    [
      '--log - with --out -',
      ['typo.csv', '--log', '-', '--out', '-'],
      2,
      /--out - and --log - would both write to stdout; send one of them to a file/,
    ],
    [
      '--report - with --out - and --log -',
      ['typo.csv', '--report', '-', '--log', '-', '--out', '-'],
      2,
      /--out - and --log - and --report - would all write to stdout; send all but one to a file/,
    ],
    [
      'an object graph too big for memory is refused at once',
      [moons, '-l', '2,256,256,1', '-b', '1000', '--engine', 'graph'],
      2,
      /^autograd: error: --engine: the object graph of one batch .* use the wasm engine \(the default\), the js engine or a smaller batch/,
    ],
    ['a file that is not text', ['/dev/zero'], 1, /^autograd: error: \/dev\/zero line 1: has a NUL byte/],
  ])('%s', async (_what, args, code, message) => {
    const cwd = tempDir();
    const [data, ...flags] = args;
    const r = await run(['train', data!.startsWith('/') ? data! : join(dir, data!), '-l', 'auto,4,auto', ...flags], {
      cwd,
    });
    expectRefusal(r, code, message);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('decimal commas in a ;-separated export with CRLF and a BOM: numbers, said on stderr', async () => {
    const cwd = tempDir();
    const r = await run(['train', join(dir, 'comma.csv'), '-l', 'auto,4,auto', '-e', '2'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^autograd: reading decimal commas \(as in "20,00"\) in a, y; --decimal \. turns this off\n/,
    );
    const model = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8'));
    expect([model.task, model.features, model.encoding, model.layers]).toEqual(['regress', ['a', 'b'], [], [2, 4, 1]]);
  });

  it('--drop-invalid skips the typo and says so; --ignore leaves a column out and an id is pointed at', async () => {
    const cwd = tempDir();
    const dropped = await run(['train', join(dir, 'typo.csv'), '-l', 'auto,4,auto', '-e', '1', '--drop-invalid'], {
      cwd,
    });
    expect(dropped.code).toBe(0);
    expect(dropped.stderr).toMatch(/warning: skipped 1 row with a missing or invalid cell \(first: .*line 42/);
    const ignored = await run(['train', join(dir, 'ids.csv'), '-l', 'auto,4,auto', '-e', '1', '--ignore', 'date'], {
      cwd,
    });
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toMatch(/warning: feature "id" counts up row by row like an id; .* --ignore id/);
    expect(JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8')).features).toEqual(['id', 'x']);
  });

  it('whole-number labels train as regression, with a word about --task classify; plurals read right', async () => {
    const r = await run(['train', moons, '-l', 'auto,4,auto', '-e', '1', '-q']);
    expect(r.stderr).toBe('');
    const noisy = await run(['train', moons, '-l', 'auto,4,auto', '-e', '1']);
    expect(noisy.stderr).toMatch(/label holds 2 different whole numbers; training a regression — say --task classify/);
    const one = await run(['train', join(dir, 'one.csv'), '-l', '1,1', '-e', '1']);
    expect(one.stderr).toMatch(/trained 1,1 for 1 epoch on 1 row in/);
  });
});

describe('nothing is overwritten that should not be', () => {
  it.each([
    [
      '--out',
      (cwd: string) => ['train', join(cwd, 'data.csv'), '-o', join(cwd, 'data.csv')],
      /--out: .* is the training data/,
    ],
    [
      '--out through a link',
      (cwd: string) => ['train', join(cwd, 'data.csv'), '-o', join(cwd, 'link.csv')],
      /--out: .* is the training data/,
    ],
    [
      '--log',
      (cwd: string) => ['train', join(cwd, 'data.csv'), '--log', join(cwd, 'data.csv')],
      /--log: .* is the training data/,
    ],
    [
      '--validation',
      (cwd: string) => ['train', join(cwd, 'data.csv'), '--validation', join(cwd, 'v.csv'), '-o', join(cwd, 'v.csv')],
      /--out: .* is the --validation data/,
    ],
    [
      '--init',
      (cwd: string) => ['train', join(cwd, 'data.csv'), '--init', join(cwd, 'm.json'), '-o', join(cwd, 'm.json')],
      /--out: .* is the --init model/,
    ],
  ])(
    'an output that is an input (%s) is refused before training, and the input is untouched',
    async (_what, args, message) => {
      const cwd = tempDir();
      const text = readFileSync(moons, 'utf8');
      writeFileSync(join(cwd, 'data.csv'), text);
      writeFileSync(join(cwd, 'v.csv'), text);
      symlinkSync('data.csv', join(cwd, 'link.csv'));
      await run(['train', moons, '-l', '2,4,1', '-e', '1', '-q', '-o', join(cwd, 'm.json')]);
      const model = readFileSync(join(cwd, 'm.json'), 'utf8');
      const r = await run([...args(cwd), '-l', '2,4,1', '-e', '1']);
      expectRefusal(r, 2, message);
      expect(readFileSync(join(cwd, 'data.csv'), 'utf8')).toBe(text);
      expect(readFileSync(join(cwd, 'v.csv'), 'utf8')).toBe(text);
      expect(readFileSync(join(cwd, 'm.json'), 'utf8')).toBe(model);
      expect(readdirSync(cwd).sort()).toEqual(['data.csv', 'link.csv', 'm.json', 'v.csv']);
    },
  );

  it('--resume m.json --out m.json goes on in place; an existing output keeps its mode, a link stays a link', async () => {
    const cwd = tempDir();
    const path = join(cwd, 'm.json');
    await run(['train', moons, '-l', '2,4,1', '-e', '1', '-q', '-o', path]);
    chmodSync(path, 0o600);
    symlinkSync('m.json', join(cwd, 'link.json'));
    const r = await run(['train', moons, '--resume', path, '-e', '1', '-q', '-o', join(cwd, 'link.json')]);
    expect(r.code).toBe(0);
    expect(lstatSync(join(cwd, 'link.json')).isSymbolicLink()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8')).training.epochs).toBe(2);
  });

  it('--log - writes the log to stdout', async () => {
    const cwd = tempDir();
    const r = await run(['train', moons, '-l', '2,4,1', '-e', '2', '-q', '--log', '-'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^epoch,train_loss,validation_loss,lr,seconds\n1,[^\n]+\n2,[^\n]+\n$/);
    expect(existsSync(join(cwd, 'model.json'))).toBe(true);
  });
});

describe('flags name what the user gave', () => {
  it('a column missing from --validation or from an --init model says which', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'v.csv'), 'x1,label\n1,0\n');
    const v = await run(['train', moons, '-l', '2,4,1', '--validation', join(cwd, 'v.csv')], { cwd });
    expectRefusal(v, 1, /v\.csv: has no column "x2", which the training data has/);
    await run(['train', moons, '-l', '2,4,1', '-e', '1', '-q', '-o', join(cwd, 'm.json')]);
    const init = await run(['train', join(cwd, 'v.csv'), '--init', join(cwd, 'm.json')], { cwd });
    expectRefusal(init, 1, /v\.csv: has no column "x2", which the --init model has/);
  });

  it('predict --proba on a regression model, and a model file that names a column twice', async () => {
    const cwd = tempDir();
    const path = join(cwd, 'm.json');
    await run(['train', moons, '-l', '2,4,1', '-e', '1', '-q', '-o', path]);
    expectRefusal(await run(['predict', '-m', path, moons, '--proba']), 2, /--proba: .* is a regression model/);
    const model = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...model, features: ['x1', 'x1'] }));
    expectRefusal(await run(['predict', '-m', path, moons]), 1, /names the column "x1" twice/);
  });

  it('a setting for another optimizer is a warning, not silence', async () => {
    const r = await run(['train', moons, '-l', '2,4,1', '-e', '1', '--beta1', '0.5', '--task', 'regress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^autograd: warning: --beta1 is for --optimizer adam; this run uses sgd, so it has no effect\n/,
    );
  });
});

describe('gradcheck checks the model it is given', () => {
  it('a classifier with word labels: its own cross-entropy, on its own data', async () => {
    const cwd = tempDir();
    await run(['train', blobs, '-l', 'auto,4,auto', '-e', '2', '-q'], { cwd });
    const r = await run(['gradcheck', '-m', join(cwd, 'model.json'), blobs]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/cross-entropy loss/);
    expect(r.code).toBe(0);
  });
});
