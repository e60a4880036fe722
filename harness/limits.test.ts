import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { parseLimitArgs } from './limits.js';
import { parseDurationMs, parseSize } from './units.js';

describe('sizes', () => {
  it.each([
    ['4096', 4096],
    ['512MiB', 512 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['10MB', 10_000_000],
    ['64k', 65536],
    ['1KB', 1000],
    ['3 B', 3],
  ])('%s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  it.each(['lots', '-1MiB', '1XB', '', '1e6'])('refuses %j and quotes it', (text) => {
    expect(() => parseSize(text)).toThrow(JSON.stringify(text));
  });
  it('durations', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('10s')).toBe(10_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('3')).toBe(3000);
    expect(() => parseDurationMs('soon')).toThrow('"soon"');
  });
});

describe('limits', () => {
  it('parses every key in v2 vocabulary', () => {
    const { limits, requested } = parseLimitArgs([
      'cpu.weight=400',
      'cpu.max=50000 100000',
      'memory.max=256MiB',
      'memory.high=max',
      'memory.low=64MiB',
      'memory.swap.max=0',
      'io.max.rbps=10MiB/s',
      'io.max.wbps=max',
      'io.max.riops=100',
      'io.weight=200',
      'pids.max=64',
      'cpuset.cpus=0-1',
      'cpuset.mems=0',
    ]);
    expect(limits).toEqual({
      'cpu.weight': 400,
      'cpu.max': { quotaUs: 50000, periodUs: 100000 },
      'memory.max': 268435456,
      'memory.high': 'max',
      'memory.low': 67108864,
      'memory.swap.max': 0,
      'io.max': { rbps: 10485760, wbps: 'max', riops: 100 },
      'io.weight': 200,
      'pids.max': 64,
      'cpuset.cpus': '0-1',
      'cpuset.mems': '0',
    });
    expect(requested['cpu.max']).toBe('50000 100000');
  });
  it('cpu.max forms', () => {
    expect(parseLimitArgs(['cpu.max=max']).limits['cpu.max']).toEqual({ quotaUs: 'max', periodUs: 100000 });
    expect(parseLimitArgs(['cpu.max=20000']).limits['cpu.max']).toEqual({ quotaUs: 20000, periodUs: 100000 });
    expect(() => parseLimitArgs(['cpu.max=50000 100'])).toThrow(UsageError);
  });
  it.each([
    ['cpu.weight=0', '"0"'],
    ['cpu.weight=10001', '"10001"'],
    ['memory.max=lots', '"lots"'],
    ['memroy.max=1G', '"memroy.max"'],
    ['io.max=10MiB', '"io.max"'],
    ['pids.max=-3', '"-3"'],
    ['cpuset.cpus=zero', '"zero"'],
    ['nokey', '"nokey"'],
  ])('%s is refused, quoting %s', (arg, quoted) => {
    try {
      parseLimitArgs([arg]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toContain(quoted);
      expect((err as UsageError).exitCode).toBe(2);
    }
  });
});
