/**
 * The report's "Trials" section: how each trial was measured and whether it can be trusted: its
 * status, the load generators' own CPU and lateness, CPU used outside the trial, steal, and the
 * guards that failed (an invalid trial is left out of every figure and rerun once).
 */
import type { ResultsFile, TrialMeasure, TrialRecord } from '../harness/results/types.js';
import { html, type SafeHtml } from './safe-html.js';

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
const cores = (us: number | null, windowMs: number) =>
  us === null || windowMs <= 0 ? '-' : (us / 1000 / windowMs).toFixed(2);

function row(t: TrialRecord): SafeHtml {
  const m: TrialMeasure | undefined = t.measure;
  const windowMs = m ? m.window.endEpochMs - m.window.startEpochMs : 0;
  const guardCore = (name: 'foreignCpu' | 'steal') => {
    const g = m?.guards.find((x) => x.name === name);
    return g?.value === null || g?.value === undefined ? '-' : g.value.toFixed(2);
  };
  const why = t.status === 'ok' ? '' : t.reason;
  return html`<tr class="${t.status}"><td>${t.id}${m && m.attempt > 1 ? ' (rerun)' : ''}</td><td>${t.status}</td>
<td class="num">${m ? cores(m.loadgen?.cpuUsageUs ?? null, windowMs) : '-'}</td><td class="num">${pct(m?.lateSendFraction ?? null)}</td>
<td class="num">${m?.maxLateMs === null || m?.maxLateMs === undefined ? '-' : `${m.maxLateMs.toFixed(1)} ms`}</td>
<td class="num">${guardCore('foreignCpu')}</td><td class="num">${guardCore('steal')}</td>
<td class="num">${m?.quietWaitMs === null || m?.quietWaitMs === undefined ? '-' : `${(m.quietWaitMs / 1000).toFixed(1)} s`}</td><td>${why}</td></tr>\n`;
}

export function trialsHtml(results: ResultsFile): SafeHtml {
  const count = (s: TrialRecord['status']) => results.trials.filter((t) => t.status === s).length;
  const measured = results.trials.filter((t) => t.measure);
  const cpus = measured.find((t) => t.measure?.harnessCpus)?.measure?.harnessCpus ?? null;
  return html`<p class="note">${count('ok')} ok, ${count('invalid')} invalid (a guard was exceeded: left out of every figure, rerun once at the end of its block), ${count('failed')} failed, of ${results.trials.length}. The load generators ran in a cgroup of their own${cpus ? html` on CPUs ${cpus}, reserved for isobench` : ' on the same CPUs as the containers (no CPU reserved on this host)'}; "generator" is their CPU in cores over the window, "late" the share of their sends more than 1 ms behind schedule; "foreign" the cores used by processes outside the trial, isobench and its generators; "quiet wait" how long the trial waited for a quiet host.</p>
<table class="trials"><thead><tr><th>trial</th><th>status</th><th>generator (cores)</th><th>late</th><th>max late</th><th>foreign (cores)</th><th>steal (cores)</th><th>quiet wait</th><th>reason</th></tr></thead>
<tbody>${results.trials.map(row)}</tbody></table>`;
}
