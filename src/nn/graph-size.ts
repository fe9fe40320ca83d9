import { getHeapStatistics } from 'node:v8';
import { UsageError } from '../errors.js';
import { count } from '../text.js';

/**
 * What the object graph of one row costs per parameter: a few `Value`s, their
 * operand lists and backward closures (measured on Node 20: about 220 bytes).
 */
const BYTES_PER_PARAMETER_ROW = 220;

/**
 * Refuses, before building it, an object graph (`--engine graph`) that would
 * not fit in half of the JavaScript heap: V8 would otherwise spend minutes
 * collecting garbage and then abort the process.
 */
export function checkGraphFits(parameters: number, rows: number): void {
  const bytes = BYTES_PER_PARAMETER_ROW * parameters * rows;
  const limit = getHeapStatistics().heap_size_limit / 2;
  if (bytes <= limit) return;
  const gb = (n: number) => `${(n / 2 ** 30).toFixed(1)} GB`;
  throw new UsageError(
    'E_GRAPH_TOO_BIG',
    `the object graph of one batch (${count(parameters, 'parameter')} × ${count(rows, 'row')}) would take about ${gb(bytes)}, ` +
      `more than the ${gb(limit)} it may use; use the wasm engine (the default), the js engine or a smaller batch`,
    'engine',
  );
}
