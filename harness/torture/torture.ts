/**
 * `npm run torture`: reliability under fire (issue 16), as figures. Kills at random instants,
 * SIGINT and SIGTERM without cleanup, malformed scenarios, hostile environments, containment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../analysis/random.js';
import { type BadOutcome, badInputCampaign } from './bad-input.js';
import { containmentCases } from './containment.js';
import { type CaseResult, hostileCases } from './hostile.js';
import { calibrate, campaign, type HitResult, sumLeaks } from './kills.js';
import { type Leaks, totalLeaks } from './leaks.js';
import { PHASES } from './observe.js';

export interface TortureOptions {
  kills: number;
  sigints: number;
  sigterms: number;
  bad: boolean;
  hostile: boolean;
  /** Only the cheap hostile cases (npm test). */
  quickHostile?: boolean;
  containment: boolean;
  seed: number;
  scenarioDir: string;
  /** Where the torture's runs go (a fresh folder below it); /var/tmp by default. */
  base: string;
  log: (line: string) => void;
}

export interface TortureReport {
  calibration: { wallMs: number; exit: number | null; leaks: Leaks } | null;
  hits: HitResult[];
  bad: BadOutcome[];
  hostile: CaseResult[];
  containment: CaseResult[];
}

export async function torture(o: TortureOptions): Promise<TortureReport> {
  const root = mkdtempSync(join(o.base, 'isobench-torture-'));
  const c = { root, seq: 0, rng: createRng(o.seed), log: o.log };
  const report: TortureReport = { calibration: null, hits: [], bad: [], hostile: [], containment: [] };
  o.log(`isobench torture: seed ${o.seed}, runs in ${root}`);
  if (o.kills + o.sigints + o.sigterms > 0) {
    report.calibration = await calibrate(c);
    o.log(
      `calibration: one undisturbed run took ${report.calibration.wallMs} ms, exit ${report.calibration.exit}; kill instants drawn uniformly over it`,
    );
    for (const [kind, n] of [
      ['kill', o.kills],
      ['SIGINT', o.sigints],
      ['SIGTERM', o.sigterms],
    ] as const) {
      if (n === 0) continue;
      o.log(`${kind}: ${n} runs`);
      report.hits.push(...(await campaign(c, kind, n, report.calibration.wallMs * 1.05)));
    }
  }
  if (o.bad) {
    o.log('bad input: malformed scenarios from scenarios/*.yaml');
    report.bad = await badInputCampaign(root, o.scenarioDir);
  }
  if (o.hostile) {
    o.log('hostile environment:');
    report.hostile = await hostileCases({ root, log: o.log, quick: o.quickHostile ?? false });
  }
  if (o.containment) {
    o.log('containment:');
    report.containment = await containmentCases({ root, log: o.log });
  }
  rmSync(root, { recursive: true, force: true });
  return report;
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);

/** The figures as text (README's reliability section is a copy of this). */
export function formatReport(r: TortureReport): string {
  const out: string[] = [];
  for (const kind of ['kill', 'SIGINT', 'SIGTERM'] as const) {
    const hs = r.hits.filter((h) => h.kind === kind);
    if (hs.length === 0) continue;
    out.push(
      '',
      `${kind === 'kill' ? 'SIGKILL, then isobench cleanup' : `${kind} to isobench, no cleanup`}: ${hs.length} runs`,
    );
    out.push(`  ${pad('phase hit', 22)} ${pad('runs', 5)} targets (isobench/workload/generator)  exits`);
    for (const p of PHASES) {
      const ph = hs.filter((h) => h.phase === p);
      if (ph.length === 0) continue;
      const t = (x: string) => ph.filter((h) => h.target === x).length;
      const exits = [...new Set(ph.map((h) => h.exit))]
        .map((e) => `${e} x${ph.filter((h) => h.exit === e).length}`)
        .join(', ');
      out.push(
        `  ${pad(p, 22)} ${pad(ph.length, 5)} ${pad(`${t('isobench')}/${t('workload')}/${t('generator')}`, 39)} ${exits}`,
      );
    }
    const l = sumLeaks(hs);
    out.push(
      `  leaks: cgroups ${l.cgroups}, processes ${l.processes}, mounts ${l.mounts}, netns ${l.netns}, temp dirs ${l.tempDirs}, registry files ${l.registryFiles} (total ${totalLeaks(l)})`,
    );
    const lines = hs.reduce((a, h) => a + h.trialLines, 0);
    out.push(
      `  trials.jsonl: ${lines} finished-trial lines, all parse: ${hs.every((h) => h.corruptLines === 0)} (${hs.reduce((a, h) => a + h.corruptLines, 0)} corrupt; ${hs.reduce((a, h) => a + h.truncatedLines, 0)} truncated in-flight last lines); hangs ${hs.filter((h) => h.hang).length}`,
    );
    if (kind === 'kill') {
      const rep = hs.filter((h) => h.report !== 'not asked');
      const count = (x: string) => rep.filter((h) => h.report === x).length;
      out.push(
        `  isobench report on the ${rep.length} folders of killed isobench runs: ${count('ok')} reports (results.json rebuilt or written), ${count('no-trials')} refused with exit 2 (killed before its first trial: nothing to report), ${rep.length - count('ok') - count('no-trials')} other`,
      );
      out.push(
        `  isobench cleanup exits: ${[...new Set(hs.map((h) => h.cleanupExit))].map((e) => `${e} x${hs.filter((h) => h.cleanupExit === e).length}`).join(', ')}`,
      );
    }
  }
  if (r.bad.length > 0) {
    const ok = r.bad.filter((b) => b.ok).length;
    out.push(
      '',
      `bad input: ${r.bad.length} malformed scenarios, ${ok} refused as wanted (exit 2, every line FILE:LINE:COL, nothing created)`,
    );
    out.push(
      `  exits: ${[...new Set(r.bad.map((b) => b.exit))].map((e) => `${e} x${r.bad.filter((b) => b.exit === e).length}`).join(', ')}; stack traces ${r.bad.filter((b) => b.stackTrace).length}; hangs ${r.bad.filter((b) => b.hang).length}; created something ${r.bad.filter((b) => b.created).length}`,
    );
    const kinds = [...new Set(r.bad.map((b) => b.name))];
    for (const k of kinds) {
      const bs = r.bad.filter((b) => b.name === k);
      const first = bs[0];
      out.push(
        `  ${pad(`${bs.filter((b) => b.ok).length}/${bs.length}`, 5)} ${k}: ${first?.firstLine ?? ''}`,
      );
      for (const b of bs)
        if (!b.ok) out.push(`        NOT AS WANTED (${b.from}): exit ${b.exit}, ${b.firstLine}`);
    }
  }
  for (const [title, cs] of [
    ['hostile environment', r.hostile],
    ['containment', r.containment],
  ] as const) {
    if (cs.length === 0) continue;
    out.push('', `${title}: ${cs.filter((x) => x.ok).length} of ${cs.length} as wanted`);
    for (const x of cs)
      out.push(
        `  ${x.ok ? 'ok  ' : 'FAIL'} ${x.name}: exit ${x.exit}, leaks ${totalLeaks(x.leaks)}; ${x.what}`,
      );
  }
  return `${out.join('\n')}\n`;
}
