import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TUNE_SCHEMA_ID, tuneJsonSchema } from './record.js';

const committed = new URL('./tune.schema.json', import.meta.url);

describe('tune.schema.json', () => {
  it('equals the schema generated from the zod schema tune.json is read with', () => {
    // To regenerate: UPDATE_SCHEMA=1 npx vitest run harness/tune/record.test.ts && npx biome check --write harness/tune
    if (process.env.UPDATE_SCHEMA === '1')
      writeFileSync(committed, `${JSON.stringify(tuneJsonSchema(), null, 2)}\n`);
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(tuneJsonSchema());
  });

  it('carries the version in its $id and title', () => {
    const s = tuneJsonSchema() as { $id: string; title: string; properties: Record<string, unknown> };
    expect(s.$id).toBe(TUNE_SCHEMA_ID);
    expect(s.$id).toMatch(/:v1$/);
    expect(s.title).toContain('schemaVersion 1');
    expect(Object.keys(s.properties)).toEqual(
      expect.arrayContaining(['schemaVersion', 'slo', 'knobs', 'points', 'outcome']),
    );
  });
});
