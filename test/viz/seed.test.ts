import { describe, expect, it } from 'vitest';
import { explainSeed, seedExample } from '../../src/viz/seed.js';

describe('the seed example, from the engine', () => {
  it.each([
    { x1: 2, w1: -3, b1: 1, w2: 0.5, b2: 4 },
    { x1: -1.5, w1: 0.25, b1: -2, w2: 3, b2: 0 },
  ])("has the design notes' derivatives for %j", (inputs) => {
    const g = seedExample(inputs);
    const y = inputs.w1 * inputs.x1 + inputs.b1;
    expect(g.y.data).toBe(y);
    expect(g.z.data).toBe(inputs.w2 * y + inputs.b2);
    expect(g.w2.grad).toBe(y);
    expect(g.b2.grad).toBe(1);
    expect(g.y.grad).toBe(inputs.w2);
    expect(g.w1.grad).toBe(inputs.w2 * inputs.x1);
    expect(g.b1.grad).toBe(inputs.w2);
    expect(g.x1.grad).toBe(inputs.w2 * inputs.w1);
  });

  it('explains it line by line with the numbers', () => {
    const text = explainSeed(seedExample()).join('\n');
    expect(text).toContain('y = w1·x1 + b1 = (-3)·2 + 1 = -5');
    expect(text).toContain('z = w2·y + b2 = 0.5·(-5) + 4 = 1.5');
    expect(text).toContain('dz/dw2 = y = -5');
    expect(text).toContain('dz/db2 = 1');
    expect(text).toContain('dz/dy  = w2 = 0.5');
    expect(text).toContain('dz/dw1 = dz/dy · dy/dw1 = w2 · x1 = 0.5 · 2 = 1');
    expect(text).toContain('dz/db1 = dz/dy · dy/db1 = w2 = 0.5');
    expect(text).toContain('dz/dx1 = dz/dy · dy/dx1 = w2 · w1 = 0.5 · (-3) = -1.5');
    expect(text).not.toContain('disagree');
  });

  it('says so when a gradient disagrees with the formula (negative control)', () => {
    const g = seedExample();
    g.w1.grad = 7; // as a broken engine would leave it
    expect(explainSeed(g).join('\n')).toMatch(/dz\/dw1 = .* = 7 {3}\(the formula gives 1: they disagree!\)/);
  });
});
