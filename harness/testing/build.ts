/**
 * The tests run the code in the tree, never a stale or half-built dist/: kernel and end-to-end
 * tests start `dist/harness/cli.js` and `dist/workloads/main.js` as real processes, so a dist/
 * older than its sources would test yesterday's code, and a tsc that emits JS despite type errors
 * would test code that does not compile. `ensureFreshBuild()` rebuilds when any source is newer
 * than the build and throws (with tsc's output) when the build fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Written last by `npm run build`: its mtime is when the build finished. */
const BUILD_STAMP = join(REPO_ROOT, 'dist/bin/isobench-init');
const SOURCE_DIRS = ['harness', 'workloads', 'reports'];
const SOURCE_FILES = [
  'package.json',
  'tsconfig.json',
  'reports/client/tsconfig.json',
  'scripts/build-client.mjs',
  'scripts/build-bundle.mjs',
  'scripts/build-native.mjs',
];

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      // harness/testing is not part of the build (tsconfig excludes it).
      if (!['testdata', 'testing', 'node_modules'].includes(e.name))
        newest = Math.max(newest, newestSourceMs(p));
    } else if (
      (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) ||
      e.name.endsWith('.cts') ||
      e.name.endsWith('.c') ||
      e.name.endsWith('.h')
    ) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

/** Why dist/ cannot be trusted, or null when it is at least as new as every source. */
export function staleBuild(): string | null {
  if (!existsSync(BUILD_STAMP)) return 'dist/ is not built';
  const built = statSync(BUILD_STAMP).mtimeMs;
  const newest = Math.max(
    ...SOURCE_DIRS.map((d) => newestSourceMs(join(REPO_ROOT, d))),
    ...SOURCE_FILES.map((f) => statSync(join(REPO_ROOT, f)).mtimeMs),
  );
  return newest > built ? 'sources are newer than dist/' : null;
}

/** Builds (tsc, then the container init) when dist/ is stale; throws with tsc's output on failure. */
export function ensureFreshBuild(): void {
  const why = staleBuild();
  if (!why) return;
  process.stderr.write(`isobench tests: ${why}: npm run build\n`);
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO_ROOT, stdio: 'pipe', encoding: 'utf8' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `npm run build failed: the tests would run stale code\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
  const still = staleBuild();
  if (still) throw new Error(`npm run build finished but ${still}`);
}
