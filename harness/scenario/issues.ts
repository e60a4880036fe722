/**
 * Scenario errors: every problem found in a file (and in its command-line overrides) is one
 * issue with a position, the dotted path of the offending node and a message quoting the
 * value; all of them are thrown together as one ScenarioError, before anything is created.
 */
import { quote, UsageError } from '../errors.js';

/** Where an issue points: a position in the file, or a command-line flag. */
export type IssueOrigin =
  | { kind: 'file'; file: string; line: number; col: number }
  /** `--set` shows the path; `--duration` and friends stand for themselves. */
  | { kind: 'flag'; flag: string };

export interface ScenarioIssue {
  origin: IssueOrigin;
  /** Dotted path of the offending node where it is written (sweep values: sweep.PATH.INDEX). */
  path: string;
  message: string;
}

/** `FILE:LINE:COL path: message`, `--set path: message` or `--duration: message`. */
export function formatIssue(issue: ScenarioIssue): string {
  const { origin, path, message } = issue;
  if (origin.kind === 'flag') {
    return origin.flag === '--set' ? `--set ${path}: ${message}` : `${origin.flag}: ${message}`;
  }
  const where = `${origin.file}:${origin.line}:${origin.col}`;
  return path === '' ? `${where}: ${message}` : `${where} ${path}: ${message}`;
}

function sortKey(issue: ScenarioIssue): [number, number, number] {
  // Flags first (they are what the user just typed), then file order.
  return issue.origin.kind === 'flag' ? [0, 0, 0] : [1, issue.origin.line, issue.origin.col];
}

/** Sorts issues into reading order and drops duplicates (one per cell would repeat them). */
export function normalizeIssues(issues: readonly ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const line = formatIssue(i);
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
  return unique.sort((a, b) => {
    const [ka, kb] = [sortKey(a), sortKey(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
}

export class ScenarioError extends UsageError {
  readonly issues: readonly ScenarioIssue[];
  readonly lines: readonly string[];
  constructor(issues: readonly ScenarioIssue[]) {
    const normalized = normalizeIssues(issues);
    const lines = normalized.map(formatIssue);
    super('ISOBENCH_SCENARIO_INVALID', lines.join('\n'));
    this.issues = normalized;
    this.lines = lines;
  }
}

/**
 * Quotes a value from a YAML document in its YAML terms: `"lots"`, `2.5 (number)`,
 * `[1] (list)`, `{"a":1} (mapping)`, `nothing (empty value)` for a bare `key:`.
 */
export function quoteValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (empty value)';
  if (Array.isArray(value)) return `${JSON.stringify(value)} (list)`;
  if (typeof value === 'object') return `${JSON.stringify(value)} (mapping)`;
  return quote(value);
}
