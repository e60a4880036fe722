/**
 * Runs the zod schema over plain data and turns its issues into data-path issues with
 * messages that quote the bad value ("expected an integer, got 2.5 (number)").
 */
import type { z } from 'zod';
import { quoteValue } from './issues.js';
import { fieldsAt } from './paths.js';
import { type ScenarioData, scenarioSchema } from './schema.js';
import type { PathSegment } from './source.js';

/** A finding about the data, before it is mapped back to a place in the file or a flag. */
export interface DataIssue {
  path: PathSegment[];
  /** Point at the key (unknown field, bad name) or at the value. */
  at: 'key' | 'value';
  message: string;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** Messages for issues that no schema-level message covers. */
function messageFor(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      const expected = EXPECTED[iss.expected] ?? iss.expected;
      return iss.input === undefined
        ? `required: expected ${expected}`
        : `expected ${expected}, got ${quoteValue(iss.input)}`;
    }
    case 'invalid_value':
      return `expected one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${quoteValue(iss.input)}`;
    case 'too_small':
      if (iss.origin === 'array')
        return `expected at least ${iss.minimum} item${iss.minimum === 1 ? '' : 's'}`;
      if (iss.origin === 'string') return `expected a non-empty string, got ${quoteValue(iss.input)}`;
      return `expected a number ${iss.inclusive ? '>=' : '>'} ${iss.minimum}, got ${quoteValue(iss.input)}`;
    case 'too_big':
      return `expected a number ${iss.inclusive ? '<=' : '<'} ${iss.maximum}, got ${quoteValue(iss.input)}`;
    default:
      return undefined;
  }
}

function convert(issue: z.core.$ZodIssue): DataIssue[] {
  const path = issue.path.map((s) => (typeof s === 'symbol' ? String(s) : s));
  if (issue.code === 'unrecognized_keys') {
    const allowed = fieldsAt(path).join(', ');
    return issue.keys.map((key) => ({
      path: [...path, key],
      at: 'key',
      message: `unknown field ${quoteValue(key)}: expected one of ${allowed}`,
    }));
  }
  if (issue.code === 'invalid_key') {
    // A bad record key (container or parameter name): the nested issue has the message.
    return [{ path, at: 'key', message: issue.issues[0]?.message ?? issue.message }];
  }
  return [{ path, at: 'value', message: issue.message }];
}

export type StructureResult = { ok: true; data: ScenarioData } | { ok: false; issues: DataIssue[] };

export function checkStructure(raw: unknown): StructureResult {
  const result = scenarioSchema.safeParse(raw, { error: messageFor });
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, issues: result.error.issues.flatMap(convert) };
}
