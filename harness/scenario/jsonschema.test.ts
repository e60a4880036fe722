import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema, scenarioJsonSchemaText } from './jsonschema.js';

const committed = new URL('./scenario.schema.json', import.meta.url);

describe('scenario.schema.json', () => {
  it('equals the schema generated from the parser', () => {
    // Compared as data: biome formats the committed file its own way.
    // To regenerate: UPDATE_SCHEMA=1 npx vitest run harness/scenario/jsonschema.test.ts && npx biome check --write harness/scenario
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(committed, scenarioJsonSchemaText());
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(scenarioJsonSchema());
  });

  it('describes strict objects and the fields editors complete', () => {
    const schema = scenarioJsonSchema() as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name', 'containers']);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'duration',
        'warmup',
        'repetitions',
        'sampleInterval',
        'containers',
        'phases',
        'cells',
        'sweep',
      ]),
    );
    expect(JSON.stringify(schema)).toContain('"enum":["web","db","cpu","memory","fork","io"]');
  });
});

describe('limits in the JSON Schema', () => {
  it('lists every limit key for completion', () => {
    const text = JSON.stringify(scenarioJsonSchema());
    expect(text).toContain('"io.max.wbps":{"type":["string","number"]}');
    expect(text).toContain('"cpuset.mems":{"type":["string","number"]}');
  });
});
