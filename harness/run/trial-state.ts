/** What one trial works with (its context) and what it has created and observed so far (its state). */
import type { CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import type { Launcher } from '../container/spawn.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { GuardSpec } from '../scenario/types.js';
import type { TrialData } from './data.js';
import type { RunGenerators } from './generators.js';
import type { Member, TrialFailure } from './member.js';
import type { Prepared } from './prepare.js';
import { type Entry, emptyEdges } from './record.js';
import type { Sampler } from './sampler.js';

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
  /** Where a trial leaves work that may finish during the next one's set-up (the run's loop). */
  background?: Background;
  /** The run's generators' cgroup and resident generators; without it a trial makes its own. */
  generators?: RunGenerators;
}

/**
 * Work a trial leaves running when it returns (removing its data dir), awaited by the next
 * trial before it settles the host, and by the run's loop at its end.
 */
export class Background {
  private readonly pending = new Set<Promise<unknown>>();

  add(p: Promise<unknown>): void {
    const tracked = p.catch(() => {}).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

/** What a trial has created and observed so far: steps add to it; teardown and the record read it. */
export class TrialState {
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
  /** Whether the trial made `loadgen` (and removes it), rather than its run. */
  ownsLoadgen = false;
  /** Set when teardown begins: no generator may start after that. */
  closing = false;
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

export const snapshot = (driver: CgroupDriver, entries: Entry[]) =>
  Promise.all(entries.map((e) => driver.readStats(e.handle).catch(() => null)));
