#!/usr/bin/env node
import { crashHandler, ignoreClosedOutput } from './crash.js';
import { formatError, IsobenchError } from './errors.js';
/**
 * The isobench command line. A plain `isobench exec [options] -- COMMAND` (exec-args.ts) goes
 * straight to exec, loaded as one bundled module (dist/harness/exec.bundle.js, made by
 * `npm run build`, scripts/build-bundle.mjs): commander, the help of every subcommand and some
 * thirty module loads were most of what `isobench exec` cost beyond node's own start (issue 15).
 * Every other command line, and any exec line the fast parse does not take, goes through
 * commander (program.ts), with the same messages and exit statuses.
 */
import type { ExecOptions } from './exec.js';
import { parseExecArgs } from './exec-args.js';

/**
 * The bundle keeps errors.js (error classes: `instanceof` below) and the teardown registry's live
 * set (on globalThis) shared with this module; exec.js is the same code unbundled, for a tree
 * built by tsc alone.
 */
async function loadExec(): Promise<(command: string[], opts: ExecOptions) => Promise<number>> {
  try {
    return (await import(new URL('./exec.bundle.js', import.meta.url).href)).execMain;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return (await import('./exec.js')).execMain;
  }
}

export async function main(argv: string[]): Promise<void> {
  process.on('uncaughtException', crashHandler('uncaught exception'));
  process.on('unhandledRejection', crashHandler('unhandled rejection'));
  ignoreClosedOutput(process.stdout);
  ignoreClosedOutput(process.stderr);
  let CommanderError: typeof import('./program.js').CommanderError | null = null;
  try {
    const exec = argv[2] === 'exec' ? parseExecArgs(argv.slice(3)) : null;
    if (exec) {
      const execMain = await loadExec();
      process.exitCode = await execMain(exec.command, exec.opts);
      return;
    }
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
    } else if (err instanceof IsobenchError) {
      process.stderr.write(formatError(err));
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(
        `isobench: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 125;
    }
  }
}

await main(process.argv);
