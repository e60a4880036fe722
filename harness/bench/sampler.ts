/**
 * The sampler's own cost: isobench's Sampler at 10 Hz on 3 containers (every cgroup stats file of
 * every hierarchy, plus the host's PSI, /proc/stat and /proc/vmstat, as during a trial), as CPU
 * time of this process over wall time in one-second windows; against the same files read by `cat`
 * in a shell loop at the same rate (the shell's and its children's CPU, from its /proc stat).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupHandle } from '../cgroup/driver.js';
import { openDriver } from '../cgroup/index.js';
import { USER_HZ } from '../host/procfs.js';
import { Sampler } from '../run/sampler.js';
import { Registry } from '../teardown/registry.js';
import { okPeer, ratiosOf, summarize } from './measure.js';
import { runToEnd } from './spawn.js';
import type { BenchContext, Benchmark, BenchResult } from './types.js';

const DESCRIPTION = 'sampler at 10 Hz, 3 containers (CPU share of one core)';
const RATE_HZ = 10;
const WINDOW_MS = 1000;
/** At most this many one-second windows a side: the figure is a rate, not a latency tail. */
const MAX_WINDOWS = 10;
const WARMUP_TICKS = 200;

/** Every stats file readStats opens, v1 and v2 names (those that exist in each directory). */
const STAT_FILES = [
  'cpu.stat',
  'cpuacct.usage',
  'memory.usage_in_bytes',
  'memory.max_usage_in_bytes',
  'memory.failcnt',
  'memory.oom_control',
  'blkio.throttle.io_service_bytes_recursive',
  'blkio.throttle.io_serviced_recursive',
  'pids.current',
  'pids.peak',
  'pids.events',
  'memory.current',
  'memory.peak',
  'memory.events',
  'io.stat',
  'cpu.pressure',
  'memory.pressure',
  'io.pressure',
];
const HOST_FILES = [
  '/proc/stat',
  '/proc/pressure/cpu',
  '/proc/pressure/memory',
  '/proc/pressure/io',
  '/proc/vmstat',
];

function filesOf(handles: CgroupHandle[]): string[] {
  const inDirs = handles.flatMap((h) =>
    Object.values(h.dirs).flatMap((d) => STAT_FILES.map((f) => join(d, f))),
  );
  return [...inDirs, ...HOST_FILES].filter((f) => existsSync(f));
}

async function samplerShare(sampler: Sampler): Promise<number> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  sampler.start();
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  sampler.stop();
  const cpu = process.cpuUsage(cpu0);
  const wallUs = (performance.now() - t0) * 1000;
  return (100 * (cpu.user + cpu.system)) / wallUs;
}

/** One window of the shell loop; its own and its reaped children's CPU from /proc/$$/stat. */
async function catShare(files: string[]): Promise<number> {
  const ticks = (WINDOW_MS / 1000) * RATE_HZ;
  const script = `i=0; while [ $i -lt ${ticks} ]; do cat "$@" >/dev/null; sleep ${1 / RATE_HZ}; i=$((i+1)); done; cat /proc/$$/stat`;
  const t0 = performance.now();
  const out = await runToEnd('sh', ['-c', script, 'sh', ...files]);
  const wallMs = performance.now() - t0;
  // Fields after the command name: utime stime cutime cstime are fields 14-17 (1-based).
  const fields = out
    .slice(out.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  const clock = [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i]), 0);
  return (100 * (clock / USER_HZ) * 1000) / wallMs;
}

async function measure(ctx: BenchContext): Promise<BenchResult> {
  const registry = new Registry();
  try {
    const driver = openDriver(registry);
    const handles: CgroupHandle[] = [];
    for (const name of ['web', 'db', 'hog']) handles.push(await driver.create(name));
    const sampler = new Sampler(
      driver,
      handles,
      { trial: 'bench', cell: 'bench', phase: 'bench' },
      1000 / RATE_HZ,
    );
    const files = filesOf(handles);
    mkdirSync(ctx.tmpDir, { recursive: true });
    const windows = Math.max(1, Math.min(ctx.iterations, MAX_WINDOWS));
    const ours: number[] = [];
    const cat: number[] = [];
    // Unmeasured ticks first: the sampler's code is compiled by then, as in a run's later trials
    // (the first 100 ticks cost about twice the CPU of the next thousand here).
    for (let i = 0; i < WARMUP_TICKS; i++) await sampler.tick();
    await catShare(files);
    // Alternating windows: both see the same host minute by minute.
    for (let i = 0; i < windows; i++) {
      ours.push(await samplerShare(sampler));
      cat.push(await catShare(files));
    }
    const oursM = summarize('isobench Sampler', '% of a core', ours);
    const peers = [okPeer(summarize('cat loop', '% of a core', cat))];
    return {
      status: 'ok',
      name: 'sampler',
      description: DESCRIPTION,
      ours: oursM,
      peers,
      ratios: ratiosOf(oursM, peers),
      figures: {},
      goals: [{ text: '< 2% of one core', pass: oursM.median < 2 }],
      notes: [
        `${files.length} files a tick (${handles.length} containers x ${Object.keys(handles[0]?.dirs ?? {}).length} hierarchies + host), ${sampler.rows.length} rows sampled`,
      ],
    };
  } finally {
    await registry.teardown();
  }
}

export const samplerBench: Benchmark = { name: 'sampler', description: DESCRIPTION, run: measure };
