/**
 * `compareRuns`: the rows of a comparison of two results, each with an estimate of the change,
 * its interval, a Holm-corrected test and a verdict (rules in stats.ts). Pure: results in,
 * report out; the same inputs give the same report, bit for bit (the methods are exact, there
 * is no resampling).
 *
 * Runs that are variants of one interleaved `isobench run --variant` are analysed as pairs of
 * trials (pairing.ts); other runs as two independent samples. A group-sequential run's final
 * look is judged at the levels its alpha spending left (analysis/groupseq.ts).
 */
import { nominalAlphaAtLastLook, type Spending } from '../analysis/groupseq.js';
import { median } from '../analysis/quantiles.js';
import { type MetricName, type ResultsFile, TAIL_BEYOND } from '../results/types.js';
import { type Differences, runDifferences } from './differences.js';
import { DEFAULT_METRICS } from './metrics.js';
import { pairingOf } from './pairing.js';
import { type Measured, measureRows } from './rows.js';
import { type Band, holm, judge, type RowVerdict, stepDown, VERDICT_RULES, type Verdict } from './stats.js';

export type { RowVerdict, Verdict } from './stats.js';

export interface CompareOptions {
  /** The band is ±thresholdPct around a ratio of 1 (5 for ±5%). */
  thresholdPct: number;
  /** Metrics to compare (default DEFAULT_METRICS); a metric neither run measured is skipped. */
  metrics?: MetricName[];
  /** Tail percentiles with fewer values beyond them in a trial are left out of verdicts (default 100; 0 judges every row). */
  tailMinSamples?: number;
  /**
   * Information fractions of the looks a sequential run has taken, the last being this one
   * (default: read from the runs' sequential record, else [1], the fixed design).
   */
  looks?: number[];
  /** The alpha-spending function of those looks (default: the recorded one, else Pocock-type). */
  spending?: Spending;
}

export interface CompareRow extends Omit<Measured, 'effect'> {
  method: 'paired' | 'unpaired';
  /** Candidate / base (ratio rows; for slowdown rows the change of slowdown) or candidate - base (difference rows). */
  estimate: number | null;
  /** The interval at `report.levels.interval` (95% in a fixed design). */
  low: number | null;
  high: number | null;
  /** The equivalence interval at `report.levels.equivalence` (90% in a fixed design). */
  low90: number | null;
  high90: number | null;
  /** Two-sided p of "no change", and Holm-adjusted over the rows whose test can reach alpha. */
  pValue: number | null;
  pHolm: number | null;
  /** Trials with a value (paired rows: pairs, the same on both sides). */
  nBase: number;
  nCand: number;
  band: Band;
  verdict: RowVerdict;
  why: string;
  /** For inconclusive rows: about how many trials (pairs) in all would likely settle it (null: no count would). */
  more: { trials: number | null; text: string } | null;
}

export interface RunLabel {
  runId: string;
  scenario: string;
  startedAt: string;
  kernel: string;
  hostname: string;
  variant: string | null;
}

export interface CompareReport {
  base: RunLabel;
  cand: RunLabel;
  thresholdPct: number;
  /** The no-change band of ratio rows: [1 - t, 1 + t]; of difference rows ±fractionBand. */
  band: { low: number; high: number };
  fractionBand: number;
  rules: typeof VERDICT_RULES;
  method: { paired: boolean; reason: string; text: string };
  levels: {
    /** Family-wise alpha of the tests, the interval levels, and the looks of a sequential design. */
    alpha: number;
    interval: number;
    equivalence: number;
    looks: number[] | null;
    text: string;
  };
  tailMinSamples: number;
  differences: Differences;
  rows: CompareRow[];
  counts: Record<RowVerdict, number>;
  /** regression if any row is; else inconclusive if any row is (or none was judged); else improvement if any; else no-change. */
  overall: Verdict;
}

const label = (r: ResultsFile): RunLabel => ({
  runId: r.runId,
  scenario: r.scenario.name,
  startedAt: r.startedAt,
  kernel: r.host.kernel,
  hostname: r.host.hostname,
  variant: r.variant?.name ?? null,
});

