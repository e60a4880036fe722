/** Turns what a trial observed into its TrialRecord: one entry per member, figures over the window. */
import { adapterFor, loadFigures } from '../../workloads/adapters.js';
import type { CgroupHandle, CgroupStats } from '../cgroup/driver.js';
import { describeMapping } from '../container/userns.js';
import type { TrialContainer, TrialMeasure, TrialRecord } from '../results/types.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { ContainerSpec, GuardSpec } from '../scenario/types.js';
import { checkGuards, invalidReason } from './guards.js';
import type { Member, TrialFailure } from './member.js';
import { windowOf } from './window.js';

/** A snapshot at one edge of the measured window. */
export interface Edge {
  /** Wall clock (ms since the epoch) and the monotonic clock of this process. */
  epochMs: number;
  monoMs: number;
  /** Per entry of the trial, in its order. */
  stats: (CgroupStats | null)[];
  loadgen: CgroupStats | null;
  hostBusyUs: number | null;
  stealUs: number | null;
  /** user + system CPU of this process (µs). */
  harnessCpuUs: number;
}

/** The measured window's edges (start, end) and what was known before the trial began. */
export interface WindowEdges {
  start: Edge | null;
  end: Edge | null;
  /** Read after a trial that ended early, for how its containers ended (OOM kills since creation). */
  after: (CgroupStats | null)[];
  before: { dirtyBytes: number | null; quietWaitMs: number | null; busyCores: number | null };
  harnessCpus: string | null;
  /** The generators' cgroup's CPU weight as read back (v2 terms), null when not set. */
  loadgenCpuWeight: number | null;
  /** Wall time of each step of the trial (ms), in the order they ran. */
  stepsMs: Record<string, number>;
}

export function emptyEdges(): WindowEdges {
  return {
    start: null,
    end: null,
    after: [],
    before: { dirtyBytes: null, quietWaitMs: null, busyCores: null },
    harnessCpus: null,
    loadgenCpuWeight: null,
    stepsMs: {},
  };
}

const diff = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null ? null : Math.max(0, b - a);

/** A container whose cgroup exists: started (a Member), or stopped short before it could start. */
export type Entry = Member | { spec: ContainerSpec; handle: CgroupHandle };

async function entryRecord(
  e: Entry,
  i: number,
  t: PlannedTrial,
  edges: WindowEdges,
): Promise<TrialContainer> {
  const m = 'container' in e ? e : null;
  const exit = m ? await m.container.exited : null;
  const end = edges.end?.stats[i] ?? edges.after[i] ?? null;
  // The cgroup's OOM-kill count since it was created: a kill during warmup counts too.
  const oomKilled = exit?.signal === 'SIGKILL' && (end?.oomKills ?? 0) > 0;
  const final = m?.out.final() ?? null;
  const load = (await m?.load?.result) ?? null;
  const workload = e.spec.workload;
  const figures = e.spec.load
    ? loadFigures(load, t.durationMs)
    : adapterFor(workload.kind === 'builtin' ? workload.name : null).figures(final);
  return {
    name: e.spec.name,
    workload: workload.kind === 'builtin' ? workload.name : (workload.argv[0] ?? 'command'),
    limits: { requested: e.spec.requestedLimits, applied: m?.applied ?? {} },
    cgroupPath: e.handle.path,
    exit: exit ? { exitCode: exit.exitCode, signal: exit.signal, oomKilled } : null,
    ready: m?.ready ?? null,
    final,
    load,
    metrics: figures.metrics,
    histograms: figures.histograms,
    cgroup: windowOf(edges.start?.stats[i] ?? null, edges.end?.stats[i] ?? null),
    privileged: e.spec.privileged,
    userns: m?.container.ids ? describeMapping(m.container.ids) : null,
    runtime: m?.runtime ?? null,
  };
}

