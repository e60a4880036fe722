/**
 * The report's HTML sections that are text and tables: headline, interference matrix, limits,
 * host, scenario, command. Every value from results.json goes through escapeHtml (`h`).
 */
import type { ResultsFile, TrialRecord } from '../harness/results/types.js';
import { escapeHtml as h, shellQuote } from './escape.js';
import {
  allVerdicts,
  cellVerdicts,
  describeVerdict,
  formatRatio,
  METRIC_LABELS,
  type MetricVerdict,
  type Verdict,
} from './headline.js';

const BADGE: Record<Verdict['status'], string> = {
  hurt: 'hurt',
  protected: 'protected',
  inconclusive: 'unclear',
  dnr: 'DNR',
  'no-baseline': 'no baseline',
};

function badge(status: Verdict['status'] | MetricVerdict['status']): string {
  return `<span class="badge ${h(status)}">${h(BADGE[status])}</span>`;
}

export function headlineHtml(results: ResultsFile): string {
  const verdicts = allVerdicts(results);
  const hurt = verdicts.filter((v) => v.status === 'hurt');
  const prot = verdicts.filter((v) => v.status === 'protected');
  const who = (list: Verdict[]) =>
    list.length === 0 ? 'none' : list.map((v) => `<b>${h(v.container)}</b> in ${h(v.cellName)}`).join(', ');
  const items = results.cells
    .map((cell) => {
      const lines = cellVerdicts(results, cell)
        .map((v) => `<li>${badge(v.status)} <b>${h(v.container)}</b> ${h(describeVerdict(v))}</li>`)
        .join('\n');
      return `<div class="cell-verdicts"><h3>${h(cell.name)}</h3><ul>${lines}</ul></div>`;
    })
    .join('\n');
  const ok = results.trials.filter((t) => t.status === 'ok').length;
  return `<p class="lead">Hurt: ${who(hurt)}. Protected: ${who(prot)}.</p>
<p class="note">${ok} of ${results.trials.length} trials ok${results.status === 'interrupted' ? ' (run interrupted: figures cover the trials that finished)' : ''}. Slowdown = co-located / solo within each repetition block: the Hodges-Lehmann estimate with its Wilcoxon signed-rank 95% interval in brackets. Hurt: the tail-latency slowdown interval entirely above ×1.1, or the goodput (or transactions/s) ratio interval entirely below ×0.9; protected: the whole interval stays within those 10%; unclear: in between (more repetitions narrow the interval). Below 6 trials no 95% interval exists and the median decides. A p99 with fewer than 100 values beyond it in a trial is a thin tail, left out for the p50. Open-loop throughput is not shown: it equals the offered rate by construction.</p>
${items}`;
}

function dnrReasons(failures: { trial: string; reason: string }[]): string {
  return failures.map((f) => `<div class="dnr-reason">${h(f.trial)}: ${h(f.reason)}</div>`).join('');
}

function matrixCell(v: Verdict | undefined): string {
  if (!v) return '<td class="na">–</td>';
  const figs = [v.latency, v.throughput]
    .filter((m): m is MetricVerdict => m !== null)
    .map(
      (m) =>
        `<div class="fig ${h(m.status)}">${h(METRIC_LABELS[m.metric] ?? m.metric)} <span class="num">${h(formatRatio(m.estimate))}</span></div>`,
    )
    .join('');
  const with_ =
    v.neighbours.length > 0 ? `<div class="with">next to ${h(v.neighbours.join(', '))}</div>` : '';
  if (v.status === 'dnr') return `<td class="dnr"><b>DNR</b>${dnrReasons(v.failures)}</td>`;
  const partial =
    v.failed > 0
      ? `<div class="dnr-partial">${v.failed} of ${v.trials} trials DNR${dnrReasons(v.failures)}</div>`
      : '';
  return `<td class="${h(v.status)}">${figs || 'no slowdown figure'}${with_}${partial}</td>`;
}

/**
 * The Isolation Benchmark Suite's matrix: rows are the victims, columns the co-located phases
 * of each cell (each phase is one set of neighbours; the neighbours are named in each entry).
 */
