/**
 * Sequential runs (`precision` in the scenario, or `--precision`): after the first
 * `repetitions` blocks, look at the data after every block and stop as soon as the answer is
 * known well enough, or the budget is spent. Whole repetition blocks only, so every look sees
 * each cell and phase equally often; the blocks were planned in advance from the seed.
 *
 * - Without variants, the rule is a fixed-width rule for estimates: stop when every primary
 *   interval (PRIMARY_METRICS' slowdowns, or the phase medians where there is no slowdown) lies
 *   within ±precision of its estimate.
 * - With variants, each variant is compared with the first at every look (compare's rows,
 *   paired by block); the tests spend their alpha over the looks (Lan-DeMets spending,
 *   analysis/groupseq.ts), and the run stops as soon as the verdict is settled: a row is a
 *   regression (a rejection stands, so the overall verdict cannot change), or no row is
 *   inconclusive any more (regression, improvement, or no-change: the futility stop); or when
 *   every row's interval is that precise.
 *
 * The spending is Pocock-type, not O'Brien-Fleming-type: with exact rank tests, 10 pairs can
 * give no p-value below 2/2^10 = 0.002, and O'Brien-Fleming's first look at a third of the
 * maximum allows 2e-4 (before Holm): no change, however gross, could stop a run there, and the
 * simulations (sequential.test.ts) measured a 2x regression running on to 16-20 blocks.
 * Pocock-type spending allows 0.023 at that look and 0.011 at the last.
 *
 * Pure: the runner supplies the results as they stand; this decides and records.
 */
import type { Spending } from '../analysis/groupseq.js';
import { summarizeCells } from '../analysis/summarize.js';
import { compareRuns } from '../compare/compare.js';
import { VERDICT_RULES } from '../compare/stats.js';
import {
  type Estimate,
  type MetricName,
  type ResultsFile,
  type SequentialLook,
  type SequentialRecord,
  type SequentialRule,
  TAIL_BEYOND,
  TAIL_MIN_SAMPLES,
} from '../results/types.js';
import type { SequentialSpec } from '../scenario/types.js';

/** The figures a precision target is about: median and tail latency, commit latency, transactions/s. */
export const PRIMARY_METRICS: readonly MetricName[] = [
  'latencyP50Us',
  'latencyP99Us',
  'commitP50Us',
  'commitP99Us',
  'txnPerSec',
];

/** The band of the looks' compares: compare's default. */
const LOOK_THRESHOLD_PCT = 5;
/** The alpha spending of the looks (see the header for why not O'Brien-Fleming). */
export const SPENDING: Spending = 'pocock';
const SPENDING_NAME: Record<Spending, string> = {
  pocock: 'Lan-DeMets Pocock-type',
  'obrien-fleming': "Lan-DeMets O'Brien-Fleming-type",
};

const pct = (x: number) => `${Number((x * 100).toFixed(2))}%`;

export function sequentialRule(
  spec: SequentialSpec,
  minRepetitions: number,
  variants: boolean,
  spending: Spending = SPENDING,
): SequentialRule {
  const budget =
    spec.timeBudgetMs === null
      ? ''
      : `, or when the next block would end after ${Math.round(spec.timeBudgetMs / 1000)} s`;
  const common = {
    precision: spec.precision,
    minRepetitions,
    maxRepetitions: spec.maxRepetitions,
    timeBudgetMs: spec.timeBudgetMs,
  };
  if (!variants) {
    return {
      kind: 'precision',
      ...common,
      alpha: null,
      equivalenceAlpha: null,
      thresholdPct: null,
      spending: null,
      text: `look after ${minRepetitions} blocks, then after each block; stop when every primary interval (${PRIMARY_METRICS.join(', ')}: slowdowns, or phase medians without a solo phase) lies within ±${pct(spec.precision)} of its estimate; at most ${spec.maxRepetitions} blocks${budget}`,
    };
  }
  return {
    kind: 'group-sequential',
    ...common,
    alpha: VERDICT_RULES.alpha,
    equivalenceAlpha: 2 * VERDICT_RULES.alpha,
    thresholdPct: LOOK_THRESHOLD_PCT,
    spending,
    text: `compare every variant with the first after ${minRepetitions} blocks, then after each block (paired rows, band ±${LOOK_THRESHOLD_PCT}%); alpha ${VERDICT_RULES.alpha} for regressions and ${2 * VERDICT_RULES.alpha} for the no-change stop, spent over the looks (${SPENDING_NAME[spending]}); stop when a row is a regression, when no row is inconclusive, or when every row's interval lies within ±${pct(spec.precision)}; at most ${spec.maxRepetitions} blocks${budget}`,
  };
}

