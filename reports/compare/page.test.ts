import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../harness/compare/compare.js';
import { hostileRuns } from '../../harness/compare/testutil.js';
import { formatHtml } from './page.js';

describe('the compare page', () => {
  it('is self-contained, has an SVG and a why line per row, and escapes every string', () => {
    const { base, cand } = hostileRuns();
    const report = compareRuns(base, cand, { thresholdPct: 5 });
    const html = formatHtml(report);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b onmouseover');
    expect(html).not.toContain("' onmouseover='");
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;/style&gt;&lt;script&gt;');
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html.match(/<svg /g)).toHaveLength(report.rows.length);
    expect(html.match(/<tr class="why">/g)).toHaveLength(report.rows.length);
    // No script at all: the policy allows none.
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp.replace(/&#39;/g, "'")).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'",
    );
    // The +3886% row's bar goes past a break to a labelled end.
    expect(html).toContain('×50</text>');
    expect(html).toMatch(/beyond a break \(\/\/\) the axis goes on as a log scale .* \(×50\)/);
  });
});
