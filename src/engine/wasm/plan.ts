import { Op, type Program } from '../compile.js';

/**
 * What the WebAssembly kernels run, read off a compiled `Program`: nodes that
 * form dense blocks, and everything else one node at a time.
 *
 * - A *layer*: sum-of-products nodes over the same input nodes, in the same
 *   order, whose weights sit at `w + o·wo + i·wi` in the parameters (and bias
 *   at `b + o·bo`) — a neuron's `b + Σ wᵢxᵢ`, m of them.
 * - A *map*: the same element-wise op (tanh, relu, sigmoid) on each of a
 *   layer's outputs, in order.
 * - A *node*: any other op, on its own.
 *
 * Every node gets a slot: `lanes` values, one per row of the batch. A layer's
 * inputs, its outputs and a map's outputs get consecutive slots, so a layer
 * reads a dense (inputs × lanes) block and writes an (outputs × lanes) one.
 */
export interface Layer {
  kind: 'layer';
  /** First input slot and count; first output slot and count. */
  input: number;
  inputs: number;
  output: number;
  outputs: number;
  /** Parameter index of weight (o, i) = w + o·wo + i·wi; bias of output o = bias + o·bo, or none (bias −1). */
  w: number;
  wo: number;
  wi: number;
  bias: number;
  bo: number;
  /** Whether the inputs need a gradient (they do unless they are the data). */
  inputGrads: boolean;
}

export interface MapStep {
  kind: 'map';
  op: Op.Tanh | Op.Relu | Op.Sigmoid;
  input: number;
  output: number;
  count: number;
}

export interface NodeStep {
  kind: 'node';
  /** The program's node. */
  node: number;
}

export type Step = Layer | MapStep | NodeStep;

export interface Plan {
  /** In forward order; backward runs them in reverse. */
  steps: Step[];
  /** Slot of each program node (−1 for parameters read only through a layer). */
  slot: Int32Array;
  slots: number;
  /** Slots below this never need a gradient. */
  firstGradSlot: number;
}

const MAPS = new Set<number>([Op.Tanh, Op.Relu, Op.Sigmoid]);

