import type { Program } from '../compile.js';
import { ConstantTable } from './emit.js';
import type { Plan } from './plan.js';

/**
 * Where everything lives in the module's memory (byte offsets, 16-aligned).
 * Slot s's lanes are at `values + s·lanes·8`; a pair of rows is one v128.
 */
export interface Layout {
  lanes: number;
  /**
   * Rows whose gradient sums come first: sums over rows run over lanes
   * 0..cut−1 and cut..rows−1 apart and are then added, as two shards' would
   * be. `lanes` when the rows are not cut.
   */
  cut: number;
  /** The splatted numbers (`ConstantTable`). */
  constants: number;
  params: number;
  grads: number;
  values: number;
  nodeGrads: number;
  /** A layer's inputs transposed (row-major, plus a column of ones for the bias) for the weight gradient. */
  transposed: number;
  /** Rows to load, row-major, `inputs` numbers each: the batch as the caller hands it over. */
  chunk: number;
  /** Address of each lane's row (i32): in the chunk, or in `data`. */
  rowTable: number;
  /** Rows kept in memory for the whole training (row-major like the chunk), when they fit. */
  data: number;
  /** ∂L/∂output for each output, for backward. */
  seeds: number;
  /** Byte offset of each input's first lane (i32). */
  inputTable: number;
  bytes: number;
}

const align = (n: number) => Math.ceil(n / 16) * 16;
/** n rounded up to an even number. */
export const even = (n: number) => n + (n & 1);

/**
 * The layout of each of `shards` kernels sharing one memory: the constants,
 * parameters and kept rows once, and for each shard its own gradients and
 * working space (values, lanes, rows). `whole`: one more kernel, last, for a
 * whole batch (twice the lanes, cut after `whole` rows).
 */
export function layoutsOf(
  program: Program,
  plan: Plan,
  lanes: number,
  dataBytes = 0,
  shards = 1,
  cut = lanes,
  whole?: number,
): Layout[] {
  let width = 0;
  for (const step of plan.steps) if (step.kind === 'layer') width = Math.max(width, even(step.inputs + 1));
  const constants = 0;
  const params = ConstantTable.BYTES;
  const data = params + align(program.parameterCount * 8);
  let at = data + align(dataBytes) + 32; // a block may read a pair past the last row's end
  const layouts: Layout[] = [];
  const specs = Array.from({ length: shards }, () => ({ lanes, cut }));
  if (whole !== undefined) specs.push({ lanes: 2 * lanes, cut: whole });
  for (const { lanes, cut } of specs) {
    // One slot more than the plan's: where inputs that the graph never reads are loaded.
    const slotBytes = (plan.slots + 1) * lanes * 8;
    const grads = at;
    const values = grads + align(program.parameterCount * 8);
    const nodeGrads = values + slotBytes;
    const transposed = nodeGrads + slotBytes;
    const chunk = transposed + align(lanes * width * 8);
    const seeds = chunk + align(lanes * program.inputNodes.length * 8);
    const inputTable = seeds + align(program.outputNodes.length * 8);
    const rowTable = inputTable + align(program.inputNodes.length * 4);
    at = rowTable + align(lanes * 4);
    layouts.push({
      lanes,
      cut,
      constants,
      params,
      grads,
      values,
      nodeGrads,
      transposed,
      chunk,
      rowTable,
      data,
      seeds,
      inputTable,
      bytes: 0,
    });
  }
  for (const layout of layouts) layout.bytes = at;
  return layouts;
}
