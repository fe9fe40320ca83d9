import { describe, expect, it } from 'vitest';
import { Random } from '../src/random.js';

describe('Random', () => {
  it('gives the same sequence for the same seed, different ones for different seeds', () => {
    const draw = (r: Random) => Array.from({ length: 5 }, () => r.next());
    expect(draw(new Random(1))).toEqual(draw(new Random(1)));
    expect(draw(new Random(1))).not.toEqual(draw(new Random(2)));
    expect(draw(Random.stream(1, 'init'))).not.toEqual(draw(Random.stream(1, 'shuffle')));
  });

  it('stays in range and looks uniform', () => {
    const r = new Random(3);
    const xs = Array.from({ length: 20_000 }, () => r.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });

  it('normal() has mean 0 and variance 1 (to sampling error)', () => {
    const r = new Random(4);
    const xs = Array.from({ length: 20_000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('shuffle() permutes in place', () => {
    const xs = Int32Array.from({ length: 100 }, (_, i) => i);
    new Random(5).shuffle(xs);
    expect(Array.from(xs).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(xs)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
