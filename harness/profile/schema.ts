/**
 * The zod schema of profile.json and prediction.json, mirroring types.ts (a compile-time check at
 * the bottom fails if the two drift). `readProfile` validates with it; the published JSON Schema
 * (profile.schema.json) is generated from it and compared in a test.
 */
import { z } from 'zod';
import { METRIC_NAMES } from '../results/columns.js';
import { estimateSchema } from '../results/schema.js';
import type { MetricName } from '../results/types.js';
import {
  type Footprint,
  PROFILE_SCHEMA_VERSION,
  type PredictionFile,
  type ProfileFile,
  RESOURCES,
} from './types.js';

const nullableNum = z.number().nullable();
const count = z.int().nonnegative();
const metricName = z.enum(METRIC_NAMES as [MetricName, ...MetricName[]]);
const resource = z.enum(RESOURCES);

const FOOTPRINT_FIELDS = [
  'cpuCores',
  'memoryPeakBytes',
  'ioBytesPerSec',
  'ioOpsPerSec',
  'pidsPeak',
  'psiCpuSome',
  'psiMemorySome',
  'psiIoSome',
] as const satisfies readonly (keyof Footprint)[];
const footprintField = z.enum(FOOTPRINT_FIELDS);

export const footprintSchema = z
  .strictObject({
    trials: count,
    cpuCores: nullableNum,
    memoryPeakBytes: nullableNum,
    ioBytesPerSec: nullableNum,
    ioOpsPerSec: nullableNum,
    pidsPeak: nullableNum,
    psiCpuSome: nullableNum,
    psiMemorySome: nullableNum,
    psiIoSome: nullableNum,
  })
  .meta({ id: 'IsobenchFootprint' });

const slowdownsSchema = z.strictObject(
  Object.fromEntries(METRIC_NAMES.map((m) => [m, estimateSchema.optional()])) as Record<
    MetricName,
    z.ZodOptional<typeof estimateSchema>
  >,
);

const pointSchema = z.strictObject({
  intensity: z.number().min(0).max(100),
  receivedIntensity: nullableNum,
  footprint: footprintSchema,
  slowdown: slowdownsSchema,
});

const curveSchema = z.strictObject({
  resource,
  container: z.string(),
  workload: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  limits: z.record(z.string(), z.union([z.string(), z.number()])),
  scaleFigure: footprintField,
  points: z.array(pointSchema),
});

export const profileSchema = z
  .strictObject({
    profileSchemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
    kind: z.literal('profile'),
    createdAt: z.string(),
    command: z.array(z.string()),
    host: z.strictObject({ hostname: z.string(), kernel: z.string(), cpus: count }),
    scenario: z.strictObject({ file: z.string(), name: z.string() }),
    container: z.strictObject({
      name: z.string(),
      workload: z.string(),
      definition: z.record(z.string(), z.unknown()).optional(),
    }),
    run: z.strictObject({
      dir: z.string(),
      durationMs: z.number(),
      warmupMs: z.number(),
      repetitions: z.int().positive(),
      trials: count,
      failedTrials: count,
    }),
    intensities: z.array(z.number().min(0).max(100)),
    metrics: z.array(metricName),
    primaryMetric: metricName.nullable(),
    footprint: footprintSchema,
    antagonists: z.array(curveSchema),
  })
  .meta({
    id: 'IsobenchProfile',
    title: `isobench profile.json, profileSchemaVersion ${PROFILE_SCHEMA_VERSION}`,
  });

const intervalSchema = z.strictObject({ median: z.number(), low: nullableNum, high: nullableNum });

const predictionSchema = z.strictObject({
  victim: z.string(),
  aggressor: z.string(),
  metric: metricName,
  rule: z.literal('product'),
  terms: z.array(
    z.strictObject({
      resource,
      scaleFigure: footprintField,
      aggressorFootprint: nullableNum,
      alreadyCounted: nullableNum,
      intensity: nullableNum,
      clamped: z.literal('above').nullable(),
      slowdown: intervalSchema.nullable(),
    }),
  ),
  predicted: intervalSchema.nullable(),
  worstTerm: intervalSchema.nullable(),
  note: z.string().nullable(),
});

export const predictionFileSchema = z
  .strictObject({
    profileSchemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
    kind: z.literal('prediction'),
    createdAt: z.string(),
    command: z.array(z.string()),
    profiles: z.tuple([z.string(), z.string()]),
    predictions: z.array(predictionSchema),
    validation: z
      .strictObject({
        scenario: z.string(),
        dir: z.string(),
        repetitions: z.int().positive(),
        rows: z.array(
          z.strictObject({
            victim: z.string(),
            aggressor: z.string(),
            metric: metricName,
            predicted: nullableNum,
            worstTerm: nullableNum,
            measured: estimateSchema.nullable(),
            error: nullableNum,
            within10: z.boolean().nullable(),
            inInterval: z.boolean().nullable(),
          }),
        ),
      })
      .nullable(),
  })
  .meta({ id: 'IsobenchPrediction' });

/** Both files' JSON Schema: one document, a union told apart by `kind` (zod puts shared parts under the root's `$defs`). */
export function profileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(z.union([profileSchema, predictionFileSchema]), {
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: `urn:isobench:profile:v${PROFILE_SCHEMA_VERSION}`,
    title: `isobench profile.json and prediction.json, profileSchemaVersion ${PROFILE_SCHEMA_VERSION}`,
    ...rest,
  };
}

export function profileJsonSchemaText(): string {
  return `${JSON.stringify(profileJsonSchema(), null, 2)}\n`;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const mirrors: [
  Same<z.infer<typeof profileSchema>, ProfileFile>,
  Same<z.infer<typeof predictionFileSchema>, PredictionFile>,
] = [true, true];
void mirrors;
