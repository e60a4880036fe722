import { describe, expect, it } from 'vitest';
import { dirOf, parseMountInfo, parseProcCgroup } from './detect.js';
import { splitDev } from './device.js';
import { parseBlkioRecursive, parseIoStat, parsePressure } from './stats.js';
import { throttleValue, v1Writes } from './v1-limits.js';
import { parseIoMaxLine, v2Files } from './v2-limits.js';

describe('host detection parsers', () => {
  it('reads a hybrid /proc/self/cgroup', () => {
    const r = parseProcCgroup('4:memory:/a/b\n2:cpu,cpuacct:/\n1:name=systemd:/x\n0::/u\n');
    expect(r.v2Path).toBe('/u');
    expect(r.v1.get('memory')).toBe('/a/b');
    expect(r.v1.get('cpuacct')).toBe('/');
  });
  it('reads mountinfo with escaped mount points', () => {
    const [m] = parseMountInfo('30 25 0:26 / /sys/fs/cgroup/cpu\\040x rw - cgroup cgroup rw,cpu,cpuacct\n');
    expect(m).toEqual({
      root: '/',
      mountPoint: '/sys/fs/cgroup/cpu x',
      fsType: 'cgroup',
      superOptions: ['rw', 'cpu', 'cpuacct'],
    });
  });
  it('maps a cgroup path under a mount whose root is not /', () => {
    expect(dirOf({ mountPoint: '/sys/fs/cgroup', mountRoot: '/a' }, '/a/b')).toBe('/sys/fs/cgroup/b');
    expect(() => dirOf({ mountPoint: '/sys/fs/cgroup', mountRoot: '/a' }, '/c')).toThrow();
  });
  it('splits st_dev like glibc', () => {
    expect(splitDev(65024)).toEqual([254, 0]);
    expect(splitDev(2049)).toEqual([8, 1]);
    expect(splitDev(66307)).toEqual([259, 3]);
    expect(splitDev(268501763)).toEqual([259, 65539]);
  });
});

describe('stat parsers', () => {
  it('pressure', () => {
    expect(
      parsePressure(
        'some avg10=0.00 avg60=0.00 avg300=0.00 total=12\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=5',
      ),
    ).toEqual({ someTotalUs: 12, fullTotalUs: 5 });
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=7')).toEqual({
      someTotalUs: 7,
      fullTotalUs: null,
    });
    expect(parsePressure(null)).toBeNull();
  });
  it('io.stat sums devices', () => {
    expect(
      parseIoStat(
        '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n254:0 rbytes=1 wbytes=2 rios=3 wios=4',
      ),
    ).toEqual({ rbytes: 11, wbytes: 22, rios: 4, wios: 6 });
  });
  it('blkio recursive skips Total lines', () => {
    expect(
      parseBlkioRecursive('254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 1\n254:0 Total 12288\nTotal 12288'),
    ).toEqual({ read: 4096, write: 8192 });
  });
});

describe('limit -> file planning', () => {
  const dev = { majMin: '8:0', name: 'sda', fromMajMin: '8:1', path: '/x' };
  it('v2 writes cpuset first and io.max as one line', () => {
    const w = v2Files({ 'memory.max': 1024, 'cpuset.cpus': '0', 'io.max': { wbps: 10, riops: 'max' } }, dev);
    expect(w.map((x) => x.file)).toEqual(['cpuset.cpus', 'memory.max', 'io.max']);
    expect(w[2]?.value).toBe('8:0 wbps=10 riops=max');
    expect(parseIoMaxLine('8:0 rbps=max wbps=10 riops=max wiops=max')).toEqual({
      rbps: 'max',
      wbps: '10',
      riops: 'max',
      wiops: 'max',
    });
  });
  it('v1 converts with named formulas', () => {
    const w = v1Writes(
      {
        'cpu.weight': 400,
        'cpu.max': { quotaUs: 'max', periodUs: 100000 },
        'memory.max': 100,
        'memory.swap.max': 50,
        'io.max': { rbps: 'max' },
      },
      '8:0',
      'blkio.weight',
    );
    expect(w.map((x) => [x.file, x.value])).toEqual([
      ['cpu.shares', '4096'],
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', '-1'],
      ['memory.limit_in_bytes', '100'],
      ['memory.memsw.limit_in_bytes', '150'],
      ['blkio.throttle.read_bps_device', '8:0 0'],
    ]);
    expect(w[0]?.formula).toMatch(/^systemd/);
  });
  it('reads a device rule back from a throttle file', () => {
    expect(throttleValue('8:0 1000\n254:0 10485760', '254:0')).toEqual({
      value: '10485760',
      raw: '254:0 10485760',
    });
    expect(throttleValue('', '254:0').value).toBe('max');
  });
});
