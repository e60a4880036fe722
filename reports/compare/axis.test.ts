import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../harness/compare/compare.js';
import { asciiBar } from '../../harness/compare/format.js';
import { syntheticRun } from '../../harness/compare/testutil.js';
import { endLabel, pageAxis, place } from './axis.js';
import { geometry, rowSvg, xOf } from './bar.js';

const base = syntheticRun({ seed: 1 });

function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`no ${what}`);
  return value;
}

/** The report of base against a candidate with these planted factors on web's colocated phase. */
function reportWith(effects: { metric: 'latencyP99Us' | 'goodputFraction'; factor: number }[]) {
  const cand = syntheticRun({
    seed: 2,
    effects: effects.map((e) => ({ container: 'web', phase: 'colocated', ...e })),
  });
  return compareRuns(base, cand, { thresholdPct: 5 });
}

/** The interval line's ends and the estimate's x in a row's SVG. */
function drawn(svg: string) {
  const line = /<line x1="([\d.]+)" y1="9" x2="([\d.]+)" y2="9" stroke="currentColor"/.exec(svg);
  const dot = /<circle cx="([\d.]+)"/.exec(svg);
  return { x1: Number(line?.[1]), x2: Number(line?.[2]), cx: Number(dot?.[1]) };
}

describe('the compare page axis', () => {
  it('is the terminal bar axis (±4 bands, linear) when every interval stays within it', () => {
    const report = reportWith([]);
    const axis = pageAxis(report);
    expect(axis).toMatchObject({ low: false, high: false });
    expect(axis.ratio).toMatchObject({ lowEnd: null, highEnd: null });
    expect(axis.difference).toMatchObject({ lowEnd: null, highEnd: null, min: -0.004, max: 0.004 });
    const ratio = axis.ratio;
    expect(ratio.min).toBeCloseTo(0.8);
    expect(ratio.max).toBeCloseTo(1.2);
    const g = geometry(axis);
    for (const row of report.rows) {
      const svg = String(rowSvg(row, row.scale === 'ratio' ? axis.ratio : axis.difference, g));
      expect(svg).not.toContain('<text');
      expect(svg).toContain(`width="${g.width}"`);
    }
    // The band's edges sit where the terminal bar puts them: 3/8 and 5/8 of the middle zone.
    expect(place(ratio, 0.95)).toEqual({ zone: 'middle', at: expect.closeTo(0.375, 9) });
    expect(place(ratio, 1.05)).toEqual({ zone: 'middle', at: expect.closeTo(0.625, 9) });
  });

  it('draws a +3886% change and its interval beyond a break, on a log scale with a labelled end', () => {
    const report = reportWith([{ metric: 'latencyP99Us', factor: 39.86 }]);
    const row = report.rows.find(
      (r) => r.cell === 'c1' && r.kind === 'colocated' && r.metric === 'latencyP99Us',
    );
    if (!row || row.estimate === null || row.low === null || row.high === null)
      throw new Error('no such row');
    expect(row.estimate).toBeGreaterThan(30);
    // The terminal bar pins the whole interval to its edge.
    expect(asciiBar(row)).toMatch(/>\]$/);
    const axis = pageAxis(report);
    expect(axis).toMatchObject({ low: false, high: true });
    const ratio = axis.ratio;
    expect(ratio.highEnd).toBe(50);
    expect(endLabel(ratio, 50)).toBe('×50');
    const g = geometry(axis);
    const svg = String(rowSvg(row, ratio, g));
    const { x1, x2, cx } = drawn(svg);
    // Interval and estimate in the outer zone, apart from each other and from both ends.
    expect(x1).toBeGreaterThan(g.right);
    expect(x1).toBeLessThan(cx);
    expect(cx).toBeLessThan(x2);
    expect(x2).toBeLessThan(xOf(ratio, g, 50));
    expect(svg).toMatch(/<text [^>]*>×50<\/text>/);
    expect(svg).toContain('log scale beyond the break');
    // Log scale: each factor of 10 beyond the edge takes the same width.
    const step = (v: number) => xOf(ratio, g, v * 10) - xOf(ratio, g, v);
    expect(step(2)).toBeCloseTo(step(4), 6);
    // A row within the band on the same page keeps its place in the middle zone.
    const calm = report.rows.find((r) => r.metric === 'goodputFraction' && r.kind === 'solo');
    expect(drawn(String(rowSvg(must(calm, 'goodput row'), ratio, g))).cx).toBeLessThan(g.right);
  });

  it('grows a zone on the low side for a large decrease, and for a difference row in pp', () => {
    const report = reportWith([{ metric: 'goodputFraction', factor: 0.03 }]);
    const axis = pageAxis(report);
    expect(axis.low).toBe(true);
    const ratio = axis.ratio;
    expect(ratio.lowEnd).toBe(0.02);
    expect(endLabel(ratio, 0.02)).toBe('×0.02');
    const row = report.rows.find(
      (r) => r.cell === 'c1' && r.kind === 'colocated' && r.metric === 'goodputFraction',
    );
    const { x1, x2, cx } = drawn(String(rowSvg(must(row, 'goodput row'), ratio, geometry(axis))));
    expect(x1).toBeLessThan(cx);
    expect(cx).toBeLessThan(x2);
    expect(x2).toBeLessThan(geometry(axis).left);

    const rows = [{ scale: 'difference' as const, estimate: 0.031, low: 0.02, high: 0.045 }];
    const d = pageAxis({ band: { low: 0.95, high: 1.05 }, fractionBand: 0.001, rows }).difference;
    const end = must(d.highEnd, 'high end');
    expect(end).toBeCloseTo(0.05);
    expect(endLabel(d, end)).toBe('+5 pp');
    expect(place(d, 0.031).zone).toBe('high');
  });
});
