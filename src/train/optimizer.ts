/**
 * Gradient-descent update rules on flat arrays of parameters, each as PyTorch
 * writes it (torch.optim.SGD and Adam, torch.nn.utils.clip_grad_norm_), so a
 * run can be checked step for step against it. Plain SGD, the default, is
 * the seed's rule W ← W − α∇L exactly.
 */
import { DEFAULTS, optimizerSettings, type OptimizerName } from './settings.js';

export { OPTIMIZERS, type OptimizerName } from './settings.js';

export interface OptimizerSettings {
  name: OptimizerName;
  /** For "momentum". Default 0.9. */
  momentum: number;
  /** For "adam". Defaults 0.9, 0.999, 1e-8. */
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to each gradient, g + λ·w (as PyTorch's weight_decay). Default 0. */
  weightDecay: number;
  /** Rescale the whole gradient to at most this norm before the step; null: never. */
  clipGrad: number | null;
}

export const OPTIMIZER_DEFAULTS: OptimizerSettings = optimizerSettings(DEFAULTS);

/** What an optimizer remembers between steps: saved in the model file so training can resume. */
export interface OptimizerState {
  step: number;
  /** momentum: [velocity]; adam: [first moment, second moment]; sgd: []. */
  buffers: number[][];
}

export class Optimizer {
  readonly settings: OptimizerSettings;
  private step = 0;
  private readonly buffers: Float64Array[];

  constructor(settings: OptimizerSettings, size: number, state?: OptimizerState) {
    this.settings = settings;
    const count = settings.name === 'adam' ? 2 : settings.name === 'momentum' ? 1 : 0;
    this.buffers = Array.from({ length: count }, (_, i) => {
      const saved = state?.buffers[i];
      return saved && saved.length === size ? Float64Array.from(saved) : new Float64Array(size);
    });
    this.step = state && state.buffers.length === count ? state.step : 0;
  }

  /**
   * One update of `params` from `grads` (which it may change: clipping, weight
   * decay). `descend`, when given, computes plain SGD's params − lr·grads over
   * the same arrays (the wasm engine's kernel, same numbers, faster).
   */
  update(params: Float64Array, grads: Float64Array, lr: number, descend?: (lr: number) => void): void {
    const { name, momentum, beta1, beta2, eps, weightDecay, clipGrad } = this.settings;
    this.step++;
    const n = params.length;
    if (clipGrad !== null) {
      let squares = 0;
      for (let i = 0; i < n; i++) squares += grads[i]! * grads[i]!;
      const coefficient = clipGrad / (Math.sqrt(squares) + 1e-6);
      if (coefficient < 1) for (let i = 0; i < n; i++) grads[i] = grads[i]! * coefficient;
    }
    if (weightDecay !== 0) for (let i = 0; i < n; i++) grads[i] = grads[i]! + weightDecay * params[i]!;
    if (name === 'sgd') {
      if (descend) descend(lr);
      else for (let i = 0; i < n; i++) params[i] = params[i]! - lr * grads[i]!;
    } else if (name === 'momentum') {
      const velocity = this.buffers[0]!;
      for (let i = 0; i < n; i++) {
        // PyTorch starts the buffer at the first gradient, then v ← μ·v + g.
        velocity[i] = this.step === 1 ? grads[i]! : momentum * velocity[i]! + grads[i]!;
        params[i] = params[i]! - lr * velocity[i]!;
      }
    } else {
      const m = this.buffers[0]!;
      const v = this.buffers[1]!;
      const stepSize = lr / (1 - beta1 ** this.step);
      const correction2 = Math.sqrt(1 - beta2 ** this.step);
      for (let i = 0; i < n; i++) {
        const g = grads[i]!;
        m[i] = m[i]! + (1 - beta1) * (g - m[i]!); // torch: exp_avg.lerp_(grad, 1 − β1)
        v[i] = v[i]! * beta2 + (1 - beta2) * g * g;
        params[i] = params[i]! - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / correction2 + eps);
      }
    }
  }

  state(): OptimizerState {
    return { step: this.step, buffers: this.buffers.map((b) => Array.from(b)) };
  }
}
