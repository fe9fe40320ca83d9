import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseDimension, planTrials, trialFlags } from '../../src/tune/search.js';

describe('search specs', () => {
  it('reads lists (| for layer specs), ranges and log ranges, each value checked as its flag would', () => {
    expect(parseDimension('optimizer=sgd,adam')).toEqual({
      flag: 'optimizer',
      key: 'optimizer',
      values: ['sgd', 'adam'],
    });
    expect(parseDimension('layers=auto,16,auto|auto,32,32,auto').values).toEqual([
      [0, 16, 0],
      [0, 32, 32, 0],
    ]);
    expect(parseDimension('batch-size=16,32')).toEqual({ flag: 'batch-size', key: 'batchSize', values: [16, 32] });
    expect(parseDimension('lr=0.001..0.1:log')).toEqual({
      flag: 'lr',
      key: 'learningRate',
      range: { low: 0.001, high: 0.1, log: true, integer: false },
    });
    expect(parseDimension('learningRate=0.1,0.2').flag).toBe('lr');
  });

  it.each([
    ['dropout=0.1', /no flag --dropout to search/],
    ['lr=', /give values/],
    ['lr=0.1..0.01', /the range 0.1..0.01 is empty or inverted/],
    ['lr=0.1..0.1', /empty or inverted/],
    ['lr=0..0.1', /"0" must be a number greater than 0/],
    ['optimizer=sgd,rmsprop', /"rmsprop" must be one of sgd, momentum, adam/],
    ['layers=auto,x,auto', /"auto,x,auto" is refused/],
    ['batch-size=16,,32', /an empty value/],
  ])('%s is a usage error', (spec, message) => {
    expect(() => parseDimension(spec)).toThrow(UsageError);
    expect(() => parseDimension(spec)).toThrow(message);
  });

  it('searches a small grid whole, first dimension slowest; otherwise draws, the same for the same seed', () => {
    const grid = planTrials([parseDimension('optimizer=sgd,adam'), parseDimension('batch-size=16,32')], 20, 1);
    expect(grid.kind).toBe('grid');
    expect(grid.trials).toEqual([
      { optimizer: 'sgd', batchSize: 16 },
      { optimizer: 'sgd', batchSize: 32 },
      { optimizer: 'adam', batchSize: 16 },
      { optimizer: 'adam', batchSize: 32 },
    ]);
    const dims = [parseDimension('lr=0.001..0.1:log'), parseDimension('batch-size=8..64')];
    const drawn = planTrials(dims, 30, 7);
    expect(drawn.kind).toBe('random');
    expect(drawn).toEqual(planTrials(dims, 30, 7));
    expect(drawn).not.toEqual(planTrials(dims, 30, 8));
    for (const t of drawn.trials) {
      expect(t.learningRate).toBeGreaterThanOrEqual(0.001);
      expect(t.learningRate).toBeLessThanOrEqual(0.1);
      expect(Number.isInteger(t.batchSize)).toBe(true);
    }
    expect(planTrials([parseDimension('optimizer=sgd,adam,momentum')], 2, 1).kind).toBe('random');
    expect(
      trialFlags({ learningRate: 0.01, layers: [0, 16, 0] }, [
        parseDimension('lr=0.1,0.2'),
        parseDimension('layers=auto,8,auto|2,4,1'),
      ]),
    ).toEqual(['--lr', '0.01', '--layers', 'auto,16,auto']);
  });
});
