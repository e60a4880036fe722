/**
 * `--budget 30m`: no point is started that would end after the budget, judged from the trials
 * so far (the mean wall time of a trial times the mean trials a settled point took; before any
 * point, the plan's estimate of a trial times the midpoint of the per-point minimum and
 * maximum), and within a point no trial is started that would end after it (that point ends
 * unsettled, and the search stops). `--max-points` is a budget in points. Pure: the clock is given.
 */
export class Budget {
  private trialMs: number[] = [];
  private pointTrials: number[] = [];
  private readonly started: number;

  constructor(
    /** null: no budget. */
    readonly budgetMs: number | null,
    private readonly now: () => number,
    /** The plan's guess of one trial's wall time, until trials have been timed. */
    private readonly plannedTrialMs: number,
    private readonly perPoint: { minTrials: number; maxTrials: number },
    /** `--max-points`: a budget in points; null: none. */
    readonly maxPoints: number | null = null,
  ) {
    this.started = now();
  }

  elapsedMs(): number {
    return this.now() - this.started;
  }

  recordTrial(ms: number): void {
    this.trialMs.push(ms);
  }

  recordPoint(trials: number): void {
    this.pointTrials.push(trials);
  }

  /** Mean wall time of a trial so far (the plan's guess before any). */
  trialEstimateMs(): number {
    if (this.trialMs.length === 0) return this.plannedTrialMs;
    return this.trialMs.reduce((a, b) => a + b, 0) / this.trialMs.length;
  }

  /** Expected wall time of the next point. */
  pointEstimateMs(): number {
    const trials =
      this.pointTrials.length > 0
        ? this.pointTrials.reduce((a, b) => a + b, 0) / this.pointTrials.length
        : (this.perPoint.minTrials + this.perPoint.maxTrials) / 2;
    return trials * this.trialEstimateMs();
  }

  mayStartPoint(): boolean {
    if (this.maxPoints !== null && this.pointTrials.length >= this.maxPoints) return false;
    return this.budgetMs === null || this.elapsedMs() + this.pointEstimateMs() <= this.budgetMs;
  }

  mayStartTrial(): boolean {
    return this.budgetMs === null || this.elapsedMs() + this.trialEstimateMs() <= this.budgetMs;
  }
}

/** What a point does next: run another trial, or stop (its verdict is settled, or the budget is spent). */
export function nextTrial(settled: boolean, budget: Budget): 'run' | 'settled' | 'budget' {
  if (settled) return 'settled';
  return budget.mayStartTrial() ? 'run' : 'budget';
}
