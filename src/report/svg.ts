// Small SVG charts as text: no script, no external file, nothing fetched.

/** Text safe inside an element or a double-quoted attribute. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A short, readable number for axes and labels. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(1);
  return String(Number(x.toPrecision(3)));
}

export interface Series {
  name: string;
  points: [number, number][];
  /** A CSS class: colour and dash, so that series differ without colour too. */
  kind: string;
}

export interface Axes {
  width: number;
  height: number;
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  /** Ticks on whole numbers only (epochs, counts). */
  integerX?: boolean;
  integerY?: boolean;
  /** Fixed ranges (default: the data's). */
  x?: [number, number];
  y?: [number, number];
}

const MARGIN = { left: 56, right: 16, top: 14, bottom: 40 };

/** Scales from data to pixels for a plot area, log on y when asked. */
export function frame(axes: Axes, xs: number[], ys: number[]) {
  const logY = axes.logY === true;
  const ty = (v: number) => (logY ? Math.log10(v) : v);
  const [x0, x1] = axes.x ?? extent(xs);
  const [y0, y1] = axes.y ?? extent(ys.map(ty));
  const w = axes.width - MARGIN.left - MARGIN.right;
  const h = axes.height - MARGIN.top - MARGIN.bottom;
  const sx = (v: number) => MARGIN.left + ((v - x0) / (x1 - x0 || 1)) * w;
  const sy = (v: number) => MARGIN.top + h - ((ty(v) - y0) / (y1 - y0 || 1)) * h;
  const yTicks = logY ? logTicks(10 ** y0, 10 ** y1) : niceTicks(y0, y1, axes.integerY);
  const grid = [
    `<rect class="plot" x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}"/>`,
    ...niceTicks(x0, x1, axes.integerX).map(
      (v) =>
        `<text class="tick" x="${sx(v).toFixed(1)}" y="${MARGIN.top + h + 14}" text-anchor="middle">${esc(fmt(v))}</text>`,
    ),
    ...yTicks.map(
      (v) =>
        `<text class="tick" x="${MARGIN.left - 6}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${esc(fmt(v))}</text>`,
    ),
    `<text class="label" x="${MARGIN.left + w / 2}" y="${axes.height - 6}" text-anchor="middle">${esc(axes.xLabel)}</text>`,
    `<text class="label" transform="translate(12 ${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(axes.yLabel + (logY ? ' (log scale)' : ''))}</text>`,
  ];
  return { sx, sy, grid, w, h, x0, x1 };
}

/** About five round ticks (steps of 1, 2 or 5 times a power of ten) inside [a, b]. */
export function niceTicks(a: number, b: number, integer = false): number[] {
  const span = b - a;
  if (!(span > 0) || !Number.isFinite(span)) return [a];
  const rough = span / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  if (integer) step = Math.max(1, Math.round(step));
  const out: number[] = [];
  // Multiples of the step, written from integers so that 0.1·3 prints as 0.3.
  for (let k = Math.ceil(a / step - 1e-9); k * step <= b + step * 1e-9; k++)
    out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Ticks for a log axis over [lo, hi]: powers of ten, or round values when the range is within a decade. */
export function logTicks(lo: number, hi: number): number[] {
  const decades = (multiples: number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); 10 ** e <= hi; e++) {
      for (const m of multiples) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= lo && v <= hi) out.push(v);
      }
    }
    return out;
  };
  const powers = decades([1]);
  if (powers.length >= 3) return powers;
  if (powers.length >= 1) return decades([1, 2, 5]);
  return niceTicks(lo, hi).filter((v) => v > 0);
}

export function extent(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

export function svg(width: number, height: number, title: string, body: string[]): string {
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>${body.join('')}</svg>`;
}

/** Lines over x, with a legend; `marks` adds vertical rules (e.g. the kept epoch). */
export function lineChart(
  title: string,
  series: Series[],
  axes: Axes,
  marks: { x: number; label: string }[] = [],
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => !axes.logY || v > 0);
  const f = frame(axes, xs, ys);
  const paths = series.map((s) => {
    const d = s.points
      .filter((p) => Number.isFinite(p[1]) && (!axes.logY || p[1] > 0))
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${f.sx(p[0]).toFixed(1)},${f.sy(p[1]).toFixed(1)}`)
      .join('');
    return `<path class="series ${s.kind}" d="${d}"><title>${esc(s.name)}</title></path>`;
  });
  const rules = marks.map(
    (m) =>
      `<line class="mark" x1="${f.sx(m.x).toFixed(1)}" x2="${f.sx(m.x).toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + f.h}"/><text class="tick" x="${(f.sx(m.x) + 4).toFixed(1)}" y="${MARGIN.top + 12}">${esc(m.label)}</text>`,
  );
  const legend = series.map(
    (s, i) =>
      `<line class="series ${s.kind}" x1="${axes.width - 150}" x2="${axes.width - 126}" y1="${MARGIN.top + 14 + i * 16}" y2="${MARGIN.top + 14 + i * 16}"/><text class="tick" x="${axes.width - 120}" y="${MARGIN.top + 18 + i * 16}">${esc(s.name)}</text>`,
  );
  return svg(axes.width, axes.height, title, [...f.grid, ...paths, ...rules, ...legend]);
}

/** Points, with an optional line through them (e.g. the diagonal y = x). */
export function scatter(
  title: string,
  points: { x: number; y: number; kind?: string }[],
  axes: Axes,
  line?: [[number, number], [number, number]],
): string {
  const f = frame(
    axes,
    points.map((p) => p.x),
    points.map((p) => p.y),
  );
  const dots = points.map(
    (p) => `<circle class="dot ${p.kind ?? ''}" cx="${f.sx(p.x).toFixed(1)}" cy="${f.sy(p.y).toFixed(1)}" r="2.5"/>`,
  );
  const extra = line
    ? [
        `<line class="mark" x1="${f.sx(line[0][0]).toFixed(1)}" y1="${f.sy(line[0][1]).toFixed(1)}" x2="${f.sx(line[1][0]).toFixed(1)}" y2="${f.sy(line[1][1]).toFixed(1)}"/>`,
      ]
    : [];
  return svg(axes.width, axes.height, title, [...f.grid, ...extra, ...dots]);
}

/** Bars of counts over equal bins. */
export function histogram(title: string, values: number[], bins: number, axes: Axes): string {
  const [lo, hi] = extent(values);
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]!++;
  const f = frame({ ...axes, x: [lo, hi], y: [0, Math.max(...counts) * 1.05 || 1] }, [], []);
  const width = (hi - lo) / bins;
  const bars = counts.map(
    (n, i) =>
      `<rect class="bar" x="${f.sx(lo + i * width).toFixed(1)}" y="${f.sy(n).toFixed(1)}" width="${Math.max(0.5, f.sx(lo + (i + 1) * width) - f.sx(lo + i * width) - 1).toFixed(1)}" height="${(f.sy(0) - f.sy(n)).toFixed(1)}"><title>${n}</title></rect>`,
  );
  return svg(axes.width, axes.height, title, [...f.grid, ...bars]);
}
