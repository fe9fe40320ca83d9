import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA, run, tempDir } from '../helpers/cli.js';

const moons = join(DATA, 'moons.csv');

describe('autograd report and train --report', () => {
  it('train --report writes the page beside the model and says so', async () => {
    const cwd = tempDir();
    const r = await run(['train', moons, '-l', 'auto,6,auto', '-e', '5', '--report', 'r.html'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\nautograd: report written to r\.html\n$/);
    expect(readFileSync(join(cwd, 'r.html'), 'utf8')).toMatch(/^<!doctype html>[\s\S]*decision surface over x1 and x2/);
  });

  it('report scores each data file given, and writes beside the model by default', async () => {
    const cwd = tempDir();
    await run(['train', moons, '-l', 'auto,6,auto', '-e', '5', '-q', '-o', 'm.json'], { cwd });
    const r = await run(['report', 'm.json', moons, join(DATA, 'moons.csv')], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('autograd: wrote m.html\n');
    expect(readFileSync(join(cwd, 'm.html'), 'utf8').match(/<h2>Data: /g)).toHaveLength(2);
  });

  it('-o - writes the page to stdout, and train --report - too', async () => {
    const cwd = tempDir();
    await run(['train', moons, '-l', 'auto,4,auto', '-e', '2', '-q', '-o', 'm.json'], { cwd });
    const r = await run(['report', 'm.json', moons, '-o', '-'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<!doctype html>[\s\S]*<h2>Data: [\s\S]*<\/html>\n?$/);
    const t = await run(['train', moons, '-l', 'auto,4,auto', '-e', '2', '-q', '-o', 'n.json', '--report', '-'], {
      cwd,
    });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^<!doctype html>/);
    expect(readdirSync(cwd).sort()).toEqual(['m.json', 'n.json']);
  });

  it.each([
    [['report', 'm.json', '-o', 'm.json'], 2, /--out: "m\.json" is one of the inputs/],
    [['report', 'm.json', 'nope.csv'], 1, /nope\.csv: cannot read: no such file/],
    [['report', 'moons.csv'], 1, /moons\.csv: is not a model file: not valid JSON/],
    [['train', 'moons.csv', '-l', '2,1', '--report', 'moons.csv'], 2, /--report: "moons\.csv" is the training data/],
  ])('%j: one line, exit %d, nothing written', async (args, code, message) => {
    const cwd = tempDir();
    await run(['train', moons, '-l', 'auto,4,auto', '-e', '1', '-q', '-o', join(cwd, 'm.json')]);
    await run([
      'split',
      moons,
      '--test',
      '0.5',
      '--train-out',
      join(cwd, 'moons.csv'),
      '--test-out',
      join(cwd, 't.csv'),
    ]);
    const before = readdirSync(cwd).sort();
    const r = await run(args, { cwd });
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.code).toBe(code);
    expect(readdirSync(cwd).sort()).toEqual(before);
    expect(existsSync(join(cwd, 'm.html'))).toBe(false);
  });
});
