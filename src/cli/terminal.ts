import { Chalk, type ChalkInstance } from 'chalk';

/** Colour and the progress bar only where a person is watching: a TTY, without NO_COLOR, not TERM=dumb. */
export function isInteractive(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
}

export function colorsFor(stream: NodeJS.WriteStream): ChalkInstance {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return new Chalk({ level: isInteractive(stream) && !noColor ? 1 : 0 });
}

export const stderrColors = colorsFor(process.stderr);

/** One line of chatter on stderr. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`${stderrColors.yellow('autograd: warning:')} ${message}\n`);
}

/** With --drop-invalid: how many rows were skipped, and the first reason. */
export function reportDropped(dropped: number, first: string | undefined): void {
  if (dropped > 0)
    warn(`skipped ${dropped} row${dropped === 1 ? '' : 's'} with a missing or invalid cell (first: ${first})`);
}