export function matrixHtml(results: ResultsFile): string {
  const verdicts = results.cells.flatMap((c) => cellVerdicts(results, c));
  const columns: { cellId: string; cellName: string; phase: string | null }[] = [];
  for (const v of verdicts) {
    if (!columns.some((c) => c.cellId === v.cellId && c.phase === v.phase)) {
      columns.push({ cellId: v.cellId, cellName: v.cellName, phase: v.phase });
    }
  }
  const multiPhase = new Set(columns.map((c) => c.phase)).size > 1;
  const victims: string[] = [];
  for (const v of verdicts) if (!victims.includes(v.container)) victims.push(v.container);
  const head = columns
    .map(
      (c) =>
        `<th>${h(c.cellName)}${multiPhase || c.phase === null ? `<div class="with">${c.phase === null ? 'no co-located phase' : `phase ${h(c.phase)}`}</div>` : ''}</th>`,
    )
    .join('');
  const rows = victims
    .map(
      (victim) =>
        `<tr><th scope="row">${h(victim)}</th>${columns
          .map((c) =>
            matrixCell(
              verdicts.find((v) => v.container === victim && v.cellId === c.cellId && v.phase === c.phase),
            ),
          )
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table class="matrix"><thead><tr><th>victim \\ cell</th>${head}</tr></thead><tbody>
${rows}
</tbody></table>`;
}

function firstTrialWith(results: ResultsFile, cellId: string, container: string): TrialRecord | undefined {
  return results.trials.find((t) => t.cell.id === cellId && t.containers.some((c) => c.name === container));
}

export function limitsHtml(results: ResultsFile): string {
  const v1 = results.host.cgroup.mode !== 'v2';
  const rows: string[] = [];
  let ioOnV1 = false;
  for (const cell of results.cells) {
    for (const container of Object.keys(cell.containers)) {
      const trial = firstTrialWith(results, cell.id, container);
      const limits = trial?.containers.find((c) => c.name === container)?.limits;
      if (!limits) continue;
      const keys = [...new Set([...Object.keys(limits.requested), ...Object.keys(limits.applied)])];
      if (keys.length === 0) {
        rows.push(
          `<tr><td>${h(cell.name)}</td><td>${h(container)}</td><td colspan="6" class="na">no limits requested</td></tr>`,
        );
        continue;
      }
      for (const key of keys) {
        const a = limits.applied[key];
        if (v1 && key.startsWith('io.max') && a?.file.startsWith('blkio.')) ioOnV1 = true;
        rows.push(
          `<tr><td>${h(cell.name)}</td><td>${h(container)}</td><td><code>${h(key)}</code></td><td>${h(limits.requested[key] ?? '–')}</td><td>${h(a ? inForce(key, a.value) : 'not applied')}</td><td><code>${h(a?.file ?? '')}</code></td><td><code>${h(a?.raw ?? '')}</code></td><td>${h(a?.formula ?? (v1 ? 'same unit' : 'as written (v2)'))}</td></tr>`,
        );
      }
    }
  }
  const note = ioOnV1
    ? '<p class="warn">On cgroup v1, blkio throttling (io.max here) applies to direct and synchronous IO only, not to buffered writeback: a workload that writes through the page cache is not held to it.</p>'
    : '';
  return `<p class="note">Requested in the scenario (cgroup v2 names and units) and read back from the kernel in the cell's first trial${v1 ? `; this host is cgroup ${h(results.host.cgroup.mode)}, so limits were converted by the named formula` : ''}.</p>
${note}
<table><thead><tr><th>cell</th><th>container</th><th>limit</th><th>requested</th><th>in force</th><th>file</th><th>read back</th><th>formula</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

/** The read-back value, with a size in binary units where it is a byte count or a byte rate. */
function inForce(key: string, value: string): string {
  if (!/^\d+$/.test(value)) return value;
  if (/^memory\./.test(key) || /bps$/.test(key))
    return `${value} (${bytes(Number(value))}${/bps$/.test(key) ? '/s' : ''})`;
  return value;
}

function bytes(n: number | null): string {
  if (n === null) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}

export function hostHtml(results: ResultsFile): string {
  const host = results.host;
  const rows: [string, string][] = [
    ['hostname', host.hostname],
    ['kernel', host.kernel],
    ['distribution', host.distribution],
    [
      'CPU',
      `${host.cpu.model}, ${host.cpu.cores} cores, ${host.cpu.threads} threads${host.cpu.mhz !== null ? `, ${host.cpu.mhz} MHz` : ''}`,
    ],
    ['memory', `${bytes(host.memoryBytes)}, swap ${bytes(host.swapBytes)}`],
    [
      'disks',
      host.disks
        .map(
          (d) =>
            `${d.name}${d.model ? ` (${d.model})` : ''} ${bytes(d.sizeBytes)}, ${d.rotational === null ? 'rotational?' : d.rotational ? 'rotational' : 'SSD'}, scheduler ${d.scheduler ?? 'unknown'}`,
        )
        .join('; ') || 'none found',
    ],
    [
      'cgroup',
      `${host.cgroup.mode}; controllers ${host.cgroup.controllers.join(' ')}; PSI ${host.cgroup.psi ? 'yes' : 'no'}`,
    ],
    ['THP', `enabled ${host.thp.enabled ?? 'unknown'}, defrag ${host.thp.defrag ?? 'unknown'}`],
    ['swappiness', String(host.swappiness ?? 'unknown')],
    ['virtualization', host.virtualization ?? 'none detected'],
    ['node', host.node],
    ['isobench', host.isobench],
  ];
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${h(k)}</th><td>${h(v)}</td></tr>`).join('\n')}</tbody></table>`;
}

export function scenarioHtml(results: ResultsFile): string {
  const s = results.scenario;
  const overrides =
    s.overrides.length > 0 ? `; overrides ${s.overrides.map((o) => `<code>${h(o)}</code>`).join(' ')}` : '';
  return `<p class="note"><code>${h(s.file)}</code>, seed ${h(s.seed)}, ${h(s.repetitions)} repetitions, ${h(s.totalTrials)} trials planned${s.shard ? `, shard ${h(s.shard.index)}/${h(s.shard.count)}` : ''}${overrides}.</p>
<pre class="scenario">${h(s.text)}</pre>`;
}

/** The recorded command line, with `--seed` added when the run chose its seed itself. */
export function reproduceCommand(results: ResultsFile): string[] {
  const argv = [...results.command];
  if (argv[1] === 'run' && !argv.some((a) => a === '--seed' || a.startsWith('--seed='))) {
    argv.push('--seed', String(results.scenario.seed));
  }
  return argv;
}

export function commandHtml(results: ResultsFile): string {
  return `<pre class="command">${h(shellQuote(reproduceCommand(results)))}</pre>
<p class="note">Run ${h(results.runId)}, ${h(results.startedAt)} to ${h(results.finishedAt)} (${h(results.status)}); the trial order's seed is pinned so the same trials run in the same order. <code>isobench report DIR</code> rebuilds this page from the results folder.</p>`;
}
