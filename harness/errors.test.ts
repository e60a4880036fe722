/**
 * The README's table of error codes against the source: every `'ISOBENCH_...'` code an error is
 * built with is listed with its exit status, and the table lists nothing else, so it cannot go
 * stale. The exit status is read from the class the code is given to.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatError, HostError, IsobenchError, UsageError } from './errors.js';
import { ROOT } from './testing/support.js';

const EXIT_BY_CLASS: Record<string, number> = { UsageError: 2, HostError: 2, CgroupError: 125 };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'testdata' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Exit status of the error a code literal at `index` is passed to, or null if it is not in a `new X(` or `super(`. */
function exitAt(src: string, index: number): number | null {
  const before = src.slice(Math.max(0, index - 400), index);
  const calls = [...before.matchAll(/new (\w+)\(|super\(/g)];
  const call = calls[calls.length - 1];
  // The literal must be an argument of that call: no statement ends in between.
  if (!call || before.slice((call.index ?? 0) + call[0].length).includes(';')) return null;
  let cls = call[1];
  if (cls === undefined) {
    const classes = [...src.slice(0, index).matchAll(/class \w+ extends (\w+)/g)];
    cls = classes[classes.length - 1]?.[1];
  }
  if (cls === 'IsobenchError') {
    const args = src.slice(index, src.indexOf(';', index));
    return Number(/exitCode: (\d+)/.exec(args)?.[1] ?? 1);
  }
  return cls === undefined ? null : (EXIT_BY_CLASS[cls] ?? null);
}

function codesInSource(): Map<string, Set<number>> {
  const codes = new Map<string, Set<number>>();
  for (const file of ['harness', 'workloads', 'reports'].flatMap((d) => sourceFiles(join(ROOT, d)))) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/'(ISOBENCH_[A-Z0-9_]+)'/g)) {
      const exit = exitAt(src, m.index ?? 0);
      if (exit === null) continue;
      const code = m[1] as string;
      if (!codes.has(code)) codes.set(code, new Set());
      codes.get(code)?.add(exit);
    }
  }
  return codes;
}

function codesInReadme(): Map<string, Set<number>> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  // Cells may be padded (the formatter aligns the table's columns).
  const rows = [...readme.matchAll(/^\| `(ISOBENCH_[A-Z0-9_]+)` +\| ([\d, ]+?) *\|/gm)];
  return new Map(rows.map((r) => [r[1] as string, new Set((r[2] as string).split(',').map(Number))]));
}

describe('error codes', () => {
  it('the README lists every code the source throws, with its exit status, and no other', () => {
    const source = codesInSource();
    const readme = codesInReadme();
    // Not a vacuous pass: the families every command uses are found on both sides.
    expect(source.size).toBeGreaterThan(40);
    for (const code of ['ISOBENCH_SCENARIO_INVALID', 'ISOBENCH_PORT_IN_USE', 'ISOBENCH_USAGE']) {
      expect(source.has(code), code).toBe(true);
    }
    expect([...readme.keys()].sort()).toEqual([...source.keys()].sort());
    for (const [code, exits] of source) {
      expect([...(readme.get(code) ?? [])].sort(), `README exit status of ${code}`).toEqual(
        [...exits].sort(),
      );
    }
  });

  it('formats every line of a message with the program and the code', () => {
    expect(formatError(new HostError('ISOBENCH_X', 'one'))).toBe('isobench: ISOBENCH_X: one\n');
    expect(formatError(new UsageError('ISOBENCH_Y', 'a:1:1 first\na:2:1 second'), 'isobench cleanup')).toBe(
      'isobench cleanup: ISOBENCH_Y: a:1:1 first\nisobench cleanup: ISOBENCH_Y: a:2:1 second\n',
    );
    expect(new IsobenchError('ISOBENCH_Z', 'z').exitCode).toBe(1);
  });
});
