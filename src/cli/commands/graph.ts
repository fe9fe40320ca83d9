import { standardize, type ColumnStats } from '../../data/normalize.js';
import { UsageError } from '../../errors.js';
import { loadModel } from '../../model-file.js';
import { formatLayerSpec } from '../../nn/layer-spec.js';
import { NODE_LIMIT, networkGraph, renderLayers } from '../../viz/network.js';
import { renderGraph, type GraphFormat, type GraphView } from '../../viz/render.js';
import { explainSeed, seedExample, type SeedInputs } from '../../viz/seed.js';
import { networkFor, type NetworkFlags } from '../network.js';
import type { Terminal } from '../terminal.js';

export interface GraphFlags extends SeedInputs, NetworkFlags {
  example?: string;
  model?: string;
  input?: number[];
  target?: number[];
  format: GraphFormat;
  view: GraphView;
}

export async function graphCommand(flags: GraphFlags, term: Terminal): Promise<void> {
  const sources = [flags.example !== undefined, flags.layers !== undefined, flags.model !== undefined].filter(Boolean);
  if (sources.length !== 1) {
    throw new UsageError('E_USAGE', 'give one of --example seed, --layers <spec> or --model <file>');
  }
  if (flags.example !== undefined) {
    const g = seedExample(seedInputs(flags));
    await term.out(renderGraph(g.z, { format: flags.format, view: flags.view, rootName: 'z' }));
    return;
  }
  const model = flags.model === undefined ? undefined : await loadModel(flags.model);
  const mlp = networkFor(model, flags);
  const input = flags.input ?? new Array<number>(mlp.inputSize).fill(0);
  if (input.length !== mlp.inputSize) {
    throw new UsageError(
      'E_USAGE',
      `--input has ${input.length} numbers; the network ${formatLayerSpec(mlp.sizes)} takes ${mlp.inputSize}`,
    );
  }
  if (flags.target && flags.target.length !== mlp.outputSize) {
    throw new UsageError(
      'E_USAGE',
      `--target has ${flags.target.length} numbers; the network ${formatLayerSpec(mlp.sizes)} gives ${mlp.outputSize}`,
    );
  }
  // With a model, the input is in the units of its data: standardise it as training did.
  const scaled = (values: number[], stats: ColumnStats) =>
    Array.from(standardize({ rows: 1, cols: values.length, data: Float64Array.from(values) }, stats).data);
  const normalization = model?.normalization;
  const x = normalization ? scaled(input, normalization.features) : input;
  const y = normalization && flags.target ? scaled(flags.target, normalization.targets) : flags.target;
  const graph = networkGraph(mlp, x, y, model?.features, normalization ? input : undefined);
  if (graph.nodeCount > NODE_LIMIT) {
    term.note(
      `autograd: ${graph.nodeCount} scalar nodes is over the limit of ${NODE_LIMIT}: drawing the layers instead`,
    );
    await term.out(renderLayers(mlp, graph.nodeCount, flags.format));
    return;
  }
  await term.out(
    renderGraph(graph.root, {
      format: flags.format,
      view: flags.view,
      rootName: graph.rootName,
      groups: graph.groups,
      folded: graph.folded,
      notes: graph.notes,
      ranks: graph.ranks,
      rootSymbol: flags.target
        ? `MSE against ${normalization ? 'standardised ' : ''}y = ${flags.target.join(', ')}`
        : undefined,
    }),
  );
}

export interface ExplainFlags extends SeedInputs {
  example: string;
}

export async function explainCommand(flags: ExplainFlags, term: Terminal): Promise<void> {
  await term.out(`${explainSeed(seedExample(seedInputs(flags))).join('\n')}\n`);
}

/** The seed example's numbers (commander fills in SEED_DEFAULTS for those not given). */
function seedInputs(flags: SeedInputs & { example?: string }): SeedInputs {
  if (flags.example !== 'seed') {
    throw new UsageError(
      'E_USAGE',
      `--example ${JSON.stringify(flags.example)}: the only example is "seed" (y = w1*x1 + b1, z = w2*y + b2)`,
    );
  }
  return { x1: flags.x1, w1: flags.w1, b1: flags.b1, w2: flags.w2, b2: flags.b2 };
}
