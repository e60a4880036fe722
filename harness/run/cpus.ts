/**
 * CPUs for isobench's own measuring tools (the load generators, and isobench itself), kept out of
 * every container's cpuset, so that the generator's scheduling delays and the harness's work are
 * not charged to the workloads it measures. A host needs CPUs to spare: by default one (the last)
 * is reserved on hosts with 4 or more; on smaller hosts the tools share the containers' CPUs, and
 * the run says so (their CPU and lateness are recorded per trial either way).
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { quote, UsageError } from '../errors.js';
import type { Scenario } from '../scenario/types.js';

/** `0-2,5` -> [0, 1, 2, 5]; null when the text is not a cpuset list. */
export function parseCpuList(text: string): number[] | null {
  const out = new Set<number>();
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    // 8191: the kernel's largest CONFIG_NR_CPUS; a larger id is no CPU and would loop for long.
    if (hi < lo || hi > 8191) return null;
    for (let c = lo; c <= hi; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** [0, 1, 2, 5] -> `0-2,5`. */
export function formatCpuList(cpus: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && (cpus[j + 1] as number) === (cpus[j] as number) + 1) j++;
    out.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

export function onlineCpus(): number[] {
  try {
    return parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8')) ?? [];
  } catch {
    return [];
  }
}

export interface Reservation {
  /** CPUs of isobench and its generators; null when they share the containers' CPUs. */
  harness: number[] | null;
  /** CPUs left to the containers. */
  containers: number[];
  /** One line for the run's output. */
  note: string;
}

/** The reservation for `asked` (scenario `harness.cpus`, null: the default) on a host with `online` CPUs. */
export function reserveCpus(asked: string | null, online: readonly number[]): Reservation {
  if (asked === null) {
    if (online.length < 4) {
      return {
        harness: null,
        containers: [...online],
        note: `isobench and its load generators share the host's ${online.length} CPUs with the containers (on hosts with 4 or more, one is reserved for them; set harness.cpus to choose)`,
      };
    }
    const last = online.at(-1) as number;
    return reserve([last], online, 'the default on a host with 4 or more CPUs');
  }
  const cpus = parseCpuList(asked);
  if (!cpus || cpus.length === 0)
    throw new UsageError(
      'ISOBENCH_HARNESS_CPUS',
      `harness.cpus: expected a cpuset list such as 3 or 2-3, got ${quote(asked)}`,
    );
  const missing = cpus.filter((c) => !online.includes(c));
  if (missing.length > 0)
    throw new UsageError(
      'ISOBENCH_HARNESS_CPUS',
      `harness.cpus ${quote(asked)}: CPU ${missing.join(', ')} is not online here (online: ${formatCpuList(online)})`,
    );
  if (cpus.length >= online.length)
    throw new UsageError(
      'ISOBENCH_HARNESS_CPUS',
      `harness.cpus ${quote(asked)} leaves no CPU for the containers`,
    );
  return reserve(cpus, online, 'harness.cpus');
}

function reserve(harness: number[], online: readonly number[], why: string): Reservation {
  const containers = online.filter((c) => !harness.includes(c));
  return {
    harness,
    containers,
    note: `CPUs ${formatCpuList(harness)} reserved for isobench and its load generators (${why}); containers run on ${formatCpuList(containers)}`,
  };
}

/**
 * Keeps the containers off the reserved CPUs: a container without a cpuset gets the rest; one
 * whose cpuset takes a reserved CPU is refused before anything is created.
 */
export function applyReservation(scenario: Scenario, r: Reservation): void {
  if (!r.harness) return;
  const rest = formatCpuList(r.containers);
  for (const cell of scenario.cells)
    for (const spec of Object.values(cell.containers)) {
      const own = spec.limits['cpuset.cpus'];
      if (own === undefined) {
        spec.limits['cpuset.cpus'] = rest;
        spec.requestedLimits['cpuset.cpus'] = rest;
        continue;
      }
      const clash = (parseCpuList(own) ?? []).filter((c) => r.harness?.includes(c));
      if (clash.length > 0)
        throw new UsageError(
          'ISOBENCH_HARNESS_CPUS',
          `containers.${spec.name}: cpuset ${quote(own)} takes CPU ${clash.join(', ')}, reserved for isobench and its load generators (harness.cpus); give the container other CPUs, or choose harness.cpus`,
        );
    }
}

/** Moves every thread of this process onto `cpus` (taskset); returns how to move it back. */
export async function pinSelf(cpus: number[]): Promise<() => Promise<void>> {
  const before = await execa('taskset', ['-p', '-c', String(process.pid)], { reject: false });
  const old = /:\s*(\S+)\s*$/.exec(typeof before.stdout === 'string' ? before.stdout.trim() : '')?.[1];
  await execa('taskset', ['-a', '-p', '-c', formatCpuList(cpus), String(process.pid)], { stdout: 'ignore' });
  return async () => {
    if (old)
      await execa('taskset', ['-a', '-p', '-c', old, String(process.pid)], {
        reject: false,
        stdout: 'ignore',
      });
  };
}
