/**
 * A realistic, synthetic results folder's content: 2 cells x 3 phases (web solo, db solo, both
 * colocated) x 3 repetitions, with one failed trial. For tests of the writer, reader and
 * analysis, and for report code that needs something to render without running a benchmark.
 * Values are deterministic (seeded) and the histograms are real encoded HDR histograms.
 */
import * as hdr from 'hdr-histogram-js';
import { createRng, normal } from '../analysis/random.js';
import { summarizeCells } from '../analysis/summarize.js';
import {
  type DoctorCheck,
  type DoctorRecord,
  type HostFingerprint,
  RESULTS_SCHEMA_VERSION,
  type ResultsFile,
  type TrialContainer,
  type TrialRecord,
} from './types.js';

export const EXAMPLE_PHASES: ResultsFile['scenario']['phases'] = [
  { name: 'web-solo', kind: 'solo', containers: ['web'] },
  { name: 'db-solo', kind: 'solo', containers: ['db'] },
  { name: 'colocated', kind: 'colocated', containers: ['web', 'db'] },
];

export const EXAMPLE_CELLS = [
  { id: 'c1', name: 'cpu.weight=100', settings: { 'web.cpu.weight': 100 } },
  { id: 'c2', name: 'cpu.weight=1000', settings: { 'web.cpu.weight': 1000 } },
];

export const EXAMPLE_HOST: HostFingerprint = {
  hostname: 'bench-1',
  kernel: '6.8.0-45-generic',
  distribution: 'Ubuntu 24.04.1 LTS',
  cpu: { model: 'AMD EPYC 7B13', cores: 4, threads: 8, mhz: 2450 },
  memoryBytes: 16 * 2 ** 30,
  swapBytes: 0,
  disks: [
    {
      name: 'nvme0n1',
      model: 'nvme_card-pd',
      sizeBytes: 100 * 2 ** 30,
      rotational: false,
      scheduler: 'none',
    },
  ],
  cgroup: { mode: 'v2', controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'], psi: true },
  thp: { enabled: 'madvise', defrag: 'madvise' },
  swappiness: 60,
  virtualization: 'kvm',
  node: 'v20.19.0',
  isobench: '0.1.0',
};

/** An encoded histogram of `count` latencies around `centerUs` with a long tail. */
export function exampleHistogram(centerUs: number, count: number, seed: number): string {
  const rng = createRng(seed);
  const h = hdr.build({ numberOfSignificantValueDigits: 3 });
  for (let i = 0; i < count; i++)
    h.recordValue(Math.max(1, Math.round(centerUs * Math.exp(0.5 * normal(rng)))));
  return hdr.encodeIntoCompressedBase64(h);
}

function container(name: 'web' | 'db', slow: number, seed: number): TrialContainer {
  const rng = createRng(seed);
  const jitter = () => 1 + 0.05 * normal(rng);
  const base: Omit<TrialContainer, 'metrics' | 'histograms' | 'ready' | 'final' | 'load' | 'workload'> = {
    name,
    limits: {
      requested: { 'cpu.weight': '100' },
      applied: { 'cpu.weight': { value: '100', file: 'cpu.weight', raw: '100' } },
    },
    cgroupPath: `/isobench.slice/isobench-ex-${name}`,
    exit: { exitCode: 0, signal: null, oomKilled: false },
    cgroup: {
      cpuUsageUs: Math.round(4_000_000 * jitter()),
      cpuThrottledUs: 0,
      memoryPeakBytes: 256 * 2 ** 20,
      oomKills: 0,
      ioReadBytes: name === 'db' ? 50 * 2 ** 20 : 0,
      ioWriteBytes: name === 'db' ? 200 * 2 ** 20 : 0,
      ioReadOps: name === 'db' ? 1200 : 0,
      ioWriteOps: name === 'db' ? 5100 : 0,
      pidsPeak: 4,
      psi: {
        cpu: { someTotalUs: Math.round(20_000 * slow * jitter()), fullTotalUs: 0 },
        memory: { someTotalUs: 0, fullTotalUs: 0 },
        io: { someTotalUs: name === 'db' ? Math.round(80_000 * slow) : 0, fullTotalUs: 0 },
      },
    },
  };
  if (name === 'web') {
    return {
      ...base,
      workload: 'web',
      ready: { ready: true, port: 40123 },
      final: { requests: 20_000, extra: { arenaBytes: 1 } },
      load: { sent: 20_000, late: 12, rateHz: 1000 },
      metrics: {
        latencyP50Us: Math.round(400 * slow * jitter()),
        latencyP99Us: Math.round(1000 * slow * jitter()),
        latencyP999Us: Math.round(2500 * slow * jitter()),
        throughputRps: Math.round(1000 / Math.sqrt(slow)),
        goodputFraction: Math.round(9990 / Math.sqrt(slow)) / 10_000,
        errorFraction: 0,
        timeoutFraction: 0,
        lateSendFraction: 12 / 20_000,
        uncorrectedP99Us: null,
      },
      histograms: { latencyUs: exampleHistogram(400 * slow, 2000, seed) },
    };
  }
  return {
    ...base,
    workload: 'db',
    ready: { ready: true },
    final: { txns: 9000, engine: 'sqlite' },
    load: null,
    metrics: {
      commitP50Us: Math.round(900 * slow * jitter()),
      commitP99Us: Math.round(3000 * slow * jitter()),
      txnPerSec: Math.round(300 / slow),
    },
    histograms: { commitLatencyUs: exampleHistogram(900 * slow, 1500, seed + 1) },
  };
}

/** Trials in run order; `c2-colocated-r2` failed (the db was OOM killed). */
export function exampleTrials(repetitions = 3): TrialRecord[] {
  const out: TrialRecord[] = [];
  for (let r = 1; r <= repetitions; r++) {
    for (const cell of EXAMPLE_CELLS) {
      for (const phase of EXAMPLE_PHASES) {
        const index = out.length;
        const slow = phase.kind === 'colocated' ? (cell.id === 'c1' ? 3 : 1.5) : 1;
        const base = {
          id: `${cell.id}-${phase.name}-r${r}`,
          index,
          repetition: r,
          cell,
          phase,
          startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index * 30)).toISOString(),
          durationMs: 20_000,
          foreignCpuUs: 15_000,
          containers: phase.containers.map((n) => container(n as 'web' | 'db', slow, index * 7 + 1)),
        };
        if (base.id === 'c2-colocated-r2') {
          out.push({
            ...base,
            status: 'failed',
            reason: 'db was OOM killed (memory.max 268435456)',
            failedContainer: 'db',
          });
        } else {
          out.push({ ...base, status: 'ok' });
        }
      }
    }
  }
  return out;
}