export const SPENDINGS: readonly Spending[] = ['pocock', 'obrien-fleming'];

/** The spending function a sequential record names. */
function recordedSpending(r: ResultsFile): Spending | null {
  const s = r.sequential?.rule.spending ?? null;
  return SPENDINGS.find((x) => x === s) ?? null;
}

/** The looks of a group-sequential run both folders belong to (null: a fixed design). */
function recordedLooks(base: ResultsFile, cand: ResultsFile, paired: boolean): number[] | null {
  const seq = base.sequential;
  if (!paired || !seq || seq.rule.kind !== 'group-sequential' || !cand.sequential) return null;
  const fractions = seq.looks.map((l) => l.fraction);
  const max = seq.rule.maxRepetitions;
  const reps = Math.max(0, ...base.trials.map((t) => t.repetition));
  const last = seq.looks.at(-1)?.repetitions ?? 0;
  // Trials after the last look (an interrupted run): one more look, at what the data hold.
  if (reps > last) fractions.push(Math.min(1, reps / max));
  return fractions.length > 0 ? fractions : null;
}

const fmtPct = (level: number) => `${Math.round(level * 1000) / 10}%`;

function tailExclusion(m: Measured, min: number): string | null {
  if (TAIL_BEYOND[m.metric] === undefined || m.tailSamples === null || min <= 0) return null;
  if (m.tailSamples >= min) return null;
  return `thin tail: as few as ${m.tailSamples} values lie beyond this percentile in a trial (fewer than ${min}); left out of verdicts (longer trials or a higher rate give more; --tail-min-samples 0 judges it anyway)`;
}

/**
 * Compares CANDIDATE against BASE. When the runs are not comparable (`differences.comparable`
 * false) the report has no rows and `overall` is inconclusive; compareMain turns that into exit 2.
 */
