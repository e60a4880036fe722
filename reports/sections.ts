/**
 * The report's HTML sections that are text and tables: headline, interference matrix, limits,
 * host, scenario, command. Written with the `html` template: every value from results.json is
 * escaped by it, and each section is a SafeHtml fragment.
 */
import type { ResultsFile, TrialRecord } from '../harness/results/types.js';
import { shellQuote } from './escape.js';
import {
  allVerdicts,
  cellVerdicts,
  describeVerdict,
  formatRatio,
  METRIC_LABELS,
  type MetricVerdict,
  type Verdict,
} from './headline.js';
import { html, joinHtml, type SafeHtml } from './safe-html.js';

const BADGE: Record<Verdict['status'], string> = {
  hurt: 'hurt',
  protected: 'protected',
  inconclusive: 'unclear',
  dnr: 'DNR',
  'no-baseline': 'no baseline',
};

function badge(status: Verdict['status'] | MetricVerdict['status']): SafeHtml {
  return html`<span class="badge ${status}">${BADGE[status]}</span>`;
}

export function headlineHtml(results: ResultsFile): SafeHtml {
  const verdicts = allVerdicts(results);
  const hurt = verdicts.filter((v) => v.status === 'hurt');
  const prot = verdicts.filter((v) => v.status === 'protected');
  const who = (list: Verdict[]) =>
    list.length === 0
      ? 'none'
      : joinHtml(
          list.map((v) => html`<b>${v.container}</b> in ${v.cellName}`),
          ', ',
        );
  const items = results.cells.map((cell) => {
    const lines = cellVerdicts(results, cell).map(
      (v) => html`<li>${badge(v.status)} <b>${v.container}</b> ${describeVerdict(v)}</li>\n`,
    );
    return html`<div class="cell-verdicts"><h3>${cell.name}</h3><ul>${lines}</ul></div>\n`;
  });
  const ok = results.trials.filter((t) => t.status === 'ok').length;
  const invalid = results.trials.filter((t) => t.status === 'invalid').length;
  return html`<p class="lead">Hurt: ${who(hurt)}. Protected: ${who(prot)}.</p>
<p class="note">${ok} of ${results.trials.length} trials ok${invalid > 0 ? ` (${invalid} invalid: a guard was exceeded, see Trials)` : ''}${results.status === 'interrupted' ? ' (run interrupted: figures cover the trials that finished)' : ''}. Slowdown = co-located / solo within each repetition block: the Hodges-Lehmann estimate with its Wilcoxon signed-rank 95% interval in brackets. Hurt: the tail-latency slowdown interval entirely above ×1.1, or the goodput (or transactions/s) ratio interval entirely below ×0.9; protected: the whole interval stays within those 10%; unclear: in between (more repetitions narrow the interval). Below 6 trials no 95% interval exists and the median decides. A p99 with fewer than 100 values beyond it in a trial is a thin tail, left out for the p50. Open-loop throughput is not shown: it equals the offered rate by construction.</p>
${items}`;
}

function dnrReasons(failures: { trial: string; reason: string }[]): SafeHtml[] {
  return failures.map((f) => html`<div class="dnr-reason">${f.trial}: ${f.reason}</div>`);
}

function matrixCell(v: Verdict | undefined): SafeHtml {
  if (!v) return html`<td class="na">–</td>`;
  const figs = [v.latency, v.throughput]
    .filter((m): m is MetricVerdict => m !== null)
    .map(
      (m) =>
        html`<div class="fig ${m.status}">${METRIC_LABELS[m.metric] ?? m.metric} <span class="num">${formatRatio(m.estimate)}</span></div>`,
    );
  const with_ = v.neighbours.length > 0 && html`<div class="with">next to ${v.neighbours.join(', ')}</div>`;
  if (v.status === 'dnr') return html`<td class="dnr"><b>DNR</b>${dnrReasons(v.failures)}</td>`;
  const partial =
    v.failed > 0 &&
    html`<div class="dnr-partial">${v.failed} of ${v.trials} trials DNR${dnrReasons(v.failures)}</div>`;
  return html`<td class="${v.status}">${figs.length > 0 ? figs : 'no slowdown figure'}${with_}${partial}</td>`;
}

/**
 * The Isolation Benchmark Suite's matrix: rows are the victims, columns the co-located phases
 * of each cell (each phase is one set of neighbours; the neighbours are named in each entry).
 */
export function matrixHtml(results: ResultsFile): SafeHtml {
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
  const head = columns.map(
    (c) =>
      html`<th>${c.cellName}${(multiPhase || c.phase === null) && html`<div class="with">${c.phase === null ? 'no co-located phase' : `phase ${c.phase}`}</div>`}</th>`,
  );
  const rows = victims.map(
    (victim) =>
      html`<tr><th scope="row">${victim}</th>${columns.map((c) =>
        matrixCell(
          verdicts.find((v) => v.container === victim && v.cellId === c.cellId && v.phase === c.phase),
        ),
      )}</tr>\n`,
  );
  return html`<table class="matrix"><thead><tr><th>victim \\ cell</th>${head}</tr></thead><tbody>
${rows}</tbody></table>`;
}

function firstTrialWith(results: ResultsFile, cellId: string, container: string): TrialRecord | undefined {
  return results.trials.find((t) => t.cell.id === cellId && t.containers.some((c) => c.name === container));
}

