/**
 * The published JSON Schema of results.json, generated from the zod schema the reader uses.
 * The committed results.schema.json is compared with this in a test, so it cannot drift.
 * Its `$id` carries the schema version: a tool that reads results.json from another language
 * can pick the matching schema by `schemaVersion`.
 */
import { z } from 'zod';
import { resultsSchema } from './schema.js';
import { RESULTS_SCHEMA_VERSION } from './types.js';

export const RESULTS_SCHEMA_ID = `urn:isobench:results:v${RESULTS_SCHEMA_VERSION}`;

export function resultsJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(resultsSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: RESULTS_SCHEMA_ID,
    title: `isobench results.json, schemaVersion ${RESULTS_SCHEMA_VERSION}`,
    ...rest,
  };
}

/** The file's text: 2-space JSON with a final newline. */
export function resultsJsonSchemaText(): string {
  return `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`;
}
