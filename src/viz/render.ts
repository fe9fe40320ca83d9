import { Op } from '../engine/op.js';
import { topologicalOrder, type Pow, type Value } from '../engine/value.js';

export type GraphFormat = 'mermaid' | 'dot';
export type GraphView = 'forward' | 'backward' | 'both';

export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];
export const GRAPH_VIEWS: readonly GraphView[] = ['forward', 'backward', 'both'];

export interface RenderOptions {
  format: GraphFormat;
  view: GraphView;
  /** Name of the root in derivatives, e.g. "z" gives ∂z/∂w1. */
  rootName: string;
  /** Optional clusters: a title for each node that belongs to one (e.g. "layer 1, neuron 2"). */
  groups?: Map<Value, string>;
  /**
   * Nodes drawn as part of the root, in one step (a loss's subtractions,
   * squares and mean): not drawn themselves; their inputs feed the root.
   */
  folded?: Set<Value>;
  /** What the root's operation is called when it stands for a folded step, e.g. "MSE". */
  rootSymbol?: string;
  /** A further line for some nodes, e.g. the raw input a standardised value came from. */
  notes?: Map<Value, string>;
  /** Nodes to line up, each list in its order (a layer's neuron outputs); DOT only. */
  ranks?: Value[][];
}

/** How each operation is written on its node. */
function symbol(node: Value): string {
  switch (node.op) {
    case Op.Add:
      return '+';
    case Op.Mul:
      return '×';
    case Op.Pow:
      return `^${(node as Pow).k}`;
    case Op.Tanh:
      return 'tanh';
    case Op.Relu:
      return 'relu';
    case Op.Sigmoid:
      return 'σ';
    case Op.Exp:
      return 'exp';
    case Op.Log:
      return 'log';
    case Op.LogSumExp:
      return 'lse';
    default:
      return '';
  }
}

/**
 * Draws a computed graph as Mermaid or Graphviz DOT: every scalar node with
 * its value, and in the backward view the gradient the root sends it
 * (∂root/∂node, as `backward()` left in `.grad`). Leaves are boxes, operations
 * are round; edges run from inputs to the operation. Node ids follow the
 * topological order, so the same graph always gives the same text.
 */
export function renderGraph(root: Value, options: RenderOptions): string {
  const order = topologicalOrder(root);
  const ids = new Map<Value, number>(order.map((node, i) => [node, i]));
  const views: ('forward' | 'backward')[] = options.view === 'both' ? ['forward', 'backward'] : [options.view];
  const draw = options.format === 'mermaid' ? mermaid : dot;
  return draw(order, ids, views, options);
}

interface DrawnNode {
  id: string;
  label: string;
  leaf: boolean;
}

function nodesOf(
  order: Value[],
  ids: Map<Value, number>,
  view: 'forward' | 'backward',
  options: RenderOptions,
  prefix: string,
): DrawnNode[] {
  const root = order[order.length - 1];
  return order.map((node): DrawnNode => {
    const leaf = node.op === Op.Leaf;
    const lines: string[] = [];
    if (!leaf) lines.push(node === root && options.rootSymbol ? options.rootSymbol : symbol(node));
    // A named node shows its name; an unnamed leaf is a constant, shown as its value.
    lines.push(node.label ? `${node.label} = ${show(node.data)}` : leaf ? show(node.data) : `= ${show(node.data)}`);
    const note = options.notes?.get(node);
    if (note) lines.push(note);
    // Every node but a constant carries its gradient, in one notation: ∂root/∂node (∂root/∂· when it has no name).
    if (view === 'backward' && !(leaf && !node.label)) {
      const of = !node.label ? '·' : /^[\p{L}\p{N}_.]+$/u.test(node.label) ? node.label : `(${node.label})`;
      lines.push(`∂${options.rootName}/∂${of} = ${show(node.grad)}`);
    }
    return { id: `${prefix}${ids.get(node)}`, label: lines.join('\n'), leaf };
  });
}

function edgesOf(order: Value[], ids: Map<Value, number>, prefix: string, folded?: Set<Value>): [string, string][] {
  const edges: [string, string][] = [];
  for (const node of order) {
    if (folded?.has(node)) continue;
    // Inputs of a folded step feed the node it is folded into.
    const inputs: Value[] = [];
    const stack = [...node.children].reverse();
    while (stack.length > 0) {
      const child = stack.pop()!;
      if (folded?.has(child)) stack.push(...[...child.children].reverse());
      else if (!inputs.includes(child)) inputs.push(child);
    }
    for (const child of inputs) edges.push([`${prefix}${ids.get(child)}`, `${prefix}${ids.get(node)}`]);
  }
  return edges;
}

/** Members of each cluster, clusters in the natural order of their titles ("layer 1 · neuron 2" before "… neuron 10"). */
function clusters(order: Value[], groups: Map<Value, string> | undefined): Map<string, Value[]> {
  const out = new Map<string, Value[]>();
  if (!groups) return out;
  for (const node of order) {
    const title = groups.get(node);
    if (title === undefined) continue;
    if (!out.has(title)) out.set(title, []);
    out.get(title)!.push(node);
  }
  const natural = new Intl.Collator('en', { numeric: true });
  return new Map([...out].sort(([a], [b]) => natural.compare(a, b)));
}

