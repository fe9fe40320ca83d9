import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, DATA, tempDir } from '../helpers/cli.js';

const moons = join(DATA, 'moons.csv');

describe('graph and explain', () => {
  it("graph --example seed takes the example's numbers as flags", async () => {
    const r = await run(['graph', '--example', 'seed', '--x1', '1', '--w1', '2', '--view', 'backward']);
    expect(r.code).toBe(0);
    // y = 2·1 + 1 = 3, z = 0.5·3 + 4 = 5.5; dz/dx1 = w2·w1 = 1
    expect(r.stdout).toContain('y = 3');
    expect(r.stdout).toContain('z = 5.5');
    expect(r.stdout).toContain('∂z/∂x1 = 1');
  });

  it('graph of a small network, with its loss, in DOT', async () => {
    const r = await run(['graph', '--layers', '2,2,1', '--input', '0.5,-1', '--target', '1', '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^digraph autograd \{/);
    expect(r.stdout).toContain('label="layer 1 · neuron 2"');
    expect(r.stdout).toContain('∂L/∂w1.1.1');
  });

  it('a big network is drawn by layers, and says so on stderr', async () => {
    const r = await run(['graph', '--layers', '784,128,10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('layer 1: 128 × tanh');
    expect(r.stderr).toMatch(/over the limit of 300: drawing the layers instead/);
  });

  it('graph of a trained model names its columns', async () => {
    const cwd = tempDir();
    await run(['train', moons, '-l', '2,2,1', '-e', '2', '-q'], { cwd });
    const r = await run(['graph', '--model', join(cwd, 'model.json'), '--input', '0.3,0.1', '--view', 'forward']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('x1 = ');
    expect(r.stdout).toContain('ŷ = ');
  });

  it('explain prints the derivation', async () => {
    const r = await run(['explain', '--example', 'seed']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dz/dx1 = dz/dy · dy/dx1 = w2 · w1 = 0.5 · (-3) = -1.5');
  });

  it.each([
    [['graph'], /give one of --example seed, --layers <spec> or --model <file>/],
    [['graph', '--example', 'seed', '--layers', '2,1'], /give one of/],
    [['graph', '--example', 'moon'], /--example "moon": the only example is "seed"/],
    [['graph', '--layers', '2,2,1', '--input', '1,2,3'], /--input has 3 numbers; the network 2,2,1 takes 2/],
    [['graph', '--layers', '2,2,1', '--input', '1,x'], /--input.*must be comma-separated numbers/],
    [['graph', '--example', 'seed', '--format', 'svg'], /--format.*Allowed choices are mermaid, dot/],
    [['explain', '--example', 'seed', '--w1', 'abc'], /--w1.*must be a number/],
  ])('%j is a usage error', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});

describe('gradcheck', () => {
  it('passes a trained model on its data (exit 0) and a fresh network on random rows', async () => {
    const cwd = tempDir();
    await run(['train', moons, '-l', '2,8,8,1', '-e', '5', '-q'], { cwd });
    const r = await run(['gradcheck', '--model', join(cwd, 'model.json'), moons, '--rows', '8']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on the first 8 rows of .*moons\.csv/);
    expect(r.stdout.trim().split('\n')).toHaveLength(2 + 3 + 1);
    expect(r.stdout).toMatch(/ok: every gradient is within 1e-5 of its finite difference\n$/);
    expect((await run(['gradcheck', '--layers', '3,4,4,1', '--seed', '7', '--engine', 'graph'])).code).toBe(0);
  });

  it('fails (exit 1) when the tolerance is tighter than finite differences can reach', async () => {
    const r = await run(['gradcheck', '--layers', '3,4,4,1', '--tolerance', '1e-15']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAILED: worst relative error .* is above the tolerance 1e-15/);
  });

  it('refuses a corrupted model file', async () => {
    const cwd = tempDir();
    await run(['train', moons, '-l', '2,2,1', '-e', '1', '-q'], { cwd });
    const path = join(cwd, 'model.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/"biases": \[([^\]]*)\]/, '"biases": [$1, 7]'));
    const r = await run(['gradcheck', '--model', path, moons]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model\.json: parameters\[0\]\.biases must hold 2 numbers/);
  });

  it('needs a network', async () => {
    expect((await run(['gradcheck'])).stderr).toMatch(/give either --model <file> or --layers <spec>/);
  });
});
