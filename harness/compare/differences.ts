/**
 * What differs between two runs, and whether they can be compared at all. Runs are comparable
 * when they have the same containers, phases and cells (ids and names): then every row pairs a
 * base figure with a candidate figure of the same thing. Limits, workload parameters, the
 * kernel or the host may differ; that difference is what is being compared, so it is listed.
 */
import type { DoctorRecord, ResultsFile, TrialRecord } from '../results/types.js';

export interface Difference {
  /** `host.kernel`, `scenario.text`, `c1/web limits.memory.max`, ... */
  field: string;
  base: string;
  cand: string;
}

export interface Differences {
  /** False when the runs cannot be compared (exit 2); `reasons` says why. */
  comparable: boolean;
  reasons: string[];
  items: Difference[];
  /** Things worth knowing that are not differences of settings (a shard, an interrupted run). */
  notes: string[];
}

const list = (xs: readonly string[]) => (xs.length === 0 ? '(none)' : xs.join(', '));

function setDiff(what: string, base: readonly string[], cand: readonly string[]): string | null {
  const onlyBase = base.filter((x) => !cand.includes(x));
  const onlyCand = cand.filter((x) => !base.includes(x));
  if (onlyBase.length === 0 && onlyCand.length === 0) return null;
  const parts = [];
  if (onlyBase.length > 0) parts.push(`only in base: ${list(onlyBase)}`);
  if (onlyCand.length > 0) parts.push(`only in candidate: ${list(onlyCand)}`);
  return `${what} differ (${parts.join('; ')})`;
}

export function containerNames(r: ResultsFile): string[] {
  return [...new Set(r.scenario.phases.flatMap((p) => p.containers))];
}

/**
 * Lines only in `a` and lines only in `b`, by a longest common subsequence (scenario files are
 * a few hundred lines at most, so the quadratic table is small).
 */
export function lineDiff(a: string, b: string): { removed: string[]; added: string[] } {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        x[i] === y[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      i++;
      j++;
    } else if (((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number)) {
      removed.push(x[i++] as string);
    } else {
      added.push(y[j++] as string);
    }
  }
  while (i < n) removed.push(x[i++] as string);
  while (j < m) added.push(y[j++] as string);
  return {
    removed: removed.filter((l) => l.trim() !== ''),
    added: added.filter((l) => l.trim() !== ''),
  };
}

/** The first trial (ok or not) of a cell that ran `container`: it carries the requested limits. */
function firstTrialWith(trials: readonly TrialRecord[], cell: string, container: string) {
  for (const t of trials) {
    if (t.cell.id !== cell) continue;
    const c = t.containers.find((x) => x.name === container);
    if (c) return c;
  }
  return undefined;
}

/**
 * The host verifications (`isobench run --doctor`) of the two runs: a check whose verdict
 * differs, or that ran on one side only. Measured values always differ a little between runs;
 * a verdict that changes is what says the hosts enforce different things.
 */
export function doctorDifferences(base: DoctorRecord | null, cand: DoctorRecord | null): Difference[] {
  if (!base && !cand) return [];
  const brief = (d: DoctorRecord) =>
    `${d.summary.pass} pass, ${d.summary.fail} fail, ${d.summary.notApplicable} not applicable`;
  if (!base || !cand)
    return [{ field: 'doctor', base: base ? brief(base) : 'not run', cand: cand ? brief(cand) : 'not run' }];
  const out: Difference[] = [];
  const names = [...new Set([...base.checks, ...cand.checks].map((c) => c.name))];
  for (const name of names) {
    const b = base.checks.find((c) => c.name === name);
    const c = cand.checks.find((x) => x.name === name);
    if (b?.status === c?.status) continue;
    const show = (x: typeof b) =>
      x ? `${x.status}: ${x.status === 'pass' ? (x.measured ?? x.reason) : x.reason}` : 'not run';
    out.push({ field: `doctor.${name}`, base: show(b), cand: show(c) });
  }
  return out;
}

