/**
 * `compareRuns`: the rows of a comparison of two results, each with a ratio of medians over
 * trials, a 95% bootstrap interval, a Holm-corrected Mann-Whitney p-value and a verdict. Pure:
 * results in, report out; the same inputs and seed give the same report, bit for bit.
 */
import { bootstrapRatioCI } from '../analysis/bootstrap.js';
import { mannWhitneyU } from '../analysis/mannwhitney.js';
import { median } from '../analysis/quantiles.js';
import { seedFromString } from '../analysis/random.js';
import { HIGHER_IS_WORSE, type MetricName, type ResultsFile } from '../results/types.js';
import { containerNames, type Differences, runDifferences } from './differences.js';
import { DEFAULT_METRICS } from './metrics.js';
import { bootstrapSlowdownChange, holm, judge, VERDICT_RULES, type Verdict } from './stats.js';

export type { Verdict } from './stats.js';

export interface CompareOptions {
  /** The band is ±thresholdPct around a ratio of 1 (5 for ±5%). */
  thresholdPct: number;
  /** Metrics to compare (default DEFAULT_METRICS); a metric neither run measured is skipped. */
  metrics?: MetricName[];
  /** Bootstrap seed (default 1). */
  seed?: number;
  /** Bootstrap resamples (default 10,000). */
  iterations?: number;
}

export interface CompareRow {
  /** Cell id and name. */
  cell: string;
  cellName: string;
  container: string;
  /** Phase name, or `<colocated>/<solo>` for a slowdown row. */
  phase: string;
  /** `slowdown`: the change of colocated / solo between the runs (a derived row). */
  kind: 'solo' | 'colocated' | 'slowdown';
  metric: MetricName;
  higherIsWorse: boolean;
  /** Median over ok trials (for slowdown rows: the run's slowdown, a ratio). */
  baseMedian: number | null;
  candMedian: number | null;
  /** candMedian / baseMedian, with its 95% bootstrap interval. */
  ratio: number | null;
  low: number | null;
  high: number | null;
  /** Two-sided Mann-Whitney U p-value, and Holm-corrected over all rows of the report. */
  pValue: number | null;
  pHolm: number | null;
  /** Ok trials with a value (slowdown rows: the smaller of the colocated and solo counts). */
  nBase: number;
  nCand: number;
  verdict: Verdict;
  why: string;
}

export interface RunLabel {
  runId: string;
  scenario: string;
  startedAt: string;
  kernel: string;
  hostname: string;
}

export interface CompareReport {
  base: RunLabel;
  cand: RunLabel;
  thresholdPct: number;
  /** The no-change band of the ratio: [1 - t, 1 + t]. */
  band: { low: number; high: number };
  rules: typeof VERDICT_RULES;
  seed: number;
  iterations: number;
  differences: Differences;
  rows: CompareRow[];
  counts: Record<Verdict, number>;
  /** regression if any row is; else inconclusive if any row is; else improvement if any; else no-change. */
  overall: Verdict;
}

