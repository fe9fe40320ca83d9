import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autograd, BIN, DATA, run, shell, tempDir } from '../helpers/cli.js';

// What only the built binary, as a process of its own, can show: exit codes
// as the shell sees them, signals, and writes to a full disk. Everything else
// runs in-process (test/helpers/cli.ts).

const moons = join(DATA, 'moons.csv');

describe('the built binary', () => {
  it.each([
    [['--version'], 0, /^$/],
    [['train', join(DATA, 'nope.csv'), '-l', '2,1'], 1, /^autograd: error: .*nope\.csv: cannot read: no such file\n$/],
    [['train', moons, '--lr', '-1'], 2, /^autograd: error: .*--lr.*must be a number greater than 0\.\n$/],
  ])('autograd %j exits %d', (args, code, stderr) => {
    const r = autograd(args);
    expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(code);
  });
});

describe('where WebAssembly SIMD is missing', () => {
  // Node without a JIT (--jitless) has no WebAssembly at all: the wasm engine
  // falls back to the js engine, says so in one line, and computes the same numbers.
  const jitless = (args: string[], cwd: string) => {
    const r = spawnSync(process.execPath, ['--jitless', BIN, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    // V8's own notice about the flag is not ours.
    const stderr = r.stderr.replace(/^Warning: disabling flag --expose_wasm.*\n/m, '');
    return { code: r.status, stdout: r.stdout, stderr };
  };

  it('trains with the js engine, saying so once, to the same weights; says nothing when js was asked for', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'few.csv'), readFileSync(moons, 'utf8').split('\n').slice(0, 61).join('\n') + '\n');
    const args = ['train', 'few.csv', '-l', '2,4,1', '-e', '2', '-q'];
    const fallback = jitless([...args, '--out', 'a.json'], dir);
    expect(fallback.stderr).toBe(
      'autograd: warning: WebAssembly SIMD is not available in this Node.js; using --engine js\n',
    );
    expect(fallback.code).toBe(0);
    expect((await run([...args, '--out', 'b.json'], { cwd: dir })).code).toBe(0);
    const weights = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')).parameters;
    expect(weights('a.json')).toEqual(weights('b.json'));
    // Asked for the js engine, it says nothing.
    const quiet = jitless([...args, '--engine', 'js', '--out', 'c.json'], dir);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);
  });
});

interface Ending {
  code: number | null;
  stderr: string;
  /** Milliseconds from the last signal sent to the process's end. */
  after: number;
  /** Milliseconds from start until its first epoch was logged. */
  firstEpoch: number;
}

/**
 * Trains with `args` (the epoch log on stdout) and, as soon as the first epoch
 * has been logged — so training is surely under way — sends `signals`, 100 ms
 * apart (the same signal twice at once reaches a process as one).
 */
function interrupt(args: string[], signals: NodeJS.Signals[], cwd: string): Promise<Ending> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'train', ...args, '--log', '-', '-q'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    let stdout = '';
    let firstEpoch = 0;
    let lastSent = 0;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      if (firstEpoch || !/\n1,/.test(stdout)) return;
      firstEpoch = performance.now() - started;
      signals.forEach((s, i) =>
        setTimeout(() => {
          child.kill(s);
          lastSent = performance.now();
        }, 100 * i),
      );
    });
    child.on('exit', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 + constants.signals[signal] : null),
        stderr,
        after: performance.now() - lastSent,
        firstEpoch,
      }),
    );
  });
}

describe('interruption', () => {
  const quick = [moons, '-l', '2,8,1', '--epochs', '100000'];

  it('Ctrl-C finishes the batch, saves the model so far and exits 130', async () => {
    const cwd = tempDir();
    const { code, stderr } = await interrupt(quick, ['SIGINT'], cwd);
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping after this batch/);
    expect(stderr).toMatch(
      /interrupted in epoch \d+ of 100000; the model so far \(\d+ full epochs?\) was written to model\.json/,
    );
    const model = JSON.parse(readFileSync(join(cwd, 'model.json'), 'utf8'));
    expect(model.training.epochs).toBeGreaterThanOrEqual(1);
    expect(readdirSync(cwd)).toEqual(['model.json']);
  }, 30_000);

  it('SIGTERM does the same with exit code 143', async () => {
    const cwd = tempDir();
    const { code } = await interrupt(quick, ['SIGTERM'], cwd);
    expect(code).toBe(143);
    expect(readdirSync(cwd)).toEqual(['model.json']);
  }, 30_000);

  it('a second Ctrl-C quits at once, in the middle of a long batch, writing nothing', async () => {
    const cwd = tempDir();
    // One batch an epoch on the object graph: each takes about as long as the first epoch did.
    const rows = readFileSync(moons, 'utf8').split('\n').slice(0, 201).join('\n');
    writeFileSync(join(cwd, 'rows.csv'), `${rows}\n`);
    const slow = ['rows.csv', '-l', '2,24,24,1', '--engine', 'graph', '-b', '200', '--epochs', '1000'];
    const { code, stderr, after, firstEpoch } = await interrupt(slow, ['SIGINT', 'SIGINT'], cwd);
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/written/);
    expect(after).toBeLessThan(firstEpoch / 2);
    expect(readdirSync(cwd)).toEqual(['rows.csv']);
  }, 60_000);
});

describe('interrupting a tuning run', () => {
  it('Ctrl-C: the running trials finish, the leaderboard so far is printed, the best is saved, exit 130', async () => {
    const cwd = tempDir();
    const child = spawn(
      process.execPath,
      [
        BIN,
        'tune',
        moons,
        '-l',
        'auto,8,auto',
        '-e',
        '30',
        '--folds',
        '2',
        '--search',
        'lr=0.01..0.1',
        '--trials',
        '200',
        '--jobs',
        '1',
        '-o',
        'best.json',
      ],
      { cwd, env: { ...process.env, NO_COLOR: '1' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    let sent = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      // Under way once it has said what it searches; a moment later its trials are running. One signal only:
      // a second one, while the best is retrained and saved, would rightly quit at once without it.
      if (!sent && /random search/.test(stderr)) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 700);
      }
    });
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping once the running trials finish/);
    expect(stdout).toMatch(/^rank {2}r2 \(mean ± std\) {2}lr\n1 /);
    expect(stdout).toMatch(/\n\d+ of 200 trials ran \(stopped early\)\n/);
    expect(JSON.parse(readFileSync(join(cwd, 'best.json'), 'utf8')).format).toBe('autograd-mlp');
  }, 30_000);
});

describe('writing where it cannot', () => {
  it('a full disk is one line and exit 1', () => {
    const cwd = tempDir();
    autograd(['train', moons, '-l', '2,4,1', '-e', '2', '-q'], { cwd });
    const r = shell(`node ${BIN} predict -m model.json ${moons} > /dev/full`, cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('autograd: error: <stdout>: cannot write: ENOSPC: no space left on device, write\n');
  });
});
