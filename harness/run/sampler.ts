/**
 * Samples every container's cgroup statistics and the host's pressure and vmstat at the scenario's
 * interval while a trial runs. The rows go to samples.csv; the runner takes its own snapshots at
 * the edges of the measured window for the trial's figures, so a late tick never skews them.
 */
import type { CgroupDriver, CgroupHandle, CgroupStats } from '../cgroup/driver.js';
import type { SAMPLE_CGROUP_COLUMNS } from '../results/columns.js';
import type { SampleRow } from '../results/types.js';

type SampleCgroupColumn = (typeof SAMPLE_CGROUP_COLUMNS)[number];

import { sampleHost } from './host-sample.js';

/**
 * One value per cgroup column of samples.csv. Typed against the column list, so a column the
 * sampler does not fill is a compile error rather than a silently empty CSV column.
 */
export function flattenStats(s: CgroupStats): Record<SampleCgroupColumn, number | null> {
  const { psi, ...plain } = s;
  return {
    ...plain,
    psiCpuSomeUs: psi?.cpu?.someTotalUs ?? null,
    psiCpuFullUs: psi?.cpu?.fullTotalUs ?? null,
    psiMemorySomeUs: psi?.memory?.someTotalUs ?? null,
    psiMemoryFullUs: psi?.memory?.fullTotalUs ?? null,
    psiIoSomeUs: psi?.io?.someTotalUs ?? null,
    psiIoFullUs: psi?.io?.fullTotalUs ?? null,
  };
}

export class Sampler {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  readonly rows: SampleRow[] = [];
  /** performance.now() when the measured window began (set by the runner when warmup ends). */
  measureStart = Number.NaN;

  constructor(
    private readonly driver: CgroupDriver,
    private readonly handles: CgroupHandle[],
    private readonly labels: { trial: string; cell: string; phase: string },
    private readonly intervalMs: number,
    private readonly startedAt = performance.now(),
  ) {}

  async tick(): Promise<void> {
    if (this.busy) return; // a slow read (loaded machine) skips a tick rather than piling up
    this.busy = true;
    try {
      const tMs = Math.round(performance.now() - this.startedAt);
      const [stats, host] = await Promise.all([
        Promise.all(this.handles.map((h) => this.driver.readStats(h).catch(() => null))),
        sampleHost(),
      ]);
      this.handles.forEach((h, i) => {
        const s = stats[i];
        if (s) this.rows.push({ ...this.labels, container: h.name, tMs, stats: flattenStats(s) });
      });
      const { vmstat, busyUs, ...psi } = host;
      this.rows.push({
        ...this.labels,
        container: 'host',
        tMs,
        stats: { hostBusyUs: busyUs, ...psi, ...vmstat },
      });
    } finally {
      this.busy = false;
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The rows with tMs counted from the start of the measured window (warmup rows negative). */
  rowsFromWindowStart(): SampleRow[] {
    const offset = Number.isNaN(this.measureStart) ? 0 : Math.round(this.measureStart - this.startedAt);
    return this.rows.map((r) => ({ ...r, tMs: r.tMs - offset }));
  }
}
