// The helper thread of a two-shard batch (see `WasmShards`): runs shard 1's
// kernels on the memory it shares with the trainer, when it takes a shard first.
import { parentPort, workerData } from 'node:worker_threads';
import { Slot } from './shards.js';
import { importsFor } from './imports.js';

const { module, memory, control, lanes } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  lanes: number;
};
/** Kernel runs before the helper says it is ready (at most WARM_MS): see below. */
const WARM_CALLS = 200;
const WARM_MS = 50;
/** How long the helper spins for the next shard before it sleeps. */
const SPIN_MS = 0.3;
const run = new WebAssembly.Instance(module, importsFor(memory)).exports as {
  forward(rows: number): void;
  backward(rows: number): void;
};
// V8 compiles the kernels at their first call and optimises them after some: run them
// first on whatever this shard's space holds (nothing else uses it yet), so that the
// first shards handed over do not find them cold.
const warm = performance.now();
for (let i = 0; i < WARM_CALLS && performance.now() - warm < WARM_MS; i++) {
  run.forward(lanes);
  run.backward(lanes);
}
parentPort!.postMessage('ready');

let seen = 0;
for (;;) {
  // Wait for a batch after the last one seen (the trainer may have moved on by several).
  let now = Atomics.load(control, Slot.Start);
  // Spinning a little first: the next shard usually comes within a batch's time, and a
  // sleeping thread takes tens of microseconds to wake.
  const until = performance.now() + SPIN_MS;
  while (now === seen && performance.now() < until) now = Atomics.load(control, Slot.Start);
  while (now === seen) {
    Atomics.wait(control, Slot.Start, now, 50); // capped: a missed wake-up then costs 50 ms, not the rest of the run
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
