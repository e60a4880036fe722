/**
 * `isobench exec`: run one command in a container with limits, report what the kernel enforced.
 *
 * Exit status: the command's, or 128+N when it died of signal N (137 after an OOM kill), as
 * timeout(1) reports it; 2 for bad input (nothing is created); 125 when isobench itself failed.
 */
import { realpathSync, statSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { resolve } from 'node:path';
import { blockDeviceFor } from './cgroup/device.js';
import type { AppliedLimits, CgroupStats } from './cgroup/driver.js';
import { NAME_RE } from './cgroup/driver.js';
import { openDriver } from './cgroup/index.js';
import { maxStats } from './cgroup/stats.js';
import { type Container, type ExitInfo, startContainer } from './container/spawn.js';
import { checkRootless, describeMapping, isRootless } from './container/userns.js';
import { HostError, quote, UsageError } from './errors.js';
import { needsBlockDevice, parseLimitArgs } from './limits.js';
import { runtimeProgram } from './runtime/programs.js';
import { type RuntimeContainer, type RuntimeRecord, startRuntime } from './runtime/start.js';
import { RUNTIMES, type RuntimeName } from './scenario/types.js';
import { Registry } from './teardown/registry.js';

function parseRuntime(given: string | undefined): RuntimeName {
  const r = given ?? 'native';
  if (!(RUNTIMES as readonly string[]).includes(r))
    throw new UsageError(
      'ISOBENCH_BAD_RUNTIME',
      `--runtime ${quote(r)}: expected one of ${RUNTIMES.join(', ')}`,
    );
  return r as RuntimeName;
}

export interface ExecOptions {
  name?: string;
  limit?: string[];
  ioPath?: string;
  shareNet?: boolean;
  json?: boolean;
  jsonFile?: string;
  cgroupParent?: string;
  /** Seconds between SIGTERM and the cgroup-wide SIGKILL when isobench is interrupted. */
  killGrace?: number;
  /** The host's files writable and every capability, as before containment. */
  privileged?: boolean;
  /** Who starts the container and writes its limits: native (default), lxc or oci. */
  runtime?: string;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  oomKilled: boolean;
  durationMs: number;
  cgroup: { mode: string; path: string; dirs: Record<string, string> };
  limits: { requested: Record<string, string>; applied: AppliedLimits };
  device: { path: string; majMin: string; name: string } | null;
  stats: Omit<CgroupStats, 'memoryCurrentBytes' | 'ooms' | 'pidsCurrent'> & {
    ooms: number | null;
  };
  /** true: --privileged, the host's files writable and every capability. */
  privileged: boolean;
  /** What the contained command may do (null when privileged): write its data dir (its cwd), with these capabilities. */
  containment: { dataDir: string; capabilities: string[] } | null;
  /** Without root: the user namespace's maps as /proc/PID/uid_map shows them; null as root. */
  userns: { uidMap: string[]; gidMap: string[] } | null;
  /** The runtime (lxc, oci): its engine, version, the config it was given and its payload cgroup; null for native. */
  runtime: RuntimeRecord | null;
}

/**
 * The contained command's data dir: `--io-path`, else the current directory (what io limits
 * apply to is what it writes). The host root itself would make containment void.
 */
function dataDirOf(ioPath: string | undefined): string {
  const given = resolve(ioPath ?? process.cwd());
  let dir: string;
  try {
    dir = realpathSync.native(given);
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new HostError(
      'ISOBENCH_IO_PATH',
      `--io-path ${quote(given)}: the container's data dir must be a directory (${(err as Error).message})`,
    );
  }
  if (dir === '/')
    throw new UsageError(
      'ISOBENCH_DATA_DIR',
      `the container's data dir (--io-path, default the current directory) is ${quote(dir)}: it would make the whole host writable; cd to a directory of its own, pass --io-path DIR, or --privileged`,
    );
  return dir;
}

/**
 * What a signal to `isobench exec` does: the first is forwarded to the container (its init passes
 * it to the command), and the whole cgroup is killed `graceMs` later if it is still running; a
 * second kills at once. One that arrives before the container exists is held, not dropped: the
 * command is then not started at all (`held`), or, when it came while a runtime was starting the
 * payload, it is delivered as soon as the container is there (`started`).
 */
export class SignalRelay {
  private count = 0;
  private pending: NodeJS.Signals | null = null;
  private live = false;

  constructor(
    private readonly to: { forward: (sig: NodeJS.Signals) => void; killAll: () => void; graceMs: number },
  ) {}

  receive(sig: NodeJS.Signals): void {
    if (!this.live) {
      this.pending ??= sig;
      return;
    }
    this.count++;
    if (this.count === 1) {
      this.to.forward(sig);
      setTimeout(() => this.to.killAll(), this.to.graceMs).unref();
    } else this.to.killAll();
  }

  /** The first signal that came before the container existed, if any. */
  held(): NodeJS.Signals | null {
    return this.pending;
  }

  /** The container exists: from now on signals reach it, a held one first. */
  started(): void {
    this.live = true;
    const sig = this.pending;
    this.pending = null;
    if (sig) this.receive(sig);
  }
}

export async function execMain(command: string[], opts: ExecOptions): Promise<number> {
  // Validate everything before touching the system.
  const name = opts.name ?? 'exec';
  if (!NAME_RE.test(name)) {
    throw new UsageError(
      'ISOBENCH_BAD_NAME',
      `--name ${JSON.stringify(name)}: container names must match [a-z0-9][a-z0-9_-]*`,
    );
  }
  if (command.length === 0)
    throw new UsageError(
      'ISOBENCH_NO_COMMAND',
      'exec: no command given (isobench exec [options] -- COMMAND [ARG]...)',
    );
  const runtime = parseRuntime(opts.runtime);
  const { limits, requested } = parseLimitArgs(opts.limit ?? []);
  const dataDir = opts.privileged ? null : dataDirOf(opts.ioPath);
  const device = needsBlockDevice(limits) ? blockDeviceFor(opts.ioPath ?? process.cwd()) : null;
  if (isRootless()) checkRootless();
  const registry = new Registry();
  const driver = openDriver(registry, { parent: opts.cgroupParent });
  driver.check(limits, device);
  const program = runtime === 'native' ? null : runtimeProgram(runtime, driver.mode);

  let container: Container | undefined;
  const graceMs = (opts.killGrace ?? 10) * 1000;
  const relay = new SignalRelay({
    forward: (sig) => container?.signal(sig),
    killAll: () => void (container && driver.killAll(container.handle).catch(() => {})),
    graceMs,
  });
  const onSignal = (sig: NodeJS.Signals) => relay.receive(sig);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    const handle = await driver.create(name);
    const spec = {
      command,
      shareNet: opts.shareNet,
      privileged: opts.privileged,
      ...(dataDir ? { writable: [dataDir], cwd: dataDir } : {}),
    };
    // Native: isobench writes the limits. A runtime writes them into its payload cgroup, read back
    // from there; stats come from the container's cgroup, which holds the payload's (hierarchical
    // counters) after the runtime has removed its own at exit.
    const applied = program ? null : await driver.apply(handle, limits, device);
    // Interrupted while the cgroup was made: the command never starts (timeout(1)'s status).
    const early = relay.held();
    if (early) return 128 + (osConstants.signals[early] ?? 0);
    // hrtime, not performance.now(): the performance global loads perf_hooks, ten modules (issue 15).
    const start = process.hrtime.bigint();
    let rt: RuntimeContainer | null = null;
    if (program)
      container = rt = await startRuntime(program, driver, handle, {
        ...spec,
        limits,
        device,
        // The runtime removes its payload cgroup with the payload: its counters are read until then.
        watchPayloadMs: 20,
      });
    else container = startContainer(driver, handle, spec);
    // A signal that came while the runtime started its payload goes to the container now.
    relay.started();
    const read = rt ? await rt.payload.then((p) => driver.readLimits(p, limits, device)) : null;
    const exit: ExitInfo = await container.exited;
    if (exit.error) throw new HostError('ISOBENCH_SPAWN', exit.error);
    const durationMs = Math.round(Number(process.hrtime.bigint() - start) / 1e6);
    if (!opts.json && !opts.jsonFile) {
      // Nothing to report but the exit status: no stats to read. remove() kills whatever is still
      // in the cgroup (the kernel refuses to remove a populated one) before it removes it.
      await driver.remove(container.handle);
      return exit.status;
    }
    // The namespace's init exited, so the kernel has killed the rest; make sure before reading.
    await driver.killAll(container.handle);
    const outer = await driver.readStats(handle);
    const inner = rt?.payloadStats() ?? null;
    const stats = inner ? maxStats(outer, inner) : outer;
    await driver.remove(container.handle);
    // A cgroup made just now: every OOM kill it counts happened in this container.
    const oomKills = stats.oomKills;
    const result: ExecResult = {
      exitCode: exit.exitCode,
      signal: exit.signal,
      oomKilled: exit.signal === 'SIGKILL' && (oomKills ?? 0) > 0,
      durationMs,
      cgroup: { mode: driver.mode, path: handle.path, dirs: handle.dirs },
      limits: { requested, applied: (applied ?? read) as AppliedLimits },
      device: device ? { path: device.path, majMin: device.majMin, name: device.name } : null,
      stats: {
        cpuUsageUs: stats.cpuUsageUs,
        cpuThrottledUs: stats.cpuThrottledUs,
        cpuNrPeriods: stats.cpuNrPeriods,
        cpuNrThrottled: stats.cpuNrThrottled,
        memoryPeakBytes: stats.memoryPeakBytes,
        ooms: stats.ooms,
        oomKills,
        ioReadBytes: stats.ioReadBytes,
        ioWriteBytes: stats.ioWriteBytes,
        ioReadOps: stats.ioReadOps,
        ioWriteOps: stats.ioWriteOps,
        pidsPeak: stats.pidsPeak,
        psi: stats.psi,
      },
      privileged: opts.privileged === true,
      containment: dataDir ? { dataDir, capabilities: [] } : null,
      userns: container.ids ? describeMapping(container.ids) : null,
      runtime: rt ? rt.record : null,
    };
    const line = JSON.stringify(result);
    if (opts.jsonFile) writeFileSync(opts.jsonFile, `${line}\n`);
    else if (opts.json) process.stdout.write(`${line}\n`);
    return exit.status;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await registry.teardown();
  }
}
