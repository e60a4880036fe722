/**
 * tune.json: what `isobench tune` did and concluded, the contract its report reads (like
 * results.json for a run). Versioned; the zod schema is what the report's reader checks, and
 * tune.schema.json is generated from it (schema.test.ts keeps them equal). Each point's trials
 * are a results folder of their own (points/NN/: trials.jsonl, results.json), which `isobench
 * report` and `compare` read like any run's.
 */
import { z } from 'zod';
import { hostSchema } from '../results/schema.js';

export const TUNE_SCHEMA_VERSION = 1;
export const TUNE_SCHEMA_ID = `urn:isobench:tune:v${TUNE_SCHEMA_VERSION}`;

const num = z.number();
const verdict = z.enum(['meets', 'violates', 'unsettled']);

export const knobRecordSchema = z.strictObject({
  path: z.string().describe('Dotted path, as --set and a cell set: use it.'),
  label: z.string().describe('Short name for tables and axes (db.io.max.wbps).'),
  text: z.string().describe('The --knob argument as typed.'),
  unit: z.enum(['bytes', 'number']),
  tight: num.describe('The tightest value tried (the end that gives the other containers least).'),
  loose: num.describe('The loosest value.'),
  scale: z.enum(['geometric', 'arithmetic']).describe('Midpoints on a log scale, or linear.'),
  looserRule: z.string().describe('Which end is looser, and why.'),
});

export const lookRecordSchema = z.strictObject({
  n: z.number().int(),
  level: num.describe('Two-sided level of the interval at this look.'),
  median: num,
  low: num.nullable(),
  high: num.nullable(),
  verdict: z.enum(['meets', 'violates', 'unsettled', 'continue']),
});

export const pointRecordSchema = z.strictObject({
  index: z.number().int().describe('1-based, in the order tried.'),
  role: z.enum(['loosest', 'tightest', 'endpoint', 'bisect']),
  knob: z
    .number()
    .int()
    .nullable()
    .describe('Index of the knob being bisected, or null for an endpoint of all.'),
  cycle: z.number().int().describe('Coordinate-search cycle (0 for the endpoints).'),
  values: z.array(num).describe('One value per knob (bytes for sizes).'),
  formatted: z.array(z.string()),
  verdict,
  stoppedBy: z
    .enum(['settled', 'max-trials', 'budget', 'interrupted'])
    .describe('Why its trials stopped: settled, the per-point maximum (unsettled), the budget.'),
  trials: z.number().int().describe('Trials that count (ok or failed; invalid ones were rerun).'),
  failed: z.number().int(),
  invalid: z.number().int(),
  samples: z.array(num).describe('The victim metric of each ok trial, in order.'),
  estimate: z.strictObject({
    median: num.nullable(),
    low: num.nullable(),
    high: num.nullable(),
    level: num.nullable(),
  }),
  looks: z.array(lookRecordSchema),
  /** The limits the victim's neighbours had, as read back in the last ok trial (v2 name -> value). */
  applied: z.record(z.string(), z.record(z.string(), z.string())),
  elapsedMs: z.number(),
  dir: z.string().describe('The point results folder, relative to the tune folder.'),
});

export const tuneFileSchema = z.strictObject({
  schemaVersion: z.literal(TUNE_SCHEMA_VERSION),
  tuneId: z.string(),
  status: z.enum(['complete', 'interrupted']),
  startedAt: z.string(),
  finishedAt: z.string(),
  command: z.array(z.string()),
  host: hostSchema,
  scenario: z.strictObject({
    name: z.string(),
    file: z.string(),
    text: z.string(),
    phase: z.string().describe('The co-located phase each trial runs.'),
    containers: z.array(z.string()),
    cell: z.string().nullable().describe('The scenario cell the points start from (--cell), or null.'),
    set: z.array(z.string()).describe('--set overrides.'),
  }),
  victim: z.string(),
  slo: z.strictObject({
    metric: z.string(),
    op: z.enum(['<=', '<', '>=', '>']),
    threshold: num,
    text: z.string(),
  }),
  knobs: z.array(knobRecordSchema),
  rule: z.strictObject({
    alpha: num,
    minTrials: z.number().int(),
    maxTrials: z.number().int(),
    resolution: num,
    budgetMs: num.nullable(),
    text: z.string(),
  }),
  points: z.array(pointRecordSchema),
  outcome: z.strictObject({
    status: z.enum(['found', 'no-limit-needed', 'infeasible', 'budget', 'interrupted']),
    recommendation: z
      .strictObject({
        values: z.array(num),
        formatted: z.array(z.string()),
        set: z.array(z.string()).describe('The recommendation as --set arguments.'),
        point: z.number().int().nullable().describe('Index of the point that measured it.'),
      })
      .nullable(),
    brackets: z.array(
      z.strictObject({ meets: num.nullable(), fails: num.nullable(), withinResolution: z.boolean() }),
    ),
    cycles: z.number().int(),
    text: z.string().describe('The recommendation in words, as printed.'),
  }),
  elapsedMs: num,
});

export type TuneFile = z.infer<typeof tuneFileSchema>;
export type PointRecord = z.infer<typeof pointRecordSchema>;

export function tuneJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(tuneFileSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: TUNE_SCHEMA_ID,
    title: `isobench tune.json, schemaVersion ${TUNE_SCHEMA_VERSION}`,
    ...rest,
  };
}
