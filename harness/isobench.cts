#!/usr/bin/env node
/**
 * The `isobench` command (package.json "bin"), a CommonJS file: a plain exec line runs from one
 * bundled CommonJS file (exec-line.ts, dist/harness/exec.bundle.cjs) without starting Node's ES
 * module loader, which costs each `isobench exec` several milliseconds more than the CommonJS
 * loader that is already part of Node's start (issue 15: start-up). Every other command line is
 * cli.js's, an ES module, imported here.
 */

type RunExecLine = (argv: string[]) => Promise<boolean>;

/** The bundle, or null in a tree built by tsc alone (cli.js then runs exec-line.js unbundled). */
function execLine(): RunExecLine | null {
  try {
    return (require('./exec.bundle.cjs') as { runExecLine: RunExecLine }).runExecLine;
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
    return null;
  }
}

const run = process.argv[2] === 'exec' ? execLine() : null;
void (run ? run(process.argv) : Promise.resolve(false)).then(async (done) => {
  if (!done) await import('./cli.js');
});
