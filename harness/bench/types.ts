/**
 * The records of isobench's own benchmark suite (`isobench bench`, issue 15): every cost of the
 * harness against a peer measured in the same run, with the goals judged next to the ratios.
 */
import type { HostFingerprint } from '../results/types.js';

/** What a figure counts; `ms` and `% of a core` are better lower, `req/s` higher. */
export type BenchUnit = 'ms' | '% of a core' | 'req/s';

/** One measured task: the median and p99 of its samples (tinybench's, or repeated windows). */
export interface Measurement {
  name: string;
  unit: BenchUnit;
  median: number;
  /** null for a figure that is one number (a ceiling), not a distribution. */
  p99: number | null;
  samples: number;
  /**
   * The samples' median absolute deviation (unscaled, in `unit`): how much one sample strays, what
   * `--baseline` weighs a change against. null for one number; absent in files written before it.
   */
  mad?: number | null;
}

/** A peer is measured in the same run, or says why it cannot be (missing, refuses this host). */
export type PeerResult =
  | ({ status: 'ok' } & Measurement)
  | { status: 'not-applicable'; name: string; reason: string };

/** A goal of issue 15; `pass: null` when the figure it needs is missing (a peer not applicable). */
export interface Goal {
  text: string;
  pass: boolean | null;
  /** The peer whose ratio it judges: the table shows it on that peer's line. */
  peer?: string;
}

export type BenchResult =
  | {
      status: 'ok';
      name: string;
      description: string;
      ours: Measurement;
      peers: PeerResult[];
      /** ours.median / peer.median for every applicable peer, keyed by the peer's name. */
      ratios: Record<string, number>;
      goals: Goal[];
      /** Other figures of the same measurement, by name with their unit (`htmlBytes`, `correctedP99Us`). */
      figures: Record<string, number>;
      /** Figures beside the table (sizes, late sends, host load) that a reader needs to judge it. */
      notes: string[];
      /**
       * The hypervisor's steal while this benchmark ran, in cores (CPU time its host gave to
       * something else, per second); null where /proc/stat has none; absent in older files.
       */
      stealCores?: number | null;
    }
  | { status: 'not-applicable' | 'failed'; name: string; description: string; reason: string };

export interface BenchFile {
  schema: 'isobench-bench/1';
  createdAt: string;
  host: HostFingerprint;
  /** 1-minute load average at the start and the end: the host is shared, figures are noisy. */
  loadAverage: { start: number; end: number };
  options: { iterations: number; only: string[] };
  benchmarks: BenchResult[];
}

export interface BenchContext {
  /** Samples per task (tinybench iterations, or repeated windows for whole-run figures). */
  iterations: number;
  /** A directory of this run's own, removed at the end. */
  tmpDir: string;
  /** Progress lines (stderr). */
  log(line: string): void;
}

export interface Benchmark {
  name: string;
  description: string;
  /** One row, or several from one measurement (the load generator: ceiling and latency). */
  run(ctx: BenchContext): Promise<BenchResult | BenchResult[]>;
}
