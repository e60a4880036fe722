/** What every doctor experiment gets and returns. */
import type { CgroupMode } from '../cgroup/detect.js';
import type { BlockDevice } from '../cgroup/device.js';
import type { DoctorCheck } from '../results/doctor.js';

/** An experiment's conclusion: the check record without what the runner adds (name, timing, attempts). */
export type Verdict = Pick<
  DoctorCheck,
  'status' | 'expected' | 'measured' | 'tolerance' | 'reason' | 'figures'
>;

/** The disk the io checks use: a directory on it (where their files go) and the device io limits go to. */
export interface IoTarget {
  dir: string;
  device: BlockDevice;
  /** The device's active scheduler (`mq-deadline`, `bfq` ...), null when sysfs does not say. */
  scheduler: string | null;
}

export interface ExperimentContext {
  /** Shorter windows (isobench doctor --quick, isobench run --doctor). */
  quick: boolean;
  mode: CgroupMode;
  /** The io target, or null with `ioMissing` saying why (no block device behind the path). */
  io: IoTarget | null;
  ioMissing: string | null;
  /** The CPU the CPU-split experiment pins its hogs to. */
  pinCpu: number;
  cgroupParent?: string;
  /** Aborted on SIGINT/SIGTERM: experiments stop waiting and tear down. */
  signal: AbortSignal;
}

export type ExperimentRun = (ctx: ExperimentContext) => Promise<Verdict>;

export interface CheckEntry {
  /** What `--only` takes, and the key of the check in results and compare. */
  name: string;
  title: string;
  /** Part of the quick set (`--quick`, `isobench run --doctor`). */
  quick: boolean;
  /**
   * A rate or share measured on a host shared with other work: a failure is run once more, and
   * the output says so (with what the first attempt saw). The tolerance is never widened.
   */
  retry: boolean;
  /** Loads the experiment's module only when it runs. */
  load: () => Promise<ExperimentRun>;
}
