import { describe, expect, it } from 'vitest';
import { formatMetric, meetsValue, parseSlo } from './slo.js';

describe('parseSlo', () => {
  it('reads the metric, the comparison and the threshold in the metric unit', () => {
    expect(parseSlo('latencyP99Us<=20ms')).toEqual({
      metric: 'latencyP99Us',
      op: '<=',
      threshold: 20_000,
      text: 'latencyP99Us<=20ms',
    });
    expect(parseSlo(' p99 < 500us ').threshold).toBe(500);
    expect(parseSlo('p99<0.5s')).toMatchObject({ metric: 'latencyP99Us', op: '<', threshold: 500_000 });
    expect(parseSlo('commit-p99<=5ms').metric).toBe('commitP99Us');
    expect(parseSlo('latencyP999Us<=1500').threshold).toBe(1500); // bare: µs, the unit in the name
    expect(parseSlo('txnPerSec>=500')).toMatchObject({ metric: 'txnPerSec', op: '>=', threshold: 500 });
    expect(parseSlo('tps>250/s').threshold).toBe(250);
    expect(parseSlo('errorFraction<=1%').threshold).toBeCloseTo(0.01, 12);
    expect(parseSlo('goodput>=0.99')).toMatchObject({ metric: 'goodputFraction', threshold: 0.99 });
  });

  it('refuses what it cannot read, naming the flag and quoting the value', () => {
    expect(() => parseSlo('p99 20ms')).toThrow(/^--slo: expected METRIC<=VALUE .*, got "p99 20ms"$/);
    expect(() => parseSlo('latencyP98Us<=20ms')).toThrow(
      /--slo: unknown metric "latencyP98Us": expected one of latencyP50Us/,
    );
    expect(() => parseSlo('p99<=20MiB')).toThrow(/latencyP99Us is a time: expected a threshold such as 20ms/);
    expect(() => parseSlo('errorFraction<=5')).toThrow(/is a fraction/);
    expect(() => parseSlo('txnPerSec>=5ms')).toThrow(/is a rate/);
    try {
      parseSlo('p99<=lots');
    } catch (err) {
      expect((err as { code: string; exitCode: number }).code).toBe('ISOBENCH_BAD_SLO');
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('judges values against the threshold in both directions', () => {
    const le = parseSlo('p99<=20ms');
    expect([19_999, 20_000, 20_001].map((v) => meetsValue(le, v))).toEqual([true, true, false]);
    const gt = parseSlo('tps>100');
    expect([99, 100, 101].map((v) => meetsValue(gt, v))).toEqual([false, false, true]);
    expect(formatMetric('latencyP99Us', 18_240)).toBe('18.2 ms');
    expect(formatMetric('errorFraction', 0.004)).toBe('0.40%');
  });
});
