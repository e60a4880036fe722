import { describe, expect, it } from 'vitest';
import { exampleDoctor, exampleResults } from '../harness/results/example.js';
import { doctorHtml } from './doctor.js';
import { renderReportHtml } from './index.js';

describe('host verification section', () => {
  const base = exampleResults(3);

  it('says the host was not verified, and how to, when the run had no doctor', () => {
    const html = String(doctorHtml(base));
    expect(html).toContain('did not verify the host');
    expect(html).toContain('isobench run --doctor');
    expect(renderReportHtml(base, null)).toContain('<section id="doctor">\n<h2>Host verification</h2>');
  });

  it('lists every check with its verdict, expected, measured, tolerance and reason', () => {
    const html = String(doctorHtml({ ...base, doctor: exampleDoctor() }));
    expect(html).toContain('3 pass, 0 fail, 2 not applicable');
    expect(html).toContain('<span class="badge protected">pass</span>');
    expect(html).toContain('<span class="badge no-baseline">not applicable</span>');
    expect(html).toContain('0.501 CPU');
    expect(html).toContain('±0.03 CPU');
    expect(html).toContain('not enforced here');
    expect(html).not.toContain('class="warn"');
  });

  it('warns about a failed check and shows the first attempt of a check run twice', () => {
    const html = String(doctorHtml({ ...base, doctor: exampleDoctor({ failing: true }) }));
    expect(html).toContain('<p class="warn">1 check failed (cpu-max)');
    expect(html).toContain('<span class="badge hurt">FAIL</span>');
    expect(html).toContain('run twice; the first attempt: 0.431 CPU (too low)');
  });

  it('escapes what comes from the record', () => {
    const d = exampleDoctor();
    const first = d.checks[0];
    if (!first) throw new Error('example has no check');
    first.reason = '<img src=x onerror="window.__xss=1">';
    const html = String(doctorHtml({ ...base, doctor: d }));
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;');
  });
});
