/**
 * memory.high (cgroup v2): a process that wants twice the limit must be throttled and reclaimed,
 * never killed: memory.events `high` counts the breaches, `oom_kill` stays 0, and the process is
 * still running after the kernel has held it back (memory PSI: at least 200 ms stalled). cgroup
 * v1 has no such limit (isobench refuses memory.high there), so the check does not apply.
 */
import { inScope } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, MiB, mib, notApplicable } from './verdict.js';

export const HIGH_BYTES = 64 * MiB;
/** The memory stall that shows the throttling took hold (PSI "some", µs). */
export const STALL_US = 200_000;

const WANTS =
  'const a=[];for(let i=0;i<16;i++)a.push(Buffer.alloc(8<<20,1));console.log("got 128 MiB");setInterval(()=>{},1000)';

const EXPECTED = `throttled, not killed, above memory.high ${mib(HIGH_BYTES)}: memory.events high > 0, oom_kill 0`;

export interface MemoryHighMeasured {
  applied: string | null;
  highEvents: number | null;
  oomKills: number | null;
  alive: boolean;
  memoryStallUs: number | null;
  currentBytes: number | null;
}

export function evaluateMemoryHigh(m: MemoryHighMeasured): Verdict {
  return judge(
    [
      { ok: m.applied === String(HIGH_BYTES), what: `memory.high read back as ${m.applied}` },
      { ok: (m.highEvents ?? 0) > 0, what: `memory.events high ${m.highEvents}` },
      {
        ok: m.oomKills === 0 && m.alive,
        what: `oom_kill ${m.oomKills}, ${m.alive ? 'still running' : 'gone'}`,
      },
    ],
    {
      expected: EXPECTED,
      measured: `high ${m.highEvents}, oom_kill ${m.oomKills}, ${m.alive ? 'running' : 'gone'}, ${m.currentBytes === null ? '?' : mib(m.currentBytes)} in use, ${m.memoryStallUs === null ? 'no PSI' : `${Math.round(m.memoryStallUs / 1000)} ms stalled on memory`}`,
      tolerance: null,
      figures: {
        highEvents: m.highEvents,
        oomKills: m.oomKills,
        alive: m.alive,
        memoryStallUs: m.memoryStallUs,
        currentBytes: m.currentBytes,
      },
    },
  );
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  if (ctx.mode !== 'v2') {
    return notApplicable(
      EXPECTED,
      `cgroup ${ctx.mode}: memory.high exists only on cgroup v2 (v1 has no limit that throttles without OOM-killing)`,
    );
  }
  return inScope(ctx, async (s) => {
    const box = await s.start('high', { 'memory.high': HIGH_BYTES }, [process.execPath, '-e', WANTS]);
    const read = async () => {
      const [ev, st] = await Promise.all([s.driver.readEvents(box.handle), s.driver.readStats(box.handle)]);
      return { ev, st };
    };
    // Until the kernel has both counted a breach and held the process back for a while (or,
    // without PSI, counted ten breaches), or the process ended one way or another.
    const end = await s.until('throttling at memory.high', read, ({ ev, st }) => {
      if (!box.alive() || (ev.oomKills ?? 0) > 0) return true;
      const stall = st.psi?.memory?.someTotalUs;
      return (
        (ev.memoryHigh ?? 0) > 0 && (stall === undefined ? (ev.memoryHigh ?? 0) >= 10 : stall >= STALL_US)
      );
    });
    return evaluateMemoryHigh({
      applied: box.applied['memory.high']?.value ?? null,
      highEvents: end.ev.memoryHigh,
      oomKills: end.ev.oomKills,
      alive: box.alive(),
      memoryStallUs: end.st.psi?.memory?.someTotalUs ?? null,
      currentBytes: end.st.memoryCurrentBytes,
    });
  });
}
