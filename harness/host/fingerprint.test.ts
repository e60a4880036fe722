import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { detectCgroups } from '../cgroup/detect.js';
import { collectHost } from './fingerprint.js';

describe('collectHost', () => {
  it('fills every field with a plausible value on this machine', async () => {
    const h = await collectHost();
    expect(h.kernel).toBe(release());
    expect(h.hostname).not.toBe('');
    expect(h.distribution).not.toBe('');
    expect(h.distribution).not.toBe('unknown');
    expect(h.cpu.model).not.toBe('unknown');
    expect(h.cpu.threads).toBeGreaterThanOrEqual(1);
    expect(h.cpu.cores).toBeGreaterThanOrEqual(1);
    expect(h.cpu.cores).toBeLessThanOrEqual(h.cpu.threads);
    expect(h.memoryBytes).toBeGreaterThan(0);
    expect(h.swapBytes).toBeGreaterThanOrEqual(0);
    expect(h.cgroup.mode).toBe(detectCgroups().mode);
    expect(h.cgroup.psi).toBe(detectCgroups().psi);
    expect(h.disks.length).toBeGreaterThanOrEqual(1);
    expect(h.disks.some((d) => typeof d.scheduler === 'string' && d.scheduler.length > 0)).toBe(true);
    for (const d of h.disks) expect(d.name).not.toMatch(/^(loop|ram|zram)/);
    expect(['always', 'madvise', 'never', null]).toContain(h.thp.enabled);
    expect(h.swappiness).toBeGreaterThanOrEqual(0);
    expect(h.virtualization).not.toBeNull();
    expect(h.node).toBe(process.version);
    expect(h.isobench).toMatch(/^\d+\.\d+\.\d+/);
    console.log(JSON.stringify(h, null, 2));
  });

  it('takes the version it is given', async () => {
    expect((await collectHost({ isobenchVersion: '9.9.9-test' })).isobench).toBe('9.9.9-test');
  });
});
