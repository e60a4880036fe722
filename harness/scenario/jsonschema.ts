/**
 * The JSON Schema editors use to complete and check scenario files, generated from the same
 * zod schema the parser uses. The committed scenario.schema.json is compared with this in a
 * test, so it cannot drift from the parser.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  // io: 'input' describes what a user writes (defaults make fields optional), not the parsed output.
  const schema = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: 'isobench scenario' };
}

/** The file's text: 2-space JSON with a final newline, as committed. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
