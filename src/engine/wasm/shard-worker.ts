// The helper thread of a two-shard batch (see `WasmShards`): runs shard 1's
// kernels on the memory it shares with the trainer, when it takes a shard first.
import { parentPort, workerData } from 'node:worker_threads';
import { Slot } from './shards.js';
import { importsFor } from './imports.js';

const { module, memory, control } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
};
const run = new WebAssembly.Instance(module, importsFor(memory)).exports as {
  forward(rows: number): void;
  backward(rows: number): void;
};
parentPort!.postMessage('ready');

let seen = 0;
for (;;) {
  // Wait for a batch after the last one seen (the trainer may have moved on by several).
  let now = Atomics.load(control, Slot.Start);
  while (now === seen) {
    Atomics.wait(control, Slot.Start, now);
    now = Atomics.load(control, Slot.Start);
  }
  seen = now;
  if (Atomics.load(control, Slot.Exit)) break;
  if (Atomics.compareExchange(control, Slot.Claim, seen - 1, seen) !== seen - 1) continue; // the trainer took it
  const rows = Atomics.load(control, Slot.Rows);
  run.forward(rows);
  run.backward(rows);
  Atomics.store(control, Slot.Done, seen);
  Atomics.notify(control, Slot.Done);
}
