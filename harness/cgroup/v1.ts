/**
 * cgroup v1 and hybrid driver.
 *
 * A container's cgroup is one directory per v1 hierarchy (cpu, cpuacct, cpuset, memory, blkio,
 * pids, freezer; combined mounts such as `cpu,cpuacct` count once), each below the cgroup isobench
 * runs in within that hierarchy. On hybrid hosts it is also created in the cgroup2 tree, which has
 * no controllers there but gives cgroup.kill, cgroup.events and per-cgroup PSI (PSI follows the
 * task's cgroup2 membership, so v1 hierarchies have no pressure files).
 *
 * A process is counted only in the hierarchies it is attached to, so every hierarchy's cgroup.procs
 * is written (cpu and cpuacct are separate mounts on some hosts). Statistics and events are read by
 * v1-stats.ts.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { errnoOf, HostError, UsageError } from '../errors.js';
import type { Limits } from '../limits.js';
import type { Registry } from '../teardown/registry.js';
import { blkioWeightToIo, cpuSharesToWeight, v1BytesToV2 } from './convert.js';
import { dirOf, type Hierarchy, type HostCgroups, type V1Controller } from './detect.js';
import type { BlockDevice } from './device.js';
import type { AppliedLimits, CgroupDriver, CgroupEvents, CgroupHandle, CgroupStats } from './driver.js';
import { isCgroupName } from './driver.js';
import { readText, writeValue } from './fsio.js';
import { destroyDirs, type KillMethod, killAndWait, pidsIn } from './teardown.js';
import { throttleValue, v1Writes } from './v1-limits.js';
import { readV1Events, readV1Stats } from './v1-stats.js';
import { checkIoWeightDevice } from './v2-limits.js';

const NEEDS: Record<string, V1Controller> = {
  cpu: 'cpu',
  memory: 'memory',
  io: 'blkio',
  pids: 'pids',
  cpuset: 'cpuset',
};

export class V1Driver implements CgroupDriver {
  readonly mode: 'v1' | 'hybrid';
  private readonly hierarchies: Hierarchy[];

  constructor(
    private readonly host: HostCgroups,
    private readonly registry: Registry,
    private readonly parentPath?: string,
  ) {
    this.mode = host.unified ? 'hybrid' : 'v1';
    this.hierarchies = [...new Set(Object.values(host.v1))];
    if (host.unified) this.hierarchies.push(host.unified);
  }

  private parentDir(h: Hierarchy): string {
    return dirOf(h, this.parentPath ?? h.ownPath);
  }

  private ctrlParent(c: V1Controller): string | null {
    const h = this.host.v1[c];
    return h ? this.parentDir(h) : null;
  }

  /**
   * The file io.weight is written to (BFQ's own weight where the kernel has BFQ), or null when
   * there is none. The root cgroup has no weight files, so below the root BFQ shows in its
   * statistics files instead.
   */
  private ioWeightFile(): string | null {
    if (this.ioWeight === undefined) this.ioWeight = this.findIoWeightFile();
    return this.ioWeight;
  }

  /** Looked up once per driver: apply, readLimits and plannedWrites each need it. */
  private ioWeight: string | null | undefined;

  private findIoWeightFile(): string | null {
    const p = this.ctrlParent('blkio');
    if (!p) return null;
    const bfq = ['blkio.bfq.weight', 'blkio.bfq.io_service_bytes'].some((f) => existsSync(join(p, f)));
    if (bfq) return 'blkio.bfq.weight';
    return existsSync(join(p, 'blkio.weight')) ? 'blkio.weight' : null;
  }

  check(limits: Limits, device: BlockDevice | null): void {
    for (const h of this.hierarchies) {
      const dir = this.parentDir(h);
      if (!existsSync(dir))
        throw new HostError(
          'ISOBENCH_NO_PARENT',
          `cgroup parent ${this.parentPath ?? h.ownPath} does not exist in ${h.mountPoint}`,
        );
    }
    for (const key of Object.keys(limits)) {
      const ctrl = NEEDS[key.split('.')[0] as string] as V1Controller;
      if (!this.host.v1[ctrl]) {
        throw new HostError(
          'ISOBENCH_NO_CONTROLLER',
          `limit ${key} needs the v1 ${ctrl} hierarchy, which is not mounted on this host`,
        );
      }
    }
    if (limits['memory.high'] !== undefined) {
      throw new UsageError(
        'ISOBENCH_NO_V1_EQUIVALENT',
        'limit memory.high has no cgroup v1 equivalent (v1 has no limit that throttles without OOM-killing); use memory.max, or run on a cgroup v2 host',
      );
    }
    const mem = this.ctrlParent('memory');
    if (limits['memory.swap.max'] !== undefined) {
      if (!mem || !existsSync(join(mem, 'memory.memsw.limit_in_bytes'))) {
        throw new HostError(
          'ISOBENCH_NO_SWAP_ACCOUNTING',
          'limit memory.swap.max needs swap accounting on v1 (memory.memsw.* files; boot with swapaccount=1)',
        );
      }
      const m = limits['memory.max'];
      if (limits['memory.swap.max'] !== 'max' && (m === undefined || m === 'max')) {
        throw new UsageError(
          'ISOBENCH_BAD_LIMIT',
          'limit memory.swap.max: on cgroup v1 it needs memory.max too (v1 limits memory+swap together)',
        );
      }
    }
    if (limits['io.weight'] !== undefined) {
      if (this.ioWeightFile() === null) {
        throw new HostError(
          'ISOBENCH_IO_WEIGHT_UNSUPPORTED',
          'limit io.weight: this kernel has neither blkio.bfq.weight nor blkio.weight (no proportional IO scheduler for cgroup v1)',
        );
      }
      if (device) checkIoWeightDevice(device, null);
    }
  }

  async create(name: string): Promise<CgroupHandle> {
    if (!isCgroupName(name))
      throw new UsageError(
        'ISOBENCH_BAD_NAME',
        `container name ${JSON.stringify(name)} must match [a-z0-9][a-z0-9_-]*`,
      );
    const id = `isobench-${this.registry.runId}-${name}`;
    const dirs: Record<string, string> = {};
    for (const h of this.hierarchies) dirs[h.key] = join(this.parentDir(h), id);
    // Registered before mkdir: a crash between the two leaves nothing unlisted.
    this.registry.addCgroup({ id, dirs: Object.values(dirs) });
    for (const h of this.hierarchies) {
      const dir = dirs[h.key] as string;
      try {
        mkdirSync(dir);
      } catch (err) {
        throw new HostError('ISOBENCH_CREATE', `cannot create ${dir}: ${errnoOf(err) ?? String(err)}`);
      }
      if (h.controllers.includes('cpuset')) {
        // A new v1 cpuset starts with no CPUs and no memory nodes; attaching a task would fail (ENOSPC).
        const parent = this.parentDir(h);
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          const v =
            (await readText(join(parent, f))) ||
            (await readText(join(parent, f.replace('cpuset.', 'cpuset.effective_'))));
          await writeValue(join(dir, f), v);
        }
      }
    }
    const memH = this.host.v1.memory ?? this.hierarchies[0];
    const path = memH ? posix.join(this.parentPath ?? memH.ownPath, id) : `/${id}`;
    return { name, id, dirs, path };
  }

  private dirOf(h: CgroupHandle, c: V1Controller): string {
    const hier = this.host.v1[c];
    const d = hier ? h.dirs[hier.key] : undefined;
    if (!d) throw new HostError('ISOBENCH_NO_CONTROLLER', `the v1 ${c} hierarchy is not mounted`);
    return d;
  }

  async apply(h: CgroupHandle, limits: Limits, device: BlockDevice | null): Promise<AppliedLimits> {
    const writes = v1Writes(limits, device?.majMin ?? null, this.ioWeightFile() ?? 'blkio.weight');
    for (const w of writes) await writeValue(join(this.dirOf(h, w.controller), w.file), w.value);
    return this.readLimits(h, limits, device);
  }

  async readLimits(h: CgroupHandle, limits: Limits, device: BlockDevice | null): Promise<AppliedLimits> {
    const writes = v1Writes(limits, device?.majMin ?? null, this.ioWeightFile() ?? 'blkio.weight');
    const applied: AppliedLimits = {};
    for (const w of writes) {
      if (w.key === null) continue;
      const dir = this.dirOf(h, w.controller);
      const raw = await readText(join(dir, w.file));
      const formula = w.formula ? { formula: w.formula } : {};
      switch (w.key) {
        case 'cpu.weight':
          applied[w.key] = { value: String(cpuSharesToWeight(Number(raw))), file: w.file, raw, ...formula };
          break;
        case 'cpu.max': {
          const period = await readText(join(dir, 'cpu.cfs_period_us'));
          const quota = Number(raw) < 0 ? 'max' : raw;
          applied[w.key] = {
            value: `${quota} ${period}`,
            file: 'cpu.cfs_quota_us cpu.cfs_period_us',
            raw: `${raw} ${period}`,
            ...formula,
          };
          break;
        }
        case 'memory.max':
        case 'memory.low':
          applied[w.key] = { value: v1BytesToV2(raw), file: w.file, raw, ...formula };
          break;
        case 'memory.swap.max': {
          const limit = await readText(join(dir, 'memory.limit_in_bytes'));
          const v = v1BytesToV2(raw) === 'max' ? 'max' : String(BigInt(raw) - BigInt(limit));
          applied[w.key] = { value: v, file: w.file, raw, ...formula };
          break;
        }
        case 'io.weight': {
          // blkio.bfq.weight reads "default 500" on newer kernels, a bare number on older ones.
          const n = /(\d+)\s*$/.exec(raw.split('\n')[0] ?? '')?.[1] ?? raw;
          applied[w.key] = { value: String(blkioWeightToIo(Number(n))), file: w.file, raw, ...formula };
          break;
        }
        default:
          if (w.key.startsWith('io.max.')) {
            const t = throttleValue(raw, device?.majMin ?? '');
            applied[w.key] = { value: t.value, file: w.file, raw: t.raw };
          } else applied[w.key] = { value: raw, file: w.file, raw };
      }
    }
    return applied;
  }

  plannedWrites(limits: Limits, device: BlockDevice | null): { file: string; value: string }[] {
    const writes = v1Writes(limits, device?.majMin ?? null, this.ioWeightFile() ?? 'blkio.weight');
    return writes.map((w) => ({ file: w.file, value: w.value }));
  }

  async runtimeLeaf(h: CgroupHandle): Promise<{ container: CgroupHandle; leaf: CgroupHandle }> {
    // A runtime makes its cgroups in every v1 hierarchy, devices and name=systemd too, relative to
    // its own: so its process starts in a cgroup of isobench's in each, registered with `h`.
    const dirs = { ...h.dirs };
    for (const o of this.host.others ?? []) dirs[o.key] = join(this.parentDir(o), h.id);
    this.registry.addCgroup({ id: h.id, dirs: Object.values(dirs) });
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    const container = { ...h, dirs };
    return { container, leaf: container };
  }

  procsFiles(h: CgroupHandle): string[] {
    return Object.values(h.dirs).map((d) => join(d, 'cgroup.procs'));
  }

  async attach(h: CgroupHandle, pid: number): Promise<void> {
    for (const f of this.procsFiles(h)) await writeValue(f, String(pid));
  }

  async pids(h: CgroupHandle): Promise<number[]> {
    const first = Object.values(h.dirs)[0];
    return first ? pidsIn(first) : [];
  }

  async readStats(h: CgroupHandle): Promise<CgroupStats> {
    return readV1Stats(this.host, h);
  }

  async readEvents(h: CgroupHandle): Promise<CgroupEvents> {
    return readV1Events(this.host, h);
  }

  async killAll(h: CgroupHandle): Promise<KillMethod> {
    return killAndWait(Object.values(h.dirs));
  }

  async remove(h: CgroupHandle): Promise<void> {
    await destroyDirs(Object.values(h.dirs));
    this.registry.dropCgroup(h.id);
  }

  async close(): Promise<void> {}
}
