import { loadDataset } from '../../data/dataset.js';
import { inputName, openInput } from '../../data/source.js';
import type { Engine } from '../../engine/engine.js';
import { classIndices, classificationMetrics, regressionMetrics, type ClassificationMetrics } from '../../metrics.js';
import { loadModel } from '../../model-file.js';
import { argmax, modelColumns, Predictor } from '../../model.js';
import { formatNumber } from '../output.js';
import type { Terminal } from '../terminal.js';

export interface EvaluateFlags {
  model: string;
  engine: Engine;
  delimiter?: string;
  dropInvalid?: boolean;
  json?: boolean;
}

export async function evaluateCommand(data: string, flags: EvaluateFlags, term: Terminal): Promise<void> {
  const model = await loadModel(flags.model);
  const dataset = await loadDataset(openInput(data, term.io.stdin), inputName(data), {
    columns: modelColumns(model, true),
    delimiter: flags.delimiter,
    dropInvalid: flags.dropInvalid,
    encoding: model.encoding,
    ...(model.classes ? { task: 'classify' as const, classes: model.classes } : {}),
  });
  term.reportDropped(dataset.dropped, dataset.firstDropped);
  if (model.classes) {
    const predicted = argmax(new Predictor(model, flags.engine).run(dataset.x));
    await term.out(
      formatClassification(
        classificationMetrics(classIndices(dataset.y), predicted, model.classes),
        dataset.x.rows,
        flags.json,
      ),
    );
    return;
  }
  const metrics = regressionMetrics(dataset.y, new Predictor(model, flags.engine).run(dataset.x));

  if (flags.json) {
    const targets = metrics.map((m, j) => ({ target: model.targets[j]!, ...m, r2: Number.isNaN(m.r2) ? null : m.r2 }));
    await term.out(`${JSON.stringify({ rows: dataset.x.rows, dropped: dataset.dropped, targets }, null, 2)}\n`);
    return;
  }
  const rows = [['target', 'mse', 'rmse', 'mae', 'r2']];
  metrics.forEach((m, j) =>
    rows.push([model.targets[j]!, ...[m.mse, m.rmse, m.mae, m.r2].map((x) => formatNumber(x))]),
  );
  await term.out(alignColumns(rows));
}

/** Plain-text table: first column left-aligned, numbers right-aligned. */
function alignColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n')
    .concat('\n');
}

function formatClassification(m: ClassificationMetrics, rows: number, json?: boolean): string {
  if (json) return `${JSON.stringify({ rows, ...m }, null, 2)}\n`;
  const table = [['class', 'precision', 'recall', 'f1', 'support']];
  for (const c of m.classes)
    table.push([c.class, ...[c.precision, c.recall, c.f1].map((x) => x.toFixed(4)), String(c.support)]);
  const names = m.classes.map((c) => c.class);
  const confusion = [['true \\ predicted', ...names], ...m.confusion.map((row, i) => [names[i]!, ...row.map(String)])];
  return `accuracy ${m.accuracy.toFixed(4)} (${rows} rows)\n\n${alignColumns(table)}\nconfusion matrix (rows: true class, columns: predicted)\n${alignColumns(confusion)}`;
}
