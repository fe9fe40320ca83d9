// The helper thread of a two-shard batch (see `ShardHelper` in shards.ts): computes shard 1 of each batch on its own
// tape and hands the result back through shared memory (see `ShardHelper`).
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Program } from './compile.js';
import type { Matrix } from './matrix.js';
import { runShard, Slot, waitUntil } from './shards.js';
import { Tape } from './tape.js';

interface Setup {
  program: Program;
  lanes: number;
  params: Float64Array;
  grads: Float64Array;
  control: Int32Array;
  rows: Int32Array;
  numbers: Float64Array;
  port: MessagePort;
}

const { program, lanes, params, grads, control, rows, numbers, port } = workerData as Setup;
const tape = new Tape(program, lanes, { params, paramGrads: grads });
let x: Matrix | undefined;
let y: Matrix | undefined;
let seen = 0;
parentPort!.postMessage('ready');

for (;;) {
  // The trainer bumps Start by one per shard; wait for the next value.
  waitUntil(control, Slot.Start, seen + 1, Number.POSITIVE_INFINITY);
  seen = Atomics.load(control, Slot.Start);
  if (Atomics.load(control, Slot.Exit)) break;
  // New data was posted before this shard was handed over: take the latest.
  for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port)) {
    ({ x, y } = message.message as { x: Matrix; y: Matrix });
  }
  numbers[1] = runShard(tape, x!, y!, rows.subarray(0, Atomics.load(control, Slot.Rows)), numbers[0]!);
  Atomics.store(control, Slot.Done, seen);
  Atomics.notify(control, Slot.Done);
}
