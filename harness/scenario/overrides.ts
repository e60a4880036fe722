/**
 * Command-line overrides: `--set PATH=VALUE` (repeatable, any field by its dotted path) and
 * the `--duration`, `--warmup`, `--repetitions`, `--precision`, `--max-repetitions` and
 * `--time-budget` shorthands. They are applied to the parsed
 * document before validation, so a bad override is reported like a bad line, as
 * `--set containers.db.limits.memory.max: ...`.
 */
import { parse as parseYaml } from 'yaml';
import { quote } from '../errors.js';
import type { ScenarioIssue } from './issues.js';
import { setIn, splitPath } from './paths.js';

export interface ScenarioOverrides {
  /** `PATH=VALUE` strings, applied in order. */
  set?: readonly string[];
  duration?: string;
  warmup?: string;
  repetitions?: string | number;
  /** Sequential runs: `--precision 5%`, `--max-repetitions 30`, `--time-budget 20m`. */
  precision?: string;
  maxRepetitions?: string | number;
  timeBudget?: string;
}

/** An override that took effect: issues under `segments` are reported against `flag`. */
export interface AppliedFlag {
  flag: string;
  segments: string[];
  /** As typed, for the run record. */
  text: string;
}

/** A value as YAML would read it (`10` is a number, `[5MiB, max]` a list); unparsable text stays text. */
function parseValue(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

export function applyFlags(
  raw: Record<string, unknown>,
  overrides: ScenarioOverrides,
): { flags: AppliedFlag[]; issues: ScenarioIssue[] } {
  const flags: AppliedFlag[] = [];
  const issues: ScenarioIssue[] = [];
  const apply = (flag: string, path: string, valueText: string, text: string) => {
    const split = splitPath(path);
    const origin = { kind: 'flag' as const, flag };
    if (!split.ok) {
      issues.push({ origin, path, message: split.message });
      return;
    }
    const problem = setIn(raw, split.segments, parseValue(valueText));
    if (problem !== null) issues.push({ origin, path, message: problem });
    else flags.push({ flag, segments: split.segments, text });
  };
  for (const arg of overrides.set ?? []) {
    const eq = arg.indexOf('=');
    if (eq <= 0) {
      issues.push({
        origin: { kind: 'flag', flag: '--set' },
        path: arg,
        message: `expected PATH=VALUE such as containers.db.limits.memory.max=512MiB, got ${quote(arg)}`,
      });
      continue;
    }
    apply('--set', arg.slice(0, eq).trim(), arg.slice(eq + 1), `--set ${arg}`);
  }
  // The shorthands are applied last: they are the most specific thing the user typed.
  const shorthands = [
    ['duration', 'duration'],
    ['warmup', 'warmup'],
    ['repetitions', 'repetitions'],
    ['precision', 'precision'],
    ['maxRepetitions', 'max-repetitions'],
    ['timeBudget', 'time-budget'],
  ] as const;
  for (const [field, flag] of shorthands) {
    const value = overrides[field];
    if (value === undefined) continue;
    apply(`--${flag}`, field, String(value), `--${flag} ${value}`);
  }
  return { flags, issues };
}
