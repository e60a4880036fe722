/**
 * Scenario files: text -> validated, planned trials. Pure: nothing here touches cgroups,
 * processes or the network (DESIGN: "scenario/ knows nothing of cgroups or processes").
 */
export { workloadArgs } from './argv.js';
export type { WorkloadParamSpecs } from './checks.js';
export { formatIssue, type IssueOrigin, ScenarioError, type ScenarioIssue } from './issues.js';
export { scenarioJsonSchema, scenarioJsonSchemaText } from './jsonschema.js';
export type { ScenarioOverrides } from './overrides.js';
export { type ParseOptions, parseScenario } from './parse.js';
export {
  formatApproxDuration,
  formatPlanSummary,
  type PlannedTrial,
  type PlanOptions,
  parseShard,
  planRun,
  type RunPlan,
  type Shard,
  TRIAL_OVERHEAD_MS,
} from './plan.js';
export { SERVED_WORKLOADS, WORKLOADS } from './schema.js';
export type * from './types.js';
export {
  type PlanSummary,
  summarizePlan,
  type ValidateMainOptions,
  type ValidateOptions,
  validateMain,
  validateScenarioFile,
} from './validate.js';
