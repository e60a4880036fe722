/**
 * Starts a container through a runtime (lxc-execute, runc, crun): the runtime makes the namespaces
 * and the payload cgroup and writes the limits itself; isobench finds that cgroup below the
 * container's cgroup it created, reads the limits back from it and samples it like a native one.
 *
 * The payload is isobench-init with the same containment as native (the host read-only but for
 * the data dir, private /tmp, masked /proc and /sys paths, capabilities dropped, no_new_privs),
 * keeping the runtime's network namespace (--share-net): one implementation of those rules for
 * every runtime. The runtime's own process starts inside the container's cgroup (isobench-init
 * --attach-only), so that everything it makes is below a cgroup isobench owns and removes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, rmSync, type Stats, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { CgroupDriver, CgroupHandle, CgroupStats } from '../cgroup/driver.js';
import { childHandle } from '../cgroup/driver.js';
import { maxStats } from '../cgroup/stats.js';
import { type Container, type ExitInfo, exitInfo, initBinary } from '../container/spawn.js';
import { HostError } from '../errors.js';
import { settledWithin, sleep } from '../timers.js';
import { PAYLOAD_DIR } from './config.js';
import { plan, type RuntimeSpec, relativeLimits } from './plan.js';
import type { RuntimeProgram } from './programs.js';
import { runtimeStateDir } from './state.js';

/** What a runtime container records: which runtime, its version, and the config it was given. */
export interface RuntimeRecord {
  runtime: RuntimeProgram['runtime'];
  engine: RuntimeProgram['engine'];
  version: string;
  /** The config file's text as given to the runtime (lxc config, OCI config.json). */
  config: string;
  /** The payload cgroup the runtime made, as /proc/PID/cgroup shows it. */
  cgroupPath: string;
}

export interface RuntimeContainer extends Container {
  /** The runtime's payload cgroup, once the runtime has made it and exec'd the payload in it. */
  readonly payload: Promise<CgroupHandle>;
  readonly record: RuntimeRecord;
  /**
   * With `spec.watchPayloadMs`: the payload cgroup's stats, read that often while it runs, the
   * largest value of each counter seen: the runtime removes that cgroup when its payload exits,
   * and a v1 parent counts neither its child's OOM kills nor its CFS periods (`isobench exec`
   * merges these with the container's). Null without it, or before the first read.
   */
  payloadStats(): CgroupStats | null;
}

/**
 * Whether process `pid` runs the executable `want` (its stat): by device and inode of
 * /proc/PID/exe, not by the link's text. That text is the path in the mount namespace the
 * process was exec'd in; once no process is left in that namespace (isobench-init has made its
 * own, the runtime's is gone), its mounts are detached and the link reads relative to the mount
 * (`/dist/bin/isobench-init`; crun in the v2 VM: 1 start in 80 was polled only after that).
 */
export function runsExecutable(pid: number, want: Stats): boolean {
  try {
    const st = statSync(`/proc/${pid}/exe`);
    return st.dev === want.dev && st.ino === want.ino;
  } catch {
    return false;
  }
}

/** Resolves with the payload cgroup once a process in it runs isobench-init (the runtime is done). */
async function payloadReady(
  handle: CgroupHandle,
  driver: CgroupDriver,
  exited: Promise<ExitInfo & { error?: string }>,
  timeoutMs: number,
  log: () => string,
): Promise<CgroupHandle> {
  const init = statSync(initBinary());
  let gone: (ExitInfo & { error?: string }) | null = null;
  void exited.then((e) => {
    gone = e;
  });
  const startMs = performance.now();
  // What the last look saw, for the error: the payload cgroup's pids and each one's exe.
  let seen = 'no look yet';
  for (;;) {
    let pids: number[] = [];
    try {
      pids = await driver.pids(handle);
      seen = pids.length === 0 ? `${handle.path}: empty` : '';
    } catch (err) {
      seen = `${handle.path}: ${(err as Error).message}`;
    }
    const ours = pids.some((p) => {
      if (runsExecutable(p, init)) return true;
      let exe: string;
      try {
        exe = readlinkSync(`/proc/${p}/exe`);
      } catch (err) {
        exe = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      }
      seen += `${seen ? ', ' : ''}${p} ${exe}`;
      return false;
    });
    if (ours) return handle;
    if (gone)
      throw new HostError(
        'ISOBENCH_RUNTIME_START',
        `the runtime exited (${describeExit(gone)}) before the payload started (last seen: ${seen}): ${log()}`,
      );
    if (performance.now() - startMs > timeoutMs)
      throw new HostError(
        'ISOBENCH_RUNTIME_START',
        `the payload did not start within ${timeoutMs} ms (last seen: ${seen}): ${log()}`,
      );
    await sleep(5);
  }
}

function describeExit(e: ExitInfo & { error?: string }): string {
  if (e.error) return e.error;
  return e.signal ? `signal ${e.signal}` : `status ${e.exitCode}`;
}

