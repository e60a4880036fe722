/**
 * Container start + teardown as the runner does it (cgroups created in every hierarchy, six limits
 * written and read back, isobench-init's namespaces, `true` run, everything killed and removed),
 * against a Node-spawned bare `unshare --fork --pid --mount-proc true`, lxc-execute, runc and crun
 * running `true` with the same limits.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDriver } from '../cgroup/index.js';
import { startContainer } from '../container/spawn.js';
import { newRunId, Registry } from '../teardown/registry.js';
import { sixLimits } from './limits.js';
import { okPeer, ratioGoal, ratiosOf, timeTasks } from './measure.js';
import { writeLxcConfig, writeOciBundle } from './oci.js';
import { probe, runToEnd } from './spawn.js';
import type { BenchContext, Benchmark, BenchResult, PeerResult } from './types.js';

interface Peer {
  name: string;
  run: () => Promise<unknown>;
}

function peers(ctx: BenchContext, majMin: string): Peer[] {
  const id = newRunId();
  const lxcDir = join(ctx.tmpDir, 'lxc');
  mkdirSync(lxcDir, { recursive: true });
  const lxcName = `isobench-bench-${id}-lxc`;
  const lxcConf = writeLxcConfig(lxcDir, lxcName, majMin);
  const bundle = join(ctx.tmpDir, 'oci');
  mkdirSync(bundle, { recursive: true });
  writeOciBundle(bundle, `/isobench-bench-${id}-oci`, majMin);
  let n = 0;
  const oci = (tool: string) => () =>
    runToEnd(tool, [
      '--root',
      join(ctx.tmpDir, `${tool}-state`),
      'run',
      '--bundle',
      bundle,
      `bench-${id}-${n++}`,
    ]);
  return [
    { name: 'unshare', run: () => runToEnd('unshare', ['--fork', '--pid', '--mount-proc', 'true']) },
    {
      name: 'lxc-execute',
      run: () => runToEnd('lxc-execute', ['-n', lxcName, '-f', lxcConf, '-P', lxcDir, '--', 'true']),
    },
    { name: 'runc', run: oci('runc') },
    { name: 'crun', run: oci('crun') },
  ];
}

async function measure(ctx: BenchContext): Promise<BenchResult> {
  const dataDir = join(ctx.tmpDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const { limits, device } = sixLimits(dataDir);
  const registry = new Registry();
  try {
    const driver = openDriver(registry);
    driver.check(limits, device);
    let i = 0;
    const ours = async () => {
      const handle = await driver.create(`bench${i++}`);
      await driver.apply(handle, limits, device);
      const c = startContainer(driver, handle, { command: ['true'], writable: [dataDir], cwd: dataDir });
      const exit = await c.exited;
      if (exit.error || exit.status !== 0)
        throw new Error(`isobench container: ${exit.error ?? `exit ${exit.status}`}`);
      await driver.killAll(handle);
      await driver.readStats(handle);
      await driver.remove(handle);
    };
    const all = peers(ctx, device.majMin);
    const applicable: Peer[] = [];
    const na: PeerResult[] = [];
    for (const p of all) {
      const reason = await probe(p.run);
      if (reason === null) applicable.push(p);
      else na.push({ status: 'not-applicable', name: p.name, reason });
    }
    const [oursM, ...peerM] = await timeTasks(
      [{ name: 'isobench', fn: ours }, ...applicable.map((p) => ({ name: p.name, fn: p.run }))],
      ctx.iterations,
    );
    if (!oursM) throw new Error('container benchmark: no measurement');
    const peerResults = [...peerM.map(okPeer), ...na];
    const ratios = ratiosOf(oursM, peerResults);
    return {
      status: 'ok',
      name: 'container',
      description: DESCRIPTION,
      ours: oursM,
      peers: peerResults,
      ratios,
      figures: {},
      goals: [
        ratioGoal('<= 1.5x bare unshare', ratios, 'unshare', (r) => r <= 1.5),
        ratioGoal('faster than lxc-execute', ratios, 'lxc-execute', (r) => r < 1),
        ratioGoal('faster than runc', ratios, 'runc', (r) => r < 1),
      ],
      notes: [
        'isobench and lxc/runc/crun apply six limits (cpu.weight, cpu.max, memory.max, memory.low, pids.max, io.max.wbps); the bare unshare applies none and makes no cgroup',
      ],
    };
  } finally {
    await registry.teardown();
  }
}

const DESCRIPTION = 'container start + teardown (cgroups, 6 limits read back, namespaces, true, removal)';

export const containerBench: Benchmark = {
  name: 'container',
  description: DESCRIPTION,
  run: measure,
};
