/**
 * One trial, as named steps over a typed state: prepare (fresh data, cgroups, limits, containers
 * and their load generators started and awaited ready, the wait for a quiet host: all overlapped,
 * setup.ts), begin (sampler and load), warm up and open the window, measure and close it, drain the load;
 * then, whatever happened, tear down; then record. Every cgroup and process a trial created is
 * gone when it returns; a workload that crashes or is OOM-killed makes the trial `failed`, not the
 * run. Cancellation is the run's AbortSignal, end to end: an aborted trial is 'interrupted'.
 */
import type { CgroupDriver } from '../cgroup/driver.js';
import { IsobenchError } from '../errors.js';
import type { SampleRow, TrialRecord } from '../results/types.js';
import type { PlannedTrial } from '../scenario/plan.js';
import { deadline } from '../timers.js';
import { readHostCpu } from './host-sample.js';
import { runFor, stoppedEarly, TrialFailure } from './member.js';
import { type Edge, recordTrial } from './record.js';
import { Sampler } from './sampler.js';
import { prepare } from './setup.js';
import { snapshot, type TrialContext, TrialState } from './trial-state.js';

export type { TrialContext };

/** From picking T0 to the generators' first sends: enough to write one line to each. */
const START_MARGIN_MS = 20;

export type TrialOutcome = { record: TrialRecord; samples: SampleRow[] } | 'interrupted';

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

/**
 * Starts the sampler and the load of every served workload. The generators run in a cgroup of
 * their own (`isobench-<run>--loadgen`), outside every container's limits, measured like one.
 */
async function begin(ctx: TrialContext, s: TrialState): Promise<void> {
  const t = s.t;
  const served = s.started().filter((m) => m.spec.load !== null);
  // Every served member is ready, so its port is known; one that never said it (a ready line
  // without a port) gets no load.
  for (const m of served)
    if ((await m.out.listening) === null) {
      m.load?.kill();
      m.load = null;
    }
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
  s.closing = true;
  s.sampler?.stop();
  for (const m of s.started()) m.load?.kill();
  await Promise.all(s.started().map((m) => m.container.stop(ctx.stopGraceMs).catch(() => null)));
  // A trial that ended early still records how its containers ended (OOM kills since creation).
  if (!s.edges.end) s.edges.after = await snapshot(ctx.driver, s.entries());
  for (const h of [...s.handles.values(), ...(s.loadgen && s.ownsLoadgen ? [s.loadgen] : [])])
    await ctx.driver.remove(h).catch(() => {});
  await ctx.generators?.resetIfDirty();
  // The data dir goes in the background when the run allows it (the next trial settles the
  // host after it, before its window): deleting a database copy is tens of milliseconds here.
  const removed = s.data?.remove() ?? Promise.resolve();
  if (ctx.background) ctx.background.add(removed);
  else await removed;
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
    await step(ctx, s, 'prepare', 'starting', () => prepare(ctx, s));
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
