import type { Dataset } from '../data/dataset.js';
import type { Matrix } from '../data/matrix.js';
import { classIndices, classificationMetrics, regressionMetrics } from '../metrics.js';
import { argmax, Predictor } from '../model.js';
import { formatLayerSpec, parameterCount } from '../nn/layer-spec.js';
import { Random } from '../random.js';
import type { TrainedModel } from '../train/record.js';
import { learningRateAt } from '../train/schedule.js';
import { listOf } from '../text.js';
import { esc, extent, fmt, histogram, lineChart, scatter, svg, type Series } from './svg.js';

/** At most this many rows are drawn in a scatter plot; a bigger file is sampled (and the report says so). */
export const SCATTER_ROWS = 1500;

export interface ReportData {
  /** What to call it: the file's name. */
  name: string;
  data: Dataset;
}

/**
 * One self-contained HTML page about a model: its network and settings, its
 * training (loss per epoch, the learning rate), its weights, and for each data
 * file its scores with the pictures that go with them. Inline SVG and CSS
 * only: no script, nothing fetched; it opens from disk and prints.
 */
export function renderReport(model: TrainedModel, title: string, files: ReportData[], version: string): string {
  const sections = [
    section('Network', [settingsTable(model), networkDrawing(model)]),
    ...(model.training ? [section('Training', trainingCharts(model))] : []),
    ...files.map((f) => section(`Data: ${f.name}`, dataSection(model, f))),
    section('Weights', weightHistograms(model)),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p>An MLP ${esc(formatLayerSpec(model.layers))} · ${model.task === 'classify' ? `classifies ${esc(model.targets[0]!)} into ${model.classes!.length} classes` : `predicts ${esc(listOf(model.targets))}`} · report by autograd ${esc(version)}</p></header>
${sections.join('\n')}
</body>
</html>
`;
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;max-width:980px;margin:2em auto;padding:0 1em}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
header p{color:#555;margin:.2em 0 1em}
table{border-collapse:collapse;margin:.6em 0}td,th{padding:.15em .8em .15em 0;text-align:left;vertical-align:top}
th{color:#555;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:12px}.note{color:#666;font-size:.9em}
svg.chart{background:#fff}.plot{fill:#fafafa;stroke:#ccc}.tick{font-size:11px;fill:#555}.label{font-size:12px;fill:#333}
.series{fill:none;stroke-width:2}.series.train{stroke:#1f77b4}.series.validation{stroke:#d62728;stroke-dasharray:6 3}
.series.lr{stroke:#2ca02c}.mark{stroke:#888;stroke-dasharray:3 3}.dot{fill:#1f77b4;fill-opacity:.55}
.bar{fill:#1f77b4;fill-opacity:.75}.edge.pos{stroke:#1f77b4}.edge.neg{stroke:#d62728}.neuron{fill:#fff;stroke:#333}
${PALETTE.map((c, k) => `.k${k}{fill:${c}}`).join('')}
@media print{body{margin:0}section{break-inside:avoid}}
`;

function section(title: string, parts: string[]): string {
  return `<section><h2>${esc(title)}</h2>\n${parts.join('\n')}</section>`;
}

function rows(cells: [string, string][]): string {
  return `<table>${cells.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function settingsTable(model: TrainedModel): string {
  const t = model.training;
  const params = parameterCount(model.layers);
  const cells: [string, string][] = [
    [
      'network',
      `${formatLayerSpec(model.layers)} (${params.toLocaleString('en-US')} parameters); hidden ${model.activation}, output ${model.outputActivation}`,
    ],
    ['features', listOf(model.features, 20)],
    ...model.encoding.map((e): [string, string] => ['one-hot', `${e.feature}: ${listOf(e.categories, 20)}`]),
    ['targets', `${listOf(model.targets, 20)}${model.classes ? ` (classes: ${listOf(model.classes, 20)})` : ''}`],
    ['normalised', model.normalization ? 'features and targets standardised with the training rows' : 'no'],
  ];
  if (t) {
    const o = t.optimizer;
    cells.push(
      [
        'training',
        `${t.epochs} of ${t.plannedEpochs} epochs on ${t.rows.toLocaleString('en-US')} rows; batch ${t.batchSize} (${t.lastBatch}); seed ${t.seed}`,
      ],
      [
        'optimizer',
        `${o.name}${o.name === 'adam' ? ` (β1 ${o.beta1}, β2 ${o.beta2})` : o.name === 'momentum' ? ` ${o.momentum}` : ''}; lr ${t.lr}, ${t.lrSchedule.name} schedule${o.weightDecay ? `; weight decay ${o.weightDecay}` : ''}`,
      ],
    );
    if (t.finalLoss !== null) {
      cells.push([
        'final loss',
        `train ${fmt(t.finalLoss)}${t.finalValidationLoss !== null ? `, validation ${fmt(t.finalValidationLoss)}` : ''}${model.normalization && !model.classes ? ' (standardised)' : ''}`,
      ]);
    }
    if (t.earlyStopping?.stoppedEarly) cells.push(['early stop', `kept epoch ${t.earlyStopping.bestEpoch}`]);
  }
  return rows(cells);
}

/** Layers as columns of neurons; each weight a line, its colour the sign (blue +, red −), its width the size. */
function networkDrawing(model: TrainedModel): string {
  const SHOWN = 12;
  const width = 900;
  const height = 300;
  const layers = model.layers;
  const x = (l: number) => 40 + (l * (width - 80)) / (layers.length - 1);
  const count = (l: number) => Math.min(layers[l]!, SHOWN);
  const y = (l: number, j: number) => 20 + ((j + 0.5) * (height - 40)) / count(l);
  let largest = 0;
  for (const p of model.parameters)
    for (const row of p.weights) for (const w of row) largest = Math.max(largest, Math.abs(w));
  const edges: string[] = [];
  model.parameters.forEach((p, l) => {
    for (let j = 0; j < count(l + 1); j++) {
      for (let i = 0; i < count(l); i++) {
        const w = p.weights[j]![i]!;
        edges.push(
          `<line class="edge ${w >= 0 ? 'pos' : 'neg'}" x1="${x(l)}" y1="${y(l, i).toFixed(1)}" x2="${x(l + 1)}" y2="${y(l + 1, j).toFixed(1)}" stroke-width="${(0.3 + (2.7 * Math.abs(w)) / (largest || 1)).toFixed(2)}" stroke-opacity="0.6"/>`,
        );
      }
    }
  });
  const nodes = layers.flatMap((n, l) =>
    Array.from(
      { length: count(l) },
      (_, j) => `<circle class="neuron" cx="${x(l)}" cy="${y(l, j).toFixed(1)}" r="6"/>`,
    ).concat(
      `<text class="tick" x="${x(l)}" y="${height - 4}" text-anchor="middle">${l === 0 ? 'inputs' : l === layers.length - 1 ? 'outputs' : `layer ${l}`}: ${n}${n > SHOWN ? ` (${SHOWN} drawn)` : ''}</text>`,
    ),
  );
  return svg(width, height, 'the network: weights as lines, blue positive, red negative, wider larger', [
    ...edges,
    ...nodes,
  ]);
}

function trainingCharts(model: TrainedModel): string[] {
  const t = model.training!;
  const series: Series[] = [{ name: 'train', kind: 'train', points: t.lossHistory.map((v, e) => [e + 1, v]) }];
  if (t.validationHistory.length > 0) {
    series.push({ name: 'validation', kind: 'validation', points: t.validationHistory.map((v, e) => [e + 1, v]) });
  }
  const kept =
    t.earlyStopping?.stoppedEarly && t.earlyStopping.bestEpoch
      ? [{ x: t.earlyStopping.bestEpoch, label: `kept epoch ${t.earlyStopping.bestEpoch}` }]
      : [];
  const epochs: [number, number] = [1, Math.max(2, t.lossHistory.length)];
  const axes = { width: 600, height: 300, xLabel: 'epoch', yLabel: 'loss', logY: true, integerX: true, x: epochs };
  const rates = Array.from({ length: epochs[1] }, (_, e): [number, number] => [
    e + 1,
    learningRateAt(t.lr, t.lrSchedule, e, t.plannedEpochs),
  ]);
  const highest = Math.max(...rates.map((r) => r[1]));
  return [
    `<div class="charts">${lineChart('loss per epoch (train, validation)', series, axes, kept)}${lineChart('learning rate per epoch', [{ name: `lr (${t.lrSchedule.name})`, kind: 'lr', points: rates }], { width: 340, height: 300, xLabel: 'epoch', yLabel: 'learning rate', integerX: true, x: epochs, y: [0, highest * 1.1] })}</div>`,
  ];
}

function dataSection(model: TrainedModel, file: ReportData): string[] {
  const { data } = file;
  const predicted = new Predictor(model).run(data.x);
  const sample = sampleRows(data.x.rows);
  const note =
    sample.length < data.x.rows
      ? `<p class="note">The plots show ${sample.length.toLocaleString('en-US')} of the ${data.x.rows.toLocaleString('en-US')} rows, drawn at random (seeded); the scores use them all.</p>`
      : '';
  const [scores, charts] = model.classes
    ? classification(model, data, predicted)
    : regression(model, data, predicted, sample);
  return [scores, note, charts, ...decisionSurface(model, data, sample)];
}

/** The scores table and the charts. */
function regression(model: TrainedModel, data: Dataset, predicted: Matrix, sample: number[]): [string, string] {
  const metrics = regressionMetrics(data.y, predicted);
  const table = `<table><tr><th>target</th><th>mse</th><th>rmse</th><th>mae</th><th>r²</th></tr>${metrics
    .map(
      (m, j) =>
        `<tr><td>${esc(model.targets[j]!)}</td>${[m.mse, m.rmse, m.mae, m.r2].map((v) => `<td class="num">${esc(fmt(v))}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  const charts = model.targets.map((name, j) => {
    const at = (m: Matrix, r: number) => m.data[r * m.cols + j]!;
    const points = sample.map((r) => ({ x: at(data.y, r), y: at(predicted, r) }));
    const [lo, hi] = extent([...points.map((p) => p.x), ...points.map((p) => p.y)]);
    const [plo, phi] = extent(points.map((p) => p.y));
    const both = { width: 420, height: 320 };
    return (
      scatter(
        `${name}: predicted against actual`,
        points,
        { ...both, xLabel: `actual ${name}`, yLabel: `predicted ${name}`, x: [lo, hi], y: [lo, hi] },
        [
          [lo, lo],
          [hi, hi],
        ],
      ) +
      scatter(
        `${name}: residuals`,
        points.map((p) => ({ x: p.y, y: p.x - p.y })),
        { ...both, xLabel: `predicted ${name}`, yLabel: 'actual − predicted' },
        [
          [plo, 0],
          [phi, 0],
        ],
      )
    );
  });
  return [table, `<div class="charts">${charts.join('')}</div>`];
}

/** The scores table and the charts. */
function classification(model: TrainedModel, data: Dataset, predicted: Matrix): [string, string] {
  const classes = model.classes!;
  const m = classificationMetrics(classIndices(data.y), argmax(predicted), classes);
  const table = `<p>accuracy <b>${esc(fmt(m.accuracy))}</b> on ${data.x.rows.toLocaleString('en-US')} rows</p><table><tr><th>class</th><th>precision</th><th>recall</th><th>f1</th><th>support</th></tr>${m.classes
    .map(
      (c) =>
        `<tr><td>${esc(c.class)}</td>${[c.precision, c.recall, c.f1].map((v) => `<td class="num">${v.toFixed(3)}</td>`).join('')}<td class="num">${c.support}</td></tr>`,
    )
    .join('')}</table>`;
  return [table, `<div class="charts">${confusionHeatmap(classes, m.confusion)}</div>`];
}

function confusionHeatmap(classes: string[], confusion: number[][]): string {
  const k = classes.length;
  const cell = Math.max(24, Math.min(60, Math.floor(420 / k)));
  const left = 110;
  const top = 40;
  const size = left + cell * k + 20;
  const body: string[] = [
    `<text class="label" x="${left + (cell * k) / 2}" y="14" text-anchor="middle">predicted</text>`,
    `<text class="label" transform="translate(12 ${top + (cell * k) / 2}) rotate(-90)" text-anchor="middle">true class</text>`,
  ];
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    body.push(
      `<text class="tick" x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(classes[i]!.slice(0, 14))}</text>`,
    );
    row.forEach((n, j) => {
      body.push(
        `<rect class="cell" x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="${i === j ? '#1f77b4' : '#d62728'}" fill-opacity="${(0.08 + (0.9 * n) / total).toFixed(3)}"><title>${esc(classes[i]!)} → ${esc(classes[j]!)}: ${n}</title></rect>`,
      );
      if (cell >= 28)
        body.push(
          `<text class="tick" x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle">${n}</text>`,
        );
    });
    body.push(
      `<text class="tick" x="${left + i * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${esc(classes[i]!.slice(0, 8))}</text>`,
    );
  });
  return svg(size, top + cell * k + 20, 'confusion matrix: rows the true class, columns the predicted one', body);
}

/** `#rrggbb` at this opacity over white, as an opaque colour. */
function overWhite(hex: string, opacity: number): string {
  const mixed = [1, 3, 5].map((k) => Math.round(255 - opacity * (255 - parseInt(hex.slice(k, k + 2), 16))));
  return `#${mixed.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** For a model of two numeric features: what it predicts over their plane, with the rows on top. */
function decisionSurface(model: TrainedModel, data: Dataset, sample: number[]): string[] {
  if (model.features.length !== 2 || model.encoding.length > 0) return [];
  const STEPS = 48;
  const [x0, x1] = extent(sample.map((r) => data.x.data[r * 2]!));
  const [y0, y1] = extent(sample.map((r) => data.x.data[r * 2 + 1]!));
  const grid = { rows: STEPS * STEPS, cols: 2, data: new Float64Array(STEPS * STEPS * 2) };
  for (let i = 0; i < STEPS; i++) {
    for (let j = 0; j < STEPS; j++) {
      grid.data[(i * STEPS + j) * 2] = x0 + ((j + 0.5) * (x1 - x0)) / STEPS;
      grid.data[(i * STEPS + j) * 2 + 1] = y1 - ((i + 0.5) * (y1 - y0)) / STEPS;
    }
  }
  const surface = new Predictor(model).run(grid);
  const size = 420;
  const px = size / STEPS;
  const sx = (v: number) => ((v - x0) / (x1 - x0)) * size;
  const sy = (v: number) => ((y1 - v) / (y1 - y0)) * size;
  const body: string[] = [];
  const [lo, hi] = model.classes ? [0, 1] : extent(Array.from(surface.data));
  for (let c = 0; c < STEPS * STEPS; c++) {
    const i = Math.floor(c / STEPS);
    const j = c % STEPS;
    let fill: string;
    let opacity: number;
    if (model.classes) {
      const best = argmax({
        rows: 1,
        cols: surface.cols,
        data: surface.data.subarray(c * surface.cols, (c + 1) * surface.cols),
      })[0]!;
      fill = PALETTE[best % PALETTE.length]!;
      opacity = 0.12 + 0.3 * surface.data[c * surface.cols + best]!;
    } else {
      const t = (surface.data[c * surface.cols]! - lo) / (hi - lo || 1);
      fill = `#${[40 + 200 * t, 80, 240 - 200 * t].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
      opacity = 0.45;
    }
    // Opaque, already blended with white: overlapping translucent cells would draw a mesh.
    body.push(
      `<rect x="${(j * px).toFixed(1)}" y="${(i * px).toFixed(1)}" width="${(px + 0.5).toFixed(1)}" height="${(px + 0.5).toFixed(1)}" fill="${overWhite(fill, opacity)}"/>`,
    );
  }
  const labels = model.classes ? classIndices(data.y) : undefined;
  for (const r of sample) {
    const k = labels ? labels[r]! % PALETTE.length : 0;
    body.push(
      `<circle class="dot${labels ? ` k${k}` : ''}" cx="${sx(data.x.data[r * 2]!).toFixed(1)}" cy="${sy(data.x.data[r * 2 + 1]!).toFixed(1)}" r="2.5" stroke="#fff" stroke-width="0.5"/>`,
    );
  }
  const what = model.classes
    ? 'the class it predicts (deeper: more sure), and the rows by their true class'
    : `the ${model.targets[0]} it predicts (blue low, red high), and the rows`;
  return [
    `<h3>Over ${esc(model.features[0]!)} and ${esc(model.features[1]!)}</h3><p class="note">${esc(what)}</p><div class="charts">${svg(size, size, `decision surface over ${model.features.join(' and ')}`, body)}</div>`,
  ];
}

function weightHistograms(model: TrainedModel): string[] {
  const charts = model.parameters.map((p, l) =>
    histogram(`layer ${l + 1}: ${p.weights.length * (p.weights[0]?.length ?? 0)} weights`, p.weights.flat(), 24, {
      width: 300,
      height: 200,
      xLabel: `layer ${l + 1} weights`,
      yLabel: 'count',
      integerY: true,
    }),
  );
  return [`<div class="charts">${charts.join('')}</div>`];
}

function sampleRows(rows: number): number[] {
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  if (rows <= SCATTER_ROWS) return Array.from(all);
  return Array.from(Random.stream(1, 'report').shuffle(all).subarray(0, SCATTER_ROWS)).sort((a, b) => a - b);
}
