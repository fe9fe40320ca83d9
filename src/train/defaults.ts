/** Training defaults, in a module of their own so that `--help` loads nothing else. */
export const DEFAULTS = { epochs: 100, learningRate: 0.05, batchSize: 32, seed: 42 } as const;
