/**
 * What workloads exist and what each accepts, as data, plus the one step that loads a
 * workload's code. Kept free of the workloads themselves: `isobench --help`, scenario
 * validation and the start of a workload process read this file only, and a process that runs
 * one workload imports only that workload's module (a cpu hog never loads sqlite, the HDR
 * histogram library or the HTTP client).
 */
import { quote, UsageError } from '../harness/errors.js';
import { WORKLOAD_NAMES, type WorkloadName } from './names.js';
import { COMMON_PARAMS, INTENSITY_PARAM, type ParamSpecs } from './params.js';
import { releaseStopHandlers } from './protocol.js';

export { WORKLOAD_NAMES, type WorkloadName };

export function isWorkloadName(name: string): name is WorkloadName {
  return (WORKLOAD_NAMES as readonly string[]).includes(name);
}

export const WEB_PARAMS: ParamSpecs = {
  port: {
    type: 'string',
    description: 'TCP port; 0 picks a free one (the ready line reports it)',
    default: '0',
  },
  host: { type: 'string', description: 'listen address: 127.0.0.1 or 0.0.0.0', default: '127.0.0.1' },
  'working-set': { type: 'string', description: 'bytes held and touched (heap or file)', default: '256MiB' },
  mode: {
    type: 'string',
    description: 'heap: anonymous memory; pagecache: a file read with pread',
    default: 'heap',
  },
  'touch-bytes': {
    type: 'string',
    description: 'bytes touched per request, as random 4 KiB pages',
    default: '256KiB',
  },
  'response-bytes': { type: 'string', description: 'response body size', default: '1KiB' },
  'cpu-us': { type: 'string', description: 'extra busy work per request, microseconds', default: '0' },
  'data-file': {
    type: 'string',
    description: 'file for pagecache mode (created/filled if missing or short)',
  },
};

export const DB_PARAMS: ParamSpecs = {
  engine: {
    type: 'string',
    description: 'sqlite (better-sqlite3, WAL, synchronous=FULL) or postgres (a real server)',
    default: 'sqlite',
  },
  'data-dir': {
    type: 'string',
    description: 'where the database lives; created and populated on first use, reused after (required)',
  },
  rows: { type: 'string', description: 'rows in the table', default: '100000' },
  size: {
    type: 'string',
    description: 'table size instead of --rows (rows = size / row-bytes), e.g. larger than memory.max',
  },
  'row-bytes': { type: 'string', description: 'payload bytes per row', default: '1KiB' },
  'read-pct': {
    type: 'string',
    description: 'percent of operations that are point reads; the rest are half inserts, half updates',
    default: '50',
  },
  'ops-per-txn': { type: 'string', description: 'operations per transaction', default: '4' },
  rate: { type: 'string', description: 'target transactions/s; 0 = flat out', default: '0' },
};

export const CPU_PARAMS: ParamSpecs = {
  threads: { type: 'string', description: 'spinning worker threads (default: all CPUs)' },
  intensity: { ...INTENSITY_PARAM, description: 'duty cycle percent: busy this share of every 10 ms slice' },
};

export const MEMORY_PARAMS: ParamSpecs = {
  size: { type: 'string', description: 'bytes to hold (hold), or per cycle (churn)', default: '1GiB' },
  rate: {
    type: 'string',
    description: 'allocate-and-touch rate, SIZE/s; 0 = as fast as possible',
    default: '0',
  },
  mode: {
    type: 'string',
    description:
      'hold: allocate up to size and keep; churn: allocate and free repeatedly; bomb: allocate without bound',
    default: 'hold',
  },
  forever: { type: 'boolean', description: 'same as --mode bomb (memory bomb)' },
  churn: { type: 'boolean', description: 'same as --mode churn' },
  intensity: {
    ...INTENSITY_PARAM,
    description: 'hold/churn: percent of --size used; bomb: percent of --rate (256MiB/s if unset)',
  },
};

export const FORK_PARAMS: ParamSpecs = {
  max: {
    type: 'string',
    description: 'most children alive at once (a safety bound outside a cgroup)',
    default: '10000',
  },
  rate: { type: 'string', description: 'spawn attempts per second at intensity 100', default: '1000' },
  intensity: { ...INTENSITY_PARAM, description: 'percent of --rate spawn attempts per second' },
};

export const IO_PARAMS: ParamSpecs = {
  path: { type: 'string', description: 'directory for the test file isobench-io.dat (required)' },
  mode: { type: 'string', description: 'write|read|randwrite|randread', default: 'write' },
  direct: { type: 'boolean', description: 'O_DIRECT: bypass the page cache (buffers are 4096-aligned)' },
  sync: { type: 'boolean', description: 'O_DSYNC on every write (reads: no effect)' },
  'block-size': { type: 'string', description: 'bytes per read/write call', default: '128KiB' },
  rate: { type: 'string', description: 'target SIZE/s at intensity 100; 0 = flat out', default: '0' },
  'file-size': { type: 'string', description: 'size of the file the IO wraps around in', default: '256MiB' },
  keep: { type: 'boolean', description: 'keep the test file at exit (it is removed if this run created it)' },
  intensity: {
    ...INTENSITY_PARAM,
    description: 'with --rate: percent of the rate; flat out: duty cycle in 100 ms slices',
  },
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

type WorkloadMain = (argv: string[]) => Promise<number>;

/** Each workload's module, imported when that workload runs. */
const MAINS: Record<WorkloadName, () => Promise<WorkloadMain>> = {
  web: async () => (await import('./web/server.js')).webMain,
  db: async () => (await import('./db/main.js')).dbMain,
  cpu: async () => (await import('./antagonists/cpu.js')).cpuMain,
  memory: async () => (await import('./antagonists/memory.js')).memoryMain,
  fork: async () => (await import('./antagonists/fork.js')).forkMain,
  io: async () => (await import('./antagonists/io.js')).ioMain,
};

/** Runs workload NAME until SIGTERM/SIGINT or `--duration`; resolves with the exit code. */
export async function workloadMain(name: string, argv: string[]): Promise<number> {
  if (!isWorkloadName(name)) {
    throw new UsageError(
      'ISOBENCH_UNKNOWN_WORKLOAD',
      `unknown workload ${quote(name)}; expected one of ${WORKLOAD_NAMES.join(', ')}`,
    );
  }
  const main = await MAINS[name]();
  try {
    return await main(argv);
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
