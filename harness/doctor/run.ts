/**
 * Plans and runs a set of doctor checks: everything that can be refused (an unknown check, an
 * --io-path without a block device, no permission to create cgroups) is refused before the
 * first experiment; then each experiment runs in its own scope, a failed rate check once more,
 * and the record (results.json `doctor`) is built as they finish.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { resolve } from 'node:path';
import { detectCgroups } from '../cgroup/detect.js';
import { blockDeviceFor } from '../cgroup/device.js';
import { openDriver } from '../cgroup/index.js';
import { readSchedulerOf } from '../cgroup/v2-limits.js';
import { IsobenchError, quote, UsageError } from '../errors.js';
import type { DoctorCheck, DoctorRecord } from '../results/doctor.js';
import { Registry, teardownAll } from '../teardown/registry.js';
import { CHECK_NAMES, CHECKS } from './catalog.js';
import type { CheckEntry, ExperimentContext, IoTarget, Verdict } from './types.js';
import { verdict } from './verdict.js';

export interface DoctorOptions {
  quick?: boolean;
  only?: string[];
  /** The user's --io-path: it must have a disk under it (else exit 2). */
  ioPath?: string;
  /** Where the io checks go without --io-path (default: the current directory); may have no disk. */
  defaultIoPath?: string;
  cgroupParent?: string;
}

export interface DoctorPlan {
  checks: CheckEntry[];
  /** What the record says about the set, the host and the io target. */
  header: Pick<DoctorRecord, 'set' | 'host' | 'io'>;
  context: Omit<ExperimentContext, 'signal'>;
}

/** The CPU the CPU-split check pins to: the last one this process may run on. */
export function lastAllowedCpu(status = readFileSync('/proc/self/status', 'utf8')): number {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '0';
  const last = list.split(',').at(-1) ?? '0';
  return Number(last.split('-').at(-1)) || 0;
}

/** Validates the options against the catalog and this host; creates nothing. */
export function planDoctor(opts: DoctorOptions): DoctorPlan {
  const unknown = (opts.only ?? []).filter((n) => !CHECK_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      'ISOBENCH_DOCTOR_CHECK',
      `--only ${quote(unknown[0])}: no such check; the checks are ${CHECK_NAMES.join(', ')}`,
    );
  }
  const only = opts.only ?? [];
  const checks = CHECKS.filter((c) => (only.length > 0 ? only.includes(c.name) : !opts.quick || c.quick));
  // An --io-path the user named must have a disk under it (exit 2, as `exec` does); the default,
  // the current directory, may not (then the io checks say why they do not apply).
  const ioPath = resolve(opts.ioPath ?? opts.defaultIoPath ?? process.cwd());
  let io: IoTarget | null = null;
  let ioMissing: string | null = null;
  try {
    const device = blockDeviceFor(ioPath);
    io = { dir: ioPath, device, scheduler: readSchedulerOf(device.name) };
  } catch (err) {
    if (opts.ioPath !== undefined) throw err;
    ioMissing = `${(err as Error).message} (give --io-path DIR on a disk)`;
  }
  // Refuses a host where isobench may not create cgroups, before anything is created.
  const probe = new Registry();
  openDriver(probe, { parent: opts.cgroupParent });
  void probe.teardown();
  const mode = detectCgroups().mode;
  return {
    checks,
    header: {
      set: only.length > 0 ? 'only' : opts.quick ? 'quick' : 'full',
      host: { kernel: release(), cgroupMode: mode, cpus: availableParallelism() },
      io: {
        path: ioPath,
        device: io ? `${io.device.name} (${io.device.majMin})` : null,
        scheduler: io?.scheduler ?? null,
        missing: ioMissing,
      },
    },
    context: {
      quick: opts.quick === true,
      mode,
      io,
      ioMissing,
      pinCpu: lastAllowedCpu(),
      ...(opts.cgroupParent ? { cgroupParent: opts.cgroupParent } : {}),
    },
  };
}

/** Errors that say the host lacks what the check needs: the check does not apply, it did not fail. */
const NOT_HERE = new Set([
  'ISOBENCH_NO_CONTROLLER',
  'ISOBENCH_NO_V1_EQUIVALENT',
  'ISOBENCH_IO_WEIGHT_UNSUPPORTED',
  'ISOBENCH_NO_BLOCK_DEVICE',
]);

async function attempt(entry: CheckEntry, ctx: ExperimentContext): Promise<Verdict> {
  try {
    return await (await entry.load())(ctx);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof IsobenchError && NOT_HERE.has(err.code))
      return verdict('not-applicable', {
        expected: entry.title,
        measured: null,
        tolerance: null,
        reason: message,
      });
    return verdict('fail', {
      expected: entry.title,
      measured: null,
      tolerance: null,
      reason: `could not run: ${message}`,
    });
  }
}

async function runCheck(entry: CheckEntry, ctx: ExperimentContext): Promise<DoctorCheck> {
  const start = performance.now();
  let v = await attempt(entry, ctx);
  let attempts = 1;
  let firstAttempt: string | null = null;
  if (v.status === 'fail' && entry.retry && !ctx.signal.aborted) {
    firstAttempt = `${v.measured ?? 'nothing measured'} (${v.reason})`;
    attempts = 2;
    v = await attempt(entry, ctx);
  }
  return {
    name: entry.name,
    title: entry.title,
    ...v,
    attempts,
    firstAttempt,
    durationMs: Math.round(performance.now() - start),
  };
}

export interface DoctorRun {
  record: DoctorRecord;
  /** SIGINT or SIGTERM stopped the run after the check in flight (which was torn down). */
  interrupted: boolean;
}

/**
 * Runs the planned checks one after another; `onCheck` sees each as it finishes. `signal`: a
 * caller's that stops the checks (isobench run's handlers); without it, SIGINT and SIGTERM do.
 */
export async function runDoctor(
  plan: DoctorPlan,
  onCheck?: (c: DoctorCheck) => void,
  signal?: AbortSignal,
): Promise<DoctorRun> {
  const startedAt = new Date().toISOString();
  const start = performance.now();
  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    abort.abort(new Error('interrupted'));
    // A second Ctrl-C does not wait for the experiment to notice.
    if (signals > 1) void teardownAll().finally(() => process.exit(130));
  };
  const onAbort = () => abort.abort(new Error('interrupted'));
  if (signal) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  } else {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const checks: DoctorCheck[] = [];
  try {
    for (const entry of plan.checks) {
      if (abort.signal.aborted) break;
      try {
        const c = await runCheck(entry, { ...plan.context, signal: abort.signal });
        checks.push(c);
        onCheck?.(c);
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const count = (s: DoctorCheck['status']) => checks.filter((c) => c.status === s).length;
  return {
    interrupted: abort.signal.aborted,
    record: {
      startedAt,
      durationMs: Math.round(performance.now() - start),
      ...plan.header,
      checks,
      summary: { pass: count('pass'), fail: count('fail'), notApplicable: count('not-applicable') },
    },
  };
}
