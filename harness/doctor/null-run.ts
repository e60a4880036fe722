/**
 * The null experiment: `isobench run` (the real runner, as a child process) of a scenario whose
 * co-located phase puts the web server next to an idle neighbour (`sleep`), against the web
 * server alone, 6 repetition blocks. Nothing in the neighbour competes, so the p50 latency
 * slowdown (co-located / solo within each block: Hodges-Lehmann estimate, Wilcoxon signed-rank
 * 95% interval, as every run reports it) must have an interval that contains 1. An interval
 * that excludes 1 says that the harness itself makes the co-located phase differ (the way it
 * starts, orders or measures trials), or that the host drifted in step with the phases.
 *
 * A true 95% interval misses 1 in about 1 run in 20 (with 6 blocks, 2 in 64) on a perfect host:
 * the check is run once more before it fails, and says so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readResults } from '../results/reader.js';
import type { Estimate } from '../results/types.js';
import { inScope } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge } from './verdict.js';

export const BLOCKS = 6;

export const SCENARIO = `# isobench doctor: the null experiment
name: doctor-null
duration: 1500ms
warmup: 500ms
repetitions: ${BLOCKS}
containers:
  web:
    workload: web
    params: { working-set: 16MiB }
    load: { rate: 400, connections: 8 }
  idle:
    command: [sleep, "3600"]
    aggressor: true
phases:
  - { name: solo-web, kind: solo, containers: [web] }
  - { name: colocated, kind: colocated, containers: [web, idle] }
`;

export function evaluateNull(e: Estimate | null, okTrials: number, trials: number): Verdict {
  const has = e !== null && e.low !== null && e.high !== null && e.median !== null;
  const shown = has
    ? `${e.median?.toFixed(3)}x [${e.low?.toFixed(3)}, ${e.high?.toFixed(3)}]`
    : 'no interval';
  return judge(
    [
      {
        ok: has,
        what: has ? `${e?.n} blocks` : `no 95% interval (${e?.n ?? 0} complete blocks; 6 are needed)`,
      },
      {
        ok: has && (e?.low ?? 2) <= 1 && (e?.high ?? 0) >= 1,
        what: `p50 slowdown ${shown} ${has && (e?.low ?? 2) <= 1 && (e?.high ?? 0) >= 1 ? 'contains' : 'does not contain'} 1`,
      },
    ],
    {
      expected: 'web p50 slowdown next to an idle neighbour: a 95% interval that contains 1',
      measured: `${shown} (${okTrials} of ${trials} trials ok)`,
      tolerance: '95% interval (Wilcoxon signed-rank, as isobench run reports it)',
      figures: { median: e?.median ?? null, low: e?.low ?? null, high: e?.high ?? null, blocks: e?.n ?? 0 },
    },
  );
}

/** dist/harness/cli.js, beside this module's parent once built. */
function cliPath(): string {
  return fileURLToPath(new URL('../cli.js', import.meta.url));
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  return inScope(ctx, async (s) => {
    const dir = s.tempDir(ctx.io?.dir ?? '/tmp');
    const file = join(dir, 'doctor-null.yaml');
    writeFileSync(file, SCENARIO);
    const out = join(dir, 'results');
    const args = [cliPath(), 'run', file, '--out', out, '--json'];
    // On v2 the run gets an empty cgroup of the doctor's as its parent: it could not enable
    // controllers in the doctor's own cgroup, which holds the doctor (no-internal-process rule),
    // a process the run did not start. v1 has no such rule, and its hierarchies may place the
    // doctor at different paths, which one --cgroup-parent could not name.
    if (ctx.mode === 'v2') args.push('--cgroup-parent', (await s.driver.create('null')).path);
    else if (ctx.cgroupParent) args.push('--cgroup-parent', ctx.cgroupParent);
    const r = await execa(process.execPath, args, {
      reject: false,
      stdin: 'ignore',
      cancelSignal: ctx.signal,
    });
    if (r.exitCode !== 0)
      throw new Error(
        `isobench run exited ${r.exitCode}: ${String(r.stderr).trim().split('\n').slice(-3).join(' ')}`,
      );
    const results = readResults(out);
    const e = results.cells[0]?.containers.web?.slowdown?.latencyP50Us ?? null;
    const ok = results.trials.filter((t) => t.status === 'ok').length;
    return evaluateNull(e, ok, results.trials.length);
  });
}
