/**
 * Runs isobench as a child and watches it from outside, the way an operator could: the run ids it
 * registers (its state files, by owner pid), its cgroups, its results folder, and the step the
 * torture scenario's shell writes (scenario.ts). `phaseOf` names the life-cycle phase a kill hit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStates } from '../teardown/registry.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The built CLI: beside this file in dist/, or dist/ of the repository when tests run the source. */
export const CLI = existsSync(join(HERE, '../cli.js'))
  ? join(HERE, '../cli.js')
  : join(HERE, '../../dist/harness/cli.js');

export interface Snapshot {
  atMs: number;
  registered: boolean;
  cgroups: number;
  /** Content of the peer's `phase` file in the trial in flight, or null. */
  marker: string | null;
  trialLines: number;
  results: boolean;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  timedOut: boolean;
}

const POLL_MS = 20;
/** Output kept per stream: enough for every message, bounded against a workload's flood. */
const KEEP_BYTES = 64 * 1024;

function keep(buf: string, chunk: Buffer): string {
  const s = buf + chunk.toString('utf8');
  return s.length > KEEP_BYTES ? s.slice(-KEEP_BYTES) : s;
}

function markerOf(outDir: string): string | null {
  const trials = join(outDir, 'work', 'trials');
  try {
    for (const t of readdirSync(trials)) {
      const p = join(trials, t, 'tortpeer', 'phase');
      if (existsSync(p)) return readFileSync(p, 'utf8').trim();
    }
  } catch {
    /* not there yet, or removed */
  }
  return null;
}

function lines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

export class Watched {
  readonly child: ChildProcess;
  readonly runIds = new Set<string>();
  readonly startedMs = Date.now();
  last: Snapshot;
  private stdout = '';
  private stderr = '';
  private readonly timer: NodeJS.Timeout;
  private readonly done: Promise<Finished>;

  constructor(
    args: string[],
    readonly outDir: string | null,
    opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
  ) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      detached: true, // its own process group: a Ctrl-C of the torture is not also this run's
    });
    this.child.stdout?.on('data', (c: Buffer) => {
      this.stdout = keep(this.stdout, c);
    });
    this.child.stderr?.on('data', (c: Buffer) => {
      this.stderr = keep(this.stderr, c);
    });
    this.last = this.snapshot();
    this.timer = setInterval(() => {
      this.last = this.snapshot();
    }, POLL_MS);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    this.done = new Promise((resolve) => {
      let timedOut = false;
      const kill = setTimeout(() => {
        timedOut = true;
        this.child.kill('SIGKILL');
      }, timeoutMs);
      this.child.on('close', (code, signal) => {
        clearTimeout(kill);
        clearInterval(this.timer);
        this.snapshot();
        resolve({ code, signal, stderr: this.stderr, stdout: this.stdout, timedOut });
      });
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** The state of the run now; also records its run ids. */
  snapshot(): Snapshot {
    let cgroups = 0;
    let registered = false;
    for (const { state } of readStates())
      if (state.ownerPid === this.pid) {
        registered = true;
        this.runIds.add(state.runId);
        cgroups += state.cgroups.length;
      }
    const out = this.outDir;
    return {
      atMs: Date.now(),
      registered,
      cgroups,
      marker: out ? markerOf(out) : null,
      trialLines: out ? lines(join(out, 'trials.jsonl')) : 0,
      results: out ? existsSync(join(out, 'results.json')) : false,
    };
  }

  /** Host pids in the run's cgroups named like `suffix` (a container, `-loadgen`). */
  pidsIn(suffix: string): number[] {
    const out = new Set<number>();
    for (const { state } of readStates())
      if (state.ownerPid === this.pid)
        for (const c of state.cgroups)
          if (c.id.endsWith(suffix))
            for (const d of c.dirs) {
              try {
                for (const p of readFileSync(join(d, 'cgroup.procs'), 'utf8').split('\n'))
                  if (p.trim()) out.add(Number(p));
              } catch {
                /* removed meanwhile */
              }
            }
    return [...out];
  }

  finished(): Promise<Finished> {
    return this.done;
  }
}

export const PHASES = [
  'planning',
  'cgroups and start-up',
  'warmup',
  'measurement',
  'stop and teardown',
  'between trials',
  'report writing',
] as const;
export type Phase = (typeof PHASES)[number];

/** The life-cycle phase the run was in at `s` (the last look before a kill). */
export function phaseOf(s: Snapshot, plannedTrials: number, warmupMs: number): Phase {
  if (s.results || s.trialLines >= plannedTrials) return 'report writing';
  if (!s.registered) return s.trialLines === 0 ? 'planning' : 'report writing';
  if (s.cgroups === 0) return s.trialLines === 0 ? 'planning' : 'between trials';
  if (s.marker === null) return 'cgroups and start-up';
  if (s.marker === 'stop') return 'stop and teardown';
  const started = Number(s.marker.split(' ')[1]);
  // The window opens at T0 + warmup; T0 is a little after the shell started (the begin step).
  return s.atMs - started < warmupMs + 100 ? 'warmup' : 'measurement';
}

export async function runCli(
  args: string[],
  opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Finished> {
  return new Watched(args, null, opts).finished();
}
