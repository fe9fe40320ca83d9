import { Op, type Program } from '../compile.js';
import type { Matrix } from '../matrix.js';
import { importsFor } from './imports.js';
import { gradientOwners } from './dense.js';
import { emitModule } from './kernels.js';
import { layoutsOf, type Layout } from './layout.js';
import { type Plan, planOf } from './plan.js';

/** Most bytes of training rows kept in the module's memory. */
const DATA_LIMIT = 1 << 30;

/** What a helper thread needs to run a shard's kernels: its module and the memory they share. */
export interface ShardKernels {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
}

/** The functions a module exports. */
interface Exports {
  forward(rows: number): void;
  backward(rows: number): void;
  descend(lr: number): void;
  addGrads(from: number): void;
}

/** The memory of one or more tapes, laid out, with the training rows copied in when they fit. */
interface Space {
  plan: Plan;
  layouts: Layout[];
  memory: WebAssembly.Memory;
  kept: { x: Matrix; y: Matrix } | undefined;
}

function spaceFor(
  program: Program,
  lanes: number,
  shards: number,
  data?: { x: Matrix; y: Matrix },
  plan = planOf(program),
  cut = lanes,
  whole?: number,
): Space {
  const width = program.inputNodes.length;
  const kept = data && data.x.cols + data.y.cols === width && data.x.rows * width * 8 <= DATA_LIMIT ? data : undefined;
  const layouts = layoutsOf(program, plan, lanes, kept ? kept.x.rows * width * 8 : 0, shards, cut, whole);
  const pages = Math.ceil(layouts[0]!.bytes / 65536);
  const memory = new WebAssembly.Memory(
    layouts.length > 1 ? { initial: pages, maximum: pages, shared: true } : { initial: pages },
  );
  if (kept) {
    const rows = new Float64Array(memory.buffer, layouts[0]!.data, kept.x.rows * width);
    const { x, y } = kept;
    for (let r = 0; r < x.rows; r++) {
      rows.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), r * width);
      rows.set(y.data.subarray(r * y.cols, (r + 1) * y.cols), r * width + x.cols);
    }
  }
  return { plan, layouts, memory, kept };
}

/** Whether one pass can give two shards' gradients: every parameter's are written by one layer (`LayerWriter`). */
function cuttable(program: Program, plan: Plan): boolean {
  return gradientOwners(program, plan).zeroed.length === 0;
}

/**
 * A compiled `Program` run by WebAssembly kernels generated for it: the same
 * contract as the js engine's `Tape` (one lane per row of a batch, forward,
 * backward from seeds, gradients summed over the rows), with dense layers run
 * as register-blocked f64x2 kernels. Memory is sized once, so the arrays it
 * hands out (`params`, `paramGrads`) stay valid for its whole life.
 */
export class WasmTape {
  readonly program: Program;
  readonly lanes: number;
  readonly params: Float64Array;
  readonly paramGrads: Float64Array;
  /** This tape's module and memory, for a helper thread that runs the same kernels. */
  readonly kernels: ShardKernels;
  rows = 0;
  private readonly values: Float64Array;
  private readonly chunk: Float64Array;
  private readonly seeds: Float64Array;
  private readonly outputAt: Int32Array;
  private readonly rowTable: Int32Array;
  private readonly layout: Layout;
  private readonly kept: { x: Matrix; y: Matrix } | undefined;
  private readonly run: Exports;

  /**
   * `data`: the training rows (x, and y after it in each row), copied into the
   * module's memory once so that each batch is gathered there by row number
   * (left out above `DATA_LIMIT`: such batches are copied in row by row).
   * `space` and `shard`: one of several tapes over one memory (`group`).
   */
  constructor(program: Program, lanes: number, data?: { x: Matrix; y: Matrix }, space?: Space, shard = 0) {
    this.program = program;
    this.lanes = lanes + (lanes & 1);
    const { plan, layouts, memory, kept } = space ?? spaceFor(program, this.lanes, 1, data);
    const layout = layouts[shard]!;
    this.layout = layout;
    this.kept = kept;
    const { bytes, constants } = emitModule(program, plan, layout, layouts.length > 1);
    const module = new WebAssembly.Module(bytes);
    this.kernels = { module, memory };
    this.run = new WebAssembly.Instance(module, importsFor(memory)).exports as unknown as Exports;
    const buffer = memory.buffer;
    constants.write(buffer); // every shard's module puts the same numbers in the same places
    const P = program.parameterCount;
    const width = program.inputNodes.length;
    this.params = new Float64Array(buffer, layout.params, P);
    this.paramGrads = new Float64Array(buffer, layout.grads, P);
    this.values = new Float64Array(buffer, layout.values, (plan.slots + 1) * this.lanes);
    this.chunk = new Float64Array(buffer, layout.chunk, this.lanes * width);
    this.rowTable = new Int32Array(buffer, layout.rowTable, this.lanes);
    this.seeds = new Float64Array(buffer, layout.seeds, program.outputNodes.length);
    const slotOf = (node: number) => (node >= 0 ? plan.slot[node]! : plan.slots);
    const table = new Int32Array(buffer, layout.inputTable, program.inputNodes.length);
    program.inputNodes.forEach((node, c) => (table[c] = layout.values + slotOf(node) * this.lanes * 8));
    this.outputAt = Int32Array.from(program.outputNodes, (node) => slotOf(node) * this.lanes);
    for (let i = 0; i < program.size; i++) {
      if (program.op[i] === Op.Const)
        this.values.fill(program.k[i]!, plan.slot[i]! * this.lanes, (plan.slot[i]! + 1) * this.lanes);
    }
  }

