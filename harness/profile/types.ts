/**
 * profile.json and prediction.json: what `isobench profile` measures of one container (its
 * slowdown next to each antagonist dialled over intensities, and its own pressure footprint) and
 * what `isobench predict` derives from two profiles. Versioned by `profileSchemaVersion`; the JSON
 * Schema is `profile.schema.json` beside this file. Units are in the names; a figure that could not
 * be measured is null, never 0.
 */
import type { Estimate, MetricName } from '../results/types.js';

export const PROFILE_SCHEMA_VERSION = 1;

/** The shipped antagonists, one per resource they press on. */
export const RESOURCES = ['cpu', 'memory', 'io', 'fork'] as const;
export type Resource = (typeof RESOURCES)[number];

/**
 * A workload's pressure over a measured window, as cgroup counters show it (medians over trials):
 * rates per second of the window, peaks as peaks, PSI `some` as the share of the window stalled.
 */
export interface Footprint {
  /** Trials the medians are taken over. */
  trials: number;
  /** CPU time per second of window: cores kept busy. */
  cpuCores: number | null;
  /** Memory peak (capacity held; the memory antagonist's dial scales the bytes it holds). */
  memoryPeakBytes: number | null;
  /** Bytes read + written to block devices per second. */
  ioBytesPerSec: number | null;
  ioOpsPerSec: number | null;
  /** Most tasks (processes and threads) at once: the fork antagonist's proxy; cgroups count no forks. */
  pidsPeak: number | null;
  /** PSI `some` of the container's own cgroup: share of the window at least one task stalled. */
  psiCpuSome: number | null;
  psiMemorySome: number | null;
  psiIoSome: number | null;
}
export type FootprintField = Exclude<keyof Footprint, 'trials'>;

/** Which footprint figure places a workload on each antagonist's intensity scale. */
export const SCALE_FIGURE: Record<Resource, FootprintField> = {
  cpu: 'cpuCores',
  memory: 'memoryPeakBytes',
  io: 'ioBytesPerSec',
  fork: 'pidsPeak',
};

export interface IntensityPoint {
  /** The intensity requested (percent). */
  intensity: number;
  /**
   * The intensity the antagonist reported it ran at (its ready line: `intensity`, or for fork
   * `rateHz` over `--rate`), median over trials; null when it reported none.
   */
  receivedIntensity: number | null;
  /** The antagonist alone at this intensity: its footprint. */
  footprint: Footprint;
  /** The profiled container next to it: colocated / solo within each repetition block. */
  slowdown: Partial<Record<MetricName, Estimate>>;
}

export interface AntagonistCurve {
  resource: Resource;
  /** Container name in the derived scenario (`ant-cpu`). */
  container: string;
  workload: string;
  params: Record<string, string | number | boolean>;
  limits: Record<string, string | number>;
  /** The footprint figure this antagonist's scale is read on (SCALE_FIGURE). */
  scaleFigure: FootprintField;
  /** Ascending by intensity. */
  points: IntensityPoint[];
}

export interface ProfileFile {
  profileSchemaVersion: typeof PROFILE_SCHEMA_VERSION;
  kind: 'profile';
  createdAt: string;
  command: string[];
  host: { hostname: string; kernel: string; cpus: number };
  scenario: { file: string; name: string };
  /**
   * The container profiled; `definition` is its scenario entry as written (params, load, limits),
   * so that `predict --validate` can tell when the pair scenario defines it differently.
   */
  container: { name: string; workload: string; definition?: Record<string, unknown> };
  /** The run the profile was read from (relative to profile.json) and its design. */
  run: {
    dir: string;
    durationMs: number;
    warmupMs: number;
    repetitions: number;
    trials: number;
    failedTrials: number;
  };
  intensities: number[];
  /** Metrics of the container with a slowdown at some point, and the one predictions use by default. */
  metrics: MetricName[];
  primaryMetric: MetricName | null;
  /** The container solo, under its own load: its footprint as an aggressor. */
  footprint: Footprint;
  antagonists: AntagonistCurve[];
}

export interface Interval {
  median: number;
  low: number | null;
  high: number | null;
}

/** One resource's share of a prediction: the aggressor's footprint read on that antagonist's scale. */
export interface PredictionTerm {
  resource: Resource;
  scaleFigure: FootprintField;
  /**
   * The figure read on the scale; for cpu, the aggressor's CPU less `alreadyCounted`: what the other
   * terms' antagonists use at their equivalent intensities (their curves carry it already).
   */
  aggressorFootprint: number | null;
  alreadyCounted: number | null;
  /** Equivalent antagonist intensity (null: the aggressor's footprint or the curve is missing). */
  intensity: number | null;
  /** 'above': the aggressor presses harder than the antagonist at its highest intensity (clamped). */
  clamped: 'above' | null;
  slowdown: Interval | null;
}

export interface Prediction {
  victim: string;
  aggressor: string;
  metric: MetricName;
  /** How terms combine (see predict.ts). */
  rule: 'product';
  terms: PredictionTerm[];
  /** The product of the terms; its bounds multiply the terms' bounds (not a 95% interval). */
  predicted: Interval | null;
  /** The single worst term, for comparison with the product. */
  worstTerm: Interval | null;
  note: string | null;
}

export interface ValidationRow {
  victim: string;
  aggressor: string;
  metric: MetricName;
  predicted: number | null;
  /** The single worst term's slowdown (the alternative to the product rule). */
  worstTerm: number | null;
  measured: Estimate | null;
  /** predicted / measured - 1. */
  error: number | null;
  /** |error| <= 10%. */
  within10: boolean | null;
  /** The measured interval contains the prediction. */
  inInterval: boolean | null;
}

export interface PredictionFile {
  profileSchemaVersion: typeof PROFILE_SCHEMA_VERSION;
  kind: 'prediction';
  createdAt: string;
  command: string[];
  profiles: [string, string];
  predictions: Prediction[];
  validation: { scenario: string; dir: string; repetitions: number; rows: ValidationRow[] } | null;
}
