/**
 * `isobench bench` / `npm run bench`: isobench's own costs, each against a peer measured in the
 * same run, as a table and as bench.json (host fingerprint, figures, ratios, goals).
 * Speed is measured here, never asserted in tests: the tests only run each benchmark once.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { quote, UsageError } from '../errors.js';
import { collectHost } from '../host/fingerprint.js';
import { isobenchVersion } from '../host/version.js';
import { readHostCpu } from '../run/host-sample.js';
import { compareBench, formatComparison, readBenchFile } from './baseline.js';
import { cgroupBench } from './cgroup.js';
import { containerBench } from './container.js';
import { loadBench } from './load.js';
import { reportBench } from './report.js';
import { samplerBench } from './sampler.js';
import { startupBench } from './startup.js';
import { withSteal } from './steal.js';
import { formatTable } from './table.js';
import { trialBench } from './trial.js';
import type { BenchFile, Benchmark, BenchResult } from './types.js';

/** In the order they run: the short ones first, the load generator's minutes last. */
export const BENCHMARKS: Benchmark[] = [
  startupBench,
  containerBench,
  cgroupBench,
  samplerBench,
  trialBench,
  reportBench,
  loadBench,
];
export const BENCHMARK_NAMES = BENCHMARKS.map((b) => b.name);
export const DEFAULT_ITERATIONS = 30;

export interface BenchOptions {
  json?: boolean;
  only?: string[];
  baseline?: string;
  iterations?: string;
  out?: string;
}

function parseIterations(v: string | undefined): number {
  if (v === undefined) return DEFAULT_ITERATIONS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(
      'ISOBENCH_BAD_ITERATIONS',
      `--iterations: expected a positive integer, got ${quote(v)}`,
    );
  return n;
}

function selected(only: string[] | undefined): Benchmark[] {
  if (!only?.length) return BENCHMARKS;
  for (const name of only)
    if (!BENCHMARK_NAMES.includes(name))
      throw new UsageError(
        'ISOBENCH_BAD_BENCHMARK',
        `--only ${quote(name)}: no such benchmark; expected one of ${BENCHMARK_NAMES.join(', ')}`,
      );
  return BENCHMARKS.filter((b) => only.includes(b.name));
}

async function runOne(b: Benchmark, iterations: number, tmpDir: string): Promise<BenchResult[]> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`bench: ${b.name}: ${b.description}`);
  try {
    const before = await readHostCpu();
    const t0 = performance.now();
    const r = await b.run({ iterations, tmpDir: join(tmpDir, b.name), log });
    const after = await readHostCpu();
    const stealCores =
      before.stealUs === null || after.stealUs === null
        ? null
        : (after.stealUs - before.stealUs) / 1000 / (performance.now() - t0);
    return (Array.isArray(r) ? r : [r]).map((x) => (x.status === 'ok' ? withSteal(x, stealCores) : x));
  } catch (err) {
    // A benchmark that cannot run is a row of the table, not the end of the suite.
    return [{ status: 'failed', name: b.name, description: b.description, reason: (err as Error).message }];
  }
}

/** Runs the selected benchmarks and writes bench.json; exit 1 when --baseline finds a ratio worse. */
export async function benchMain(opts: BenchOptions): Promise<number> {
  const iterations = parseIterations(opts.iterations);
  const benches = selected(opts.only);
  const baseline = opts.baseline ? readBenchFile(opts.baseline) : null;
  const outPath = resolve(opts.out ?? 'bench.json');
  const start = loadavg()[0] ?? 0;
  const host = await collectHost({ isobenchVersion: isobenchVersion() });
  const tmpDir = mkdtempSync(join(tmpdir(), 'isobench-bench-'));
  const benchmarks: BenchResult[] = [];
  try {
    for (const b of benches) benchmarks.push(...(await runOne(b, iterations, tmpDir)));
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const file: BenchFile = {
    schema: 'isobench-bench/1',
    createdAt: new Date().toISOString(),
    host,
    loadAverage: { start, end: loadavg()[0] ?? 0 },
    options: { iterations, only: opts.only ?? [] },
    benchmarks,
  };
  writeFileSync(`${outPath}.tmp`, `${JSON.stringify(file, null, 1)}\n`);
  renameSync(`${outPath}.tmp`, outPath);
  const rows = baseline ? compareBench(baseline, file) : [];
  if (opts.json) process.stdout.write(`${JSON.stringify({ ...file, baseline: baseline ? rows : null })}\n`);
  else {
    process.stdout.write(formatTable(file));
    if (baseline) process.stdout.write(formatComparison(rows));
    process.stdout.write(`bench.json: ${outPath}\n`);
  }
  return rows.some((r) => r.worse) ? 1 : 0;
}
