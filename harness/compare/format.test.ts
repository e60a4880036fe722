import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../errors.js';
import type { ResultsFile } from '../results/types.js';
import { writeResultsJson } from '../results/writer.js';
import { compareRuns } from './compare.js';
import { asciiBar } from './format.js';
import { compareMain } from './main.js';
import { formatMarkdown, mdCell } from './markdown.js';
import { parseMetric, parseThreshold } from './metrics.js';
import { syntheticRun } from './testutil.js';
import { formatText } from './text.js';

const FAST = {};
const BAND = { low: 0.95, high: 1.05 };

describe('asciiBar', () => {
  it('shows the band edges, the interval and the ratio on a ±4t axis', () => {
    // Axis 0.8 .. 1.2 over 25 characters: the band edges 0.95 and 1.05 sit at 9 and 15.
    expect(asciiBar({ estimate: 1, low: 0.98, high: 1.02, band: BAND })).toBe('[---------|-=o=-|---------]');
  });
  it('keeps the band edges visible and marks intervals beyond the axis', () => {
    const inside = asciiBar({ estimate: 1, low: 0.97, high: 1.03, band: BAND });
    expect(inside).toMatch(/^\[-+\|=+o=+\|-+\]$/);
    expect(asciiBar({ estimate: 1.08, low: 0.99, high: 1.12, band: BAND })).toBe(
      '[---------|-====|=o==-----]',
    );
    expect(asciiBar({ estimate: 1.5, low: 1.3, high: 1.7, band: BAND })).toMatch(/>\]$/);
    expect(asciiBar({ estimate: 0.5, low: 0.3, high: 0.7, band: BAND })).toMatch(/^\[</);
    expect(asciiBar({ estimate: null, low: null, high: null, band: BAND })).toMatch(/^\[-+\|-+\|-+\]$/);
  });
  it('draws a difference row on its own axis around 0', () => {
    // ±0.1 pp band: axis ±0.4 pp.
    expect(asciiBar({ estimate: 0, low: 0, high: 0, band: { low: -0.001, high: 0.001 } })).toBe(
      '[---------|--o--|---------]',
    );
  });
});

