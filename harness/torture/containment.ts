/**
 * Containment: a fork bomb under pids.max, a memory bomb under memory.max, a disk writer under
 * io.max, each an aggressor next to a measured peer. Contained means: the limit held (read back
 * from the trial's cgroup figures), the peer's trial is ok, isobench kept sampling through the
 * trial (samples.csv rows), and nothing is left.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialRecord } from '../results/types.js';
import type { CaseResult } from './hostile.js';
import { countLeaks, totalLeaks } from './leaks.js';
import { Watched } from './observe.js';
import { colocatedScenario } from './scenario.js';

const IO_WBPS = 2 * 1024 * 1024;

function scenario(name: string, aggressor: string): string {
  return colocatedScenario({
    scenario: name,
    duration: '2s',
    warmup: '500ms',
    name: 'tortbomb',
    body: `    aggressor: true\n${aggressor}`,
    peerCommand: '[sh, -c, "while :; do sleep 0.05; done", isobench-torture-peer]',
  });
}

const CASES: [string, string, (bomb: TrialRecord['containers'][number]) => [boolean, string]][] = [
  [
    'fork bomb under pids.max 32',
    '    workload: fork\n    params: { rate: 2000 }\n    limits: { pids.max: 32 }',
    (b) => [
      (b.cgroup.pidsPeak ?? 0) <= 32 && (b.cgroup.pidsPeak ?? 0) >= 16,
      `pids peak ${b.cgroup.pidsPeak} (limit 32)`,
    ],
  ],
  [
    'memory bomb under memory.max 64MiB',
    '    workload: memory\n    params: { mode: bomb }\n    limits: { memory.max: 64MiB }',
    (b) => [
      b.exit?.oomKilled === true && (b.cgroup.oomKills ?? 0) > 0,
      `OOM-killed: ${b.exit?.oomKilled}, oom kills ${b.cgroup.oomKills}, memory peak ${b.cgroup.memoryPeakBytes}`,
    ],
  ],
  [
    'disk writer under io.max wbps 2MiB',
    '    workload: io\n    params: { mode: write, direct: true }\n    limits: { io.max.wbps: 2MiB }',
    (b) => {
      // 2.5 s of window at 2 MiB/s, with room for the kernel's throttling granularity.
      const bytes = b.cgroup.ioWriteBytes ?? -1;
      return [
        bytes > 0 && bytes <= IO_WBPS * 2.5 * 1.5,
        `wrote ${bytes} bytes in the window (limit ${IO_WBPS} B/s)`,
      ];
    },
  ],
];

export async function containmentCases(ctx: {
  root: string;
  log: (l: string) => void;
}): Promise<CaseResult[]> {
  const r: CaseResult[] = [];
  for (const [name, spec, check] of CASES) {
    const dir = join(ctx.root, 'contain', name.split(' ')[0] as string);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, scenario('containment', spec.replace('DIR', dir)));
    const out = join(dir, 'out');
    const w = new Watched(['run', file, '--out', out], out, { timeoutMs: 120_000 });
    const f = await w.finished();
    const leaks = await countLeaks([...w.runIds], [out], ctx.root);
    let trial: TrialRecord | undefined;
    let sampleRows = 0;
    try {
      trial = JSON.parse(readFileSync(join(out, 'trials.jsonl'), 'utf8').split('\n')[0] as string);
      sampleRows = readFileSync(join(out, 'samples.csv'), 'utf8').trim().split('\n').length - 1;
    } catch {
      /* reported below */
    }
    const bomb = trial?.containers.find((c) => c.name === 'tortbomb');
    const [held, figures] = bomb ? check(bomb) : [false, 'no trial record'];
    const c: CaseResult = {
      name,
      ok: held && trial?.status === 'ok' && sampleRows > 0 && f.code === 0 && totalLeaks(leaks) === 0,
      exit: f.timedOut ? 'hang' : String(f.code ?? f.signal),
      leaks,
      what: `${figures}; trial ${trial?.status ?? 'none'}${trial?.status === 'failed' ? ` (${trial.reason})` : ''}; ${sampleRows} samples taken`,
    };
    ctx.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: exit ${c.exit}; ${c.what}`);
    r.push(c);
  }
  return r;
}
