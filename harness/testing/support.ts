/**
 * Test support: run the built CLI as a real process, find leftovers, and skip with a reason when a
 * prerequisite is missing (a skip under CI=true is a failure: CI must prove everything).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { inject, it } from 'vitest';
import { blockDeviceFor } from '../cgroup/device.js';
import { scanCgroups } from '../cleanup.js';
import { isDescendantOf } from '../host/procfs.js';
import { isOwnerAlive, readStates } from '../teardown/registry.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** The `isobench` command as users run it (package.json "bin"); it imports cli.js for all but plain exec lines. */
export const CLI = join(ROOT, 'dist/harness/isobench.cjs');
/** The command line as an ES module, which runs a plain exec line the same way (cli.test.ts). */
export const CLI_ESM = join(ROOT, 'dist/harness/cli.js');

/** Whether this is a CI run: CI set to anything but empty, `false` or `0` (a skip there is a failure). */
export function isCI(): boolean {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0';
}

/**
 * Why cgroup tests cannot run here, or null. dist/ is not a prerequisite: the test run builds it
 * first (harness/testing/global-setup.ts) and fails, not skips, when it does not compile.
 */
export function missingRoot(): string | null {
  if (process.getuid?.() !== 0) return 'not root (cgroup tests need root or a delegated cgroup)';
  return null;
}

/** `it`, or an `it` that skips with the reason (fails under CI=true). */
export function itWhen(missing: string | null): typeof it {
  if (!missing) return it;
  if (isCI()) {
    return ((name: string) =>
      it(name, () => {
        throw new Error(`prerequisite missing under CI=true: ${missing}`);
      })) as unknown as typeof it;
  }
  return ((name: string, fn?: unknown, opts?: unknown) =>
    it.skip(`${name} [skipped: ${missing}]`, fn as never, opts as never)) as unknown as typeof it;
}

export async function isobench(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
) {
  return execa('node', [CLI, ...args], {
    reject: false,
    all: false,
    env: opts.env,
    cwd: opts.cwd ?? ROOT,
    timeout: opts.timeoutMs ?? 120_000,
  });
}

export interface ExecJson {
  exitCode: number | null;
  signal: string | null;
  oomKilled: boolean;
  durationMs: number;
  cgroup: { mode: string; path: string; dirs: Record<string, string> };
  limits: {
    requested: Record<string, string>;
    applied: Record<string, { value: string; file: string; raw: string; formula?: string }>;
  };
  stats: Record<string, number | null> & {
    psi: null | Record<string, { someTotalUs: number; fullTotalUs: number | null } | null>;
  };
}

/** `isobench exec --json-file` and the parsed result. */
export async function execJson(
  args: string[],
  command: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-test-'));
  const file = join(dir, 'out.json');
  try {
    const proc = await isobench(['exec', '--json-file', file, ...args, '--', ...command], opts);
    const json = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ExecJson) : null;
    return { proc, json };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The isobench cgroups that existed before this test run started (recorded by global-setup.ts). */
export function preexistingCgroups(): Set<string> {
  return new Set(inject('preexistingCgroups') ?? []);
}

/**
 * The isobench cgroups on the host that this test run left: neither there before it started nor
 * belonging to a live run of another process (a concurrent run on the same host is not a leak).
 */
export function leftoverCgroups(): string[] {
  const foreignLive = new Set(
    readStates()
      .filter((s) => isOwnerAlive(s.state) && !isDescendantOf(s.state.ownerPid, process.pid))
      .map((s) => s.state.runId),
  );
  const before = preexistingCgroups();
  return [...scanCgroups().keys()].filter(
    (id) => !before.has(id) && !foreignLive.has(/^isobench-([a-z0-9]+)-/.exec(id)?.[1] ?? ''),
  );
}

/** Cgroups created since `before` (a scan taken by the test) whose id ends with `-<suffix>`. */
export function newCgroupsNamed(before: Set<string>, suffix: RegExp): Map<string, string[]> {
  return new Map([...scanCgroups()].filter(([id]) => !before.has(id) && suffix.test(id)));
}

/** A directory on a block device for io tests: ISOBENCH_TEST_IO_PATH (the VM's disk) or the system temp dir. */
export function ioTestDir(): { dir: string | null; missing: string | null } {
  const base = process.env.ISOBENCH_TEST_IO_PATH ?? tmpdir();
  try {
    blockDeviceFor(base);
    return { dir: base, missing: null };
  } catch (err) {
    return { dir: null, missing: `no block device behind ${base}: ${(err as Error).message}` };
  }
}

/**
 * Guards wide open, for tests of a run's mechanics (files, failures, signals, variants): on a busy
 * test machine a guard could mark a trial invalid and rerun it, which those tests are not about.
 * The guards themselves are tested in harness/run/trial.test.ts and run.kernel.test.ts.
 */
export const OPEN_GUARDS = [
  '--set',
  'guards.lateSends=1',
  '--set',
  'guards.foreignCpu=1024',
  '--set',
  'guards.steal=1024',
  '--set',
  'guards.loopDelay=1h',
  '--set',
  'guards.quietWait=0s',
];