/** Relative half-width of an interval around its estimate; Infinity without an interval. */
function halfWidth(e: { median: number | null; low: number | null; high: number | null }): number {
  if (e.median === null || e.low === null || e.high === null || e.median === 0)
    return Number.POSITIVE_INFINITY;
  return (e.high - e.low) / (2 * Math.abs(e.median));
}

const thin = (m: MetricName, e: Estimate) =>
  TAIL_BEYOND[m] !== undefined && e.tailSamples !== undefined && e.tailSamples < TAIL_MIN_SAMPLES;

/** Every primary figure of a run and its relative half-width (thin tails left out, as in verdicts). */
export function primaryWidths(r: ResultsFile): { figure: string; halfWidth: number }[] {
  const cells = summarizeCells({ cells: r.cells, phases: r.scenario.phases, trials: r.trials });
  const out: { figure: string; halfWidth: number }[] = [];
  for (const cell of cells) {
    for (const [name, c] of Object.entries(cell.containers)) {
      for (const m of PRIMARY_METRICS) {
        const slowdowns = c.neighbours.flatMap((n) => {
          const e = n.slowdown?.[m];
          return e ? [{ figure: `${cell.id} ${name} ${m} slowdown ${n.phase}`, e }] : [];
        });
        const phases = slowdowns.length > 0 ? [] : [c.solo, ...c.neighbours.map((n) => n.colocated)];
        const medians = phases.flatMap((p) => {
          const e = p?.metrics[m];
          return p && e ? [{ figure: `${cell.id} ${name} ${m} ${p.phase}`, e }] : [];
        });
        for (const { figure, e } of [...slowdowns, ...medians]) {
          if (!thin(m, e)) out.push({ figure, halfWidth: halfWidth(e) });
        }
      }
    }
  }
  return out;
}

export interface LookState {
  /** Blocks done. */
  repetitions: number;
  trials: number;
  elapsedMs: number;
  /** Each unit's results as they stand (for variants: first is the baseline), variant names. */
  results: ResultsFile[];
  variants: string[] | null;
}

export interface LookOutcome {
  look: SequentialLook;
  stop: { reason: 'precision' | 'settled' | 'max-repetitions'; targetReached: boolean } | null;
}

function widestOf(ws: { figure: string; halfWidth: number }[]): SequentialLook['widest'] {
  if (ws.length === 0) return null;
  const w = ws.reduce((a, b) => (b.halfWidth > a.halfWidth ? b : a));
  return { figure: w.figure, halfWidth: Number.isFinite(w.halfWidth) ? w.halfWidth : null };
}

