/**
 * An independent dense MLP with hand-derived back-propagation, written with
 * plain arrays and no `Value` in sight: the oracle that training must match.
 *   forward:  z = W·a + b,  a' = act(z)
 *   backward: δ = ∂L/∂a' ⊙ act'(z),  ∂L/∂W = δ ⊗ a,  ∂L/∂b = δ,  ∂L/∂a = Wᵀ·δ
 *   loss:     L = 1/N Σ (ŷ − y)² over rows × outputs, so ∂L/∂ŷ = 2(ŷ − y)/N
 */
export interface DenseLayer {
  weights: number[][];
  biases: number[];
}

type Act = 'linear' | 'tanh' | 'relu' | 'sigmoid';

function act(name: Act, z: number): number {
  switch (name) {
    case 'linear':
      return z;
    case 'tanh':
      return Math.tanh(z);
    case 'relu':
      return Math.max(0, z);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
  }
}

function actDerivative(name: Act, z: number): number {
  switch (name) {
    case 'linear':
      return 1;
    case 'tanh':
      return 1 - Math.tanh(z) ** 2;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
  }
}

export function cloneLayers(layers: readonly DenseLayer[]): DenseLayer[] {
  return layers.map((l) => ({ weights: l.weights.map((r) => [...r]), biases: [...l.biases] }));
}

/** One SGD step on a batch; returns the batch loss before the step. Mutates `layers`. */
export function referenceStep(
  layers: DenseLayer[],
  xs: number[][],
  ys: number[][],
  lr: number,
  hidden: Act,
  output: Act,
): number {
  const acts = (l: number): Act => (l === layers.length - 1 ? output : hidden);
  const gradW = layers.map((l) => l.weights.map((r) => r.map(() => 0)));
  const gradB = layers.map((l) => l.biases.map(() => 0));
  const n = xs.length * ys[0]!.length;
  let loss = 0;
  xs.forEach((x, r) => {
    const inputs: number[][] = [x];
    const sums: number[][] = [];
    layers.forEach((layer, l) => {
      const z = layer.weights.map((w, j) => w.reduce((s, wi, i) => s + wi * inputs[l]![i]!, layer.biases[j]!));
      sums.push(z);
      inputs.push(z.map((v) => act(acts(l), v)));
    });
    const yhat = inputs[layers.length]!;
    let upstream = yhat.map((v, j) => (2 * (v - ys[r]![j]!)) / n);
    yhat.forEach((v, j) => (loss += (v - ys[r]![j]!) ** 2 / n));
    for (let l = layers.length - 1; l >= 0; l--) {
      const delta = upstream.map((g, j) => g * actDerivative(acts(l), sums[l]![j]!));
      delta.forEach((d, j) => {
        gradB[l]![j]! += d;
        inputs[l]!.forEach((a, i) => (gradW[l]![j]![i]! += d * a));
      });
      upstream = inputs[l]!.map((_, i) => delta.reduce((s, d, j) => s + layers[l]!.weights[j]![i]! * d, 0));
    }
  });
  layers.forEach((layer, l) => {
    layer.weights.forEach((w, j) => w.forEach((_, i) => (w[i]! -= lr * gradW[l]![j]![i]!)));
    layer.biases.forEach((_, j) => (layer.biases[j]! -= lr * gradB[l]![j]!));
  });
  return loss;
}
