/**
 * A plain `isobench exec [options] -- COMMAND` line (exec-args.ts) run from start to exit status,
 * without commander: what `isobench` (isobench.cts) and cli.ts call first for an exec line.
 * `npm run build` bundles this module and all it imports into one CommonJS file,
 * dist/harness/exec.bundle.cjs (scripts/build-bundle.mjs), so that `isobench exec` reads and
 * compiles one file with Node's CommonJS loader and never starts the ES module loader (issue 15:
 * start-up).
 *
 * Its failures are reported here as cli.ts reports them for every other command: an
 * IsobenchError as `isobench: CODE: message` with its exit status, anything else as an internal
 * error (125). The bundle holds its own copy of errors.ts, so no caller could tell its errors
 * apart with instanceof.
 */
import { crashHandler, ignoreClosedOutput } from './crash.js';
import { reportError } from './errors.js';
import { execMain } from './exec.js';
import { parseExecArgs } from './exec-args.js';

/**
 * Runs `argv` (process.argv) when it is a plain exec line, sets process.exitCode, and resolves
 * true; resolves false, having done nothing, for any other line (commander's to parse).
 */
export async function runExecLine(argv: string[]): Promise<boolean> {
  const exec = argv[2] === 'exec' ? parseExecArgs(argv.slice(3)) : null;
  if (!exec) return false;
  process.on('uncaughtException', crashHandler('uncaught exception'));
  process.on('unhandledRejection', crashHandler('unhandled rejection'));
  ignoreClosedOutput(process.stdout);
  ignoreClosedOutput(process.stderr);
  try {
    process.exitCode = await execMain(exec.command, exec.opts);
  } catch (err) {
    process.exitCode = reportError(err);
  }
  return true;
}
