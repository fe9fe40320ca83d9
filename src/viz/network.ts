import { topologicalOrder, Value } from '../engine/value.js';
import { batchLossOf } from '../nn/loss.js';
import { show } from './render.js';
import type { MLP } from '../nn/mlp.js';

/** Above this many scalar nodes a picture of every node stops being readable. */
export const NODE_LIMIT = 300;

export interface NetworkGraph {
  root: Value;
  /** "L" with a loss, else "ŷ1" (the first output). */
  rootName: string;
  /** Each neuron's nodes: its weights, bias, products, sums and activation. */
  groups: Map<Value, string>;
  nodeCount: number;
  /** The loss's own nodes (differences, squares, mean), drawn as one MSE step into L. */
  folded: Set<Value>;
  /** The raw input each standardised input came from, to say so on the picture. */
  notes: Map<Value, string>;
  /** Each layer's neuron outputs, in order. */
  ranks: Value[][];
}

/**
 * The scalar graph of a network for one input row, built by `MLP.call` like
 * training builds it, with every node named (x1…, w<layer>.<neuron>.<input>,
 * b<layer>.<neuron>, ŷ…, and L for the MSE loss when a target is given), then
 * back-propagated from the loss (or the first output).
 */
export function networkGraph(
  mlp: MLP,
  input: readonly number[],
  target?: readonly number[],
  inputNames?: readonly string[],
  /** The input as given, before standardisation (a model's network). */
  rawInput?: readonly number[],
): NetworkGraph {
  const groups = new Map<Value, string>();
  const notes = new Map<Value, string>();
  const ranks: Value[][] = [];
  let values: Value[] = input.map((x, i) => {
    const v = new Value(x);
    v.label = inputNames?.[i] ?? `x${i + 1}`;
    if (rawInput) notes.set(v, `standardised from ${show(rawInput[i]!)}`);
    return v;
  });
  mlp.layers.forEach((layer, l) => {
    const fence = new Set(values);
    values = layer.neurons.map((neuron, j) => {
      neuron.weights.forEach((w, i) => (w.label = `w${l + 1}.${j + 1}.${i + 1}`));
      neuron.bias.label = `b${l + 1}.${j + 1}`;
      const out = neuron.call(values);
      const title = `layer ${l + 1} · neuron ${j + 1}`;
      // Everything this neuron made: reachable from its output without crossing its inputs.
      const stack = [out];
      while (stack.length > 0) {
        const node = stack.pop()!;
        if (fence.has(node) || groups.has(node)) continue;
        groups.set(node, title);
        stack.push(...node.children);
      }
      return out;
    });
    ranks.push(values);
  });
  values.forEach((v, j) => (v.label = values.length === 1 ? 'ŷ' : `ŷ${j + 1}`));
  let root = values[0]!;
  let rootName = root.label;
  const folded = new Set<Value>();
  if (target) {
    root = batchLossOf('mse', [values], [target]);
    root.label = 'L';
    rootName = 'L';
    // The loss's own steps: reachable from L without passing an output.
    const outputs = new Set(values);
    const stack = [...root.children];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (outputs.has(node) || folded.has(node)) continue;
      folded.add(node);
      stack.push(...node.children);
    }
  }
  root.backward();
  return { root, rootName, groups, nodeCount: topologicalOrder(root).length, folded, notes, ranks };
}

/** The layer-level picture, for networks too big to draw node by node. */
export function renderLayers(mlp: MLP, nodeCount: number, format: 'mermaid' | 'dot'): string {
  const boxes = [`input: ${mlp.sizes[0]} values`];
  mlp.layers.forEach((layer, l) => {
    const nin = mlp.sizes[l]!;
    const nout = mlp.sizes[l + 1]!;
    const act = layer.neurons[0]!.activation;
    boxes.push(
      `layer ${l + 1}: ${nout} × ${act}(b + Σ w·x), ${(nout * nin).toLocaleString('en-US')} weights + ${nout.toLocaleString('en-US')} biases`,
    );
  });
  const note = `${nodeCount.toLocaleString('en-US')} scalar nodes: over the limit of ${NODE_LIMIT}, so the layers are drawn instead`;
  if (format === 'mermaid') {
    const lines = ['flowchart LR', `  %% ${note}`];
    boxes.forEach((text, i) => lines.push(`  l${i}["${text}"]`));
    for (let i = 1; i < boxes.length; i++) lines.push(`  l${i - 1} --> l${i}`);
    return `${lines.join('\n')}\n`;
  }
  const lines = [
    'digraph autograd {',
    `  // ${note}`,
    '  rankdir=LR;',
    '  graph [fontname="Helvetica", fontsize=11];',
    '  node [shape=box, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=11];',
  ];
  boxes.forEach((text, i) => lines.push(`  l${i} [label="${text}"];`));
  for (let i = 1; i < boxes.length; i++) lines.push(`  l${i - 1} -> l${i};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
