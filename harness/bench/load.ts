/**
 * The load generator against wrk: `npm run bench:load` (workloads/bench/load-bench.ts) run as it
 * is, in a child process, its final JSON line parsed. Its measurement logic stays its own; this
 * only turns its figures into two rows: the throughput ceiling against wrk -c16's, and the
 * corrected p50 at half the ceiling against wrk -c1's round trip (the floor any client sees) and,
 * where it is installed, wrk2's corrected latency at the same rate (an open-loop peer).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchContext, Benchmark, BenchResult, PeerResult } from './types.js';

const DESCRIPTION = 'load generator vs wrk (npm run bench:load)';

/** The fields of load-bench's JSON line this benchmark reads. */
export interface LoadBenchFigures {
  throughputCeilingHz: number;
  onScheduleCeilingHz: number;
  wrkMaxHz: number;
  steps: unknown[];
  halfRateHz: number;
  correctedUs: { p50: number; p99: number };
  uncorrectedUs: { p50: number; p99: number };
  wrkFloorUs: { p50: number; p99: number };
  cpuAt1000: { ownCores: number; ownUsPerRequest: number };
  /**
   * Steps that kept up but sent more than 1% late, with the timer floor beside them and the steal
   * (absent before the floor existed).
   */
  lateSteps?: { rateHz: number; latePct: number; floorLatePct: number; stealMsPerS: number }[];
  /** wrk2 at half the ceiling, same connections; null (or absent, before it) without wrk2. */
  wrk2Us?: { p50: number; p99: number; hz: number } | null;
}

function loadBenchScript(): string {
  return fileURLToPath(new URL('../../workloads/bench/load-bench.js', import.meta.url));
}

/** Runs load-bench.js to its end; its progress goes to our stderr, its last stdout line is the JSON. */
export function runLoadBench(log: (line: string) => void): Promise<LoadBenchFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadBenchScript()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      for (const l of d.split('\n')) if (l.trim()) log(`  load-bench: ${l}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as LoadBenchFigures);
      } catch (err) {
        reject(
          new Error(
            `bench:load (${loadBenchScript()}) gave no figures: ${(err as Error).message}; its output ended ${JSON.stringify(last.slice(-200))}`,
          ),
        );
      }
    });
  });
}

const WRK2 = 'wrk2 -t1 -c16 -R (same rate)';

/** wrk2's row at half the ceiling, or why it was not run. */
function wrk2Peer(f: LoadBenchFigures): PeerResult {
  if (!f.wrk2Us)
    return {
      status: 'not-applicable',
      name: WRK2,
      reason:
        'wrk2 is not installed (not a Debian package: build github.com/giltene/wrk2, put it on PATH as wrk2 or name it in ISOBENCH_WRK2)',
    };
  return {
    status: 'ok',
    name: WRK2,
    unit: 'ms',
    median: f.wrk2Us.p50 / 1000,
    p99: f.wrk2Us.p99 / 1000,
    samples: 1,
    mad: null,
  };
}

/** The steps more than 1% late, each beside its timer floor (the host's own lateness) and steal. */
export function lateStepsNote(steps: NonNullable<LoadBenchFigures['lateSteps']>): string {
  if (steps.length === 0) return 'no step that kept up sent more than 1% late';
  const own = steps.filter((s) => s.floorLatePct <= 1).length;
  const each = steps.map(
    (s) =>
      `${s.rateHz}/s ${s.latePct.toFixed(2)}% (timer floor ${s.floorLatePct.toFixed(2)}%, steal ${s.stealMsPerS.toFixed(1)} ms/s)`,
  );
  return `steps more than 1% late: ${each.join('; ')}; ${own} of ${steps.length} with the timer floor within 1%`;
}

export function loadRows(f: LoadBenchFigures): BenchResult[] {
  const ceilingRatio = f.throughputCeilingHz / f.wrkMaxHz;
  const p50Ratio = f.correctedUs.p50 / f.wrkFloorUs.p50;
  const wrk2: Record<string, number> = f.wrk2Us ? { [WRK2]: f.correctedUs.p50 / f.wrk2Us.p50 } : {};
  const figures = {
    throughputCeilingHz: f.throughputCeilingHz,
    onScheduleCeilingHz: f.onScheduleCeilingHz,
    wrkMaxHz: f.wrkMaxHz,
    halfRateHz: f.halfRateHz,
    correctedP50Us: f.correctedUs.p50,
    correctedP99Us: f.correctedUs.p99,
    uncorrectedP50Us: f.uncorrectedUs.p50,
    uncorrectedP99Us: f.uncorrectedUs.p99,
    wrkFloorP50Us: f.wrkFloorUs.p50,
    wrkFloorP99Us: f.wrkFloorUs.p99,
    generatorCoresAt1000Hz: f.cpuAt1000.ownCores,
    ...(f.wrk2Us ? { wrk2P50Us: f.wrk2Us.p50, wrk2P99Us: f.wrk2Us.p99 } : {}),
  };
  return [
    {
      status: 'ok',
      name: 'load-ceiling',
      description: 'load generator throughput ceiling (req/s)',
      ours: {
        name: 'isobench load',
        unit: 'req/s',
        median: f.throughputCeilingHz,
        p99: null,
        samples: f.steps.length,
        mad: null,
      },
      peers: [
        {
          status: 'ok',
          name: 'wrk -t1 -c16',
          unit: 'req/s',
          median: f.wrkMaxHz,
          p99: null,
          samples: 1,
          mad: null,
        },
      ],
      ratios: { 'wrk -t1 -c16': ceilingRatio },
      goals: [{ text: ">= 0.9x wrk's ceiling", pass: ceilingRatio >= 0.9, peer: 'wrk -t1 -c16' }],
      figures,
      notes: [
        `on-schedule ceiling (<= 1% of sends > 1 ms late) ${f.onScheduleCeilingHz.toFixed(0)}/s = ${(f.onScheduleCeilingHz / f.wrkMaxHz).toFixed(2)}x wrk; generator at 1000/s: ${f.cpuAt1000.ownCores.toFixed(3)} cores`,
        ...(f.lateSteps ? [lateStepsNote(f.lateSteps)] : []),
      ],
    },
    {
      status: 'ok',
      name: 'load-latency',
      description: `load generator corrected p50 at half the ceiling (${f.halfRateHz}/s)`,
      ours: {
        name: 'isobench load',
        unit: 'ms',
        median: f.correctedUs.p50 / 1000,
        p99: f.correctedUs.p99 / 1000,
        samples: 1,
        mad: null,
      },
      peers: [
        {
          status: 'ok',
          name: 'wrk -t1 -c1',
          unit: 'ms',
          median: f.wrkFloorUs.p50 / 1000,
          p99: f.wrkFloorUs.p99 / 1000,
          samples: 1,
          mad: null,
        },
        wrk2Peer(f),
      ],
      ratios: { 'wrk -t1 -c1': p50Ratio, ...wrk2 },
      goals: [],
      figures,
      notes: [
        "p99 columns: the p99 of one run's requests (bench:load reports percentiles, not repeated runs)",
      ],
    },
  ];
}

export const loadBench: Benchmark = {
  name: 'load',
  description: DESCRIPTION,
  run: async (ctx: BenchContext) => loadRows(await runLoadBench(ctx.log)),
};
