/**
 * The kill and signal campaigns: the torture scenario run N times, each hit at an instant drawn
 * uniformly over a whole run's wall time (measured first by one undisturbed run).
 *
 * - kill: SIGKILL to isobench itself, a random process of a workload container, or the load
 *   generator, then `isobench cleanup`; a run whose isobench survives must end on its own.
 * - SIGINT, SIGTERM: to isobench, with no cleanup afterwards: they must leave nothing.
 * After each: leaks (leaks.ts), every newline-terminated line of trials.jsonl must parse as a
 * trial record (an unterminated last line is the trial in flight), and for a killed isobench,
 * `isobench report` must rebuild the folder's results (rebuild.ts) once a trial was recorded.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trialRecordSchema } from '../results/schema.js';
import { addLeaks, countLeaks, type Leaks, NO_LEAKS, totalLeaks } from './leaks.js';
import { type Phase, phaseOf, runCli, Watched } from './observe.js';
import { TORTURE_SCENARIO, TORTURE_TRIALS, TORTURE_WARMUP_MS } from './scenario.js';

export type Target = 'isobench' | 'workload' | 'generator';

export interface HitResult {
  kind: 'kill' | 'SIGINT' | 'SIGTERM';
  target: Target;
  phase: Phase;
  atMs: number;
  exit: string;
  hang: boolean;
  leaks: Leaks;
  trialLines: number;
  corruptLines: number;
  truncatedLines: number;
  /** `isobench report` on the folder afterwards: 'ok', 'no-trials' (refused: nothing to report), or its error. */
  report: string;
  cleanupExit: number | null;
}

export interface Campaign {
  root: string;
  seq: number;
  rng: () => number;
  log: (line: string) => void;
}

export function scenarioFile(root: string): string {
  const file = join(root, 'torture.yaml');
  if (!existsSync(file)) writeFileSync(file, TORTURE_SCENARIO);
  return file;
}

/** Lines of trials.jsonl: parseable records, corrupt complete lines, a truncated last line. */
export function checkTrialLines(outDir: string): { ok: number; corrupt: number; truncated: number } {
  let text = '';
  try {
    text = readFileSync(join(outDir, 'trials.jsonl'), 'utf8');
  } catch {
    return { ok: 0, corrupt: 0, truncated: 0 };
  }
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  let ok = 0;
  let corrupt = 0;
  for (const line of parts) {
    try {
      if (trialRecordSchema.safeParse(JSON.parse(line)).success) ok++;
      else corrupt++;
    } catch {
      corrupt++;
    }
  }
  return { ok, corrupt, truncated: tail === '' ? 0 : 1 };
}

/** Wall time of one undisturbed run of the torture scenario (ms), and that it ended well. */
export async function calibrate(c: Campaign): Promise<{ wallMs: number; exit: number | null; leaks: Leaks }> {
  const out = join(c.root, `calibrate-${c.seq++}`);
  const w = new Watched(['run', scenarioFile(c.root), '--out', out], out);
  const f = await w.finished();
  const wallMs = Date.now() - w.startedMs;
  if (f.code !== 0)
    c.log(`calibration run exit ${f.code}: ${f.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { wallMs, exit: f.code, leaks: await countLeaks([...w.runIds], [out], c.root) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pick<T>(rng: () => number, xs: readonly T[]): T | undefined {
  return xs[Math.floor(rng() * xs.length)];
}

/** One run hit by `kind` at a random instant in [0, wallMs]. */
export async function hitOnce(
  c: Campaign,
  kind: HitResult['kind'],
  wallMs: number,
  wanted: Target,
): Promise<HitResult> {
  const out = join(c.root, `${kind.toLowerCase()}-${c.seq++}`);
  const w = new Watched(['run', scenarioFile(c.root), '--out', out], out, { timeoutMs: 120_000 });
  const atMs = Math.round(c.rng() * wallMs);
  await sleep(atMs);
  const s = w.snapshot();
  const phase = phaseOf(s, TORTURE_TRIALS, TORTURE_WARMUP_MS);
  let target: Target = 'isobench';
  if (kind === 'kill') {
    const victims =
      wanted === 'workload'
        ? [...w.pidsIn('-tortweb'), ...w.pidsIn('-tortpeer')]
        : wanted === 'generator'
          ? w.pidsIn('--loadgen')
          : [];
    const victim = pick(c.rng, victims);
    try {
      if (victim !== undefined) {
        process.kill(victim, 'SIGKILL');
        target = wanted;
      } else process.kill(w.pid, 'SIGKILL');
    } catch {
      /* it ended meanwhile */
    }
  } else {
    try {
      process.kill(w.pid, kind);
    } catch {
      /* it ended meanwhile */
    }
  }
  const f = await w.finished();
  w.snapshot();
  let cleanupExit: number | null = null;
  if (kind === 'kill') cleanupExit = (await runCli(['cleanup'])).code;
  const runIds = [...w.runIds];
  const leaks = await countLeaks(runIds, [out], c.root);
  const lines = checkTrialLines(out);
  let report = 'not asked';
  if (kind === 'kill' && target === 'isobench' && existsSync(out)) {
    const r = await runCli(['report', out]);
    report =
      r.code === 0
        ? 'ok'
        : lines.ok === 0 && /neither results.json nor run.json|results.json|trials.jsonl/.test(r.stderr)
          ? 'no-trials'
          : `exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`;
  }
  const exit = f.timedOut ? 'hang' : f.signal ? f.signal : String(f.code);
  const result: HitResult = {
    kind,
    target,
    phase,
    atMs,
    exit,
    hang: f.timedOut,
    leaks,
    trialLines: lines.ok,
    corruptLines: lines.corrupt,
    truncatedLines: lines.truncated,
    report,
    cleanupExit,
  };
  if (totalLeaks(leaks) > 0 || lines.corrupt > 0 || f.timedOut || report.startsWith('exit'))
    c.log(
      `  ${kind} ${target} at ${atMs} ms (${phase}): exit ${exit}, leaks ${JSON.stringify(leaks)}, corrupt lines ${lines.corrupt}, report ${report}; run ids ${runIds.join(',')}; stderr: ${f.stderr.trim().split('\n').slice(-2).join(' | ')}`,
    );
  return result;
}

export async function campaign(
  c: Campaign,
  kind: HitResult['kind'],
  n: number,
  wallMs: number,
): Promise<HitResult[]> {
  const out: HitResult[] = [];
  const targets: Target[] = ['isobench', 'isobench', 'workload', 'generator'];
  for (let i = 0; i < n; i++) {
    const wanted = kind === 'kill' ? (targets[i % targets.length] as Target) : 'isobench';
    out.push(await hitOnce(c, kind, wallMs, wanted));
  }
  return out;
}

export function sumLeaks(rs: readonly HitResult[]): Leaks {
  return rs.reduce((a, r) => addLeaks(a, r.leaks), NO_LEAKS);
}