/** One look: what the data say after `state.repetitions` blocks, and whether to stop. */
export function evaluateLook(
  rule: SequentialRule,
  state: LookState,
  previous: readonly SequentialLook[],
): LookOutcome {
  const precision = rule.precision ?? 0;
  const fraction = Math.min(1, state.repetitions / rule.maxRepetitions);
  const base = {
    repetitions: state.repetitions,
    trials: state.trials,
    elapsedMs: Math.round(state.elapsedMs),
    fraction,
  };
  let reached: 'precision' | 'settled' | null = null;
  let look: SequentialLook;
  if (rule.kind === 'precision') {
    const ws = state.results.flatMap(primaryWidths);
    if (ws.length > 0 && ws.every((w) => w.halfWidth <= precision)) reached = 'precision';
    look = {
      ...base,
      nominalAlpha: null,
      nominalEquivalenceAlpha: null,
      widest: widestOf(ws),
      comparisons: [],
      decision: 'continue',
    };
  } else {
    const looks = [...previous.map((l) => l.fraction), fraction];
    const [first, ...rest] = state.results as [ResultsFile, ...ResultsFile[]];
    const names = state.variants ?? [];
    const spending = (rule.spending ?? SPENDING) as Spending;
    const reports = rest.map((r) =>
      compareRuns(first, r, { thresholdPct: rule.thresholdPct ?? LOOK_THRESHOLD_PCT, looks, spending }),
    );
    const judged = reports.flatMap((rep) => rep.rows.filter((r) => r.verdict !== 'excluded'));
    const ws = reports.flatMap((rep) =>
      rep.rows
        .filter((r) => r.verdict !== 'excluded')
        .map((r) => ({
          figure: `${rep.cand.variant ?? rep.cand.runId}: ${r.cell} ${r.container} ${r.kind === 'slowdown' ? `slowdown ${r.phase}` : r.phase} ${r.metric}`,
          // A difference row (error fractions, ±0.1 pp band) has no relative width: it counts
          // as precise once it is settled.
          halfWidth:
            r.scale === 'difference'
              ? r.verdict === 'inconclusive'
                ? Number.POSITIVE_INFINITY
                : 0
              : r.low === null || r.high === null || r.estimate === null
                ? Number.POSITIVE_INFINITY
                : (r.high - r.low) / (2 * r.estimate),
        })),
    );
    // A rejection stands: one regression settles the overall verdict.
    if (judged.some((r) => r.verdict === 'regression')) reached = 'settled';
    else if (judged.length > 0 && judged.every((r) => r.verdict !== 'inconclusive')) reached = 'settled';
    else if (ws.length > 0 && ws.every((w) => w.halfWidth <= precision)) reached = 'precision';
    look = {
      ...base,
      nominalAlpha: 1 - (reports[0]?.levels.interval ?? 0.95),
      nominalEquivalenceAlpha: 1 - (reports[0]?.levels.equivalence ?? 0.9),
      widest: widestOf(ws),
      comparisons: reports.map((rep, i) => ({
        base: names[0] ?? rep.base.runId,
        cand: names[i + 1] ?? rep.cand.runId,
        regression: rep.counts.regression,
        improvement: rep.counts.improvement,
        noChange: rep.counts['no-change'],
        inconclusive: rep.counts.inconclusive,
      })),
      decision: 'continue',
    };
  }
  let stop: LookOutcome['stop'] = null;
  if (reached) stop = { reason: reached, targetReached: true };
  else if (state.repetitions >= rule.maxRepetitions)
    stop = { reason: 'max-repetitions', targetReached: false };
  if (stop) look.decision = 'stop';
  return { look, stop };
}

/** Whether starting another block could overrun the budget, judged from the blocks so far. */
export function overBudget(rule: SequentialRule, elapsedMs: number, blocksDone: number): boolean {
  if (rule.timeBudgetMs === null || blocksDone === 0) return false;
  return elapsedMs + elapsedMs / blocksDone > rule.timeBudgetMs;
}

export function stopText(
  record: Pick<SequentialRecord, 'rule' | 'looks'>,
  stop: SequentialRecord['stop'],
): string {
  const last = record.looks.at(-1);
  const widest = last?.widest
    ? `; widest interval ±${last.widest.halfWidth === null ? '∞' : pct(last.widest.halfWidth)} (${last.widest.figure})`
    : '';
  const target = `±${pct(record.rule.precision ?? 0)}`;
  switch (stop.reason) {
    case 'settled': {
      const last = record.looks.at(-1);
      const regressed = last?.comparisons.filter((c) => c.regression > 0) ?? [];
      return regressed.length > 0
        ? `stopped after ${stop.repetitions} blocks: the verdict is settled, a regression (${regressed.map((c) => `${c.cand} vs ${c.base}: ${c.regression} rows`).join('; ')})`
        : `stopped after ${stop.repetitions} blocks: every compare row is settled (improvement or no-change)`;
    }
    case 'precision':
      return `stopped after ${stop.repetitions} blocks: every ${record.rule.kind === 'precision' ? 'primary' : 'compare'} interval within ${target}${widest}`;
    case 'max-repetitions':
      return `target not reached: stopped at the maximum of ${stop.repetitions} blocks${widest} (target ${target})`;
    case 'time-budget':
      return `target not reached: stopped after ${stop.repetitions} blocks, the next would overrun the time budget${widest} (target ${target})`;
    default:
      return `target not reached: interrupted after ${stop.repetitions} blocks${widest}`;
  }
}
