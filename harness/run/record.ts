/** Turns what a trial observed into its TrialRecord: one entry per member, figures over the window. */
import { adapterFor, loadFigures } from '../../workloads/adapters.js';
import type { CgroupHandle, CgroupStats } from '../cgroup/driver.js';
import type { TrialContainer, TrialRecord } from '../results/types.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { ContainerSpec } from '../scenario/types.js';
import type { Member, TrialFailure } from './member.js';
import { windowOf } from './window.js';

/** The measured window's edges: cgroup snapshots per member, host busy time, and the clock. */
export interface WindowEdges {
  startStats: (CgroupStats | null)[];
  endStats: (CgroupStats | null)[];
  hostBusyUs: [number | null, number | null];
  startMs: number | null;
  endMs: number | null;
}

export function emptyEdges(): WindowEdges {
  return { startStats: [], endStats: [], hostBusyUs: [null, null], startMs: null, endMs: null };
}

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
  const end = edges.endStats[i] ?? null;
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
    cgroup: windowOf(edges.startStats[i] ?? null, end),
  };
}

/** `entries` in the order of the trial's containers; the edges' snapshots are in the same order. */
export async function recordTrial(
  t: PlannedTrial,
  startedAt: string,
  entries: Entry[],
  edges: WindowEdges,
  failure: TrialFailure | null,
): Promise<TrialRecord> {
  const containers = await Promise.all(entries.map((e, i) => entryRecord(e, i, t, edges)));
  // A served workload without a generator result has no figures: that is a failed trial.
  const noLoad = entries.find((e, i) => e.spec.load !== null && containers[i]?.load === null);
  const reason =
    failure ??
    (noLoad
      ? { message: `the load generator for ${noLoad.spec.name} gave no result`, container: noLoad.spec.name }
      : null);
  // Host CPU outside the containers (the load generator and isobench included): a noisy machine
  // shows here, so a trial disturbed from outside can be recognised.
  const [busy0, busy1] = edges.hostBusyUs;
  const foreignCpuUs =
    busy0 !== null && busy1 !== null
      ? Math.max(0, busy1 - busy0 - containers.reduce((a, c) => a + (c.cgroup.cpuUsageUs ?? 0), 0))
      : null;
  const now = performance.now();
  const base = {
    id: t.id,
    index: t.index,
    repetition: t.repetition,
    cell: t.cell,
    phase: { name: t.phase.name, kind: t.phase.kind, containers: t.phase.containers },
    startedAt,
    durationMs: Math.round((edges.endMs ?? now) - (edges.startMs ?? now)),
    foreignCpuUs,
    containers,
  };
  return reason
    ? { ...base, status: 'failed', reason: reason.message, failedContainer: reason.container }
    : { ...base, status: 'ok' };
}
