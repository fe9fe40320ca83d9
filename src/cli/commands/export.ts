import { basename, dirname, extname, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { toJsModule } from '../../export/js-module.js';
import { toOnnx, type ExportDtype } from '../../export/onnx.js';
import { toPytorch } from '../../export/pytorch.js';
import { checkWritable, sameFile, writeFileAtomic } from '../../files.js';
import { loadModel } from '../../model-file.js';
import type { Terminal } from '../terminal.js';
import { version } from '../version.js';

export type ExportFormat = 'onnx' | 'js' | 'pytorch';

export interface ExportFlags {
  format: ExportFormat;
  out?: string;
  dtype?: ExportDtype;
}

const EXTENSION: Record<ExportFormat, string> = { onnx: '.onnx', js: '.mjs', pytorch: '.safetensors' };

/** Writes the model in another runtime's form: an ONNX file, an ES module, or PyTorch weights with their module. */
export async function exportCommand(path: string, flags: ExportFlags, term: Terminal): Promise<void> {
  if (flags.dtype === 'float32' && flags.format !== 'onnx') {
    throw new UsageError(
      'E_USAGE',
      `--dtype float32 is for --format onnx; the ${flags.format} export is float64, exact`,
    );
  }
  if (flags.out === '-' && flags.format === 'pytorch') {
    throw new UsageError('E_USAGE', '--out -: the pytorch export is two files (weights and model.py); name a file');
  }
  const model = await loadModel(path);
  const out = flags.out ?? join(dirname(path), basename(path, extname(path)) + EXTENSION[flags.format]);
  const source = basename(path);
  const files: [string, string | Uint8Array][] = [];
  if (flags.format === 'onnx') files.push([out, toOnnx(model, flags.dtype ?? 'float32', version)]);
  else if (flags.format === 'js') files.push([out, toJsModule(model, version, source)]);
  else {
    const stem = basename(out, extname(out));
    const { safetensors, python } = toPytorch(model, version, source, basename(out));
    files.push([out, safetensors], [join(dirname(out), `${stem}.py`), python]);
  }
  if (out === '-') {
    await term.out(files[0]![1]);
    return;
  }
  for (const [file] of files) {
    if (await sameFile(file, path)) {
      throw new UsageError(
        'E_OVERWRITE',
        `"${file}" is the model being exported; writing there would destroy it`,
        'out',
      );
    }
    await checkWritable(file);
  }
  for (const [file, content] of files) await writeFileAtomic(file, content);
  term.note(`autograd: wrote ${files.map(([file]) => file).join(' and ')}`);
}
