import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerScript } from '../../src/engine/worker-script.js';

describe('a worker thread’s script', () => {
  const built = 'file:///home/src/autograd/dist/engine/wasm/shard-worker.js';

  it('is tsc’s output, from tsc’s output, from the command line’s bundle and from the TypeScript sources', () => {
    for (const from of [
      'file:///home/src/autograd/dist/engine/wasm/shards.js',
      'file:///home/src/autograd/dist/cli-bundle/chunk-ABC123.js',
      'file:///home/src/autograd/src/engine/wasm/shards.ts',
    ]) {
      expect(workerScript('engine/wasm/shard-worker', from).href, from).toBe(built);
    }
  });

  it('exists for every worker the engine and the tuner start', () => {
    const from = new URL('../../src/engine/shards.ts', import.meta.url).href;
    for (const path of [
      'engine/shard-worker',
      'engine/wasm/shard-worker',
      'engine/wasm/predict-worker',
      'tune/trial-worker',
    ]) {
      expect(existsSync(fileURLToPath(workerScript(path, from))), path).toBe(true);
    }
  });
});
