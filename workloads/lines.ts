/**
 * The protocol lines as data, validated where they enter the harness: a workload's `ready` and
 * `metrics` lines (stdout, one JSON object per line) and the load generator's `--json` result.
 * The runner parses with these schemas, so nothing downstream casts `Record<string, unknown>`.
 *
 * Objects are loose: a workload may add fields (they are kept in the trial record as printed);
 * the fields the harness reads are typed, and a line whose typed fields are wrong is a protocol
 * error named with the field, not a NaN in a report. Only the harness imports this module (zod is
 * not loaded by the workload processes themselves).
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

/** A latency summary as workloads print it: percentiles in µs plus the encoded HDR histogram. */
export const latencyReportSchema = z.looseObject({
  count,
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
  mean: z.number(),
  histogram: z.string().optional(),
});

export const readyLineSchema = z.looseObject({
  type: z.literal('ready'),
  workload: z.string(),
  pid: z.number().int(),
  /** A server's port (0 was asked for: the kernel chose it). */
  port: z.number().int().min(1).max(65535).optional(),
});

/**
 * Optional, before ready: a server already accepts connections on `port` (it is still preparing,
 * and serves only after its ready line). The runner starts the load generator then, so that the
 * generator's start-up overlaps the server's preparation.
 */
export const listeningLineSchema = z.looseObject({
  type: z.literal('listening'),
  workload: z.string(),
  pid: z.number().int(),
  port: z.number().int().min(1).max(65535),
});

export const metricsLineSchema = z.looseObject({
  type: z.literal('metrics'),
  workload: z.string(),
  pid: z.number().int(),
  /** The database's figures over the measured window. */
  commitLatencyUs: latencyReportSchema.optional(),
  transactionsPerSec: z.number().optional(),
});

export const protocolLineSchema = z.discriminatedUnion('type', [
  readyLineSchema,
  listeningLineSchema,
  metricsLineSchema,
]);

export type ReadyLine = z.infer<typeof readyLineSchema>;
export type MetricsLine = z.infer<typeof metricsLineSchema>;
export type ProtocolLine = z.infer<typeof protocolLineSchema>;

const latencySummarySchema = latencyReportSchema.omit({ histogram: true });

/** `isobench load --json`: the fields the harness reads (LoadResult of workloads/load/run.ts). */
export const loadResultSchema = z.looseObject({
  requests: count,
  completed: count,
  errors: count,
  timeouts: count,
  late: count,
  /** Planned measured requests (rate x duration for uniform arrivals). */
  scheduled: count,
  achievedRateHz: z.number(),
  latencyUs: latencySummarySchema,
  uncorrectedLatencyUs: latencySummarySchema,
  histograms: z.looseObject({ latencyUs: z.string(), uncorrectedLatencyUs: z.string() }),
});

export type LoadResultLine = z.infer<typeof loadResultSchema>;

/** The first problem of a failed parse, as `field: message`. */
export function firstIssue(error: z.ZodError): string {
  const i = error.issues[0];
  return i ? `${i.path.join('.') || '(line)'}: ${i.message}` : 'invalid';
}
