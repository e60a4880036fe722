/**
 * Entry points the harness CLI wires: `isobench workload NAME [--PARAM VALUE]...` and
 * `isobench load URL ...`. Workloads never import the harness engine (only units/errors).
 */
import { quote, UsageError } from '../harness/errors.js';
import { CPU_PARAMS, cpuMain } from './antagonists/cpu.js';
import { FORK_PARAMS, forkMain } from './antagonists/fork.js';
import { IO_PARAMS, ioMain } from './antagonists/io.js';
import { MEMORY_PARAMS, memoryMain } from './antagonists/memory.js';
import { DB_PARAMS, dbMain } from './db/main.js';
import { COMMON_PARAMS, type ParamSpecs } from './params.js';
import { releaseStopHandlers } from './protocol.js';
import { WEB_PARAMS, webMain } from './web/server.js';

export { LOAD_USAGE, loadMain } from './load/cli.js';
export type { IntervalFigures } from './load/intervals.js';
export { loadCommandInNetns, workloadsMainPath } from './load/netns.js';
export {
  LATE_THRESHOLD_MS,
  type LoadOptions,
  type LoadResult,
  type LoadWindow,
  type PreparedLoad,
  prepareLoad,
  runLoad,
} from './load/run.js';
export type { ParamSpec, ParamSpecs } from './params.js';

export const WORKLOAD_NAMES = ['web', 'db', 'cpu', 'memory', 'fork', 'io'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

const MAINS: Record<WorkloadName, (argv: string[]) => Promise<number>> = {
  web: webMain,
  db: dbMain,
  cpu: cpuMain,
  memory: memoryMain,
  fork: forkMain,
  io: ioMain,
};

/** Parameters of each workload (without the common `--duration`), for help texts and validation. */
export const WORKLOAD_PARAMS: Record<WorkloadName, ParamSpecs> = {
  web: WEB_PARAMS,
  db: DB_PARAMS,
  cpu: CPU_PARAMS,
  memory: MEMORY_PARAMS,
  fork: FORK_PARAMS,
  io: IO_PARAMS,
};
export { COMMON_PARAMS };

export function isWorkloadName(name: string): name is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(name);
}

/** Runs workload NAME until SIGTERM/SIGINT or `--duration`; resolves with the exit code. */
export async function workloadMain(name: string, argv: string[]): Promise<number> {
  if (!isWorkloadName(name)) {
    throw new UsageError(
      'ISOBENCH_UNKNOWN_WORKLOAD',
      `unknown workload ${quote(name)}; expected one of ${WORKLOAD_NAMES.join(', ')}`,
    );
  }
  try {
    return await MAINS[name](argv);
  } finally {
    releaseStopHandlers();
  }
}

/** One line per parameter, for `isobench workload --help`. */
export function describeWorkloadParams(name: WorkloadName): string {
  const specs = { ...WORKLOAD_PARAMS[name], ...COMMON_PARAMS };
  return Object.entries(specs)
    .map(([param, spec]) => {
      const arg = spec.type === 'boolean' ? `--${param}` : `--${param} VALUE`;
      const def = spec.default === undefined ? '' : ` (default ${spec.default})`;
      return `  ${arg.padEnd(26)} ${spec.description}${def}`;
    })
    .join('\n');
}
