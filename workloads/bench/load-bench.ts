/**
 * `npm run bench:load`: how far the open-loop generator goes, how well it keeps its schedule and
 * what it adds to latency, compared with wrk against the same trivial node:http server in the
 * same run.
 *
 * 1. ceiling steps: rates rise x1.4 from 10/s until the generator stops keeping up (errors,
 *    achieved < 97% of target, or corrected p99 > 100 ms: requests queue), then three bisections
 *    between the last step that kept up and the first that did not. Each step shows the
 *    share of sends more than 1 ms late, the generator's CPU and the host's foreign CPU (other
 *    work on a shared machine: a step with foreign CPU near a core is disturbed). Two ceilings:
 *    "throughput" (best step that keeps up) and "on schedule" (best step that also has <= 1% of
 *    sends late). wrk's closed-loop req/s with the same connection count is the reference.
 * Every run waits for a quiet host and is repeated when other work disturbed it (see
 * MAX_FOREIGN_CORES, MAX_STEAL_CORES); the table says how often.
 * 2. the generator's CPU at 1000/s (the default scenario's rate).
 * 3. latency at half the ceiling (corrected and uncorrected p50/p99), against wrk with one
 *    connection (its closed loop then measures the bare round trip, the floor any generator sees),
 *    the two alternating HALF_ROUNDS times and each figure the median of its rounds, and, where it
 *    is installed, wrk2 at the same rate and connections (an open-loop peer that also measures
 *    from each request's intended send time).
 * Each ceiling step and half-ceiling round also shows the host's steal and a timer floor (see
 * timerFloor in peers.ts): what the host did to every sleeping process meanwhile.
 * Speed is measured here, never asserted in tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { GENERATOR_NODE_FLAGS } from '../load/netns.js';
import { LOAD_ENGINES, type LoadEngine, type LoadOptions, type LoadResult, runLoad } from '../load/run.js';
import { type CpuUse, startCpuMeter, waitForQuiet } from './cpu-meter.js';
import {
  FLOOR_MAX_HZ,
  hasWrk,
  type TimerFloor,
  timerFloor,
  type WrkResult,
  wrk,
  wrk2,
  wrk2Binary,
} from './peers.js';

const CONNECTIONS = 16;
const STEP_MS = 3000;
/**
 * Low rates run longer: at least this many sends per step, so one late send is 0.2% of a step
 * and the 1% criterion is not decided by two or three sends (10/s: 50 s, 38/s: 13 s).
 */
const MIN_STEP_REQUESTS = 500;
const WARMUP_MS = 500;
/** The target of issue 13: under 1% of sends more than 1 ms late. */
const MAX_LATE_FRACTION = 0.01;
const START_HZ = 10;
/** Bisections between the last ceiling step that kept up and the first that did not. */
const REFINE_STEPS = 3;
/** wrk2's run at half the ceiling: 10 s of calibration, then 10 s counted. */
const WRK2_SECONDS = 20;
const CPU_RATE_HZ = 1000;
/**
 * Latency at half the ceiling: isobench load and wrk -c1 alternate this many times, and each
 * figure is the median of its rounds, so that one burst of the host's (steal, another tenant)
 * moves one round, not the comparison.
 */
const HALF_ROUNDS = 3;
/** Long enough that start-up (clock thread, sockets) is a small part of the CPU figure. */
const CPU_DURATION_MS = 10_000;
/**
 * The machine is shared: a step during which other processes used more than this many cores, or
 * the hypervisor took more than MAX_STEAL_CORES of this machine's CPUs (steal), is disturbed and
 * taken again (up to MAX_ATTEMPTS, keeping the least disturbed attempt); before each attempt we
 * wait (up to QUIET_WAIT_MS) for the host to be that quiet.
 */
const MAX_FOREIGN_CORES = 0.3;
/**
 * The trial guard's steal limit (harness/run/guards.ts). Steal came in bursts here: 0-10 ms/s
 * most of the time, and for minutes at a time 300-800 ms/s, when every step sent 10-27% late and
 * a timer floor beside it 5-12%.
 */
const MAX_STEAL_CORES = 0.1;
const MAX_ATTEMPTS = 3;
const QUIET_WAIT_MS = 20_000;

/**
 * The server is the fixture, not what is measured: it gets the generator's young generation too.
 * With V8's default (1 MiB semi-spaces) a trivial node:http server scavenges ~70 times a second
 * at 20,000/s, 0.2-4 ms each; an open-loop generator rightly charges every request due during a
 * pause, while wrk -c1 (a closed loop with one request in flight) sees one request per pause, so
 * the comparison would measure the server's garbage collector rather than the generator.
 */
