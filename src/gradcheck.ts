import type { Matrix } from './data/matrix.js';
import type { Engine } from './engine/engine.js';
import { CompiledMLP } from './nn/compiled-mlp.js';
import { batchLossOf, type LossName } from './nn/loss.js';
import { checkGraphFits } from './nn/graph-size.js';
import type { MLP } from './nn/mlp.js';

export interface GradcheckOptions {
  /** Whose back-propagated gradients are checked. Default "wasm". */
  engine?: Engine;
  /** Step of the central difference, relative to max(1, |w|). Default 1e-5. */
  step?: number;
  /** Largest relative error that passes. Default 1e-5. */
  tolerance?: number;
  /** The loss whose gradients are checked: the model's own. Default "mse". */
  loss?: LossName;
  /** The gradients to check instead of the engine's (tests use it to check a broken one). */
  gradients?: (mlp: MLP, x: Matrix, y: Matrix) => Promise<Float64Array> | Float64Array;
}

export interface LayerCheck {
  /** 1-based. */
  layer: number;
  parameters: number;
  worst: number;
  /** Where the worst error is, e.g. "weights[3][0]". */
  worstAt: string;
}

export interface GradcheckResult {
  layers: LayerCheck[];
  worst: number;
  tolerance: number;
  step: number;
  passed: boolean;
}

/**
 * Compares every back-propagated ∂L/∂w of the loss on a batch with the central
 * difference (L(w + h) − L(w − h)) / 2h. The error is relative to the larger
 * of the two, and to 1e-3 of the largest gradient, since near-zero gradients
 * carry the difference's rounding, not the engine's.
 */
export async function gradcheck(
  mlp: MLP,
  x: Matrix,
  y: Matrix,
  options: GradcheckOptions = {},
): Promise<GradcheckResult> {
  const step = options.step ?? 1e-5;
  const tolerance = options.tolerance ?? 1e-5;
  const rows = Int32Array.from({ length: x.rows }, (_, i) => i);
  const loss = options.loss ?? 'mse';
  if (options.engine === 'graph') checkGraphFits(mlp.parameters().length, x.rows);
  const engine = options.engine === 'js' ? 'js' : 'wasm';
  const net = await CompiledMLP.forTraining(mlp, { engine, batchSize: x.rows, threads: 1, loss });
  try {
    const analytic = options.gradients
      ? await options.gradients(mlp, x, y)
      : options.engine === 'graph'
        ? graphGradients(mlp, x, y, loss)
        : (net.lossAndGradients(x, y, rows), Float64Array.from(net.grads));

    const params = net.params;
    const numeric = new Float64Array(params.length);
    for (let i = 0; i < params.length; i++) {
      const original = params[i]!;
      const h = step * Math.max(1, Math.abs(original));
      params[i] = original + h;
      const plus = net.lossAndGradients(x, y, rows);
      params[i] = original - h;
      const minus = net.lossAndGradients(x, y, rows);
      params[i] = original;
      numeric[i] = (plus - minus) / (2 * h);
    }

    let largest = 0;
    for (const g of numeric) largest = Math.max(largest, Math.abs(g));
    const floor = Math.max(1e-3 * largest, 1e-12);
    const layers: LayerCheck[] = [];
    let i = 0;
    mlp.layers.forEach((layer, l) => {
      const check: LayerCheck = { layer: l + 1, parameters: 0, worst: 0, worstAt: '' };
      layer.neurons.forEach((neuron, j) => {
        const names = [...neuron.weights.map((_, k) => `weights[${j}][${k}]`), `biases[${j}]`];
        for (const name of names) {
          const a = analytic[i]!;
          const n = numeric[i]!;
          const error = Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), floor);
          if (!(error <= check.worst)) {
            check.worst = Number.isNaN(error) ? Infinity : error;
            check.worstAt = name;
          }
          check.parameters++;
          i++;
        }
      });
      layers.push(check);
    });
    const worst = Math.max(...layers.map((c) => c.worst));
    return { layers, worst, tolerance, step, passed: worst <= tolerance };
  } finally {
    await net.close();
  }
}

function graphGradients(mlp: MLP, x: Matrix, y: Matrix, kind: LossName): Float64Array {
  const predictions = [];
  const targets = [];
  for (let r = 0; r < x.rows; r++) {
    predictions.push(mlp.call(Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols))));
    targets.push(Array.from(y.data.subarray(r * y.cols, (r + 1) * y.cols)));
  }
  const loss = batchLossOf(kind, predictions, targets);
  mlp.zeroGrad();
  loss.backward();
  return Float64Array.from(mlp.parameters(), (p) => p.grad);
}
