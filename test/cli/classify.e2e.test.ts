import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, DATA, tempDir } from '../helpers/cli.js';

const blobs = join(DATA, 'blobs.csv');
const moons = join(DATA, 'moons.csv');

describe('classification', () => {
  it('text labels: says so, trains with cross-entropy, predicts labels and probabilities', async () => {
    const cwd = tempDir();
    const r = await run(['train', blobs, '-l', '2,16,3', '-e', '30'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /species holds labels, so this is classification: 3 classes \(setosa, versicolor, virginica\), cross-entropy loss/,
    );
    const model = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8'));
    expect(model).toMatchObject({
      task: 'classify',
      classes: ['setosa', 'versicolor', 'virginica'],
      targets: ['species'],
    });
    expect(model.training.loss).toBe('cross-entropy');

    const p = await run(['predict', '-m', join(cwd, 'model.json'), blobs, '--proba']);
    const lines = p.stdout.trim().split('\n');
    expect(lines[0]).toBe('species,p_setosa,p_versicolor,p_virginica');
    const [label, ...probabilities] = lines[1]!.split(',');
    expect(['setosa', 'versicolor', 'virginica']).toContain(label);
    expect(probabilities.map(Number).reduce((a, b) => a + b)).toBeCloseTo(1, 12);

    const e = await run(['evaluate', '-m', join(cwd, 'model.json'), blobs]);
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^accuracy 0\.9\d+ \(600 rows\)/);
    expect(e.stdout).toContain('confusion matrix (rows: true class, columns: predicted)');
    const json = JSON.parse((await run(['evaluate', '-m', join(cwd, 'model.json'), blobs, '--json'])).stdout);
    expect(json.confusion.flat().reduce((a: number, b: number) => a + b)).toBe(600);
    expect(json.classes.map((c: { class: string }) => c.class)).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('--task classify on 0/1 labels: one sigmoid output, binary cross-entropy', async () => {
    const cwd = tempDir();
    const wrong = await run(['train', moons, '-l', '2,8,2', '--task', 'classify', '-e', '2'], { cwd });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/2 classes in label \(0, 1\), which take 1 output; try --layers 2,8,1/);
    const r = await run(['train', moons, '-l', '2,16,16,1', '--task', 'classify', '-e', '40', '-q'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8')).training.loss).toBe('binary-cross-entropy');
    const e = await run(['evaluate', '-m', join(cwd, 'model.json'), moons, '--json']);
    expect(JSON.parse(e.stdout).accuracy).toBeGreaterThan(0.95);
  });

  it('labels the model never saw are a located error at evaluate', async () => {
    const cwd = tempDir();
    await run(['train', blobs, '-l', '2,4,3', '-e', '2', '-q'], { cwd });
    writeFileSync(join(cwd, 'new.csv'), 'x1,x2,species\n0,0,setosa\n1,1,rose\n');
    const r = await run(['evaluate', '-m', join(cwd, 'model.json'), join(cwd, 'new.csv')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/new\.csv line 3, column "species": label "rose" is not one of the model.s classes/);
  });

  it.each([
    [['--loss', 'mse', '--task', 'classify'], /--loss mse does not go with --task classify/],
    [['--output-activation', 'sigmoid'], /classification trains linear outputs \(logits\)/],
  ])('%j is refused', async (flags, message) => {
    const r = await run(['train', blobs, '-l', '2,4,3', ...flags], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('categorical features', () => {
  it('a column of words is one-hot encoded, stored in the model, and applied at predict', async () => {
    const cwd = tempDir();
    const rows = [
      'size,colour,price',
      '1.2,red,10',
      '1.6,blue,14',
      '2.0,green,19',
      '1.4,red,12',
      '1.8,blue,16',
      '2.2,green,21',
    ];
    writeFileSync(join(cwd, 'cars.csv'), `${rows.join('\n')}\n`);
    const wrong = await run(['train', 'cars.csv', '-l', '2,4,1'], { cwd });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /gives 4 inputs \(size, colour=blue, colour=green, colour=red: categories count one each\).*try --layers 4,4,1/,
    );
    const r = await run(['train', 'cars.csv', '-l', 'auto,4,auto', '-e', '20'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/one-hot encoding the categorical feature colour \(3\): 4 inputs in all/);
    const model = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8'));
    expect(model.layers).toEqual([4, 4, 1]);
    expect(model.encoding).toEqual([{ feature: 'colour', categories: ['blue', 'green', 'red'] }]);
    writeFileSync(join(cwd, 'new.csv'), 'colour,size\nblue,1.5\npurple,1.5\n');
    const p = await run(['predict', '-m', 'model.json', 'new.csv'], { cwd });
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(
      /new\.csv line 3, column "colour": category "purple" was not seen in training \(known: blue, green, red\)/,
    );
    const kept = await run(['predict', '-m', 'model.json', 'new.csv', '--drop-invalid'], { cwd });
    expect(kept.code).toBe(0);
    expect(kept.stdout.trim().split('\n')).toHaveLength(2);
  });
});
