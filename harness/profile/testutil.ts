/** Synthetic profiles and profile runs with known answers, for the unit tests of extract and predict. */
import { summarizeCells } from '../analysis/summarize.js';
import { EXAMPLE_HOST } from '../results/example.js';
import {
  RESULTS_SCHEMA_VERSION,
  type ResultsFile,
  type TrialContainer,
  type TrialRecord,
} from '../results/types.js';
import { alonePhase, antagonistName, cellName, SOLO_PHASE, withPhase } from './derive.js';
import {
  type AntagonistCurve,
  type Footprint,
  PROFILE_SCHEMA_VERSION,
  type ProfileFile,
  type Resource,
  SCALE_FIGURE,
} from './types.js';

export function footprint(over: Partial<Footprint> = {}): Footprint {
  return {
    trials: 6,
    cpuCores: null,
    memoryPeakBytes: null,
    ioBytesPerSec: null,
    ioOpsPerSec: null,
    pidsPeak: null,
    psiCpuSome: null,
    psiMemorySome: null,
    psiIoSome: null,
    ...over,
  };
}

/** A curve: [intensity, footprint on the resource's scale figure, slowdown median, low, high]. */
export function curve(
  resource: Resource,
  points: [number, number, number, number | null, number | null][],
): AntagonistCurve {
  const fig = SCALE_FIGURE[resource];
  return {
    resource,
    container: antagonistName(resource),
    workload: resource,
    params: {},
    limits: {},
    scaleFigure: fig,
    points: points.map(([intensity, fp, median, low, high]) => ({
      intensity,
      receivedIntensity: intensity,
      footprint: footprint({ [fig]: fp }),
      slowdown: { latencyP50Us: { median, low, high, n: 6 } },
    })),
  };
}

export function profile(name: string, antagonists: AntagonistCurve[], own: Partial<Footprint>): ProfileFile {
  return {
    profileSchemaVersion: PROFILE_SCHEMA_VERSION,
    kind: 'profile',
    createdAt: '2026-12-01T00:00:00.000Z',
    command: ['isobench', 'profile'],
    host: { hostname: 'h', kernel: '6.1.0', cpus: 2 },
    scenario: { file: 'scenarios/web-vs-db.yaml', name: `profile-${name}` },
    container: { name, workload: name },
    run: { dir: 'run', durationMs: 1000, warmupMs: 1000, repetitions: 6, trials: 84, failedTrials: 0 },
    intensities: [...new Set(antagonists.flatMap((a) => a.points.map((p) => p.intensity)))],
    metrics: ['latencyP50Us'],
    primaryMetric: 'latencyP50Us',
    footprint: footprint(own),
    antagonists,
  };
}

const MiB = 2 ** 20;

function member(
  name: string,
  workload: string,
  o: { latencyUs?: number; cpuUs: number; ioBytes: number; ready?: Record<string, unknown> },
): TrialContainer {
  return {
    name,
    workload,
    limits: { requested: {}, applied: {} },
    cgroupPath: `/isobench-x-${name}`,
    exit: { exitCode: 0, signal: null, oomKilled: false },
    ready: o.ready ?? { ready: true },
    final: null,
    load: null,
    metrics: o.latencyUs === undefined ? {} : { latencyP50Us: o.latencyUs },
    histograms: {},
    cgroup: {
      cpuUsageUs: o.cpuUs,
      cpuThrottledUs: 0,
      memoryPeakBytes: 100 * MiB,
      oomKills: 0,
      ioReadBytes: 0,
      ioWriteBytes: o.ioBytes,
      ioReadOps: 0,
      ioWriteOps: o.ioBytes / 16384,
      pidsPeak: 7,
      psi: { cpu: { someTotalUs: 100_000, fullTotalUs: null }, memory: null, io: null },
    },
  };
}

/**
 * The results of a profile run of `web` next to the cpu antagonist at intensities 50 and 100, six
 * blocks, 2 s windows: web's p50 is 200 µs solo (+ a per-block wobble) and `factor(intensity)` times
 * that next to the antagonist; the antagonist alone uses intensity/50 cores and reports
 * `intensity` in its ready line; web solo uses 0.5 cores.
 */
export function syntheticProfileRun(factor: (intensity: number) => number): ResultsFile {
  const intensities = [50, 100];
  const windowMs = 2000;
  const phases = [
    { name: SOLO_PHASE, kind: 'solo' as const, containers: ['web'] },
    { name: withPhase('cpu'), kind: 'colocated' as const, containers: ['web', antagonistName('cpu')] },
    { name: alonePhase('cpu'), kind: 'solo' as const, containers: [antagonistName('cpu')] },
  ];
  const cells = intensities.map((i, k) => ({
    id: `c${k + 1}`,
    name: cellName(i),
    settings: { [`containers.${antagonistName('cpu')}.params.intensity`]: i },
  }));
  const trials: TrialRecord[] = [];
  for (let r = 1; r <= 6; r++) {
    const wobble = 1 + r / 100;
    for (const [k, cell] of cells.entries()) {
      const i = intensities[k] as number;
      for (const phase of phases) {
        const ant = member(antagonistName('cpu'), 'cpu', {
          cpuUs: (i / 50) * windowMs * 1000,
          ioBytes: 0,
          ready: { ready: true, intensity: i },
        });
        const web = (slow: number) =>
          member('web', 'web', {
            latencyUs: 200 * wobble * slow,
            cpuUs: 0.5 * windowMs * 1000,
            ioBytes: 4 * MiB,
          });
        const containers =
          phase.name === SOLO_PHASE
            ? [web(1)]
            : phase.name === withPhase('cpu')
              ? [web(factor(i)), ant]
              : [ant];
        trials.push({
          id: `${cell.id}-${phase.name}-r${r}`,
          index: trials.length,
          repetition: r,
          cell,
          phase,
          startedAt: '2026-12-01T00:00:00.000Z',
          durationMs: windowMs,
          foreignCpuUs: 0,
          containers,
          status: 'ok',
        });
      }
    }
  }
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: 'syn',
    status: 'complete',
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:10:00.000Z',
    command: ['isobench', 'run'],
    host: EXAMPLE_HOST,
    scenario: {
      name: 'profile-web',
      file: 'scenario.yaml',
      text: '',
      overrides: [],
      seed: 1,
      repetitions: 6,
      shard: null,
      totalTrials: trials.length,
      phases,
    },
    cells: summarizeCells({ cells, phases, trials }),
    trials,
    variant: null,
    sequential: null,
  };
}
