/**
 * The checks of `isobench doctor`, in the order they run. Each experiment's module is imported
 * only when it runs. The quick set (`--quick`, `isobench run --doctor`) is every check that
 * takes seconds; the load generator's and the null experiment's take the rest of the two minutes.
 */
import type { CheckEntry } from './types.js';

export const CHECKS: readonly CheckEntry[] = [
  {
    name: 'namespaces',
    title: 'the container gets its own pid, mount (/proc), uts, ipc, net and cgroup namespaces',
    quick: true,
    retry: false,
    load: async () => (await import('./namespaces.js')).run,
  },
  {
    name: 'memory-max',
    title: 'memory.max below a hog’s need: OOM kill in its cgroup, neighbour untouched',
    quick: true,
    retry: false,
    load: async () => (await import('./memory-max.js')).run,
  },
  {
    name: 'memory-high',
    title: 'memory.high: throttled and reclaimed, not killed',
    quick: true,
    retry: false,
    load: async () => (await import('./memory-high.js')).run,
  },
  {
    name: 'pids-max',
    title: 'pids.max 64 against a fork bomb',
    quick: true,
    retry: false,
    load: async () => (await import('./pids.js')).run,
  },
  {
    name: 'cpu-weight',
    title: 'cpu.weight 100:400, two CPU hogs pinned to one CPU',
    quick: true,
    retry: true,
    load: async () => (await import('./cpu-weight.js')).run,
  },
  {
    name: 'cpu-max',
    title: 'cpu.max 50000 100000 on two CPU hogs',
    quick: true,
    retry: true,
    load: async () => (await import('./cpu-max.js')).run,
  },
  {
    name: 'io-max',
    title: 'io.max wbps and rbps on O_DIRECT writes and reads',
    quick: true,
    retry: true,
    load: async () => (await import('./io-max.js')).run,
  },
  {
    name: 'io-writeback',
    title: 'io.max wbps on buffered writes (writeback)',
    quick: true,
    retry: true,
    load: async () => (await import('./io-writeback.js')).run,
  },
  {
    name: 'io-weight',
    title: 'io.weight 50:200, two O_DIRECT readers',
    quick: true,
    retry: true,
    load: async () => (await import('./io-weight.js')).run,
  },
  {
    name: 'load-schedule',
    title: 'the load generator keeps its schedule: highest rate with < 1% late sends',
    quick: false,
    retry: false,
    load: async () => (await import('./load-schedule.js')).run,
  },
  {
    name: 'load-stall',
    title: 'a planted 1 s server stall shows in corrected p99, not in uncorrected',
    quick: false,
    retry: true,
    load: async () => (await import('./load-stall.js')).run,
  },
  {
    name: 'null',
    title: 'null experiment: next to an idle neighbour, the slowdown interval contains 1',
    quick: false,
    retry: true,
    load: async () => (await import('./null-run.js')).run,
  },
];

export const CHECK_NAMES = CHECKS.map((c) => c.name);
