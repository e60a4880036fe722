/**
 * How a run was designed, recorded in results.json (schemaVersion 2): which interleaved
 * invocation a variant folder belongs to (so that compare can pair its trials), and the rule,
 * looks and stop of a sequential run.
 */

/** Which interleaved `isobench run --variant` invocation a folder belongs to. */
export interface VariantInfo {
  /** This folder's variant. */
  name: string;
  /**
   * The invocation's run id (for a merge of shards, the shards' ids joined with `+`): two
   * folders with the same group ran their trials interleaved, trial by trial (A B, B A ...),
   * so compare pairs them by trial id.
   */
  group: string;
  /** Every variant of the invocation, in schedule order. */
  variants: string[];
}

export interface SequentialRule {
  /**
   * `precision`: stop when every primary interval is narrow enough (no variants).
   * `group-sequential`: with variants, compare each variant with the first at every look and
   * stop when every row is settled (or narrow enough).
   */
  kind: 'precision' | 'group-sequential';
  /** Target relative half-width of the primary intervals (0.05: within ±5% of the estimate). */
  precision: number | null;
  /** The first look is after this many repetition blocks; one look after each block from there. */
  minRepetitions: number;
  maxRepetitions: number;
  timeBudgetMs: number | null;
  /** group-sequential: overall two-sided alpha of regression/improvement, and of the no-change stop. */
  alpha: number | null;
  equivalenceAlpha: number | null;
  /** The no-change band of the looks' compares (5 for ±5%). */
  thresholdPct: number | null;
  /** group-sequential: the alpha-spending function, `pocock` or `obrien-fleming` (Lan-DeMets type). */
  spending: string | null;
  /** The rule in words, as the summary prints it. */
  text: string;
}

export interface SequentialLook {
  repetitions: number;
  trials: number;
  elapsedMs: number;
  /** Information fraction: repetitions / maxRepetitions. */
  fraction: number;
  /** group-sequential: the nominal two-sided levels this look used (tests; no-change interval). */
  nominalAlpha: number | null;
  nominalEquivalenceAlpha: number | null;
  /** The widest primary interval at this look: its figure and relative half-width (null: none yet). */
  widest: { figure: string; halfWidth: number | null } | null;
  /** group-sequential: the verdict counts of each comparison (candidate variant vs the first). */
  comparisons: {
    base: string;
    cand: string;
    regression: number;
    improvement: number;
    noChange: number;
    inconclusive: number;
  }[];
  decision: 'continue' | 'stop';
}

export interface SequentialRecord {
  rule: SequentialRule;
  looks: SequentialLook[];
  stop: {
    reason: 'precision' | 'settled' | 'max-repetitions' | 'time-budget' | 'interrupted';
    repetitions: number;
    /** False when the run stopped on its budget (or was interrupted) before the target was met. */
    targetReached: boolean;
    text: string;
  };
}
