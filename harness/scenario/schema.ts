/**
 * The zod schema of a scenario file as written (before overrides are resolved): strict objects,
 * so a misspelt field is an error rather than silently ignored. Checks that need more than one
 * field (phase -> container references, limits through applyLimit, workload vs command) live
 * in checks.ts, because zod skips an object's refinements as soon as one of its fields fails,
 * and we report every error in one pass.
 *
 * The same schema generates the JSON Schema for editors (jsonschema.ts), so descriptions here
 * are user-facing documentation.
 */
import { z } from 'zod';
import { quoteValue } from './issues.js';
import { duration, guardsSchema, harnessSchema, trialDuration } from './schema-trial.js';

/** Container, phase and cell names end up in cgroup names and file names (so they must match [a-z0-9][a-z0-9_-]*: a cgroup is named `isobench-<run id>-<container>`). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
/** Workload parameters are passed as `--key value`. */
export const PARAM_PATTERN = /^[a-z][a-z0-9-]*$/;

export const WORKLOADS = ['web', 'db', 'cpu', 'memory', 'fork', 'io'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
/** Workloads that serve requests, driven by the open-loop load generator from outside. */
export const SERVED_WORKLOADS: readonly WorkloadName[] = ['web'];

export const ARRIVALS = ['uniform', 'poisson'] as const;
export type Arrivals = (typeof ARRIVALS)[number];
export const STANDBY_MODES = ['auto', 'on', 'off'] as const;
export type StandbyMode = (typeof STANDBY_MODES)[number];

const name = (what: string) =>
  z.string({ error: (iss) => `expected a ${what} name, got ${quoteValue(iss.input)}` }).regex(NAME_PATTERN, {
    error: (iss) => `expected a ${what} name matching [a-z0-9][a-z0-9_-]*, got ${quoteValue(iss.input)}`,
  });

const PRECISION_HINT = 'a precision such as 5% or 0.05 (above 0 and below 100%)';

/** `5%`, `0.05` or 0.05 -> 0.05; anything else null. A bare number of 1 or more is refused: 5 could mean 5% or 500%. */
export function parsePrecision(value: unknown): number | null {
  if (typeof value === 'number') return value > 0 && value < 1 ? value : null;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(value);
  if (!m) return null;
  const v = Number(m[1]);
  const fraction = m[2] === '%' ? v / 100 : v;
  return fraction > 0 && fraction < 1 ? fraction : null;
}

const precision = z
  .union([z.string(), z.number()], {
    error: (iss) => `expected ${PRECISION_HINT}, got ${quoteValue(iss.input)}`,
  })
  .superRefine((value, ctx) => {
    if (parsePrecision(value) === null) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${PRECISION_HINT}, got ${quoteValue(value)}`,
        input: value,
      });
    }
  });

export const scalarSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: (iss) => `expected a string, number or boolean, got ${quoteValue(iss.input)}`,
});
export type Scalar = z.infer<typeof scalarSchema>;

const loadSchema = z
  .strictObject({
    rate: z
      .number()
      .positive()
      .describe('Requests per second, sent open-loop (request i is due at t0 + i/rate).'),
    connections: z
      .number()
      .int()
      .min(1)
      .default(16)
      .describe('Concurrent connections the load generator keeps.'),
    arrivals: z
      .enum(ARRIVALS)
      .default('uniform')
      .describe('Spacing of due times: uniform (fixed interval) or poisson (exponential gaps).'),
    standby: z
      .enum(STANDBY_MODES)
      .default('auto')
      .describe(
        "The generator's standby thread on a second CPU, which sends what the first has not sent 0.4 ms after its due time: auto (on a virtual machine with steal time, at up to 2,500/s), on or off.",
      ),
  })
  .describe('Load for a served workload (web).');

/**
 * Limits as written: keys and values are checked by applyLimit (checks.ts), so the messages
 * match `isobench exec --limit`. The JSON Schema lists the keys for completion (jsonschema.ts).
 */
export const limitsSchema = z
  .record(
    z.string(),
    z.union([z.string(), z.number()], {
      error: (iss) => `expected a limit value (string or number), got ${quoteValue(iss.input)}`,
    }),
  )
  .describe(
    'Limits in cgroup v2 vocabulary, as for isobench exec --limit: cpu.weight, cpu.max, memory.max, ' +
      'memory.high, memory.low, memory.swap.max, io.max.rbps, io.max.wbps, io.max.riops, io.max.wiops, ' +
      'io.weight, pids.max, cpuset.cpus, cpuset.mems.',
  );

const containerSchema = z
  .strictObject({
    workload: z
      .enum(WORKLOADS)
      .optional()
      .describe('A built-in workload (isobench workload NAME). Exclusive with command.'),
    command: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Any program as argv, instead of a built-in workload.'),
    params: z
      .record(
        z.string().regex(PARAM_PATTERN, {
          error: (iss) => `expected a parameter name matching [a-z][a-z0-9-]*, got ${quoteValue(iss.input)}`,
        }),
        scalarSchema,
      )
      .default({})
      .describe('Workload parameters, passed as --key value.'),
    limits: limitsSchema.default({}),
    ioPath: z
      .string()
      .startsWith('/', { error: (iss) => `expected an absolute path, got ${quoteValue(iss.input)}` })
      .optional()
      .describe("Path whose block device io.max and io.weight apply to (default: the container's data dir)."),
    cpuset: z
      .union([z.string(), z.number()], {
        error: (iss) => `expected a CPU list such as 0, 0-1 or 0,2-3, got ${quoteValue(iss.input)}`,
      })
      .optional()
      .describe('CPUs the container may use; same as limits cpuset.cpus.'),
    load: loadSchema.optional(),
    shareNet: z.boolean().default(false).describe("Share the host's network namespace instead of a new one."),
    aggressor: z
      .boolean()
      .default(false)
      .describe(
        'A noisy neighbour, not a measured workload: when it exits or is OOM-killed during a trial (a memory hog under memory.max, a fork bomb under pids.max), the trial goes on and the exit is recorded; it needs no solo phase.',
      ),
    runtime: z
      .enum(['native', 'lxc', 'oci'])
      .default('native')
      .describe(
        "Who starts the container and writes its limits: native (isobench-init, the default), lxc (lxc-execute with lxc.cgroup.* / lxc.cgroup2.* keys) or oci (runc, or crun on a cgroup v2 host, with the spec's linux.resources). The same limits, workload and containment whatever the runtime.",
      ),
    privileged: z
      .boolean()
      .default(false)
      .describe(
        "No containment: the host's files writable and every capability, as isobench did before containment (recorded in results). By default a container sees the host read-only but for its data dir, has a private /tmp and keeps only the capabilities its workload needs (none but the db workload's postgres engine).",
      ),
  })
  .describe('One container: a workload with its parameters, limits and load.');

const phaseSchema = z.strictObject({
  name: name('phase'),
  kind: z
    .enum(['solo', 'colocated'])
    .describe('solo: one container alone (baseline); colocated: several together.'),
  containers: z.array(z.string()).min(1).describe('Names of the containers that run in this phase.'),
});

const cellSchema = z.strictObject({
  name: name('cell'),
  description: z.string().optional(),
  set: z
    .record(z.string(), scalarSchema)
    .default({})
    .describe('Settings this cell changes, by dotted path (containers.db.limits.io.max.wbps: 20MiB).'),
});

export const scenarioSchema = z
  .strictObject({
    name: name('scenario').describe('Scenario name; results go to OUTPUT/<date>-<name>/.'),
    description: z.string().optional(),
    duration: trialDuration.default('20s').describe('Measured part of each trial (at least 1ms).'),
    warmup: duration.default('5s').describe('Time each trial runs before measuring starts.'),
    repetitions: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('Trials per cell and phase (a sequential run: the blocks before its first look).'),
    precision: precision
      .optional()
      .describe(
        'Makes the run sequential: after `repetitions` blocks, add one repetition block at a time until every primary interval lies within ±precision of its estimate (5% or 0.05), or the budget is spent. With --variant: until every compare row is settled (alpha spent over the looks) or that precise.',
      ),
    maxRepetitions: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('A sequential run stops after this many repetition blocks (default 3 x repetitions).'),
    timeBudget: duration
      .optional()
      .describe('A sequential run starts no block that would end after this much wall time (e.g. 30m).'),
    sampleInterval: duration.default('500ms').describe('Interval between cgroup/PSI samples.'),
    guards: guardsSchema.prefault({}),
    harness: harnessSchema.prefault({}),
    output: z
      .string()
      .min(1)
      .default('results')
      .describe('Folder under which results/<date>-<name>/ is created.'),
    doctor: z
      .boolean()
      .default(false)
      .describe(
        'Run the quick isobench doctor checks (seconds: namespaces, OOM, pids, CPU weight and quota, io.max ...) before the first trial and record them in results.json, as isobench run --doctor does.',
      ),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional()
      .describe('Seed of the trial order shuffle; pin it to repeat an order exactly.'),
    containers: z.record(name('container'), containerSchema).describe('Containers by name.'),
    phases: z
      .array(phaseSchema)
      .min(1)
      .optional()
      .describe('Phases of each trial set (default: solo-NAME for each container, then colocated with all).'),
    cells: z
      .array(cellSchema)
      .min(1)
      .optional()
      .describe('Named settings overlays, such as no-limits and isolated.'),
    sweep: z
      .record(z.string(), z.array(scalarSchema).min(1))
      .optional()
      .describe('Dotted path -> values; every combination becomes a cell (crossed with cells).'),
  })
  .describe('An isobench scenario: containers, phases, cells and sweep, timings and repetitions.');

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioData = z.output<typeof scenarioSchema>;
export type ContainerData = z.output<typeof containerSchema>;
export type PhaseData = z.output<typeof phaseSchema>;
