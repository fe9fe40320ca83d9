import { formatNumber } from './output.js';
import type { Terminal } from './terminal.js';

/**
 * The loss per epoch as a terminal chart, drawn to fit the terminal: the
 * training loss as `•`, the validation loss as `+` (told apart without
 * colour, and coloured where colour is on), both on a log scale when they
 * span more than a decade; epochs ticked along the bottom.
 */
export function lossChart(term: Terminal, train: number[], validation: number[]): string {
  const columns = Number.isFinite(term.width) ? term.width : 80;
  const rows = term.io.stderr.isTTY ? ((term.io.stderr as { rows?: number }).rows ?? 24) : 24;
  return drawLossChart(train, validation, Math.min(columns, 120), Math.max(6, Math.min(12, rows - 8)), (mark, kind) =>
    kind === 'train' ? term.colors.cyan(mark) : term.colors.magenta(mark),
  );
}

/** The chart as text, `width` columns wide with `height` rows of plot. */
export function drawLossChart(
  train: number[],
  validation: number[],
  width: number,
  height: number,
  paint: (mark: string, kind: 'train' | 'validation') => string = (m) => m,
): string {
  const series = [
    { kind: 'train' as const, mark: '•', values: train },
    ...(validation.length === train.length ? [{ kind: 'validation' as const, mark: '+', values: validation }] : []),
  ];
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const positive = all.every((v) => v > 0);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  const log = positive && hi / lo > 10;
  const t = (v: number) => (log ? Math.log10(v) : v);
  let [a, b] = [t(lo), t(hi)];
  if (a === b) [a, b] = [a - 1, b + 1];
  const labels = Array.from({ length: height }, (_, r) => {
    const v = b - ((b - a) * r) / (height - 1);
    return formatNumber(log ? 10 ** v : v, 3);
  });
  const left = Math.max(...labels.map((l) => l.length)) + 1;
  const plotWidth = Math.max(10, width - left - 3);
  const n = train.length;
  const column = (e: number) => (n === 1 ? 0 : Math.round((e * (plotWidth - 1)) / (n - 1)));
  const grid = Array.from({ length: height }, () => new Array<string>(plotWidth).fill(' '));
  for (const s of series) {
    s.values.forEach((v, e) => {
      if (!Number.isFinite(v) || (log && v <= 0)) return;
      const r = Math.round(((b - t(v)) / (b - a)) * (height - 1));
      const cell = grid[r]![column(e)]!;
      // Where the series meet, the training mark stays.
      if (cell === ' ') grid[r]![column(e)] = paint(s.mark, s.kind);
    });
  }
  const lines = grid.map((cells, r) => `${labels[r]!.padStart(left - 1)} ┤${cells.join('')}`.trimEnd());
  // Epoch ticks: the first, the last, and a few between, where their numbers fit.
  const axis = new Array<string>(plotWidth).fill('─');
  const numbers = new Array<string>(plotWidth + 8).fill(' ');
  const ticks = [...new Set([1, ...Array.from({ length: 4 }, (_, i) => Math.round(((i + 1) * n) / 5)), n])].filter(
    (e) => e >= 1 && e <= n,
  );
  for (const e of ticks) {
    const c = column(e - 1);
    const text = String(e);
    if (numbers.slice(Math.max(0, c - 1), c + text.length + 1).some((ch) => ch !== ' ')) continue;
    axis[c] = '┬';
    for (let i = 0; i < text.length; i++) numbers[c + i] = text[i]!;
  }
  lines.push(`${' '.repeat(left - 1)} └${axis.join('')}`, `${' '.repeat(left + 1)}${numbers.join('').trimEnd()}`);
  const legend =
    (series.length > 1
      ? `${paint('•', 'train')} train  ${paint('+', 'validation')} validation`
      : `${paint('•', 'train')} training loss per epoch`) + (log ? ', log scale' : '');
  const plain = legend.replace(/\u001b\[[0-9;]*m/g, '');
  lines.push(`${plain.length + left + 1 <= width ? ' '.repeat(left + 1) : ''}${legend}`);
  return lines.join('\n');
}
