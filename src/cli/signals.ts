import { abandonPendingWrites } from '../files.js';

/** A run's hold on SIGINT and SIGTERM (see `catchSignals`). */
export interface Interruption {
  /** Aborted at the first signal: the training loop stops after its batch. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Runs `write`; a signal meanwhile removes what it had written and exits. */
  guard(write: () => Promise<unknown>): Promise<void>;
  /** Lets go of the signals. */
  release(): void;
}

/** Exit codes after a signal, as shells report them: 128 + the signal's number. */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * While training: the first SIGINT or SIGTERM asks the loop to stop after the
 * current batch, so that the model so far can be saved; a second one ends the
 * process at its next turn (the loop gives signals one every few
 * milliseconds, even inside a long batch), removing any half-written file.
 */
export function catchSignals(onFirst: () => void): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const quit = (signal: NodeJS.Signals) => {
    abandonPendingWrites();
    process.exit(SIGNAL_EXIT[signal]);
  };
  const first = (signal: NodeJS.Signals) => {
    received = signal;
    // The second handler goes in before the first comes out: a signal already queued must meet one of them.
    listen(quit);
    unlisten(first);
    controller.abort();
    onFirst();
  };
  const listen = (handler: (signal: NodeJS.Signals) => void) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  };
  const unlisten = (handler: (signal: NodeJS.Signals) => void) => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  listen(first);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    /** Runs `write`; a signal meanwhile removes what it had written and exits. */
    async guard(write: () => Promise<unknown>): Promise<void> {
      listen(quit);
      unlisten(first);
      try {
        await write();
      } finally {
        unlisten(quit);
      }
    },
    release() {
      unlisten(first);
      unlisten(quit);
    },
  };
}
