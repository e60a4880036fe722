/**
 * Fresh state for every trial (see DataState in workloads/adapters.ts): the run's templates are
 * made once, before the first trial; each trial gets its own data dirs (a copy of the template,
 * or an empty dir), made before it starts and removed after it; and before each trial writeback
 * is drained and shared files are dropped from the page cache, so that no trial inherits the
 * previous one's dirty pages or warm cache.
 */
import { mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { HostError } from '../errors.js';
import { dropFileCache, type Settled, settleWriteback } from '../host/settle.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { ContainerSpec, Scenario } from '../scenario/types.js';
import { deadline } from '../timers.js';
import { commandFor, dataDirFor, type Prepared, type PreparedRun } from './prepare.js';

/** Every distinct template of a run, with a container spec that makes it. */
function templatesOf(scenario: Scenario, prepared: PreparedRun): Map<string, ContainerSpec> {
  const out = new Map<string, ContainerSpec>();
  for (const cell of scenario.cells)
    for (const spec of Object.values(cell.containers)) {
      const dir = prepared[cell.id]?.[spec.name]?.templateDir;
      if (dir && !out.has(dir)) out.set(dir, spec);
    }
  return out;
}

/**
 * Makes each template by running its workload until it is ready (a database populated, a file
 * written), then stopping it. Runs before the first trial: a workload that cannot prepare its data
 * stops the run here, not trial after trial.
 */
export async function prepareTemplates(
  scenario: Scenario,
  prepared: PreparedRun,
  opts: { timeoutMs: number; log: (line: string) => void },
): Promise<void> {
  for (const [dir, spec] of templatesOf(scenario, prepared)) {
    mkdirSync(dir, { recursive: true });
    const argv = commandFor(spec, dir);
    opts.log(`preparing the data of ${spec.name} (${argv.slice(3).join(' ')})`);
    const sub = execa(argv[0] as string, argv.slice(1), {
      cwd: dir,
      reject: false,
      lines: true,
      stdin: 'ignore',
    });
    // Listen to the lines without consuming the stream: breaking out of `for await` over an execa
    // subprocess waits for it to end, and the workload must still print its final line later.
    const ready = new Promise<boolean>((resolve) => {
      createInterface({ input: sub.stdout }).on(
        'line',
        (l) => l.startsWith('{"type":"ready"') && resolve(true),
      );
      void sub.then(() => resolve(false));
    });
    const wasReady = await deadline(ready, opts.timeoutMs).catch(() => false);
    sub.kill('SIGTERM');
    const r = await sub;
    if (!wasReady || r.exitCode !== 0) {
      const tail = (r.stderr as string[] | undefined)?.slice(-3).join(' | ') ?? '';
      throw new HostError(
        'ISOBENCH_DATA_TEMPLATE',
        `could not prepare the data of ${spec.name} in ${dir} (${wasReady ? `exit ${r.exitCode ?? r.signal}` : 'not ready'}): ${tail}`,
      );
    }
  }
}

function regularFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return regularFiles(p);
    return e.isFile() ? [p] : [];
  });
}

export interface TrialData {
  /** Container name -> its data dir in this trial. */
  dirs: Record<string, string>;
  /**
   * Resolves when `name`'s data is in its starting state: its copy made, or (for a shared
   * template) the host settled and the shared files dropped from the page cache; at once for an
   * empty dir. A container starts when its own data is ready, not when every container's is.
   */
  readyFor(name: string): Promise<void>;
  /** Every copy made, then writeback drained and the shared files dropped. */
  settled: Promise<Settled>;
  remove(): Promise<void>;
}

/**
 * The trial's data dirs (a copy of the template, `cp -a` so that owners stay, as PostgreSQL's data
 * needs; an empty dir; or the shared template), then the host settled: dirty pages written and
 * drained, shared files dropped from the page cache. Returns at once: the copies run in the
 * background, each container's readiness is its own promise (readyFor), so that a container with
 * no data to copy starts while another's copy is made.
 */
export function freshData(
  prepared: Record<string, Prepared>,
  t: PlannedTrial,
  signal: AbortSignal,
  /** Work to finish before the host is settled (the previous trial's data removal). */
  after: Promise<void> = Promise.resolve(),
): TrialData {
  const dirs: Record<string, string> = {};
  const shared: string[] = [];
  const sharedBy: string[] = [];
  const copies = new Map<string, Promise<void>>();
  const own = join(Object.values(prepared)[0]?.trialsRoot ?? '.', t.id);
  // Renamed at once, deleted at leisure: the path is free for a rerun of the same trial even
  // while the old copy is still being deleted in the background.
  const remove = async () => {
    const doomed = `${own}.removed-${process.hrtime.bigint()}`;
    try {
      renameSync(own, doomed);
    } catch {
      return; // never made (or already gone)
    }
    await rm(doomed, { recursive: true, force: true });
  };
  // Checked before any copy starts: a throw here leaves nothing behind to remove.
  const missing = t.containers.find((spec) => !prepared[spec.name]);
  if (missing) throw new HostError('ISOBENCH_DATA_TEMPLATE', `no prepared data for ${missing.name}`);
  for (const spec of t.containers) {
    const prep = prepared[spec.name] as Prepared;
    const dir = dataDirFor(prep, t.id, spec.name);
    dirs[spec.name] = dir;
    if (prep.state === 'template' && prep.templateDir) {
      mkdirSync(own, { recursive: true });
      copies.set(spec.name, copyTemplate(prep.templateDir, dir, signal));
    } else if (prep.state === 'shared' && prep.templateDir) {
      shared.push(...regularFiles(prep.templateDir).filter((f) => statSync(f).size > 0));
      sharedBy.push(spec.name);
    } else mkdirSync(dir, { recursive: true });
  }
  const settled = Promise.all([after, ...copies.values()]).then(async () => {
    const st = await settleWriteback({ signal });
    // After the sync: only clean pages can be dropped.
    for (const f of shared) await dropFileCache(f);
    return st;
  });
  // Whoever awaits them reports a failure; these keep an unawaited one from crashing the process.
  settled.catch(() => {});
  for (const p of copies.values()) p.catch(() => {});
  const gates = new Map<string, Promise<void>>(copies);
  for (const name of sharedBy)
    gates.set(
      name,
      settled.then(() => {}),
    );
  return { dirs, settled, readyFor: (name) => gates.get(name) ?? Promise.resolve(), remove };
}

async function copyTemplate(from: string, to: string, signal: AbortSignal): Promise<void> {
  const r = await execa('cp', ['-a', '--reflink=auto', from, to], { reject: false, cancelSignal: signal });
  if (signal.aborted) throw signal.reason;
  if (r.exitCode !== 0) throw new HostError('ISOBENCH_DATA_COPY', `cp ${from} ${to}: ${r.stderr}`);
}
