/**
 * What the harness needs to know about each built-in workload, behind one interface, so that the
 * runner never names web or db: the arguments it adds when a scenario leaves them unset (a free
 * port, files in the container's own data dir) and the trial figures in the workload's final line.
 * A served workload's latency figures come from the load generator instead (`loadFigures`).
 *
 * Adding a workload: its main in workloads/<name>/, its params, and an entry here.
 */
import type { Capability } from '../harness/container/capabilities.js';
import type { TrialMetrics } from '../harness/results/types.js';
import type { LoadResultLine, MetricsLine } from './lines.js';

/** The headline metrics of one container in one trial, and the histograms to merge across trials. */
export interface TrialFigures {
  metrics: TrialMetrics;
  histograms: { latencyUs?: string; commitLatencyUs?: string };
}

/**
 * How a container's data dir starts each trial, so that every trial starts from the same state:
 * - `template`: the workload writes to its data (a database): made once per run (the workload
 *   run until ready), copied into each trial's own dir, removed after the trial;
 * - `shared`: the workload only reads it (the page-cache web server's file): made once, used in
 *   place, its pages dropped from the page cache before each trial;
 * - `scratch`: an empty dir of the trial's own.
 */
export type DataState = 'template' | 'shared' | 'scratch';

export interface WorkloadAdapter {
  dataState(params: Record<string, unknown>): DataState;
  /** argv the harness appends; `has(param)` tells whether the scenario set `--param` itself. */
  defaultArgs(has: (param: string) => boolean, params: Record<string, unknown>, dataDir: string): string[];
  /** Figures from the workload's own final line (null when it printed none). */
  figures(final: MetricsLine | null): TrialFigures;
  /** What it needs beyond an unprivileged root in its contained container (none for most). */
  privileges(params: Record<string, unknown>): Privileges;
}

/**
 * `capabilities`: what the workload keeps in its container (every other is dropped);
 * `otherIds`: why it needs a user other than root inside (without root, that takes subordinate
 * ids), or null.
 */
export interface Privileges {
  capabilities: Capability[];
  otherIds: string | null;
}

const UNPRIVILEGED: Privileges = { capabilities: [], otherIds: null };
const unprivileged = () => UNPRIVILEGED;

/**
 * PostgreSQL refuses to run as root, so workloads/db/pg-server.ts (as root) chowns the data dir
 * to the `postgres` user (chown), reads the server's 0700 data dir to see whether it exists
 * (dac_read_search) and starts initdb, postgres and pg_ctl as that user (setgid, setuid). Found
 * by dropping each in turn (without dac_read_search initdb runs again over the existing data; the
 * server's SIGKILL fallback needs no kill: the container's cgroup is killed at teardown anyway).
 */
const POSTGRES: Privileges = {
  capabilities: ['chown', 'dac_read_search', 'setgid', 'setuid'],
  otherIds: 'the postgres engine runs its server as the postgres user',
};

const NONE: TrialFigures = { metrics: {}, histograms: {} };
const noFigures = () => NONE;

export const ADAPTERS: Readonly<Record<string, WorkloadAdapter>> = {
  web: {
    dataState: (params) => (params.mode === 'pagecache' ? 'shared' : 'scratch'),
    defaultArgs: (has, params, dataDir) => [
      ...(has('port') ? [] : ['--port', '0']),
      ...(params.mode === 'pagecache' && !has('data-file') ? ['--data-file', `${dataDir}/web-data.bin`] : []),
    ],
    // A server's figures are its clients': see loadFigures.
    figures: noFigures,
    privileges: unprivileged,
  },
  db: {
    dataState: () => 'template',
    defaultArgs: (has, _params, dataDir) => (has('data-dir') ? [] : ['--data-dir', dataDir]),
    figures: (final) => {
      const commit = final?.commitLatencyUs;
      return {
        metrics: {
          commitP50Us: commit?.p50 ?? null,
          commitP99Us: commit?.p99 ?? null,
          commitP999Us: commit?.p999 ?? null,
          txnPerSec: final?.transactionsPerSec ?? null,
        },
        histograms: commit?.histogram ? { commitLatencyUs: commit.histogram } : {},
      };
    },
    privileges: (params) => (params.engine === 'postgres' ? POSTGRES : UNPRIVILEGED),
  },
  io: {
    dataState: () => 'scratch',
    defaultArgs: (has, _params, dataDir) => (has('path') ? [] : ['--path', dataDir]),
    figures: noFigures,
    privileges: unprivileged,
  },
  cpu: { dataState: () => 'scratch', defaultArgs: () => [], figures: noFigures, privileges: unprivileged },
  memory: { dataState: () => 'scratch', defaultArgs: () => [], figures: noFigures, privileges: unprivileged },
  fork: { dataState: () => 'scratch', defaultArgs: () => [], figures: noFigures, privileges: unprivileged },
};

/** The adapter of a built-in workload; a workload without one (a command) has no figures of its own. */
export function adapterFor(name: string | null): WorkloadAdapter {
  return (
    (name !== null && ADAPTERS[name]) || {
      dataState: () => 'scratch',
      defaultArgs: () => [],
      figures: noFigures,
      privileges: unprivileged,
    }
  );
}

/**
 * A served workload's figures, from the load generator's result over the measured window:
 * coordinated-omission-corrected latency, the uncorrected p99, and completed requests per second.
 */
export function loadFigures(load: LoadResultLine | null, windowMs: number): TrialFigures {
  const sent = load?.requests ?? 0;
  // Fractions of the requests sent in the measured window; none when nothing was sent.
  const share = (n: number | undefined) => (n === undefined || sent <= 0 ? null : n / sent);
  const offeredRateHz = load && windowMs > 0 ? (load.scheduled * 1000) / windowMs : null;
  return {
    metrics: {
      latencyP50Us: load?.latencyUs.p50 ?? null,
      latencyP90Us: load?.latencyUs.p90 ?? null,
      latencyP99Us: load?.latencyUs.p99 ?? null,
      latencyP999Us: load?.latencyUs.p999 ?? null,
      latencyMaxUs: load?.latencyUs.max ?? null,
      // Completed, not sent: an open-loop generator always sends at the planned rate. Recorded,
      // not judged: it equals the offered rate unless requests fail.
      throughputRps: load ? load.completed / (windowMs / 1000) : null,
      // What an open loop can reveal: failures, and whether the generator kept its schedule.
      errorFraction: share(load?.errors),
      timeoutFraction: share(load?.timeouts),
      lateSendFraction: share(load?.late),
      goodputFraction:
        load && offeredRateHz !== null && offeredRateHz > 0 ? load.achievedRateHz / offeredRateHz : null,
      uncorrectedP99Us: load?.uncorrectedLatencyUs.p99 ?? null,
    },
    histograms: load ? { latencyUs: load.histograms.latencyUs } : {},
  };
}
