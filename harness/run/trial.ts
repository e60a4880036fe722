/**
 * One trial, as named steps over a typed state: start (cgroups, limits, containers), await ready,
 * begin (sampler and load), warm up and open the window, measure and close it, drain the load;
 * then, whatever happened, tear down; then record. Every cgroup and process a trial created is
 * gone when it returns; a workload that crashes or is OOM-killed makes the trial `failed`, not the
 * run. Cancellation is the run's AbortSignal, end to end: an aborted trial is 'interrupted'.
 */
import type { CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import type { Launcher } from '../container/spawn.js';
import { IsobenchError } from '../errors.js';
import type { SampleRow, TrialRecord } from '../results/types.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { GuardSpec } from '../scenario/types.js';
import { deadline } from '../timers.js';
import { freshData, type TrialData } from './data.js';
import { waitForQuiet } from './guards.js';
import { readHostCpu } from './host-sample.js';
import { startLoad } from './load.js';
import { awaitReady, type Member, runFor, startMember, stoppedEarly, TrialFailure } from './member.js';
import type { Prepared } from './prepare.js';
import { type Edge, type Entry, emptyEdges, recordTrial } from './record.js';
import { Sampler } from './sampler.js';

export interface TrialContext {
  driver: CgroupDriver;
  /** Resolved per container: data dir, io device. */
  prepared: Record<string, Prepared>;
  readyTimeoutMs: number;
  stopGraceMs: number;
  signal: AbortSignal;
  onPhase?: (what: string) => void;
  /** How containers are started (default: isobench-init in new namespaces; unit tests use a stand-in). */
  launch?: Launcher;
  /** When the trial is invalid, and the quiet wait before it (scenario `guards`). */
  guards: GuardSpec;
  /** CPUs reserved for isobench and its generators, or null when they share the containers' CPUs. */
  harnessCpus?: string | null;
  /** 2 for the rerun of an invalid trial. */
  attempt?: number;
}

/** From picking T0 to the generators' first sends: enough to write one line to each. */
const START_MARGIN_MS = 20;

export type TrialOutcome = { record: TrialRecord; samples: SampleRow[] } | 'interrupted';

/** What a trial has created and observed so far: steps add to it; teardown and the record read it. */
class TrialState {
  readonly startedAt = new Date().toISOString();
  /** Cgroups created, by container name (a container whose start failed has one too). */
  readonly handles = new Map<string, CgroupHandle>();
  /** Containers started. */
  readonly members = new Map<string, Member>();
  readonly edges = emptyEdges();
  sampler: Sampler | null = null;
  data: TrialData | null = null;
  /** The load generators' cgroup, when the trial has a served workload. */
  loadgen: CgroupHandle | null = null;
  /** The trial's one start instant (Date.now() clock): warmup from here, then the window. */
  t0EpochMs = 0;
  failure: TrialFailure | null = null;

  constructor(readonly t: PlannedTrial) {}

  /** Every container that got a cgroup, in the trial's order (the order of the edges' snapshots). */
  entries(): Entry[] {
    return this.t.containers.flatMap((spec): Entry[] => {
      const m = this.members.get(spec.name);
      const handle = this.handles.get(spec.name);
      return m ? [m] : handle ? [{ spec, handle }] : [];
    });
  }

  started(): Member[] {
    return this.t.containers.flatMap((spec) => this.members.get(spec.name) ?? []);
  }
}

const snapshot = (driver: CgroupDriver, entries: Entry[]) =>
  Promise.all(entries.map((e) => driver.readStats(e.handle).catch(() => null)));

/** Everything read at one edge of the window, as close together as the reads allow. */
async function takeEdge(driver: CgroupDriver, s: TrialState): Promise<Edge> {
  const epochMs = Date.now();
  const monoMs = performance.now();
  const [stats, loadgen, host] = await Promise.all([
    snapshot(driver, s.entries()),
    s.loadgen ? driver.readStats(s.loadgen).catch(() => null) : null,
    readHostCpu(),
  ]);
  const cpu = process.cpuUsage();
  return {
    epochMs,
    monoMs,
    stats,
    loadgen,
    hostBusyUs: host.busyUs,
    stealUs: host.stealUs,
    harnessCpuUs: cpu.user + cpu.system,
  };
}

/** Waits (bounded) for a quiet host, so that a trial does not start into someone else's burst. */
async function quiet(ctx: TrialContext, s: TrialState): Promise<void> {
  const q = await waitForQuiet(ctx.guards.quiet, ctx.signal);
  s.edges.before.quietWaitMs = q.waitedMs;
  s.edges.before.busyCores = q.busyCores;
}

/** Each container's data dir in its starting state; the host's writeback drained. */
async function fresh(ctx: TrialContext, s: TrialState): Promise<void> {
  s.data = await freshData(ctx.prepared, s.t, ctx.signal);
  s.edges.before.dirtyBytes = s.data.settled.dirtyBytes;
}

/**
 * Creates each container's cgroup, applies its limits and starts it: all containers at once (they
 * are independent until the load begins). Every start is settled before a failure is thrown, so
 * that teardown finds everything that was created.
 */
async function start(ctx: TrialContext, s: TrialState): Promise<void> {
  const started = await Promise.allSettled(
    s.t.containers.map(async (spec) => {
      const where = {
        dataDir: s.data?.dirs[spec.name] ?? '.',
        device: ctx.prepared[spec.name]?.device ?? null,
      };
      const m = await startMember(ctx.driver, spec, where, (h) => s.handles.set(spec.name, h), ctx.launch);
      s.members.set(spec.name, m);
    }),
  );
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Waits for every workload's ready line, all at once; the first failure ends the trial. */
async function ready(ctx: TrialContext, s: TrialState): Promise<void> {
  await Promise.all(s.started().map((m) => awaitReady(m, ctx.readyTimeoutMs, ctx.signal)));
}

/**
 * Starts the sampler and the load of every served workload. The generators run in a cgroup of
 * their own (`isobench-<run>--loadgen`), outside every container's limits, measured like one.
 */
async function begin(ctx: TrialContext, s: TrialState): Promise<void> {
  const t = s.t;
  const served = s.started().filter((m) => m.spec.load !== null);
  if (served.length > 0) {
    s.loadgen = await ctx.driver.create('-loadgen');
    if (ctx.harnessCpus) await ctx.driver.apply(s.loadgen, { 'cpuset.cpus': ctx.harnessCpus }, null);
  }
  const procs = s.loadgen ? ctx.driver.procsFiles(s.loadgen) : [];
  for (const m of served) m.load = startLoad(m, t, procs);
  const generators = served.flatMap((m) => (m.load ? [m.load.ready] : []));
  try {
    await deadline(Promise.all(generators), ctx.readyTimeoutMs, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new TrialFailure(`isobench: the load generator was not ready: ${(err as Error).message}`, null);
  }
  const labels = { trial: t.id, cell: t.cell.id, phase: t.phase.name };
  s.sampler = new Sampler(
    ctx.driver,
    s.entries().map((e) => e.handle),
    labels,
    t.sampleIntervalMs,
  );
  s.sampler.start();
  // One instant for everyone: the generators' schedules, the mark and the snapshots. The margin
  // covers writing the start line to each generator.
  s.t0EpochMs = Date.now() + START_MARGIN_MS;
  for (const m of served) m.load?.start(s.t0EpochMs);
}

/** Milliseconds from now until `epochMs` on the wall clock the generators also use. */
const until = (epochMs: number) => Math.max(0, epochMs - Date.now());

/** Warms up, then opens the measured window at T0 + warmup: snapshots, and the mark (SIGUSR2). */
async function warmUp(ctx: TrialContext, s: TrialState): Promise<void> {
  const w = await runFor(until(s.t0EpochMs + s.t.warmupMs), s.started(), ctx.signal);
  if (w !== 'done') throw await stoppedEarly(ctx.driver, w, 'during warmup');
  // Workloads that keep their own figures start them afresh now, so warmup is not counted.
  for (const m of s.started()) if (m.spec.workload.kind === 'builtin') m.container.signal('SIGUSR2');
  const start = await takeEdge(ctx.driver, s);
  s.edges.start = start;
  if (s.sampler) s.sampler.measureStart = start.monoMs;
}

/**
 * Measures until T0 + warmup + duration, when the generators stop sending; then closes the
 * window for everyone at that instant: the end snapshots, and the workloads that are not served
 * (the database, the aggressors) are stopped, so that their final figures end there too. The
 * generators then drain their in-flight requests, with the servers still up.
 */
async function measure(ctx: TrialContext, s: TrialState): Promise<void> {
  const m = await runFor(until(s.t0EpochMs + s.t.warmupMs + s.t.durationMs), s.started(), ctx.signal);
  s.edges.end = await takeEdge(ctx.driver, s);
  if (m !== 'done') throw await stoppedEarly(ctx.driver, m, 'during the measurement');
  for (const member of s.started()) if (member.spec.load === null) member.container.signal('SIGTERM');
}

/** Waits for the load generators' results (they stop on their own schedule). */
async function drain(s: TrialState): Promise<void> {
  await Promise.all(s.started().map((m) => m.load?.result));
}

/** Stops everything the trial started and removes every cgroup it created, whatever happened. */
async function teardown(ctx: TrialContext, s: TrialState): Promise<void> {
  s.sampler?.stop();
  for (const m of s.started()) m.load?.kill();
  await Promise.all(s.started().map((m) => m.container.stop(ctx.stopGraceMs).catch(() => null)));
  // A trial that ended early still records how its containers ended (OOM kills since creation).
  if (!s.edges.end) s.edges.after = await snapshot(ctx.driver, s.entries());
  for (const h of [...s.handles.values(), ...(s.loadgen ? [s.loadgen] : [])])
    await ctx.driver.remove(h).catch(() => {});
  s.data?.remove();
}

/** Runs one step, telling the progress display, and records its wall time in the trial's record. */
async function step(
  ctx: TrialContext,
  s: TrialState,
  name: string,
  label: string | null,
  run: () => Promise<void>,
): Promise<void> {
  if (label) ctx.onPhase?.(label);
  const t = performance.now();
  try {
    await run();
  } finally {
    s.edges.stepsMs[name] = Math.round(performance.now() - t);
  }
}

export async function runTrial(ctx: TrialContext, t: PlannedTrial): Promise<TrialOutcome> {
  const s = new TrialState(t);
  let interrupted = false;
  try {
    await step(ctx, s, 'fresh', 'preparing data', () => fresh(ctx, s));
    await step(ctx, s, 'quiet', 'waiting for a quiet host', () => quiet(ctx, s));
    await step(ctx, s, 'start', 'starting', () => start(ctx, s));
    await step(ctx, s, 'ready', 'waiting for ready', () => ready(ctx, s));
    await step(ctx, s, 'begin', null, () => begin(ctx, s));
    await step(ctx, s, 'warmUp', 'warming up', () => warmUp(ctx, s));
    await step(ctx, s, 'measure', 'measuring', () => measure(ctx, s));
    await step(ctx, s, 'drain', 'stopping', () => drain(s));
  } catch (err) {
    if (err instanceof TrialFailure) s.failure = err;
    else if (ctx.signal.aborted) interrupted = true;
    else
      s.failure = new TrialFailure(
        `isobench: ${err instanceof IsobenchError ? `${err.code}: ` : ''}${(err as Error).message}`,
        null,
      );
  } finally {
    await step(ctx, s, 'teardown', null, () => teardown(ctx, s));
  }
  if (interrupted) return 'interrupted';
  s.edges.harnessCpus = ctx.harnessCpus ?? null;
  const record = await recordTrial(
    t,
    s.startedAt,
    s.entries(),
    s.edges,
    s.failure,
    ctx.guards,
    ctx.attempt ?? 1,
  );
  return { record, samples: s.sampler?.rowsFromWindowStart() ?? [] };
}
