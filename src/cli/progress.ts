import cliProgress from 'cli-progress';
import type { BatchEvent, EpochEvent } from '../train/loop.js';
import { formatCount, formatNumber } from './output.js';
import { stderrColors } from './terminal.js';

/** The training bar on stderr: epoch, loss, rows/s, ETA. Callers create it only for a TTY. */
export class TrainingProgress {
  private readonly bar: cliProgress.SingleBar;
  private readonly started = performance.now();
  private rowsDone = 0;
  private lastLoss = Number.NaN;
  private validation = '';

  /** `done`: batches already behind when the bar starts (a resumed run). */
  constructor(epochs: number, batchesPerEpoch: number, done = 0) {
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${stderrColors.cyan('{bar}')} {percentage}% | epoch {epoch}/{epochs} | loss {loss}{validation} | {rate} rows/s | ETA {eta_formatted}`,
        barsize: 24,
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
  }

  stop(): void {
    this.bar.stop();
  }
}
