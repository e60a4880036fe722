/**
 * The JSON Schema editors use to complete and check scenario files, generated from the same
 * zod schema the parser uses. The committed scenario.schema.json is compared with this in a
 * test, so it cannot drift from the parser.
 */
import { z } from 'zod';
import { LIMIT_KEYS } from '../limits.js';
import { limitsSchema, scenarioSchema } from './schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    // 'input' describes what a user writes (fields with defaults are optional), not the parsed output.
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      // The parser checks limit keys with applyLimit (to word errors like `isobench exec`);
      // editors get the keys spelt out, so that they can complete them.
      if (ctx.zodSchema === limitsSchema) {
        const json = ctx.jsonSchema as Record<string, unknown>;
        delete json.propertyNames;
        json.properties = Object.fromEntries(LIMIT_KEYS.map((key) => [key, { type: ['string', 'number'] }]));
        json.additionalProperties = false;
      }
    },
  }) as Record<string, unknown>;
  return { ...schema, title: 'isobench scenario' };
}

/** The file's text: 2-space JSON with a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
