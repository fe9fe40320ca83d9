import { parseCsv } from '../../data/csv.js';
import type { Engine } from '../../engine/engine.js';
import { readSource } from '../../data/source.js';
import { regressionMetrics } from '../../metrics.js';
import { loadModel } from '../../model-file.js';
import { featuresOf, predict, targetsOf } from '../../model.js';
import { formatNumber, writeStdout } from '../output.js';

export interface EvaluateFlags {
  model: string;
  engine: Engine;
}

export async function evaluateCommand(data: string, flags: EvaluateFlags): Promise<void> {
  const model = await loadModel(flags.model);
  const table = parseCsv(await readSource(data, process.stdin));
  const actual = targetsOf(model, table);
  const predicted = predict(model, featuresOf(model, table), flags.engine);
  const metrics = regressionMetrics(actual, predicted);

  const rows = [['target', 'mse', 'rmse', 'mae', 'r2']];
  metrics.forEach((m, j) =>
    rows.push([model.targets[j]!, ...[m.mse, m.rmse, m.mae, m.r2].map((x) => formatNumber(x))]),
  );
  await writeStdout(alignColumns(rows));
}

/** Plain-text table: first column left-aligned, numbers right-aligned. */
function alignColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n')
    .concat('\n');
}
