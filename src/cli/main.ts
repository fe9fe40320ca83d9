import { CommanderError } from 'commander';
import { AutogradError, UsageError } from '../errors.js';
import { createProgram } from './program.js';
import { stderrColors } from './terminal.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Runs the CLI; every failure becomes one line on stderr and an exit code, never a stack trace. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = createProgram();
  // Commander would print "error: ..." itself; we print it our way below.
  program.configureOutput({ outputError: () => {} });
  for (const command of program.commands) command.configureOutput({ outputError: () => {} });
  try {
    await program.parseAsync(argv, { from: 'user' });
    process.exitCode ??= EXIT_OK; // a command may have set its own (e.g. 130 after Ctrl-C)
  } catch (error) {
    process.exitCode = report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
    // Help shown because no command was given: already printed; still a usage error.
    if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') return EXIT_USAGE;
    printError(error.message.replace(/^error: /, ''));
    return EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    printError(error.option ? `${flagName(error.option)}: ${error.message}` : error.message);
    return EXIT_USAGE;
  }
  if (error instanceof AutogradError) {
    printError(error.message);
    return EXIT_FAILURE;
  }
  // A bug, not the user's fault: still one line, with the stack only on request.
  const message = error instanceof Error ? error.message : String(error);
  printError(`internal error: ${message} (set AUTOGRAD_DEBUG=1 for details)`);
  if (process.env.AUTOGRAD_DEBUG) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
  return EXIT_FAILURE;
}

/** A library option's name as the CLI's flag: "batchSize" → "--batch-size". */
function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Messages are built to be short; this keeps even an unforeseen one to one readable line. */
const MAX_MESSAGE = 300;

function printError(message: string): void {
  const line = message.replace(/[\r\n]+/g, ' ');
  const short = line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
  process.stderr.write(`${stderrColors.red('autograd: error:')} ${short}\n`);
}
