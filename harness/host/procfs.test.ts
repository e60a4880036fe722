import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bracketed, meminfoBytes, osReleaseField, parseCpuInfo, readSysDisks } from './procfs.js';

describe('procfs parsers', () => {
  it('reads the selected value of a sysfs choice', () => {
    expect(bracketed('none [mq-deadline] kyber bfq\n')).toBe('mq-deadline');
    expect(bracketed('always defer defer+madvise [madvise] never\n')).toBe('madvise');
    expect(bracketed('none\n')).toBe('none');
    expect(bracketed(null)).toBeNull();
  });

  it('reads os-release and meminfo', () => {
    const osr = 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
    expect(osReleaseField(osr, 'PRETTY_NAME')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(osReleaseField(osr, 'ID')).toBe('debian');
    expect(osReleaseField(osr, 'VERSION')).toBeNull();
    expect(meminfoBytes('MemTotal:       24683620 kB\nSwapTotal:             0 kB\n', 'MemTotal')).toBe(
      24683620 * 1024,
    );
    expect(meminfoBytes('SwapTotal:             0 kB\n', 'SwapTotal')).toBe(0);
  });

  it('counts threads, cores and the hypervisor flag in cpuinfo', () => {
    const cpu = (n: number, core: number) =>
      `processor\t: ${n}\nmodel name\t: AMD EPYC 7B13\ncpu MHz\t\t: 2449.998\nphysical id\t: 0\ncore id\t\t: ${core}\nflags\t\t: fpu sse hypervisor avx\n`;
    const info = parseCpuInfo([cpu(0, 0), cpu(1, 0), cpu(2, 1), cpu(3, 1)].join('\n'));
    expect(info).toEqual({ model: 'AMD EPYC 7B13', threads: 4, cores: 2, mhz: 2450, hypervisor: true });
    const arm = parseCpuInfo(
      'processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\n\nHardware\t: BCM2835\n',
    );
    expect(arm).toMatchObject({ model: 'BCM2835', threads: 1, cores: null, mhz: null, hypervisor: false });
  });

  it('lists whole disks from /sys/block, leaving loop and zram out', () => {
    const root = mkdtempSync(join(tmpdir(), 'isobench-sysblock-'));
    try {
      const dev = (name: string, files: Record<string, string>) => {
        for (const [f, text] of Object.entries(files)) {
          mkdirSync(join(root, name, f, '..'), { recursive: true });
          writeFileSync(join(root, name, f), text);
        }
      };
      dev('loop0', { size: '8\n', 'queue/rotational': '0\n', 'queue/scheduler': '[none] mq-deadline\n' });
      dev('zram0', { size: '0\n' });
      dev('sda', {
        size: '1953525168\n',
        'queue/rotational': '1\n',
        'queue/scheduler': 'none [mq-deadline] bfq\n',
        'device/model': 'ST1000DM010-2EP1\n',
      });
      expect(readSysDisks(root)).toEqual([
        {
          name: 'sda',
          model: 'ST1000DM010-2EP1',
          sizeBytes: 1953525168 * 512,
          rotational: true,
          scheduler: 'mq-deadline',
        },
      ]);
      rmSync(join(root, 'sda'), { recursive: true });
      expect(readSysDisks(root).map((d) => d.name)).toEqual(['loop0', 'zram0']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
