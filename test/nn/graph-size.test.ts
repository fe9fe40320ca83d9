import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkGraphFits } from '../../src/nn/graph-size.js';

describe('checkGraphFits', () => {
  it('lets a graph that fits be built', () => {
    expect(() => checkGraphFits(4_000, 64)).not.toThrow();
  });

  it('refuses one that would exhaust the heap, naming the wasm and js engines, as a usage error about --engine', () => {
    let error: UsageError | undefined;
    try {
      checkGraphFits(66_817, 1_000); // 2,256,256,1 with batch 1000: about 14 GB of objects
    } catch (e) {
      error = e as UsageError;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect(error!.option).toBe('engine');
    expect(error!.message).toMatch(
      /^the object graph of one batch \(66,817 parameters × 1,000 rows\) would take about 13\.7 GB, .* use the wasm engine \(the default\), the js engine or a smaller batch/,
    );
  });
});
