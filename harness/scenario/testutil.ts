/** Helpers shared by this folder's tests. */
import { ScenarioError } from './issues.js';

/** Runs `fn`, which must throw a ScenarioError, and returns its lines. */
export function scenarioErrorLines(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScenarioError) return err.lines;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

/** A small valid scenario; `extra` is appended as more top-level YAML. */
export function miniScenario(extra = ''): string {
  return `name: mini
duration: 10s
warmup: 2s
repetitions: 3
containers:
  web:
    workload: web
    load: { rate: 1000 }
  db:
    workload: db
${extra}`;
}
