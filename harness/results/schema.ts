/**
 * The zod schema of results.json and trials.jsonl, mirroring types.ts (a compile-time check at
 * the bottom fails if the two drift). The reader validates with it; the published JSON Schema
 * (results.schema.json) is generated from it.
 *
 * Objects are strict so that a misspelt field is caught, except the workload's own ready/final
 * lines and the load generator's result, which each workload defines and may extend.
 */
import { z } from 'zod';
import { CGROUP_FIGURES, type CgroupFigure, METRIC_NAMES } from './columns.js';
import { doctorRecordSchema } from './doctor-schema.js';
import { cgroupWindowSchema, trialMeasureSchema } from './measure-schema.js';
import {
  type DoctorRecord,
  type HostFingerprint,
  type MetricName,
  READABLE_SCHEMA_VERSIONS,
  type ResultsFile,
  type SequentialRecord,
  type TrialRecord,
} from './types.js';

const count = z.int().nonnegative();
const num = z.number();
const nullableNum = z.number().nullable();
const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Workload-defined records: any keys. */
const openRecord = z.record(z.string(), z.unknown()).nullable();

const appliedLimitSchema = z.strictObject({
  value: z.string(),
  file: z.string(),
  raw: z.string(),
  formula: z.string().optional(),
});

const trialMetricsSchema = z.strictObject(
  Object.fromEntries(METRIC_NAMES.map((m) => [m, nullableNum.optional()])) as Record<
    MetricName,
    z.ZodOptional<z.ZodNullable<z.ZodNumber>>
  >,
);

const trialContainerSchema = z
  .strictObject({
    name: z.string(),
    workload: z.string(),
    limits: z.strictObject({
      requested: z.record(z.string(), z.string()),
      applied: z.record(z.string(), appliedLimitSchema),
    }),
    cgroupPath: z.string(),
    exit: z
      .strictObject({ exitCode: z.int().nullable(), signal: z.string().nullable(), oomKilled: z.boolean() })
      .nullable(),
    ready: openRecord,
    final: openRecord,
    load: openRecord,
    metrics: trialMetricsSchema,
    histograms: z.strictObject({ latencyUs: z.string().optional(), commitLatencyUs: z.string().optional() }),
    cgroup: cgroupWindowSchema,
    privileged: z.boolean().optional(),
    userns: z
      .strictObject({ uidMap: z.array(z.string()), gidMap: z.array(z.string()) })
      .nullable()
      .optional(),
    runtime: z
      .strictObject({
        runtime: z.enum(['lxc', 'oci']),
        engine: z.enum(['lxc', 'runc', 'crun']),
        version: z.string(),
        config: z.string(),
        cgroupPath: z.string(),
      })
      .nullable()
      .optional(),
  })
  .meta({ id: 'IsobenchTrialContainer' });

const phaseKind = z.enum(['solo', 'colocated']);
const phaseRef = z.strictObject({ name: z.string(), kind: phaseKind, containers: z.array(z.string()) });
const cellRef = z.strictObject({ id: z.string(), name: z.string(), settings: z.record(z.string(), scalar) });

const trialBase = {
  id: z.string(),
  index: count,
  repetition: z.int().positive(),
  cell: cellRef,
  phase: phaseRef,
  startedAt: z.string(),
  durationMs: num,
  foreignCpuUs: nullableNum,
  containers: z.array(trialContainerSchema),
  measure: trialMeasureSchema.optional(),
};

export const trialRecordSchema = z
  .discriminatedUnion('status', [
    z.strictObject({ ...trialBase, status: z.literal('ok') }),
    z.strictObject({
      ...trialBase,
      status: z.literal('failed'),
      reason: z.string(),
      failedContainer: z.string().nullable(),
    }),
    z.strictObject({ ...trialBase, status: z.literal('invalid'), reason: z.string() }),
  ])
  .meta({ id: 'IsobenchTrialRecord' });

export const estimateSchema = z
  .strictObject({
    median: nullableNum,
    low: nullableNum,
    high: nullableNum,
    n: count,
    tailSamples: count.optional(),
  })
  .meta({ id: 'IsobenchEstimate' });

const mergedSchema = z
  .strictObject({
    count,
    p50Us: num,
    p90Us: num,
    p99Us: num,
    p999Us: num,
    maxUs: num,
  })
  .meta({ id: 'IsobenchMergedPercentiles' });

const metricEstimatesSchema = z
  .strictObject(
    Object.fromEntries(METRIC_NAMES.map((m) => [m, estimateSchema.optional()])) as Record<
      MetricName,
      z.ZodOptional<typeof estimateSchema>
    >,
  )
  .meta({ id: 'IsobenchMetricEstimates' });

