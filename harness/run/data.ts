/**
 * Fresh state for every trial (see DataState in workloads/adapters.ts): the run's templates are
 * made once, before the first trial; each trial gets its own data dirs (a copy of the template,
 * or an empty dir), made before it starts and removed after it; and before each trial writeback
 * is drained and shared files are dropped from the page cache, so that no trial inherits the
 * previous one's dirty pages or warm cache.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
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
  settled: Settled;
  remove(): void;
}

/**
 * The trial's data dirs (a copy of the template, `cp -a` so that owners stay, as PostgreSQL's data
 * needs; an empty dir; or the shared template), then the host settled: shared files dropped from
 * the page cache, dirty pages written and drained.
 */
export async function freshData(
  prepared: Record<string, Prepared>,
  t: PlannedTrial,
  signal: AbortSignal,
): Promise<TrialData> {
  const dirs: Record<string, string> = {};
  const shared: string[] = [];
  const own = join(Object.values(prepared)[0]?.trialsRoot ?? '.', t.id);
  const remove = () => rmSync(own, { recursive: true, force: true });
  try {
    for (const spec of t.containers) {
      const prep = prepared[spec.name];
      if (!prep) throw new HostError('ISOBENCH_DATA_TEMPLATE', `no prepared data for ${spec.name}`);
      const dir = dataDirFor(prep, t.id, spec.name);
      dirs[spec.name] = dir;
      if (prep.state === 'template' && prep.templateDir) {
        mkdirSync(own, { recursive: true });
        const r = await execa('cp', ['-a', '--reflink=auto', prep.templateDir, dir], { reject: false });
        if (r.exitCode !== 0)
          throw new HostError('ISOBENCH_DATA_COPY', `cp ${prep.templateDir} ${dir}: ${r.stderr}`);
      } else if (prep.state === 'shared' && prep.templateDir) {
        shared.push(...regularFiles(prep.templateDir).filter((f) => statSync(f).size > 0));
      } else mkdirSync(dir, { recursive: true });
    }
    const settled = await settleWriteback({ signal });
    // After the sync: only clean pages can be dropped.
    for (const f of shared) await dropFileCache(f);
    return { dirs, settled, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
