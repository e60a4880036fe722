/**
 * The report's "Host verification" section: the quick `isobench doctor` checks that
 * `isobench run --doctor` (or `doctor: true`) ran before the first trial, from results.json
 * `doctor`. Written with the `html` template like every section.
 */
import type { DoctorCheck, ResultsFile } from '../harness/results/types.js';
import { html, type SafeHtml } from './safe-html.js';

/** Reuses the headline's badge colours: green, red, grey. */
const BADGE: Record<DoctorCheck['status'], { cls: string; text: string }> = {
  pass: { cls: 'protected', text: 'pass' },
  fail: { cls: 'hurt', text: 'FAIL' },
  'not-applicable': { cls: 'no-baseline', text: 'not applicable' },
};

function row(c: DoctorCheck): SafeHtml {
  const b = BADGE[c.status];
  const retried =
    c.attempts > 1 && html`<div class="with">run twice; the first attempt: ${c.firstAttempt}</div>`;
  return html`<tr><td><span class="badge ${b.cls}">${b.text}</span></td><td><b>${c.name}</b><div class="with">${c.title}</div></td><td>${c.expected}</td><td>${c.measured ?? '–'}</td><td>${c.tolerance ?? '–'}</td><td>${c.reason}${retried || ''}</td></tr>\n`;
}

export function doctorHtml(results: ResultsFile): SafeHtml {
  const d = results.doctor;
  if (!d) {
    return html`<p class="note">This run did not verify the host. <code>isobench run --doctor</code> (or <code>doctor: true</code> in the scenario) first runs the quick checks of <code>isobench doctor</code> (known-answer experiments: namespaces, OOM kill, fork bomb, CPU weight and quota, io.max ...) and records them here.</p>`;
  }
  const s = d.summary;
  const failed = d.checks.filter((c) => c.status === 'fail');
  const warn =
    failed.length > 0 &&
    html`<p class="warn">${failed.length} check${failed.length === 1 ? '' : 's'} failed (${failed.map((c) => c.name).join(', ')}): on this host, the figures that rest on ${failed.length === 1 ? 'it' : 'them'} may not mean what they say.</p>`;
  const io = d.io.device
    ? `${d.io.path} (${d.io.device}, scheduler ${d.io.scheduler ?? 'unknown'})`
    : `no disk: ${d.io.missing}`;
  return html`<p class="lead">${s.pass} pass, ${s.fail} fail, ${s.notApplicable} not applicable.</p>
${warn || ''}<p class="note">The quick set of <code>isobench doctor</code>, run before the first trial (${d.startedAt}, ${(d.durationMs / 1000).toFixed(0)} s) on kernel ${d.host.kernel}, cgroup ${d.host.cgroupMode}; io checks on ${io}. Each check is an experiment in real containers, judged on what the kernel counted.</p>
<table><thead><tr><th>result</th><th>check</th><th>expected</th><th>measured</th><th>tolerance</th><th>why</th></tr></thead><tbody>
${d.checks.map(row)}</tbody></table>`;
}
