// Regenerates the shipped data sets from fixed seeds: `npm run data`.
// Uses the library's own seeded generator, so the files are reproducible byte for byte.
import { writeFileSync } from 'node:fs';
import { Random } from '../dist/index.js';

const here = new URL('.', import.meta.url);
const round = (x) => Number(x.toFixed(6));

function write(name, header, rows) {
  const cell = (v) => (typeof v === 'number' ? round(v) : v);
  const text = [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
  writeFileSync(new URL(name, here), text);
}

// Two interleaving half-circles with Gaussian noise (as scikit-learn's make_moons), label 0 or 1.
function moons(n, noise, random) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const t = Math.PI * random.next();
    const x = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const y = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    rows.push([x + noise * random.normal(), y + noise * random.normal(), label]);
  }
  return random.shuffle(rows);
}

// y = sin(x) + noise on x in [-3, 3].
function sine(n, noise, random) {
  return Array.from({ length: n }, () => {
    const x = random.uniform(-3, 3);
    return [x, Math.sin(x) + noise * random.normal()];
  });
}

// Three Gaussian blobs in 2-D, labelled by name: a small multi-class set.
function blobs(n, random) {
  const centres = [
    ['setosa', -1.5, 0],
    ['versicolor', 1, 1.2],
    ['virginica', 1.2, -1],
  ];
  return Array.from({ length: n }, (_, i) => {
    const [label, cx, cy] = centres[i % 3];
    return [cx + 0.6 * random.normal(), cy + 0.6 * random.normal(), label];
  });
}

write('moons.csv', ['x1', 'x2', 'label'], moons(1000, 0.1, new Random(1)));
write('blobs.csv', ['x1', 'x2', 'species'], blobs(600, new Random(3)));
write('sine.csv', ['x', 'y'], sine(200, 0.1, new Random(2)));
// The classic four-row toy from micrograd's walkthrough: 3 inputs, 1 output.
write(
  'toy.csv',
  ['x1', 'x2', 'x3', 'y'],
  [
    [2, 3, -1, 1],
    [3, -1, 0.5, -1],
    [0.5, 1, 1, -1],
    [1, 1, -1, 1],
  ],
);
