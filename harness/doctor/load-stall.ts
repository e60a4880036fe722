/**
 * A planted stall: the web server is stopped (SIGSTOP to every process of its cgroup) for 1 s
 * while the generator sends 500 requests/s over 10 connections for 5 s. About 500 requests fall
 * due during the stall: a fifth of the 2,500, so the coordinated-omission-corrected p99 (from
 * each request's due time) lands inside the stall, near its length (the 25 requests above the
 * p99 are the ones due in its first 50 ms). At most 10 requests, one per connection, are on the
 * wire while it lasts, 0.4% of the sends: the uncorrected p99 (from the moment a request was
 * written, as a closed-loop tool measures) does not see it. The stall starts once the server
 * has used CPU for requests (the generator's schedule has begun), 1 s later.
 */
import { sleep } from '../timers.js';
import { inScope } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, msUs } from './verdict.js';
import { generate, startWeb } from './web.js';

export const STALL_MS = 1_000;
export const RATE_HZ = 500;
export const DURATION_MS = 5_000;
export const CONNECTIONS = 10;
/**
 * Corrected p99 between 0.8 and 1.2 times the stall as it happened (the "~0.8-1 s"): the
 * p99 is the stall minus the time its top 1% of requests took to fall due (50 ms here), plus a
 * normal response time; the upper margin covers a stopped server that takes a moment to catch up.
 */
export const CORRECTED_LOW = 0.8;
export const CORRECTED_HIGH = 1.2;
/**
 * The uncorrected p99 must stay below a quarter of the stall. It does not see the stall, but it
 * is not an idle response time either: the p99 falls among the requests sent in the catch-up
 * burst after the stall, which wait for the generator's own event loop to work through 500
 * responses and sends (60 ms was seen here). Seeing the stall would put it at 0.8 x or more.
 */
export const UNCORRECTED_HIGH = 0.25;

export interface StallMeasured {
  /** How long the server was stopped, from SIGSTOP to SIGCONT as sent. */
  stallMs: number;
  requests: number;
  correctedP99Us: number;
  uncorrectedP99Us: number;
}

export function evaluateLoadStall(m: StallMeasured): Verdict {
  const stallUs = m.stallMs * 1000;
  return judge(
    [
      {
        ok: m.correctedP99Us >= CORRECTED_LOW * stallUs && m.correctedP99Us <= CORRECTED_HIGH * stallUs,
        what: `corrected p99 ${msUs(m.correctedP99Us)} (${(m.correctedP99Us / stallUs).toFixed(2)} x the ${Math.round(m.stallMs)} ms stall)`,
      },
      {
        ok: m.uncorrectedP99Us < UNCORRECTED_HIGH * stallUs,
        what: `uncorrected p99 ${msUs(m.uncorrectedP99Us)}`,
      },
    ],
    {
      expected: `a ${STALL_MS} ms stall at ${RATE_HZ}/s: corrected p99 near the stall, uncorrected p99 a normal response time`,
      measured: `corrected p99 ${msUs(m.correctedP99Us)}, uncorrected p99 ${msUs(m.uncorrectedP99Us)} (${m.requests} requests, stall ${Math.round(m.stallMs)} ms)`,
      tolerance: `corrected ${CORRECTED_LOW}-${CORRECTED_HIGH} x the stall; uncorrected < ${UNCORRECTED_HIGH} x the stall`,
      figures: { ...m },
    },
  );
}

function signalAll(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      /* exited meanwhile */
    }
  }
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  return inScope(ctx, async (s) => {
    const web = await startWeb(s);
    const cpu = async () => (await s.driver.readStats(web.box.handle)).cpuUsageUs ?? 0;
    const idle = await cpu();
    const load = generate(
      web,
      { rateHz: RATE_HZ, durationMs: DURATION_MS, connections: CONNECTIONS },
      ctx.signal,
    );
    // Awaited below; a generator that fails early must end the wait, not go unhandled meanwhile.
    let failed: unknown = null;
    load.catch((err: unknown) => {
      failed = err;
    });
    // Requests flowing: the server has used 20 ms of CPU more than when it sat idle.
    await s.until('requests reaching the server', cpu, (us) => {
      if (failed) throw failed;
      return us - idle >= 20_000;
    });
    await sleep(1_000, ctx.signal);
    const pids = await s.driver.pids(web.box.handle);
    const t0 = performance.now();
    signalAll(pids, 'SIGSTOP');
    let stallMs = 0;
    try {
      await sleep(STALL_MS, ctx.signal);
    } finally {
      stallMs = performance.now() - t0;
      signalAll(pids, 'SIGCONT');
    }
    const r = await load;
    return evaluateLoadStall({
      stallMs,
      requests: r.requests,
      correctedP99Us: r.latencyUs.p99,
      uncorrectedP99Us: r.uncorrectedLatencyUs.p99,
    });
  });
}
