import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { idleCores } from '../../src/engine/idle-cores.js';

describe('idleCores', () => {
  it('counts at most the cores that this process’s running threads leave', () => {
    const cores = availableParallelism();
    for (const ours of [1, 2, cores]) {
      const idle = idleCores(ours);
      expect(Number.isInteger(idle)).toBe(true);
      expect(idle).toBeLessThanOrEqual(cores - ours);
    }
  });
});
