import { readFile } from 'node:fs/promises';
import { CsvSplitter, type RecordBatch } from '../../data/csv.js';
import { parseNumber } from '../../data/numbers.js';
import { fileError, inputName } from '../../data/source.js';
import { DataError, UsageError } from '../../errors.js';
import { checkWritable, sameFile, writeFileAtomic } from '../../files.js';
import { Random } from '../../random.js';
import type { Terminal } from '../terminal.js';

export interface SplitFlags {
  test: number;
  seed: number;
  stratify?: boolean;
  target?: string;
  trainOut: string;
  testOut: string;
  delimiter?: string;
}

/**
 * `autograd split`: the rows of a CSV file in two files, a seeded draw of
 * `--test` of them in one, the rest in the other, each row copied as its bytes
 * are (quotes, number formats and all), in the file's order. Stratified by the
 * target's classes when asked, or when the target holds labels.
 */
export async function splitCommand(data: string, flags: SplitFlags, term: Terminal): Promise<void> {
  const outputs = [flags.trainOut, flags.testOut];
  if (outputs[0] === outputs[1]) throw new UsageError('E_USAGE', '--train-out and --test-out name the same file');
  for (const output of outputs) {
    if (data !== '-' && (await sameFile(output, data))) {
      throw new UsageError('E_OVERWRITE', `"${output}" is the data being split; writing there would destroy it`);
    }
    await checkWritable(output);
  }
  const file = inputName(data);
  const text = await readAll(data, term);
  const splitter = new CsvSplitter(file, { delimiter: flags.delimiter });
  const records: RecordBatch = { records: [], lines: [], delimiter: '' } as RecordBatch;
  splitter.push(text, records);
  splitter.end(records);
  if (!splitter.header)
    throw new DataError('E_EMPTY', 'the file is empty (expected a header row and data rows)', { file });
  const n = records.records.length;
  if (n < 2) throw new DataError('E_NO_ROWS', `has ${n} data row${n === 1 ? '' : 's'}: too few to split`, { file });

  const header = splitter.header;
  const target = flags.target ?? header[header.length - 1]!;
  const column = header.indexOf(target);
  if (column < 0) throw new UsageError('E_NO_COLUMN', `${file} has no column "${target}"`, 'target');
  const labels = records.records.map((r) => r[column]!.trim());
  // The target holds labels when no cell of it is a number; then the split keeps each class's share.
  const stratify = flags.stratify ?? labels.every((l) => l !== '' && parseNumber(l) === undefined);
  const groups = new Map<string, number[]>();
  labels.forEach((label, r) => {
    const key = stratify ? label : '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  });
  const random = Random.stream(flags.seed, 'split');
  const inTest = new Uint8Array(n);
  for (const [label, rows] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const take = Math.round(rows.length * flags.test);
    if (stratify && (take === 0 || take === rows.length)) {
      throw new DataError(
        'E_STRATIFY',
        `class ${JSON.stringify(label)} has ${rows.length} row${rows.length === 1 ? '' : 's'}: too few to put ${flags.test} of them in the test part (drop --stratify, or change --test)`,
        { file, column: target },
      );
    }
    for (const r of random.shuffle(Int32Array.from(rows)).subarray(0, take)) inTest[r] = 1;
  }
  const tested = inTest.reduce((a, b) => a + b, 0);
  if (tested === 0 || tested === n) {
    throw new UsageError('E_USAGE', `--test ${flags.test} of ${n} rows leaves one part empty`, 'test');
  }

  // Each record's own lines, as they are in the file.
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const starts = records.lines;
  const ending = (line: string) => (line.endsWith('\n') ? line : `${line}\n`);
  const recordText = (r: number) => {
    const end = r + 1 < n ? starts[r + 1]! - 1 : lines.length;
    let last = end;
    while (last > starts[r]! && lines[last - 1]!.trim() === '') last--; // blank lines between records stay out
    return lines
      .slice(starts[r]! - 1, last)
      .map(ending)
      .join('');
  };
  const headerText = lines
    .slice(0, starts[0]! - 1)
    .filter((line) => line.trim() !== '')
    .map(ending)
    .join('');
  const parts = ['', ''];
  for (let r = 0; r < n; r++) parts[inTest[r]!] += recordText(r);
  await writeFileAtomic(flags.trainOut, headerText + parts[0]);
  await writeFileAtomic(flags.testOut, headerText + parts[1]);
  term.note(
    `autograd: ${n - tested} rows to ${flags.trainOut}, ${tested} to ${flags.testOut}${stratify ? `, stratified by ${target}` : ''}`,
  );
}

async function readAll(data: string, term: Terminal): Promise<string> {
  if (data !== '-') {
    try {
      return await readFile(data, 'utf8');
    } catch (error) {
      throw fileError(data, error);
    }
  }
  let text = '';
  for await (const chunk of term.io.stdin) text += chunk.toString();
  return text;
}
