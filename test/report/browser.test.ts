import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { datasetFromTable } from '../../src/data/dataset.js';
import { renderReport } from '../../src/report/report.js';
import { fit } from '../../src/train/fit.js';
import { hasChromium, launchBrowser } from '../helpers/browser.js';

describe.skipIf(!hasChromium)('the report in a real browser', () => {
  it('opens from disk with no console error, and draws its charts and marks', async () => {
    const data = datasetFromTable(
      parseCsv({ name: 'blobs.csv', text: readFileSync(new URL('../../data/blobs.csv', import.meta.url), 'utf8') }),
      { task: 'auto' },
    );
    const { model } = await fit(data, { layers: [0, 8, 0], epochs: 20, validationSplit: 0.2, seed: 1 });
    const path = join(mkdtempSync(join(tmpdir(), 'autograd-report-')), 'report.html');
    writeFileSync(path, renderReport(model, 'blobs', [{ name: 'blobs.csv', data }], 'test'));
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => !r.url().startsWith('file:') && problems.push(`fetched ${r.url()}`));
      await page.goto(pathToFileURL(path).href);
      // Run in the page (a string: the page's DOM is not this file's to type).
      const drawn = await page.evaluate(`({
        charts: document.querySelectorAll('svg.chart').length,
        dots: document.querySelectorAll('circle.dot').length,
        cells: document.querySelectorAll('rect.cell').length,
        lines: document.querySelectorAll('path.series').length,
        // Every chart is laid out with a size: a broken SVG would have none.
        sized: [...document.querySelectorAll('svg.chart')].every((s) => s.getBoundingClientRect().width > 100),
      })`);
      expect(problems).toEqual([]);
      expect(drawn).toEqual({ charts: 7, dots: 600, cells: 9, lines: 3, sized: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
