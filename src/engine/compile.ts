import { Op } from './op.js';
import { Pow, topologicalOrder, type Value } from './value.js';

export { Op } from './op.js';

/**
 * Lowering a `Value` graph to a flat program that a `Tape` replays on typed
 * arrays. The graph is built once, over placeholder inputs, by the same code
 * that builds it for one row (`MLP.call`, the loss); compiling keeps every
 * scalar operation and its derivative rule, and changes only how it is stored:
 * op codes and operand indices in Int32Arrays instead of objects and pointers.
 *
 * One fusion: a chain of additions whose terms are parameters and products
 * `parameter × node` — exactly a neuron's `b + Σ wᵢ·xᵢ` — becomes one
 * sum-of-products node. Its value is still one scalar per row, and its
 * backward is still the seed's two rules: the addition forwards g to b and to
 * each product, the multiplication forwards g·xᵢ to wᵢ and g·wᵢ to xᵢ.
 */
export interface Program {
  /** Number of nodes; node i's operands are nodes before i. */
  size: number;
  op: Uint8Array;
  /** First operand: a node, or for Input the input's number, for Param the parameter's index. */
  a: Int32Array;
  /** Second operand node (Add, Mul), or −1. */
  b: Int32Array;
  /** Pow's exponent; Const's value. */
  k: Float64Array;
  /** 1 where the node depends on a parameter, so its gradient is needed. */
  needsGrad: Uint8Array;
  /** For SumOfProducts node i: its terms are `termParam/termNode[termStart[i] .. termStart[i] + termCount[i])`. */
  termStart: Int32Array;
  termCount: Int32Array;
  termParam: Int32Array;
  termNode: Int32Array;
  /** Bias parameter of SumOfProducts node i, or −1. */
  bias: Int32Array;
  /** Node of each input placeholder, in the order given. */
  inputNodes: Int32Array;
  /** Node of each output, in the order given. */
  outputNodes: Int32Array;
  parameterCount: number;
}

export interface CompileSpec {
  /** Placeholders that the tape fills from each batch. */
  inputs: readonly Value[];
  /** Leaves that are trained; their values live in the tape, not in the graph. */
  parameters: readonly Value[];
  /** Nodes whose values are read after the forward pass (and seeded for backward). */
  outputs: readonly Value[];
}

