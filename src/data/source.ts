import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.js';

/** Text read from a file, or from standard input when the path is "-". */
export interface Source {
  /** What messages call it: the path, or "<stdin>". */
  name: string;
  text: string;
}

export const STDIN_NAME = '<stdin>';

export async function readSource(path: string, stdin?: AsyncIterable<string | Buffer>): Promise<Source> {
  if (path === '-') {
    if (!stdin) throw new DataError('E_NO_STDIN', 'no standard input to read "-" from');
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return { name: STDIN_NAME, text: Buffer.concat(chunks).toString('utf8') };
  }
  try {
    return { name: path, text: await readFile(path, 'utf8') };
  } catch (error) {
    throw fileError(path, error);
  }
}

/** Turns a failed read into one line that says which file and why. */
export function fileError(path: string, error: unknown): DataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES'
          ? 'permission denied'
          : String((error as Error | undefined)?.message ?? error);
  return new DataError('E_READ', `cannot read: ${reason}`, { file: path });
}
