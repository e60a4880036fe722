/**
 * One trial: create the phase's cgroups, start its containers, wait for `ready`, start the load,
 * warm up, measure, stop, tear down. Whatever happens, every cgroup and process it created is gone
 * when it returns; a workload that crashes or is OOM-killed makes the trial `failed`, not the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { loadCommandInNetns, workloadsMainPath } from '../../workloads/index.js';
import type { CgroupDriver, CgroupHandle, CgroupStats } from '../cgroup/driver.js';
import { type Container, type ExitInfo, startContainer } from '../container/spawn.js';
import type { SampleRow, TrialContainer, TrialRecord } from '../results/types.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { ContainerSpec } from '../scenario/types.js';
import { sampleHost } from './host-sample.js';
import { type WorkloadOutput, watchOutput } from './lines.js';
import { dbMetrics, webMetrics } from './metrics.js';
import { commandFor, type Prepared } from './prepare.js';
import { Sampler } from './sampler.js';
import { windowOf } from './window.js';

export interface TrialContext {
  driver: CgroupDriver;
  /** Resolved per container: data dir, io device. */
  prepared: Record<string, Prepared>;
  readyTimeoutMs: number;
  stopGraceMs: number;
  signal: AbortSignal;
  onPhase?: (what: string) => void;
}

class TrialFailure extends Error {
  constructor(
    message: string,
    readonly container: string | null,
  ) {
    super(message);
  }
}

interface Running {
  spec: ContainerSpec;
  handle: CgroupHandle;
  applied: Awaited<ReturnType<CgroupDriver['apply']>>;
  container: Container | null;
  out: WorkloadOutput | null;
  ready: Record<string, unknown> | null;
  exitedEarly: ExitInfo | null;
  load: { child: ChildProcess; result: Promise<Record<string, unknown> | null> } | null;
}

function describeExit(e: ExitInfo, oomKills: number | null): string {
  if (e.error) return `could not start (${e.error})`;
  if (e.signal === 'SIGKILL' && (oomKills ?? 0) > 0) return 'was OOM-killed';
  return e.signal ? `died of ${e.signal}` : `exited with status ${e.exitCode}`;
}

/** Resolves after `ms`, early (with 'aborted') on the signal, or with the first container that exits. */
function waitWhileRunning(
  ms: number,
  running: Running[],
  signal: AbortSignal,
): Promise<'done' | 'aborted' | Running> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish('done'), ms);
    const onAbort = () => finish('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    // An aggressor that dies (a hog OOM-killed under its memory.max) does not end the trial.
    for (const r of running) if (!r.spec.aggressor) void r.container?.exited.then(() => finish(r));
    let done = false;
    function finish(v: 'done' | 'aborted' | Running) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    }
    if (signal.aborted) finish('aborted');
  });
}

function startLoad(r: Running, t: PlannedTrial): Running['load'] {
  const spec = r.spec.load;
  const port = r.ready?.port;
  if (!spec || typeof port !== 'number' || !r.container) return null;
  const argv = [
    `http://127.0.0.1:${port}/`,
    '--rate',
    String(spec.rateHz),
    '--duration',
    `${t.durationMs}ms`,
    '--warmup',
    `${t.warmupMs}ms`,
    '--connections',
    String(spec.connections),
    '--arrivals',
    spec.arrivals,
    '--json',
  ];
  // The generator runs outside the container's cgroup; with a private network namespace it enters
  // only that namespace (nsenter --net), so it reaches the server on the container's loopback.
  const cmd = r.spec.shareNet
    ? [process.execPath, workloadsMainPath(), 'load', ...argv]
    : loadCommandInNetns(r.container.pid, argv);
  const child = spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr?.resume();
  const result = new Promise<Record<string, unknown> | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('exit', (code) => {
      try {
        resolve(
          code === 0 ? (JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>) : null,
        );
      } catch {
        resolve(null);
      }
    });
  });
  return { child, result };
}

