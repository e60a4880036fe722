/** Turns schema-valid data into resolved specs: units parsed, defaults filled in. */
import { type Limits, parseLimitRecord } from '../limits.js';
import { parseDurationMs } from '../units.js';
import type { ContainerData, ScenarioData } from './schema.js';
import type { CellSpec, ContainerSpec, PhaseSpec, Scalar } from './types.js';

function resolveContainer(name: string, c: ContainerData): ContainerSpec {
  const requestedLimits: Record<string, string> = {};
  for (const [key, value] of Object.entries(c.limits)) requestedLimits[key] = String(value).trim();
  if (c.cpuset !== undefined) requestedLimits['cpuset.cpus'] = String(c.cpuset).trim();
  // Already checked by crossChecks, so this does not throw here.
  const limits: Limits = parseLimitRecord(requestedLimits);
  return {
    name,
    workload: c.command
      ? { kind: 'command', argv: c.command }
      : { kind: 'builtin', name: c.workload ?? 'cpu' },
    params: { ...c.params },
    limits,
    requestedLimits,
    ioPath: c.ioPath ?? null,
    load: c.load
      ? {
          rateHz: c.load.rate,
          connections: c.load.connections,
          arrivals: c.load.arrivals,
          standby: c.load.standby,
        }
      : null,
    shareNet: c.shareNet,
    aggressor: c.aggressor,
    privileged: c.privileged,
    runtime: c.runtime,
  };
}

export function resolveCell(
  data: ScenarioData,
  cell: { id: string; name: string; settings: Record<string, Scalar> },
): CellSpec {
  const containers: Record<string, ContainerSpec> = {};
  for (const [name, c] of Object.entries(data.containers)) containers[name] = resolveContainer(name, c);
  return {
    ...cell,
    durationMs: parseDurationMs(String(data.duration)),
    warmupMs: parseDurationMs(String(data.warmup)),
    sampleIntervalMs: parseDurationMs(String(data.sampleInterval)),
    containers,
  };
}

/** The phases as written, or by default a solo baseline per container and one colocated phase. */
export function resolvePhases(data: ScenarioData): PhaseSpec[] {
  if (data.phases)
    return data.phases.map((p) => ({ name: p.name, kind: p.kind, containers: [...p.containers] }));
  const names = Object.keys(data.containers);
  const solo: PhaseSpec[] = names.map((n) => ({ name: `solo-${n}`, kind: 'solo', containers: [n] }));
  return names.length >= 2 ? [...solo, { name: 'colocated', kind: 'colocated', containers: names }] : solo;
}

/** Slowdown is colocated / solo: a colocated container with no solo phase has no denominator. */
export function phaseWarnings(
  phases: readonly PhaseSpec[],
  aggressors: ReadonlySet<string> = new Set(),
): string[] {
  // Aggressors are not measured against a baseline, so they need no solo phase.
  const soloed = new Set([
    ...aggressors,
    ...phases.filter((p) => p.kind === 'solo').flatMap((p) => p.containers),
  ]);
  const warnings: string[] = [];
  for (const p of phases) {
    if (p.kind !== 'colocated') continue;
    for (const c of p.containers) {
      if (!soloed.has(c)) {
        warnings.push(
          `phase ${p.name}: container ${c} has no solo phase, so its slowdown cannot be computed`,
        );
      }
    }
  }
  return warnings;
}
