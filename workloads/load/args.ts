/** `isobench load` arguments: everything is checked before a socket is opened (bad input exits 2). */
import { parseArgs } from 'node:util';
import { quote, UsageError } from '../../harness/errors.js';
import { parseDurationMs } from '../../harness/units.js';
import type { LoadEngine, LoadOptions, Standby } from './run.js';
import type { Arrivals } from './schedule.js';

import { LOAD_USAGE } from './usage.js';

export { LOAD_USAGE };

const W = 'load';

/**
 * A start instant this far in the past is refused: the whole schedule would be due at once and
 * go out in one burst. The usual cause is seconds where milliseconds were meant.
 */
export const START_AT_MAX_PAST_MS = 60_000;

export interface LoadArgs {
  json: boolean;
  /** 'stdin': read the start instant from the first line of stdin, after the ready line. */
  startAt: number | 'stdin' | undefined;
  /**
   * `--port stdin`: the server's port is the first line of stdin (before the start instant), read
   * after Node has loaded and before any socket is opened: a runner starts the generator before
   * its server listens, so that the generator's start-up overlaps the server's.
   */
  portFromStdin: boolean;
  options: Omit<LoadOptions, 'signal' | 'startAtEpochMs'>;
}

function bad(message: string): UsageError {
  return new UsageError('ISOBENCH_BAD_PARAM', `${W}: ${message}`);
}

/** An epoch-milliseconds start instant (Date.now() scale) from the command line or stdin. */
/** A TCP port from stdin (`--port stdin`). */
export function parsePort(text: string): number {
  const port = Number(text.trim());
  if (text.trim() === '' || !Number.isSafeInteger(port) || port < 1 || port > 65535)
    throw bad(`--port stdin expects a port 1..65535, got ${quote(text)}`);
  return port;
}

export function parseStartAt(text: string, nowEpochMs: number): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw bad(`--start-at expects epoch milliseconds (Date.now()) or "stdin", got ${quote(text)}`);
  }
  if (value < nowEpochMs - START_AT_MAX_PAST_MS) {
    throw bad(
      `--start-at ${quote(text)} is ${Math.round((nowEpochMs - value) / 1000)} s in the past (epoch milliseconds expected, not seconds)`,
    );
  }
  return value;
}

export function parseLoadArgs(argv: string[]): LoadArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      rate: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string', default: '16' },
      warmup: { type: 'string', default: '0' },
      arrivals: { type: 'string', default: 'uniform' },
      timeout: { type: 'string', default: '10s' },
      drain: { type: 'string' },
      seed: { type: 'string' },
      'start-at': { type: 'string' },
      port: { type: 'string' },
      engine: { type: 'string', default: 'native' },
      standby: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw bad(`expected exactly one URL, got ${quote(positionals.join(' '))}`);
  const urlText = positionals[0] ?? '';
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw bad(`expected an http:// URL, got ${quote(urlText)}`);
  }
  if (url.protocol !== 'http:') throw bad(`only http:// URLs are supported, got ${quote(urlText)}`);
  if (values.rate === undefined || values.duration === undefined) {
    throw new UsageError(
      'ISOBENCH_MISSING_PARAM',
      `${W}: --rate and --duration are required; usage: ${LOAD_USAGE}`,
    );
  }
  const rateHz = Number(values.rate);
  if (!Number.isFinite(rateHz) || rateHz <= 0 || rateHz > 10_000_000) {
    throw bad(`--rate expects requests per second > 0, got ${quote(values.rate)}`);
  }
  const connections = Number(values.connections);
  if (!Number.isSafeInteger(connections) || connections < 1 || connections > 10_000) {
    throw bad(`--connections expects 1..10000, got ${quote(values.connections)}`);
  }
  const arrivals = values.arrivals as Arrivals;
  if (arrivals !== 'uniform' && arrivals !== 'poisson') {
    throw bad(`--arrivals expects uniform|poisson, got ${quote(values.arrivals)}`);
  }
  // The list is repeated here (run.ts has LOAD_ENGINES) so a bad argument does not load run.ts.
  const engine = values.engine as LoadEngine;
  if (engine !== 'native' && engine !== 'node') {
    throw bad(`--engine expects native|node, got ${quote(values.engine)}`);
  }
  const standby = values.standby as Standby;
  if (standby !== 'auto' && standby !== 'on' && standby !== 'off') {
    throw bad(`--standby expects auto|on|off, got ${quote(values.standby)}`);
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw bad(`--seed expects an integer, got ${quote(values.seed)}`);
  }
  const durationMs = parseDurationMs(values.duration, `${W} --duration`);
  if (durationMs <= 0) throw bad(`--duration must be > 0, got ${quote(values.duration)}`);
  const timeoutMs = parseDurationMs(values.timeout ?? '10s', `${W} --timeout`);
  if (timeoutMs <= 0) throw bad(`--timeout must be > 0, got ${quote(values.timeout)}`);
  const drainMs = values.drain === undefined ? timeoutMs : parseDurationMs(values.drain, `${W} --drain`);
  const startAtText = values['start-at'];
  const startAt =
    startAtText === undefined
      ? undefined
      : startAtText === 'stdin'
        ? 'stdin'
        : parseStartAt(startAtText, Date.now());
  if (values.port !== undefined && values.port !== 'stdin')
    throw bad(`--port accepts only "stdin" (give a fixed port in the URL), got ${quote(values.port)}`);
  return {
    json: values.json === true,
    startAt,
    portFromStdin: values.port === 'stdin',
    options: {
      url: url.href,
      rateHz,
      durationMs,
      connections,
      warmupMs: parseDurationMs(values.warmup ?? '0', `${W} --warmup`),
      arrivals,
      timeoutMs,
      drainMs,
      engine,
      standby,
      ...(seed === undefined ? {} : { seed }),
    },
  };
}
