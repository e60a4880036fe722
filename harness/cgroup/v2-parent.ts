/**
 * Making a cgroup v2 parent able to give controllers to its children.
 *
 * The no-internal-process rule forbids enabling controllers in a cgroup that has processes, so
 * when the parent is not the root and holds isobench itself, isobench first moves itself into a
 * leaf `isobench-<run id>--supervisor` (systemd's CGROUP_DELEGATION.md "supervisor/" pattern),
 * then enables the controllers, and registers undo steps for both. It never moves a process it did
 * not start: other processes in the parent make it stop with an explanation.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoOf, HostError } from '../errors.js';
import { isDescendantOf, procStat, readOptional as readFileOr } from '../host/procfs.js';
import type { Registry } from '../teardown/registry.js';
import { readText, rmdirRetry, writeValue } from './fsio.js';
import { pidsIn } from './teardown.js';

const WANTED = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
/** Rounds of moving isobench's processes out of the parent, and of enabling a controller on EBUSY. */
const EMPTY_ATTEMPTS = 5;

/** Controllers a cgroup v2 directory can hand to its children (its cgroup.controllers). */
export function controllersIn(dir: string): string[] {
  const text = readFileSync(join(dir, 'cgroup.controllers'), 'utf8');
  return text.trim().split(/\s+/).filter(Boolean);
}

export class V2Parent {
  /** The parent made ready for children: once per driver; retried after a failure. */
  private prepared: Promise<void> | null = null;

  constructor(
    private readonly parentPath: string,
    private readonly parentDir: string,
    private readonly registry: Registry,
  ) {}

  /** Makes the parent able to give controllers to children (once per driver). */
  prepare(): Promise<void> {
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
    const missing = WANTED.filter((c) => controllersIn(this.parentDir).includes(c) && !enabled.includes(c));
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
}

/** "PID (comm, parent PPID)", for a message naming a process the user must deal with. */
function describeProcess(pid: number): string {
  const comm = readFileOr(`/proc/${pid}/comm`)?.trim() ?? '?';
  return `${pid} (${comm}, parent ${procStat(pid)?.ppid ?? '?'})`;
}

function isDescendantOfSelf(pid: number): boolean {
  return isDescendantOf(pid, process.pid);
}
