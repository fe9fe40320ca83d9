import cliProgress from 'cli-progress';
import type { BatchEvent, EpochEvent } from '../train/loop.js';
import { formatCount, formatNumber } from './output.js';
import type { ChalkInstance } from 'chalk';
import type { Terminal } from './terminal.js';

/** The training bar on stderr: epoch, loss, rows/s, ETA. Callers create it only for a TTY. */
export class TrainingProgress {
  private readonly bar: cliProgress.SingleBar;
  private readonly started = performance.now();
  private rowsDone = 0;
  private lastLoss = Number.NaN;
  private validation = '';

  /** `done`: batches already behind when the bar starts (a resumed run). */
  constructor(term: Terminal, epochs: number, batchesPerEpoch: number, done = 0, validation = false) {
    const { format, barsize } = barLayout(term.colors, term.width, String(epochs).length, validation);
    this.bar = new cliProgress.SingleBar(
      {
        stream: term.io.stderr as NodeJS.WriteStream,
        format,
        barsize,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(epochs * batchesPerEpoch, done, { epoch: 1, epochs, loss: '…', validation: '', rate: '…' });
  }

  batch(event: BatchEvent): void {
    this.rowsDone += event.rows;
    const seconds = (performance.now() - this.started) / 1000;
    this.bar.increment(1, {
      epoch: event.epoch,
      loss: formatNumber(Number.isNaN(this.lastLoss) ? event.loss : this.lastLoss, 4),
      validation: this.validation,
      rate: seconds > 0 ? formatCount(this.rowsDone / seconds) : '…',
    });
  }

  epoch(event: EpochEvent): void {
    this.lastLoss = event.loss;
    if (event.validationLoss !== undefined) this.validation = ` (validation ${formatNumber(event.validationLoss, 4)})`;
    // The epoch's own losses on the bar now, not from the next batch on: the last frame shows the last epoch's.
    this.bar.update({ loss: formatNumber(event.loss, 4), validation: this.validation });
  }

  stop(): void {
    this.bar.stop();
  }
}

/**
 * The bar's fields for a terminal this wide, so that its line never wraps:
 * rows/s goes first, then the validation loss, then the bar shrinks and goes;
 * the ETA stays. Widths are the longest each field prints.
 */
export function barLayout(colors: ChalkInstance, columns: number, epochDigits: number, validation: boolean) {
  const fields = {
    percentage: [' {percentage}%', 5],
    epoch: [' | epoch {epoch}/{epochs}', 10 + 2 * epochDigits],
    loss: [' | loss {loss}', 17],
    validation: ['{validation}', validation ? 24 : 0],
    rate: [' | {rate} rows/s', 21],
    eta: [' | ETA {eta_formatted}', 13],
  } as const;
  const tries: (keyof typeof fields)[][] = [
    ['percentage', 'epoch', 'loss', 'validation', 'rate', 'eta'],
    ['percentage', 'epoch', 'loss', 'validation', 'eta'],
    ['percentage', 'epoch', 'loss', 'eta'],
    ['epoch', 'loss', 'eta'],
  ];
  const room = columns - 1; // a line that fills the last column wraps on some terminals
  for (const names of tries) {
    const width = names.reduce((total, name) => total + fields[name][1], 0);
    const barsize = Math.min(24, room - width);
    const text = names.map((name) => fields[name][0]).join('');
    if (barsize >= 8) return { format: `${colors.cyan('{bar}')}${text}`, barsize };
    if (width <= room && names.length === 3) return { format: text.replace(/^ \| /, ''), barsize: 0 };
  }
  return { format: 'epoch {epoch}/{epochs} | ETA {eta_formatted}', barsize: 0 };
}
