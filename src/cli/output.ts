import { DataError } from '../errors.js';
let stdoutClosed = false;
let stdoutError: NodeJS.ErrnoException | undefined;

// `autograd predict ... | head` closes the pipe early: that is a normal end, not
// an error. Any other write error (a full disk, a closed descriptor) is reported.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  stdoutClosed = true;
  if (error.code !== 'EPIPE') stdoutError = error;
});

/**
 * Writes to stdout, waiting while the pipe is full. Returns false once the
 * reader has gone (stop producing); throws when stdout cannot be written.
 */
export async function writeStdout(text: string): Promise<boolean> {
  if (!stdoutClosed && !process.stdout.write(text)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done).off('close', done).off('error', done);
        resolve();
      };
      process.stdout.on('drain', done).on('close', done).on('error', done);
    });
  }
  // An error event may arrive a tick after the failed write.
  await new Promise((resolve) => setImmediate(resolve));
  if (stdoutError) {
    throw new DataError('E_WRITE', `cannot write: ${stdoutError.message}`, { file: '<stdout>' });
  }
  return !stdoutClosed;
}

/** Formats a number for people: up to `digits` significant digits, no exponent for ordinary sizes. */
export function formatNumber(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e9)) return x.toExponential(digits - 1);
  return String(Number(x.toPrecision(digits)));
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatSeconds(seconds: number): string {
  return seconds < 10
    ? `${seconds.toFixed(2)} s`
    : seconds < 120
      ? `${seconds.toFixed(1)} s`
      : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
