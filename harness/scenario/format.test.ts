import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './parse.js';
import { formatPlanSummary, planRun } from './plan.js';

describe('FORMAT.md', () => {
  it('has an annotated example that parses and plans as the text says', () => {
    const text = readFileSync(new URL('./FORMAT.md', import.meta.url), 'utf8');
    const example = /## Annotated example\s+```yaml\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const s = parseScenario(example, { file: 'FORMAT.md' });
    expect(s.cells).toHaveLength(6);
    expect(s.cells[0]?.name).toBe('no-limits / db.io.max.wbps=5MiB');
    expect(s.cells[5]?.name).toBe('isolated / db.io.max.wbps=max');
    expect(formatPlanSummary(planRun(s))).toMatch(
      /^6 cells x 3 phases x 10 to 30 repetitions \(sequential: until ±5% or 30 min\) = 180 to 540 trials, about/,
    );
    expect(s.cells[0]?.containers.hog?.workload).toEqual({
      kind: 'command',
      argv: ['stress-ng', '--cpu', '1'],
    });
  });
});
