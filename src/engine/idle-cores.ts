import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Cores that no thread is running on at this moment, with `ours` threads of
 * this process counted as running: the machine's cores less the threads Linux
 * counts as running (the fourth field of /proc/loadavg, which includes this
 * one), and never fewer than `ours`. Without /proc, every core but ours.
 */
export function idleCores(ours: number): number {
  const cores = availableParallelism();
  let running = ours;
  try {
    const field = readFileSync('/proc/loadavg', 'latin1').split(' ')[3];
    const n = Number(field?.split('/')[0]);
    if (Number.isInteger(n)) running = Math.max(n, ours);
  } catch {
    // not Linux: no count of running threads to go by
  }
  return cores - running;
}