export function planOf(program: Program): Plan {
  const { size, op, a, termStart, termCount, termNode, termParam, bias, needsGrad } = program;
  const slot = new Int32Array(size).fill(-1);
  let next = 0;
  const give = (node: number) => (slot[node] = next++);

  // Sum-of-products nodes grouped by their input nodes (same nodes, same order).
  const groups = new Map<string, number[]>();
  for (let i = 0; i < size; i++) {
    if (op[i] !== Op.SumOfProducts) continue;
    const key = Array.from(termNode.subarray(termStart[i]!, termStart[i]! + termCount[i]!)).join(',');
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }

  // Users of each node, to find the map over a layer's outputs.
  const users: number[][] = Array.from({ length: size }, () => []);
  for (let i = 0; i < size; i++) {
    if (a[i]! >= 0 && op[i] !== Op.Param && op[i] !== Op.Input) users[a[i]!]!.push(i);
    if (program.b[i]! >= 0) users[program.b[i]!]!.push(i);
  }
  for (let i = 0; i < size; i++) {
    if (op[i] !== Op.SumOfProducts) continue;
    for (let t = termStart[i]!; t < termStart[i]! + termCount[i]!; t++) users[termNode[t]!]!.push(i);
  }

  const layerOf = new Int32Array(size).fill(-1);
  const mapOf = new Int32Array(size).fill(-1);
  const layers: Layer[] = [];
  const maps: MapStep[] = [];
  // Consecutive slots for `nodes`, in order: given now if none has one yet, else they must have them already.
  const giveAll = (nodes: number[]): boolean => {
    if (nodes.every((n) => slot[n] === -1) && new Set(nodes).size === nodes.length) {
      for (const n of nodes) give(n);
      return true;
    }
    return nodes.every((n, k) => slot[n] === slot[nodes[0]!]! + k && slot[n]! >= 0);
  };

  for (const members of groups.values()) {
    const first = members[0]!;
    const n = termCount[first]!;
    const inputs = Array.from(termNode.subarray(termStart[first]!, termStart[first]! + n));
    const affine = affineParams(members, n, termStart, termParam, bias);
    const inputGrads = needsGrad[inputs[0]!]!;
    if (
      !affine ||
      affine.wo < 0 ||
      affine.wi < 0 ||
      affine.bo < 0 ||
      inputs.some((node) => needsGrad[node] !== inputGrads)
    )
      continue;
    if (members.some((m) => slot[m] !== -1) || !giveAll(inputs)) continue;
    for (const m of members) give(m);
    const layer: Layer = {
      kind: 'layer',
      input: slot[inputs[0]!]!,
      inputs: n,
      output: slot[first]!,
      outputs: members.length,
      ...affine,
      inputGrads: inputGrads === 1,
    };
    const index = layers.push(layer) - 1;
    for (const m of members) layerOf[m] = index;

    // The activation of each output, if it is the same element-wise op for all.
    const acts = members.map((m) => users[m]!.find((u) => MAPS.has(op[u]!) && a[u] === m));
    const kind = acts[0] === undefined ? undefined : op[acts[0]]!;
    if (kind !== undefined && acts.every((u) => u !== undefined && op[u] === kind) && giveAll(acts as number[])) {
      const mapIndex =
        maps.push({
          kind: 'map',
          op: kind as MapStep['op'],
          input: layer.output,
          output: slot[acts[0]!]!,
          count: members.length,
        }) - 1;
      for (const u of acts) mapOf[u!] = mapIndex;
    }
  }
  // Data inputs first among the rest (they never need gradients), then everything else.
  const rest: number[] = [];
  for (let i = 0; i < size; i++) if (slot[i] === -1 && op[i] === Op.Input) give(i);
  for (let i = 0; i < size; i++) if (slot[i] === -1) rest.push(i);
  let firstGradSlot = next;
  for (const i of rest) give(i);
  for (let i = 0; i < size; i++) if (needsGrad[i]) firstGradSlot = Math.min(firstGradSlot, slot[i]!);

  // Steps in the order of their first node.
  const steps: Step[] = [];
  const stepOf = new Int32Array(size);
  const indexOf = new Map<Step, number>();
  for (let i = 0; i < size; i++) {
    const step: Step =
      layerOf[i]! >= 0 ? layers[layerOf[i]!]! : mapOf[i]! >= 0 ? maps[mapOf[i]!]! : { kind: 'node', node: i };
    let at = indexOf.get(step);
    if (at === undefined) indexOf.set(step, (at = steps.push(step) - 1));
    stepOf[i] = at;
  }
  // Each node's operands must be computed by an earlier step.
  for (let i = 0; i < size; i++) {
    const operands =
      op[i] === Op.SumOfProducts ? Array.from(termNode.subarray(termStart[i]!, termStart[i]! + termCount[i]!)) : [];
    if (op[i] !== Op.Param && op[i] !== Op.Input && op[i] !== Op.Const && a[i]! >= 0) operands.push(a[i]!);
    if (program.b[i]! >= 0) operands.push(program.b[i]!);
    for (const o of operands) {
      if (stepOf[o]! >= stepOf[i]!) throw new Error(`node ${i} is scheduled before its operand ${o}`);
    }
  }
  return { steps, slot, slots: next, firstGradSlot };
}

/** The layer's parameter layout when weight (o, i) is at w + o·wo + i·wi and bias o at bias + o·bo. */
function affineParams(
  members: number[],
  n: number,
  termStart: Int32Array,
  termParam: Int32Array,
  bias: Int32Array,
): { w: number; wo: number; wi: number; bias: number; bo: number } | undefined {
  const w = termParam[termStart[members[0]!]!]!;
  const wi = n > 1 ? termParam[termStart[members[0]!]! + 1]! - w : 1;
  const wo = members.length > 1 ? termParam[termStart[members[1]!]!]! - w : 0;
  const b = bias[members[0]!]!;
  const bo = members.length > 1 && b >= 0 ? bias[members[1]!]! - b : 0;
  for (let o = 0; o < members.length; o++) {
    const m = members[o]!;
    if (bias[m]! >= 0 !== b >= 0 || (b >= 0 && bias[m] !== b + o * bo)) return undefined;
    for (let i = 0; i < n; i++) if (termParam[termStart[m]! + i] !== w + o * wo + i * wi) return undefined;
  }
  return { w, wo, wi, bias: b, bo };
}
