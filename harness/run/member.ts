/**
 * One container of a trial ("member"): its cgroup with the limits applied, its process tree
 * started through isobench-init, its protocol output watched; then its ready line.
 */
import type { ReadyLine } from '../../workloads/lines.js';
import type { BlockDevice } from '../cgroup/device.js';
import type { AppliedLimits, CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import {
  type Container,
  type ExitInfo,
  type Launcher,
  type ContainerSpec as LaunchSpec,
  startContainer,
} from '../container/spawn.js';
import { runtimeProgram } from '../runtime/programs.js';
import { type RuntimeRecord, startRuntime } from '../runtime/start.js';
import type { ContainerSpec } from '../scenario/types.js';
import { DeadlineError, deadline } from '../timers.js';
import { type WorkloadOutput, watchOutput } from './lines.js';
import type { LoadRun } from './load.js';
import { commandFor, privilegesOf } from './prepare.js';

/** A trial fails with a reason (and the container that caused it); the run goes on. */
export class TrialFailure extends Error {
  constructor(
    message: string,
    readonly container: string | null,
  ) {
    super(message);
  }
}

export interface Member {
  spec: ContainerSpec;
  handle: CgroupHandle;
  applied: AppliedLimits;
  container: Container;
  out: WorkloadOutput;
  /** Set by awaitReady; null for a command workload (no protocol) or one that never got there. */
  ready: ReadyLine | null;
  /** The load generator aimed at this member, for a served workload once the load has started. */
  load: LoadRun | null;
  /** The runtime that started it (lxc, oci): engine, version, config text; null for native. */
  runtime: RuntimeRecord | null;
}

export function describeExit(e: ExitInfo, oomKills: number | null): string {
  if (e.error) return `could not start (${e.error})`;
  if (e.signal === 'SIGKILL' && (oomKills ?? 0) > 0) return 'was OOM-killed';
  return e.signal ? `died of ${e.signal}` : `exited with status ${e.exitCode}`;
}

/**
 * Creates the member's cgroup, applies its limits and starts its container; `adopt` is called as
 * soon as the cgroup exists, so that the caller tears it down whatever fails next.
 */
export async function startMember(
  driver: CgroupDriver,
  spec: ContainerSpec,
  where: { dataDir: string; device: BlockDevice | null },
  adopt: (handle: CgroupHandle) => void,
  launch: Launcher = startContainer,
): Promise<Member> {
  const handle = await driver.create(spec.name);
  adopt(handle);
  const cspec = {
    command: commandFor(spec, where.dataDir),
    shareNet: spec.shareNet,
    cwd: where.dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Contained: the one directory it may write is its data dir; capabilities as its workload needs.
    privileged: spec.privileged,
    writable: [where.dataDir],
    capabilities: privilegesOf(spec).capabilities,
  } satisfies LaunchSpec;
  if (spec.runtime !== 'native') return startInRuntime(driver, spec, handle, cspec, where.device, adopt);
  const applied = await driver.apply(handle, spec.limits, where.device);
  const container = launch(driver, handle, cspec);
  const out = watchOutput(container.child.stdout, container.child.stderr);
  return { spec, handle, applied, container, out, ready: null, load: null, runtime: null };
}

/**
 * A member whose runtime (lxc, runc) writes its limits: sampled and read back in the runtime's
 * payload cgroup (below `handle`, which teardown removes whole, the runtime's monitor included).
 */
async function startInRuntime(
  driver: CgroupDriver,
  spec: ContainerSpec,
  handle: CgroupHandle,
  cspec: LaunchSpec,
  device: BlockDevice | null,
  adopt: (handle: CgroupHandle) => void,
): Promise<Member> {
  const program = runtimeProgram(spec.runtime as Exclude<typeof spec.runtime, 'native'>, driver.mode);
  const rt = await startRuntime(program, driver, handle, { ...cspec, limits: spec.limits, device });
  // On v1 the runtime's container spans more hierarchies than `handle` (devices, name=systemd).
  adopt(rt.handle);
  const out = watchOutput(rt.child.stdout, rt.child.stderr);
  const payload = await rt.payload.catch((err: Error) => {
    throw new TrialFailure(`${spec.name} (${program.engine}) did not start: ${err.message}`, spec.name);
  });
  const applied = await driver.readLimits(payload, spec.limits, device);
  return { spec, handle: payload, applied, container: rt, out, ready: null, load: null, runtime: rt.record };
}

/** Waits for the member's ready line (a command workload is ready once started). */
export async function awaitReady(m: Member, timeoutMs: number, signal: AbortSignal): Promise<void> {
  if (m.spec.workload.kind === 'command') return;
  const exitedFirst = m.container.exited.then((e) => {
    throw new TrialFailure(
      `${m.spec.name} ${describeExit(e, null)} before it was ready: ${m.out.stderrTail() || 'no output'}`,
      m.spec.name,
    );
  });
  try {
    m.ready = await deadline(Promise.race([m.out.ready, exitedFirst]), timeoutMs, signal);
  } catch (err) {
    if (signal.aborted || err instanceof TrialFailure) throw err;
    const why = err instanceof DeadlineError ? 'timeout' : (err as Error).message;
    throw new TrialFailure(
      `${m.spec.name} was not ready within ${timeoutMs} ms (${why}): ${m.out.stderrTail() || 'no output'}`,
      m.spec.name,
    );
  } finally {
    exitedFirst.catch(() => {});
  }
}

/**
 * Waits `ms` while the members run: resolves 'done', or the first non-aggressor member that exits
 * (an aggressor that dies, a hog OOM-killed under its memory.max, does not end the trial); rejects
 * with the signal's reason on abort.
 */
export async function runFor(ms: number, members: Member[], signal: AbortSignal): Promise<'done' | Member> {
  const firstExit = new Promise<Member>((resolve) => {
    for (const m of members) if (!m.spec.aggressor) void m.container.exited.then(() => resolve(m));
  });
  try {
    return await deadline(firstExit, ms, signal);
  } catch (err) {
    if (err instanceof DeadlineError) return 'done';
    throw err;
  }
}

/** The failure for a member that stopped early, with how it ended and its last stderr line. */
export async function stoppedEarly(driver: CgroupDriver, m: Member, when: string): Promise<TrialFailure> {
  const e = await m.container.exited;
  // The container's cgroup: a runtime removes its payload cgroup as soon as its payload exits.
  const stats = await driver.readStats(m.container.handle).catch(() => null);
  const tail = m.out.stderrTail();
  return new TrialFailure(
    `${m.spec.name} ${describeExit(e, stats?.oomKills ?? null)} ${when}${tail ? `: ${tail.split('\n').at(-1)}` : ''}`,
    m.spec.name,
  );
}
