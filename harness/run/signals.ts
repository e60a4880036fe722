/**
 * Ctrl-C and SIGTERM during a run: the first aborts (the trial in flight is torn down, the
 * finished trials are kept and summarised); the second tears everything down at once and exits.
 */
import { teardownAll } from '../teardown/registry.js';
import type { Progress } from './progress.js';

export function stopOnSignals(progress: Progress): { abort: AbortController; off(): void } {
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      progress.line(
        `${sig}: stopping after cleaning up the trial in flight; the finished trials are kept (again to force)`,
      );
      abort.abort();
    } else {
      // Second Ctrl-C: do not wait for workloads to shut down; the registries still remove
      // everything (the run's, and a doctor check's in flight).
      void teardownAll().finally(() => process.exit(130));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    abort,
    off() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
