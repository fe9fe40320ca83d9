import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA, run, tempDir } from '../helpers/cli.js';

const moons = join(DATA, 'moons.csv');

describe('divergence', () => {
  it('stops at once, names epoch and batch, suggests a smaller --lr, leaves the old model alone and no log', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'model.json'), 'the model from before');
    const r = await run(['train', moons, '-l', '2,16,16,1', '--lr', '10000', '--task', 'regress', '--log', 'l.csv'], {
      cwd,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^autograd: error: training diverged: .* at epoch \d+, batch \d+; try a smaller --lr\n$/);
    expect(readFileSync(join(cwd, 'model.json'), 'utf8')).toBe('the model from before');
    expect(readdirSync(cwd)).toEqual(['model.json']);
  });
});

describe('CSV as it comes', () => {
  it('semicolons and decimal commas, tabs, CRLF, a BOM, quotes: all read', async () => {
    const cwd = tempDir();
    const variants = {
      'semi.csv': 'a;b;y\r\n1;2;3\r\n4;5;6\r\n7;8;10\r\n',
      'tab.tsv': '\ufeffa\tb\ty\n1\t2\t3\n4\t5\t6\n7\t8\t10\n',
      'quoted.csv': '"a","b","y"\n"1","2","3"\n4,5,"6"\n\n7,8,10\n',
    };
    const models = [];
    for (const [name, text] of Object.entries(variants)) {
      writeFileSync(join(cwd, name), text);
      const r = await run(['train', join(cwd, name), '-l', '2,3,1', '-e', '3', '-q', '--out', '-']);
      expect(r.code, r.stderr).toBe(0);
      models.push(JSON.parse(r.stdout).parameters);
    }
    expect(models[1]).toEqual(models[0]);
    expect(models[2]).toEqual(models[0]);
  });

  it('--delimiter overrides detection', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'pipe.csv'), 'a|b|y\n1|2|3\n4|5|6\n');
    expect(
      (await run(['train', join(cwd, 'pipe.csv'), '-l', '2,3,1', '-e', '2', '-q', '--out', '-', '-d', '|'])).code,
    ).toBe(0);
    const r = await run(['train', join(cwd, 'pipe.csv'), '-l', '2,3,1', '-d', 'ab']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--delimiter.*must be a single character/);
  });

  it('--drop-invalid skips bad rows and says how many', async () => {
    const cwd = tempDir();
    const path = join(cwd, 'messy.csv');
    writeFileSync(path, 'a,b,y\n1,2,3\nNaN,2,3\n4,5,\n4,inf,6\n7,8,9\n');
    const strict = await run(['train', path, '-l', '2,3,1', '-e', '2']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/messy\.csv line 3, column "a": "NaN" is not a finite number/);
    const r = await run(['train', path, '-l', '2,3,1', '-e', '2', '--drop-invalid', '--out', join(cwd, 'm.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /skipped 3 rows with a missing or invalid cell \(first: .*messy\.csv line 3, column "a": "NaN" is not a finite number\)/,
    );
    expect(JSON.parse(readFileSync(join(cwd, 'm.json'), 'utf8')).training.rows).toBe(2);
  });

  it.each([
    ['a duplicated column name', 'a,b,a\n1,2,3\n', /dup\.csv line 1: the header names "a" twice \(columns 1 and 3\)/],
    ['an empty column name', 'a,,y\n1,2,3\n', /dup\.csv line 1: the header's column 2 has no name/],
    ['a quote never closed', 'a,b,y\n1,"2,3\n4,5,6\n', /dup\.csv line 2: a quoted field opened here is never closed/],
  ])('%s is refused with its place', async (_what, text, message) => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'dup.csv'), text);
    const r = await run(['train', join(cwd, 'dup.csv'), '-l', '2,3,1'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(cwd)).toEqual(['dup.csv']);
  });
});

describe('numerics', () => {
  it('a constant feature column is warned about, not divided by', async () => {
    const cwd = tempDir();
    const path = join(cwd, 'const.csv');
    writeFileSync(path, 'a,c,y\n1,5,2\n2,5,4\n3,5,6\n4,5,8\n');
    const r = await run(['train', path, '-l', '2,3,1', '-e', '20', '--out', join(cwd, 'm.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: feature column "c" is constant; it cannot inform the model/);
    const model = JSON.parse(readFileSync(join(cwd, 'm.json'), 'utf8'));
    expect(model.normalization.features.std[1]).toBe(1);
    const out = (await run(['predict', '-m', join(cwd, 'm.json'), path])).stdout
      .trim()
      .split('\n')
      .slice(1)
      .map(Number);
    expect(out.every(Number.isFinite)).toBe(true);
  });
});
