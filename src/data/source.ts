import { createReadStream } from 'node:fs';
import { DataError } from '../errors.js';

/** Text read from a file, or from standard input when the path is "-". */
export interface Source {
  /** What messages call it: the path, or "<stdin>". */
  name: string;
  text: string;
}

const STDIN_NAME = '<stdin>';

/** What messages call an input path. */
export function inputName(path: string): string {
  return path === '-' ? STDIN_NAME : path;
}

/**
 * The bytes of a file, or of `stdin` when the path is "-", as they arrive, so
 * that a file of any size passes through in bounded memory. A file that cannot
 * be read is a located error.
 */
export async function* openInput(
  path: string,
  stdin?: AsyncIterable<string | Buffer>,
): AsyncGenerator<Buffer | string> {
  if (path === '-') {
    if (!stdin) throw new DataError('E_NO_STDIN', 'no standard input to read "-" from');
    yield* stdin;
    return;
  }
  try {
    // 64 KiB at a time: big enough to amortise each chunk's work, small enough to keep memory flat.
    yield* createReadStream(path, { highWaterMark: 1 << 16 });
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
