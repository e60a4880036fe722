/**
 * The host fingerprint recorded in every results.json (kernel, distribution, CPU, memory, disks and their schedulers, cgroup mode, THP, swappiness, versions): what a reader needs to
 * judge whether two runs are comparable. systeminformation first, then /proc, /sys and /etc for
 * whatever it leaves empty: in VMs and containers it often returns "" or 0 (no DMI, no lsblk
 * model), and it knows nothing of the IO scheduler, THP or swappiness.
 *
 * Every systeminformation call and subprocess is bounded (SI_TIMEOUT_MS): it shells out to
 * tools that can hang on a broken host (dmidecode, lsblk on a dead NFS mount), and a benchmark
 * must not stall before its first trial for a fingerprint.
 */
import { hostname, release } from 'node:os';
import { execa } from 'execa';
import si from 'systeminformation';
import { detectCgroups } from '../cgroup/detect.js';
import type { HostFingerprint } from '../results/types.js';
import { within } from '../timers.js';
import {
  bracketed,
  meminfoBytes,
  osReleaseField,
  parseCpuInfo,
  readOptional,
  readSysDisks,
} from './procfs.js';
import { isobenchVersion } from './version.js';

export const SI_TIMEOUT_MS = 4_000;

/** A probe's stdout, '' when it printed nothing, null when it could not run or timed out. */
async function run(cmd: string, args: string[], ms: number): Promise<string | null> {
  // systemd-detect-virt exits 1 when it prints `none`: stdout counts whatever the status.
  const r = await execa(cmd, args, { timeout: ms, reject: false, stdin: 'ignore', stderr: 'ignore' });
  const out = typeof r.stdout === 'string' ? r.stdout.trim() : '';
  return out || (r.failed ? null : '');
}

/** `kvm`, `docker`, `kvm+docker` (a container in a VM), `none`; or null if nothing could tell. */
async function virtualization(
  cpuHypervisor: boolean | null,
  siVirtual: Promise<si.Systeminformation.SystemData | null>,
) {
  const [vm, container] = await Promise.all([
    run('systemd-detect-virt', ['--vm'], SI_TIMEOUT_MS),
    run('systemd-detect-virt', ['--container'], SI_TIMEOUT_MS),
  ]);
  if (vm !== null || container !== null) {
    const parts = [vm, container].filter((p): p is string => !!p && p !== 'none');
    return parts.length > 0 ? parts.join('+') : 'none';
  }
  const sys = await siVirtual;
  if (sys?.virtual) return sys.virtualHost || 'vm';
  if (cpuHypervisor === null) return null;
  return cpuHypervisor ? 'vm' : 'none';
}

const nonEmpty = (s: string | null | undefined): string | null => (s?.trim() ? s.trim() : null);
const positive = (n: number | null | undefined): number | null => (typeof n === 'number' && n > 0 ? n : null);

export async function collectHost(opts: { isobenchVersion?: string } = {}): Promise<HostFingerprint> {
  const t = SI_TIMEOUT_MS;
  const cpuinfo = parseCpuInfoOrNull();
  const systemP = within<si.Systeminformation.SystemData | null>(si.system(), t, null);
  const [osInfo, cpu, mem, blocks, virt] = await Promise.all([
    within<si.Systeminformation.OsData | null>(si.osInfo(), t, null),
    within<si.Systeminformation.CpuData | null>(si.cpu(), t, null),
    within<si.Systeminformation.MemData | null>(si.mem(), t, null),
    within<si.Systeminformation.BlockDevicesData[]>(si.blockDevices(), t, []),
    virtualization(cpuinfo?.hypervisor ?? null, systemP),
  ]);
  const meminfo = readOptional('/proc/meminfo') ?? '';
  const osRelease = readOptional('/etc/os-release') ?? readOptional('/usr/lib/os-release') ?? '';
  const cgroups = detectCgroups();
  const siDistro = nonEmpty([osInfo?.distro, osInfo?.release].filter(Boolean).join(' '));
  const siModel = nonEmpty([cpu?.manufacturer, cpu?.brand].filter(Boolean).join(' '));
  const siMhz = positive(cpu?.speed) === null ? null : Math.round((cpu?.speed ?? 0) * 1000);
  const swappinessText = readOptional('/proc/sys/vm/swappiness')?.trim();
  const threads = positive(cpu?.cores) ?? positive(cpuinfo?.threads) ?? 1;

  return {
    hostname: hostname(),
    kernel: nonEmpty(osInfo?.kernel) ?? release(),
    distribution: osReleaseField(osRelease, 'PRETTY_NAME') ?? siDistro ?? 'unknown',
    cpu: {
      // /proc/cpuinfo first: systeminformation shortens the brand ("AMD EPYC" for a full model string).
      model: nonEmpty(cpuinfo?.model) ?? siModel ?? 'unknown',
      cores: positive(cpu?.physicalCores) ?? cpuinfo?.cores ?? threads,
      threads,
      mhz: siMhz ?? cpuinfo?.mhz ?? null,
    },
    memoryBytes: positive(mem?.total) ?? meminfoBytes(meminfo, 'MemTotal') ?? 0,
    // swaptotal 0 is a real answer (no swap), so only a missing figure falls back.
    swapBytes: mem?.swaptotal ?? meminfoBytes(meminfo, 'SwapTotal') ?? 0,
    disks: disksOf(blocks),
    cgroup: { mode: cgroups.mode, controllers: cgroups.controllers, psi: cgroups.psi },
    thp: {
      enabled: bracketed(readOptional('/sys/kernel/mm/transparent_hugepage/enabled')),
      defrag: bracketed(readOptional('/sys/kernel/mm/transparent_hugepage/defrag')),
    },
    swappiness: swappinessText && /^\d+$/.test(swappinessText) ? Number(swappinessText) : null,
    virtualization: virt,
    node: process.version,
    isobench: opts.isobenchVersion ?? isobenchVersion(),
  };
}

/** /sys/block for scheduler and rotational, completed with lsblk's model and size via systeminformation. */
function disksOf(blocks: si.Systeminformation.BlockDevicesData[]): HostFingerprint['disks'] {
  const sys = readSysDisks();
  if (sys.length === 0) {
    // No sysfs (a restricted container): what lsblk saw is better than nothing.
    return blocks
      .filter((b) => b.type === 'disk')
      .map((b) => ({
        name: b.name,
        model: nonEmpty(b.model),
        sizeBytes: positive(b.size),
        rotational: null,
        scheduler: null,
      }));
  }
  return sys.map((d) => {
    const b = blocks.find((x) => x.name === d.name);
    return { ...d, model: d.model ?? nonEmpty(b?.model), sizeBytes: d.sizeBytes ?? positive(b?.size) };
  });
}

function parseCpuInfoOrNull() {
  const text = readOptional('/proc/cpuinfo');
  return text === null ? null : parseCpuInfo(text);
}
