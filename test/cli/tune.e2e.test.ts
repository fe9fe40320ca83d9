import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA, run, tempDir } from '../helpers/cli.js';

const blobs = join(DATA, 'blobs.csv');
const moons = join(DATA, 'moons.csv');

describe('autograd split', () => {
  it('copies each row as it is, header first, a seeded and stratified test part', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'q.csv'), '\ufeffa,y\r\n"1,5",x\r\n2,y\r\n\r\n3,x\r\n4,y\r\n5,x\r\n6,y\n');
    const r = await run(['split', 'q.csv', '--test', '0.4', '--train-out', 'a.csv', '--test-out', 'b.csv'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('autograd: 4 rows to a.csv, 2 to b.csv, stratified by y\n');
    const [a, b] = ['a.csv', 'b.csv'].map((f) => readFileSync(join(cwd, f), 'utf8'));
    expect(a!.startsWith('\ufeffa,y\r\n')).toBe(true);
    const rows = (t: string) => t.split(/(?<=\n)/).slice(1);
    expect([...rows(a!), ...rows(b!)].sort()).toEqual(
      ['"1,5",x\r\n', '2,y\r\n', '3,x\r\n', '4,y\r\n', '5,x\r\n', '6,y\n'].sort(),
    );
    expect(rows(b!).filter((l) => l.includes('x'))).toHaveLength(1);
    const again = await run(['split', 'q.csv', '--test', '0.4', '--train-out', 'c.csv', '--test-out', 'd.csv'], {
      cwd,
    });
    expect(again.code).toBe(0);
    expect(readFileSync(join(cwd, 'd.csv'), 'utf8')).toBe(b);
  });

  it.each([
    [['--train-out', 'blobs.csv', '--test-out', 't.csv'], 2, /is the data being split/],
    [['--train-out', 'a.csv', '--test-out', 'a.csv'], 2, /name the same file/],
    [['--test', '1', '--train-out', 'a.csv', '--test-out', 'b.csv'], 2, /--test.*between 0 and 1/],
    [
      ['--test', '0.001', '--stratify', '--train-out', 'a.csv', '--test-out', 'b.csv'],
      1,
      /too few to put 0.001 of them in the test part/,
    ],
  ])('%j: one line, exit %d, nothing written', async (flags, code, message) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'blobs.csv'), readFileSync(blobs));
    const r = await run(['split', 'blobs.csv', ...flags], { cwd });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(readdirSync(cwd)).toEqual(['blobs.csv']);
  });
});

describe('autograd cv', () => {
  it('scores each fold and the mean, as text or JSON', async () => {
    const args = ['cv', blobs, '-l', 'auto,6,auto', '-e', '3', '--folds', '3'];
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^3-fold cross-validation on 600 rows, stratified by class: accuracy\nfold 1 {2}0\.\d+\nfold 2 {2}0\.\d+\nfold 3 {2}0\.\d+\nmean {4}0\.\d+ ± 0\.\d+\n$/,
    );
    const json = JSON.parse((await run([...args, '--json'])).stdout);
    expect(json.scores).toHaveLength(3);
    expect(json.metric).toBe('accuracy');
  });

  it.each([
    [['--folds', '1'], 2, /--folds: folds must be from 2/],
    [['--metric', 'r2'], 2, /--metric: r2 does not score a classifier/],
  ])('%j is refused before training', async (flags, code, message) => {
    const r = await run(['cv', blobs, '-l', 'auto,4,auto', ...flags]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.code).toBe(code);
  });
});

describe('autograd tune', () => {
  const tune = ['tune', moons, '-l', 'auto,6,auto', '--task', 'classify', '-e', '5', '--folds', '3', '-q'];
  const search = ['--search', 'lr=0.01..0.3:log', '--search', 'optimizer=sgd,adam', '--trials', '5'];

  it('gives the same leaderboard and the same best model whatever --jobs is', async () => {
    const cwd = tempDir();
    const one = await run([...tune, ...search, '--jobs', '1', '-o', 'one.json', '--log', 'one.csv'], { cwd });
    const two = await run([...tune, ...search, '--jobs', '2', '-o', 'two.json'], { cwd });
    expect(one.code, one.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(readFileSync(join(cwd, 'two.json'), 'utf8')).toBe(readFileSync(join(cwd, 'one.json'), 'utf8'));
    expect(one.stdout).toMatch(/^rank {2}accuracy \(mean ± std\) {2}lr +optimizer\n1 {5}/);
    expect(one.stdout).toMatch(
      /\nbest: autograd train \S+moons\.csv --layers auto,6,auto --epochs 5 --task classify --lr [\d.]+ --optimizer (sgd|adam)\n$/,
    );
    const log = readFileSync(join(cwd, 'one.csv'), 'utf8').trim().split('\n');
    expect(log[0]).toBe('trial,lr,optimizer,mean,std,scores,seconds,failure');
    expect(log).toHaveLength(6);
  });

  it('a grid when every dimension is a list and small; a diverging trial is recorded, not fatal', async () => {
    const r = await run(
      [
        'tune',
        moons,
        '-l',
        'auto,4,auto',
        '-e',
        '3',
        '--folds',
        '2',
        '--search',
        'lr=0.05,100000',
        '--search',
        'optimizer=sgd',
      ],
      {},
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /grid search: 2 trials of lr, optimizer, 2-fold cross-validation, r2 \(higher is better\)/,
    );
    expect(r.stdout).toMatch(/\n1 failed \(first: trial 2: training diverged: .* try a smaller --lr\)\n/);
  });

  it('--validation-split holds rows out once instead of folds; --time-limit starts no trial after it', async () => {
    const held = await run([
      'tune',
      moons,
      '-l',
      'auto,4,auto',
      '-e',
      '3',
      '--validation-split',
      '0.25',
      '--search',
      'lr=0.01,0.1',
      '-q',
    ]);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toMatch(/^rank {2}r2 \(mean ± std\) {2}lr\n1 {5}\S+ ± 0 /);
    expect(held.stdout).not.toMatch(/best: .*--validation-split/);
    const limited = await run([...tune, '--search', 'lr=0.01..0.1', '--trials', '500', '--time-limit', '0.5s']);
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stdout).toMatch(/\n\d+ of 500 trials ran \(stopped early\)\n/);
  });

  it.each([
    [['--search', 'dropout=0.5'], /--search: "dropout=0.5": no flag --dropout to search/],
    [['--search', 'lr=0.5..0.1'], /the range 0.5..0.1 is empty or inverted/],
    [['--search', 'batch-size=16,0'], /"0" must be a positive whole number/],
    [['--search', 'lr=0.1', '--folds', '1001'], /--folds: folds must be from 2 to the number of rows \(1000\)/],
    [[], /give at least one --search/],
  ])('%j: one line, exit 2, before any training', async (flags, message) => {
    const cwd = tempDir();
    const r = await run(['tune', moons, '-l', 'auto,4,auto', ...flags, '-o', 'best.json'], { cwd });
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(readdirSync(cwd)).toEqual([]);
  });
});