export function compile({ inputs, parameters, outputs }: CompileSpec): Program {
  const order = topologicalOrder(outputs);
  const n = order.length;
  // Per-node facts in arrays indexed by the node's place in `order` (Maps keyed by
  // 200,000 objects took most of a second for 784,128,10).
  order.forEach((node, i) => (node.compileIndex = i));
  const inOrder = (v: Value) => v.compileIndex >= 0 && v.compileIndex < n && order[v.compileIndex] === v;
  const indexIn = (values: readonly Value[]) => {
    const of = new Int32Array(n).fill(-1);
    values.forEach((v, i) => {
      if (inOrder(v)) of[v.compileIndex] = i;
    });
    return of;
  };
  const inputOf = indexIn(inputs);
  const paramIndex = indexIn(parameters);
  const paramOf = (v: Value): number => paramIndex[v.compileIndex]!;
  const isOutput = new Uint8Array(n);
  for (const v of outputs) isOutput[v.compileIndex] = 1;

  // How many nodes use each node: only a node used once may vanish into a fused one.
  const uses = new Int32Array(n);
  for (const node of order) {
    if (node.a) uses[node.a.compileIndex]! += 1;
    if (node.b) uses[node.b.compileIndex]! += 1;
  }
  const private_ = (node: Value) => uses[node.compileIndex] === 1 && !isOutput[node.compileIndex];

  // Pass 1, from the outputs down: find each sum-of-products and what it absorbs.
  const absorbed = new Uint8Array(n);
  const fused: ({ bias: number[]; params: number[]; nodes: Value[] } | undefined)[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const node = order[i]!;
    if (absorbed[i] || node.op !== Op.Add) continue;
    const terms = sumOfProducts(node, private_, paramOf);
    if (!terms) continue;
    fused[i] = terms.fused;
    for (const inner of terms.absorbed) absorbed[inner.compileIndex] = 1;
  }

  // Pass 2, in order: give the surviving nodes their places and operands.
  const place = new Int32Array(n).fill(-1);
  const paramNode = new Map<number, number>();
  const op: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const k: number[] = [];
  const termStart: number[] = [];
  const termCount: number[] = [];
  const bias: number[] = [];
  const termParam: number[] = [];
  const termNode: number[] = [];
  const emit = (code: Op, first: number, second = -1, constant = 0): number => {
    op.push(code);
    a.push(first);
    b.push(second);
    k.push(constant);
    termStart.push(0);
    termCount.push(0);
    bias.push(-1);
    return op.length - 1;
  };
  // A plain op reads parameters through a Param node, made on first use.
  const operand = (node: Value): number => {
    const p = paramOf(node);
    if (p < 0) return place[node.compileIndex]!;
    let at = paramNode.get(p);
    if (at === undefined) paramNode.set(p, (at = emit(Op.Param, p)));
    return at;
  };

  for (let i = 0; i < n; i++) {
    const node = order[i]!;
    if (absorbed[i] || paramIndex[i]! >= 0) continue; // parameters are operands, not nodes
    let at: number;
    const terms = fused[i];
    if (terms) {
      at = emit(Op.SumOfProducts, -1);
      termStart[at] = termParam.length;
      termCount[at] = terms.params.length;
      bias[at] = terms.bias.length === 1 ? terms.bias[0]! : -1;
      terms.params.forEach((p, t) => {
        termParam.push(p);
        termNode.push(operand(terms.nodes[t]!));
      });
      if (terms.bias.length > 1) {
        // Rare (several bias-like terms): add the rest as plain additions.
        for (const extra of terms.bias.slice(1)) at = emit(Op.Add, at, operand(parameters[extra]!));
      }
    } else if (node.a === null) {
      const input = inputOf[i]!;
      at = input < 0 ? emit(Op.Const, -1, -1, node.data) : emit(Op.Input, input);
    } else {
      at = emit(node.op, operand(node.a), node.b ? operand(node.b) : -1, node instanceof Pow ? node.k : 0);
    }
    place[i] = at;
  }

  const size = op.length;
  const needsGrad = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const code = op[i]!;
    needsGrad[i] =
      code === Op.Param || code === Op.SumOfProducts
        ? 1
        : code === Op.Input || code === Op.Const
          ? 0
          : needsGrad[a[i]!]! | (b[i]! >= 0 ? needsGrad[b[i]!]! : 0);
  }

  const placeOf = (v: Value): number => (paramOf(v) < 0 ? place[v.compileIndex]! : operand(v));
  return {
    size: op.length,
    op: Uint8Array.from(op),
    a: Int32Array.from(a),
    b: Int32Array.from(b),
    k: Float64Array.from(k),
    needsGrad: Uint8Array.from(needsGrad),
    termStart: Int32Array.from(termStart),
    termCount: Int32Array.from(termCount),
    termParam: Int32Array.from(termParam),
    termNode: Int32Array.from(termNode),
    bias: Int32Array.from(bias),
    inputNodes: Int32Array.from(inputs, (v) => (inOrder(v) ? place[v.compileIndex]! : -1)),
    outputNodes: Int32Array.from(outputs, placeOf),
    parameterCount: parameters.length,
  };
}

/**
 * Flattens an addition chain into bias parameters and `parameter × node`
 * products, left to right; undefined when any term is something else.
 */
function sumOfProducts(
  root: Value,
  private_: (node: Value) => boolean,
  paramOf: (node: Value) => number,
): { fused: { bias: number[]; params: number[]; nodes: Value[] }; absorbed: Value[] } | undefined {
  const bias: number[] = [];
  const params: number[] = [];
  const nodes: Value[] = [];
  const absorbed: Value[] = [];
  const stack: Value[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.op === Op.Add && (node === root || private_(node))) {
      if (node !== root) absorbed.push(node);
      stack.push(node.b!, node.a!); // a first: keep the chain's left-to-right order
      continue;
    }
    const p = paramOf(node);
    if (p >= 0) {
      bias.push(p);
      continue;
    }
    if (node.op !== Op.Mul || !private_(node)) return undefined;
    const pa = paramOf(node.a!);
    const pb = paramOf(node.b!);
    if (pa >= 0 && pb < 0) {
      params.push(pa);
      nodes.push(node.b!);
    } else if (pb >= 0 && pa < 0) {
      params.push(pb);
      nodes.push(node.a!);
    } else {
      return undefined;
    }
    absorbed.push(node);
  }
  if (params.length === 0) return undefined;
  return { fused: { bias, params, nodes }, absorbed };
}
