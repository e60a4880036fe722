/**
 * cgroup create + six limits + read back + remove through the driver (every hierarchy of this
 * host: v1 controllers plus the unified tree on a hybrid host, the unified tree on v2), against
 * the same directories and files done with bare synchronous fs calls: what the driver's checks,
 * conversions and records cost over the syscalls themselves.
 */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CgroupDriver } from '../cgroup/driver.js';
import { openDriver } from '../cgroup/index.js';
import { newRunId, Registry } from '../teardown/registry.js';
import { sixLimits } from './limits.js';
import { okPeer, ratiosOf, timeTasks } from './measure.js';
import { PEER_LIMITS } from './oci.js';
import type { BenchContext, Benchmark, BenchResult } from './types.js';

const DESCRIPTION = 'cgroup create + 6 limits + read back + remove';

type FileWrites = Record<string, [file: string, value: string][]>;

/** The files a v1 (hybrid) or v2 host takes the six limits in, per hierarchy. */
function rawWrites(mode: CgroupDriver['mode'], majMin: string): FileWrites {
  const L = PEER_LIMITS;
  if (mode === 'v2')
    return {
      unified: [
        ['cpu.weight', '200'],
        ['cpu.max', `${L.cfsQuotaUs} ${L.cfsPeriodUs}`],
        ['memory.max', String(L.memoryBytes)],
        ['memory.low', String(L.memoryLowBytes)],
        ['pids.max', String(L.pidsMax)],
        ['io.max', `${majMin} wbps=${L.writeBps}`],
      ],
    };
  return {
    cpu: [
      ['cpu.shares', String(L.cpuShares)],
      ['cpu.cfs_period_us', String(L.cfsPeriodUs)],
      ['cpu.cfs_quota_us', String(L.cfsQuotaUs)],
    ],
    memory: [
      ['memory.limit_in_bytes', String(L.memoryBytes)],
      ['memory.soft_limit_in_bytes', String(L.memoryLowBytes)],
    ],
    pids: [['pids.max', String(L.pidsMax)]],
    blkio: [['blkio.throttle.write_bps_device', `${majMin} ${L.writeBps}`]],
  };
}

async function measure(ctx: BenchContext): Promise<BenchResult> {
  const dataDir = join(ctx.tmpDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const { limits, device } = sixLimits(dataDir);
  const registry = new Registry();
  try {
    const driver = openDriver(registry);
    driver.check(limits, device);
    // The parents the driver creates in, learnt from one cgroup it made.
    const first = await driver.create('benchparent');
    const parents = Object.fromEntries(Object.entries(first.dirs).map(([k, d]) => [k, dirname(d)]));
    await driver.remove(first);
    const writes = rawWrites(driver.mode, device.majMin);
    const rawPrefix = `isobench-bench-${newRunId()}-raw`;
    let i = 0;
    let j = 0;
    const ours = async () => {
      const h = await driver.create(`bench${i++}`);
      await driver.apply(h, limits, device);
      await driver.remove(h);
    };
    const raw = () => {
      const name = `${rawPrefix}${j++}`;
      const dirs = Object.entries(parents).map(([k, p]) => [k, join(p, name)] as const);
      for (const [, d] of dirs) mkdirSync(d);
      try {
        for (const [k, d] of dirs)
          for (const [file, value] of writes[k] ?? []) {
            writeFileSync(join(d, file), value);
            readFileSync(join(d, file), 'utf8');
          }
      } finally {
        for (const [, d] of dirs) rmdirSync(d);
      }
    };
    const [oursM, rawM] = await timeTasks(
      [
        { name: `isobench (${driver.mode})`, fn: ours },
        { name: 'bare fs calls', fn: raw, sync: true },
      ],
      ctx.iterations,
    );
    if (!oursM || !rawM) throw new Error('cgroup benchmark: no measurement');
    const peers = [okPeer(rawM)];
    return {
      status: 'ok',
      name: 'cgroup',
      description: DESCRIPTION,
      ours: oursM,
      peers,
      ratios: ratiosOf(oursM, peers),
      figures: {},
      goals: [],
      notes: [
        `cgroup mode ${driver.mode}: ${Object.keys(parents).join(', ')} hierarchies; the bare peer creates the same directories and writes and reads back the same limit files`,
      ],
    };
  } finally {
    await registry.teardown();
  }
}

export const cgroupBench: Benchmark = { name: 'cgroup', description: DESCRIPTION, run: measure };
