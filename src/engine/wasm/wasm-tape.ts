import { Op, type Program } from '../compile.js';
import type { Matrix } from '../matrix.js';
import { emitModule, layoutOf, type Layout } from './kernels.js';
import { planOf } from './plan.js';

/** Most bytes of training rows kept in the module's memory. */
const DATA_LIMIT = 1 << 30;

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
  rows = 0;
  private readonly values: Float64Array;
  private readonly chunk: Float64Array;
  private readonly seeds: Float64Array;
  private readonly outputAt: Int32Array;
  private readonly rowTable: Int32Array;
  private readonly layout: Layout;
  private kept: { x: Matrix; y: Matrix } | undefined;
  private readonly run: { forward(rows: number): void; backward(rows: number): void; descend(lr: number): void };

  /**
   * `data`: the training rows (x, and y after it in each row), copied into the
   * module's memory once so that each batch is gathered there by row number
   * (left out above `DATA_LIMIT`: such batches are copied in row by row).
   */
  constructor(program: Program, lanes: number, data?: { x: Matrix; y: Matrix }) {
    this.program = program;
    this.lanes = lanes + (lanes & 1);
    const plan = planOf(program);
    const width = program.inputNodes.length;
    const keep =
      data && data.x.cols + data.y.cols === width && data.x.rows * width * 8 <= DATA_LIMIT ? data : undefined;
    const layout: Layout = layoutOf(program, plan, this.lanes, keep ? keep.x.rows * width * 8 : 0);
    this.layout = layout;
    const memory = new WebAssembly.Memory({ initial: Math.ceil(layout.bytes / 65536) });
    const { bytes, constants } = emitModule(program, plan, layout);
    const module = new WebAssembly.Module(bytes);
    const env = { memory, pow: Math.pow, log: Math.log, log1p: Math.log1p };
    this.run = new WebAssembly.Instance(module, { env }).exports as unknown as WasmTape['run'];
    const buffer = memory.buffer;
    constants.write(buffer);
    const P = program.parameterCount;
    this.params = new Float64Array(buffer, layout.params, P);
    this.paramGrads = new Float64Array(buffer, layout.grads, P);
    this.values = new Float64Array(buffer, layout.values, (plan.slots + 1) * this.lanes);
    this.chunk = new Float64Array(buffer, layout.chunk, this.lanes * width);
    this.rowTable = new Int32Array(buffer, layout.rowTable, this.lanes);
    if (keep) {
      const rows = new Float64Array(buffer, layout.data, keep.x.rows * width);
      const { x, y } = keep;
      for (let r = 0; r < x.rows; r++) {
        rows.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), r * width);
        rows.set(y.data.subarray(r * y.cols, (r + 1) * y.cols), r * width + x.cols);
      }
      this.kept = keep;
    }
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
    for (let j = 0; j < this.seeds.length; j++) this.seeds[j] = seeds[j]!;
    this.run.backward(this.rows);
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
