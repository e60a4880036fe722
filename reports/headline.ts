/**
 * Who was hurt by whom, and by how much: one verdict per cell and container, shared by the
 * HTML headline, the interference matrix and summary.md.
 *
 * A container is hurt when its tail-latency slowdown (co-located / solo, within each repetition
 * block) has a 95% interval entirely above HURT_RATIO (1.1), or its rate ratio (goodput for a
 * served workload, transactions/s for the database) one entirely below HURT_THROUGHPUT (0.9);
 * it is protected when the whole interval stays within those 10% (it may include or go below
 * 1); between the two (the interval includes 1 but also values past 10%) the verdict is
 * "unclear". Below 6 trials there is no 95% interval: the median decides, and the verdict says
 * "no interval". A p99 read from fewer than 100 values beyond it in a trial is a thin tail: the
 * verdict falls back to the p50 and says so. Open-loop throughput is not used: it is the
 * offered rate by construction.
 */
import {
  type CellResult,
  type Estimate,
  type MetricName,
  type PhaseSummary,
  type ResultsFile,
  TAIL_MIN_SAMPLES,
} from '../harness/results/types.js';

/** Slowdown beyond which a latency counts as hurt (10%). */
export const HURT_RATIO = 1.1;
/** Throughput ratio below which a container counts as hurt. */
export const HURT_THROUGHPUT = 0.9;

/** The latency and rate figures of each workload kind, in preference order (a thin tail falls back to the p50). */
const LATENCY_METRICS: MetricName[] = ['latencyP99Us', 'commitP99Us', 'latencyP50Us', 'commitP50Us'];
const THROUGHPUT_METRICS: MetricName[] = ['goodputFraction', 'txnPerSec'];

export const METRIC_LABELS: Partial<Record<MetricName, string>> = {
  latencyP50Us: 'p50 latency',
  latencyP99Us: 'p99 latency',
  commitP50Us: 'p50 commit latency',
  commitP99Us: 'p99 commit latency',
  goodputFraction: 'goodput',
  throughputRps: 'throughput',
  txnPerSec: 'transactions/s',
};

export type VerdictStatus = 'hurt' | 'protected' | 'inconclusive' | 'dnr' | 'no-baseline';

export interface MetricVerdict {
  metric: MetricName;
  estimate: Estimate;
  status: 'hurt' | 'protected' | 'inconclusive';
}

export interface Verdict {
  cellId: string;
  cellName: string;
  container: string;
  /** The co-located phase and the containers that shared it (the neighbours). */
  phase: string | null;
  neighbours: string[];
  status: VerdictStatus;
  latency: MetricVerdict | null;
  throughput: MetricVerdict | null;
  /** Figures left out and why (a thin tail). */
  notes: string[];
  /** Trials of the co-located and solo phases, and the failed ones with their reasons. */
  trials: number;
  failed: number;
  failures: { trial: string; reason: string }[];
}

function usable(e: Estimate | undefined): e is Estimate {
  return e !== undefined && e.median !== null && e.n > 0;
}

function judge(metric: MetricName, estimate: Estimate, higherIsWorse: boolean): MetricVerdict {
  const m = estimate.median as number;
  const low = estimate.low ?? m;
  const high = estimate.high ?? m;
  let status: MetricVerdict['status'];
  // An interval that includes 1 but reaches past 10% is not called protected: too few or too
  // noisy trials cannot rule out the harm, and the report says so instead of reassuring.
  if (higherIsWorse) {
    if (low > HURT_RATIO) status = 'hurt';
    else if (high <= HURT_RATIO) status = 'protected';
    else status = 'inconclusive';
  } else {
    if (high < HURT_THROUGHPUT) status = 'hurt';
    else if (low >= HURT_THROUGHPUT) status = 'protected';
    else status = 'inconclusive';
  }
  return { metric, estimate, status };
}

const thin = (e: Estimate) => e.tailSamples !== undefined && e.tailSamples < TAIL_MIN_SAMPLES;

function pick(slowdown: Partial<Record<MetricName, Estimate>> | null, names: MetricName[], notes: string[]) {
  for (const name of names) {
    const e = slowdown?.[name];
    if (!usable(e)) continue;
    if (thin(e)) {
      notes.push(
        `${METRIC_LABELS[name] ?? name} left out: as few as ${e.tailSamples} values beyond it in a trial (fewer than ${TAIL_MIN_SAMPLES})`,
      );
      continue;
    }
    return { name, e };
  }
  return null;
}