export function limitsHtml(results: ResultsFile): SafeHtml {
  const v1 = results.host.cgroup.mode !== 'v2';
  const rows: SafeHtml[] = [];
  let ioOnV1 = false;
  for (const cell of results.cells) {
    for (const container of Object.keys(cell.containers)) {
      const trial = firstTrialWith(results, cell.id, container);
      const record = trial?.containers.find((c) => c.name === container);
      const limits = record?.limits;
      if (!limits) continue;
      const runtime = runtimeName(record?.runtime);
      const keys = [...new Set([...Object.keys(limits.requested), ...Object.keys(limits.applied)])];
      if (keys.length === 0) {
        rows.push(
          html`<tr><td>${cell.name}</td><td>${container}</td><td>${runtime}</td><td colspan="6" class="na">no limits requested</td></tr>\n`,
        );
        continue;
      }
      for (const key of keys) {
        const a = limits.applied[key];
        if (v1 && key.startsWith('io.max') && a?.file.startsWith('blkio.')) ioOnV1 = true;
        rows.push(
          html`<tr><td>${cell.name}</td><td>${container}</td><td>${runtime}</td><td><code>${key}</code></td><td>${limits.requested[key] ?? '–'}</td><td>${a ? inForce(key, a.value) : 'not applied'}</td><td><code>${a?.file ?? ''}</code></td><td><code>${a?.raw ?? ''}</code></td><td>${a?.formula ?? (v1 ? 'same unit' : 'as written (v2)')}</td></tr>\n`,
        );
      }
    }
  }
  const note =
    ioOnV1 &&
    html`<p class="warn">On cgroup v1, blkio throttling (io.max here) applies to direct and synchronous IO only, not to buffered writeback: a workload that writes through the page cache is not held to it.</p>`;
  return html`<p class="note">Requested in the scenario (cgroup v2 names and units) and read back from the kernel in the cell's first trial${v1 && `; this host is cgroup ${results.host.cgroup.mode}, so limits were converted by the named formula`}.</p>
${note}
<table><thead><tr><th>cell</th><th>container</th><th>runtime</th><th>limit</th><th>requested</th><th>in force</th><th>file</th><th>read back</th><th>formula</th></tr></thead><tbody>
${rows}</tbody></table>`;
}

type RuntimeRecord = TrialRecord['containers'][number]['runtime'];

/** `native`, or the runtime with its engine and version (`lxc 5.0.2`, `oci: runc version 1.1.5`). */
export function runtimeName(r: RuntimeRecord): string {
  if (!r) return 'native';
  return r.runtime === 'lxc' ? `lxc ${r.version}` : `oci: ${r.version}`;
}

/**
 * Each container's runtime per cell: the engine and version, the payload cgroup it made and the
 * config text it was given (from the cell's first trial); empty when every container is native.
 */
export function runtimesHtml(results: ResultsFile): SafeHtml | null {
  const rows: SafeHtml[] = [];
  for (const cell of results.cells) {
    for (const container of Object.keys(cell.containers)) {
      const r = firstTrialWith(results, cell.id, container)?.containers.find(
        (c) => c.name === container,
      )?.runtime;
      if (!r) continue;
      rows.push(
        html`<tr><td>${cell.name}</td><td>${container}</td><td>${runtimeName(r)}</td><td><code>${r.cgroupPath}</code></td><td><details><summary>config</summary><pre>${r.config}</pre></details></td></tr>\n`,
      );
    }
  }
  if (rows.length === 0) return null;
  return html`<p class="note">Containers started by a runtime: it wrote their limits into the payload cgroup it made below the container's (read back from there, see Limits); the container's cgroup carries the same relative weights (cpu.weight, io.weight, memory.low), which act among siblings only.</p>
<table><thead><tr><th>cell</th><th>container</th><th>runtime</th><th>payload cgroup</th><th>config given</th></tr></thead><tbody>
${rows}</tbody></table>`;
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

export function hostHtml(results: ResultsFile): SafeHtml {
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
  return html`<table class="kv"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>\n`)}</tbody></table>`;
}

export function scenarioHtml(results: ResultsFile): SafeHtml {
  const s = results.scenario;
  const overrides =
    s.overrides.length > 0 &&
    html`; overrides ${joinHtml(
      s.overrides.map((o) => html`<code>${o}</code>`),
      ' ',
    )}`;
  return html`<p class="note"><code>${s.file}</code>, seed ${s.seed}, ${s.repetitions} repetitions, ${s.totalTrials} trials planned${s.shard && `, shard ${s.shard.index}/${s.shard.count}`}${overrides}.</p>
<pre class="scenario">${s.text}</pre>`;
}

/** The recorded command line, with `--seed` added when the run chose its seed itself. */
export function reproduceCommand(results: ResultsFile): string[] {
  const argv = [...results.command];
  if (argv[1] === 'run' && !argv.some((a) => a === '--seed' || a.startsWith('--seed='))) {
    argv.push('--seed', String(results.scenario.seed));
  }
  return argv;
}

export function commandHtml(results: ResultsFile): SafeHtml {
  return html`<pre class="command">${shellQuote(reproduceCommand(results))}</pre>
<p class="note">Run ${results.runId}, ${results.startedAt} to ${results.finishedAt} (${results.status}); the trial order's seed is pinned so the same trials run in the same order. <code>isobench report DIR</code> rebuilds this page from the results folder.</p>`;
}
