/**
 * Hostile environments and containment: each case runs a real scenario and reports what happened
 * (exit, message, trials kept, leaks) and whether that is the behaviour wanted.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialRecord } from '../results/types.js';
import { checkTrialLines, scenarioFile } from './kills.js';
import { countLeaks, type Leaks, totalLeaks } from './leaks.js';
import { runCli, Watched } from './observe.js';
import { commandScenario } from './scenario.js';

export interface CaseResult {
  name: string;
  ok: boolean;
  exit: string;
  leaks: Leaks;
  what: string;
}

/** `quick`: only the cheap cases (read-only out, escaping children, a flood of non-JSON), for npm test. */
type Ctx = { root: string; log: (l: string) => void; quick?: boolean };

const exitOf = (f: { code: number | null; signal: string | null; timedOut: boolean }) =>
  f.timedOut ? 'hang' : (f.signal ?? String(f.code));
const lastLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('['))
    .slice(-1)[0] ?? '';
const hasStack = (s: string) => /\n\s+at .+:\d+:\d+\)?/.test(s);

function trialsOf(out: string): TrialRecord[] {
  try {
    return readFileSync(join(out, 'trials.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as TrialRecord);
  } catch {
    return [];
  }
}

/** Runs `yaml` (written into the case's folder) with --out; returns the run's facts. */
async function runCase(ctx: Ctx, name: string, yaml: string | null, out: string, extra: string[] = []) {
  const dir = join(ctx.root, 'hostile', name);
  mkdirSync(dir, { recursive: true });
  const file = yaml === null ? scenarioFile(ctx.root) : join(dir, 'scenario.yaml');
  if (yaml !== null) writeFileSync(file, yaml);
  const w = new Watched(['run', file, '--out', out, ...extra], out, { timeoutMs: 120_000 });
  const f = await w.finished();
  return { w, f, leaks: await countLeaks([...w.runIds], [out], ctx.root), trials: trialsOf(out) };
}

function withTmpfs<T>(dir: string, options: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'isobench-torture', dir]);
  return fn().finally(() => execFileSync('umount', ['-l', dir]));
}

const statuses = (ts: TrialRecord[]) =>
  ts
    .map((t) => `${t.id} ${t.status}${t.status === 'failed' ? ` (${t.reason.slice(0, 90)})` : ''}`)
    .join('; ');