export function runDifferences(base: ResultsFile, cand: ResultsFile): Differences {
  const reasons: string[] = [];
  const items: Difference[] = [];
  const notes: string[] = [];
  const add = (field: string, b: unknown, c: unknown) => {
    const bs = typeof b === 'string' ? b : JSON.stringify(b);
    const cs = typeof c === 'string' ? c : JSON.stringify(c);
    if (bs !== cs) items.push({ field, base: bs ?? '(none)', cand: cs ?? '(none)' });
  };

  const containers = setDiff('containers', containerNames(base), containerNames(cand));
  if (containers) reasons.push(containers);
  const cellKey = (c: { id: string; name: string }) => `${c.id} (${c.name})`;
  const cells = setDiff('cells', base.cells.map(cellKey), cand.cells.map(cellKey));
  if (cells) reasons.push(cells);
  const phaseKey = (p: ResultsFile['scenario']['phases'][number]) =>
    `${p.name} (${p.kind}: ${p.containers.join('+')})`;
  const phases = setDiff('phases', base.scenario.phases.map(phaseKey), cand.scenario.phases.map(phaseKey));
  if (phases) reasons.push(phases);

  const bh = base.host;
  const ch = cand.host;
  add('host.hostname', bh.hostname, ch.hostname);
  add('host.kernel', bh.kernel, ch.kernel);
  add('host.distribution', bh.distribution, ch.distribution);
  add(
    'host.cpu',
    `${bh.cpu.model}, ${bh.cpu.cores} cores, ${bh.cpu.threads} threads`,
    `${ch.cpu.model}, ${ch.cpu.cores} cores, ${ch.cpu.threads} threads`,
  );
  add('host.memoryBytes', String(bh.memoryBytes), String(ch.memoryBytes));
  add('host.cgroup.mode', bh.cgroup.mode, ch.cgroup.mode);
  add('host.thp', `${bh.thp.enabled}/${bh.thp.defrag}`, `${ch.thp.enabled}/${ch.thp.defrag}`);
  add('host.swappiness', String(bh.swappiness), String(ch.swappiness));
  add('host.virtualization', String(bh.virtualization), String(ch.virtualization));
  add(
    'host.disks',
    bh.disks.map((d) => `${d.name}:${d.scheduler}`).join(' '),
    ch.disks.map((d) => `${d.name}:${d.scheduler}`).join(' '),
  );
  add('host.node', bh.node, ch.node);
  add('host.isobench', bh.isobench, ch.isobench);
  items.push(...doctorDifferences(base.doctor ?? null, cand.doctor ?? null));

  add('scenario.name', base.scenario.name, cand.scenario.name);
  add('scenario.file', base.scenario.file, cand.scenario.file);
  add('scenario.overrides', list(base.scenario.overrides), list(cand.scenario.overrides));
  add('scenario.repetitions', String(base.scenario.repetitions), String(cand.scenario.repetitions));
  if (base.scenario.text !== cand.scenario.text) {
    const d = lineDiff(base.scenario.text, cand.scenario.text);
    items.push({ field: 'scenario.text', base: d.removed.join('\n'), cand: d.added.join('\n') });
  }

  for (const cell of base.cells) {
    const other = cand.cells.find((c) => c.id === cell.id);
    if (!other) continue;
    add(`${cell.id} settings`, cell.settings, other.settings);
    for (const name of containerNames(base)) {
      const b = firstTrialWith(base.trials, cell.id, name);
      const c = firstTrialWith(cand.trials, cell.id, name);
      if (!b || !c) continue;
      add(`${cell.id}/${name} workload`, b.workload, c.workload);
      const keys = [
        ...new Set([...Object.keys(b.limits.requested), ...Object.keys(c.limits.requested)]),
      ].sort();
      for (const k of keys) {
        add(
          `${cell.id}/${name} limits.${k}`,
          b.limits.requested[k] ?? '(unset)',
          c.limits.requested[k] ?? '(unset)',
        );
      }
    }
  }

  for (const [side, r] of [
    ['base', base],
    ['candidate', cand],
  ] as const) {
    if (r.scenario.shard) {
      notes.push(
        `${side} is shard ${r.scenario.shard.index}/${r.scenario.shard.count} of its plan (isobench merge joins shards)`,
      );
    }
    if (r.status !== 'complete')
      notes.push(`${side} run was ${r.status}: ${r.trials.length} of ${r.scenario.totalTrials} trials`);
    for (const status of ['failed', 'invalid'] as const) {
      const n = r.trials.filter((t) => t.status === status).length;
      if (n > 0) notes.push(`${side} has ${n} ${status} trial${n === 1 ? '' : 's'} (not used)`);
    }
    const unverified = r.doctor?.checks.filter((c) => c.status === 'fail').map((c) => c.name) ?? [];
    if (unverified.length > 0) notes.push(`${side}'s host verification failed ${unverified.join(', ')}`);
  }
  return { comparable: reasons.length === 0, reasons, items, notes };
}
