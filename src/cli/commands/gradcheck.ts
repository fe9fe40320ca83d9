import { loadDataset } from '../../data/dataset.js';
import { standardize } from '../../data/normalize.js';
import { inputName, openInput } from '../../data/source.js';
import type { Engine } from '../../engine/engine.js';
import { UsageError } from '../../errors.js';
import { gradcheck } from '../../gradcheck.js';
import { loadModel } from '../../model-file.js';
import { lossOf, modelColumns } from '../../model.js';
import type { DecimalMark } from '../../data/numbers.js';
import { formatLayerSpec } from '../../nn/layer-spec.js';
import { Random } from '../../random.js';
import { networkFor, type NetworkFlags } from '../network.js';
import { formatNumber } from '../output.js';
import type { Terminal } from '../terminal.js';

export interface GradcheckFlags extends NetworkFlags {
  model?: string;
  rows: number;
  tolerance: number;
  engine: Engine;
  delimiter?: string;
  decimal?: DecimalMark;
}

export async function gradcheckCommand(data: string | undefined, flags: GradcheckFlags, term: Terminal): Promise<void> {
  if ((flags.model === undefined) === (flags.layers === undefined)) {
    throw new UsageError('E_USAGE', 'give either --model <file> or --layers <spec>');
  }
  const model = flags.model === undefined ? undefined : await loadModel(flags.model);
  const mlp = networkFor(model, flags);
  let x;
  let y;
  let what: string;
  if (data !== undefined) {
    const dataset = await loadDataset(openInput(data, term.io.stdin), inputName(data), {
      delimiter: flags.delimiter,
      decimal: flags.decimal,
      ...(model
        ? {
            columns: modelColumns(model, true),
            encoding: model.encoding,
            ...(model.classes ? { task: 'classify' as const, classes: model.classes } : {}),
          }
        : {}),
    });
    if (!model && (dataset.x.cols !== mlp.inputSize || dataset.y.cols !== mlp.outputSize)) {
      throw new UsageError(
        'E_LAYER_SPEC',
        `--layers ${formatLayerSpec(mlp.sizes)} does not fit ${inputName(data)}: ${dataset.x.cols} features, ${dataset.y.cols} target(s)`,
      );
    }
    const rows = Math.min(flags.rows, dataset.x.rows);
    x = { rows, cols: dataset.x.cols, data: dataset.x.data.slice(0, rows * dataset.x.cols) };
    y = { rows, cols: dataset.y.cols, data: dataset.y.data.slice(0, rows * dataset.y.cols) };
    if (model?.normalization) {
      x = standardize(x, model.normalization.features);
      if (!model.classes) y = standardize(y, model.normalization.targets); // class targets stay 0/1
    }
    what = `the first ${rows} rows of ${inputName(data)}`;
  } else {
    const random = Random.stream(flags.seed, 'gradcheck');
    const draw = (cols: number) => ({
      rows: flags.rows,
      cols,
      data: Float64Array.from({ length: flags.rows * cols }, () => random.normal()),
    });
    x = draw(mlp.inputSize);
    y = draw(mlp.outputSize);
    what = `${flags.rows} random rows`;
  }

  const loss = model ? lossOf(model) : 'mse';
  const result = await gradcheck(mlp, x, y, { engine: flags.engine, tolerance: flags.tolerance, loss });
  const lines = [
    `gradcheck: ${flags.engine} engine, ${formatLayerSpec(mlp.sizes)}, ${loss} loss, on ${what}; central differences, h = ${result.step.toExponential(0)}·max(1, |w|)`,
    'layer  parameters  worst relative error  at',
    ...result.layers.map(
      (c) =>
        `${String(c.layer).padStart(5)}  ${String(c.parameters).padStart(10)}  ${formatNumber(c.worst, 3).padStart(20)}  ${c.worstAt}`,
    ),
    result.passed
      ? `ok: every gradient is within ${result.tolerance.toExponential(0)} of its finite difference`
      : `FAILED: worst relative error ${formatNumber(result.worst, 3)} is above the tolerance ${result.tolerance.toExponential(0)}`,
  ];
  await term.out(`${lines.join('\n')}\n`);
  if (!result.passed) term.exitCode = 1;
}
