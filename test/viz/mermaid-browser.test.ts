import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser } from '../helpers/browser.js';
import { DATA, run, tempDir } from '../helpers/cli.js';

const MERMAID = fileURLToPath(new URL('../../node_modules/mermaid/dist/mermaid.min.js', import.meta.url));

// What mermaid 11 makes of each picture, in the browser: a parse error fails, and so
// does a label wider or taller than the shape drawn around it.
const DRAW = `async (texts) => {
  mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  const results = [];
  for (const [i, text] of texts.entries()) {
    try {
      const { svg } = await mermaid.render('picture' + i, text);
      const holder = document.createElement('div');
      holder.innerHTML = svg;
      document.body.append(holder);
      const nodes = [...holder.querySelectorAll('g.node')];
      // Every corner of the label inside the shape's fill (a circle's box is not enough).
      const overflowing = nodes.filter((node) => {
        const shape = node.querySelector('rect, path, circle, ellipse, polygon');
        const label = node.querySelector('.label')?.getBoundingClientRect();
        if (!shape || !label) return true;
        const toShape = shape.getScreenCTM().inverse();
        const corners = [[label.left, label.top], [label.right, label.top], [label.left, label.bottom], [label.right, label.bottom]];
        return corners.some(([x, y]) => {
          const inward = new DOMPoint(x + Math.sign(label.x + label.width / 2 - x), y + Math.sign(label.y + label.height / 2 - y));
          return !shape.isPointInFill(inward.matrixTransform(toShape));
        });
      }).map((node) => node.textContent);
      const place = (id) => holder.querySelector('g.cluster[id$="' + id + '"]')?.getBoundingClientRect();
      const [forward, backward] = [place('forward'), place('backward')];
      // Neuron boxes of the forward view (or the only view), top to bottom.
      const neurons = [...holder.querySelectorAll('g.cluster')]
        .filter((c) => /(f|n)_c\\d+$/.test(c.id))
        .map((c) => ({ title: c.querySelector('.cluster-label')?.textContent, top: c.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((c) => c.title);
      results.push({
        neurons,
        nodes: nodes.length,
        clusters: holder.querySelectorAll('g.cluster').length,
        overflowing,
        // Forward drawn first: wholly above (or left of) backward.
        forwardFirst: forward && backward ? forward.bottom <= backward.top || forward.right <= backward.left : null,
      });
    } catch (e) {
      results.push({ error: String(e && e.message || e) });
    }
  }
  return results;
}`;

describe.skipIf(!hasChromium)('graph pictures in mermaid 11, in a real browser', () => {
  it('every kind of graph output parses, draws, and fits its labels', async () => {
    // The browser starts and loads mermaid while the pictures are made.
    const problems: string[] = [];
    const browser = launchBrowser();
    const page = browser.then(async (b) => {
      const p = await b.newPage();
      p.on('pageerror', (e) => problems.push(e.message));
      await p.addScriptTag({ path: MERMAID });
      return p;
    });
    try {
      const cwd = tempDir();
      expect((await run(['train', join(DATA, 'moons.csv'), '-l', '2,2,1', '-e', '2', '-q'], { cwd })).code).toBe(0);
      const commands = [
        ['graph', '--example', 'seed'],
        ['graph', '--layers', '2,2,1', '--input', '0.5,-1', '--target', '1', '--view', 'backward'],
        ['graph', '--model', join(cwd, 'model.json'), '--input', '0.3,0.1', '--target', '1'],
        ['graph', '--layers', '784,128,10'],
      ];
      const texts: string[] = [];
      for (const argv of commands) {
        const r = await run(argv);
        expect(r.code, argv.join(' ')).toBe(0);
        texts.push(r.stdout);
      }
      const drawn = (await (await page).evaluate(`(${DRAW})(${JSON.stringify(texts)})`)) as {
        error?: string;
        nodes: number;
        clusters: number;
        overflowing: string[];
        forwardFirst: boolean | null;
        neurons: string[];
      }[];
      expect(problems).toEqual([]);
      for (const [i, d] of drawn.entries()) {
        expect(d.error, commands[i]!.join(' ')).toBeUndefined();
        expect(d.overflowing, commands[i]!.join(' ')).toEqual([]);
        expect(d.nodes).toBeGreaterThan(2);
      }
      // Both views of the seed example: forward and backward boxes, 9 nodes each.
      expect(drawn[0]).toMatchObject({ nodes: 18, clusters: 2, forwardFirst: true });
      expect(drawn[2]!.forwardFirst).toBe(true);
      // A layer's neurons, from the top: 1, 2, 3.
      const firstLayer = (d: { neurons: string[] }) => d.neurons.filter((t) => t.startsWith('layer 1 '));
      expect(firstLayer(drawn[1]!)).toEqual(['layer 1 · neuron 1', 'layer 1 · neuron 2']);
      expect(firstLayer(drawn[2]!)).toEqual(['layer 1 · neuron 1', 'layer 1 · neuron 2']);
      // Each neuron of the small network is its own box.
      expect(drawn[1]!.clusters).toBe(3);
    } finally {
      await (await browser).close();
    }
  }, 60_000);
});
