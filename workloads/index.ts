/**
 * What the harness uses of workloads/: the catalog (names, parameters, `workloadMain`) and the
 * load generator. Workloads never import the harness engine (only units/errors). The processes
 * the runner starts do not come through here: workloads/main.ts loads only what its command
 * needs.
 */
export {
  describeWorkloadParams,
  isWorkloadName,
  WORKLOAD_NAMES,
  WORKLOAD_PARAMS,
  type WorkloadName,
  workloadMain,
} from './catalog.js';
export { LOAD_USAGE, loadMain } from './load/cli.js';
export type { IntervalFigures } from './load/intervals.js';
export {
  GENERATOR_NODE_FLAGS,
  loadCommand,
  loadCommandInNetns,
  netnsPrefix,
  workloadsMainPath,
} from './load/netns.js';
export {
  LATE_THRESHOLD_MS,
  type LoadOptions,
  type LoadResult,
  type LoadWindow,
  type PreparedLoad,
  prepareLoad,
  runLoad,
} from './load/run.js';
export { COMMON_PARAMS, type ParamSpec, type ParamSpecs } from './params.js';
