import type { EpochEvent } from '../train/loop.js';
import { writeFileAtomic } from '../files.js';
import type { Terminal } from './terminal.js';

/**
 * --log: one line per epoch, CSV or (for .jsonl) JSON lines. A file is
 * written whole when the run ends (through a temporary file, as the model),
 * so a failed run leaves none; `-` streams the lines to stdout as they come.
 */
export class EpochLog {
  private readonly path: string;
  private readonly json: boolean;
  private readonly lines: string[] = [];
  private readonly term: Terminal;

  constructor(path: string, term: Terminal) {
    this.path = path;
    this.term = term;
    this.json = path.endsWith('.jsonl');
    if (!this.json) this.add('epoch,train_loss,validation_loss,lr,seconds');
  }

  write(event: EpochEvent, seconds: number): void {
    const row = {
      epoch: event.epoch,
      train_loss: event.loss,
      validation_loss: event.validationLoss ?? null,
      lr: event.learningRate,
      seconds: Number(seconds.toFixed(3)),
    };
    this.add(
      this.json
        ? JSON.stringify(row)
        : `${row.epoch},${row.train_loss},${row.validation_loss ?? ''},${row.lr},${row.seconds}`,
    );
  }

  private add(line: string): void {
    if (this.path === '-') this.term.io.stdout.write(`${line}\n`);
    else this.lines.push(line);
  }

  async save(): Promise<void> {
    if (this.path !== '-') await writeFileAtomic(this.path, `${this.lines.join('\n')}\n`);
  }
}
