/**
 * The teardown registry: everything isobench creates (cgroups, processes, temp dirs, undo steps) is
 * registered here first, and the registry removes it on normal exit, SIGINT, SIGTERM or an exception.
 *
 * A state file per run (`<state dir>/<run id>.json`, rewritten atomically on every change) keeps the
 * list on disk, so that after a SIGKILL `isobench cleanup` knows what the dead run left and can tell
 * a leftover from the cgroups of a run that is still alive (its owner pid and start time).
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroyDirs } from '../cgroup/teardown.js';
import { errnoOf } from '../errors.js';
import { procStat } from '../host/procfs.js';

export interface CgroupRecord {
  id: string;
  dirs: string[];
}

export interface RunState {
  runId: string;
  ownerPid: number;
  /** /proc/PID/stat starttime, so a recycled pid is not taken for a live owner. */
  ownerStartTicks: number | null;
  createdAt: string;
  cgroups: CgroupRecord[];
  tempDirs: string[];
  /** v2 leaves isobench moved itself into; removed (never killed) once isobench has left them. */
  supervisorDirs: string[];
  /** Controllers isobench enabled in a parent's cgroup.subtree_control (v2), to disable again. */
  enabledControllers: { file: string; controllers: string[] }[];
}

export function stateDir(): string {
  if (process.env.ISOBENCH_STATE_DIR) return process.env.ISOBENCH_STATE_DIR;
  if (process.getuid?.() === 0) return '/run/isobench';
  return join(process.env.XDG_RUNTIME_DIR || tmpdir(), 'isobench');
}

export function newRunId(): string {
  // 8 characters of [a-z0-9]: short enough for cgroup names, unique enough across concurrent runs.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...urandom(8)].map((b) => alphabet[b % 36]).join('');
}

/**
 * Random bytes from the kernel without node:crypto: loading that module costs every
 * `isobench exec` about 5 ms here (issue 15: start-up), for 8 bytes.
 */
function urandom(n: number): Buffer {
  const buf = Buffer.alloc(n);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, buf, 0, n, null);
  } finally {
    closeSync(fd);
  }
  return buf;
}

export function procStartTicks(pid: number): number | null {
  return procStat(pid)?.startTicks ?? null;
}

export function isOwnerAlive(state: Pick<RunState, 'ownerPid' | 'ownerStartTicks'>): boolean {
  const ticks = procStartTicks(state.ownerPid);
  return ticks !== null && (state.ownerStartTicks === null || ticks === state.ownerStartTicks);
}

export function readStates(dir = stateDir()): { file: string; state: RunState }[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: { file: string; state: RunState }[] = [];
  for (const n of names) {
    try {
      out.push({ file: join(dir, n), state: JSON.parse(readFileSync(join(dir, n), 'utf8')) as RunState });
    } catch {
      /* a half-written file cannot happen (atomic rename); an unreadable one is skipped */
    }
  }
  return out;
}

type Undo = { label: string; run: () => Promise<void> };

/**
 * Registries of this process that have not been torn down: the crash handler empties them all.
 * One set per process, on globalThis: `isobench exec` runs a bundled copy of this module
 * (cli.ts), and the crash handler's teardownAll, from either copy, must see its registries.
 */
const LIVE = Symbol.for('isobench.liveRegistries');
const shared = globalThis as { [LIVE]?: Set<Registry> };
shared[LIVE] ??= new Set<Registry>();
const live: Set<Registry> = shared[LIVE];

/** Tears down every live registry: for the last-resort handlers of uncaught errors. */
export async function teardownAll(): Promise<void> {
  for (const r of [...live]) await r.teardown().catch(() => {});
}

export class Registry {
  readonly runId: string;
  private readonly state: RunState;
  private readonly file: string;
  private readonly undos: Undo[] = [];
  private tornDown = false;

  constructor(runId = newRunId()) {
    this.runId = runId;
    this.state = {
      runId,
      ownerPid: process.pid,
      ownerStartTicks: procStartTicks(process.pid),
      createdAt: new Date().toISOString(),
      cgroups: [],
      tempDirs: [],
      supervisorDirs: [],
      enabledControllers: [],
    };
    this.file = join(stateDir(), `${runId}.json`);
    live.add(this);
    // Nothing is written until something is created: validation failures leave no state file.
  }

  private persist(): void {
    const tmp = `${this.file}.tmp`;
    const text = `${JSON.stringify(this.state, null, 1)}\n`;
    try {
      writeFileSync(tmp, text);
    } catch (err) {
      // The state dir is made on first need, not before every write (a container's start writes
      // this file twice).
      if (errnoOf(err) !== 'ENOENT') throw err;
      mkdirSync(stateDir(), { recursive: true });
      writeFileSync(tmp, text);
    }
    renameSync(tmp, this.file);
  }

  addCgroup(rec: CgroupRecord): void {
    const existing = this.state.cgroups.find((c) => c.id === rec.id);
    if (existing) existing.dirs = [...new Set([...existing.dirs, ...rec.dirs])];
    else this.state.cgroups.push({ id: rec.id, dirs: [...rec.dirs] });
    this.persist();
  }

  dropCgroup(id: string): void {
    this.state.cgroups = this.state.cgroups.filter((c) => c.id !== id);
    this.persist();
  }

  addTempDir(dir: string): void {
    this.state.tempDirs.push(dir);
    this.persist();
  }

  dropTempDir(dir: string): void {
    this.state.tempDirs = this.state.tempDirs.filter((d) => d !== dir);
    this.persist();
  }

  addSupervisor(dir: string): void {
    this.state.supervisorDirs.push(dir);
    this.persist();
  }

  dropSupervisor(dir: string): void {
    this.state.supervisorDirs = this.state.supervisorDirs.filter((d) => d !== dir);
    this.persist();
  }

  recordEnabledControllers(file: string, controllers: string[]): void {
    if (controllers.length === 0) return;
    this.state.enabledControllers.push({ file, controllers });
    this.persist();
  }

  /** In-memory undo steps (restoring the parent, moving isobench back), run last-in first-out. */
  addUndo(label: string, run: () => Promise<void>): void {
    this.undos.push({ label, run });
  }

  /** Removes everything still registered; collects errors and throws the first after trying all. */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    this.tornDown = true;
    live.delete(this);
    const errors: unknown[] = [];
    for (const c of [...this.state.cgroups].reverse()) {
      try {
        await destroyDirs(c.dirs);
        this.dropCgroup(c.id);
      } catch (err) {
        errors.push(err);
      }
    }
    for (const d of [...this.state.tempDirs]) {
      try {
        rmSync(d, { recursive: true, force: true });
        this.dropTempDir(d);
      } catch (err) {
        errors.push(err);
      }
    }
    for (const u of this.undos.splice(0).reverse()) {
      try {
        await u.run();
      } catch (err) {
        errors.push(err);
      }
    }
    // unlink, not rmSync: rmSync loads its recursive remover for one file (issue 15: start-up).
    if (errors.length === 0) unlinkQuietly(this.file);
    if (errors.length > 0) throw errors[0];
  }

  get stateFile(): string {
    return this.file;
  }

  get pending(): Readonly<RunState> {
    return this.state;
  }
}

/** Removes a file; one that is already gone is no error. */
function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
  }
}

export function removeStateFile(file: string): void {
  if (existsSync(file)) rmSync(file, { force: true });
}