function failuresOf(...phases: (PhaseSummary | null)[]) {
  const out: { trial: string; reason: string }[] = [];
  let trials = 0;
  let failed = 0;
  for (const p of phases) {
    if (!p) continue;
    trials += p.trials;
    failed += p.failed;
    out.push(...p.failures);
  }
  return { trials, failed, failures: out };
}

function verdictOf(
  cell: CellResult,
  container: string,
  phase: string | null,
  neighbours: string[],
  slowdown: Partial<Record<MetricName, Estimate>> | null,
  solo: PhaseSummary | null,
  colocated: PhaseSummary | null,
): Verdict {
  const notes: string[] = [];
  const lat = pick(slowdown, LATENCY_METRICS, notes);
  const thr = pick(slowdown, THROUGHPUT_METRICS, notes);
  const latency = lat ? judge(lat.name, lat.e, true) : null;
  const throughput = thr ? judge(thr.name, thr.e, false) : null;
  const f = failuresOf(solo, colocated);
  let status: VerdictStatus;
  if (latency || throughput) {
    const parts = [latency?.status, throughput?.status];
    status = parts.includes('hurt') ? 'hurt' : parts.includes('inconclusive') ? 'inconclusive' : 'protected';
  } else if (f.failed > 0) {
    status = 'dnr';
  } else {
    status = 'no-baseline';
  }
  return {
    cellId: cell.id,
    cellName: cell.name,
    container,
    phase,
    neighbours,
    status,
    latency,
    throughput,
    notes,
    ...f,
  };
}

/**
 * One verdict per container and co-located phase it ran in (the matrix's columns: one victim
 * against each set of neighbours in turn), or one without figures when it never ran co-located.
 */
export function cellVerdicts(results: ResultsFile, cell: CellResult): Verdict[] {
  const out: Verdict[] = [];
  for (const [container, r] of Object.entries(cell.containers)) {
    const entries = r.neighbours ?? [];
    if (entries.length === 0) {
      const phase = results.scenario.phases.find((p) => p.name === r.colocated?.phase);
      const neighbours = phase ? phase.containers.filter((c) => c !== container) : [];
      out.push(verdictOf(cell, container, phase?.name ?? null, neighbours, r.slowdown, r.solo, r.colocated));
      continue;
    }
    for (const n of entries) {
      out.push(verdictOf(cell, container, n.phase, n.with, n.slowdown, r.solo, n.colocated));
    }
  }
  return out;
}

export function allVerdicts(results: ResultsFile): Verdict[] {
  return results.cells.flatMap((c) => cellVerdicts(results, c));
}

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** `×2.31 [1.90–2.80]`, or `×2.31 (3 trials, no interval)` (below 6 trials no 95% interval exists). */
export function formatRatio(e: Estimate): string {
  if (e.median === null) return 'n/a';
  const m = `×${num(e.median)}`;
  if (e.low === null || e.high === null) return `${m} (${e.n} trial${e.n === 1 ? '' : 's'}, no interval)`;
  return `${m} [${num(e.low)}–${num(e.high)}]`;
}

export function formatMetricVerdict(v: MetricVerdict): string {
  return `${METRIC_LABELS[v.metric] ?? v.metric} ${formatRatio(v.estimate)}`;
}

/** "hurt by db: p99 latency ×2.31 [1.90–2.80]" and the like, plain text. */
export function describeVerdict(v: Verdict): string {
  const by = v.neighbours.length > 0 ? v.neighbours.join(', ') : 'its neighbours';
  const figures = [v.latency, v.throughput]
    .filter((m): m is MetricVerdict => m !== null)
    .map(formatMetricVerdict);
  const notes = v.notes.length > 0 ? ` (${v.notes.join('; ')})` : '';
  switch (v.status) {
    case 'hurt':
      return `hurt by ${by}: ${figures.join(', ')}${notes}`;
    case 'protected':
      return `protected from ${by}: ${figures.join(', ')}${notes}`;
    case 'inconclusive':
      return `unclear next to ${by} (the interval reaches past 10%; more repetitions would tell): ${figures.join(', ')}${notes}`;
    case 'dnr':
      return `did not run to the end (DNR): ${v.failures.map((f) => `${f.trial}: ${f.reason}`).join('; ')}`;
    default:
      return 'no slowdown figure (no solo baseline or no co-located phase)';
  }
}