const SERVER_NODE_FLAGS = GENERATOR_NODE_FLAGS;

const SERVER_SOURCE = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

interface Server {
  child: ChildProcess;
  pid: number;
  url: string;
}

async function startServer(): Promise<Server> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '-e', SERVER_SOURCE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<string>((resolve) => rl.once('line', resolve));
  return { child, pid: child.pid ?? -1, url: `http://127.0.0.1:${port.trim()}/` };
}

/** Throughput criterion: every request answered, the rate achieved, no queueing build-up. */
function keepsUp(r: LoadResult, rateHz: number): boolean {
  return (
    r.errors === 0 && r.timeouts === 0 && r.achievedRateHz >= 0.97 * rateHz && r.latencyUs.p99 <= 100_000
  );
}

function onSchedule(r: LoadResult): boolean {
  return r.late <= MAX_LATE_FRACTION * r.requests;
}

function onScheduleFloor(f: TimerFloor): boolean {
  return f.late <= MAX_LATE_FRACTION * f.due;
}

function lateStepText(s: Step): string {
  return `${s.rateHz}/s ${pct(s.r.late, s.r.requests)} (floor ${pct(s.floor.late, s.floor.due)}, steal ${s.cpu.stealMsPerS.toFixed(1)} ms/s)`;
}

interface Step {
  rateHz: number;
  r: LoadResult;
  floor: TimerFloor;
  cpu: CpuUse;
  attempts: number;
  ok: boolean;
  timely: boolean;
}

