import asciichart from 'asciichart';
import { formatNumber } from './output.js';
import type { Terminal } from './terminal.js';

/** The loss per epoch as a terminal chart (validation too, when measured). */
export function lossChart(term: Terminal, train: number[], validation: number[]): string {
  const width = 60;
  const sample = (series: number[]) =>
    series.length <= width
      ? series
      : Array.from({ length: width }, (_, i) => series[Math.round((i * (series.length - 1)) / (width - 1))]!);
  const series = validation.length === train.length ? [sample(train), sample(validation)] : [sample(train)];
  const chart = asciichart.plot(series, {
    height: 10,
    colors: term.colors.level > 0 ? [asciichart.cyan, asciichart.magenta] : undefined,
    format: (x: number) => formatNumber(x, 3).padStart(10),
  });
  const legend = series.length > 1 ? 'loss per epoch: train (cyan), validation (magenta)' : 'training loss per epoch';
  return `${chart}\n${' '.repeat(12)}${legend}, ${train.length} epochs`;
}