export function exampleResults(repetitions = 3): ResultsFile {
  const trials = exampleTrials(repetitions);
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: 'ex1',
    status: 'complete',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    command: ['isobench', 'run', 'scenarios/example.yaml'],
    host: EXAMPLE_HOST,
    scenario: {
      name: 'example',
      file: 'scenarios/example.yaml',
      text: 'name: example\n',
      overrides: [],
      seed: 42,
      repetitions,
      shard: null,
      totalTrials: trials.length,
      phases: EXAMPLE_PHASES,
    },
    cells: summarizeCells({
      cells: EXAMPLE_CELLS,
      phases: EXAMPLE_PHASES,
      trials,
    }),
    trials,
    variant: null,
    sequential: null,
  };
}

/**
 * A realistic `doctor` record (isobench run --doctor on a hybrid host): passes, the v1
 * writeback limitation, a check that does not apply and, with `failing`, a failed rate check
 * that was run twice. Not part of exampleResults(): add it where a test needs one.
 */
export function exampleDoctor(opts: { failing?: boolean } = {}): DoctorRecord {
  const check = (c: Partial<DoctorCheck> & Pick<DoctorCheck, 'name' | 'status'>): DoctorCheck => ({
    title: c.name,
    expected: 'the known answer',
    measured: null,
    tolerance: null,
    reason: 'as expected',
    attempts: 1,
    firstAttempt: null,
    figures: {},
    durationMs: 1000,
    ...c,
  });
  const checks = [
    check({ name: 'namespaces', status: 'pass', measured: '6 of 6 new' }),
    check({ name: 'memory-max', status: 'pass', measured: 'hog OOM-killed (oom_kill 1)' }),
    check({
      name: 'memory-high',
      status: 'not-applicable',
      reason: 'cgroup hybrid: memory.high exists only on cgroup v2',
    }),
    check({
      name: 'cpu-max',
      status: opts.failing ? 'fail' : 'pass',
      measured: opts.failing ? '0.442 CPU' : '0.501 CPU',
      tolerance: '±0.03 CPU',
      ...(opts.failing
        ? { attempts: 2, firstAttempt: '0.431 CPU (too low)', reason: 'not as expected: 0.442 CPU' }
        : {}),
    }),
    check({
      name: 'io-writeback',
      status: 'not-applicable',
      measured: 'writer 846.7 MiB/s',
      reason: 'not enforced here: cgroup hybrid blkio ...',
    }),
  ];
  const count = (s: DoctorCheck['status']) => checks.filter((c) => c.status === s).length;
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 11_000,
    set: 'quick',
    host: { kernel: '6.18.0', cgroupMode: 'hybrid', cpus: 2 },
    io: { path: '/var/tmp', device: 'vda (254:0)', scheduler: 'mq-deadline', missing: null },
    checks,
    summary: { pass: count('pass'), fail: count('fail'), notApplicable: count('not-applicable') },
  };
}
