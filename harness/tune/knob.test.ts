import { describe, expect, it } from 'vitest';
import {
  bracketDone,
  formatKnobValue,
  knobLabel,
  parseKnob,
  parseResolution,
  positionOf,
  valueAt,
} from './knob.js';

const MiB = 1024 ** 2;

describe('parseKnob', () => {
  it('a byte rate on a neighbour: higher is looser, geometric over a wide range', () => {
    const k = parseKnob('containers.db.limits.io.max.wbps=1MiB..200MiB', 'web');
    expect(k).toMatchObject({
      path: 'containers.db.limits.io.max.wbps',
      container: 'db',
      unit: 'bytes',
      integer: true,
      tight: MiB,
      loose: 200 * MiB,
      scale: 'geometric',
    });
    expect(k.looserRule).toMatch(/^higher is looser/);
    expect(knobLabel(k)).toBe('db.io.max.wbps');
    expect(formatKnobValue(k, valueAt(k, 0.5))).toBe('14.1MiB');
    expect(valueAt(k, 0.5)).toBe(Math.round(Math.sqrt(200) * MiB));
    expect(positionOf(k, valueAt(k, 0.25))).toBeCloseTo(0.25, 6);
  });

  it('a narrow range is arithmetic; a limit on the victim itself is looser when lower; high..low flips the default', () => {
    const w = parseKnob('containers.db.limits.cpu.weight=100..300', 'web');
    expect(w).toMatchObject({ scale: 'arithmetic', tight: 100, loose: 300, unit: 'number' });
    expect(valueAt(w, 0.5)).toBe(200);
    const own = parseKnob('containers.web.limits.cpu.weight=100..1000', 'web');
    expect([own.tight, own.loose]).toEqual([1000, 100]);
    expect(own.looserRule).toMatch(/^lower is looser \(a limit on the victim itself/);
    const flipped = parseKnob('containers.db.limits.cpu.weight=300..100', 'web');
    expect([flipped.tight, flipped.loose]).toEqual([300, 100]);
    expect(flipped.looserRule).toMatch(/reversed because the range is written high to low/);
  });

  it('refuses a bad range, naming the flag', () => {
    expect(() => parseKnob('containers.db.limits.cpu.weight', 'web')).toThrow(
      /^--knob "containers.db.limits.cpu.weight": expected PATH=LO..HI/,
    );
    expect(() => parseKnob('containers.db.limits.cpu.weight=100-300', 'web')).toThrow(
      /expected a range LO..HI/,
    );
    expect(() => parseKnob('containers.db.limits.io.max.wbps=1MiB..max', 'web')).toThrow(
      /max, the absence of a limit, cannot be an end/,
    );
    expect(() => parseKnob('containers.db.limits.cpu.weight=5..5', 'web')).toThrow(/the two ends are equal/);
    expect(() => parseKnob('containers..x=1..2', 'web')).toThrow(/expected a dotted path/);
  });
});

describe('resolution', () => {
  it('parses a percentage and decides when a bracket is narrow enough', () => {
    expect(parseResolution('10%')).toBeCloseTo(0.1, 12);
    expect(() => parseResolution('10')).toThrow(/^--resolution: expected a percentage/);
    const g = parseKnob('containers.db.limits.io.max.wbps=1MiB..200MiB', 'web');
    const u40 = positionOf(g, 40 * MiB);
    expect(bracketDone(g, u40, positionOf(g, 43 * MiB), 0.1)).toBe(true);
    expect(bracketDone(g, u40, positionOf(g, 46 * MiB), 0.1)).toBe(false);
    const a = parseKnob('containers.db.limits.cpu.weight=100..300', 'web');
    expect(bracketDone(a, positionOf(a, 200), positionOf(a, 220), 0.1)).toBe(true);
    expect(bracketDone(a, positionOf(a, 200), positionOf(a, 221), 0.1)).toBe(false);
    const i = parseKnob('containers.db.limits.cpu.weight=1..3', 'web');
    expect(bracketDone(i, positionOf(i, 2), positionOf(i, 3), 0.01)).toBe(true);
  });
});
