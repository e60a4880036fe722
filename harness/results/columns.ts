/**
 * Fixed column lists of the CSV files and the flattened names of cgroup figures. Fixed, not
 * derived from the data, so that a samples.csv of one run lines up with any other run's in a
 * spreadsheet or a pandas concat, whichever figures a host could measure (missing = empty cell).
 */
import { HIGHER_IS_WORSE, type MetricName, type PhaseSummary, type SampleRow } from './types.js';

/** Every TrialMetrics name, in the contract's order. */
export const METRIC_NAMES = Object.keys(HIGHER_IS_WORSE) as MetricName[];

/** Keys of PhaseSummary.cgroup: the CgroupWindow figures with psi flattened. */
export type CgroupFigure = keyof PhaseSummary['cgroup'];

export const CGROUP_FIGURES = [
  'cpuUsageUs',
  'cpuThrottledUs',
  'memoryPeakBytes',
  'oomKills',
  'ioReadBytes',
  'ioWriteBytes',
  'ioReadOps',
  'ioWriteOps',
  'pidsPeak',
  'psiCpuSomeUs',
  'psiCpuFullUs',
  'psiMemorySomeUs',
  'psiMemoryFullUs',
  'psiIoSomeUs',
  'psiIoFullUs',
] as const satisfies readonly CgroupFigure[];

/** Which row a sample is: the trial, cell, phase, container (or `host`) and time. */
export const SAMPLE_KEY_COLUMNS = ['trial', 'cell', 'phase', 'container', 'tMs'] as const;

/** Cumulative cgroup counters and gauges as read at tMs (CgroupStats, psi flattened). */
export const SAMPLE_CGROUP_COLUMNS = [
  'cpuUsageUs',
  'cpuThrottledUs',
  'cpuNrThrottled',
  'memoryCurrentBytes',
  'memoryPeakBytes',
  'ooms',
  'oomKills',
  'ioReadBytes',
  'ioWriteBytes',
  'ioReadOps',
  'ioWriteOps',
  'pidsCurrent',
  'pidsPeak',
  'psiCpuSomeUs',
  'psiCpuFullUs',
  'psiMemorySomeUs',
  'psiMemoryFullUs',
  'psiIoSomeUs',
  'psiIoFullUs',
] as const;

/**
 * Host-wide figures, filled on `container = host` rows only (harness/run/host-sample.ts):
 * busy CPU time from /proc/stat, then cumulative /proc/vmstat counters under their kernel
 * names. Reclaim and major faults show memory interference that no single cgroup's counters
 * show. Host rows also fill the psi* columns, from /proc/pressure.
 */
/** The /proc/vmstat counters sampled on the host (the runner reads these, the CSV writes them). */
export const VMSTAT_KEYS = [
  'pgmajfault',
  'pgfault',
  'pgscan_kswapd',
  'pgscan_direct',
  'pgsteal_kswapd',
  'pgsteal_direct',
  'allocstall_normal',
  'allocstall_movable',
  'workingset_refault_file',
  'pswpin',
  'pswpout',
] as const;

export const SAMPLE_HOST_COLUMNS = ['hostBusyUs', ...VMSTAT_KEYS] as const;

export const SAMPLE_COLUMNS = [
  ...SAMPLE_KEY_COLUMNS,
  ...SAMPLE_CGROUP_COLUMNS,
  ...SAMPLE_HOST_COLUMNS,
] as const;

const PSI_COLUMNS = {
  psiCpuSomeUs: ['cpu', 'someTotalUs'],
  psiCpuFullUs: ['cpu', 'fullTotalUs'],
  psiMemorySomeUs: ['memory', 'someTotalUs'],
  psiMemoryFullUs: ['memory', 'fullTotalUs'],
  psiIoSomeUs: ['io', 'someTotalUs'],
  psiIoFullUs: ['io', 'fullTotalUs'],
} as const;

function finiteOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A stats value by column name: flattened psi is looked up in `stats.psi`, or taken as given. */
export function statValue(stats: SampleRow['stats'], column: string): number | null {
  if (column in stats) return finiteOrNull(stats[column]);
  const path = PSI_COLUMNS[column as keyof typeof PSI_COLUMNS];
  if (!path) return null;
  const psi = stats.psi?.[path[0]];
  return psi ? finiteOrNull(psi[path[1]]) : null;
}

/** One samples.csv record in SAMPLE_COLUMNS order; null becomes an empty cell. */
export function sampleRecord(row: SampleRow): (string | number | null)[] {
  return [
    row.trial,
    row.cell,
    row.phase,
    row.container,
    row.tMs,
    ...SAMPLE_CGROUP_COLUMNS.map((c) => statValue(row.stats, c)),
    ...SAMPLE_HOST_COLUMNS.map((c) => statValue(row.stats, c)),
  ];
}
