/**
 * A profile from the results of its derived run (derive.ts): the container's slowdown per
 * antagonist and intensity (the analysis' within-block slowdowns: Hodges-Lehmann with the
 * signed-rank 95% interval), and footprints computed from each trial's cgroup window. Pure.
 */
import { medianEstimate } from '../analysis/summarize.js';
import { METRIC_NAMES } from '../results/columns.js';
import type { CgroupWindow, Estimate, MetricName, ResultsFile, TrialRecord } from '../results/types.js';
import { alonePhase, antagonistName, cellName, SOLO_PHASE, withPhase } from './derive.js';
import {
  type AntagonistCurve,
  type Footprint,
  type FootprintField,
  PROFILE_SCHEMA_VERSION,
  type ProfileFile,
  type Resource,
  SCALE_FIGURE,
} from './types.js';

/** The metric predictions use unless told: median latency of a served workload, else commit latency, else transactions/s. */
const PRIMARY_ORDER: readonly MetricName[] = ['latencyP50Us', 'commitP50Us', 'txnPerSec'];

function windowMs(t: TrialRecord): number {
  const w = t.measure?.window;
  return w ? w.endEpochMs - w.startEpochMs : t.durationMs;
}

/** One trial's footprint figures (per second of its window). */
export function trialFootprint(c: CgroupWindow, ms: number): Record<FootprintField, number | null> {
  const perSec = (v: number | null | undefined) => (v == null || ms <= 0 ? null : (v * 1000) / ms);
  const share = (us: number | null | undefined) => (us == null || ms <= 0 ? null : us / (ms * 1000));
  const io =
    c.ioReadBytes === null && c.ioWriteBytes === null ? null : (c.ioReadBytes ?? 0) + (c.ioWriteBytes ?? 0);
  const ops = c.ioReadOps === null && c.ioWriteOps === null ? null : (c.ioReadOps ?? 0) + (c.ioWriteOps ?? 0);
  return {
    cpuCores: share(c.cpuUsageUs),
    memoryPeakBytes: c.memoryPeakBytes,
    ioBytesPerSec: perSec(io),
    ioOpsPerSec: perSec(ops),
    pidsPeak: c.pidsPeak,
    psiCpuSome: share(c.psi?.cpu?.someTotalUs),
    psiMemorySome: share(c.psi?.memory?.someTotalUs),
    psiIoSome: share(c.psi?.io?.someTotalUs),
  };
}

const FIELDS: readonly FootprintField[] = [
  'cpuCores',
  'memoryPeakBytes',
  'ioBytesPerSec',
  'ioOpsPerSec',
  'pidsPeak',
  'psiCpuSome',
  'psiMemorySome',
  'psiIoSome',
];

/** Medians over the ok trials of `phase` (in `cell`, or every cell) of `container`'s footprint. */
export function footprintOf(
  trials: readonly TrialRecord[],
  container: string,
  phase: string,
  cell?: string,
): Footprint {
  const rows = trials
    .filter(
      (t) => t.status === 'ok' && t.phase.name === phase && (cell === undefined || t.cell.name === cell),
    )
    .flatMap((t) => {
      const c = t.containers.find((x) => x.name === container);
      return c ? [trialFootprint(c.cgroup, windowMs(t))] : [];
    });
  const fp = { trials: rows.length } as Footprint;
  for (const f of FIELDS) {
    const values = rows.map((r) => r[f]).filter((v): v is number => v !== null && Number.isFinite(v));
    fp[f] = values.length ? medianEstimate(values).median : null;
  }
  return fp;
}

/** The intensity an antagonist reported (ready line): `intensity`, or fork's `rateHz` over its `--rate`. */
function receivedIntensity(
  trials: readonly TrialRecord[],
  container: string,
  phase: string,
  cell: string,
): number | null {
  const values = trials
    .filter((t) => t.status === 'ok' && t.phase.name === phase && t.cell.name === cell)
    .flatMap((t) => {
      const c = t.containers.find((x) => x.name === container);
      const ready = c?.ready ?? null;
      if (!ready) return [];
      if (typeof ready.intensity === 'number') return [ready.intensity];
      return typeof ready.rateHz === 'number' ? [ready.rateHz] : [];
    });
  return values.length ? medianEstimate(values).median : null;
}

export function profileFromResults(opts: {
  results: ResultsFile;
  runDir: string;
  scenarioFile: string;
  container: string;
  workload: string;
  definition?: Record<string, unknown>;
  antagonists: readonly {
    resource: Resource;
    workload: string;
    params: Record<string, string | number | boolean>;
    limits: Record<string, string | number>;
  }[];
  intensities: readonly number[];
  durationMs: number;
  warmupMs: number;
  command: string[];
}): ProfileFile {
  const { results, container } = opts;
  const trials = results.trials;
  const antagonists: AntagonistCurve[] = opts.antagonists.map((a) => {
    const name = antagonistName(a.resource);
    const points = opts.intensities.map((intensity) => {
      const cell = results.cells.find((c) => c.name === cellName(intensity));
      const nb = cell?.containers[container]?.neighbours.find((n) => n.phase === withPhase(a.resource));
      let received = receivedIntensity(trials, name, alonePhase(a.resource), cellName(intensity));
      // fork reports its rate: as a percent of the rate at intensity 100.
      if (a.resource === 'fork' && received !== null) {
        const rate = Number(a.params.rate);
        received = Number.isFinite(rate) && rate > 0 ? (received * 100) / rate : null;
      }
      return {
        intensity,
        receivedIntensity: received,
        footprint: footprintOf(trials, name, alonePhase(a.resource), cellName(intensity)),
        slowdown: { ...(nb?.slowdown ?? {}) } as Partial<Record<MetricName, Estimate>>,
      };
    });
    return {
      resource: a.resource,
      container: name,
      workload: a.workload,
      params: a.params,
      limits: a.limits,
      scaleFigure: SCALE_FIGURE[a.resource],
      points,
    };
  });
  const metrics = METRIC_NAMES.filter((m) =>
    antagonists.some((a) => a.points.some((p) => p.slowdown[m]?.median != null)),
  );
  return {
    profileSchemaVersion: PROFILE_SCHEMA_VERSION,
    kind: 'profile',
    createdAt: new Date().toISOString(),
    command: opts.command,
    host: { hostname: results.host.hostname, kernel: results.host.kernel, cpus: results.host.cpu.threads },
    scenario: { file: opts.scenarioFile, name: results.scenario.name },
    container: {
      name: container,
      workload: opts.workload,
      ...(opts.definition ? { definition: opts.definition } : {}),
    },
    run: {
      dir: opts.runDir,
      durationMs: opts.durationMs,
      warmupMs: opts.warmupMs,
      repetitions: results.scenario.repetitions,
      trials: trials.length,
      failedTrials: trials.filter((t) => t.status !== 'ok').length,
    },
    intensities: [...opts.intensities],
    metrics,
    primaryMetric: PRIMARY_ORDER.find((m) => metrics.includes(m)) ?? null,
    footprint: footprintOf(trials, container, SOLO_PHASE),
    antagonists,
  };
}
