/**
 * `mergeResults`: shard results (`isobench run --shard I/N`) of one plan joined into the
 * results of the whole plan, identical in content to an unsharded run: the trials sorted by
 * their plan index, and the cells recomputed from them (the summaries are deterministic, so the
 * intervals come out bit for bit the same).
 *
 * Shards may run at different times or on twin machines, so host names may differ; a different
 * kernel, CPU model, cgroup mode or isobench version would mix conditions in one cell and is
 * refused.
 */
import { isDeepStrictEqual } from 'node:util';
import { summarizeCells } from '../analysis/summarize.js';
import { UsageError } from '../errors.js';
import { RESULTS_SCHEMA_VERSION, type ResultsFile, type TrialRecord } from '../results/types.js';

export interface MergeOptions {
  /** Called with what the merged results lack or hide (missing trials, differing host names). */
  onWarning?: (message: string) => void;
  /** Names of the parts in messages (folder paths); default `part 1`, `part 2` ... */
  names?: string[];
}

export interface MergeOutcome {
  results: ResultsFile;
  /** Plan indices of trials no part holds (empty: the plan is complete). */
  missing: number[];
}

function refuse(message: string): never {
  throw new UsageError('ISOBENCH_MERGE_MISMATCH', `cannot merge: ${message}`);
}

const shardText = (r: ResultsFile) =>
  r.scenario.shard ? `shard ${r.scenario.shard.index}/${r.scenario.shard.count}` : 'unsharded';

