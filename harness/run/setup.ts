/**
 * A trial's set-up, everything before the load begins, overlapped: fresh data, the containers
 * started and awaited ready, the host settled and the wait for a quiet host (trial.ts runs it as
 * the `prepare` step).
 */
import type { CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import { procStat, USER_HZ } from '../host/procfs.js';
import { freshData, type TrialData } from './data.js';
import { createLoadgenCgroup } from './generators.js';
import { waitForQuiet } from './guards.js';
import { readHostCpu } from './host-sample.js';
import { startLoad } from './load.js';
import { awaitReady, type Member, startMember } from './member.js';
import type { TrialContext, TrialState } from './trial-state.js';

/**
 * Waits (bounded) for a quiet host, so that a trial does not start into someone else's burst: the
 * CPU used outside the trial, and the hypervisor's steal under the steal guard's bound. It
 * runs while the trial's data is copied and its containers start: what it counts is the CPU used
 * outside them, their generators, isobench itself and the helpers it ran and waited for (cp,
 * sync: /proc/self/stat's children's time), the same "foreign" CPU the guard judges over the
 * window.
 */
async function quiet(ctx: TrialContext, s: TrialState, signal: AbortSignal): Promise<void> {
  const last = new Map<CgroupHandle, number>();
  const foreignUs = async (): Promise<number | null> => {
    const [host, ours] = await Promise.all([readHostCpu(), ownCpuUs(ctx.driver, s, last)]);
    const cpu = process.cpuUsage();
    const helpersUs = ((procStat(process.pid)?.childTicks ?? 0) * 1_000_000) / USER_HZ;
    return host.busyUs === null ? null : host.busyUs - ours - (cpu.user + cpu.system) - helpersUs;
  };
  const steal = { readUs: async () => (await readHostCpu()).stealUs, belowCores: ctx.guards.stealCores };
  const q = await waitForQuiet(ctx.guards.quiet, signal, foreignUs, steal);
  s.edges.before.quietWaitMs = q.waitedMs;
  s.edges.before.busyCores = q.busyCores;
}

/**
 * CPU used so far by the trial's cgroups (each since its creation); a cgroup that cannot be read
 * counts its last reading, so that the sum never goes back.
 */
async function ownCpuUs(
  driver: CgroupDriver,
  s: TrialState,
  last: Map<CgroupHandle, number>,
): Promise<number> {
  const handles = [...s.handles.values(), ...(s.loadgen ? [s.loadgen] : [])];
  await Promise.all(
    handles.map(async (h) => {
      const us = await driver
        .readStats(h)
        .then((st) => st.cpuUsageUs)
        .catch(() => null);
      if (us !== null) last.set(h, us);
    }),
  );
  return handles.reduce((sum, h) => sum + (last.get(h) ?? 0), 0);
}

/**
 * Everything before the load begins, overlapped: each container's data made fresh (data.ts),
 * each container started as soon as its own data is ready, all of them at once, and awaited
 * ready; the host settled (writeback drained) once every copy is made; and from the start, the
 * wait for a quiet host (CPU used outside all of this). Each part records its wall time
 * (`stepsMs`: fresh, start, ready, quiet; `prepare` is their wall time together). The first
 * failure stops the other parts and is thrown once all of them have settled, so that teardown
 * finds everything that was created.
 */
export async function prepare(ctx: TrialContext, s: TrialState): Promise<void> {
  const local = new AbortController();
  const stop = () => local.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', stop, { once: true });
  if (ctx.signal.aborted) stop();
  let first: { err: unknown } | null = null;
  const part = <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    return run()
      .catch((err: unknown) => {
        first ??= { err };
        local.abort(err);
        throw err;
      })
      .finally(() => {
        s.edges.stepsMs[name] = Math.round(performance.now() - t);
      });
  };
  try {
    const data = freshData(ctx.prepared, s.t, local.signal, ctx.background?.settled());
    s.data = data;
    const settled = part('fresh', async () => {
      s.edges.before.dirtyBytes = (await data.settled).dirtyBytes;
    });
    await Promise.allSettled([
      settled,
      part('start', () => start(ctx, s, data, local.signal)).then(() =>
        part('ready', () => ready(ctx, s, local.signal)),
      ),
      part('quiet', () => quiet(ctx, s, local.signal)),
    ]);
  } finally {
    ctx.signal.removeEventListener('abort', stop);
  }
  if (first) throw (first as { err: unknown }).err;
}

/**
 * Creates each container's cgroup, applies its limits and starts it: all containers at once (they
 * are independent until the load begins), each as soon as its data is ready. Every start is
 * settled before a failure is thrown, so that teardown finds everything that was created.
 */
async function start(ctx: TrialContext, s: TrialState, data: TrialData, signal: AbortSignal): Promise<void> {
  if (s.t.containers.some((c) => c.load !== null)) {
    // The run's generators' cgroup, or without a run (tests) the trial's own.
    const made = ctx.generators
      ? await ctx.generators.cgroup()
      : await createLoadgenCgroup(ctx.driver, ctx.harnessCpus);
    s.loadgen = made.handle;
    s.ownsLoadgen = !ctx.generators;
    s.edges.loadgenCpuWeight = made.cpuWeight;
  }
  const started = await Promise.allSettled(
    s.t.containers.map(async (spec) => {
      await data.readyFor(spec.name);
      if (signal.aborted) throw signal.reason;
      const where = {
        dataDir: data.dirs[spec.name] ?? '.',
        device: ctx.prepared[spec.name]?.device ?? null,
      };
      const m = await startMember(ctx.driver, spec, where, (h) => s.handles.set(spec.name, h), ctx.launch);
      s.members.set(spec.name, m);
      // A served workload's generator starts with it, so that its start-up overlaps the server's
      // preparation; it connects when the server listens and sends nothing before T0.
      if (spec.load !== null) {
        startGenerator(ctx, s, m);
        void m.out.listening.then((port) => port !== null && m.load?.target(port));
      }
    }),
  );
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function startGenerator(ctx: TrialContext, s: TrialState, m: Member): void {
  if (s.closing || m.load) return;
  m.load = startLoad(
    m,
    s.t,
    s.loadgen ? ctx.driver.procsFiles(s.loadgen) : [],
    ctx.readyTimeoutMs,
    ctx.generators?.pool ?? null,
  );
}

/** Waits for every workload's ready line, all at once; the first failure ends the trial. */
async function ready(ctx: TrialContext, s: TrialState, signal: AbortSignal): Promise<void> {
  await Promise.all(s.started().map((m) => awaitReady(m, ctx.readyTimeoutMs, signal)));
}