interface HalfRound {
  run: { r: LoadResult; floor: TimerFloor; cpu: CpuUse; attempts: number };
  wrk1: WrkResult;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Each figure of the half-ceiling rounds as the median of its rounds. */
function medianHalf(rounds: HalfRound[]) {
  const of = (f: (h: HalfRound) => number) => median(rounds.map(f));
  return {
    latencyUs: { p50: of((h) => h.run.r.latencyUs.p50), p99: of((h) => h.run.r.latencyUs.p99) },
    uncorrectedLatencyUs: {
      p50: of((h) => h.run.r.uncorrectedLatencyUs.p50),
      p99: of((h) => h.run.r.uncorrectedLatencyUs.p99),
    },
    wrk1: {
      requestsPerSec: of((h) => h.wrk1.requestsPerSec),
      p50Us: of((h) => h.wrk1.p50Us),
      p99Us: of((h) => h.wrk1.p99Us),
    },
  };
}

/** `--engine node` measures the Node engine (for comparison); the default is the generator's default. */
function engineArg(): LoadEngine | undefined {
  const at = process.argv.indexOf('--engine');
  if (at < 0) return undefined;
  const v = process.argv[at + 1] as LoadEngine;
  if (!LOAD_ENGINES.includes(v)) {
    process.stderr.write(`bench:load: --engine expects ${LOAD_ENGINES.join('|')}, got ${v}\n`);
    process.exit(2);
  }
  return v;
}
const ENGINE = engineArg();

async function measuredOnce(server: Server, options: Omit<LoadOptions, 'url' | 'connections'>) {
  await waitForQuiet(MAX_FOREIGN_CORES, QUIET_WAIT_MS, MAX_STEAL_CORES);
  const meter = startCpuMeter(server.pid);
  const floor = timerFloor(options.rateHz, (options.warmupMs ?? 0) + options.durationMs);
  // Awaited even when the step fails, so that no floor outlives its step.
  const [load, f] = await Promise.allSettled([
    runLoad({
      url: server.url,
      connections: CONNECTIONS,
      ...(ENGINE ? { engine: ENGINE } : {}),
      ...options,
    }),
    floor,
  ]);
  if (load.status === 'rejected') throw load.reason;
  if (f.status === 'rejected') throw f.reason;
  const r = load.value;
  return { r, floor: f.value, cpu: meter.stop(r.requests + r.warmupRequests, f.value.cpuUs) };
}

/** How far a run was disturbed beyond the limits (0: not at all), in cores. */
function disturbance(cpu: CpuUse): number {
  return (
    Math.max(0, cpu.foreignCores - MAX_FOREIGN_CORES) + Math.max(0, cpu.stealMsPerS / 1000 - MAX_STEAL_CORES)
  );
}

/** One run, repeated while other work on the host disturbed it; the least disturbed one is kept. */
async function measured(server: Server, options: Omit<LoadOptions, 'url' | 'connections'>) {
  let best = await measuredOnce(server, options);
  let attempts = 1;
  while (disturbance(best.cpu) > 0 && attempts < MAX_ATTEMPTS) {
    const again = await measuredOnce(server, options);
    attempts++;
    if (disturbance(again.cpu) < disturbance(best.cpu)) best = again;
  }
  return { ...best, attempts };
}

const ms = (us: number) => `${(us / 1000).toFixed(2)}ms`;
const pct = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(2)}%`;

function stepLine(s: Step): string {
  const { r, cpu } = s;
  return [
    `${String(s.rateHz).padStart(6)}/s`,
    `${r.achievedRateHz.toFixed(0).padStart(6)}/s`,
    pct(r.late, r.requests).padStart(7),
    `${r.maxLateMs.toFixed(2)}ms`.padStart(9),
    pct(s.floor.late, s.floor.due).padStart(7),
    (r.standbySends === null || r.standbySends === undefined ? '-' : String(r.standbySends)).padStart(5),
    cpu.stealMsPerS.toFixed(1).padStart(6),
    ms(r.latencyUs.p99).padStart(9),
    ms(r.uncorrectedLatencyUs.p99).padStart(9),
    cpu.ownCores.toFixed(2).padStart(5),
    cpu.ownUsPerRequest.toFixed(0).padStart(5),
    cpu.foreignCores.toFixed(2).padStart(7),
    String(s.attempts).padStart(3),
    `  ${s.ok ? (s.timely ? 'ok' : 'keeps up, late') : `FAIL (errors ${r.errors}, timeouts ${r.timeouts})`}`,
  ].join(' ');
}

const STEP_HEADER = `  ${['rate', 'achieved', 'late', 'max late', 'floor', 'stby', 'steal', 'p99', 'unc p99', 'cores', 'us/rq', 'foreign', 'try'].map((h, i) => h.padStart([8, 8, 7, 9, 7, 5, 6, 9, 9, 5, 5, 7, 3][i] ?? 8)).join(' ')}`;

async function ceiling(
  server: Server,
  out: string[],
): Promise<{ throughputHz: number; onScheduleHz: number; steps: Step[] }> {
  const steps: Step[] = [];
  let throughputHz = 0;
  let onScheduleHz = 0;
  let scheduleBroken = false;
  out.push(
    'ceiling steps (isobench load; late: sends > 1 ms late; floor: the same wait with nothing sent, beside the step,',
    `at the step's rate up to ${FLOOR_MAX_HZ}/s: its wake-ups > 1 ms late; stby: sends the standby thread made (-: none ran);`,
    'steal: ms per s the hypervisor ran something else;',
    'cores/us-per-request: generator CPU; foreign: busy cores elsewhere on the host):',
    STEP_HEADER,
  );
  const step = async (rateHz: number) => {
    const durationMs = Math.max(STEP_MS, Math.ceil((MIN_STEP_REQUESTS * 1000) / rateHz));
    const { r, floor, cpu, attempts } = await measured(server, { rateHz, durationMs, warmupMs: WARMUP_MS });
    const ok = keepsUp(r, rateHz);
    const timely = ok && onSchedule(r);
    const s = { rateHz, r, floor, cpu, attempts, ok, timely };
    steps.push(s);
    out.push(`  ${stepLine(s)}`);
    process.stderr.write(`${stepLine(s)}\n`);
    if (ok) {
      throughputHz = Math.max(throughputHz, r.achievedRateHz);
      // "On schedule up to X": every step up to X kept the target, not just step X.
      if (!timely) scheduleBroken = true;
      if (!scheduleBroken) onScheduleHz = Math.max(onScheduleHz, r.achievedRateHz);
    }
    return ok;
  };
  let lastOkHz = 0;
  let failedHz = 0;
  for (let rateHz = START_HZ; rateHz < 200_000; rateHz = Math.round(rateHz * 1.4)) {
    if (!(await step(rateHz))) {
      failedHz = rateHz;
      break;
    }
    lastOkHz = rateHz;
  }
  // The x1.4 steps place the ceiling within 40%: bisect between the last step that kept up and
  // the first that did not, so the ratio to wrk is not an artifact of where the steps fell.
  for (let k = 0; k < REFINE_STEPS && lastOkHz > 0 && failedHz > 0; k++) {
    const rateHz = Math.round((lastOkHz + failedHz) / 2);
    if (await step(rateHz)) lastOkHz = rateHz;
    else failedHz = rateHz;
  }
  return { throughputHz, onScheduleHz, steps };
}

/**
 * The generator runs in this process, so this process needs the generator's Node flags (V8 reads
 * them at start-up): without them it re-runs itself with them and exits with that run's status.
 */
