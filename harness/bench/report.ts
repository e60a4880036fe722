/**
 * The report build for a synthetic one-hour run (the folder `npm run bench:report` builds: 30
 * trials of 120 s, 3 containers + host sampled every 500 ms): read results.json and samples.csv,
 * render, write report.html and summary.md; against reading and validating results.json alone.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SYNTHETIC, writeSyntheticRun } from '../../reports/bench/synthetic.js';
import { writeReports } from '../../reports/index.js';
import { readResults } from '../results/reader.js';
import { okPeer, ratiosOf, timeTasks } from './measure.js';
import type { BenchContext, Benchmark, BenchResult } from './types.js';

const DESCRIPTION = 'report build, synthetic one-hour run';
/** A report build takes about a second here: a handful of samples is enough for a median. */
const MAX_ITERATIONS = 5;
const BUDGET_MS = 2000;
const BUDGET_BYTES = 5 * 2 ** 20;

async function measure(ctx: BenchContext): Promise<BenchResult> {
  const dir = join(ctx.tmpDir, 'report');
  mkdirSync(dir, { recursive: true });
  const results = await writeSyntheticRun(dir);
  let htmlPath = '';
  const [ours, read] = await timeTasks(
    [
      {
        name: 'writeReports',
        fn: async () => {
          htmlPath = (await writeReports(dir)).htmlPath;
        },
      },
      { name: 'read results.json', fn: () => void readResults(dir), sync: true },
    ],
    Math.max(1, Math.min(ctx.iterations, MAX_ITERATIONS)),
  );
  if (!ours || !read) throw new Error('report benchmark: no measurement');
  const htmlBytes = statSync(htmlPath).size;
  const peers = [okPeer(read)];
  const measuredS = results.trials.reduce((s, t) => s + t.durationMs, 0) / 1000;
  return {
    status: 'ok',
    name: 'report',
    description: DESCRIPTION,
    ours,
    peers,
    ratios: ratiosOf(ours, peers),
    figures: { htmlBytes },
    goals: [
      { text: `< ${BUDGET_MS / 1000} s`, pass: ours.median < BUDGET_MS },
      { text: '< 5 MiB report.html', pass: htmlBytes < BUDGET_BYTES },
    ],
    notes: [
      `${results.trials.length} trials x ${SYNTHETIC.trialMs / 1000} s = ${measuredS} s measured; report.html ${(htmlBytes / 2 ** 20).toFixed(2)} MiB`,
    ],
  };
}

export const reportBench: Benchmark = { name: 'report', description: DESCRIPTION, run: measure };
