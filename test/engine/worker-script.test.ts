import { describe, expect, it } from 'vitest';
import { workerScript } from '../../src/engine/worker-script.js';

describe('a worker thread’s script', () => {
  it('is the built one beside the module, also when the module runs from its TypeScript source', () => {
    expect(workerScript('shard-worker', 'file:///home/src/autograd/dist/engine/wasm/shards.js').href).toBe(
      'file:///home/src/autograd/dist/engine/wasm/shard-worker.js',
    );
    expect(workerScript('shard-worker', 'file:///home/src/autograd/src/engine/wasm/shards.ts').href).toBe(
      'file:///home/src/autograd/dist/engine/wasm/shard-worker.js',
    );
  });
});