const phaseSummarySchema = z
  .strictObject({
    phase: z.string(),
    trials: count,
    failed: count,
    failures: z.array(z.strictObject({ trial: z.string(), reason: z.string() })),
    invalid: z.array(z.strictObject({ trial: z.string(), reason: z.string() })).optional(),
    metrics: metricEstimatesSchema,
    merged: z.strictObject({ latencyUs: mergedSchema.optional(), commitLatencyUs: mergedSchema.optional() }),
    cgroup: z.strictObject(
      Object.fromEntries(CGROUP_FIGURES.map((f) => [f, estimateSchema.optional()])) as Record<
        CgroupFigure,
        z.ZodOptional<typeof estimateSchema>
      >,
    ),
  })
  .meta({ id: 'IsobenchPhaseSummary' });

const cellResultSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  settings: z.record(z.string(), scalar),
  containers: z.record(
    z.string(),
    z.strictObject({
      solo: phaseSummarySchema.nullable(),
      colocated: phaseSummarySchema.nullable(),
      slowdown: metricEstimatesSchema.nullable(),
      neighbours: z.array(
        z.strictObject({
          phase: z.string(),
          with: z.array(z.string()),
          colocated: phaseSummarySchema,
          slowdown: metricEstimatesSchema.nullable(),
        }),
      ),
    }),
  ),
});

export const hostSchema = z.strictObject({
  hostname: z.string(),
  kernel: z.string(),
  distribution: z.string(),
  cpu: z.strictObject({ model: z.string(), cores: count, threads: count, mhz: nullableNum }),
  memoryBytes: num,
  swapBytes: num,
  disks: z.array(
    z.strictObject({
      name: z.string(),
      model: z.string().nullable(),
      sizeBytes: nullableNum,
      rotational: z.boolean().nullable(),
      scheduler: z.string().nullable(),
    }),
  ),
  cgroup: z.strictObject({ mode: z.string(), controllers: z.array(z.string()), psi: z.boolean() }),
  thp: z.strictObject({ enabled: z.string().nullable(), defrag: z.string().nullable() }),
  swappiness: nullableNum,
  virtualization: z.string().nullable(),
  node: z.string(),
  isobench: z.string(),
});

const variantSchema = z
  .strictObject({ name: z.string(), group: z.string(), variants: z.array(z.string()) })
  .meta({ id: 'IsobenchVariant' });

const sequentialSchema = z
  .strictObject({
    rule: z.strictObject({
      kind: z.enum(['precision', 'group-sequential']),
      precision: nullableNum,
      minRepetitions: z.int().positive(),
      maxRepetitions: z.int().positive(),
      timeBudgetMs: nullableNum,
      alpha: nullableNum,
      equivalenceAlpha: nullableNum,
      thresholdPct: nullableNum,
      spending: z.string().nullable(),
      text: z.string(),
    }),
    looks: z.array(
      z.strictObject({
        repetitions: z.int().positive(),
        trials: count,
        elapsedMs: num,
        fraction: num,
        nominalAlpha: nullableNum,
        nominalEquivalenceAlpha: nullableNum,
        widest: z.strictObject({ figure: z.string(), halfWidth: nullableNum }).nullable(),
        comparisons: z.array(
          z.strictObject({
            base: z.string(),
            cand: z.string(),
            regression: count,
            improvement: count,
            noChange: count,
            inconclusive: count,
          }),
        ),
        decision: z.enum(['continue', 'stop']),
      }),
    ),
    stop: z.strictObject({
      reason: z.enum(['precision', 'settled', 'max-repetitions', 'time-budget', 'interrupted']),
      repetitions: count,
      targetReached: z.boolean(),
      text: z.string(),
    }),
  })
  .meta({ id: 'IsobenchSequential' });

export const resultsSchema = z.strictObject({
  schemaVersion: z.union(READABLE_SCHEMA_VERSIONS.map((v) => z.literal(v))),
  runId: z.string(),
  status: z.enum(['complete', 'interrupted']),
  startedAt: z.string(),
  finishedAt: z.string(),
  command: z.array(z.string()),
  host: hostSchema,
  scenario: z.strictObject({
    name: z.string(),
    file: z.string(),
    text: z.string(),
    overrides: z.array(z.string()),
    seed: num,
    seedFrom: z.enum(['option', 'scenario', 'derived', 'random']).optional(),
    repetitions: z.int().positive(),
    shard: z.strictObject({ index: z.int().positive(), count: z.int().positive() }).nullable(),
    totalTrials: count,
    phases: z.array(phaseRef),
  }),
  cells: z.array(cellResultSchema),
  trials: z.array(trialRecordSchema),
  variant: variantSchema.nullable().optional(),
  sequential: sequentialSchema.nullable().optional(),
  doctor: doctorRecordSchema.nullable().optional(),
});

// Compile-time mirror check: each side must be assignable to the other, so that a field added
// to types.ts without the schema (or the reverse) fails `tsc`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const mirrors: [
  Same<z.infer<typeof resultsSchema>, ResultsFile>,
  Same<z.infer<typeof trialRecordSchema>, TrialRecord>,
  Same<z.infer<typeof hostSchema>, HostFingerprint>,
  Same<z.infer<typeof sequentialSchema>, SequentialRecord>,
  Same<z.infer<typeof doctorRecordSchema>, DoctorRecord>,
] = [true, true, true, true, true];
void mirrors;
