/**
 * `isobench compare BASE CANDIDATE`: reads two results folders, compares them, prints the text
 * (or JSON) report, writes Markdown/HTML on request, and returns the exit code:
 * 0 no regression, 1 at least one regression, 3 inconclusive and no regression. Bad input
 * (missing or corrupt folders, runs that cannot be compared, bad options) throws a UsageError,
 * exit 2.
 */
import { writeFileSync } from 'node:fs';
import { formatHtml } from '../../reports/compare/page.js';
import { quote, UsageError } from '../errors.js';
import { readResults } from '../results/reader.js';
import { compareRuns, exitCodeOf } from './compare.js';
import { formatMarkdown } from './markdown.js';
import { parseMetric, parseThreshold } from './metrics.js';
import { formatText } from './text.js';

export interface CompareMainOptions {
  /** `5%` or `0.05` (default 5%). */
  threshold?: string;
  /** Metric names or aliases, repeatable (default: the headline metrics). */
  metric?: string[];
  /** Print the report as JSON instead of text. */
  json?: boolean;
  /** Also write the Markdown report here (e.g. "$GITHUB_STEP_SUMMARY"). */
  markdown?: string;
  /** Also write the self-contained HTML report here. */
  html?: string;
  /** Tail percentiles with fewer values than this beyond them in a trial are not judged (default 100; 0 judges all). */
  tailMinSamples?: string;
}

function writeOutput(path: string, text: string, what: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw new UsageError(
      'ISOBENCH_COMPARE_OUTPUT',
      `cannot write the ${what} report to ${quote(path)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

export async function compareMain(
  base: string,
  cand: string,
  opts: CompareMainOptions = {},
): Promise<number> {
  const thresholdPct = parseThreshold(opts.threshold ?? '5%');
  const metrics =
    opts.metric && opts.metric.length > 0 ? [...new Set(opts.metric.map(parseMetric))] : undefined;
  let tailMinSamples: number | undefined;
  if (opts.tailMinSamples !== undefined) {
    tailMinSamples = Number(opts.tailMinSamples);
    if (!Number.isInteger(tailMinSamples) || tailMinSamples < 0) {
      throw new UsageError(
        'ISOBENCH_COMPARE_TAIL',
        `--tail-min-samples: expected a non-negative integer, got ${quote(opts.tailMinSamples)}`,
      );
    }
  }
  const baseResults = readResults(base);
  const candResults = readResults(cand);
  const report = compareRuns(baseResults, candResults, {
    thresholdPct,
    ...(metrics ? { metrics } : {}),
    ...(tailMinSamples !== undefined ? { tailMinSamples } : {}),
  });
  if (!report.differences.comparable) {
    throw new UsageError(
      'ISOBENCH_COMPARE_INCOMPARABLE',
      `${quote(base)} and ${quote(cand)} cannot be compared: ${report.differences.reasons.join('; ')}`,
    );
  }
  if (report.rows.length === 0) {
    throw new UsageError(
      'ISOBENCH_COMPARE_NOTHING',
      `${quote(base)} and ${quote(cand)}: no trial measured ${metrics ? `the metrics asked for (${metrics.join(', ')})` : 'any of the compared metrics'}`,
    );
  }
  if (opts.markdown) writeOutput(opts.markdown, formatMarkdown(report), 'Markdown');
  if (opts.html) writeOutput(opts.html, formatHtml(report), 'HTML');
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report));
  return exitCodeOf(report);
}
