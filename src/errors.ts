/**
 * Typed errors. The library throws these; the CLI turns each into one line on
 * stderr and an exit code (UsageError → 2, the others → 1).
 */

/** Where in an input file something went wrong. `line` is 1-based, as editors count. */
export interface Location {
  file: string;
  line?: number;
  column?: string;
}

/** Where a message names one of the library's options (see `option`). */
const OPTION = /\u001f(\w+)\u001f/g;

/**
 * Names a library option inside an error message, as data: the message says
 * the option's own name (`dropInvalid`), and a CLI can say its flag instead
 * (`--drop-invalid`) with `worded`.
 */
export function option(name: string): string {
  return `\u001f${name}\u001f`;
}

export class AutogradError extends Error {
  /** A stable, machine-readable identifier, e.g. `E_NOT_A_NUMBER`. */
  readonly code: string;
  /** The message with its options marked (see `option`), to build other messages from. */
  readonly template: string;
  constructor(code: string, message: string) {
    super(message.replace(OPTION, '$1'));
    this.template = message;
    this.code = code;
    this.name = new.target.name;
  }

  /** The message, with every option it names said as `say` says it (e.g. as a command-line flag). */
  worded(say: (option: string) => string): string {
    return this.template.replace(OPTION, (_, name: string) => say(name));
  }
}

/** A flag or argument the user gave is wrong; fixing the command line fixes it. */
export class UsageError extends AutogradError {
  /** The library option at fault (e.g. "target"), for a CLI to name as its own flag. */
  readonly option: string | undefined;
  constructor(code: string, message: string, option?: string) {
    super(code, message);
    this.option = option;
  }
}

/** An input file's content is wrong or cannot be read. */
export class DataError extends AutogradError {
  readonly location: Location | undefined;
  constructor(code: string, message: string, location?: Location) {
    super(code, location ? `${formatLocation(location)}: ${message}` : message);
    this.location = location;
  }
}

/** A model file is not ours, of an unknown version, or inconsistent. */
export class ModelFileError extends AutogradError {
  readonly file: string;
  constructor(code: string, file: string, message: string) {
    super(code, `${file}: ${message}`);
    this.file = file;
  }
}

function formatLocation({ file, line, column }: Location): string {
  let where = file;
  if (line !== undefined) where += ` line ${line}`;
  if (column !== undefined) where += `, column ${JSON.stringify(column)}`;
  return where;
}

/** Training blew up: the loss stopped being a finite number. */
export class DivergenceError extends AutogradError {
  readonly epoch: number;
  readonly batch: number;
  constructor(epoch: number, batch: number, loss: number, startLoss: number) {
    const what = Number.isFinite(loss)
      ? `the loss grew from ${startLoss.toPrecision(3)} to ${loss.toPrecision(3)}`
      : `the loss became ${loss}`;
    super(
      'E_DIVERGED',
      `training diverged: ${what} at epoch ${epoch}, batch ${batch}; try a smaller ${option('learningRate')}`,
    );
    this.epoch = epoch;
    this.batch = batch;
  }
}
