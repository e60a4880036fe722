/**
 * cgroup v2 driver (the unified hierarchy with controllers).
 *
 * Nesting: container cgroups are created directly below the parent (the cgroup isobench runs in,
 * or --cgroup-parent). The no-internal-process rule forbids enabling controllers in a cgroup that
 * has processes, so when the parent is not the root and holds isobench itself, isobench first moves
 * itself into a leaf `isobench-<run id>--supervisor` (systemd's CGROUP_DELEGATION.md "supervisor/"
 * pattern), then enables the controllers, and on close undoes both. It never moves a process it
 * did not start: other processes in the parent make it stop with an explanation.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { errnoOf, HostError, UsageError } from '../errors.js';
import { isDescendantOf, procStat, readOptional as readFileOr } from '../host/procfs.js';
import type { Limits } from '../limits.js';
import type { Registry } from '../teardown/registry.js';
import { dirOf, type Hierarchy } from './detect.js';
import type { BlockDevice } from './device.js';
import type { AppliedLimits, CgroupDriver, CgroupEvents, CgroupHandle, CgroupStats } from './driver.js';
import { childHandle, isCgroupName } from './driver.js';
import { readOptional, readText, rmdirRetry, writeValue } from './fsio.js';
import { keyed, num, parseIoStat, parsePressure } from './stats.js';
import { destroyDirs, type KillMethod, killAndWait, pidsIn } from './teardown.js';
import { checkIoWeightDevice, parseIoMaxLine, v2Files } from './v2-limits.js';

const WANTED = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
/** Rounds of moving isobench's processes out of the parent, and of enabling a controller on EBUSY. */
const EMPTY_ATTEMPTS = 5;

/** Which controller a limit needs. */
export function controllerOf(limit: string): string {
  return limit.split('.')[0] as string;
}

export class V2Driver implements CgroupDriver {
  readonly mode = 'v2' as const;
  private readonly parentPath: string;
  private readonly parentDir: string;
  /** The parent made ready for children: once per driver; retried after a failure. */
  private prepared: Promise<void> | null = null;

  constructor(
    private readonly unified: Hierarchy,
    private readonly registry: Registry,
    parentPath?: string,
  ) {
    this.parentPath = parentPath ?? unified.ownPath;
    this.parentDir = dirOf(unified, this.parentPath);
    if (!existsSync(this.parentDir)) {
      throw new HostError(
        'ISOBENCH_NO_PARENT',
        `cgroup parent ${this.parentPath} does not exist (${this.parentDir})`,
      );
    }
  }

  /** Controllers the parent can hand to its children. */
  private available(): string[] {
    const text = readFileSync(join(this.parentDir, 'cgroup.controllers'), 'utf8');
    return text.trim().split(/\s+/).filter(Boolean);
  }

  check(limits: Limits, device: BlockDevice | null): void {
    const avail = this.available();
    for (const key of Object.keys(limits)) {
      const ctrl = controllerOf(key);
      if (!avail.includes(ctrl) && process.geteuid?.() !== 0) {
        throw new HostError(
          'ISOBENCH_NOT_DELEGATED',
          `limit ${key} needs the ${ctrl} controller, which was not delegated to uid ${process.geteuid?.()} (cgroup ${this.parentPath} has "${avail.join(' ')}"): as root, or with ${ctrl} in the delegation (systemd delegates only "cpu memory pids" to a user's session by default; an administrator adds ${ctrl} with a drop-in for user@.service: Delegate=cpu cpuset io memory pids, see the README's "Without root")`,
        );
      }
      if (!avail.includes(ctrl)) {
        throw new HostError(
          'ISOBENCH_NO_CONTROLLER',
          `limit ${key} needs the ${ctrl} controller, which cgroup ${this.parentPath} does not have (cgroup.controllers: "${avail.join(' ')}"); run isobench in a cgroup delegated with that controller (systemd-run --scope -p Delegate=yes ...) or pass --cgroup-parent`,
        );
      }
    }
    if (limits['io.weight'] !== undefined && device) checkIoWeightDevice(device, this.unified.mountPoint);
  }

  /** Makes the parent able to give controllers to children (once per driver). */
  private prepareParent(): Promise<void> {
    // One promise for every caller: containers are created concurrently, and none may go on
    // before the controllers are enabled. A failure is not remembered: the next trial tries again.
    this.prepared ??= this.enableForChildren().catch((err: unknown) => {
      this.prepared = null;
      throw err;
    });
    return this.prepared;
  }