/** `[1, 2, 3, 7]` -> `1-3, 7`, at most `max` ranges. */
export function formatIndexRanges(xs: readonly number[], max = 8): string {
  const ranges: string[] = [];
  let i = 0;
  while (i < xs.length) {
    let j = i;
    while (j + 1 < xs.length && (xs[j + 1] as number) === (xs[j] as number) + 1) j++;
    ranges.push(i === j ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return ranges.length > max ? `${ranges.slice(0, max).join(', ')} ...` : ranges.join(', ');
}

/** The command that reproduces the whole plan: the shard's command without `--shard`. */
function unshardedCommand(command: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < command.length; i++) {
    const a = command[i] as string;
    if (a === '--shard') {
      i++;
      continue;
    }
    if (a.startsWith('--shard=')) continue;
    out.push(a);
  }
  return out;
}

/**
 * The shards of one variant keep their pairing: each shard ran its trials of every variant
 * interleaved, so a trial id still names a pair. The group joins the shards' groups, so the
 * merged folders of two variants of the same shards share it (and compare pairs them).
 */
function mergedVariant(parts: readonly ResultsFile[]): ResultsFile['variant'] {
  const first = parts[0]?.variant;
  if (!first || parts.some((p) => !p.variant)) return null;
  const groups = [...new Set(parts.map((p) => p.variant?.group as string))].sort();
  return { name: first.name, group: groups.join('+'), variants: first.variants };
}

export function mergeOutcome(parts: readonly ResultsFile[], opts: MergeOptions = {}): MergeOutcome {
  const warn = opts.onWarning ?? (() => {});
  const name = (i: number) => opts.names?.[i] ?? `part ${i + 1}`;
  if (parts.length === 0) refuse('no results folders given');
  // In shard order, so the first shard's host and command are the merged run's.
  const order = parts
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.scenario.shard?.index ?? 0) - (b.p.scenario.shard?.index ?? 0));
  const first = order[0] as { p: ResultsFile; i: number };
  const s0 = first.p.scenario;

  if (parts.length > 1) {
    for (const { p, i } of order) {
      if (!p.scenario.shard) refuse(`${name(i)} is an unsharded run; only shards of one plan can be merged`);
    }
  }
  const seenShard = new Map<number, number>();
  for (const { p, i } of order) {
    const s = p.scenario;
    const differs = (what: string, a: unknown, b: unknown) => {
      if (!isDeepStrictEqual(a, b)) {
        refuse(
          `${name(i)} is from another plan than ${name(first.i)}: ${what} differ (${JSON.stringify(b)} vs ${JSON.stringify(a)})`,
        );
      }
    };
    if (i !== first.i) {
      differs('scenario names', s0.name, s.name);
      if (s.text !== s0.text)
        refuse(`${name(i)} is from another plan than ${name(first.i)}: the scenario texts differ`);
      differs('overrides', s0.overrides, s.overrides);
      differs('seeds', s0.seed, s.seed);
      differs('repetitions', s0.repetitions, s.repetitions);
      differs('planned trial counts', s0.totalTrials, s.totalTrials);
      differs('phases', s0.phases, s.phases);
      differs('variants', first.p.variant?.name ?? null, p.variant?.name ?? null);
      differs('shard counts', s0.shard?.count, s.shard?.count);
      differs(
        'cells',
        first.p.cells.map((c) => [c.id, c.name, c.settings]),
        p.cells.map((c) => [c.id, c.name, c.settings]),
      );
      const h0 = first.p.host;
      const h = p.host;
      for (const [what, a, b] of [
        ['kernels', h0.kernel, h.kernel],
        ['CPU models', h0.cpu.model, h.cpu.model],
        ['cgroup modes', h0.cgroup.mode, h.cgroup.mode],
        ['isobench versions', h0.isobench, h.isobench],
      ] as const) {
        if (a !== b)
          refuse(
            `${name(i)} ran with another host setup than ${name(first.i)}: ${what} differ (${b} vs ${a})`,
          );
      }
      if (h.hostname !== h0.hostname) {
        warn(
          `${name(i)} ran on ${h.hostname}, ${name(first.i)} on ${h0.hostname}; the merged results record ${h0.hostname}`,
        );
      }
    }
    if (s.shard) {
      const other = seenShard.get(s.shard.index);
      if (other !== undefined)
        refuse(`${name(other)} and ${name(i)} are both shard ${s.shard.index}/${s.shard.count}`);
      seenShard.set(s.shard.index, i);
    }
  }

  // A plan index may appear twice: an invalid trial and its rerun (attempt 2).
  const byIndex = new Map<string, { t: TrialRecord; part: number }>();
  const keyOf = (t: TrialRecord) => `${t.index}#${t.measure?.attempt ?? 1}`;
  for (const { p, i } of order) {
    const shard = p.scenario.shard;
    for (const t of p.trials) {
      if (!Number.isInteger(t.index) || t.index < 0 || t.index >= s0.totalTrials) {
        refuse(`${name(i)}: trial ${t.id} has plan index ${t.index}, outside 0..${s0.totalTrials - 1}`);
      }
      if (shard && t.index % shard.count !== shard.index - 1) {
        refuse(`${name(i)}: trial ${t.id} (plan index ${t.index}) does not belong to ${shardText(p)}`);
      }
      const dup = byIndex.get(keyOf(t));
      if (dup)
        refuse(`trial index ${t.index} is in both ${name(dup.part)} (${dup.t.id}) and ${name(i)} (${t.id})`);
      byIndex.set(keyOf(t), { t, part: i });
    }
  }
  const trials = [...byIndex.values()]
    .map((x) => x.t)
    .sort((a, b) => a.index - b.index || (a.measure?.attempt ?? 1) - (b.measure?.attempt ?? 1));
  const present = new Set(trials.map((t) => t.index));
  const missing: number[] = [];
  for (let k = 0; k < s0.totalTrials; k++) if (!present.has(k)) missing.push(k);
  const count = s0.shard?.count;
  if (missing.length > 0) {
    const absent =
      count === undefined
        ? []
        : Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seenShard.has(k));
    warn(
      `the merged results lack ${missing.length} of ${s0.totalTrials} planned trials (plan indices ${formatIndexRanges(missing)})${absent.length > 0 ? `; shards not given: ${absent.map((k) => `${k}/${count}`).join(', ')}` : '; some shards were interrupted'}; status is "interrupted"`,
    );
  }

  const cellsIn = first.p.cells.map((c) => ({ id: c.id, name: c.name, settings: c.settings }));
  const results: ResultsFile = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: first.p.runId,
    status: missing.length === 0 && parts.every((p) => p.status === 'complete') ? 'complete' : 'interrupted',
    startedAt: parts.map((p) => p.startedAt).sort()[0] as string,
    finishedAt: parts
      .map((p) => p.finishedAt)
      .sort()
      .at(-1) as string,
    command: unshardedCommand(first.p.command),
    host: first.p.host,
    scenario: { ...s0, shard: null },
    cells: summarizeCells({
      cells: cellsIn,
      phases: s0.phases,
      trials,
    }),
    trials,
    variant: mergedVariant(order.map((o) => o.p)),
    sequential: null,
  };
  return { results, missing };
}

/** The merged results (see mergeOutcome for the missing trials). */
export function mergeResults(parts: readonly ResultsFile[], opts: MergeOptions = {}): ResultsFile {
  return mergeOutcome(parts, opts).results;
}
