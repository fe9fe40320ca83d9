import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'autograd.js');
export const DATA = join(ROOT, 'data');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Collects what is written, as a pipe (not a terminal) would receive it. */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/**
 * Runs the CLI in this process, as `main(argv, io)`, in `cwd` (a fresh
 * temporary folder by default): what a user would see, without starting Node.
 * Test files run in processes of their own, one test at a time, so changing
 * the working directory for the call is safe.
 */
export async function run(args: string[], options: { input?: string; cwd?: string } = {}): Promise<RunResult> {
  const stdout = new Collector();
  const stderr = new Collector();
  const previous = process.cwd();
  process.chdir(options.cwd ?? tempDir());
  try {
    const code = await main(args, {
      stdin: Readable.from(options.input ? [options.input] : []),
      stdout,
      stderr,
      env: { NO_COLOR: '1' },
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    process.chdir(previous);
  }
}

/** Runs the built CLI as its own process: for exit codes, pipes and signals. */
export function autograd(args: string[], options: { input?: string; cwd?: string } = {}): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? tempDir(),
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A shell pipeline, for `cat x | autograd ... | head` cases. */
export function shell(command: string, cwd: string): RunResult {
  const result = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'autograd-e2e-'));
}
