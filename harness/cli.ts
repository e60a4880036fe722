#!/usr/bin/env node
/**
 * The isobench command line, as an ES module (`node dist/harness/cli.js`). The `isobench` command
 * itself is isobench.cts, which runs a plain exec line without loading this module; both hand
 * such a line to exec-line.ts (dist/harness/exec.bundle.cjs). Every other command line, and any
 * exec line the fast parse does not take, goes through commander (program.ts), with the same
 * messages and exit statuses.
 */
import { createRequire } from 'node:module';
import { crashHandler, ignoreClosedOutput } from './crash.js';
import { reportError } from './errors.js';

type RunExecLine = (argv: string[]) => Promise<boolean>;

/**
 * exec-line.ts bundled with all it imports (`npm run build`), or the same code unbundled, for a
 * tree built by tsc alone.
 */
async function loadExecLine(): Promise<RunExecLine> {
  try {
    return (createRequire(import.meta.url)('./exec.bundle.cjs') as { runExecLine: RunExecLine }).runExecLine;
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    return (await import('./exec-line.js')).runExecLine;
  }
}

export async function main(argv: string[]): Promise<void> {
  if (argv[2] === 'exec' && (await (await loadExecLine())(argv))) return;
  process.on('uncaughtException', crashHandler('uncaught exception'));
  process.on('unhandledRejection', crashHandler('unhandled rejection'));
  ignoreClosedOutput(process.stdout);
  ignoreClosedOutput(process.stderr);
  let CommanderError: typeof import('./program.js').CommanderError | null = null;
  try {
    const [program, catalog] = await Promise.all([
      import('./program.js'),
      argv.includes('workload') ? import('../workloads/catalog.js') : undefined,
    ]);
    CommanderError = program.CommanderError;
    await program.buildProgram(catalog).parseAsync(argv);
  } catch (err) {
    if (CommanderError && err instanceof CommanderError) {
      // Already printed by outputError (or the help/version text itself).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
    } else {
      process.exitCode = reportError(err);
    }
  }
}

await main(process.argv);
