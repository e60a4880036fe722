/** What isobench does when it fails in a way it did not expect, or its output goes nowhere. */
import { errnoOf } from './errors.js';

/**
 * A bug must not leave cgroups and processes behind: tear everything down, then report it. Once:
 * an error raised while reporting (a closed stderr) must not start the teardown again.
 */
export function crashHandler(kind: string) {
  return (err: unknown) => {
    if (crashing) return;
    crashing = true;
    try {
      process.stderr.write(
        `isobench: internal error (${kind}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    } catch {
      // nowhere to report it
    }
    // The registry module is loaded only if a command created something to tear down.
    void import('./teardown/registry.js')
      .then(({ teardownAll }) => teardownAll())
      .finally(() => process.exit(125));
  };
}
let crashing = false;

/**
 * `isobench --help | head`, or a run whose parent (a CI job, a terminal) went away: the reader
 * left, so the rest of the output has nowhere to go. Not an isobench failure: finish (and tear
 * down) as usual instead of crashing on EPIPE. Without this, a closed stderr made every write an
 * uncaught error whose report was another write: a loop that grew to gigabytes and never stopped
 * the run (seen when a test runner was killed mid-run).
 */
export function ignoreClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (err) => {
    if (errnoOf(err) !== 'EPIPE') throw err;
  });
}