async function stoppedEarly(driver: CgroupDriver, r: Running, when: string): Promise<TrialFailure> {
  const e = (await r.container?.exited) as ExitInfo;
  const stats = await driver.readStats(r.handle).catch(() => null);
  const tail = r.out?.stderrTail();
  return new TrialFailure(
    `${r.spec.name} ${describeExit(e, stats?.oomKills ?? null)} ${when}${tail ? `: ${tail.split('\n').at(-1)}` : ''}`,
    r.spec.name,
  );
}

export async function runTrial(
  ctx: TrialContext,
  t: PlannedTrial,
): Promise<{ record: TrialRecord; samples: SampleRow[] } | 'interrupted'> {
  const { driver } = ctx;
  const startedAt = new Date().toISOString();
  const running: Running[] = [];
  let sampler: Sampler | null = null;
  let startStats: (CgroupStats | null)[] = [];
  let endStats: (CgroupStats | null)[] = [];
  const hostBusy: [number | null, number | null] = [null, null];
  let failure: TrialFailure | null = null;
  let interrupted = false;
  const measureMs = { start: 0, end: 0 };
  try {
    ctx.onPhase?.('starting');
    for (const spec of t.containers) {
      const handle = await driver.create(spec.name);
      const r: Running = {
        spec,
        handle,
        applied: {},
        container: null,
        out: null,
        ready: null,
        exitedEarly: null,
        load: null,
      };
      running.push(r);
      r.applied = await driver.apply(handle, spec.limits, ctx.prepared[spec.name]?.device ?? null);
    }
    for (const r of running) {
      const prep = ctx.prepared[r.spec.name] as Prepared;
      r.container = startContainer(driver, r.handle, {
        command: commandFor(r.spec, prep),
        shareNet: r.spec.shareNet,
        cwd: prep.dataDir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      r.out = watchOutput(r.container.child.stdout, r.container.child.stderr);
      void r.container.exited.then((e) => {
        r.exitedEarly ??= e;
      });
    }
    ctx.onPhase?.('waiting for ready');
    for (const r of running) {
      if (r.spec.workload.kind === 'command') continue; // no protocol: ready once started
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const timeout = new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error('timeout')), ctx.readyTimeoutMs);
      });
      const exited = (r.container as Container).exited.then((e) => {
        throw new TrialFailure(
          `${r.spec.name} ${describeExit(e, null)} before it was ready: ${r.out?.stderrTail() || 'no output'}`,
          r.spec.name,
        );
      });
      const aborted = new Promise<never>((_, rej) => {
        onAbort = () => rej(new Error('aborted'));
        ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        r.ready = await Promise.race([
          r.out?.ready as Promise<Record<string, unknown>>,
          timeout,
          exited,
          aborted,
        ]);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        if (err instanceof TrialFailure) throw err;
        throw new TrialFailure(
          `${r.spec.name} was not ready within ${ctx.readyTimeoutMs} ms (${(err as Error).message}): ${r.out?.stderrTail() || 'no output'}`,
          r.spec.name,
        );
      } finally {
        // One listener per container and trial on the run's signal: remove it, or they pile up.
        clearTimeout(timer);
        if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
      }
    }
    sampler = new Sampler(
      driver,
      running.map((r) => r.handle),
      { trial: t.id, cell: t.cell.id, phase: t.phase.name },
      t.sampleIntervalMs,
    );
    sampler.start();
    for (const r of running) r.load = startLoad(r, t);
    ctx.onPhase?.('warming up');
    const w = await waitWhileRunning(t.warmupMs, running, ctx.signal);
    if (w === 'aborted') throw new Error('aborted');
    if (w !== 'done') throw await stoppedEarly(driver, w, 'during warmup');
    startStats = await Promise.all(running.map((r) => driver.readStats(r.handle).catch(() => null)));
    hostBusy[0] = (await sampleHost()).busyUs;
    measureMs.start = performance.now();
    sampler.measureStart = measureMs.start;
    // Workloads that keep their own figures start them afresh now, so warmup is not counted.
    for (const r of running) if (r.spec.workload.kind === 'builtin') r.container?.signal('SIGUSR2');
    ctx.onPhase?.('measuring');
    const m = await waitWhileRunning(t.durationMs, running, ctx.signal);
    if (m === 'aborted') throw new Error('aborted');
    measureMs.end = performance.now();
    endStats = await Promise.all(running.map((r) => driver.readStats(r.handle).catch(() => null)));
    hostBusy[1] = (await sampleHost()).busyUs;
    if (m !== 'done') throw await stoppedEarly(driver, m, 'during the measurement');
    ctx.onPhase?.('stopping');
    await Promise.all(running.map((r) => r.load?.result));
  } catch (err) {
    if (err instanceof TrialFailure) failure = err;
    else if (ctx.signal.aborted) interrupted = true;
    else failure = new TrialFailure(`isobench: ${(err as Error).message}`, null);
  } finally {
    sampler?.stop();
    for (const r of running) r.load?.child.kill('SIGKILL');
    await Promise.all(running.map((r) => r.container?.stop(ctx.stopGraceMs).catch(() => null)));
    if (endStats.length === 0)
      endStats = await Promise.all(running.map((r) => driver.readStats(r.handle).catch(() => null)));
    for (const r of running) await driver.remove(r.handle).catch(() => {});
  }
  if (interrupted) return 'interrupted';

  const durationMs = Math.round(
    (measureMs.end || performance.now()) - (measureMs.start || performance.now()),
  );
  const containers: TrialContainer[] = [];
  for (const [i, r] of running.entries()) {
    const exit = r.exitedEarly ?? (r.container ? await r.container.exited.catch(() => null) : null);
    const window = windowOf(startStats[i] ?? null, endStats[i] ?? null);
    // The cgroup's OOM-kill count since it was created: a kill during warmup counts too.
    const oomKilled = exit?.signal === 'SIGKILL' && (endStats[i]?.oomKills ?? 0) > 0;
    const final = r.out?.final() ?? null;
    const load = (await r.load?.result) ?? null;
    const isWeb = r.spec.load !== null;
    const isDb = r.spec.workload.kind === 'builtin' && r.spec.workload.name === 'db';
    const m = isWeb ? webMetrics(load, t.durationMs) : isDb ? dbMetrics(final) : { metrics: {} };
    containers.push({
      name: r.spec.name,
      workload:
        r.spec.workload.kind === 'builtin' ? r.spec.workload.name : (r.spec.workload.argv[0] ?? 'command'),
      limits: { requested: r.spec.requestedLimits, applied: r.applied },
      cgroupPath: r.handle.path,
      exit: exit ? { exitCode: exit.exitCode, signal: exit.signal, oomKilled } : null,
      ready: r.ready,
      final,
      load,
      metrics: m.metrics,
      histograms: m.histogram ? (isWeb ? { latencyUs: m.histogram } : { commitLatencyUs: m.histogram }) : {},
      cgroup: window,
    });
    if (!failure && isWeb && load === null)
      failure = new TrialFailure(`the load generator for ${r.spec.name} gave no result`, r.spec.name);
  }
  // Host CPU outside the containers (the load generator and isobench included): a noisy machine
  // shows here, so a trial disturbed from outside can be recognised.
  const foreignCpuUs =
    hostBusy[0] !== null && hostBusy[1] !== null
      ? Math.max(
          0,
          hostBusy[1] - hostBusy[0] - containers.reduce((a, c) => a + (c.cgroup.cpuUsageUs ?? 0), 0),
        )
      : null;
  const base = {
    id: t.id,
    index: t.index,
    repetition: t.repetition,
    cell: t.cell,
    phase: { name: t.phase.name, kind: t.phase.kind, containers: t.phase.containers },
    startedAt,
    durationMs,
    foreignCpuUs,
    containers,
  };
  const record: TrialRecord = failure
    ? { ...base, status: 'failed', reason: failure.message, failedContainer: failure.container }
    : { ...base, status: 'ok' };
  return { record, samples: sampler?.rowsFromWindowStart() ?? [] };
}
