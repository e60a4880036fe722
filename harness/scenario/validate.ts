/**
 * `isobench validate FILE`: parse, validate and plan a scenario without touching the system.
 */
import { readFile } from 'node:fs/promises';
import { errnoOf, formatError, IsobenchError } from '../errors.js';
import type { WorkloadParamSpecs } from './checks.js';
import { type HostFacts, readHostFacts } from './floors.js';
import type { ScenarioOverrides } from './overrides.js';
import { parseScenario } from './parse.js';
import { formatPlanSummary, parseShard, planRun, type RunPlan, type Shard } from './plan.js';
import type { Scenario } from './types.js';

export interface PlanSummary {
  cells: number;
  phases: number;
  repetitions: number;
  /** A sequential run's maximum blocks (= repetitions for a fixed run). */
  maxRepetitions: number;
  totalTrials: number;
  /** Trials of this shard (all of them without --shard). */
  trials: number;
  estimatedDurationMs: number;
  /** The one-line form printed by validate. */
  text: string;
}

export function summarizePlan(plan: RunPlan): PlanSummary {
  return {
    cells: plan.cells.length,
    phases: plan.phases.length,
    repetitions: plan.repetitions,
    maxRepetitions: plan.maxRepetitions,
    totalTrials: plan.totalTrials,
    trials: plan.trials.length,
    estimatedDurationMs: plan.estimatedDurationMs,
    text: formatPlanSummary(plan),
  };
}

export interface ValidateOptions extends ScenarioOverrides {
  shard?: Shard;
  /** WORKLOAD_PARAMS from workloads/, to check parameter names. */
  workloadParams?: WorkloadParamSpecs;
  /** The host the scenario is checked against (default: this one, read from /sys). */
  host?: HostFacts | null;
}

/** Reads and validates a file; throws ScenarioError (exit 2) or a UsageError for an unreadable file. */
export async function validateScenarioFile(
  file: string,
  opts: ValidateOptions = {},
): Promise<{ scenario: Scenario; plan: RunPlan; summary: PlanSummary }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new IsobenchError(
      'ISOBENCH_SCENARIO_UNREADABLE',
      `${file}: cannot read the scenario (${errnoOf(cause) ?? String(cause)})`,
      {
        cause,
        exitCode: 2,
      },
    );
  }
  const { shard: _s, workloadParams, host, ...overrides } = opts;
  const scenario = parseScenario(text, {
    file,
    overrides,
    host: host === undefined ? readHostFacts() : host,
    ...(workloadParams ? { workloadParams } : {}),
  });
  const plan = planRun(scenario, opts.shard ? { shard: opts.shard } : {});
  return { scenario, plan, summary: summarizePlan(plan) };
}

export interface ValidateMainOptions extends ScenarioOverrides {
  workloadParams?: WorkloadParamSpecs;
  /** `I/N` as typed. */
  shard?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/**
 * Prints `OK: FILE: 2 cells x 3 phases x 5 repetitions = 30 trials, about 14 min` and returns 0,
 * or prints each error line to stderr (`isobench: CODE: ...`) and returns the error's exit code
 * (2 for a bad scenario).
 */
export async function validateMain(file: string, opts: ValidateMainOptions = {}): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  try {
    const { shard, stdout: _o, stderr: _e, ...overrides } = opts;
    const { scenario, summary } = await validateScenarioFile(file, {
      ...overrides,
      ...(shard === undefined ? {} : { shard: parseShard(shard) }),
    });
    for (const w of scenario.warnings) stderr.write(`warning: ${file}: ${w}\n`);
    stdout.write(`OK: ${file}: ${summary.text}\n`);
    return 0;
  } catch (err) {
    if (err instanceof IsobenchError) {
      stderr.write(formatError(err));
      return err.exitCode;
    }
    throw err;
  }
}
