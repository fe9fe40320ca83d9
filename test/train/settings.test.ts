import { describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import { Terminal } from '../../src/cli/terminal.js';
import { DEFAULTS, resolveSettings, SETTINGS } from '../../src/train/settings.js';
import { OPTIMIZER_DEFAULTS } from '../../src/train/optimizer.js';
import { Readable, Writable } from 'node:stream';

describe('the settings table', () => {
  it('resolves each setting: given, else the saved record, else the default', () => {
    const saved = {
      lr: 0.2,
      batchSize: 8,
      optimizer: { name: 'adam', beta1: 0.5, clipGrad: null },
      earlyStopping: null,
    };
    const settings = resolveSettings({ batchSize: 4, momentum: 0.7 }, saved);
    expect(settings.learningRate).toBe(0.2); // saved
    expect(settings.batchSize).toBe(4); // given
    expect([settings.optimizer, settings.beta1, settings.momentum]).toEqual(['adam', 0.5, 0.7]);
    expect([settings.beta2, settings.clipGrad, settings.patience]).toEqual([0.999, null, null]); // defaults
    expect(resolveSettings({})).toEqual(DEFAULTS);
    expect(OPTIMIZER_DEFAULTS).toEqual({
      name: 'sgd',
      momentum: 0.9,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      clipGrad: null,
    });
  });

  it('gives the train command each flag, with the same default and parser', () => {
    const nowhere = new Writable({ write: (_c, _e, done) => done() });
    const program = createProgram(
      new Terminal({ stdin: Readable.from([]), stdout: nowhere, stderr: nowhere, env: {} }),
    );
    const train = program.commands.find((c) => c.name() === 'train')!;
    for (const setting of SETTINGS) {
      const option = train.options.find((o) => o.flags === setting.flags);
      expect(option, setting.flags).toBeDefined();
      if (!option!.negate) expect(option!.defaultValue).toBe(setting.default === null ? undefined : setting.default);
      if (setting.parse) expect(() => option!.parseArg!('abc', undefined)).toThrow();
    }
  });
});
