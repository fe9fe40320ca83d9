import { describe, expect, it } from 'vitest';
import { Optimizer, OPTIMIZER_DEFAULTS, type OptimizerSettings } from '../../src/train/optimizer.js';
import { learningRateAt, SCHEDULE_DEFAULTS } from '../../src/train/schedule.js';
import { expectClose } from '../helpers/numeric.js';

const settings = (s: Partial<OptimizerSettings>): OptimizerSettings => ({ ...OPTIMIZER_DEFAULTS, ...s });
const gradients = [
  [0.5, -1.25, 2],
  [-0.75, 0.5, 1],
  [0.25, 0.25, -3],
  [1, -2, 0.5],
];

/** Runs the optimizer over `gradients` from w0 and returns the weights after each step. */
function run(s: OptimizerSettings, lr: number, w0: number[]): number[][] {
  const opt = new Optimizer(s, w0.length);
  const w = Float64Array.from(w0);
  return gradients.map((g) => {
    opt.update(w, Float64Array.from(g), lr);
    return Array.from(w);
  });
}

// Expected values follow the update rules as PyTorch documents them (torch.optim.SGD, torch.optim.Adam),
// written out here independently of the implementation.
describe('optimizers, step by step as PyTorch defines them', () => {
  const w0 = [0.1, -0.2, 0.3];

  it('sgd: w ← w − α·g', () => {
    const got = run(settings({ name: 'sgd' }), 0.1, w0);
    let w = [...w0];
    gradients.forEach((g, t) => {
      w = w.map((wi, i) => wi - 0.1 * g[i]!);
      expectClose(got[t]!, w, 1e-15, `step ${t + 1}`);
    });
  });

  it('momentum: b ← g on step 1, then b ← μ·b + g; w ← w − α·b; with weight decay g ← g + λ·w', () => {
    const got = run(settings({ name: 'momentum', momentum: 0.8, weightDecay: 0.01 }), 0.05, w0);
    let w = [...w0];
    let b = [0, 0, 0];
    gradients.forEach((g, t) => {
      const gd = g.map((gi, i) => gi + 0.01 * w[i]!);
      b = t === 0 ? gd : b.map((bi, i) => 0.8 * bi + gd[i]!);
      w = w.map((wi, i) => wi - 0.05 * b[i]!);
      expectClose(got[t]!, w, 1e-14, `step ${t + 1}`);
    });
  });

  it('adam: bias-corrected moments, w ← w − α·m̂ / (√v̂ + ε)', () => {
    const [b1, b2, eps, lr] = [0.9, 0.99, 1e-8, 0.01];
    const got = run(settings({ name: 'adam', beta1: b1, beta2: b2, eps }), lr, w0);
    let w = [...w0];
    let m = [0, 0, 0];
    let v = [0, 0, 0];
    gradients.forEach((g, t) => {
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! ** 2);
      const mHat = m.map((mi) => mi / (1 - b1 ** (t + 1)));
      const vHat = v.map((vi) => vi / (1 - b2 ** (t + 1)));
      w = w.map((wi, i) => wi - (lr * mHat[i]!) / (Math.sqrt(vHat[i]!) + eps));
      expectClose(got[t]!, w, 1e-12, `step ${t + 1}`);
    });
  });

  it('clipping rescales the whole gradient to the norm (and leaves a smaller one alone)', () => {
    const opt = new Optimizer(settings({ clipGrad: 1 }), 2);
    const w = Float64Array.from([0, 0]);
    opt.update(w, Float64Array.from([3, 4]), 1); // norm 5 → scaled by 1/(5 + 1e-6)
    expectClose(Array.from(w), [-3 / (5 + 1e-6), -4 / (5 + 1e-6)], 1e-15);
    opt.update(w, Float64Array.from([0.3, 0.4]), 1); // norm 0.5: unchanged
    expectClose(Array.from(w), [-3 / (5 + 1e-6) - 0.3, -4 / (5 + 1e-6) - 0.4], 1e-15);
  });

  it('its state restores the same next step', () => {
    const s = settings({ name: 'adam' });
    const a = new Optimizer(s, 3);
    const w = Float64Array.from(w0);
    a.update(w, Float64Array.from(gradients[0]!), 0.01);
    const b = new Optimizer(s, 3, a.state());
    const wa = Float64Array.from(w);
    const wb = Float64Array.from(w);
    a.update(wa, Float64Array.from(gradients[1]!), 0.01);
    b.update(wb, Float64Array.from(gradients[1]!), 0.01);
    expect(Array.from(wb)).toEqual(Array.from(wa));
  });
});

describe('learning-rate schedules', () => {
  it('constant, step (×γ every n epochs) and cosine (down to the minimum)', () => {
    expect(learningRateAt(0.1, SCHEDULE_DEFAULTS, 7, 10)).toBe(0.1);
    const step = { ...SCHEDULE_DEFAULTS, name: 'step' as const, stepSize: 3, gamma: 0.5 };
    expect([0, 2, 3, 5, 6].map((e) => learningRateAt(0.1, step, e, 10))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const cosine = { ...SCHEDULE_DEFAULTS, name: 'cosine' as const, minLr: 0.01 };
    expectClose(
      [0, 5, 10].map((e) => learningRateAt(0.1, cosine, e, 10)),
      [0.1, 0.055, 0.01],
      1e-15,
    );
  });
});
