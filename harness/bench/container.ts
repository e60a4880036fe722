/**
 * Container start + teardown as the runner does it (cgroups created in every hierarchy, six limits
 * written and read back, isobench-init's namespaces, `true` run, the end snapshot, everything
 * removed, killed first where anything is left),
 * against a Node-spawned bare `unshare --fork --pid --mount-proc true`, lxc-execute, runc and crun
 * running `true` with the same limits.
 */
import { mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { detectCgroups, dirOf } from '../cgroup/detect.js';
import { openDriver } from '../cgroup/index.js';
import { startContainer } from '../container/spawn.js';
import { newRunId, Registry } from '../teardown/registry.js';
import { sixLimits } from './limits.js';
import { okPeer, ratioGoal, ratiosOf, timeTasks } from './measure.js';
import { lxcCgroupNames, writeLxcConfig, writeOciBundle } from './oci.js';
import { probe, runToEnd } from './spawn.js';
import type { BenchContext, Benchmark, BenchResult, PeerResult } from './types.js';

interface Peer {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Removes the peers' cgroups left below the bench's own cgroup in every hierarchy (lxc's pivot
 * is never removed by lxc; the others only if a peer was killed): empty directories our child
 * processes made, so rmdir, and a busy one is left for `isobench cleanup` to report.
 */
function removePeerCgroups(names: string[]): void {
  const host = detectCgroups();
  const hierarchies = [host.unified, ...Object.values(host.v1), ...(host.others ?? [])];
  for (const h of new Set(hierarchies)) {
    if (!h) continue;
    const own = dirOf(h, h.ownPath);
    for (const n of names) rmdirTree(join(own, n));
  }
}

/** Child cgroups first (lxc puts `lxc.pivot` inside its pivot dir); errors leave a dir as it is. */
function rmdirTree(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) rmdirTree(join(dir, e.name));
    rmdirSync(dir);
  } catch {}
}

function peers(ctx: BenchContext, majMin: string, leftovers: string[]): Peer[] {
  const id = newRunId();
  const lxcDir = join(ctx.tmpDir, 'lxc');
  mkdirSync(lxcDir, { recursive: true });
  const lxcName = `isobench-bench-${id}-lxc`;
  const lxcConf = writeLxcConfig(lxcDir, lxcName, majMin);
  const bundle = join(ctx.tmpDir, 'oci');
  mkdirSync(bundle, { recursive: true });
  // Relative: runc places it below the cgroup it runs in (ours), not at the hierarchies' roots.
  writeOciBundle(bundle, `isobench-bench-${id}-oci`, majMin);
  leftovers.push(...lxcCgroupNames(lxcName), `isobench-bench-${id}-oci`);
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
  const leftovers: string[] = [];
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
      // A trial's end (run/trial.ts): the final snapshot, stop (nothing left to stop once init
      // has exited: the kernel killed the namespace), then remove, which kills whatever the
      // kernel still counts in the cgroup before it removes it.
      await driver.readStats(handle);
      await c.stop();
      await driver.remove(handle);
    };
    const all = peers(ctx, device.majMin, leftovers);
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
    removePeerCgroups(leftovers);
    await registry.teardown();
  }
}

const DESCRIPTION = 'container start + teardown (cgroups, 6 limits read back, namespaces, true, removal)';

export const containerBench: Benchmark = {
  name: 'container',
  description: DESCRIPTION,
  run: measure,
};