/** Values of `metric` for `container` in the ok trials of one cell and phase. */
export function trialValues(
  r: ResultsFile,
  cell: string,
  phase: string,
  container: string,
  metric: MetricName,
): number[] {
  const out: number[] = [];
  for (const t of r.trials) {
    if (t.status !== 'ok' || t.cell.id !== cell || t.phase.name !== phase) continue;
    const v = t.containers.find((c) => c.name === container)?.metrics[metric];
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return out;
}

const label = (r: ResultsFile): RunLabel => ({
  runId: r.runId,
  scenario: r.scenario.name,
  startedAt: r.startedAt,
  kernel: r.host.kernel,
  hostname: r.host.hostname,
});

type Pending = Omit<CompareRow, 'pHolm' | 'verdict' | 'why'>;

type Groups = { b: number[]; c: number[] };

/**
 * The change of colocated / solo between the runs. Its U test compares per-trial slowdowns
 * (each colocated trial over its run's solo median); that ignores the solo medians' own noise,
 * which the bootstrap interval (required to clear the band too) carries.
 */
function slowdownRow(
  cell: { id: string; name: string },
  container: string,
  metric: MetricName,
  soloPhase: string,
  coPhase: string,
  s: Groups,
  k: Groups,
  boot: (key: string) => { iterations: number; seed: number; level: number },
): Pending {
  const sd = bootstrapSlowdownChange(
    { baseCo: k.b, baseSolo: s.b, candCo: k.c, candSolo: s.c },
    boot(`${cell.id}/${container}/slowdown/${coPhase}/${metric}`),
  );
  const bSolo = median(s.b);
  const cSolo = median(s.c);
  const pValue =
    bSolo > 0 && cSolo > 0
      ? mannWhitneyU(
          k.c.map((v) => v / cSolo),
          k.b.map((v) => v / bSolo),
        ).pValue
      : null;
  return {
    cell: cell.id,
    cellName: cell.name,
    container,
    phase: `${coPhase}/${soloPhase}`,
    kind: 'slowdown',
    metric,
    higherIsWorse: HIGHER_IS_WORSE[metric],
    baseMedian: sd.baseSlowdown,
    candMedian: sd.candSlowdown,
    ratio: sd.ratio,
    low: sd.interval?.low ?? null,
    high: sd.interval?.high ?? null,
    pValue,
    nBase: Math.min(s.b.length, k.b.length),
    nCand: Math.min(s.c.length, k.c.length),
  };
}

/**
 * Compares CANDIDATE against BASE. When the runs are not comparable (`differences.comparable`
 * false) the report has no rows and `overall` is inconclusive; compareMain turns that into exit 2.
 */
export function compareRuns(base: ResultsFile, cand: ResultsFile, opts: CompareOptions): CompareReport {
  if (!(opts.thresholdPct > 0 && opts.thresholdPct < 100)) {
    throw new RangeError(`thresholdPct must be within (0, 100), got ${opts.thresholdPct}`);
  }
  const threshold = opts.thresholdPct / 100;
  const seed = opts.seed ?? 1;
  const iterations = opts.iterations ?? 10_000;
  const metrics = opts.metrics ?? [...DEFAULT_METRICS];
  const differences = runDifferences(base, cand);
  const pending: Pending[] = [];
  const boot = (key: string) => ({
    iterations,
    seed: (seed ^ seedFromString(key)) >>> 0,
    level: VERDICT_RULES.level,
  });

  if (differences.comparable) {
    for (const cell of base.cells) {
      for (const container of containerNames(base)) {
        const phases = base.scenario.phases.filter((p) => p.containers.includes(container));
        for (const metric of metrics) {
          const higherIsWorse = HIGHER_IS_WORSE[metric];
          const perPhase = new Map<string, Groups>();
          for (const phase of phases) {
            const b = trialValues(base, cell.id, phase.name, container, metric);
            const c = trialValues(cand, cell.id, phase.name, container, metric);
            perPhase.set(phase.name, { b, c });
            if (b.length === 0 && c.length === 0) continue; // this container does not measure it
            const key = `${cell.id}/${container}/${phase.name}/${metric}`;
            const r = bootstrapRatioCI(c, b, boot(key));
            pending.push({
              cell: cell.id,
              cellName: cell.name,
              container,
              phase: phase.name,
              kind: phase.kind,
              metric,
              higherIsWorse,
              baseMedian: b.length > 0 ? median(b) : null,
              candMedian: c.length > 0 ? median(c) : null,
              ratio: r.estimate !== null && Number.isFinite(r.estimate) ? r.estimate : null,
              low: r.interval?.low ?? null,
              high: r.interval?.high ?? null,
              pValue: mannWhitneyU(c, b).pValue,
              nBase: b.length,
              nCand: c.length,
            });
          }
          // Slowdown rows: the container's own solo phase against each colocated phase that
          // runs it (one in most scenarios; one per aggressor in an IBS-style matrix), as
          // summarizeCells pairs them.
          const solo = phases.find((p) => p.kind === 'solo' && p.containers.length === 1);
          const s = solo && perPhase.get(solo.name);
          if (!solo || !s) continue;
          for (const co of phases.filter((p) => p.kind === 'colocated')) {
            const k = perPhase.get(co.name);
            if (!k || [s.b, s.c, k.b, k.c].some((x) => x.length === 0)) continue;
            pending.push(slowdownRow(cell, container, metric, solo.name, co.name, s, k, boot));
          }
        }
      }
    }
  }

  const adjusted = holm(pending.map((r) => r.pValue));
  const rows: CompareRow[] = pending.map((r, i) => {
    const pHolm = adjusted[i] ?? null;
    return { ...r, pHolm, ...judge({ ...r, pHolm, threshold }) };
  });
  const counts: Record<Verdict, number> = { regression: 0, improvement: 0, 'no-change': 0, inconclusive: 0 };
  for (const r of rows) counts[r.verdict]++;
  const overall: Verdict =
    counts.regression > 0
      ? 'regression'
      : counts.inconclusive > 0 || rows.length === 0
        ? 'inconclusive'
        : counts.improvement > 0
          ? 'improvement'
          : 'no-change';
  return {
    base: label(base),
    cand: label(cand),
    thresholdPct: opts.thresholdPct,
    band: { low: 1 - threshold, high: 1 + threshold },
    rules: VERDICT_RULES,
    seed,
    iterations,
    differences,
    rows,
    counts,
    overall,
  };
}

/** 0 no regression, 1 at least one regression, 3 inconclusive and no regression. */
export function exitCodeOf(report: CompareReport): 0 | 1 | 3 {
  if (report.overall === 'regression') return 1;
  if (report.overall === 'inconclusive') return 3;
  return 0;
}