  private async enableForChildren(): Promise<void> {
    const stFile = join(this.parentDir, 'cgroup.subtree_control');
    const enabled = (await readText(stFile)).split(/\s+/).filter(Boolean);
    const missing = WANTED.filter((c) => this.available().includes(c) && !enabled.includes(c));
    if (missing.length === 0) return;
    // The root cgroup is exempt from the no-internal-process rule; elsewhere the parent must be empty.
    if (this.parentPath !== '/') await this.emptyParent();
    const done: string[] = [];
    for (const c of missing) {
      for (let attempt = 1; ; attempt++) {
        try {
          await writeValue(stFile, `+${c}`);
          done.push(c);
          break;
        } catch (err) {
          // EBUSY: a process of isobench's is in the parent again (forked while isobench moved
          // itself: seen once in the rootless VM test); move it and try again.
          const busy = errnoOf((err as Error).cause) === 'EBUSY' && this.parentPath !== '/';
          if (busy && attempt < EMPTY_ATTEMPTS) {
            await this.emptyParent();
            continue;
          }
          throw new HostError(
            'ISOBENCH_ENABLE_CONTROLLER',
            `cannot enable ${c} in ${stFile}: ${(err as Error).message}`,
          );
        }
      }
    }
    this.registry.recordEnabledControllers(stFile, done);
    this.registry.addUndo(`disable ${done.join(' ')} in ${stFile}`, async () => {
      // Best effort: another process of the user's may have started using them meanwhile.
      for (const c of done.reverse()) await writeValue(stFile, `-${c}`).catch(() => {});
    });
  }

  /**
   * Moves isobench's processes out of the parent until none is left: one that isobench forks
   * between reading cgroup.procs and moving itself is born in the parent, so it is read again.
   */
  private async emptyParent(): Promise<void> {
    for (let i = 0; i < EMPTY_ATTEMPTS; i++) {
      const procs = await pidsIn(this.parentDir);
      if (procs.length === 0) return;
      await this.moveSelfToSupervisor(procs);
    }
  }

  /** `procs`: the processes in the parent now; only isobench and its own children may be among them. */
  private async moveSelfToSupervisor(procs: number[]): Promise<void> {
    // A pid listed a moment ago may be gone since (a probe isobench started and reaped): only
    // processes still alive count, and one that exits meanwhile cannot be moved (ESRCH) nor matter.
    const foreign = procs.filter((p) => p !== process.pid && procStat(p) !== null && !isDescendantOfSelf(p));
    if (foreign.length > 0) {
      throw new HostError(
        'ISOBENCH_PARENT_BUSY',
        `cgroup ${this.parentPath} holds processes isobench did not start (${foreign.slice(0, 5).map(describeProcess).join(', ')}), so controllers cannot be enabled for children (cgroup v2 no-internal-process rule). Run isobench in a cgroup of its own, e.g. systemd-run --scope -p Delegate=yes isobench ..., or pass --cgroup-parent`,
      );
    }
    const id = `isobench-${this.registry.runId}--supervisor`;
    const dir = join(this.parentDir, id);
    if (!existsSync(dir)) this.createSupervisor(dir);
    for (const p of procs)
      await writeValue(join(dir, 'cgroup.procs'), String(p)).catch((err: unknown) => {
        if (procStat(p) !== null) throw err;
      });
  }

  private createSupervisor(dir: string): void {
    // Registered as a leaf to remove, never as a cgroup to kill: isobench itself lives in it.
    this.registry.addSupervisor(dir);
    mkdirSync(dir);
    this.registry.addUndo(`move isobench back to ${this.parentPath}`, async () => {
      for (const p of await pidsIn(dir))
        await writeValue(join(this.parentDir, 'cgroup.procs'), String(p)).catch(() => {});
      await rmdirRetry(dir);
      this.registry.dropSupervisor(dir);
    });
  }

  async create(name: string): Promise<CgroupHandle> {
    if (!isCgroupName(name))
      throw new UsageError(
        'ISOBENCH_BAD_NAME',
        `container name ${JSON.stringify(name)} must match [a-z0-9][a-z0-9_-]*`,
      );
    await this.prepareParent();
    const id = `isobench-${this.registry.runId}-${name}`;
    const dir = join(this.parentDir, id);
    this.registry.addCgroup({ id, dirs: [dir] });
    try {
      mkdirSync(dir);
    } catch (err) {
      this.registry.dropCgroup(id);
      throw new HostError('ISOBENCH_CREATE', `cannot create ${dir}: ${errnoOf(err) ?? String(err)}`);
    }
    return { name, id, dirs: { unified: dir }, path: posix.join(this.parentPath, id) };
  }

  async apply(h: CgroupHandle, limits: Limits, device: BlockDevice | null): Promise<AppliedLimits> {
    const dir = h.dirs.unified as string;
    for (const w of v2Files(limits, device)) {
      await writeValue(join(dir, w.file), w.value);
    }
    return this.readLimits(h, limits, device);
  }

  async readLimits(h: CgroupHandle, limits: Limits, device: BlockDevice | null): Promise<AppliedLimits> {
    const dir = h.dirs.unified as string;
    const applied: AppliedLimits = {};
    // Read every value back: what is reported as applied is what the kernel keeps.
    for (const w of v2Files(limits, device)) {
      const raw = await readText(join(dir, w.file));
      if (w.file === 'io.max') {
        const line = raw.split('\n').find((l) => l.startsWith(`${device?.majMin} `)) ?? '';
        const parsed = parseIoMaxLine(line);
        for (const k of w.keys)
          applied[k] = { value: parsed[k.slice('io.max.'.length)] ?? 'max', file: 'io.max', raw: line };
      } else if (w.file === 'io.weight' || w.file === 'io.bfq.weight') {
        const m = /^default (\d+)$/m.exec(raw);
        applied['io.weight'] = { value: m?.[1] ?? raw, file: w.file, raw };
      } else {
        for (const k of w.keys) applied[k] = { value: raw, file: w.file, raw };
      }
    }
    return applied;
  }

