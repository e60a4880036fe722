/**
 * What one experiment creates, and its removal on every exit path: a registry of its own (so
 * that an exception, Ctrl-C or a crash leaves nothing `isobench cleanup` would not find), the
 * cgroup driver, containers started with the real machinery (startContainer: isobench-init,
 * namespaces, attach before exec), temp dirs. `inScope` tears it all down when the experiment
 * ends, however it ends.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockDevice } from '../cgroup/device.js';
import type { AppliedLimits, CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import { openDriver } from '../cgroup/index.js';
import { type Container, startContainer } from '../container/spawn.js';
import type { Limits } from '../limits.js';
import { Registry } from '../teardown/registry.js';
import { sleep } from '../timers.js';
import type { ExperimentContext } from './types.js';
import { MiB } from './verdict.js';

/** A started container with its cgroup, and the tail of what it printed. */
export interface Box {
  handle: CgroupHandle;
  applied: AppliedLimits;
  container: Container;
  stdout(): string;
  stderr(): string;
  /** Whether the container's first process (isobench-init) is still running. */
  alive(): boolean;
  /** Resolves once the container has exited and its stdout and stderr are closed (all output read). */
  closed: Promise<void>;
}

const TAIL_CHARS = 64 * 1024;

export class Scope {
  readonly registry = new Registry();
  readonly driver: CgroupDriver;

  constructor(readonly ctx: ExperimentContext) {
    this.driver = openDriver(this.registry, { parent: ctx.cgroupParent });
  }

  /**
   * Creates cgroup `name`, applies `limits` (read back into `applied`) and starts `command` in it,
   * contained (`writable`: the dirs it may write).
   */
  async start(
    name: string,
    limits: Limits,
    command: string[],
    opts: { device?: BlockDevice | null; cwd?: string; env?: NodeJS.ProcessEnv; writable?: string[] } = {},
  ): Promise<Box> {
    const handle = await this.driver.create(name);
    const applied = await this.driver.apply(handle, limits, opts.device ?? null);
    const container = startContainer(this.driver, handle, {
      command,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      ...(opts.env ? { env: opts.env } : {}),
      // Contained like a run's containers: the host read-only but for the experiment's own files.
      ...(opts.writable ? { writable: opts.writable } : {}),
    });
    let out = '';
    let err = '';
    container.child.stdout?.on('data', (b: Buffer) => {
      out = (out + b.toString()).slice(-TAIL_CHARS);
    });
    container.child.stderr?.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-TAIL_CHARS);
    });
    let running = true;
    void container.exited.then(() => {
      running = false;
    });
    const closed = new Promise<void>((resolve) => container.child.once('close', () => resolve()));
    return { handle, applied, container, stdout: () => out, stderr: () => err, alive: () => running, closed };
  }

  /** A temp dir below `base`, removed at teardown. */
  tempDir(base: string): string {
    const dir = mkdtempSync(join(base, '.isobench-doctor-'));
    this.registry.addTempDir(dir);
    return dir;
  }

  /** Polls `read` every `everyMs` until `done` holds; throws after `limitMs` or when aborted. */
  async until<T>(
    what: string,
    read: () => Promise<T>,
    done: (v: T) => boolean,
    opts: { everyMs?: number; limitMs?: number } = {},
  ): Promise<T> {
    const limitMs = opts.limitMs ?? WAIT_LIMIT_MS;
    const start = performance.now();
    for (;;) {
      const v = await read();
      if (done(v)) return v;
      if (performance.now() - start > limitMs)
        throw new Error(`${what} did not happen within ${Math.round(limitMs / 1000)} s`);
      await sleep(opts.everyMs ?? 20, this.ctx.signal);
    }
  }
}

/**
 * Upper bound of any wait: a safety net against a hung experiment, not a measurement. Generous,
 * because the same code runs under emulation (ci/kernel-vm), 10-25 times slower.
 */
export const WAIT_LIMIT_MS = 180_000;

/** Runs `fn` with a fresh scope and removes everything it created, whatever happens. */
export async function inScope<T>(ctx: ExperimentContext, fn: (s: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope(ctx);
  try {
    return await fn(scope);
  } finally {
    await scope.registry.teardown();
  }
}

/** argv of a shell busy loop: one CPU hog per `n`. */
export function spinners(n: number): string[] {
  const loop = 'while :; do :; done';
  return ['sh', '-c', `${Array.from({ length: n - 1 }, () => `${loop} &`).join(' ')} ${loop}`];
}

/** A file of `bytes` on the disk, written and synced by isobench itself, outside any limit. */
export function writeSyncedFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    const chunk = Buffer.alloc(MiB, 0x5a);
    for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
