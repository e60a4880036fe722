/**
 * Start-up of the whole CLI process: `isobench exec -- true` (node start, the CLI, a container
 * with its cgroups, teardown) against a bare `node -e 0`, in alternating repetitions so that
 * both see the same host moment by moment (issue 15 item 2: at most 1.5x).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { okPeer, ratioGoal, ratiosOf, summarize } from './measure.js';
import type { BenchContext, Benchmark, BenchResult } from './types.js';

const DESCRIPTION = 'whole process: isobench exec -- true vs node -e 0';
// What the `isobench` command runs (package.json "bin"): dist/harness/isobench.cjs.
const cli = fileURLToPath(new URL('../isobench.cjs', import.meta.url));

function wallMs(args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: 'ignore', cwd });
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')}: exit ${code}`));
    });
  });
}

async function measure(ctx: BenchContext): Promise<BenchResult> {
  // exec's data dir is its cwd: one of our own, not wherever the bench was started.
  const cwd = join(ctx.tmpDir, 'startup');
  mkdirSync(cwd, { recursive: true });
  const exec: number[] = [];
  const node: number[] = [];
  await wallMs([cli, 'exec', '--', 'true'], cwd); // warm the page cache
  for (let i = 0; i < ctx.iterations; i++) {
    node.push(await wallMs(['-e', '0'], cwd));
    exec.push(await wallMs([cli, 'exec', '--', 'true'], cwd));
  }
  const ours = summarize('isobench exec -- true', 'ms', exec);
  const peers = [okPeer(summarize('node -e 0', 'ms', node))];
  const ratios = ratiosOf(ours, peers);
  return {
    status: 'ok',
    name: 'startup',
    description: DESCRIPTION,
    ours,
    peers,
    ratios,
    goals: [ratioGoal('<= 1.5x node -e 0', ratios, 'node -e 0', (r) => r <= 1.5)],
    figures: {},
    notes: [],
  };
}

export const startupBench: Benchmark = { name: 'startup', description: DESCRIPTION, run: measure };
