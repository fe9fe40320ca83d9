import { csvCell, csvLine } from '../../data/csv-output.js';
import { readCsv } from '../../data/csv.js';
import { FeatureBatches } from '../../data/dataset.js';
import type { DecimalMark } from '../../data/numbers.js';
import { inputName, openInput } from '../../data/source.js';
import type { Engine } from '../../engine/engine.js';
import { loadModel } from '../../model-file.js';
import { argmax, modelColumns, Predictor } from '../../model.js';
import { UsageError, type DataError } from '../../errors.js';
import type { Terminal } from '../terminal.js';

export interface PredictFlags {
  model: string;
  withInput?: boolean;
  proba?: boolean;
  engine: Engine;
  delimiter?: string;
  decimal?: DecimalMark;
  dropInvalid?: boolean;
}

/** Streams: each batch of input rows is predicted and written before the next is read. */
export async function predictCommand(data: string, flags: PredictFlags, term: Terminal): Promise<void> {
  const model = await loadModel(flags.model);
  if (flags.proba && !model.classes) {
    throw new UsageError('E_USAGE', `--proba: ${flags.model} is a regression model; it has no class probabilities`);
  }
  const predictor = new Predictor(model, flags.engine);
  const file = inputName(data);
  let features: FeatureBatches | undefined;
  let dropped = 0;
  let firstDropped: DataError | undefined;
  for await (const batch of readCsv(openInput(data, term.io.stdin), file, { delimiter: flags.delimiter })) {
    let out = '';
    if (!features) {
      features = new FeatureBatches(
        batch.header,
        file,
        batch.delimiter,
        modelColumns(model, false)(batch.header, file).features,
        { encoding: model.encoding, dropInvalid: flags.dropInvalid, decimal: flags.decimal },
      );
      const classes = model.classes;
      const outputs = classes
        ? [model.targets[0]!, ...(flags.proba ? classes.map((c) => `p_${c}`) : [])]
        : model.targets;
      const names = outputs.map((t) => (flags.withInput && batch.header.includes(t) ? `predicted_${t}` : t));
      out += `${csvLine(flags.withInput ? [...batch.header, ...names] : names)}\n`;
    }
    const numbers = features.read(batch.records, batch.lines);
    dropped += numbers.dropped;
    firstDropped ??= numbers.firstDropped;
    const y = predictor.run(numbers.x);
    const best = model.classes ? argmax(y) : undefined;
    for (let r = 0; r < y.rows; r++) {
      // Numbers never need quoting; only echoed input cells and labels might.
      let line = flags.withInput ? `${csvLine(batch.records[numbers.kept[r]!]!)},` : '';
      if (best) {
        line += csvCell(model.classes![best[r]!]!);
        if (flags.proba) for (let j = 0; j < y.cols; j++) line += `,${y.data[r * y.cols + j]}`;
      } else {
        for (let j = 0; j < y.cols; j++) line += j === 0 ? String(y.data[r * y.cols]) : `,${y.data[r * y.cols + j]}`;
      }
      out += `${line}\n`;
    }
    if (!(await term.out(out))) return; // the reader has gone: stop reading too
  }
  term.reportDropped(dropped, firstDropped);
}
