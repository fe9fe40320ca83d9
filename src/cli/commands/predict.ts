import { csvLine } from '../../data/csv-output.js';
import { parseCsv } from '../../data/csv.js';
import type { Engine } from '../../engine/engine.js';
import { readSource } from '../../data/source.js';
import { loadModel } from '../../model-file.js';
import { featuresOf, predict } from '../../model.js';
import { writeStdout } from '../output.js';

export interface PredictFlags {
  model: string;
  withInput?: boolean;
  engine: Engine;
}

/** Rows of output gathered into one write at a time, so that large outputs stream without one syscall per row. */
const ROWS_PER_WRITE = 1024;

export async function predictCommand(data: string, flags: PredictFlags): Promise<void> {
  const model = await loadModel(flags.model);
  const table = parseCsv(await readSource(data, process.stdin));
  const predictions = predict(model, featuresOf(model, table), flags.engine);

  const header = flags.withInput
    ? [...table.header, ...model.targets.map((t) => outputName(t, table.header))]
    : model.targets;
  let chunk = `${csvLine(header)}\n`;
  for (let r = 0; r < predictions.rows; r++) {
    const values = Array.from(predictions.data.subarray(r * predictions.cols, (r + 1) * predictions.cols), String);
    chunk += `${csvLine(flags.withInput ? [...table.records[r]!, ...values] : values)}\n`;
    if ((r + 1) % ROWS_PER_WRITE === 0) {
      if (!(await writeStdout(chunk))) return;
      chunk = '';
    }
  }
  await writeStdout(chunk);
}

/** With --with-input the input may already hold the target column: name the prediction apart. */
function outputName(target: string, inputColumns: readonly string[]): string {
  return inputColumns.includes(target) ? `predicted_${target}` : target;
}
