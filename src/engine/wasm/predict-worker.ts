// The helper thread of a long prediction (see `PredictHelper`): takes blocks
// of rows from the shared counter and computes them through its own lanes.
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { Program } from '../compile.js';
import { predictRows } from '../shards.js';
import { type Job, Slot, take } from './predict-helper.js';
import { WasmTape } from './wasm-tape.js';

const { program, lanes, memory, control, port } = workerData as {
  program: Program;
  lanes: number;
  memory: WebAssembly.Memory;
  control: Int32Array;
  port: MessagePort;
};
const tape = WasmTape.attach(program, lanes, 2, memory, 1);

let seen = 0;
for (;;) {
  let now = Atomics.load(control, Slot.Job);
  while (now === seen) {
    Atomics.wait(control, Slot.Job, now);
    now = Atomics.load(control, Slot.Job);
  }
  seen = now;
  if (Atomics.load(control, Slot.Exit)) break;
  // The latest job: any before it is over (its blocks all taken).
  let job: Job | undefined;
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) job = m.message as Job;
  if (!job) continue;
  const x = { rows: job.rows, cols: job.cols, data: job.x };
  for (let b = take(control, job.end); b >= 0; b = take(control, job.end)) {
    const start = (b - job.first) * job.blockRows;
    predictRows(tape, x, start, Math.min(job.blockRows, job.rows - start), job.out);
    Atomics.add(control, Slot.Done, 1);
    Atomics.notify(control, Slot.Done);
  }
}
port.close();
