/**
 * Each malformed scenario through `isobench run FILE --out DIR`: it must exit 2 with messages of
 * the form `isobench: ISOBENCH_CODE: FILE:LINE:COL ...` (every line), no stack trace, no hang,
 * and nothing created (no results folder, no run registered).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BadInput, badInputs } from './mutations.js';
import { Watched } from './observe.js';

export interface BadOutcome {
  name: string;
  from: string;
  exit: string;
  lines: number;
  /** Every line `isobench: ISOBENCH_X: FILE:LINE:COL ...` naming the file. */
  located: boolean;
  stackTrace: boolean;
  created: boolean;
  hang: boolean;
  firstLine: string;
  ok: boolean;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function tryOne(root: string, i: number, b: BadInput): Promise<BadOutcome> {
  const dir = join(root, 'bad');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${String(i).padStart(2, '0')}-${b.from}`);
  writeFileSync(file, b.text);
  const out = join(dir, `out-${i}`);
  const w = new Watched(['run', file, '--out', out], null, { timeoutMs: 30_000 });
  const f = await w.finished();
  const lines = f.stderr.split('\n').filter((l) => l.trim() !== '');
  const located = new RegExp(`^isobench: ISOBENCH_[A-Z_]+: ${escapeRe(file)}:\\d+:\\d+[: ]`);
  const outcome = {
    name: b.name,
    from: b.from,
    exit: f.timedOut ? 'hang' : f.signal ? f.signal : String(f.code),
    lines: lines.length,
    located: lines.length > 0 && lines.every((l) => located.test(l)),
    stackTrace: /\n\s+at .+:\d+:\d+\)?/.test(f.stderr) || f.stderr.includes('internal error'),
    created: existsSync(out) || w.runIds.size > 0,
    hang: f.timedOut,
    firstLine: (lines[0] ?? '').replace(file, 'FILE'),
  };
  return {
    ...outcome,
    ok: outcome.exit === '2' && outcome.located && !outcome.stackTrace && !outcome.created,
  };
}

/** All bad inputs, two at a time (each is one short node process). */
export async function badInputCampaign(root: string, scenarioDir: string): Promise<BadOutcome[]> {
  const inputs = badInputs(scenarioDir);
  const out: BadOutcome[] = new Array(inputs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < inputs.length; i = next++) out[i] = await tryOne(root, i, inputs[i] as BadInput);
  };
  await Promise.all([worker(), worker()]);
  return out;
}