  /**
   * `shards` tapes over one memory: the same parameters (and kept rows), each
   * with its own lanes and gradients, so that the shards of a batch can run
   * side by side, on other threads too (the memory is shared when shards > 1).
   */
  static group(program: Program, lanes: number, shards: number, data?: { x: Matrix; y: Matrix }): WasmTape[] {
    const even = lanes + (lanes & 1);
    const space = spaceFor(program, even, shards, data);
    return space.layouts.map((_, k) => new WasmTape(program, even, data, space, k));
  }

  /**
   * For a batch shared with a helper thread: a tape for shard 1 of `lanes`
   * rows, and one for a whole batch of two shards' rows, the first `lanes` of
   * them apart (as `cut`), over one shared memory. Undefined where `cut`
   * cannot be made.
   */
  static shardAndWhole(
    program: Program,
    lanes: number,
    data?: { x: Matrix; y: Matrix },
  ): { shard: WasmTape; whole: WasmTape } | undefined {
    const plan = planOf(program);
    if (!cuttable(program, plan)) return undefined;
    const even = lanes + (lanes & 1);
    const space = spaceFor(program, even, 1, data, plan, even, lanes);
    const [shard, whole] = space.layouts.map((layout, k) => new WasmTape(program, layout.lanes, data, space, k));
    return { shard: shard!, whole: whole! };
  }

  /**
   * One tape for a whole batch of up to `lanes` rows that gives the numbers
   * of two shards — its first `cut` rows and the rest — in one pass: each
   * gradient sums the two parts' rows apart and adds the sums. Undefined where
   * that cannot be done in one pass (a parameter read by more than one layer,
   * or by a node of its own).
   */
  static cut(program: Program, lanes: number, cut: number, data?: { x: Matrix; y: Matrix }): WasmTape | undefined {
    const plan = planOf(program);
    if (!cuttable(program, plan)) return undefined;
    const even = lanes + (lanes & 1);
    return new WasmTape(program, even, data, spaceFor(program, even, 1, data, plan, cut));
  }

  /**
   * Tape `shard` of `group(program, lanes, shards)`, on another thread: the
   * same layout over the memory that group shares.
   */
  static attach(program: Program, lanes: number, shards: number, memory: WebAssembly.Memory, shard: number): WasmTape {
    const plan = planOf(program);
    const layouts = layoutsOf(program, plan, lanes, 0, shards);
    return new WasmTape(program, lanes, undefined, { plan, layouts, memory, kept: undefined }, shard);
  }

  /** Adds `other`'s parameter gradients to this tape's: grads ← grads + other's, element by element. */
  addGrads(other: WasmTape): void {
    this.run.addGrads(other.layout.grads);
  }

  /** Puts `rows` of x (and of y, for the targets' placeholders) in the lanes for the next `forward`. */
  load(x: Matrix, y: Matrix | null, rows: ArrayLike<number>): void {
    const width = this.program.inputNodes.length;
    const n = rows.length;
    const table = this.rowTable;
    if (this.kept && x.data === this.kept.x.data && y?.data === this.kept.y.data) {
      for (let l = 0; l < n; l++) table[l] = this.layout.data + rows[l]! * width * 8;
    } else {
      const chunk = this.chunk;
      const xs = x.data;
      const nin = x.cols;
      for (let l = 0; l < n; l++) {
        const from = rows[l]! * nin;
        const to = l * width;
        for (let c = 0; c < nin; c++) chunk[to + c] = xs[from + c]!;
        if (y) {
          const ys = y.data;
          const nout = y.cols;
          const yFrom = rows[l]! * nout;
          for (let c = 0; c < nout; c++) chunk[to + nin + c] = ys[yFrom + c]!;
        }
        table[l] = this.layout.chunk + to * 8;
      }
    }
    // An odd batch: the second lane of the last pair repeats the last row, so it stays finite; its seed is 0.
    if (n & 1) table[n] = table[n - 1]!;
  }

  /** Rows start .. start + count − 1 of x in lanes 0.. (prediction). */
  loadRange(x: Matrix, start: number, count: number): void {
    this.chunk.set(x.data.subarray(start * x.cols, (start + count) * x.cols));
    for (let l = 0; l < count; l++) this.rowTable[l] = this.layout.chunk + l * x.cols * 8;
    if (count & 1) this.rowTable[count] = this.rowTable[count - 1]!;
  }

  /** Computes every node for lanes 0..rows−1 (the weights are read where they are: `_gather` is the js tape's). */
  forward(rows: number, _gather = true): void {
    this.rows = rows;
    this.run.forward(rows);
  }

  /** Back-propagates from the outputs, whose gradient in every row's lane is `seeds[j]`, into `paramGrads` (overwritten). */
  backward(seeds: ArrayLike<number>): void {
    this.seedWith(seeds);
    this.run.backward(this.rows);
  }

  /** Sets the outputs' seeds for the next backward pass (which may run on another thread). */
  seedWith(seeds: ArrayLike<number>): void {
    for (let j = 0; j < this.seeds.length; j++) this.seeds[j] = seeds[j]!;
  }

  /** The plain SGD step, params ← params − lr·paramGrads, as the js optimizer computes it. */
  descend(lr: number): void {
    this.run.descend(lr);
  }

  /** Lane `lane` of output `output`, after `forward`. */
  output(output: number, lane: number): number {
    return this.values[this.outputAt[output]! + lane]!;
  }
}
