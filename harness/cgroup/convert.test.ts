import { describe, expect, it } from 'vitest';
import {
  blkioWeightToIo,
  cpuSharesToWeight,
  cpuWeightToShares,
  ioWeightToBlkio,
  runcSharesToWeight,
  v1BytesToV2,
} from './convert.js';

describe('cpu.weight <-> cpu.shares (systemd)', () => {
  // systemd src/basic/cgroup-util.h: CGROUP_WEIGHT_DEFAULT 100 <-> CGROUP_CPU_SHARES_DEFAULT 1024,
  // CGROUP_WEIGHT_MIN 1, CGROUP_WEIGHT_MAX 10000, shares clamped to [2, 262144].
  it.each([
    [100, 1024],
    [1, 10],
    [10000, 102400],
    [400, 4096],
    [50, 512],
  ])('weight %i -> shares %i', (w, s) => {
    expect(cpuWeightToShares(w)).toBe(s);
  });
  it.each([
    [1024, 100],
    [2, 1],
    [262144, 10000],
    [4096, 400],
    [10, 1],
  ])('shares %i -> weight %i', (s, w) => {
    expect(cpuSharesToWeight(s)).toBe(w);
  });
  it('keeps weight ratios: 100 vs 400 gives shares 1:4', () => {
    expect(cpuWeightToShares(400) / cpuWeightToShares(100)).toBe(4);
  });
  it('reads back exactly the weight written, for every weight', () => {
    for (let w = 1; w <= 10000; w++) expect(cpuSharesToWeight(cpuWeightToShares(w))).toBe(w);
  });
});

describe('runc/crun shares -> weight (documented, not used for writing)', () => {
  // crun tests/test_resources.py and runc's ConvertCPUSharesToCgroupV2Value test vectors.
  it.each([
    [2, 1],
    [3, 2],
    [512, 59],
    [1024, 100],
    [260000, 9929],
    [262144, 10000],
    [0, 0],
  ])('shares %i -> weight %i', (s, w) => {
    expect(runcSharesToWeight(s)).toBe(w);
  });
});

describe('io.weight <-> blkio.weight (systemd)', () => {
  it.each([
    [100, 500],
    [1, 10],
    [10000, 1000],
    [150, 750],
  ])('io.weight %i -> blkio %i', (io, blk) => {
    expect(ioWeightToBlkio(io)).toBe(blk);
  });
  it('reverse', () => {
    expect(blkioWeightToIo(500)).toBe(100);
    expect(blkioWeightToIo(750)).toBe(150);
  });
});

describe('v1 bytes', () => {
  it('reads the v1 unlimited value as max', () => {
    expect(v1BytesToV2('9223372036854771712')).toBe('max');
    expect(v1BytesToV2('268435456')).toBe('268435456');
  });
});