/** A payload process (in the runtime's netns); -1 when the payload never started (the caller's exit check says so). */
function netPidOf(payload: Promise<CgroupHandle>, driver: CgroupDriver): Promise<number> {
  return payload.then(
    async (p) => (await driver.pids(p))[0] ?? -1,
    () => -1,
  );
}

/**
 * Starts `spec` under `program`: the runtime's process in the container's cgroup `h` (a leaf of
 * it on v2), its payload cgroup below `h`. Stopping: SIGTERM to the runtime, which forwards it to
 * the payload, then SIGKILL to all of `h`. The state dir goes when the runtime exits.
 */
export async function startRuntime(
  program: RuntimeProgram,
  driver: CgroupDriver,
  h: CgroupHandle,
  spec: RuntimeSpec,
): Promise<RuntimeContainer> {
  const state = runtimeStateDir(h.id);
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  const { argv, config } = await plan(program, driver, h, spec, state);
  // Weights are relative among siblings: the runtime's payload cgroup competes only inside the
  // container's, so the container's carries the same weights against its neighbours (written by
  // isobench; the runtime writes its own, read back as what it applied). Ceilings (cpu.max,
  // memory.max, io.max, pids.max) hold from any depth and are the runtime's alone.
  const weights = relativeLimits(spec.limits);
  if (Object.keys(weights).length > 0) await driver.apply(h, weights, spec.device);
  const { container, leaf } = await driver.runtimeLeaf(h);
  // lxc makes its cgroups relative to its own (the leaf); runc and crun below the leaf's parent on
  // v2 and below their own on v1 (libcontainer's relative cgroupsPath; on hybrid in a cgroup
  // namespace rooted at h, plan.ts): all land in `<h>/…/payload`.
  const payloadHandle = childHandle(program.engine === 'lxc' ? leaf : h, PAYLOAD_DIR);
  const attach = driver.procsFiles(leaf).flatMap((f) => ['--cgroup-procs', f]);
  const child = spawn(initBinary(), [...attach, '--attach-only', '--', ...argv], {
    stdio: spec.stdio ?? 'inherit',
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  // The runtime's log, kept when its state dir goes (runc logs JSON lines: their msg fields).
  let lastLog = 'no log';
  const log = () => {
    try {
      const lines = readFileSync(join(state, 'log'), 'utf8').trim().split('\n').filter(Boolean);
      const msgs = lines.map((l) => /"msg":"((?:[^"\\]|\\.)*)"/.exec(l)?.[1] ?? l);
      lastLog = msgs.slice(-3).join(' | ') || lastLog;
    } catch {
      /* gone with the state dir: the last text read stands */
    }
    return lastLog;
  };
  const exited = new Promise<ReturnType<typeof exitInfo> & { error?: string }>((resolve) => {
    child.once('error', (err) =>
      resolve({
        exitCode: null,
        signal: null,
        status: 127,
        error: `cannot start ${program.engine}: ${err.message}`,
      }),
    );
    // The runtimes report a payload killed by signal N as 128+N, as a shell does.
    child.once('exit', (code, sig) => {
      const e = exitInfo(code, sig);
      const n = e.exitCode !== null && e.exitCode > 128 ? e.exitCode - 128 : 0;
      const name = Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
      resolve(name ? { exitCode: null, signal: name as NodeJS.Signals, status: e.status } : e);
    });
  }).finally(() => {
    log();
    rmSync(state, { recursive: true, force: true });
  });
  let seen: CgroupStats | null = null;
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  const payload = payloadReady(payloadHandle, driver, exited, spec.startTimeoutMs ?? 30_000, log);
  payload.catch(() => {});
  // Only on request (isobench exec): a run samples the payload cgroup itself, and this loop made
  // the run's isobench process use 0.075-0.08 of a core during co-located lxc and oci trials
  // (0.005-0.025 without it, native's 0.017: per-process CPU over 6 s of a trial), on the two
  // cores the load generator shares. runc and lxc-execute themselves used under 10 ms there.
  const every = spec.watchPayloadMs;
  if (every !== undefined)
    void payload.then(
      async (p) => {
        while (!ended) {
          const st = await driver.readStats(p).catch(() => null);
          if (st && !ended) seen = seen ? maxStats(seen, st) : st;
          await sleep(every);
        }
      },
      () => {},
    );
  return {
    handle: container,
    child,
    pid: child.pid ?? -1,
    exited,
    ids: null,
    payload,
    netPid: netPidOf(payload, driver),
    record: {
      runtime: program.runtime,
      engine: program.engine,
      version: program.version,
      config,
      cgroupPath: payloadHandle.path,
    },
    payloadStats: () => seen,
    signal(sig) {
      child.kill(sig);
    },
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      if (!(await settledWithin(exited, graceMs))) await driver.killAll(container);
      return exited;
    },
  };
}
