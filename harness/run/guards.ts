/**
 * Whether a trial can be trusted: its guards (scenario `guards`) checked against what was measured
 * over its window, and the wait for a quiet host before it starts. A trial beyond a guard is
 * `invalid`: it ran, its record is kept, it is not used in summaries, and it is rerun once.
 */
import type { GuardCheck, TrialMeasure } from '../results/types.js';
import type { GuardSpec } from '../scenario/types.js';
import { sleep } from '../timers.js';
import { readHostCpu } from './host-sample.js';

/** Figures the guards look at, per trial window. */
export interface GuardInputs {
  windowMs: number;
  lateSendFraction: number | null;
  loopDelayP99Ms: number | null;
  foreignCpuUs: number | null;
  stealUs: number | null;
}

export function checkGuards(g: GuardSpec, m: GuardInputs): GuardCheck[] {
  const cores = (us: number | null) => (us === null || m.windowMs <= 0 ? null : us / 1000 / m.windowMs);
  const check = (name: GuardCheck['name'], value: number | null, limit: number): GuardCheck => ({
    name,
    value,
    limit,
    // A figure that could not be measured does not invalidate a trial (it is recorded as null).
    ok: value === null || value <= limit,
  });
  return [
    check('lateSends', m.lateSendFraction, g.lateSendFraction),
    check('loopDelay', m.loopDelayP99Ms, g.loopDelayMs),
    check('foreignCpu', cores(m.foreignCpuUs), g.foreignCpuCores),
    check('steal', cores(m.stealUs), g.stealCores),
  ];
}

const DESCRIBE: Record<GuardCheck['name'], (v: number, limit: number) => string> = {
  lateSends: (v, l) =>
    `${(v * 100).toFixed(1)}% of the load's sends were over 1 ms late (guard ${(l * 100).toFixed(1)}%)`,
  loopDelay: (v, l) =>
    `the load generator's event loop was delayed ${v.toFixed(1)} ms at p99 (guard ${l} ms)`,
  foreignCpu: (v, l) => `processes outside the trial used ${v.toFixed(2)} cores on average (guard ${l})`,
  steal: (v, l) => `the hypervisor stole ${v.toFixed(2)} cores on average (guard ${l})`,
};

/** Why a trial is invalid, or null when every guard held. */
export function invalidReason(checks: GuardCheck[]): string | null {
  const bad = checks.filter((c) => !c.ok && c.value !== null);
  return bad.length === 0 ? null : bad.map((c) => DESCRIBE[c.name](c.value as number, c.limit)).join('; ');
}

/** Busy CPU time of the whole host so far (µs), from /proc/stat. */
const hostBusyUs = async () => (await readHostCpu()).busyUs;

/** The hypervisor's share of the wait: cumulative steal (µs) and the bound it must stay under. */
export interface QuietSteal {
  readUs: () => Promise<number | null>;
  belowCores: number;
}

/**
 * Waits until fewer than `belowCores` cores were busy over a `forMs` stretch, and, given `steal`,
 * the hypervisor took less than its bound of this machine's CPUs meanwhile (a virtual machine
 * whose host runs something else is not quiet: its sleepers wake late, see the steal guard),
 * checking every stretch, at most `maxWaitMs`. What counts as busy is `readBusyUs` (a cumulative
 * figure; the trial passes the CPU used outside itself, the default is the whole host). Returns
 * how long it waited and the busy cores of the last stretch (the trial starts anyway when the
 * bound is reached; its guards judge it afterwards).
 */
export async function waitForQuiet(
  q: GuardSpec['quiet'],
  signal: AbortSignal,
  readBusyUs: () => Promise<number | null> = hostBusyUs,
  steal?: QuietSteal,
): Promise<{ waitedMs: number; busyCores: number | null }> {
  if (q.maxWaitMs <= 0) return { waitedMs: 0, busyCores: null };
  const startMs = performance.now();
  const stretchMs = Math.max(100, q.forMs);
  const readSteal = async () => (steal ? await steal.readUs() : null);
  let prev = await readBusyUs();
  let prevSteal = await readSteal();
  let prevMs = performance.now();
  for (;;) {
    await sleep(stretchMs, signal);
    const now = await readBusyUs();
    const nowSteal = await readSteal();
    const nowMs = performance.now();
    const cores = (a: number | null, b: number | null) =>
      a === null || b === null ? null : Math.max(0, (b - a) / 1000 / (nowMs - prevMs));
    const busyCores = cores(prev, now);
    const stealCores = cores(prevSteal, nowSteal);
    const waitedMs = Math.round(nowMs - startMs);
    const quiet =
      (busyCores === null || busyCores < q.belowCores) &&
      (stealCores === null || stealCores < (steal?.belowCores ?? Number.POSITIVE_INFINITY));
    if (quiet || nowMs - startMs >= q.maxWaitMs) return { waitedMs, busyCores };
    prev = now;
    prevSteal = nowSteal;
    prevMs = nowMs;
  }
}

export type { TrialMeasure };
