/**
 * `npm run bench:load`: how far the open-loop generator goes and what it adds to latency,
 * compared with wrk against the same trivial node:http server in the same run.
 *
 * 1. ceilings: rates rise x1.4 from 500/s until the generator stops keeping up (errors,
 *    achieved < 97% of target, or corrected p99 > 100 ms: requests queue). Two ceilings are
 *    reported: "throughput" (best step that keeps up) and "on schedule" (best step that also has
 *    <= 5% of sends late by more than 1 ms). wrk's closed-loop req/s with the same connection
 *    count is the reference for both.
 * 2. latency at half the ceiling (corrected and uncorrected p50/p99), against wrk with one
 *    connection (its closed loop then measures the bare round trip, the floor any generator sees).
 * Speed is measured here, never asserted in tests.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type LoadResult, runLoad } from '../load/run.js';

const CONNECTIONS = 16;
const STEP_MS = 3000;
const WARMUP_MS = 500;
/** 1 ms timer granularity and host noise make some lateness unavoidable; more than this is not keeping up. */
const MAX_LATE_FRACTION = 0.05;
const START_HZ = 500;

const SERVER_SOURCE = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', SERVER_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<string>((resolve) => rl.once('line', resolve));
  return { child, url: `http://127.0.0.1:${port.trim()}/` };
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

async function step(url: string, rateHz: number, steps: string[]) {
  const r = await runLoad({
    url,
    rateHz,
    durationMs: STEP_MS,
    warmupMs: WARMUP_MS,
    connections: CONNECTIONS,
  });
  const ok = keepsUp(r, rateHz);
  const timely = ok && onSchedule(r);
  const latePct = ((100 * r.late) / Math.max(1, r.requests)).toFixed(2);
  steps.push(
    `  ${String(rateHz).padStart(6)}/s: achieved ${r.achievedRateHz.toFixed(0).padStart(6)}/s, late ${latePct}%, errors ${r.errors}, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)}ms ${ok ? (timely ? 'ok' : 'keeps up, late') : 'FAIL'}`,
  );
  return { ...r, ok, timely };
}

async function ceiling(
  url: string,
): Promise<{ throughputHz: number; onScheduleHz: number; steps: string[] }> {
  const steps: string[] = [];
  let throughputHz = 0;
  let onScheduleHz = 0;
  for (let rateHz = START_HZ; rateHz < 200_000; rateHz = Math.round(rateHz * 1.4)) {
    const r = await step(url, rateHz, steps);
    if (!r.ok) break;
    throughputHz = r.achievedRateHz;
    if (r.timely) onScheduleHz = r.achievedRateHz;
  }
  return { throughputHz, onScheduleHz, steps };
}

interface WrkResult {
  requestsPerSec: number;
  p50Us: number;
  p99Us: number;
}

function toUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const factor = m[2] === 'us' ? 1 : m[2] === 'ms' ? 1000 : 1_000_000;
  return Number(m[1]) * factor;
}

function wrk(url: string, connections: number, seconds: number): WrkResult {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  });
  const pct = (p: string) => toUs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50Us: pct('50'),
    p99Us: pct('99'),
  };
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version; only ENOENT means missing.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function main(): Promise<void> {
  if (!hasWrk()) {
    process.stderr.write('bench:load needs wrk (Debian: apt-get install -y wrk)\n');
    process.exit(2);
  }
  const { child, url } = await startServer();
  try {
    const wrkMax = wrk(url, CONNECTIONS, 5);
    const ours = await ceiling(url);
    const halfHz = Math.max(1, Math.round(ours.throughputHz / 2));
    const half = await runLoad({
      url,
      rateHz: halfHz,
      durationMs: 5000,
      warmupMs: WARMUP_MS,
      connections: CONNECTIONS,
    });
    const wrkFloor = wrk(url, 1, 5);
    const ms = (us: number) => `${(us / 1000).toFixed(3)}ms`;
    const lines = [
      `server: trivial node:http on ${url}; ${CONNECTIONS} connections; generator and server share this host`,
      'ceiling steps (isobench load):',
      ...ours.steps,
      `wrk -c${CONNECTIONS} (closed loop, saturating): ${wrkMax.requestsPerSec.toFixed(0)}/s`,
      `throughput ceiling:  isobench load ${ours.throughputHz.toFixed(0)}/s -> ratio to wrk ${(ours.throughputHz / wrkMax.requestsPerSec).toFixed(3)}`,
      `on-schedule ceiling: isobench load ${ours.onScheduleHz.toFixed(0)}/s -> ratio to wrk ${(ours.onScheduleHz / wrkMax.requestsPerSec).toFixed(3)}`,
      `latency at half the ceiling (${halfHz}/s, ${half.requests} requests, ${half.late} late, ${half.errors} errors):`,
      `  isobench corrected   p50 ${ms(half.latencyUs.p50)}  p99 ${ms(half.latencyUs.p99)}`,
      `  isobench uncorrected p50 ${ms(half.uncorrectedLatencyUs.p50)}  p99 ${ms(half.uncorrectedLatencyUs.p99)}`,
      `  wrk -c1 (round-trip floor) p50 ${ms(wrkFloor.p50Us)}  p99 ${ms(wrkFloor.p99Us)}`,
      `  wrk -c${CONNECTIONS} (saturated)      p50 ${ms(wrkMax.p50Us)}  p99 ${ms(wrkMax.p99Us)}`,
      `ratios: corrected p50/wrk-c1 p50 ${(half.latencyUs.p50 / wrkFloor.p50Us).toFixed(2)}, corrected p99/wrk-c1 p99 ${(half.latencyUs.p99 / wrkFloor.p99Us).toFixed(2)}, uncorrected p50/wrk-c1 p50 ${(half.uncorrectedLatencyUs.p50 / wrkFloor.p50Us).toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(
      `${JSON.stringify({
        throughputCeilingHz: ours.throughputHz,
        onScheduleCeilingHz: ours.onScheduleHz,
        wrkMaxHz: wrkMax.requestsPerSec,
        throughputRatio: ours.throughputHz / wrkMax.requestsPerSec,
        onScheduleRatio: ours.onScheduleHz / wrkMax.requestsPerSec,
        halfRateHz: halfHz,
        correctedUs: { p50: half.latencyUs.p50, p99: half.latencyUs.p99 },
        uncorrectedUs: { p50: half.uncorrectedLatencyUs.p50, p99: half.uncorrectedLatencyUs.p99 },
        wrkFloorUs: { p50: wrkFloor.p50Us, p99: wrkFloor.p99Us },
      })}\n`,
    );
  } finally {
    child.kill();
  }
}

await main();
