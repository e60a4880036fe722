/**
 * The benchmark suite runs: each benchmark once (--iterations 1) through the CLI, and produces its
 * fields. Benchmarks are not timed tests: nothing here asserts on a duration or a ratio's value.
 * The load generator's benchmark (bench:load, minutes of steps) runs in `npm run bench` only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { isobench, itWhen, leftoverCgroups, missingRoot } from '../testing/support.js';
import type { BenchFile } from './types.js';

const test = itWhen(missingRoot());
const dir = mkdtempSync(join(tmpdir(), 'isobench-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const QUICK = ['startup', 'container', 'cgroup', 'sampler', 'trial', 'report'];
const PEERS: Record<string, string[]> = {
  startup: ['node -e 0'],
  container: ['unshare', 'lxc-execute', 'runc', 'crun'],
  cgroup: ['bare fs calls'],
  sampler: ['cat loop'],
  trial: ['sum of parts started alone'],
  report: ['read results.json'],
};

describe('isobench bench', () => {
  test('runs each benchmark once and writes its fields to bench.json; --baseline compares two', async () => {
    const out = join(dir, 'bench.json');
    const args = ['bench', '--iterations', '1', '--out', out, ...QUICK.flatMap((n) => ['--only', n])];
    const r = await isobench(args, { timeoutMs: 300_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^benchmark\s+task\s+median\s+p99\s+samples\s+peer\s+ratio\s+goal/);
    const file = JSON.parse(readFileSync(out, 'utf8')) as BenchFile;
    expect(file.schema).toBe('isobench-bench/1');
    expect(file.host.kernel).toBeTruthy();
    expect(file.options).toEqual({ iterations: 1, only: QUICK });
    expect(file.benchmarks.map((b) => b.name)).toEqual(QUICK);
    for (const b of file.benchmarks) {
      if (b.status !== 'ok') throw new Error(`${b.name}: ${b.status}: ${b.reason}`);
      expect(b.ours.median, b.name).toBeGreaterThan(0);
      expect(b.ours.samples, b.name).toBeGreaterThanOrEqual(1);
      expect(b.peers.map((p) => p.name).sort(), b.name).toEqual([...(PEERS[b.name] ?? [])].sort());
      for (const p of b.peers) {
        if (p.status === 'ok') expect(b.ratios[p.name], `${b.name} vs ${p.name}`).toBeGreaterThan(0);
        else expect(p.reason, `${b.name} vs ${p.name}`).not.toBe('');
      }
      for (const g of b.goals) expect([true, false, null], `${b.name}: ${g.text}`).toContain(g.pass);
      // The host's steal over the benchmark's run, from /proc/stat (which has it on every kernel here).
      expect(b.stealCores, b.name).toBeGreaterThanOrEqual(0);
    }
    const bench = Object.fromEntries(file.benchmarks.map((b) => [b.name, b]));
    // The bare unshare needs nothing but util-linux: it is always measured.
    expect(bench.container?.status === 'ok' && bench.container.ratios.unshare).toBeGreaterThan(0);
    expect(bench.report?.status === 'ok' && bench.report.figures.htmlBytes).toBeGreaterThan(0);

    const again = await isobench(
      [
        'bench',
        '--iterations',
        '1',
        '--only',
        'cgroup',
        '--baseline',
        out,
        '--json',
        '--out',
        join(dir, 'b2.json'),
      ],
      { timeoutMs: 120_000 },
    );
    expect(again.exitCode, again.stderr).toBeLessThanOrEqual(1);
    const json = JSON.parse(again.stdout) as { baseline: { name: string; peer: string | null }[] };
    expect(json.baseline).toEqual([expect.objectContaining({ name: 'cgroup', peer: 'bare fs calls' })]);
    expect(leftoverCgroups()).toEqual([]);
  });

  test('bad input exits 2 before anything runs', async () => {
    for (const args of [
      ['bench', '--only', 'nope'],
      ['bench', '--iterations', '0'],
      ['bench', '--baseline', join(dir, 'missing.json')],
    ]) {
      const r = await isobench(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^isobench: ISOBENCH_BAD_/);
    }
  });
});
