import { parseArgs } from 'node:util';
import { quote, UsageError } from '../../harness/errors.js';
import { parseDurationMs } from '../../harness/units.js';
import type { LatencySummaryUs } from '../histogram.js';
import type { LoadResult } from './run.js';
import type { Arrivals } from './schedule.js';

export const LOAD_USAGE =
  'isobench load URL --rate HZ --duration D [--connections N] [--warmup D] [--arrivals uniform|poisson] [--timeout D] [--seed N] [--json]';

const W = 'load';

/** `isobench load URL ...`: runs the open-loop generator and prints JSON (`--json`) or a table. */
export async function loadMain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: ${LOAD_USAGE}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof parseLoadArgs>;
  try {
    parsed = parseLoadArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: ${(err as Error).message}; usage: ${LOAD_USAGE}`, {
      cause: err,
    });
  }
  // Imported after the arguments are checked: the HTTP client (undici) is most of this
  // process's start-up, and a bad argument should not wait for it.
  const { runLoad } = await import('./run.js');
  const result = await runLoad(parsed.options);
  process.stdout.write(parsed.json ? `${JSON.stringify(result)}\n` : formatTable(result));
  return 0;
}

function parseLoadArgs(argv: string[]) {
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
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: expected exactly one URL, got ${quote(positionals.join(' '))}`,
    );
  }
  const urlText = positionals[0] ?? '';
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: expected an http:// URL, got ${quote(urlText)}`);
  }
  if (url.protocol !== 'http:') {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: only http:// URLs are supported, got ${quote(urlText)}`,
    );
  }
  if (values.rate === undefined || values.duration === undefined) {
    throw new UsageError(
      'ISOBENCH_MISSING_PARAM',
      `${W}: --rate and --duration are required; usage: ${LOAD_USAGE}`,
    );
  }
  const rateHz = Number(values.rate);
  if (!Number.isFinite(rateHz) || rateHz <= 0 || rateHz > 10_000_000) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: --rate expects requests per second > 0, got ${quote(values.rate)}`,
    );
  }
  const connections = Number(values.connections);
  if (!Number.isSafeInteger(connections) || connections < 1 || connections > 10_000) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: --connections expects 1..10000, got ${quote(values.connections)}`,
    );
  }
  const arrivals = values.arrivals as Arrivals;
  if (arrivals !== 'uniform' && arrivals !== 'poisson') {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: --arrivals expects uniform|poisson, got ${quote(values.arrivals)}`,
    );
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: --seed expects an integer, got ${quote(values.seed)}`);
  }
  const durationMs = parseDurationMs(values.duration, `${W} --duration`);
  if (durationMs <= 0)
    throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: --duration must be > 0, got ${quote(values.duration)}`);
  const timeoutMs = parseDurationMs(values.timeout ?? '10s', `${W} --timeout`);
  if (timeoutMs <= 0)
    throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: --timeout must be > 0, got ${quote(values.timeout)}`);
  return {
    json: values.json === true,
    options: {
      url: url.href,
      rateHz,
      durationMs,
      connections,
      warmupMs: parseDurationMs(values.warmup ?? '0', `${W} --warmup`),
      arrivals,
      timeoutMs,
      ...(seed === undefined ? {} : { seed }),
    },
  };
}

function formatTable(r: LoadResult): string {
  const row = (name: string, s: LatencySummaryUs) =>
    `${name.padEnd(12)} ${[s.p50, s.p90, s.p99, s.p999, s.max].map((us) => `${(us / 1000).toFixed(2)}ms`.padStart(11)).join('')}`;
  return [
    `requests ${r.requests} (scheduled ${r.scheduled}), completed ${r.completed}, errors ${r.errors}, timeouts ${r.timeouts}, late ${r.late} (max ${r.maxLateMs.toFixed(1)}ms)`,
    `achieved ${r.achievedRateHz.toFixed(1)} req/s`,
    `${'latency'.padEnd(12)} ${['p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(11)).join('')}`,
    row('corrected', r.latencyUs),
    row('uncorrected', r.uncorrectedLatencyUs),
    '',
  ].join('\n');
}
