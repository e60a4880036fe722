/**
 * Finds the block device that io.max / blkio throttling accepts for a path: the whole disk (or the
 * device-mapper / md / loop node) behind the filesystem holding it.
 *
 * The kernel refuses a partition key (blk-cgroup.c blkg_conf_open_bdev returns -ENODEV), so a
 * partition is resolved to its disk through sysfs (never by minor arithmetic: NVMe disks share
 * major 259). Throttling works on a dm node itself, so device-mapper is not followed further for
 * io.max; for io.weight, which needs the blk-mq device's scheduler, a single-slave dm node is
 * followed to its slave (as systemd's block_get_originating does).
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HostError } from '../errors.js';
import { parseMountInfo } from './detect.js';

export interface BlockDevice {
  /** `MAJ:MIN` of the device that takes the limit. */
  majMin: string;
  /** Kernel name, such as `sda` or `dm-0`. */
  name: string;
  /** The filesystem device the path is on, when it differs (a partition such as `sda1`). */
  fromMajMin: string;
  path: string;
}

/** glibc's gnu_dev_major/minor: how stat().dev packs MAJ:MIN (new_encode_dev, extended to 64 bits). */
export function splitDev(dev: number | bigint): [number, number] {
  const d = BigInt(dev);
  const maj = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const min = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return [Number(maj), Number(min)];
}

function sysBlock(majMin: string, sysRoot: string): string | null {
  const link = join(sysRoot, 'dev/block', majMin);
  try {
    return realpathSync(link);
  } catch {
    return null;
  }
}

/** A partition's sysfs dir has a `partition` file; its parent dir is the whole disk. */
export function wholeDisk(majMin: string, sysRoot = '/sys'): { majMin: string; name: string } | null {
  const dir = sysBlock(majMin, sysRoot);
  if (!dir) return null;
  if (existsSync(join(dir, 'partition'))) {
    const parent = join(dir, '..');
    return { majMin: readFileSync(join(parent, 'dev'), 'utf8').trim(), name: parent.split('/').at(-1) ?? '' };
  }
  return { majMin, name: dir.split('/').at(-1) ?? '' };
}

/** For io.weight: follow a device-mapper node with exactly one slave down to that slave's disk. */
export function originatingDisk(majMin: string, sysRoot = '/sys'): { majMin: string; name: string } | null {
  let cur = wholeDisk(majMin, sysRoot);
  for (let depth = 0; cur && depth < 8; depth++) {
    const dir = sysBlock(cur.majMin, sysRoot);
    if (!dir) break;
    let slaves: string[] = [];
    try {
      slaves = readdirSync(join(dir, 'slaves'));
    } catch {
      break;
    }
    if (slaves.length !== 1) break;
    const slaveDev = readFileSync(join(dir, 'slaves', slaves[0] as string, 'dev'), 'utf8').trim();
    cur = wholeDisk(slaveDev, sysRoot);
  }
  return cur;
}

/** The mount that holds `path` (longest matching mount point). */
function mountOf(
  path: string,
): { fsType: string; source: string; superOptions: string[]; mountPoint: string } | null {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const real = realpathSync(path);
  let best: { fsType: string; source: string; superOptions: string[]; mountPoint: string } | null = null;
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const post = line.slice(sep + 3).split(' ');
    const [m] = parseMountInfo(line);
    if (!m) continue;
    const mp = m.mountPoint;
    if (real === mp || real.startsWith(mp.endsWith('/') ? mp : `${mp}/`)) {
      if (!best || mp.length >= best.mountPoint.length) {
        best = { fsType: m.fsType, source: post[1] ?? '', superOptions: m.superOptions, mountPoint: mp };
      }
    }
  }
  return best;
}

/** Resolves the device io limits for `path` apply to, or throws a HostError that says why there is none. */
export function blockDeviceFor(path: string, sysRoot = '/sys'): BlockDevice {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    throw new HostError('ISOBENCH_IO_PATH', `--io-path ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  let [maj, min] = splitDev(st.isBlockDevice() ? st.rdev : st.dev);
  if (maj === 0) {
    const m = mountOf(path);
    const fs = m?.fsType ?? 'unknown';
    if (fs === 'overlay') {
      const upper = m?.superOptions.find((o) => o.startsWith('upperdir='))?.slice('upperdir='.length);
      if (upper && existsSync(upper)) return { ...blockDeviceFor(upper, sysRoot), path };
      throw new HostError(
        'ISOBENCH_NO_BLOCK_DEVICE',
        `--io-path ${JSON.stringify(path)} is on an overlay filesystem without a block-backed upper directory: io limits need a path on a disk`,
      );
    }
    if (fs === 'btrfs' && m) {
      // btrfs reports an anonymous device; its single backing device is the mount source.
      try {
        const src = statSync(m.source);
        if (src.isBlockDevice()) [maj, min] = splitDev(src.rdev);
      } catch {
        /* fall through to the error below */
      }
    }
    if (maj === 0) {
      const why = fs === 'tmpfs' || fs === 'ramfs' ? ' (its pages are charged as memory, not disk IO)' : '';
      throw new HostError(
        'ISOBENCH_NO_BLOCK_DEVICE',
        `--io-path ${JSON.stringify(path)} has no block device: it is on ${fs}${why}; give a path on a disk-backed filesystem`,
      );
    }
  }
  const fromMajMin = `${maj}:${min}`;
  const disk = wholeDisk(fromMajMin, sysRoot);
  if (!disk) {
    throw new HostError(
      'ISOBENCH_NO_BLOCK_DEVICE',
      `--io-path ${JSON.stringify(path)}: device ${fromMajMin} is not in ${sysRoot}/dev/block, so it cannot take io limits`,
    );
  }
  return { majMin: disk.majMin, name: disk.name, fromMajMin, path };
}
