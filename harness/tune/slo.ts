/**
 * `--slo 'latencyP99Us<=20ms'`: a service-level objective on one of the victim's per-trial
 * metrics as results record them (TrialMetrics names, or compare's short names: p99,
 * commit-p99, tps ...), a comparison and a threshold in the metric's unit. Latencies take a
 * time unit (`20ms`, `500us`, `0.02s`; a bare number is µs, the unit in the name), fractions a
 * percentage or a fraction (`1%`, `0.01`), rates a plain number (`500`, `500/s`).
 */
import { METRIC_ALIASES } from '../compare/metrics.js';
import { quote, UsageError } from '../errors.js';
import { METRIC_NAMES } from '../results/columns.js';
import type { MetricName } from '../results/types.js';

export type SloOp = '<=' | '<' | '>=' | '>';

export interface Slo {
  metric: MetricName;
  op: SloOp;
  /** In the metric's own unit (µs for *Us, a fraction for *Fraction, per second for rates). */
  threshold: number;
  /** As typed, for the record. */
  text: string;
}

const TIME_US: Record<string, number> = { '': 1, us: 1, µs: 1, ms: 1000, s: 1_000_000 };

const bad = (text: string, why: string) =>
  new UsageError('ISOBENCH_BAD_SLO', `--slo: ${why}, got ${quote(text)}`);

function metricOf(name: string, text: string): MetricName {
  const t = name.trim();
  const full = METRIC_NAMES.find((m) => m.toLowerCase() === t.toLowerCase());
  if (full) return full;
  const alias = METRIC_ALIASES[t.toLowerCase()];
  if (alias) return alias;
  throw bad(
    text,
    `unknown metric ${quote(t)}: expected one of ${METRIC_NAMES.join(', ')} (or ${Object.keys(METRIC_ALIASES).join(', ')})`,
  );
}

function thresholdOf(metric: MetricName, value: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zµ%/]*)\s*$/i.exec(value);
  if (!m) throw bad(text, `expected a threshold such as 20ms after the comparison`);
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  if (metric.endsWith('Us')) {
    const f = TIME_US[unit];
    if (f === undefined)
      throw bad(text, `${metric} is a time: expected a threshold such as 20ms, 500us or 0.5s`);
    return n * f;
  }
  if (metric.endsWith('Fraction')) {
    if (unit === '%') return n / 100;
    if (unit !== '' || n > 1)
      throw bad(text, `${metric} is a fraction: expected a threshold such as 1% or 0.01`);
    return n;
  }
  if (unit !== '' && unit !== '/s')
    throw bad(text, `${metric} is a rate: expected a plain number such as 500`);
  return n;
}

/** Parses `METRIC OP VALUE` (spaces allowed), OP one of <=, <, >=, >. */
export function parseSlo(text: string): Slo {
  const m = /^\s*([A-Za-z][\w.-]*)\s*(<=|>=|<|>)\s*(.+)$/.exec(text);
  if (!m) throw bad(text, 'expected METRIC<=VALUE such as latencyP99Us<=20ms (or <, >=, >)');
  const metric = metricOf(m[1] as string, text);
  return {
    metric,
    op: m[2] as SloOp,
    threshold: thresholdOf(metric, m[3] as string, text),
    text: text.trim(),
  };
}

/** Lower values are the good side (`<=`, `<`). */
export const lowerIsGood = (slo: Slo): boolean => slo.op === '<=' || slo.op === '<';

/** Whether a value is on the good side of the threshold. */
export function meetsValue(slo: Slo, v: number): boolean {
  switch (slo.op) {
    case '<=':
      return v <= slo.threshold;
    case '<':
      return v < slo.threshold;
    case '>=':
      return v >= slo.threshold;
    default:
      return v > slo.threshold;
  }
}

/** A figure in the SLO metric's unit, for people: `18.2 ms`, `0.40%`, `512`. */
export function formatMetric(metric: MetricName, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (metric.endsWith('Us'))
    return v >= 1000 ? `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)} ms` : `${Math.round(v)} µs`;
  if (metric.endsWith('Fraction')) return `${(v * 100).toFixed(2)}%`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export const sloLine = (slo: Slo): string =>
  `${slo.metric} ${slo.op} ${formatMetric(slo.metric, slo.threshold)}`;
