/**
 * memory.max below a hog's need: the hog (allocating and touching 8 MiB at a time, up to 512 MiB)
 * must be OOM-killed inside its cgroup, and a neighbour holding 32 MiB next to it must be
 * untouched: still running, no OOM kill counted in its cgroup. memory.max must read back as
 * written. Swap is closed to the hog (memory.swap.max 0) where the host has swap, so that the
 * limit is reached instead of swapped around.
 */
import { readFileSync } from 'node:fs';
import type { Limits } from '../limits.js';
import { deadline } from '../timers.js';
import { inScope, WAIT_LIMIT_MS } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, MiB, mib } from './verdict.js';

export const LIMIT_BYTES = 64 * MiB;
const NEIGHBOUR_BYTES = 32 * MiB;

/** Stops at 512 MiB (8 times the limit): a host that does not enforce the limit is told so, not swamped. */
const HOG = 'const a=[];for(let i=0;i<64;i++)a.push(Buffer.alloc(8<<20,1));console.log("survived")';
const NEIGHBOUR = `const b=Buffer.alloc(${NEIGHBOUR_BYTES},1);console.log("held "+b.length);setInterval(()=>{},1000)`;

export interface MemoryMaxMeasured {
  limitBytes: number;
  /** memory.max as read back. */
  applied: string | null;
  hogSignal: string | null;
  hogExitCode: number | null;
  hogOomKills: number | null;
  hogPeakBytes: number | null;
  neighbourAlive: boolean;
  neighbourOomKills: number | null;
  neighbourBytes: number | null;
}

export function evaluateMemoryMax(m: MemoryMaxMeasured): Verdict {
  const killed = m.hogSignal === 'SIGKILL' && (m.hogOomKills ?? 0) >= 1;
  return judge(
    [
      { ok: m.applied === String(m.limitBytes), what: `memory.max read back as ${m.applied}` },
      {
        ok: killed,
        what: `hog ${m.hogSignal ? `died of ${m.hogSignal}` : `exited ${m.hogExitCode}`}, oom_kill ${m.hogOomKills}`,
      },
      {
        ok: m.neighbourAlive && (m.neighbourOomKills ?? 0) === 0,
        what: `neighbour ${m.neighbourAlive ? 'still running' : 'gone'}, oom_kill ${m.neighbourOomKills}`,
      },
    ],
    {
      expected: `hog OOM-killed at memory.max ${mib(m.limitBytes)} (oom_kill >= 1); neighbour untouched`,
      measured: `hog ${killed ? 'OOM-killed' : m.hogSignal ? `killed by ${m.hogSignal}` : `exited ${m.hogExitCode}`} (oom_kill ${m.hogOomKills}, peak ${m.hogPeakBytes === null ? 'unknown' : mib(m.hogPeakBytes)}); neighbour ${m.neighbourAlive ? 'running' : 'gone'} (oom_kill ${m.neighbourOomKills}, ${m.neighbourBytes === null ? '?' : mib(m.neighbourBytes)} in use)`,
      tolerance: null,
      figures: {
        limitBytes: m.limitBytes,
        hogOomKills: m.hogOomKills,
        hogPeakBytes: m.hogPeakBytes,
        neighbourOomKills: m.neighbourOomKills,
        neighbourAlive: m.neighbourAlive,
      },
    },
  );
}

/** Whether the host has swap (then the hog's swap is closed, so that it meets its limit). */
export function hostHasSwap(meminfo = readFileSync('/proc/meminfo', 'utf8')): boolean {
  return Number(/^SwapTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0) > 0;
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  return inScope(ctx, async (s) => {
    const neighbour = await s.start('neighbour', {}, [process.execPath, '-e', NEIGHBOUR]);
    await s.until(
      'the neighbour holding its memory',
      async () => neighbour.stdout(),
      (out) => {
        if (!neighbour.alive()) throw new Error(`the neighbour exited: ${neighbour.stderr()}`);
        return out.includes('held');
      },
    );
    const limits: Limits = { 'memory.max': LIMIT_BYTES };
    if (hostHasSwap()) {
      limits['memory.swap.max'] = 0;
      // v1 closes swap only with swap accounting (memsw): without it the hog may swap first.
      try {
        s.driver.check(limits, null);
      } catch {
        delete limits['memory.swap.max'];
      }
    }
    const hog = await s.start('hog', limits, [process.execPath, '-e', HOG]);
    const exit = await deadline(hog.container.exited, WAIT_LIMIT_MS, ctx.signal);
    const [hogEvents, hogStats, nEvents, nStats] = await Promise.all([
      s.driver.readEvents(hog.handle),
      s.driver.readStats(hog.handle),
      s.driver.readEvents(neighbour.handle),
      s.driver.readStats(neighbour.handle),
    ]);
    return evaluateMemoryMax({
      limitBytes: LIMIT_BYTES,
      applied: hog.applied['memory.max']?.value ?? null,
      hogSignal: exit.signal,
      hogExitCode: exit.exitCode,
      hogOomKills: hogEvents.oomKills,
      hogPeakBytes: hogStats.memoryPeakBytes,
      neighbourAlive: neighbour.alive(),
      neighbourOomKills: nEvents.oomKills,
      neighbourBytes: nStats.memoryCurrentBytes,
    });
  });
}
