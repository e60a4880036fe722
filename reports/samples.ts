/**
 * Reads samples.csv (harness/results/README.md) for the report's time series. The file is
 * written by isobench itself: numbers and simple ids, no quoting, fixed header. A one-hour run
 * holds tens of thousands of rows, so it is read as a stream, line by line, keeping only the
 * columns the report draws.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { quote, UsageError } from '../harness/errors.js';
import type { SAMPLE_COLUMNS } from '../harness/results/columns.js';

/** The columns the report uses (cumulative counters and gauges as read). */
export const REPORT_SAMPLE_COLUMNS = [
  'cpuUsageUs',
  'cpuThrottledUs',
  'hostBusyUs',
  'memoryCurrentBytes',
  'ioReadBytes',
  'ioWriteBytes',
  'psiCpuSomeUs',
  'psiCpuFullUs',
  'psiMemorySomeUs',
  'psiMemoryFullUs',
  'psiIoSomeUs',
  'psiIoFullUs',
] as const satisfies readonly (typeof SAMPLE_COLUMNS)[number][];

export type SampleColumn = (typeof REPORT_SAMPLE_COLUMNS)[number];

/** One container's (or the host's) samples in one trial, in file order (ascending tMs). */
export interface SampleSeries {
  tMs: number[];
  values: Record<SampleColumn, (number | null)[]>;
}

/** trial id -> container (or `host`) -> series. */
export type SamplesByTrial = Map<string, Map<string, SampleSeries>>;

function emptySeries(): SampleSeries {
  const values = {} as Record<SampleColumn, (number | null)[]>;
  for (const c of REPORT_SAMPLE_COLUMNS) values[c] = [];
  return { tMs: [], values };
}

/** Reads `path`; null when the file does not exist (a results.json copied on its own). */
export async function readSamples(path: string): Promise<SamplesByTrial | null> {
  if (!existsSync(path)) return null;
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const out: SamplesByTrial = new Map();
  let index: Record<string, number> | null = null;
  let lineNo = 0;
  // A bad line is an error unless it is the last one: a crash mid-append leaves a cut line.
  let pendingError: UsageError | null = null;
  for await (const line of lines) {
    lineNo++;
    if (line === '') continue;
    if (pendingError) throw pendingError;
    const cells = line.split(',');
    if (index === null) {
      index = Object.fromEntries(cells.map((name, i) => [name, i]));
      for (const key of ['trial', 'container', 'tMs']) {
        if (index[key] === undefined) {
          throw new UsageError(
            'ISOBENCH_SAMPLES_CORRUPT',
            `${quote(path)}:1: expected a samples.csv header with a ${quote(key)} column, got ${quote(line.slice(0, 80))}`,
          );
        }
      }
      continue;
    }
    const col = index;
    const at = (name: string): string | undefined => {
      const i = col[name];
      return i === undefined ? undefined : cells[i];
    };
    const trial = at('trial') ?? '';
    const container = at('container') ?? '';
    const tMs = Number(at('tMs'));
    if (trial === '' || container === '' || !Number.isFinite(tMs)) {
      pendingError = new UsageError(
        'ISOBENCH_SAMPLES_CORRUPT',
        `${quote(path)}:${lineNo}: expected trial, container and a numeric tMs, got ${quote(line.slice(0, 80))}`,
      );
      continue;
    }
    let byContainer = out.get(trial);
    if (!byContainer) {
      byContainer = new Map();
      out.set(trial, byContainer);
    }
    let series = byContainer.get(container);
    if (!series) {
      series = emptySeries();
      byContainer.set(container, series);
    }
    series.tMs.push(tMs);
    for (const c of REPORT_SAMPLE_COLUMNS) {
      const text = at(c);
      const v = text === undefined || text === '' ? null : Number(text);
      series.values[c].push(v !== null && Number.isFinite(v) ? v : null);
    }
  }
  return out;
}
