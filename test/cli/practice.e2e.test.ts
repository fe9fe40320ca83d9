import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, DATA, tempDir } from '../helpers/cli.js';

const moons = join(DATA, 'moons.csv');
const sine = join(DATA, 'sine.csv');

describe('training settings', () => {
  it('adam with validation, early stopping and a JSON-lines log, all recorded in the model', async () => {
    const cwd = tempDir();
    const r = await run(
      [
        'train',
        moons,
        '-l',
        '2,16,16,1',
        '--optimizer',
        'adam',
        '--lr',
        '0.01',
        '--validation-split',
        '0.2',
        '--patience',
        '3',
        '-e',
        '300',
        '--log',
        'log.jsonl',
      ],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no improvement for 3 epochs: stopped after epoch (\d+), kept the weights of epoch \d+/);
    const model = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8'));
    expect(model.training.optimizer).toMatchObject({ name: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expect(model.training.validation).toEqual({ split: 0.2, rows: 200 });
    expect(model.training.rows).toBe(800);
    expect(model.training.earlyStopping).toMatchObject({ patience: 3, stoppedEarly: true });
    expect(model.training.epochs).toBeLessThan(300);
    const log = readFileSync(join(cwd, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log).toHaveLength(model.training.epochs);
    expect(Object.keys(log[0])).toEqual(['epoch', 'train_loss', 'validation_loss', 'lr', 'seconds']);
    expect(log.map((e) => e.validation_loss)).toEqual(model.training.validationHistory);
  });

  it('a CSV log, a step schedule, momentum, weight decay and clipping', async () => {
    const cwd = tempDir();
    const r = await run(
      [
        'train',
        sine,
        '-l',
        '1,8,1',
        '-e',
        '6',
        '--optimizer',
        'momentum',
        '--lr-schedule',
        'step',
        '--lr-step-size',
        '2',
        '--lr-gamma',
        '0.5',
        '--weight-decay',
        '1e-4',
        '--clip-grad',
        '1',
        '--log',
        'log.csv',
        '-q',
      ],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(cwd, 'log.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,train_loss,validation_loss,lr,seconds');
    expect(lines.slice(1).map((l) => Number(l.split(',')[3]))).toEqual([0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125]);
    const training = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8')).training;
    expect(training.optimizer).toMatchObject({ name: 'momentum', momentum: 0.9, weightDecay: 1e-4, clipGrad: 1 });
    expect(training.lrSchedule).toMatchObject({ name: 'step', stepSize: 2, gamma: 0.5 });
  });

  it('--resume adds epochs to a finished run: 3 + 2 epochs give the same bytes as 5', async () => {
    const cwd = tempDir();
    const common = ['-l', '2,8,1', '--optimizer', 'adam', '--lr', '0.01', '-q'];
    await run(['train', moons, ...common, '-e', '3', '--out', 'three.json'], { cwd });
    const r = await run(['train', moons, '--resume', 'three.json', '-e', '2', '--out', 'resumed.json', '-q'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    await run(['train', moons, ...common, '-e', '5', '--out', 'five.json'], { cwd });
    expect(readFileSync(join(cwd, 'resumed.json'), 'utf8')).toBe(readFileSync(join(cwd, 'five.json'), 'utf8'));
  });

  it('--validation takes a file with the same columns', async () => {
    const cwd = tempDir();
    const rows = readFileSync(moons, 'utf8').trim().split('\n');
    writeFileSync(join(cwd, 'train.csv'), rows.slice(0, 801).join('\n'));
    writeFileSync(join(cwd, 'valid.csv'), [rows[0], ...rows.slice(801)].join('\n'));
    const r = await run(['train', 'train.csv', '-l', '2,8,1', '-e', '3', '--validation', 'valid.csv', '-q'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const training = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8')).training;
    expect(training.validation).toEqual({ split: null, rows: 200 });
    expect(training.validationHistory).toHaveLength(3);
  });

  it.each([
    [['--validation-split', '1.5'], /--validation-split.*must be a number between 0 and 1/],
    [['--optimizer', 'rmsprop'], /--optimizer.*Allowed choices are sgd, momentum, adam/],
    [['--patience', '0'], /--patience.*must be a positive whole number/],
    [['--beta1', '1'], /--beta1.*must be a number from 0 up to \(not including\) 1/],
    [['--init', 'a.json', '--resume', 'b.json'], /give --init .* or --resume .*, not both/],
  ])('%j is a usage error', async (flags, message) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'a.json'), '{}');
    writeFileSync(join(cwd, 'b.json'), '{}');
    const r = await run(['train', moons, '-l', '2,4,1', ...flags], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('inspect and evaluate --json', () => {
  it('inspect describes a model; --json for scripts', async () => {
    const cwd = tempDir();
    await run(['train', moons, '-l', '2,4,1', '-e', '2', '--validation-split', '0.1', '-q'], { cwd });
    const text = await run(['inspect', join(cwd, 'model.json')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('network      2,4,1 (17 parameters); hidden tanh, output linear');
    expect(text.stdout).toContain('training     2 of 2 planned epochs on 900 rows; batch 32; seed 42; shuffled');
    const json = JSON.parse((await run(['inspect', join(cwd, 'model.json'), '--json'])).stdout);
    expect(json).toMatchObject({ layers: [2, 4, 1], parameters: 17, targets: ['label'] });
    expect(json.finalValidationLoss).toBeTypeOf('number');
  });

  it('evaluate --json', async () => {
    const cwd = tempDir();
    await run(['train', moons, '-l', '2,4,1', '-e', '2', '-q'], { cwd });
    const r = await run(['evaluate', '-m', join(cwd, 'model.json'), moons, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.rows).toBe(1000);
    expect(Object.keys(json.targets[0])).toEqual(['target', 'mse', 'rmse', 'mae', 'r2']);
  });
});