export function compareRuns(base: ResultsFile, cand: ResultsFile, opts: CompareOptions): CompareReport {
  if (!(opts.thresholdPct > 0 && opts.thresholdPct < 100)) {
    throw new RangeError(`thresholdPct must be within (0, 100), got ${opts.thresholdPct}`);
  }
  const t = opts.thresholdPct / 100;
  const { alpha, fractionBand } = VERDICT_RULES;
  const tailMin = opts.tailMinSamples ?? VERDICT_RULES.tailMinSamples;
  const metrics = opts.metrics ?? [...DEFAULT_METRICS];
  const differences = runDifferences(base, cand);
  const pairing = pairingOf(base, cand);
  const looks = opts.looks ?? recordedLooks(base, cand, pairing.paired);
  const spending: Spending = opts.spending ?? recordedSpending(base) ?? 'pocock';
  const level = (a: number) => (looks ? nominalAlphaAtLastLook(looks, a, spending) : a);
  const intervalAlpha = level(alpha);
  const equivalenceAlpha = level(2 * alpha);
  const measured = differences.comparable
    ? measureRows(base, cand, metrics, pairing.paired, { intervalAlpha, equivalenceAlpha })
    : [];

  const excluded = measured.map((m) => tailExclusion(m, tailMin));
  // A test whose smallest possible p-value cannot reach the level is no test: leaving it out of
  // the family costs nothing and keeps Holm from diluting the rows that can be tested (Tarone).
  const family = measured.map((m, i) =>
    excluded[i] === null && m.effect.pValue !== null && (m.effect.minPValue ?? 1) < intervalAlpha
      ? m.effect.pValue
      : null,
  );
  const familySize = family.filter((p) => p !== null).length;
  const adjusted = holm(family);
  const significant = stepDown(family, alpha, level);
  const ratioBand: Band = { low: 1 - t, high: 1 + t, text: `±${opts.thresholdPct}%` };
  const diffBand: Band = { low: -fractionBand, high: fractionBand, text: `±${fractionBand * 100} pp` };
  const rows: CompareRow[] = measured.map((m, i) => {
    const { effect: e, ...rest } = m;
    const row = {
      ...rest,
      method: e.method,
      estimate: e.estimate,
      low: e.interval?.low ?? null,
      high: e.interval?.high ?? null,
      low90: e.equivalence?.low ?? null,
      high90: e.equivalence?.high ?? null,
      pValue: e.pValue,
      pHolm: adjusted[i] ?? null,
      nBase: e.nBase,
      nCand: e.nCand,
      band: m.scale === 'ratio' ? ratioBand : diffBand,
    };
    return {
      ...row,
      ...judge({
        ...row,
        significant: family[i] === null ? null : (significant[i] ?? false),
        excluded: excluded[i] ?? null,
        family: familySize,
        intervalLevel: 1 - intervalAlpha,
        equivalenceLevel: 1 - equivalenceAlpha,
      }),
    };
  });
  const counts: Record<RowVerdict, number> = {
    regression: 0,
    improvement: 0,
    'no-change': 0,
    inconclusive: 0,
    excluded: 0,
  };
  for (const r of rows) counts[r.verdict]++;
  const judged = rows.length - counts.excluded;
  const overall: Verdict =
    counts.regression > 0
      ? 'regression'
      : counts.inconclusive > 0 || judged === 0
        ? 'inconclusive'
        : counts.improvement > 0
          ? 'improvement'
          : 'no-change';
  const pairs = rows.find((r) => r.method === 'paired')?.nBase;
  const methodText = pairing.paired
    ? `paired by repetition block (${pairing.reason}${pairs !== undefined ? `; ${pairs} pairs` : ''}): Hodges-Lehmann estimate of the per-block log ratios, exact Wilcoxon signed-rank interval and test`
    : `unpaired (${pairing.reason}): Hodges-Lehmann shift of the log values with its exact Mann-Whitney interval, exact Mann-Whitney test`;
  notesOnLoad(base, cand, differences);
  return {
    base: label(base),
    cand: label(cand),
    thresholdPct: opts.thresholdPct,
    band: { low: 1 - t, high: 1 + t },
    fractionBand,
    rules: VERDICT_RULES,
    method: { paired: pairing.paired, reason: pairing.reason, text: methodText },
    levels: {
      alpha,
      interval: 1 - intervalAlpha,
      equivalence: 1 - equivalenceAlpha,
      looks,
      text: looks
        ? `group-sequential, look ${looks.length} at ${fmtPct(looks.at(-1) ?? 1)} of the maximum blocks: intervals at ${fmtPct(1 - intervalAlpha)} and ${fmtPct(1 - equivalenceAlpha)}, tests against the Lan-DeMets ${spending === 'pocock' ? 'Pocock' : "O'Brien-Fleming"}-type boundary`
        : `${fmtPct(1 - intervalAlpha)} interval must clear the band; ${fmtPct(1 - equivalenceAlpha)} interval inside it for no-change`,
    },
    tailMinSamples: tailMin,
    differences,
    rows,
    counts,
    overall,
  };
}

/**
 * A load generator that fell behind measured itself as much as the server: say so when more
 * than 1% of a run's sends were late (threshold: the load generator's 1 ms).
 */
function notesOnLoad(base: ResultsFile, cand: ResultsFile, d: Differences): void {
  for (const [side, r] of [
    ['base', base],
    ['candidate', cand],
  ] as const) {
    const late = r.trials.flatMap((t) =>
      t.status === 'ok'
        ? t.containers.flatMap((c) =>
            typeof c.metrics.lateSendFraction === 'number' ? [c.metrics.lateSendFraction] : [],
          )
        : [],
    );
    if (late.length === 0) continue;
    const m = median(late);
    if (m > 0.01) {
      d.notes.push(
        `${side}: the load generator sent ${(m * 100).toFixed(1)}% of requests more than 1 ms late (median over trials): latencies include its own delay`,
      );
    }
  }
}

/** 0 no regression, 1 at least one regression, 3 inconclusive and no regression. */
export function exitCodeOf(report: CompareReport): 0 | 1 | 3 {
  if (report.overall === 'regression') return 1;
  if (report.overall === 'inconclusive') return 3;
  return 0;
}
