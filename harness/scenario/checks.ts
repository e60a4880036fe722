/**
 * Checks that span fields: limits through the same parser as `isobench exec`, workload vs
 * command vs load, phases naming containers. They run on the raw data even when the schema
 * found errors elsewhere, so one pass reports everything; hence the defensive type guards.
 */
import { IsobenchError } from '../errors.js';
import { applyLimit, type Limits } from '../limits.js';
import { cpuListProblem, floorIssues, type HostFacts } from './floors.js';
import { quoteValue } from './issues.js';
import { SERVED_WORKLOADS, WORKLOADS, type WorkloadName } from './schema.js';
import type { DataIssue } from './structure.js';

/**
 * Parameter names (and whether they take a value) of each built-in workload, as the workloads
 * declare them (WORKLOAD_PARAMS in workloads/index.ts). Injected rather than imported, so that
 * parsing a scenario does not load the workloads (and their native modules).
 */
export type WorkloadParamSpecs = Partial<
  Record<WorkloadName, Record<string, { type: 'string' | 'boolean' }>>
>;

/** The runner stops each workload itself at the end of a trial. */
const RESERVED_PARAMS = new Set(['duration']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isLimitValue = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';

/** applyLimit's message without its `limit KEY: ` prefix, since our path already names the key. */
function limitIssue(path: (string | number)[], key: string, err: unknown): DataIssue {
  const message = err instanceof Error ? err.message : String(err);
  const unknownKey = err instanceof IsobenchError && err.code === 'ISOBENCH_UNKNOWN_LIMIT';
  const prefix = `limit ${key}: `;
  return {
    path,
    at: unknownKey ? 'key' : 'value',
    message: message.startsWith(prefix) ? message.slice(prefix.length) : message,
  };
}

function checkContainer(
  name: string,
  c: Obj,
  paramSpecs: WorkloadParamSpecs,
  host: HostFacts | null,
): DataIssue[] {
  const issues: DataIssue[] = [];
  const at = (...rest: string[]) => ['containers', name, ...rest];
  if (c.workload !== undefined && c.command !== undefined) {
    issues.push({ path: at('command'), at: 'key', message: 'give either workload or command, not both' });
  } else if (c.workload === undefined && c.command === undefined) {
    issues.push({
      path: at(),
      at: 'value',
      message: `needs a workload (one of ${WORKLOADS.join(', ')}) or a command`,
    });
  }
  if (c.command !== undefined && isObj(c.params) && Object.keys(c.params).length > 0) {
    issues.push({
      path: at('params'),
      at: 'key',
      message: 'params go to built-in workloads; put arguments in command',
    });
  }
  if (typeof c.workload === 'string' && isObj(c.params))
    issues.push(...checkParams(name, c.workload, c.params, paramSpecs));
  const scratch: Limits = {};
  if (isObj(c.limits)) {
    for (const [key, value] of Object.entries(c.limits)) {
      if (!isLimitValue(value)) continue; // the schema reports the type
      try {
        applyLimit(scratch, key, String(value));
      } catch (err) {
        issues.push(limitIssue(at('limits', key), key, err));
      }
    }
  }
  if (isLimitValue(c.cpuset)) {
    try {
      applyLimit(scratch, 'cpuset.cpus', String(c.cpuset));
    } catch (err) {
      issues.push(limitIssue(at('cpuset'), 'cpuset.cpus', err));
    }
    if (isObj(c.limits) && c.limits['cpuset.cpus'] !== undefined) {
      issues.push({
        path: at('cpuset'),
        at: 'key',
        message: 'set either cpuset or limits cpuset.cpus, not both',
      });
    }
  }
  issues.push(...floorIssues(name, c, host));
  const workload = typeof c.workload === 'string' ? c.workload : undefined;
  const served = workload !== undefined && SERVED_WORKLOADS.includes(workload as WorkloadName);
  if (
    c.load !== undefined &&
    !served &&
    (workload === undefined || WORKLOADS.includes(workload as WorkloadName))
  ) {
    issues.push({
      path: at('load'),
      at: 'key',
      message: `load applies only to served workloads (${SERVED_WORKLOADS.join(', ')}); ${workload === undefined ? 'a command' : JSON.stringify(workload)} drives itself`,
    });
  }
  if (served && c.load === undefined) {
    issues.push({
      path: at('workload'),
      at: 'value',
      message: `workload ${JSON.stringify(workload)} is served: add load: { rate: REQUESTS_PER_SECOND }`,
    });
  }
  return issues;
}

function checkParams(
  name: string,
  workload: string,
  params: Obj,
  paramSpecs: WorkloadParamSpecs,
): DataIssue[] {
  const issues: DataIssue[] = [];
  const specs = paramSpecs[workload as WorkloadName];
  for (const [key, value] of Object.entries(params)) {
    const path = ['containers', name, 'params', key];
    if (RESERVED_PARAMS.has(key)) {
      issues.push({
        path,
        at: 'key',
        message: `${JSON.stringify(key)} is set by the runner (use the scenario's duration)`,
      });
      continue;
    }
    if (!specs) continue;
    const spec = specs[key];
    if (!spec) {
      const known = Object.keys(specs).filter((k) => !RESERVED_PARAMS.has(k));
      issues.push({
        path,
        at: 'key',
        message: `unknown parameter ${JSON.stringify(key)} for workload ${workload}: expected one of ${known.join(', ')}`,
      });
    } else if (spec.type === 'boolean' && typeof value !== 'boolean') {
      issues.push({
        path,
        at: 'value',
        message: `expected true or false (a switch), got ${quoteValue(value)}`,
      });
    } else if (spec.type === 'string' && typeof value === 'boolean') {
      issues.push({ path, at: 'value', message: `expected a value, got ${quoteValue(value)}` });
    }
  }
  return issues;
}

function checkPhases(phases: unknown[], containerNames: Set<string> | null): DataIssue[] {
  const issues: DataIssue[] = [];
  const firstByName = new Map<string, number>();
  phases.forEach((phase, i) => {
    if (!isObj(phase)) return;
    if (typeof phase.name === 'string') {
      const first = firstByName.get(phase.name);
      if (first !== undefined) {
        issues.push({
          path: ['phases', i, 'name'],
          at: 'value',
          message: `duplicate phase name ${JSON.stringify(phase.name)} (also phases.${first}.name)`,
        });
      } else firstByName.set(phase.name, i);
    }
    if (!Array.isArray(phase.containers)) return;
    const seen = new Set<string>();
    phase.containers.forEach((name, j) => {
      if (typeof name !== 'string') return;
      if (containerNames && !containerNames.has(name)) {
        issues.push({
          path: ['phases', i, 'containers', j],
          at: 'value',
          message: `no container ${JSON.stringify(name)} (containers: ${[...containerNames].join(', ')})`,
        });
      } else if (seen.has(name)) {
        issues.push({
          path: ['phases', i, 'containers', j],
          at: 'value',
          message: `container ${JSON.stringify(name)} listed twice`,
        });
      }
      seen.add(name);
    });
    const n = phase.containers.length;
    if (phase.kind === 'solo' && n !== 1) {
      issues.push({
        path: ['phases', i, 'containers'],
        at: 'value',
        message: `a solo phase runs exactly one container, got ${n}`,
      });
    }
    if (phase.kind === 'colocated' && n < 2) {
      issues.push({
        path: ['phases', i, 'containers'],
        at: 'value',
        message: `a colocated phase runs at least two containers, got ${n}`,
      });
    }
  });
  return issues;
}

function checkCellNames(cells: unknown[]): DataIssue[] {
  const issues: DataIssue[] = [];
  const firstByName = new Map<string, number>();
  cells.forEach((cell, i) => {
    if (!isObj(cell) || typeof cell.name !== 'string') return;
    const first = firstByName.get(cell.name);
    if (first === undefined) firstByName.set(cell.name, i);
    else {
      issues.push({
        path: ['cells', i, 'name'],
        at: 'value',
        message: `duplicate cell name ${JSON.stringify(cell.name)} (also cells.${first}.name)`,
      });
    }
  });
  return issues;
}

/** The budget of a sequential run only means something with its stop rule, and holds the first look. */
function checkSequential(raw: Obj): DataIssue[] {
  const issues: DataIssue[] = [];
  for (const field of ['maxRepetitions', 'timeBudget'] as const) {
    if (raw[field] !== undefined && raw.precision === undefined) {
      issues.push({
        path: [field],
        at: 'key',
        message: 'bounds a sequential run: give precision too (such as precision: 5%)',
      });
    }
  }
  const reps = typeof raw.repetitions === 'number' ? raw.repetitions : 5;
  if (typeof raw.maxRepetitions === 'number' && raw.maxRepetitions < reps) {
    issues.push({
      path: ['maxRepetitions'],
      at: 'value',
      message: `expected at least repetitions (${reps}), the blocks before the first look, got ${quoteValue(raw.maxRepetitions)}`,
    });
  }
  return issues;
}

/** `host`: this host's CPUs and memory nodes, to refuse cpusets it does not have (null: not checked). */
export function crossChecks(
  raw: unknown,
  paramSpecs: WorkloadParamSpecs = {},
  host: HostFacts | null = null,
): DataIssue[] {
  if (!isObj(raw)) return [];
  const issues: DataIssue[] = [];
  let containerNames: Set<string> | null = null;
  if (isObj(raw.containers)) {
    containerNames = new Set(Object.keys(raw.containers));
    if (containerNames.size === 0) {
      issues.push({ path: ['containers'], at: 'value', message: 'expected at least one container' });
    }
    for (const [name, c] of Object.entries(raw.containers))
      if (isObj(c)) issues.push(...checkContainer(name, c, paramSpecs, host));
  }
  if (Array.isArray(raw.phases)) issues.push(...checkPhases(raw.phases, containerNames));
  if (Array.isArray(raw.cells)) issues.push(...checkCellNames(raw.cells));
  issues.push(...checkSequential(raw));
  const harnessCpus = isObj(raw.harness) ? raw.harness.cpus : undefined;
  const problem =
    host && isLimitValue(harnessCpus) ? cpuListProblem(String(harnessCpus), host.cpus, 'CPU') : null;
  if (problem) issues.push({ path: ['harness', 'cpus'], at: 'value', message: problem });
  return issues;
}
