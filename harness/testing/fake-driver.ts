/**
 * A cgroup driver and a container launcher that need no root, for unit tests of the trial: cgroups
 * are records in memory (what was created, applied, removed), a container is a plain child
 * process running a script chosen per container name, and an OOM kill is a SIGKILL that the
 * driver then reports in `oomKills`. The real driver and init are tested by the kernel tests.
 */
import { spawn } from 'node:child_process';
import type {
  AppliedLimits,
  CgroupDriver,
  CgroupEvents,
  CgroupHandle,
  CgroupStats,
} from '../cgroup/driver.js';
import { type Container, type ExitInfo, exitInfo, type Launcher } from '../container/spawn.js';

const NO_STATS: CgroupStats = {
  cpuUsageUs: 0,
  cpuThrottledUs: 0,
  cpuNrPeriods: 0,
  cpuNrThrottled: 0,
  memoryCurrentBytes: 0,
  memoryPeakBytes: 0,
  ooms: 0,
  oomKills: 0,
  ioReadBytes: 0,
  ioWriteBytes: 0,
  ioReadOps: 0,
  ioWriteOps: 0,
  pidsCurrent: 0,
  pidsPeak: 0,
  psi: null,
};

export class FakeDriver implements CgroupDriver {
  readonly mode = 'v2' as const;
  readonly created: string[] = [];
  readonly removed: string[] = [];
  /** Container name -> OOM kills the "kernel" has counted. */
  readonly oomKills = new Map<string, number>();
  /** Container name -> the live process, for killAll. */
  readonly live = new Map<string, Container>();

  check(): void {}
  async create(name: string): Promise<CgroupHandle> {
    this.created.push(name);
    return { name, id: `isobench-fake-${name}`, dirs: {}, path: `/fake/${name}` };
  }
  async apply(): Promise<AppliedLimits> {
    return {};
  }
  async readLimits(): Promise<AppliedLimits> {
    return {};
  }
  plannedWrites(): { file: string; value: string }[] {
    return [];
  }
  async runtimeLeaf(h: CgroupHandle): Promise<{ container: CgroupHandle; leaf: CgroupHandle }> {
    return { container: h, leaf: h };
  }
  procsFiles(): string[] {
    return [];
  }
  async attach(): Promise<void> {}
  async readStats(h: CgroupHandle): Promise<CgroupStats> {
    return { ...NO_STATS, oomKills: this.oomKills.get(h.name) ?? 0 };
  }
  async readEvents(h: CgroupHandle): Promise<CgroupEvents> {
    return { memoryHigh: null, memoryMax: null, oomKills: this.oomKills.get(h.name) ?? 0, pidsMax: null };
  }
  async pids(): Promise<number[]> {
    return [];
  }
  async killAll(h: CgroupHandle): Promise<'cgroup.kill'> {
    this.live.get(h.name)?.signal('SIGKILL');
    await this.live.get(h.name)?.exited;
    return 'cgroup.kill';
  }
  async remove(h: CgroupHandle): Promise<void> {
    await this.killAll(h);
    this.removed.push(h.name);
  }
  async close(): Promise<void> {}

  /** The "kernel" OOM-kills the container: SIGKILL, counted in its stats. */
  oomKill(name: string): void {
    this.oomKills.set(name, (this.oomKills.get(name) ?? 0) + 1);
    this.live.get(name)?.signal('SIGKILL');
  }
}

/** Runs `node -e SCRIPTS[name]` instead of the container's command. */
export function fakeLauncher(driver: FakeDriver, scripts: Record<string, string>): Launcher {
  return (_d, handle) => {
    const script = scripts[handle.name];
    if (script === undefined) throw new Error(`fakeLauncher: no script for ${handle.name}`);
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<ExitInfo>((resolve) => child.once('exit', (c, s) => resolve(exitInfo(c, s))));
    const container: Container = {
      handle,
      child,
      pid: child.pid ?? -1,
      exited,
      ids: null,
      signal: (sig) => void child.kill(sig),
      async stop(graceMs = 5000) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const e = await exited;
        clearTimeout(t);
        return e;
      },
    };
    driver.live.set(handle.name, container);
    return container;
  };
}

/** A protocol-speaking workload: ready at once, a metrics line on SIGTERM. */
export const READY_THEN_WAIT = `
process.stdout.write(JSON.stringify({ type: 'ready', workload: 'fake', pid: process.pid }) + '\\n');
process.on('SIGUSR2', () => {});
process.on('SIGTERM', () => {
  process.stdout.write(JSON.stringify({ type: 'metrics', workload: 'fake', pid: process.pid }) + '\\n');
  process.exit(0);
});
setInterval(() => {}, 1000);
`;
