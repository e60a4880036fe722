/**
 * Reading a v1/hybrid container cgroup's statistics and events: each file from its controller's
 * hierarchy (v1 counts a process only where it is attached), plus the unified twin on hybrid hosts
 * for what v1 lacks (PSI follows the task's cgroup2 membership, so v1 hierarchies have no pressure
 * files).
 */
import { join } from 'node:path';
import type { HostCgroups, V1Controller } from './detect.js';
import type { CgroupEvents, CgroupHandle, CgroupStats } from './driver.js';
import { readOptional } from './fsio.js';
import { keyed, num, parseBlkioRecursive } from './stats.js';
import { readUnifiedTwin } from './v2.js';

/** A file of the cgroup's directory in controller `c`'s hierarchy; null when absent. */
function readCtl(host: HostCgroups, h: CgroupHandle, c: V1Controller, f: string): Promise<string | null> {
  const hier = host.v1[c];
  const dir = hier ? h.dirs[hier.key] : undefined;
  return dir ? readOptional(join(dir, f)) : Promise.resolve(null);
}

export async function readV1Stats(host: HostCgroups, h: CgroupHandle): Promise<CgroupStats> {
  const read = (c: V1Controller, f: string) => readCtl(host, h, c, f);
  const [usage, cpuStat, memCur, memPeak, oomControl, bytes, ops, pidsCur, pidsPeak] = await Promise.all([
    read('cpuacct', 'cpuacct.usage'),
    read('cpu', 'cpu.stat'),
    read('memory', 'memory.usage_in_bytes'),
    read('memory', 'memory.max_usage_in_bytes'),
    read('memory', 'memory.oom_control'),
    read('blkio', 'blkio.throttle.io_service_bytes_recursive'),
    read('blkio', 'blkio.throttle.io_serviced_recursive'),
    read('pids', 'pids.current'),
    read('pids', 'pids.peak'),
  ]);
  const usageNs = num(usage);
  const unified = h.dirs.unified ? await readUnifiedTwin(h.dirs.unified, usageNs === null) : null;
  const cs = keyed(cpuStat);
  const oc = oomControl === null ? null : keyed(oomControl);
  const b = parseBlkioRecursive(bytes);
  const o = parseBlkioRecursive(ops);
  return {
    // v1 cpuacct and cpu.stat count nanoseconds; v2 and isobench use microseconds.
    cpuUsageUs: usageNs !== null ? Math.round(usageNs / 1000) : (unified?.cpuUsageUs ?? null),
    cpuThrottledUs: cs.throttled_time !== undefined ? Math.round(cs.throttled_time / 1000) : null,
    cpuNrPeriods: cs.nr_periods ?? null,
    cpuNrThrottled: cs.nr_throttled ?? null,
    memoryCurrentBytes: num(memCur),
    memoryPeakBytes: num(memPeak),
    ooms: null, // v1 counts OOM kills (oom_control) but not OOM invocations
    oomKills: oc ? (oc.oom_kill ?? 0) : null,
    ioReadBytes: b?.read ?? null,
    ioWriteBytes: b?.write ?? null,
    ioReadOps: o?.read ?? null,
    ioWriteOps: o?.write ?? null,
    pidsCurrent: num(pidsCur),
    pidsPeak: num(pidsPeak),
    psi: unified?.psi ?? null,
  };
}

export async function readV1Events(host: HostCgroups, h: CgroupHandle): Promise<CgroupEvents> {
  const [failcnt, oomControl, pids] = await Promise.all([
    readCtl(host, h, 'memory', 'memory.failcnt'),
    readCtl(host, h, 'memory', 'memory.oom_control'),
    readCtl(host, h, 'pids', 'pids.events'),
  ]);
  return {
    memoryHigh: null, // v1 has no memory.high
    memoryMax: num(failcnt),
    oomKills: oomControl === null ? null : (keyed(oomControl).oom_kill ?? 0),
    pidsMax: pids === null ? null : (keyed(pids).max ?? 0),
  };
}