describe('formatters', () => {
  const base = syntheticRun({ seed: 1 });
  const cand = syntheticRun({
    seed: 2,
    effects: [{ container: 'web', metric: 'latencyP99Us', factor: 1.3, phase: 'colocated' }],
  });
  cand.host.kernel = '6.9.0';
  const report = compareRuns(base, cand, { thresholdPct: 5, ...FAST });

  it('text: the method and the rule, a row per metric with its bar, what differs, and the verdict', () => {
    const text = formatText(report);
    expect(text).toMatch(/^method: unpaired \(neither run is a variant/m);
    expect(text).toMatch(
      /^rule: threshold ±5% .*95% interval entirely beyond the band .*90% interval inside/m,
    );
    expect(text).toMatch(/host\.kernel: 6\.8\.0-45-generic -> 6\.9\.0/);
    expect(text).toMatch(/c1 +web +colocated +latencyP99Us .*\[[-|=o<>]+\] .*REGRESSION/);
    expect(text).toMatch(/^verdict: regression: 4 regression/m);
  });

  it('Markdown: a table with the bars in code spans', () => {
    const md = formatMarkdown(report);
    expect(md).toMatch(/^## isobench compare: .* regression$/m);
    expect(md).toMatch(
      /\| cpu\.weight=100 \| web \| colocated \| latencyP99Us \| .* \| `\[[-|=o<>]+\]` \| .* \| regression \|/,
    );
    expect(md.split('\n').filter((l) => l.startsWith('| ')).length).toBe(report.rows.length + 1);
    expect(mdCell('a|b<script>`x`')).toBe('a\\|b\\<script\\>\\`x\\`');
  });
});

describe('options', () => {
  it('parses thresholds', () => {
    expect(parseThreshold('5%')).toBe(5);
    expect(parseThreshold('0.05')).toBeCloseTo(5);
    expect(parseThreshold('2.5 %')).toBe(2.5);
    for (const bad of ['5', '0', '0%', '100%', '-5%', 'lots', '']) {
      expect(() => parseThreshold(bad)).toThrow(/--threshold: expected a percentage/);
    }
  });
  it('refuses a bad --tail-min-samples', async () => {
    await expect(compareMain('a', 'b', { tailMinSamples: '-1' })).rejects.toThrow(
      /--tail-min-samples: expected a non-negative integer, got "-1"/,
    );
  });
  it('parses metric names and aliases', () => {
    expect(parseMetric('p99')).toBe('latencyP99Us');
    expect(parseMetric('latencyP999Us')).toBe('latencyP999Us');
    expect(parseMetric('tps')).toBe('txnPerSec');
    expect(parseMetric('errors')).toBe('errorFraction');
    expect(parseMetric('goodput')).toBe('goodputFraction');
    expect(() => parseMetric('p42')).toThrow(/--metric: expected one of .*got "p42"/);
  });
});

describe('compareMain (exit codes)', () => {
  let dir: string;
  const folder = (name: string, r: ResultsFile) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeResultsJson(d, r);
    return d;
  };
  let out: string;
  const stdout = () => {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      chunks.push(String(s));
      return true;
    });
    return { text: () => chunks.join(''), restore: () => spy.mockRestore() };
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isobench-compare-'));
    out = join(dir, 'out');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (a: string, b: string, opts: Parameters<typeof compareMain>[2] = {}) => {
    const s = stdout();
    try {
      return { code: await compareMain(a, b, opts), out: s.text() };
    } finally {
      s.restore();
    }
  };

  it('0 when nothing regressed (low-noise A/A), 1 on a regression, 3 when inconclusive', async () => {
    mkdirSync(out, { recursive: true });
    const a = folder('a', syntheticRun({ seed: 1, sigma: 0.005 }));
    const a2 = folder('a2', syntheticRun({ seed: 2, sigma: 0.005 }));
    expect((await run(a, a2, { threshold: '15%' })).code).toBe(0);
    const planted = folder(
      'planted',
      syntheticRun({
        seed: 3,
        sigma: 0.005,
        effects: [{ container: 'web', metric: 'latencyP99Us', factor: 1.3 }],
      }),
    );
    const md = join(out, 'summary.md');
    const html = join(out, 'report.html');
    const r1 = await run(a, planted, { threshold: '15%', markdown: md, html });
    expect(r1.code).toBe(1);
    expect(r1.out).toMatch(/REGRESSION/);
    expect(readFileSync(md, 'utf8')).toMatch(/^## isobench compare: .* regression/);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
    const few1 = folder('few1', syntheticRun({ seed: 1, repetitions: 4 }));
    const few2 = folder('few2', syntheticRun({ seed: 2, repetitions: 4 }));
    const r3 = await run(few1, few2, { json: true });
    expect(r3.code).toBe(3);
    const json = JSON.parse(r3.out) as { overall: string; rows: { why: string }[] };
    expect(json.overall).toBe('inconclusive');
    expect(json.rows[0]?.why).toMatch(/fewer than 5 trials/);
    expect((await run(a, planted, { threshold: '15%', metric: ['p50', 'tps'] })).code).toBe(0);
  });

  it('2 (UsageError) for missing folders, runs that cannot be compared, bad options', async () => {
    const a = folder('b1', syntheticRun({ seed: 1 }));
    const other = syntheticRun({ seed: 2 });
    other.scenario.phases = other.scenario.phases.map((p) => ({
      ...p,
      containers: p.containers.map((c) => (c === 'db' ? 'cache' : c)),
    }));
    const b = folder('b2', other);
    const expectUsage = async (p: Promise<unknown>, message: RegExp) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(message);
    };
    await expectUsage(
      compareMain(a, b),
      /cannot be compared: containers differ \(only in base: db; only in candidate: cache\)/,
    );
    await expectUsage(compareMain(a, join(dir, 'nope')), /does not exist: not a results folder/);
    await expectUsage(compareMain(a, a, { threshold: '5' }), /--threshold/);
    await expectUsage(compareMain(a, a, { metric: ['p42'] }), /--metric/);
    await expectUsage(
      compareMain(a, a, { metric: ['latencyMaxUs'] }),
      /no trial measured the metrics asked for/,
    );
    const corrupt = join(dir, 'corrupt');
    folder('corrupt', syntheticRun({ seed: 1 }));
    writeFileSync(join(corrupt, 'results.json'), '{"schemaVersion": 1, "runId": ');
    await expectUsage(compareMain(a, corrupt), /not valid JSON/);
  });
});