/** `entries` in the order of the trial's containers; the edges' snapshots are in the same order. */
export async function recordTrial(
  t: PlannedTrial,
  startedAt: string,
  entries: Entry[],
  edges: WindowEdges,
  failure: TrialFailure | null,
  guards: GuardSpec,
  attempt: number,
): Promise<TrialRecord> {
  const containers = await Promise.all(entries.map((e, i) => entryRecord(e, i, t, edges)));
  // A served workload without a generator result has no figures: that is a failed trial.
  const noLoad = entries.find((e, i) => e.spec.load !== null && containers[i]?.load === null);
  const reason =
    failure ??
    (noLoad
      ? { message: `the load generator for ${noLoad.spec.name} gave no result`, container: noLoad.spec.name }
      : null);
  const measure = measureOf(edges, entries, containers, guards, attempt);
  const now = performance.now();
  const base = {
    id: t.id,
    index: t.index,
    repetition: t.repetition,
    cell: t.cell,
    phase: { name: t.phase.name, kind: t.phase.kind, containers: t.phase.containers },
    startedAt,
    durationMs: Math.round((edges.end?.monoMs ?? now) - (edges.start?.monoMs ?? now)),
    foreignCpuUs: measure?.foreignCpuUs ?? null,
    containers,
    ...(measure ? { measure: measure.record } : {}),
  };
  if (reason) return { ...base, status: 'failed', reason: reason.message, failedContainer: reason.container };
  const invalid = measure ? invalidReason(measure.record.guards) : null;
  return invalid ? { ...base, status: 'invalid', reason: invalid } : { ...base, status: 'ok' };
}

/**
 * The trial's measurement record and its guards. CPU used outside the trial (foreign) is the
 * host's busy time minus the containers', the load generators' and isobench's own: a noisy
 * machine shows here, so a trial disturbed from outside can be recognised.
 */
function measureOf(
  edges: WindowEdges,
  entries: Entry[],
  containers: TrialContainer[],
  guards: GuardSpec,
  attempt: number,
): { record: TrialMeasure; foreignCpuUs: number | null } | null {
  const { start, end } = edges;
  if (!start || !end) return null;
  const loadgen = start.loadgen && end.loadgen ? windowOf(start.loadgen, end.loadgen) : null;
  const harnessCpuUs = end.harnessCpuUs - start.harnessCpuUs;
  const hostBusyUs = diff(start.hostBusyUs, end.hostBusyUs);
  const ours =
    containers.reduce((a, c) => a + (c.cgroup.cpuUsageUs ?? 0), 0) +
    (loadgen?.cpuUsageUs ?? 0) +
    harnessCpuUs;
  const foreignCpuUs = hostBusyUs === null ? null : Math.max(0, hostBusyUs - ours);
  const stealUs = diff(start.stealUs, end.stealUs);
  const loads = entries.flatMap((_, i) => (containers[i]?.load ? [containers[i].load] : []));
  const sent = loads.reduce((a, l) => a + (typeof l.requests === 'number' ? l.requests : 0), 0);
  const late = loads.reduce((a, l) => a + (typeof l.late === 'number' ? l.late : 0), 0);
  const maxLate = loads
    .map((l) => (typeof l.maxLateMs === 'number' ? l.maxLateMs : null))
    .filter((v) => v !== null);
  const loopDelays = loads
    .map((l) => (typeof l.loopDelayP99Ms === 'number' ? l.loopDelayP99Ms : null))
    .filter((v) => v !== null);
  const lateSendFraction = loads.length > 0 && sent > 0 ? late / sent : null;
  const loopDelayP99Ms = loopDelays.length > 0 ? Math.max(...loopDelays) : null;
  const windowMs = end.monoMs - start.monoMs;
  const record: TrialMeasure = {
    window: { startEpochMs: start.epochMs, endEpochMs: end.epochMs },
    loadgen,
    harnessCpuUs,
    stealUs,
    lateSendFraction,
    maxLateMs: maxLate.length > 0 ? Math.max(...maxLate) : null,
    loopDelayP99Ms,
    harnessCpus: edges.harnessCpus,
    loadgenCpuWeight: edges.loadgenCpuWeight,
    dirtyBytesAtStart: edges.before.dirtyBytes,
    quietWaitMs: edges.before.quietWaitMs,
    busyCoresAtStart: edges.before.busyCores,
    stepsMs: edges.stepsMs,
    guards: checkGuards(guards, { windowMs, lateSendFraction, loopDelayP99Ms, foreignCpuUs, stealUs }),
    attempt,
  };
  return { record, foreignCpuUs };
}
