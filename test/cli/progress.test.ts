import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { barLayout } from '../../src/cli/progress.js';

/** The longest line the layout can print: every field at its widest. */
function widest(columns: number, validation: boolean): string {
  const { format, barsize } = barLayout(new Chalk({ level: 1 }), columns, 4, validation);
  return format
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace('{bar}', '#'.repeat(barsize))
    .replace('{percentage}', '100')
    .replace('{epoch}', '1000')
    .replace('{epochs}', '1000')
    .replace('{loss}', '1.234e-15')
    .replace('{validation}', validation ? ' (validation 1.234e-15)' : '')
    .replace('{rate}', '12,345,678')
    .replace('{eta_formatted}', '12h34m');
}

describe('the progress bar', () => {
  it.each([40, 60, 80, 100, 200])('never wraps at %d columns, and always shows the ETA', (columns) => {
    for (const validation of [false, true]) {
      const line = widest(columns, validation);
      expect(line.length, line).toBeLessThan(columns);
      expect(line).toMatch(/ETA 12h34m$/);
    }
  });

  it('drops rows/s first as the terminal narrows', () => {
    expect(widest(200, true)).toMatch(/rows\/s/);
    expect(widest(100, true)).not.toMatch(/rows\/s/);
    expect(widest(100, true)).toMatch(/validation/);
  });
});
