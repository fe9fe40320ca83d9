import { describe, expect, it } from 'vitest';
import { drawLossChart } from '../../src/cli/loss-chart.js';

const falling = Array.from({ length: 134 }, (_, i) => 1.2 * Math.exp(-i / 12) + 0.02);

describe('the terminal loss chart', () => {
  it.each([40, 60, 80, 120])('fits %d columns, ticks the first and last epoch', (width) => {
    const lines = drawLossChart(
      falling,
      falling.map((v) => v * 1.1),
      width,
      10,
    ).split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(width);
    expect(lines).toHaveLength(10 + 3);
    expect(lines[11]!.trim().split(/\s+/)[0]).toBe('1');
    expect(lines[11]!.trim().split(/\s+/).pop()).toBe('134');
  });

  it('goes log-scale when the loss spans more than a decade, and tells the series apart without colour', () => {
    const chart = drawLossChart(
      falling,
      falling.map((v) => v * 1.1),
      80,
      10,
    );
    expect(chart).toMatch(/• train {2}\+ validation, log scale$/);
    expect(chart).toContain('•');
    expect(chart).toContain('+');
    const flat = drawLossChart([0.5, 0.4, 0.35], [], 60, 6);
    expect(flat).not.toMatch(/log scale/);
    expect(flat).toMatch(/• training loss per epoch$/);
  });
});
