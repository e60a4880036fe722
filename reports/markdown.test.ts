import { describe, expect, it } from 'vitest';
import { exampleResults } from '../harness/results/example.js';
import { allVerdicts, formatRatio } from './headline.js';
import { renderSummaryMarkdown } from './markdown.js';

describe('renderSummaryMarkdown', () => {
  // 10 repetitions: below 6 trials no 95% interval exists.
  const results = exampleResults(10);
  const md = renderSummaryMarkdown(results);
  const rows = md.split('\n').filter((l) => l.startsWith('| '));

  it('is one table: a header, a separator and a row per container and co-located phase of each cell', () => {
    expect(rows[0]).toMatch(/^\| cell \| container \| next to \| verdict \| latency \| goodput or tx\/s \|/);
    expect(rows[1]).toMatch(/^\| --- \|/);
    expect(rows.length - 2).toBe(allVerdicts(results).length);
    const cols = (rows[0] as string).split(' | ').length;
    for (const r of rows) expect(r.replace(/\\\|/g, '').split(' | ').length).toBe(cols);
  });

  it('says who was hurt, by whom, by how much with the interval', () => {
    // example.ts: colocated slows web ×3 (p99) in c1 and ×1.5 in c2.
    const web1 = rows.find((r) => r.startsWith('| cpu.weight=100 | web |')) as string;
    expect(web1).toContain('| db |');
    expect(web1).toContain('hurt');
    expect(web1).toMatch(/p99 latency ×\d\.\d\d \[\d\.\d\d–\d\.\d\d\]/);
  });

  it('judges goodput, not open-loop throughput (the offered rate by construction)', () => {
    const web1 = rows.find((r) => r.startsWith('| cpu.weight=100 | web |')) as string;
    expect(web1).toMatch(/goodput ×0\.\d\d \[/);
    expect(md).not.toMatch(/throughput ×/);
  });

  it('leaves a thin p99 out for the p50, and says so', () => {
    const r = exampleResults(10);
    for (const cell of r.cells) {
      for (const n of cell.containers.web?.neighbours ?? []) {
        const s = n.slowdown?.latencyP99Us;
        if (s) s.tailSamples = 20;
      }
    }
    const text = renderSummaryMarkdown(r);
    const web1 = text.split('\n').find((l) => l.startsWith('| cpu.weight=100 | web |')) as string;
    expect(web1).toMatch(/p50 latency ×\d\.\d\d \[/);
    expect(text).toMatch(
      /Not judged: p99 latency left out: as few as 20 values beyond it in a trial \(fewer than 100\)/,
    );
  });

  it('lists the failed trial with its reason (DNR)', () => {
    expect(md).toContain('c2-colocated-r2: db was OOM killed (memory.max 268435456)');
  });

  it('is short enough for a CI step summary', () => {
    expect(md.length).toBeLessThan(4000);
  });

  it('escapes a hostile scenario name', () => {
    const r = exampleResults();
    r.scenario.name = '<script>alert(1)</script> | x';
    expect(renderSummaryMarkdown(r)).toContain('&lt;script&gt;alert(1)&lt;/script&gt; \\| x');
  });
});

describe('formatRatio', () => {
  it('shows the interval, or says there is none', () => {
    expect(formatRatio({ median: 2.3125, low: 1.9, high: 2.8, n: 5 })).toBe('×2.31 [1.90–2.80]');
    expect(formatRatio({ median: 1.5, low: null, high: null, n: 1 })).toBe('×1.50 (1 trial, no interval)');
    expect(formatRatio({ median: 1.5, low: null, high: null, n: 5 })).toBe('×1.50 (5 trials, no interval)');
  });
});
