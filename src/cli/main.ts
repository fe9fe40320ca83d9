import { CommanderError } from 'commander';
import { AutogradError, UsageError } from '../errors.js';
import { createProgram } from './program.js';
import { flagName, processIo, Terminal, type Io } from './terminal.js';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/**
 * Runs the CLI on `argv` (without node and the script) and returns its exit
 * code; every failure becomes one line on stderr, never a stack trace. Tests
 * pass their own streams; the process's are the default.
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const term = new Terminal(io);
  const program = createProgram(term);
  // Commander would print "error: ..." itself; we print it our way below.
  const output = {
    outputError: () => {},
    writeOut: (text: string) => void io.stdout.write(text),
    writeErr: (text: string) => void io.stderr.write(text),
  };
  program.configureOutput(output);
  for (const command of program.commands) command.configureOutput(output);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return term.exitCode ?? EXIT_OK; // a command may have set its own (e.g. 130 after Ctrl-C)
  } catch (error) {
    return report(error, term);
  }
}

/** The process's entry: runs, and leaves the exit code for Node to use once output is flushed. */
export async function run(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2));
}

function report(error: unknown, term: Terminal): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
    // Help shown because no command was given: already printed; still a usage error.
    if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') return EXIT_USAGE;
    printError(term, error.message.replace(/^error: /, ''));
    return EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    const message = error.worded(flagName);
    printError(term, error.option ? `${flagName(error.option)}: ${message}` : message);
    return EXIT_USAGE;
  }
  if (error instanceof AutogradError) {
    printError(term, error.worded(flagName));
    return EXIT_FAILURE;
  }
  // A bug, not the user's fault: still one line, with the stack only on request.
  const message = error instanceof Error ? error.message : String(error);
  printError(term, `internal error: ${message} (set AUTOGRAD_DEBUG=1 for details)`);
  if (term.io.env.AUTOGRAD_DEBUG) term.io.stderr.write(`${(error as Error).stack ?? ''}\n`);
  return EXIT_FAILURE;
}

/** Messages are built to be short; this keeps even an unforeseen one to one readable line. */
const MAX_MESSAGE = 300;

function printError(term: Terminal, message: string): void {
  const line = message.replace(/[\r\n]+/g, ' ');
  const short = line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
  term.note(`${term.colors.red('autograd: error:')} ${short}`);
}
