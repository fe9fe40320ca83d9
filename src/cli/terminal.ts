import { Chalk, type ChalkInstance } from 'chalk';
import { DataError } from '../errors.js';
import { count } from '../text.js';

/** Library options whose flag is not simply their name in kebab case. */
const FLAGS: Record<string, string> = { learningRate: '--lr' };

/** A library option's name as the CLI's flag: "dropInvalid" → "--drop-invalid". */
export function flagName(option: string): string {
  return FLAGS[option] ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** An output stream as the CLI needs it: a TTY's width when it is one. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** What one run of the CLI reads and writes: the process's streams, or a test's. */
export interface Io {
  stdin: AsyncIterable<string | Buffer>;
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * The CLI's side of the streams: data to stdout (waiting while a pipe is
 * full, quietly stopping when its reader has gone), chatter to stderr, in
 * colour and with a progress bar only where a person is watching.
 */
export class Terminal {
  readonly io: Io;
  /** For stderr: colour on a TTY, unless NO_COLOR or TERM=dumb. */
  readonly colors: ChalkInstance;
  /** stderr is a terminal a person watches: the progress bar and chart go there. */
  readonly interactive: boolean;
  /** Set by a command that ends other than with 0 and without an error (gradcheck's failure, a signal). */
  exitCode: number | undefined;
  private stdoutClosed = false;
  private stdoutError: NodeJS.ErrnoException | undefined;

  constructor(io: Io) {
    this.io = io;
    this.interactive = Boolean(io.stderr.isTTY) && io.env.TERM !== 'dumb';
    const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
    this.colors = new Chalk({ level: this.interactive && !noColor ? 1 : 0 });
    // `autograd predict ... | head` closes the pipe early: a normal end, not an error.
    // Any other write error (a full disk, a closed descriptor) is reported.
    io.stdout.on('error', (error: NodeJS.ErrnoException) => {
      this.stdoutClosed = true;
      if (error.code !== 'EPIPE') this.stdoutError = error;
    });
  }

  /** The terminal's width for stderr's lines; unlimited off a terminal. */
  get width(): number {
    return this.io.stderr.isTTY ? this.io.stderr.columns || 80 : Number.POSITIVE_INFINITY;
  }

  /**
   * Writes to stdout, waiting while the pipe is full. Returns false once the
   * reader has gone (stop producing); throws when stdout cannot be written.
   */
  async out(text: string | Uint8Array): Promise<boolean> {
    const stdout = this.io.stdout;
    if (!this.stdoutClosed && !stdout.write(text)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stdout.off('drain', done).off('close', done).off('error', done);
          resolve();
        };
        stdout.on('drain', done).on('close', done).on('error', done);
      });
    }
    // An error event may arrive a tick after the failed write.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.stdoutError) {
      throw new DataError('E_WRITE', `cannot write: ${this.stdoutError.message}`, { file: '<stdout>' });
    }
    return !this.stdoutClosed;
  }

  /** One line of chatter on stderr. */
  note(message: string): void {
    this.io.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    this.note(`${this.colors.yellow('autograd: warning:')} ${message}`);
  }

  /** With --drop-invalid: how many rows were skipped, and the first reason. */
  reportDropped(dropped: number, first: DataError | undefined): void {
    if (dropped > 0 && first) this.warn(droppedRows(dropped, first));
  }
}

/** "skipped 3 rows with a missing or invalid cell (first: …)". */
export function droppedRows(dropped: number, first: DataError): string {
  return `skipped ${count(dropped, 'row')} with a missing or invalid cell (first: ${first.worded(flagName)})`;
}
