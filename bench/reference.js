// The speed-of-light reference for the benchmark, and nothing else: a
// hand-fused MLP (tanh hidden layers, linear output, MSE, plain SGD) on one
// flat Float64Array of parameters, with preallocated buffers, no allocation in
// the loop, and every layer register-blocked over 4 rows of the batch, so each
// weight is loaded once per 4 multiply-adds. It squashes with the same tanh
// as the engines (faster than Math.tanh), so the ratios measure the engine,
// not the choice of tanh.

import { tanh } from '../dist/engine/math.js';

export class FusedMLP {
  constructor(sizes, maxBatch, random) {
    this.sizes = sizes;
    this.layers = sizes.length - 1;
    this.wOffset = [];
    this.bOffset = [];
    let n = 0;
    for (let l = 0; l < this.layers; l++) {
      this.wOffset.push(n);
      n += sizes[l] * sizes[l + 1];
      this.bOffset.push(n);
      n += sizes[l + 1];
    }
    this.params = new Float64Array(n);
    this.grads = new Float64Array(n);
    for (let l = 0; l < this.layers; l++) {
      const bound = 1 / Math.sqrt(sizes[l]);
      const end = this.bOffset[l] + sizes[l + 1];
      for (let i = this.wOffset[l]; i < end; i++) this.params[i] = random.uniform(-bound, bound);
    }
    // acts[l]: layer l's outputs for the batch (acts[0] the inputs); deltas[l]: ∂L/∂(pre-activation) of layer l.
    this.acts = sizes.map((width) => new Float64Array(maxBatch * width));
    this.deltas = sizes.map((width) => new Float64Array(maxBatch * width));
  }

  /** One SGD step on the given rows; returns the batch MSE before the step. */
  step(x, y, rows, lr) {
    const { sizes, layers, acts, deltas, params: P, grads: G } = this;
    const n = rows.length;
    const nin = sizes[0];
    const nout = sizes[layers];
    const a0 = acts[0];
    for (let r = 0; r < n; r++) {
      const src = rows[r] * nin;
      for (let i = 0; i < nin; i++) a0[r * nin + i] = x[src + i];
    }
    for (let l = 0; l < layers; l++) this.forwardLayer(l, n, l < layers - 1);

    // Output delta for MSE averaged over rows × outputs, linear output.
    const out = acts[layers];
    const dOut = deltas[layers];
    const scale = 2 / (n * nout);
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const t = rows[r] * nout;
      for (let j = 0; j < nout; j++) {
        const e = out[r * nout + j] - y[t + j];
        loss += e * e;
        dOut[r * nout + j] = scale * e;
      }
    }
    for (let l = layers - 1; l >= 0; l--) this.backwardLayer(l, n, l > 0);
    for (let i = 0; i < P.length; i++) {
      P[i] -= lr * G[i];
      G[i] = 0;
    }
    return loss / (n * nout);
  }

  forwardLayer(l, n, squash) {
    const nin = this.sizes[l];
    const nout = this.sizes[l + 1];
    const A = this.acts[l];
    const Z = this.acts[l + 1];
    const P = this.params;
    const wo = this.wOffset[l];
    const bo = this.bOffset[l];
    let r = 0;
    for (; r + 3 < n; r += 4) {
      const r0 = r * nin;
      const r1 = r0 + nin;
      const r2 = r1 + nin;
      const r3 = r2 + nin;
      for (let j = 0; j < nout; j++) {
        const b = P[bo + j];
        let s0 = b;
        let s1 = b;
        let s2 = b;
        let s3 = b;
        const wj = wo + j * nin;
        for (let i = 0; i < nin; i++) {
          const w = P[wj + i];
          s0 += w * A[r0 + i];
          s1 += w * A[r1 + i];
          s2 += w * A[r2 + i];
          s3 += w * A[r3 + i];
        }
        const z = r * nout + j;
        Z[z] = squash ? tanh(s0) : s0;
        Z[z + nout] = squash ? tanh(s1) : s1;
        Z[z + 2 * nout] = squash ? tanh(s2) : s2;
        Z[z + 3 * nout] = squash ? tanh(s3) : s3;
      }
    }
    for (; r < n; r++) {
      for (let j = 0; j < nout; j++) {
        let s = P[bo + j];
        const wj = wo + j * nin;
        for (let i = 0; i < nin; i++) s += P[wj + i] * A[r * nin + i];
        Z[r * nout + j] = squash ? tanh(s) : s;
      }
    }
  }

  // Gradients of layer l's weights and biases from its delta; and, when asked,
  // the delta of the layer below (through tanh: 1 − a²).
  backwardLayer(l, n, propagate) {
    const nin = this.sizes[l];
    const nout = this.sizes[l + 1];
    const A = this.acts[l];
    const D = this.deltas[l + 1];
    const DA = this.deltas[l];
    const P = this.params;
    const G = this.grads;
    const wo = this.wOffset[l];
    const bo = this.bOffset[l];
    if (propagate) DA.fill(0, 0, n * nin);
    let r = 0;
    for (; r + 3 < n; r += 4) {
      const r0 = r * nin;
      const r1 = r0 + nin;
      const r2 = r1 + nin;
      const r3 = r2 + nin;
      for (let j = 0; j < nout; j++) {
        const z = r * nout + j;
        const d0 = D[z];
        const d1 = D[z + nout];
        const d2 = D[z + 2 * nout];
        const d3 = D[z + 3 * nout];
        G[bo + j] += d0 + d1 + d2 + d3;
        const wj = wo + j * nin;
        if (propagate) {
          for (let i = 0; i < nin; i++) {
            const w = P[wj + i];
            G[wj + i] += d0 * A[r0 + i] + d1 * A[r1 + i] + d2 * A[r2 + i] + d3 * A[r3 + i];
            DA[r0 + i] += w * d0;
            DA[r1 + i] += w * d1;
            DA[r2 + i] += w * d2;
            DA[r3 + i] += w * d3;
          }
        } else {
          for (let i = 0; i < nin; i++) {
            G[wj + i] += d0 * A[r0 + i] + d1 * A[r1 + i] + d2 * A[r2 + i] + d3 * A[r3 + i];
          }
        }
      }
    }
    for (; r < n; r++) {
      for (let j = 0; j < nout; j++) {
        const d = D[r * nout + j];
        G[bo + j] += d;
        const wj = wo + j * nin;
        for (let i = 0; i < nin; i++) {
          G[wj + i] += d * A[r * nin + i];
          if (propagate) DA[r * nin + i] += P[wj + i] * d;
        }
      }
    }
    if (propagate) {
      for (let k = 0; k < n * nin; k++) DA[k] *= 1 - A[k] * A[k];
    }
  }
}