/** One view as drawn: each neuron's box of nodes, the nodes outside any box, the edges, the ranks; folded nodes left out. */
interface DrawnView {
  boxes: { title: string; nodes: DrawnNode[] }[];
  loose: DrawnNode[];
  edges: [string, string][];
  ranks: string[][];
}

function viewOf(
  order: Value[],
  ids: Map<Value, number>,
  view: 'forward' | 'backward',
  options: RenderOptions,
  prefix: string,
): DrawnView {
  const drawn = nodesOf(order, ids, view, options, prefix);
  const byNode = new Map(order.map((node, i) => [node, drawn[i]!]));
  const shown = (node: Value) => !options.folded?.has(node);
  const grouped = new Set<Value>();
  const boxes = [...clusters(order, options.groups)].map(([title, members]) => {
    for (const node of members) grouped.add(node);
    return { title, nodes: members.filter(shown).map((node) => byNode.get(node)!) };
  });
  return {
    boxes,
    loose: order.filter((node) => !grouped.has(node) && shown(node)).map((node) => byNode.get(node)!),
    edges: edgesOf(order, ids, prefix, options.folded),
    ranks: (options.ranks ?? [])
      .filter((rank) => rank.length > 1)
      .map((rank) => rank.map((node) => byNode.get(node)!.id)),
  };
}

function mermaid(
  order: Value[],
  ids: Map<Value, number>,
  views: ('forward' | 'backward')[],
  options: RenderOptions,
): string {
  const lines = ['flowchart LR'];
  const several = views.length > 1;
  for (const view of views) {
    const prefix = several ? `${view[0]}` : 'n';
    const indent = several ? '    ' : '  ';
    if (several) {
      lines.push(
        `  subgraph ${view}["${view === 'forward' ? 'forward: values' : `backward: gradients of ${escapeMermaid(options.rootName)}`}"]`,
      );
      lines.push('    direction LR');
    }
    const drawn = viewOf(order, ids, view, options, prefix);
    drawn.boxes.forEach(({ title, nodes }, c) => {
      lines.push(`${indent}subgraph ${prefix}_c${c}["${escapeMermaid(title)}"]`);
      for (const node of nodes) lines.push(`${indent}  ${mermaidNode(node)}`);
      lines.push(`${indent}end`);
    });
    for (const node of drawn.loose) lines.push(`${indent}${mermaidNode(node)}`);
    for (const [from, to] of drawn.edges) lines.push(`${indent}${from} --> ${to}`);
    if (several) lines.push('  end');
  }
  // Forward first (left of backward), whatever the layout engine would choose.
  if (several) lines.push('  forward ~~~ backward');
  return `${lines.join('\n')}\n`;
}

function mermaidNode({ id, label, leaf }: DrawnNode): string {
  const text = escapeMermaid(label).replace(/\n/g, '<br/>');
  // Operations as rounded boxes: a circle's text overflows once it has three lines.
  return leaf ? `${id}["${text}"]` : `${id}("${text}")`;
}

/** Mermaid labels sit in double quotes; it reads entity codes such as #quot; inside them. */
export function escapeMermaid(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function dot(
  order: Value[],
  ids: Map<Value, number>,
  views: ('forward' | 'backward')[],
  options: RenderOptions,
): string {
  const lines = [
    'digraph autograd {',
    '  rankdir=LR;',
    '  newrank=true;',
    '  graph [fontname="Helvetica", fontsize=11];',
    '  node [fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=11];',
  ];
  const several = views.length > 1;
  // Laid out left to right, dot stacks what it reads first at the bottom: backward is
  // written before forward, and neuron n before neuron 1, so forward and neuron 1 sit on top.
  for (const view of [...views].reverse()) {
    const prefix = several ? `${view[0]}` : 'n';
    const indent = several ? '    ' : '  ';
    if (several) {
      lines.push(`  subgraph cluster_${view} {`);
      lines.push(
        `    label=${quoteDot(view === 'forward' ? 'forward: values' : `backward: gradients of ${options.rootName}`)};`,
      );
    }
    const drawn = viewOf(order, ids, view, options, prefix);
    const boxes = drawn.boxes.map((box, c) => ({ ...box, c }));
    for (const { title, nodes, c } of boxes.reverse()) {
      lines.push(`${indent}subgraph cluster_${prefix}_${c} {`);
      lines.push(`${indent}  label=${quoteDot(title)};`);
      for (const node of nodes) lines.push(`${indent}  ${dotNode(node)}`);
      lines.push(`${indent}}`);
    }
    for (const node of drawn.loose) lines.push(`${indent}${dotNode(node)}`);
    for (const [from, to] of drawn.edges) lines.push(`${indent}${from} -> ${to};`);
    // Without this, dot shuffles the neurons of a deep network's layer out of order.
    for (const rank of drawn.ranks) lines.push(`${indent}{ rank=same; ${rank.join('; ')}; }`);
    if (several) lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function dotNode({ id, label, leaf }: DrawnNode): string {
  return `${id} [label=${quoteDot(label)}, shape=${leaf ? 'box' : 'box, style=rounded'}];`;
}

/** A DOT string: quotes and backslashes escaped, line breaks as \n. */
export function quoteDot(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Numbers for people: up to 6 significant digits, exact small integers as they are. */
export function show(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}
