import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleDoctor, exampleResults } from './example.js';
import { RESULTS_SCHEMA_ID, resultsJsonSchema, resultsJsonSchemaText } from './jsonschema.js';
import { resultsSchema, trialRecordSchema } from './schema.js';

const committed = new URL('./results.schema.json', import.meta.url);

describe('results.schema.json', () => {
  it('equals the schema generated from the zod schema', () => {
    // Compared as data: biome formats the committed file its own way.
    // To regenerate: UPDATE_SCHEMA=1 npx vitest run harness/results/schema.test.ts && npx biome check --write harness/results
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committed, resultsJsonSchemaText());
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(resultsJsonSchema());
  });

  it('carries the schema version in its $id and title', () => {
    const schema = resultsJsonSchema() as { $id: string; title: string; properties: Record<string, unknown> };
    expect(schema.$id).toBe(RESULTS_SCHEMA_ID);
    expect(schema.$id).toMatch(/:v2$/);
    expect(schema.title).toContain('schemaVersion 2');
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['schemaVersion', 'host', 'scenario', 'cells', 'trials']),
    );
  });
});

describe('resultsSchema', () => {
  const results = exampleResults();

  it('accepts a realistic results file: 2 cells, 3 phases, ok and failed trials', () => {
    expect(results.cells).toHaveLength(2);
    expect(results.scenario.phases).toHaveLength(3);
    expect(results.trials.filter((t) => t.status === 'failed')).toHaveLength(1);
    const parsed = resultsSchema.safeParse(results);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    // Survives a JSON round trip (no undefined-only fields, no NaN).
    expect(resultsSchema.safeParse(JSON.parse(JSON.stringify(results))).success).toBe(true);
  });

  it('allows workload-defined keys in ready, final and load', () => {
    const t = structuredClone(results.trials[0]);
    if (!t?.containers[0]) throw new Error('example has no container');
    t.containers[0].final = { anything: { nested: [1, 2] }, more: 'x' };
    expect(trialRecordSchema.safeParse(t).success).toBe(true);
  });

  it('refuses unknown keys elsewhere and a wrong schemaVersion', () => {
    const t = structuredClone(results.trials[0]) as unknown as Record<string, unknown>;
    t.extra = 1;
    expect(trialRecordSchema.safeParse(t).success).toBe(false);
    expect(resultsSchema.safeParse({ ...results, schemaVersion: 3 }).success).toBe(false);
    expect(resultsSchema.safeParse({ ...results, schemaVersion: 1 }).success).toBe(true);
  });

  it('takes an optional host verification (doctor) record, still as schemaVersion 2', () => {
    expect(results.doctor).toBeUndefined();
    const withDoctor = { ...results, doctor: exampleDoctor({ failing: true }) };
    expect(resultsSchema.safeParse(JSON.parse(JSON.stringify(withDoctor))).success).toBe(true);
    expect(resultsSchema.safeParse({ ...results, doctor: null }).success).toBe(true);
    const bad = structuredClone(withDoctor) as unknown as { doctor: { checks: { status: string }[] } };
    (bad.doctor.checks[0] as { status: string }).status = 'skipped';
    expect(resultsSchema.safeParse(bad).success).toBe(false);
  });

  it('requires a reason on a failed trial', () => {
    const failed = results.trials.find((t) => t.status === 'failed');
    const { reason: _reason, ...rest } = failed as Extract<typeof failed, { reason: string }>;
    expect(trialRecordSchema.safeParse(rest).success).toBe(false);
  });
});
