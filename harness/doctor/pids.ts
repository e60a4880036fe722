/**
 * pids.max 64 against a fork bomb (`b() { b | b & }; b` in sh): the bomb must stay within 64
 * tasks while the kernel refuses its forks (pids.events `max` counts them), the host must still
 * be able to start a process meanwhile, and killing the cgroup must end the bomb (nothing left).
 */
import { spawnSync } from 'node:child_process';
import { inScope } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge } from './verdict.js';

export const PIDS_MAX = 64;
/** Refused forks to wait for (or 1 s after the first): the bomb has hit its ceiling over and over. */
export const REFUSALS = 100;

const BOMB = ['sh', '-c', 'b() { b | b & }; b; exec sleep 600'];

export interface PidsMeasured {
  applied: string | null;
  /** pids.events max over the bomb's run. */
  refused: number | null;
  /** The most tasks seen: pids.peak where the kernel has it, else the largest pids.current sampled. */
  peak: number;
  hostSpawnOk: boolean;
  /** Tasks left in the cgroup after it was killed. */
  leftAfterKill: number;
}

export function evaluatePids(m: PidsMeasured): Verdict {
  return judge(
    [
      { ok: m.applied === String(PIDS_MAX), what: `pids.max read back as ${m.applied}` },
      { ok: m.peak <= PIDS_MAX, what: `at most ${m.peak} tasks` },
      {
        ok: m.refused === null ? m.peak === PIDS_MAX : m.refused >= 1,
        what: m.refused === null ? 'no pids.events on this kernel' : `pids.events max ${m.refused}`,
      },
      {
        ok: m.hostSpawnOk,
        what: m.hostSpawnOk ? 'the host started a process meanwhile' : 'the host could not start a process',
      },
      { ok: m.leftAfterKill === 0, what: `${m.leftAfterKill} tasks left after the cgroup was killed` },
    ],
    {
      expected: `a fork bomb held at pids.max ${PIDS_MAX} (pids.events max > 0), the host unaffected, the bomb killable`,
      measured: `peak ${m.peak} tasks, ${m.refused} forks refused, host spawn ${m.hostSpawnOk ? 'ok' : 'failed'}, ${m.leftAfterKill} left after kill`,
      tolerance: null,
      figures: {
        peak: m.peak,
        refused: m.refused,
        hostSpawnOk: m.hostSpawnOk,
        leftAfterKill: m.leftAfterKill,
      },
    },
  );
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  return inScope(ctx, async (s) => {
    const box = await s.start('bomb', { 'pids.max': PIDS_MAX }, BOMB);
    let sampled = 0;
    const read = async () => {
      const [ev, st] = await Promise.all([s.driver.readEvents(box.handle), s.driver.readStats(box.handle)]);
      sampled = Math.max(sampled, st.pidsCurrent ?? 0);
      return { refused: ev.pidsMax, peak: st.pidsPeak };
    };
    // Until the kernel has refused REFUSALS forks, or for 1 s after the first refusal: a dash
    // bomb may burn out at its ceiling (a subshell whose fork fails gives up), and then no more
    // refusals come. A kernel without pids.events: once 64 tasks were seen, for 1 s.
    let polls = 0;
    const done = (v: { refused: number | null }) => {
      const hit = v.refused === null ? sampled >= PIDS_MAX : v.refused >= 1;
      if (hit) polls++;
      return (v.refused ?? 0) >= REFUSALS || polls > 50 || !box.alive();
    };
    const end = await s.until('refused forks', read, done);
    // While the bomb is at its ceiling: a process of the host's own.
    const host = spawnSync('true', { timeout: 10_000 });
    await s.driver.killAll(box.handle);
    // The cgroup is unpopulated once killAll returns; a v1 pids.current may take a moment
    // longer to drop its last exited task, so it is given a few seconds to reach 0.
    const tasks = async () =>
      (await s.driver.readStats(box.handle)).pidsCurrent ?? (await s.driver.pids(box.handle)).length;
    const left = await s.until('the bomb gone', tasks, (n) => n === 0, { limitMs: 5_000 }).catch(tasks);
    return evaluatePids({
      applied: box.applied['pids.max']?.value ?? null,
      refused: end.refused,
      peak: Math.max(end.peak ?? 0, sampled),
      hostSpawnOk: host.status === 0,
      leftAfterKill: left,
    });
  });
}