function reExecWithGeneratorFlags(): boolean {
  if (GENERATOR_NODE_FLAGS.every((f) => process.execArgv.includes(f))) return false;
  const args = [...GENERATOR_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)];
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  if (reExecWithGeneratorFlags()) return;
  if (!hasWrk()) {
    process.stderr.write('bench:load needs wrk (Debian: apt-get install -y wrk)\n');
    process.exit(2);
  }
  const server = await startServer();
  const out: string[] = [
    `host load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    `server: trivial node:http (${SERVER_NODE_FLAGS.join(' ')}) on ${server.url}; ${CONNECTIONS} connections; generator engine ${ENGINE ?? 'native'} (${process.execArgv.join(' ')}) and server share this host`,
  ];
  try {
    await waitForQuiet(MAX_FOREIGN_CORES, QUIET_WAIT_MS, MAX_STEAL_CORES);
    const wrkMax = wrk(server.url, CONNECTIONS, 5);
    const ours = await ceiling(server, out);
    const at1000 = await measured(server, {
      rateHz: CPU_RATE_HZ,
      durationMs: CPU_DURATION_MS,
      warmupMs: WARMUP_MS,
    });
    const halfHz = Math.max(1, Math.round(ours.throughputHz / 2));
    const rounds: HalfRound[] = [];
    for (let k = 0; k < HALF_ROUNDS; k++) {
      const run = await measured(server, { rateHz: halfHz, durationMs: 5000, warmupMs: WARMUP_MS });
      await waitForQuiet(MAX_FOREIGN_CORES, QUIET_WAIT_MS, MAX_STEAL_CORES);
      rounds.push({ run, wrk1: wrk(server.url, 1, 5) });
    }
    const half = medianHalf(rounds);
    const wrkFloor = half.wrk1;
    const wrk2Bin = wrk2Binary();
    if (wrk2Bin) await waitForQuiet(MAX_FOREIGN_CORES, QUIET_WAIT_MS, MAX_STEAL_CORES);
    // An optional peer: its failure is reported, not the end of minutes of steps.
    let wrk2Failed = '';
    let open: WrkResult | null = null;
    try {
      open = wrk2Bin ? wrk2(wrk2Bin, server.url, CONNECTIONS, halfHz, WRK2_SECONDS) : null;
    } catch (err) {
      wrk2Failed = (err as Error).message.split('\n')[0] ?? 'failed';
    }
    const ms3 = (us: number) => `${(us / 1000).toFixed(3)}ms`;
    const lateSteps = ours.steps.filter((st) => st.ok && !st.timely);
    out.push(
      `wrk -c${CONNECTIONS} (closed loop, saturating): ${wrkMax.requestsPerSec.toFixed(0)}/s`,
      `throughput ceiling:  isobench load ${ours.throughputHz.toFixed(0)}/s -> ratio to wrk ${(ours.throughputHz / wrkMax.requestsPerSec).toFixed(3)}`,
      `on-schedule ceiling (every step up to it <= ${100 * MAX_LATE_FRACTION}% late): isobench load ${ours.onScheduleHz.toFixed(0)}/s -> ratio to wrk ${(ours.onScheduleHz / wrkMax.requestsPerSec).toFixed(3)}`,
      `steps more than ${100 * MAX_LATE_FRACTION}% late: ${lateSteps.length === 0 ? 'none' : lateSteps.map(lateStepText).join('; ')}`,
      `  of them, with the timer floor beside the step within ${100 * MAX_LATE_FRACTION}%: ${lateSteps.filter((st) => onScheduleFloor(st.floor)).length} (the floor is sampled at up to ${FLOOR_MAX_HZ}/s; steal says how much of the step the host took)`,
      `generator CPU at ${CPU_RATE_HZ}/s: ${at1000.cpu.ownCores.toFixed(3)} cores (${at1000.cpu.ownUsPerRequest.toFixed(1)} us/request), late ${pct(at1000.r.late, at1000.r.requests)}, foreign ${at1000.cpu.foreignCores.toFixed(2)} cores`,
      `latency at half the ceiling (${halfHz}/s), ${HALF_ROUNDS} rounds of isobench load then wrk -c1, 5 s each:`,
      ...rounds.map(
        ({ run: { r, cpu, floor }, wrk1 }, k) =>
          `  round ${k + 1}: corrected p50 ${ms3(r.latencyUs.p50)} p99 ${ms3(r.latencyUs.p99)}, uncorrected p99 ${ms3(r.uncorrectedLatencyUs.p99)}, wrk -c1 p50 ${ms3(wrk1.p50Us)} p99 ${ms3(wrk1.p99Us)}; ${r.requests} requests, ${pct(r.late, r.requests)} late, ${r.errors} errors, foreign ${cpu.foreignCores.toFixed(2)} cores, steal ${cpu.stealMsPerS.toFixed(1)} ms/s, timer floor ${pct(floor.late, floor.due)} late`,
      ),
      '  medians of the rounds, each figure on its own:',
      `  isobench corrected   p50 ${ms3(half.latencyUs.p50)}  p99 ${ms3(half.latencyUs.p99)}`,
      `  isobench uncorrected p50 ${ms3(half.uncorrectedLatencyUs.p50)}  p99 ${ms3(half.uncorrectedLatencyUs.p99)}`,
      open
        ? `  wrk2 -c${CONNECTIONS} -R${halfHz} (open loop, corrected; ${open.requestsPerSec.toFixed(0)}/s) p50 ${ms3(open.p50Us)}  p99 ${ms3(open.p99Us)}`
        : wrk2Failed
          ? `  wrk2: failed (${wrk2Failed})`
          : '  wrk2: not run (not installed: build github.com/giltene/wrk2 and put it on PATH as wrk2, or name it in ISOBENCH_WRK2)',
      `  wrk -c1 (round-trip floor) p50 ${ms3(wrkFloor.p50Us)}  p99 ${ms3(wrkFloor.p99Us)}`,
      `  wrk -c${CONNECTIONS} (saturated)      p50 ${ms3(wrkMax.p50Us)}  p99 ${ms3(wrkMax.p99Us)}`,
      `ratios: corrected p50/wrk-c1 p50 ${(half.latencyUs.p50 / wrkFloor.p50Us).toFixed(2)}, corrected p99/wrk-c1 p99 ${(half.latencyUs.p99 / wrkFloor.p99Us).toFixed(2)}, uncorrected p50/wrk-c1 p50 ${(half.uncorrectedLatencyUs.p50 / wrkFloor.p50Us).toFixed(2)}`,
      `host load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
    process.stdout.write(
      `${JSON.stringify({
        engine: ENGINE ?? 'native',
        throughputCeilingHz: ours.throughputHz,
        onScheduleCeilingHz: ours.onScheduleHz,
        wrkMaxHz: wrkMax.requestsPerSec,
        throughputRatio: ours.throughputHz / wrkMax.requestsPerSec,
        onScheduleRatio: ours.onScheduleHz / wrkMax.requestsPerSec,
        steps: ours.steps.map((s) => ({
          rateHz: s.rateHz,
          latePct: (100 * s.r.late) / Math.max(1, s.r.requests),
          maxLateMs: s.r.maxLateMs,
          floorRateHz: s.floor.rateHz,
          floorLatePct: (100 * s.floor.late) / Math.max(1, s.floor.due),
          floorMaxLateMs: s.floor.maxLateMs,
          standbySends: s.r.standbySends ?? null,
          stealMsPerS: s.cpu.stealMsPerS,
          p99Us: s.r.latencyUs.p99,
          ownCores: s.cpu.ownCores,
          foreignCores: s.cpu.foreignCores,
          attempts: s.attempts,
        })),
        lateSteps: lateSteps.map((st) => ({
          rateHz: st.rateHz,
          latePct: (100 * st.r.late) / Math.max(1, st.r.requests),
          floorLatePct: (100 * st.floor.late) / Math.max(1, st.floor.due),
          stealMsPerS: st.cpu.stealMsPerS,
        })),
        cpuAt1000: at1000.cpu,
        halfRateHz: halfHz,
        halfRounds: rounds.map(({ run: { r, cpu }, wrk1 }) => ({
          correctedUs: { p50: r.latencyUs.p50, p99: r.latencyUs.p99 },
          wrkFloorUs: { p50: wrk1.p50Us, p99: wrk1.p99Us },
          stealMsPerS: cpu.stealMsPerS,
        })),
        correctedUs: { p50: half.latencyUs.p50, p99: half.latencyUs.p99 },
        uncorrectedUs: { p50: half.uncorrectedLatencyUs.p50, p99: half.uncorrectedLatencyUs.p99 },
        wrkFloorUs: { p50: wrkFloor.p50Us, p99: wrkFloor.p99Us },
        wrk2Us: open ? { p50: open.p50Us, p99: open.p99Us, hz: open.requestsPerSec } : null,
      })}\n`,
    );
  } finally {
    server.child.kill();
  }
}

await main();
