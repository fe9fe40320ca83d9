import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every core: most of the suite's time is computation.
    maxWorkers: availableParallelism(),
    // Files share a worker's modules instead of loading them afresh: no module holds state a test leaves behind.
    isolate: false,
  },
});
