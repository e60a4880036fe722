import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cpuTicks,
  ensureBuilt,
  isAlive,
  procIo,
  sleep,
  startWorkload,
  statusBytes,
  waitFor,
} from '../test/helpers.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'isobench-antagonists-'));

beforeAll(() => ensureBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a workload for a 1 s window after ready and returns `measure()` before/after deltas. */
async function window<T extends Record<string, number>>(
  name: string,
  args: string[],
  measure: (pid: number) => T,
): Promise<{ delta: T; metrics: Record<string, unknown> }> {
  const w = startWorkload(name, args);
  await w.ready;
  const before = measure(w.pid);
  await sleep(1000);
  const after = measure(w.pid);
  const { metrics, code } = await w.stop();
  expect(code).toBe(0);
  const delta = {} as Record<string, number>;
  for (const key of Object.keys(after)) delta[key] = (after[key] ?? 0) - (before[key] ?? 0);
  return { delta: delta as T, metrics };
}

function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
}

describe('cpu antagonist', () => {
  it('CPU time (utime+stime from /proc) rises with intensity', async () => {
    const ticks: number[] = [];
    for (const intensity of ['10', '50', '90']) {
      const { delta } = await window('cpu', ['--threads', '1', '--intensity', intensity], (pid) => ({
        t: cpuTicks(pid),
      }));
      ticks.push(delta.t);
    }
    const [low = 0, mid = 0, high = 0] = ticks;
    expect(low).toBeLessThan(mid);
    expect(mid).toBeLessThan(high);
    expect(high).toBeGreaterThan(1.5 * low);
  });
});

describe('memory antagonist', () => {
  async function heldHwm(intensity: string): Promise<number> {
    const w = startWorkload('memory', ['--size', '128MiB', '--intensity', intensity]);
    await w.ready;
    const baseline = statusBytes(w.pid, 'VmRSS');
    const target = (128 * MiB * Number(intensity)) / 100;
    // Allocation starts at ready: wait until the held set sits on top of node's own RSS.
    expect(await waitFor(() => statusBytes(w.pid, 'VmRSS') >= baseline + target * 0.95, 10_000)).toBe(true);
    const hwm = statusBytes(w.pid, 'VmHWM');
    const { metrics } = await w.stop();
    expect(metrics.peakHeldBytes as number).toBeGreaterThanOrEqual(target * 0.95);
    return hwm;
  }

  it('hold: peak RSS (VmHWM) rises with intensity, which scales --size', async () => {
    const quarter = await heldHwm('25');
    const full = await heldHwm('100');
    expect(full - quarter).toBeGreaterThanOrEqual(80 * MiB); // 96 MiB apart, minus slack
  });

  it('churn: frees and re-allocates whole cycles, so peak RSS stays near one cycle', async () => {
    const { metrics } = await window('memory', ['--churn', '--size', '32MiB'], () => ({}));
    expect(metrics.cycles as number).toBeGreaterThanOrEqual(1);
    expect(metrics.freedBytes as number).toBeGreaterThanOrEqual(32 * MiB);
    expect(metrics.touchedBytes as number).toBeGreaterThan(metrics.peakHeldBytes as number);
  });
});

describe('io antagonist', () => {
  it('bytes written (wchar from /proc) rise with intensity, which scales --rate', async () => {
    const written: number[] = [];
    for (const intensity of ['25', '100']) {
      const { delta } = await window(
        'io',
        [
          '--path',
          dir,
          '--sync',
          '--rate',
          '8MiB/s',
          '--block-size',
          '64KiB',
          '--file-size',
          '16MiB',
          '--intensity',
          intensity,
        ],
        (pid) => ({ w: procIo(pid).wchar ?? 0 }),
      );
      written.push(delta.w);
    }
    const [quarter = 0, full = 0] = written;
    expect(quarter).toBeGreaterThan(0);
    expect(full).toBeGreaterThan(2 * quarter);
  });

  it('--direct writes reach the block layer as they happen (write_bytes), with aligned buffers', async () => {
    const { delta, metrics } = await window(
      'io',
      ['--path', dir, '--direct', '--rate', '8MiB/s', '--block-size', '128KiB', '--file-size', '16MiB'],
      (pid) => ({ disk: procIo(pid).write_bytes ?? 0, syscall: procIo(pid).wchar ?? 0 }),
    );
    expect(metrics.errors).toBe(0);
    expect(delta.syscall).toBeGreaterThan(4 * MiB);
    // O_DIRECT bypasses the page cache: every byte written is a byte sent to the device.
    expect(delta.disk).toBeGreaterThanOrEqual(delta.syscall * 0.9);
  });

  it('--direct random reads work on a file it fills itself', async () => {
    const { metrics } = await window(
      'io',
      ['--path', dir, '--mode', 'randread', '--direct', '--block-size', '4KiB', '--file-size', '8MiB'],
      () => ({}),
    );
    expect(metrics.errors).toBe(0);
    expect(metrics.bytesRead as number).toBeGreaterThan(0);
  });
});

describe('fork antagonist', () => {
  it('stops at --max children, then kills them all on SIGTERM', async () => {
    const w = startWorkload('fork', ['--max', '40']);
    await w.ready;
    expect(await waitFor(() => childPids(w.pid).length === 40, 10_000)).toBe(true);
    const children = childPids(w.pid);
    const { metrics, code } = await w.stop();
    expect(code).toBe(0);
    expect(metrics.started).toBe(40);
    expect(metrics.leftAlive).toBe(0);
    expect(children.filter(isAlive)).toEqual([]);
  });

  it('children exit by themselves if the parent is SIGKILLed (they read a pipe from it)', async () => {
    const w = startWorkload('fork', ['--max', '10']);
    await w.ready;
    await waitFor(() => childPids(w.pid).length === 10, 10_000);
    const children = childPids(w.pid);
    await w.stop('SIGKILL');
    expect(await waitFor(() => children.filter(isAlive).length === 0, 5000)).toBe(true);
  });

  it('spawn attempts rise with intensity, which scales --rate', async () => {
    const started: number[] = [];
    // fork+exec of a node process costs ~20-30 ms on the 2-core test VM, so the ceiling is only
    // ~40 spawns/s: keep the nominal rates below it so the knob, not the ceiling, decides.
    for (const intensity of ['25', '100']) {
      const { metrics } = await window('fork', ['--rate', '30', '--intensity', intensity], () => ({}));
      started.push(metrics.started as number);
    }
    const [low = 0, high = 0] = started;
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(1.5 * low);
  });
});
