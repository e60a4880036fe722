/**
 * The load generators' cgroup (`isobench-<run>--loadgen`): outside every container's limits,
 * measured like one, on the reserved CPUs when the run has them, and otherwise at the highest CPU
 * weight. For a run, it holds the run's resident generators (load.ts, GeneratorPool) from the
 * first trial with a served workload to the end of the run; a trial run on its own (tests)
 * creates one of its own and removes it at its teardown.
 */
import type { CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import type { Limits } from '../limits.js';
import { GeneratorPool } from './load.js';

/**
 * The generators' cgroup's CPU weight when they share CPUs with the containers: the highest, so a
 * generator woken at a due instant waits less for a CPU a container holds (a thread's nice only
 * orders the threads of its own cgroup). It changes when the generator runs, not how much: its
 * CPU is bounded by its schedule, and measured.
 */
const LOADGEN_WEIGHT = { 'cpu.weight': 10_000 } as const;

/** Whether the driver can apply `limits` here (a host without the cpu controller cannot weigh). */
function supports(driver: CgroupDriver, limits: Limits): boolean {
  try {
    driver.check(limits, null);
    return true;
  } catch {
    return false;
  }
}

export interface LoadgenCgroup {
  handle: CgroupHandle;
  /** The CPU weight read back, or null (reserved CPUs, or no cpu controller). */
  cpuWeight: number | null;
}

/** Creates the generators' cgroup: pinned to `harnessCpus`, or weighted. */
export async function createLoadgenCgroup(
  driver: CgroupDriver,
  harnessCpus: string | null | undefined,
): Promise<LoadgenCgroup> {
  const handle = await driver.create('-loadgen');
  try {
    if (harnessCpus) {
      await driver.apply(handle, { 'cpuset.cpus': harnessCpus }, null);
      return { handle, cpuWeight: null };
    }
    if (!supports(driver, LOADGEN_WEIGHT)) return { handle, cpuWeight: null };
    const applied = await driver.apply(handle, LOADGEN_WEIGHT, null);
    const weight = Number(applied['cpu.weight']?.value);
    return { handle, cpuWeight: Number.isFinite(weight) ? weight : null };
  } catch (err) {
    // Not handed to anyone yet: removed here, not left to the run's end.
    await driver.remove(handle).catch(() => {});
    throw err;
  }
}

/** A run's generators: their cgroup (made on first use) and the resident generators in it. */
export class RunGenerators {
  private made: Promise<LoadgenCgroup> | null = null;
  readonly pool: GeneratorPool;

  constructor(
    private readonly driver: CgroupDriver,
    private readonly harnessCpus: string | null,
  ) {
    this.pool = new GeneratorPool(async () => driver.procsFiles((await this.cgroup()).handle));
  }

  cgroup(): Promise<LoadgenCgroup> {
    if (!this.made) {
      const made = createLoadgenCgroup(this.driver, this.harnessCpus);
      // A failure fails this trial only: the next one tries again.
      made.catch(() => {
        if (this.made === made) this.made = null;
      });
      this.made = made;
    }
    return this.made;
  }

  /** Ends the resident generators, then removes the cgroup (and whatever is left in it). */
  async close(graceMs?: number): Promise<void> {
    await this.pool.close(graceMs);
    const made = await this.made?.catch(() => null);
    this.made = null;
    this.pool.dirty = false;
    if (made) await this.driver.remove(made.handle).catch(() => {});
  }

  /**
   * After a trial whose load was killed mid-job: every generator and sender gone with the cgroup,
   * so that nothing of it runs into the next trial; the next one makes them afresh.
   */
  async resetIfDirty(): Promise<void> {
    if (this.pool.dirty) await this.close(0);
  }
}
