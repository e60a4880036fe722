/**
 * `isobench run` end to end on this machine: the default scenario writes every file; a workload
 * killed mid-trial is a failed trial and the run goes on; Ctrl-C keeps what is done and leaves
 * nothing behind; a bad scenario creates nothing.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect } from 'vitest';
import { pidsIn } from '../cgroup/teardown.js';
import { scanCgroups } from '../cleanup.js';
import { readResults, readTrials } from '../results/reader.js';
import { stateDir } from '../teardown/registry.js';
import {
  CLI,
  isobench,
  itWhen,
  leftoverCgroups,
  missingRoot,
  newCgroupsNamed,
  OPEN_GUARDS,
  ROOT,
} from '../testing/support.js';
import { onlineCpus } from './cpus.js';

const test = itWhen(missingRoot());
const here = join(ROOT, 'harness/run/testdata');
const dirs: string[] = [];
function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'isobench-run-test-'));
  dirs.push(d);
  return join(d, 'out');
}

describe('isobench run', () => {
  test('the default scenario, short, writes every file of the results folder', async () => {
    const out = outDir();
    const r = await isobench(
      [
        'run',
        '--duration',
        '3s',
        '--warmup',
        '1s',
        '--repetitions',
        '1',
        '--out',
        out,
        '--json',
        ...OPEN_GUARDS,
      ],
      { timeoutMs: 600_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    // `run` writes the report itself: no test may render it on the run's behalf.
    for (const f of [
      'results.json',
      'trials.jsonl',
      'samples.csv',
      'summary.csv',
      'report.html',
      'summary.md',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(existsSync(join(out, 'work'))).toBe(false); // data dirs are removed with the run
    const results = readResults(out);
    expect(results.status).toBe('complete');
    expect(results.scenario.text).toContain('name: web-vs-db');
    expect(results.cells.map((c) => c.name)).toEqual(['no-limits', 'isolated']);
    expect(results.trials).toHaveLength(6); // 2 cells x 3 phases x 1 repetition
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('web-vs-db');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('web-vs-db');
    expect(readTrials(out)).toHaveLength(6);
    for (const t of results.trials) expect(t.status, t.status === 'failed' ? t.reason : '').toBe('ok');
    // On a host with fewer than 4 CPUs the generators share them, and in every trial that loads
    // the web server their cgroup gets the highest CPU weight, read back from the kernel
    // (cpu.shares 262144 on v1, cpu.weight 10000 on v2); solo-db has no generator.
    const shared = onlineCpus().length < 4;
    for (const t of results.trials) {
      const loaded = t.phase.name !== 'solo-db';
      expect(t.measure?.loadgen !== null, t.id).toBe(loaded);
      expect(t.measure?.harnessCpus, t.id).toEqual(shared ? null : expect.any(String));
      expect(t.measure?.loadgenCpuWeight, t.id).toBe(shared && loaded ? 10_000 : null);
    }
    const isolated = results.cells[1];
    // The limits the kernel read back are recorded with each trial.
    const db = results.trials
      .find((t) => t.cell.id === isolated?.id && t.phase.kind === 'colocated')
      ?.containers.find((c) => c.name === 'db');
    expect(db?.limits.applied['io.max.wbps']?.value).toBe(String(40 * 1024 * 1024));
    for (const cell of results.cells) {
      expect(cell.containers.web?.slowdown?.latencyP99Us?.median).toBeGreaterThan(0);
      expect(cell.containers.db?.slowdown?.txnPerSec?.median).toBeGreaterThan(0);
      expect(cell.containers.web?.solo?.metrics.throughputRps?.median).toBeGreaterThan(0);
      expect(cell.containers.db?.colocated?.cgroup.ioWriteBytes?.median).toBeGreaterThan(0);
    }
    const head = JSON.parse(r.stdout.trim().split('\n').at(-1) as string);
    expect(head).toMatchObject({ resultsDir: out, status: 'complete', trials: { ok: 6, failed: 0 } });
    const samples = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n');
    expect(samples.length).toBeGreaterThan(6 * 3);
    expect(results.host.cgroup.mode).toBeTruthy();
  });

  test('a workload killed mid-trial is a failed trial with its reason, the run completes, exit 1', async () => {
    const out = outDir();
    const r = await isobench(['run', join(here, 'killed.yaml'), '--out', out, ...OPEN_GUARDS]);
    // Exit 1: the run finished with a failed trial (harness/run/exit-status.ts).
    expect(r.exitCode, r.stderr).toBe(1);
    const results = readResults(out);
    expect(results.status).toBe('complete');
    expect(results.trials.map((t) => t.status).sort()).toEqual(['failed', 'ok']);
    const failed = results.trials.find((t) => t.status === 'failed');
    expect(failed?.status === 'failed' && failed.reason).toMatch(
      /^victim died of SIGKILL during the measurement/,
    );
    expect(results.cells[0]?.containers.victim?.colocated?.failed).toBe(1);
  });

  test('an aggressor that dies mid-trial is recorded and the trial stays ok', async () => {
    const out = outDir();
    const r = await isobench(['run', join(here, 'aggressor.yaml'), '--out', out, ...OPEN_GUARDS]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/no solo phase/);
    const results = readResults(out);
    expect(results.trials.map((t) => t.status)).toEqual(['ok', 'ok']);
    const co = results.trials.find((t) => t.phase.kind === 'colocated');
    expect(co?.containers.find((c) => c.name === 'hog')?.exit).toMatchObject({
      signal: 'SIGKILL',
      oomKilled: false,
    });
  });

  test("an aggressor OOM-killed under memory.max counts in the trial's oomKills, warmup included", async () => {
    const out = outDir();
    const r = await isobench(['run', join(here, 'oom.yaml'), '--out', out, ...OPEN_GUARDS]);
    expect(r.exitCode, r.stderr).toBe(0);
    const [trial] = readResults(out).trials;
    expect(trial?.status).toBe('ok');
    const bomb = trial?.containers.find((c) => c.name === 'bomb');
    expect(bomb?.exit).toMatchObject({ signal: 'SIGKILL', oomKilled: true });
    // Before: 0 whenever the kill came before the window opened (a difference over the window).
    expect(bomb?.cgroup.oomKills).toBeGreaterThanOrEqual(1);
    expect(bomb?.cgroup.memoryPeakBytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(trial?.containers.find((c) => c.name === 'steady')?.cgroup.oomKills).toBe(0);
    expect(leftoverCgroups()).toEqual([]);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    test(`${sig} as soon as the run has created its first file: exit 130, results.json interrupted, nothing left`, async () => {
      const out = outDir();
      const stateFiles = () =>
        existsSync(stateDir()) ? readdirSync(stateDir()).filter((f) => f.endsWith('.json')) : [];
      const before = new Set(stateFiles());
      // strace holds isobench for 2 s right after its first rename(2): the registry's state file,
      // the first thing it creates beside the results folder. A signal then used to meet no handler
      // (they came later): isobench died of it and left /run/isobench/<run>.json behind.
      const child = execa(
        'strace',
        [
          '-o',
          '/dev/null',
          '-e',
          'inject=rename,renameat,renameat2:delay_exit=2000000:when=1',
          'node',
          CLI,
          'run',
          join(here, 'interrupt.yaml'),
          '--out',
          out,
          ...OPEN_GUARDS,
        ],
        { reject: false, cwd: ROOT },
      );
      let owner: number | null = null;
      for (let i = 0; i < 400 && owner === null; i++) {
        const fresh = stateFiles().find((f) => !before.has(f));
        if (fresh)
          owner = (JSON.parse(readFileSync(join(stateDir(), fresh), 'utf8')) as { ownerPid: number })
            .ownerPid;
        else await new Promise((res) => setTimeout(res, 25));
      }
      expect(owner, 'no registry state file appeared').not.toBeNull();
      process.kill(owner as number, sig);
      const r = await child;
      expect(r.exitCode, r.stderr).toBe(130);
      expect(r.stderr).toContain(`${sig}: stopping`);
      expect(readResults(out)).toMatchObject({ status: 'interrupted', trials: [] });
      expect(stateFiles().filter((f) => !before.has(f))).toEqual([]);
      expect(existsSync(join(out, 'work'))).toBe(false);
      expect(leftoverCgroups()).toEqual([]);
    });

  test('SIGINT mid-run keeps the finished trials, writes the summaries, leaves nothing behind', async () => {
    const before = new Set(scanCgroups().keys());
    const out = outDir();
    const child = execa('node', [CLI, 'run', join(here, 'interrupt.yaml'), '--out', out, ...OPEN_GUARDS], {
      reject: false,
      cwd: ROOT,
    });
    const seenPids = new Set<number>();
    for (let i = 0; i < 2400; i++) {
      for (const [, d] of newCgroupsNamed(before, /-(a|b)$/))
        for (const p of await pidsIn(d[0] as string)) seenPids.add(p);
      const lines = existsSync(join(out, 'trials.jsonl'))
        ? readFileSync(join(out, 'trials.jsonl'), 'utf8').trim()
        : '';
      if (lines && seenPids.size > 0 && newCgroupsNamed(before, /./).size > 0) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(130);
    const results = readResults(out);
    expect(results.status).toBe('interrupted');
    expect(results.trials.length).toBeGreaterThanOrEqual(1);
    expect(results.trials.length).toBeLessThan(8);
    expect(readTrials(out)).toHaveLength(results.trials.length);
    expect(leftoverCgroups()).toEqual([]);
    expect(seenPids.size).toBeGreaterThan(0);
    for (const p of seenPids)
      expect(
        existsSync(`/proc/${p}`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z '),
        `pid ${p}`,
      ).toBe(false);
  });

  test('--variant runs the variants interleaved into one results folder each', async () => {
    const out = outDir();
    const r = await isobench([
      'run',
      join(here, 'variants.yaml'),
      ...OPEN_GUARDS,
      '--out',
      out,
      '--variant',
      'base',
      '--variant',
      'capped:containers.a.limits.cpu.weight=50',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const base = readResults(join(out, 'base'));
    const capped = readResults(join(out, 'capped'));
    expect(base.trials.map((t) => t.id)).toEqual(capped.trials.map((t) => t.id));
    expect(base.scenario.seed).toBe(capped.scenario.seed);
    // Interleaved: the two variants' trials alternate in time.
    const all = [
      ...base.trials.map((t) => ['base', t.startedAt]),
      ...capped.trials.map((t) => ['capped', t.startedAt]),
    ].sort((x, y) => (x[1] as string).localeCompare(y[1] as string));
    const switches = all.slice(1).filter((x, i) => x[0] !== all[i]?.[0]).length;
    expect(switches).toBeGreaterThanOrEqual(base.trials.length);
    const a = (res: typeof base) => res.trials[0]?.containers.find((c) => c.name === 'a');
    expect(a(capped)?.limits.applied['cpu.weight']?.value).toBe('50');
    expect(a(base)?.limits.applied['cpu.weight']).toBeUndefined();
    // The folders name their invocation, so compare pairs their trials.
    expect(base.variant).toMatchObject({ name: 'base', variants: ['base', 'capped'] });
    expect(capped.variant?.group).toBe(base.variant?.group);
  });

  test('--precision runs blocks until the target or the maximum, and records every look', async () => {
    const out = outDir();
    // No container measures a primary figure here, so the target is never reached: the run
    // takes a look after blocks 2 and 3 and stops at its maximum, saying so.
    const r = await isobench([
      'run',
      join(here, 'variants.yaml'),
      ...OPEN_GUARDS,
      '--out',
      out,
      '--precision',
      '5%',
      '--max-repetitions',
      '3',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^look 1 after 2 blocks: no interval yet; continue$/m);
    expect(r.stdout).toMatch(/^sequential: target not reached: stopped at the maximum of 3 blocks/m);
    const res = readResults(out);
    expect(res.trials).toHaveLength(6); // 3 blocks x 2 phases
    expect(res.scenario).toMatchObject({ repetitions: 3, totalTrials: 6 });
    expect(res.sequential?.rule).toMatchObject({
      kind: 'precision',
      precision: 0.05,
      minRepetitions: 2,
      maxRepetitions: 3,
    });
    expect(res.sequential?.looks.map((l) => [l.repetitions, l.decision])).toEqual([
      [2, 'continue'],
      [3, 'stop'],
    ]);
    expect(res.sequential?.stop).toMatchObject({
      reason: 'max-repetitions',
      repetitions: 3,
      targetReached: false,
    });
  });

  test('a sequential run cannot be sharded: exit 2 before anything is created', async () => {
    const out = outDir();
    const r = await isobench([
      'run',
      join(here, 'variants.yaml'),
      '--out',
      out,
      '--precision',
      '5%',
      '--shard',
      '1/2',
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/a sequential run .* cannot be sharded/);
    expect(existsSync(out)).toBe(false);
  });

  test('a busy host makes trials invalid: recorded with the guard, left out, each rerun once', async () => {
    const out = outDir();
    // A busy loop outside every cgroup of the run: CPU the foreignCpu guard (0.2 cores) must see.
    const burner = execa(process.execPath, ['-e', 'for (;;) {}'], { reject: false });
    try {
      const r = await isobench(['run', join(here, 'guarded.yaml'), '--out', out, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const results = readResults(out);
      expect(results.trials.map((t) => [t.id, t.status, t.measure?.attempt])).toEqual([
        ['c1-solo-idle-r1', 'invalid', 1],
        ['c1-solo-idle-r1', 'invalid', 2],
        ['c1-solo-idle-r2', 'invalid', 1],
        ['c1-solo-idle-r2', 'invalid', 2],
      ]);
      for (const t of results.trials) {
        expect(t.status === 'invalid' && t.reason).toMatch(
          /^processes outside the trial used \d\.\d\d cores/,
        );
        expect(t.measure?.guards.find((g) => g.name === 'foreignCpu')?.ok).toBe(false);
      }
      expect(readTrials(out)).toHaveLength(4);
      const solo = results.cells[0]?.containers.idle?.solo;
      expect(solo?.invalid).toHaveLength(4);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1) as string).trials).toEqual({
        ok: 0,
        failed: 0,
        invalid: 4,
      });
    } finally {
      burner.kill('SIGKILL');
    }
  });

  test('a malformed scenario: FILE:LINE:COL errors, exit 2, nothing created', async () => {
    const out = outDir();
    const r = await isobench([
      'run',
      join(ROOT, 'harness/scenario/testdata/bad/bad-size.yaml'),
      '--out',
      out,
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad-size\.yaml:\d+:\d+ containers\.\w+\.limits\.memory\.max: .*"lots"/);
    expect(existsSync(out)).toBe(false);
    expect(leftoverCgroups()).toEqual([]);
  });

  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
});
