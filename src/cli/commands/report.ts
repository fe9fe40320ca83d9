import { basename, dirname, extname, join } from 'node:path';
import { loadDataset } from '../../data/dataset.js';
import { inputName, openInput } from '../../data/source.js';
import { UsageError } from '../../errors.js';
import { checkWritable, sameFile, writeFileAtomic } from '../../files.js';
import { loadModel } from '../../model-file.js';
import { modelColumns } from '../../model.js';
import { renderReport, type ReportData } from '../../report/report.js';
import type { TrainedModel } from '../../train/record.js';
import type { Terminal } from '../terminal.js';
import { version } from '../version.js';

export interface ReportFlags {
  out?: string;
  delimiter?: string;
}

/** `autograd report`: one HTML page about a model, and its scores and pictures on each data file given. */
export async function reportCommand(path: string, data: string[], flags: ReportFlags, term: Terminal): Promise<void> {
  const out = flags.out ?? join(dirname(path), `${basename(path, extname(path))}.html`);
  const toStdout = out === '-';
  for (const input of [path, ...data]) {
    if (!toStdout && input !== '-' && (await sameFile(out, input))) {
      throw new UsageError('E_OVERWRITE', `"${out}" is one of the inputs; writing there would destroy it`, 'out');
    }
  }
  if (!toStdout) await checkWritable(out);
  const model = await loadModel(path);
  const files: ReportData[] = [];
  for (const file of data)
    files.push({ name: inputName(file), data: await modelData(model, file, term, flags.delimiter) });
  const page = renderReport(model, `autograd report: ${basename(path)}`, files, version);
  if (toStdout) {
    await term.out(page);
    return;
  }
  await writeFileAtomic(out, page);
  term.note(`autograd: wrote ${out}`);
}

/** A data file's rows as the model reads them (its columns, categories and classes). */
async function modelData(model: TrainedModel, file: string, term: Terminal, delimiter?: string) {
  return loadDataset(openInput(file, term.io.stdin), inputName(file), {
    columns: modelColumns(model, true),
    delimiter,
    encoding: model.encoding,
    ...(model.classes ? { task: 'classify' as const, classes: model.classes } : {}),
  });
}
