import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Value } from '../../src/engine/value.js';
import { MLP } from '../../src/nn/mlp.js';
import { Random } from '../../src/random.js';
import { networkGraph, NODE_LIMIT, renderLayers } from '../../src/viz/network.js';
import { escapeMermaid, quoteDot, renderGraph } from '../../src/viz/render.js';
import { seedExample } from '../../src/viz/seed.js';

const hasDot = spawnSync('dot', ['-V']).status === 0;

describe('renderGraph', () => {
  it('is deterministic, with ids in topological order', () => {
    const a = renderGraph(seedExample().z, { format: 'mermaid', view: 'both', rootName: 'z' });
    const b = renderGraph(seedExample().z, { format: 'mermaid', view: 'both', rootName: 'z' });
    expect(a).toBe(b);
    expect(a.split('\n')[0]).toBe('flowchart LR');
    expect(a).toContain('f8("+<br/>z = 1.5")');
    expect(a).toContain('b8("+<br/>z = 1.5<br/>∂z/∂z = 1")');
    expect(a).toContain('b1["w1 = -3<br/>∂z/∂w1 = 1"]');
  });

  it('both views: forward drawn first and placed before backward, each subgraph laid out left to right', () => {
    const m = renderGraph(seedExample().z, { format: 'mermaid', view: 'both', rootName: 'z' }).split('\n');
    expect(m.indexOf('  subgraph forward["forward: values"]')).toBeLessThan(
      m.findIndex((l) => l.includes('subgraph backward')),
    );
    expect(m.filter((l) => l.trim() === 'direction LR')).toHaveLength(2);
    expect(m).toContain('  forward ~~~ backward');
    const d = renderGraph(seedExample().z, { format: 'dot', view: 'both', rootName: 'z' });
    expect(d).toContain('  graph [fontname="Helvetica", fontsize=11];');
  });

  // Where Graphviz puts each box (y grows upwards in its JSON).
  function layout(input: string): Map<string, { top: number; bottom: number }> {
    const r = spawnSync('dot', ['-Tjson'], { input, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const objects = (JSON.parse(r.stdout) as { objects: { name: string; label?: string; bb?: string }[] }).objects;
    const boxes = new Map<string, { top: number; bottom: number }>();
    for (const o of objects.filter((o) => o.name.startsWith('cluster_'))) {
      const [, bottom, , top] = o.bb!.split(',').map(Number);
      boxes.set(`${o.name.split('_')[1]} ${o.label}`, { top: top!, bottom: bottom! });
    }
    return boxes;
  }

  it.skipIf(!hasDot)('Graphviz draws forward above backward, and neurons 1..n from the top', () => {
    const seed = layout(renderGraph(seedExample().z, { format: 'dot', view: 'both', rootName: 'z' }));
    expect(seed.get('forward forward: values')!.bottom).toBeGreaterThanOrEqual(
      seed.get('backward backward: gradients of z')!.top,
    );
    for (const sizes of [
      [2, 3, 1],
      [2, 5, 1],
      [3, 4, 2, 1],
    ]) {
      const g = networkGraph(new MLP(sizes, { random: new Random(1) }), Array(sizes[0]).fill(0.5), [1]);
      const boxes = layout(renderGraph(g.root, { ...g, format: 'dot', view: 'both' }));
      expect(boxes.get('forward forward: values')!.bottom).toBeGreaterThanOrEqual(
        boxes.get('backward backward: gradients of L')!.top,
      );
      for (const view of ['f', 'b']) {
        const tops = Array.from({ length: sizes[1]! }, (_, j) => boxes.get(`${view} layer 1 · neuron ${j + 1}`)!.top);
        expect(tops, `${sizes} ${view}`).toEqual([...tops].sort((a, b) => b - a));
      }
    }
  });

  it('one notation for gradients, none on constants', () => {
    const x = new Value(2);
    x.label = 'x';
    const y = x.mul(3).add(1); // 3 and 1 are constants; x·3 has no name
    y.label = 'y';
    y.backward();
    const text = renderGraph(y, { format: 'mermaid', view: 'backward', rootName: 'y' });
    expect(text).toContain('∂y/∂· = 1');
    expect(text).toContain('n1["3"]');
    expect(text).not.toMatch(/grad /);
  });

  it('the forward view shows values only, the backward view adds gradients', () => {
    const forward = renderGraph(seedExample().z, { format: 'dot', view: 'forward', rootName: 'z' });
    const backward = renderGraph(seedExample().z, { format: 'dot', view: 'backward', rootName: 'z' });
    expect(forward).not.toContain('∂');
    expect(backward).toContain('n2 [label="x1 = 2\\n∂z/∂x1 = -1.5", shape=box];');
    expect(backward).toContain('n1 -> n3;');
  });

  it.each([
    ['a "quoted" name', 'a #quot;quoted#quot; name'],
    ['<b> & #1', '#lt;b#gt; & #35;1'],
  ])('escapes %j for Mermaid', (text, escaped) => expect(escapeMermaid(text)).toBe(escaped));

  it.each([
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['two\nlines', '"two\\nlines"'],
  ])('quotes %j for DOT', (text, quoted) => expect(quoteDot(text)).toBe(quoted));

  it('labels with awkward characters survive in both formats', () => {
    const a = new Value(1);
    a.label = 'a "b" <c> #d \\e';
    const out = a.mul(2);
    out.backward();
    const m = renderGraph(out, { format: 'mermaid', view: 'forward', rootName: 'out' });
    expect(m).toContain('n0["a #quot;b#quot; #lt;c#gt; #35;d \\e = 1"]');
    const d = renderGraph(out, { format: 'dot', view: 'backward', rootName: 'out' });
    expect(d).toContain('label="a \\"b\\" <c> #d \\\\e = 1\\n∂out/∂(a \\"b\\" <c> #d \\\\e) = 2"');
  });

  it.skipIf(!hasDot)('Graphviz accepts the DOT output (seed, network, layers)', () => {
    const mlp = new MLP([2, 3, 1], { random: new Random(1) });
    const graph = networkGraph(mlp, [0.5, -1], [1]);
    const inputs = [
      renderGraph(seedExample().z, { format: 'dot', view: 'both', rootName: 'z' }),
      renderGraph(graph.root, { format: 'dot', view: 'both', rootName: 'L', groups: graph.groups }),
      renderLayers(new MLP([784, 128, 10]), 200_000, 'dot'),
    ];
    for (const input of inputs) {
      const r = spawnSync('dot', ['-Tsvg'], { input, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('<svg');
    }
  });
});

describe('networkGraph', () => {
  it('names every parameter, groups each neuron, and back-propagates from the loss', () => {
    const mlp = new MLP([2, 2, 1], { random: new Random(3) });
    const g = networkGraph(mlp, [0.5, -1], [1]);
    expect(g.rootName).toBe('L');
    const titles = new Set(g.groups.values());
    expect([...titles].sort()).toEqual(['layer 1 · neuron 1', 'layer 1 · neuron 2', 'layer 2 · neuron 1']);
    const w = mlp.layers[0]!.neurons[1]!.weights[0]!;
    expect(w.label).toBe('w1.2.1');
    expect(g.groups.get(w)).toBe('layer 1 · neuron 2');
    expect(w.grad).not.toBe(0);
    const text = renderGraph(g.root, {
      format: 'mermaid',
      view: 'backward',
      rootName: g.rootName,
      groups: g.groups,
      folded: g.folded,
      rootSymbol: 'MSE',
    });
    // Neurons in order; the loss one MSE step from ŷ, without its ×(−1), ^2 and ×1.
    expect(text.indexOf('subgraph n_c0["layer 1 · neuron 1"]')).toBeLessThan(text.indexOf('["layer 2 · neuron 1"]'));
    expect(text).toContain('∂L/∂w1.2.1 = ');
    expect(text).toMatch(/n(\d+)\("MSE<br\/>L = [\d.]+<br\/>∂L\/∂L = 1"\)/);
    expect(text).not.toMatch(/\^2|\["-1"\]/);
    const yhat = /n(\d+)\("\+<br\/>ŷ = /.exec(text)![1];
    const loss = /n(\d+)\("MSE/.exec(text)![1];
    expect(text).toContain(`n${yhat} --> n${loss}`);
  });

  it("a model's picture says where a standardised input came from", () => {
    const g = networkGraph(new MLP([1, 1], { random: new Random(1) }), [-0.5], undefined, ['age'], [30]);
    const text = renderGraph(g.root, { format: 'mermaid', view: 'forward', rootName: g.rootName, notes: g.notes });
    expect(text).toContain('age = -0.5<br/>standardised from 30');
  });

  it('counts nodes, so that big networks get the layer view', () => {
    const small = networkGraph(new MLP([2, 2, 1]), [0, 0]);
    expect(small.nodeCount).toBeLessThan(NODE_LIMIT);
    const big = networkGraph(new MLP([10, 32, 1]), new Array(10).fill(0));
    expect(big.nodeCount).toBeGreaterThan(NODE_LIMIT);
    expect(renderLayers(new MLP([10, 32, 1]), big.nodeCount, 'mermaid')).toContain(
      'over the limit of 300, so the layers are drawn instead',
    );
  });
});
