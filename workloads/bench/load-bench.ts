/**
 * `npm run bench:load`: how far the open-loop generator goes and what it adds to latency,
 * compared with wrk against the same trivial node:http server in the same run.
 *
 * 1. ceiling: rates rise x1.4 from 1000/s until a step fails (errors, achieved < 97% of target,
 *    or > 1% of sends late by more than 1 ms); the ceiling is the best passing step. wrk's
 *    closed-loop req/s with the same connection count is the reference.
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

function passes(r: LoadResult, rateHz: number): boolean {
  return (
    r.errors === 0 && r.timeouts === 0 && r.achievedRateHz >= 0.97 * rateHz && r.late <= 0.01 * r.requests
  );
}

async function ceiling(url: string): Promise<{ rateHz: number; steps: string[] }> {
  const steps: string[] = [];
  let best = 0;
  for (let rateHz = 1000; rateHz < 200_000; rateHz = Math.round(rateHz * 1.4)) {
    const r = await runLoad({
      url,
      rateHz,
      durationMs: STEP_MS,
      warmupMs: WARMUP_MS,
      connections: CONNECTIONS,
    });
    const ok = passes(r, rateHz);
    steps.push(
      `  ${String(rateHz).padStart(6)}/s: achieved ${r.achievedRateHz.toFixed(0).padStart(6)}/s, late ${(
        (100 * r.late) / Math.max(1, r.requests)
      ).toFixed(2)}%, errors ${r.errors}, p99 ${(r.latencyUs.p99 / 1000).toFixed(2)}ms ${ok ? 'ok' : 'FAIL'}`,
    );
    if (!ok) break;
    best = r.achievedRateHz;
  }
  return { rateHz: best, steps };
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
    const halfHz = Math.round(ours.rateHz / 2);
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
      `ceiling: isobench load ${ours.rateHz.toFixed(0)}/s vs wrk -c${CONNECTIONS} ${wrkMax.requestsPerSec.toFixed(0)}/s -> ratio ${(ours.rateHz / wrkMax.requestsPerSec).toFixed(3)}`,
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
        ceilingHz: ours.rateHz,
        wrkMaxHz: wrkMax.requestsPerSec,
        ceilingRatio: ours.rateHz / wrkMax.requestsPerSec,
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