  plannedWrites(limits: Limits, device: BlockDevice | null): { file: string; value: string }[] {
    return v2Files(limits, device).map((w) => ({ file: w.file, value: w.value }));
  }

  async runtimeLeaf(h: CgroupHandle): Promise<{ container: CgroupHandle; leaf: CgroupHandle }> {
    const dir = h.dirs.unified as string;
    // The runtime creates its payload cgroup beside this leaf and writes its limits there, so the
    // controllers the parent gives h must reach h's children (h holds no process itself).
    const avail = (await readText(join(dir, 'cgroup.controllers'))).split(/\s+/).filter(Boolean);
    if (avail.length > 0)
      await writeValue(join(dir, 'cgroup.subtree_control'), avail.map((c) => `+${c}`).join(' '));
    const leaf = childHandle(h, 'runtime');
    mkdirSync(leaf.dirs.unified as string, { recursive: true });
    return { container: h, leaf };
  }

  procsFiles(h: CgroupHandle): string[] {
    return [join(h.dirs.unified as string, 'cgroup.procs')];
  }

  async attach(h: CgroupHandle, pid: number): Promise<void> {
    await writeValue(join(h.dirs.unified as string, 'cgroup.procs'), String(pid));
  }

  async pids(h: CgroupHandle): Promise<number[]> {
    return pidsIn(h.dirs.unified as string);
  }

  async readStats(h: CgroupHandle): Promise<CgroupStats> {
    return readV2Stats(h.dirs.unified as string);
  }

  async readEvents(h: CgroupHandle): Promise<CgroupEvents> {
    const dir = h.dirs.unified as string;
    const [mem, pids] = await Promise.all([
      readOptional(join(dir, 'memory.events')),
      readOptional(join(dir, 'pids.events')),
    ]);
    const m = mem === null ? null : keyed(mem);
    return {
      memoryHigh: m ? (m.high ?? 0) : null,
      memoryMax: m ? (m.max ?? 0) : null,
      oomKills: m ? (m.oom_kill ?? 0) : null,
      pidsMax: pids === null ? null : (keyed(pids).max ?? 0),
    };
  }

  async killAll(h: CgroupHandle): Promise<KillMethod> {
    return killAndWait(Object.values(h.dirs));
  }

  async remove(h: CgroupHandle): Promise<void> {
    await destroyDirs(Object.values(h.dirs));
    this.registry.dropCgroup(h.id);
  }

  async close(): Promise<void> {
    /* undo steps are in the registry, run by its teardown */
  }
}

/** "PID (comm, parent PPID)", for a message naming a process the user must deal with. */
function describeProcess(pid: number): string {
  const comm = readFileOr(`/proc/${pid}/comm`)?.trim() ?? '?';
  return `${pid} (${comm}, parent ${procStat(pid)?.ppid ?? '?'})`;
}

function isDescendantOfSelf(pid: number): boolean {
  return isDescendantOf(pid, process.pid);
}

/** Reads a cgroup2 directory's statistics; also used for the unified twin on hybrid hosts. */
export async function readV2Stats(dir: string): Promise<CgroupStats> {
  const [cpu, memCur, memPeak, memEvents, io, pidsCur, pidsPeak, pc, pm, pi] = await Promise.all([
    readOptional(join(dir, 'cpu.stat')),
    readOptional(join(dir, 'memory.current')),
    readOptional(join(dir, 'memory.peak')),
    readOptional(join(dir, 'memory.events')),
    readOptional(join(dir, 'io.stat')),
    readOptional(join(dir, 'pids.current')),
    readOptional(join(dir, 'pids.peak')),
    readOptional(join(dir, 'cpu.pressure')),
    readOptional(join(dir, 'memory.pressure')),
    readOptional(join(dir, 'io.pressure')),
  ]);
  const c = keyed(cpu);
  const ev = memEvents === null ? null : keyed(memEvents);
  const ios = parseIoStat(io);
  const psi =
    pc === null && pm === null && pi === null
      ? null
      : { cpu: parsePressure(pc), memory: parsePressure(pm), io: parsePressure(pi) };
  return {
    cpuUsageUs: c.usage_usec ?? null,
    cpuThrottledUs: c.throttled_usec ?? null,
    cpuNrPeriods: c.nr_periods ?? null,
    cpuNrThrottled: c.nr_throttled ?? null,
    memoryCurrentBytes: num(memCur),
    memoryPeakBytes: num(memPeak),
    ooms: ev ? (ev.oom ?? 0) : null,
    oomKills: ev ? (ev.oom_kill ?? 0) : null,
    ioReadBytes: ios?.rbytes ?? null,
    ioWriteBytes: ios?.wbytes ?? null,
    ioReadOps: ios?.rios ?? null,
    ioWriteOps: ios?.wios ?? null,
    pidsCurrent: num(pidsCur),
    pidsPeak: num(pidsPeak),
    psi,
  };
}
