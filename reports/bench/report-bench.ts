/**
 * `npm run bench:report`: builds a synthetic one-hour run (3 containers plus the host, 500 ms
 * samples, 30 trials of 120 s) in a temp folder, times writeReports on it and prints the build
 * time and the size of report.html. Speed is measured here, not asserted by tests (tests assert on counts and values, never on
 * elapsed time, so they do not flake on a noisy machine).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resultsPaths } from '../../harness/results/paths.js';
import { writeReports } from '../index.js';
import { SYNTHETIC, writeSyntheticRun } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'isobench-report-bench-'));
try {
  const results = await writeSyntheticRun(dir);
  const measuredS = results.trials.reduce((s, t) => s + t.durationMs, 0) / 1000;
  const samplesBytes = statSync(resultsPaths(dir).samplesCsv).size;
  const runs = 5;
  const times: number[] = [];
  let htmlBytes = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const { htmlPath } = await writeReports(dir);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    htmlBytes = statSync(htmlPath).size;
  }
  const cold = times[0] ?? 0;
  times.sort((a, b) => a - b);
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(2)} MiB`;
  console.log(
    `synthetic run: ${results.trials.length} trials x ${SYNTHETIC.trialMs / 1000} s = ${measuredS} s measured, ` +
      `containers web, db, hog + host, samples every ${SYNTHETIC.intervalMs} ms (samples.csv ${mib(samplesBytes)})`,
  );
  console.log(
    `report build (read results.json + samples.csv, render, write): first (cold) ${cold.toFixed(0)} ms, ` +
      `median of ${runs} ${times[Math.floor(runs / 2)]?.toFixed(0)} ms, slowest ${times[runs - 1]?.toFixed(0)} ms (budget 2000 ms)`,
  );
  console.log(`report.html: ${mib(htmlBytes)} (${htmlBytes} bytes; budget 5 MiB)`);
  if ((times[Math.floor(runs / 2)] ?? 0) > 2000 || htmlBytes > 5 * 2 ** 20) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
