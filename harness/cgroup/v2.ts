/**
 * cgroup v2 driver (the unified hierarchy with controllers).
 *
 * Nesting: container cgroups are created directly below the parent (the cgroup isobench runs in,
 * or --cgroup-parent). Making the parent able to give controllers to them (the supervisor leaf,
 * enabling controllers, and undoing both) is v2-parent.ts's.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { errnoOf, HostError, UsageError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { Registry } from '../teardown/registry.js';
import { dirOf, type Hierarchy } from './detect.js';
import type { BlockDevice } from './device.js';
import type { AppliedLimits, CgroupDriver, CgroupEvents, CgroupHandle, CgroupStats } from './driver.js';
import { childHandle, isCgroupName } from './driver.js';
import { readOptional, readText, writeValue } from './fsio.js';
import { keyed, num, parseIoStat, parsePressure } from './stats.js';
import { destroyDirs, type KillMethod, killAndWait, pidsIn } from './teardown.js';
import { checkIoWeightDevice, parseIoMaxLine, v2Files } from './v2-limits.js';
import { controllersIn, V2Parent } from './v2-parent.js';

/** Which controller a limit needs. */
export function controllerOf(limit: string): string {
  return limit.split('.')[0] as string;
}

export class V2Driver implements CgroupDriver {
  readonly mode = 'v2' as const;
  private readonly parentPath: string;
  private readonly parentDir: string;
  /** The parent made ready for children: once per driver; retried after a failure. */
  private readonly parent: V2Parent;

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
    this.parent = new V2Parent(this.parentPath, this.parentDir, registry);
  }

  /** Controllers the parent can hand to its children. */
  private available(): string[] {
    return controllersIn(this.parentDir);
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

  async create(name: string): Promise<CgroupHandle> {
    if (!isCgroupName(name))
      throw new UsageError(
        'ISOBENCH_BAD_NAME',
        `container name ${JSON.stringify(name)} must match [a-z0-9][a-z0-9_-]*`,
      );
    await this.parent.prepare();
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
  const psi = pressureOf(pc, pm, pi);
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

function pressureOf(pc: string | null, pm: string | null, pi: string | null): CgroupStats['psi'] {
  return pc === null && pm === null && pi === null
    ? null
    : { cpu: parsePressure(pc), memory: parsePressure(pm), io: parsePressure(pi) };
}

/**
 * What a hybrid host's unified twin adds to the v1 statistics: its pressure (PSI) and, when asked,
 * its CPU usage. It has no controllers, so its memory, io and pids files do not exist, and reading
 * each of them anyway cost an ENOENT per file on every sample.
 */
export async function readUnifiedTwin(
  dir: string,
  cpu: boolean,
): Promise<{ cpuUsageUs: number | null; psi: CgroupStats['psi'] }> {
  const [stat, pc, pm, pi] = await Promise.all([
    cpu ? readOptional(join(dir, 'cpu.stat')) : null,
    readOptional(join(dir, 'cpu.pressure')),
    readOptional(join(dir, 'memory.pressure')),
    readOptional(join(dir, 'io.pressure')),
  ]);
  return { cpuUsageUs: keyed(stat).usage_usec ?? null, psi: pressureOf(pc, pm, pi) };
}