export async function hostileCases(ctx: Ctx): Promise<CaseResult[]> {
  const r: CaseResult[] = [];
  const push = (c: CaseResult) => {
    r.push(c);
    ctx.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: exit ${c.exit}; ${c.what}`);
  };

  const all = !ctx.quick;
  // Disk full: the results folder on a 96 KiB tmpfs.
  const full = join(ctx.root, 'hostile', 'full');
  if (all)
    await withTmpfs(full, 'size=96k', async () => {
      const out = join(full, 'out');
      const { f, leaks } = await runCase(ctx, 'disk-full', null, out);
      const lines = checkTrialLines(out);
      push({
        name: 'results disk full (96 KiB tmpfs as --out)',
        ok:
          f.code !== 0 &&
          !hasStack(f.stderr) &&
          lines.corrupt === 0 &&
          totalLeaks(leaks) === 0 &&
          !f.timedOut,
        exit: exitOf(f),
        leaks,
        what: `${lines.ok} trial lines intact, ${lines.corrupt} corrupt; "${lastLine(f.stderr)}"`,
      });
    });

  // Read-only output dir.
  const ro = join(ctx.root, 'hostile', 'ro');
  await withTmpfs(ro, 'ro,size=64k', async () => {
    const { f, leaks, w } = await runCase(ctx, 'read-only', null, join(ro, 'out'));
    push({
      name: 'read-only output dir',
      // The kernel's reason, not Node's recursive mkdir's ENOENT (harness/mkdirs.ts).
      ok:
        f.code === 2 &&
        w.runIds.size === 0 &&
        !hasStack(f.stderr) &&
        /read-only file system.*EROFS/.test(f.stderr),
      exit: exitOf(f),
      leaks,
      what: `nothing registered: ${w.runIds.size === 0}; "${lastLine(f.stderr)}"`,
    });
  });

  const cases: [string, string, (ts: TrialRecord[], exit: string) => boolean][] = [
    [
      'workload ignoring SIGTERM',
      `trap '' TERM; while :; do sleep 0.1; done`,
      (ts, exit) => ts.length === 1 && exit !== 'hang',
    ],
    [
      'workload whose children escape to a new session',
      `setsid sh -c 'while :; do sleep 1; done' ${join(ctx.root, 'escapee')} & setsid sleep 3000 & while :; do sleep 0.1; done`,
      (ts) => ts.length === 1,
    ],
    [
      'workload printing 8 MB of non-JSON on stdout',
      `yes 'not json at all' | head -c 8000000; while :; do sleep 0.1; done`,
      (ts) => ts.length === 1,
    ],
  ];
  for (const [name, script, good] of all ? cases : cases.slice(1)) {
    const out = join(ctx.root, 'hostile', name.split(' ').slice(0, 3).join('-'), 'out');
    const { f, leaks, trials } = await runCase(
      ctx,
      name.split(' ').slice(0, 3).join('-'),
      commandScenario('hostile', script),
      out,
    );
    push({
      name,
      ok: good(trials, exitOf(f)) && totalLeaks(leaks) === 0 && !hasStack(f.stderr),
      exit: exitOf(f),
      leaks,
      what: statuses(trials),
    });
  }

  if (!all) return r;
  // Two runs at once, distinct folders, and two at once into one folder.
  {
    const a = join(ctx.root, 'hostile', 'two', 'a');
    const b = join(ctx.root, 'hostile', 'two', 'b');
    const [x, y] = await Promise.all([runCase(ctx, 'two-a', null, a), runCase(ctx, 'two-b', null, b)]);
    const leaks = await countLeaks([...x.w.runIds, ...y.w.runIds], [a, b], ctx.root);
    push({
      name: 'two isobench run at once',
      ok:
        x.f.code === 0 &&
        y.f.code === 0 &&
        x.trials.length === 2 &&
        y.trials.length === 2 &&
        totalLeaks(leaks) === 0,
      exit: `${exitOf(x.f)} and ${exitOf(y.f)}`,
      leaks,
      what: `${x.trials.length} + ${y.trials.length} trials; ${x.f.code === 0 ? '' : lastLine(x.f.stderr)} ${y.f.code === 0 ? '' : lastLine(y.f.stderr)}`,
    });
    const same = join(ctx.root, 'hostile', 'two', 'same');
    const [p, q] = await Promise.all([
      runCase(ctx, 'same-a', null, same),
      runCase(ctx, 'same-b', null, same),
    ]);
    const codes = [p.f.code, q.f.code].sort();
    const [winner, loser] = p.f.code === 2 ? [q, p] : [p, q];
    push({
      name: 'two isobench run at once into one --out',
      ok: codes[0] === 0 && codes[1] === 2 && winner.trials.length === 2 && !hasStack(loser.f.stderr),
      exit: `${exitOf(p.f)} and ${exitOf(q.f)}`,
      leaks: await countLeaks([...p.w.runIds, ...q.w.runIds], [same], ctx.root),
      what: `one refused: "${lastLine(loser.f.stderr)}"`,
    });
  }

  // isobench cleanup while another run is live: it must leave that run alone.
  {
    const out = join(ctx.root, 'hostile', 'live', 'out');
    mkdirSync(join(ctx.root, 'hostile', 'live'), { recursive: true });
    const w = new Watched(['run', scenarioFile(ctx.root), '--out', out], out);
    while (w.snapshot().cgroups === 0 && w.child.exitCode === null)
      await new Promise((res) => setTimeout(res, 20));
    const c = await runCli(['cleanup']);
    const f = await w.finished();
    const trials = trialsOf(out);
    const leaks = await countLeaks([...w.runIds], [out], ctx.root);
    const mine = [...w.runIds].some(
      (id) => c.stdout.includes(`left alone: runs still alive:`) && c.stdout.includes(id),
    );
    push({
      name: 'isobench cleanup while another run is live',
      ok:
        c.code === 0 && mine && f.code === 0 && trials.every((t) => t.status === 'ok') && trials.length === 2,
      exit: `cleanup ${c.code}, run ${exitOf(f)}`,
      leaks,
      what: `run's trials: ${statuses(trials)}; cleanup named it as live: ${mine}`,
    });
  }
  return r;
}
