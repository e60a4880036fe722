/** The command line a container's workload runs with, from its resolved spec. */
import type { ContainerSpec } from './types.js';

/**
 * Built-in workloads get `isobench workload NAME --key value ...` style arguments: a `true`
 * switch becomes `--key`, a `false` one is left out (the workloads' parseArgs has no
 * `--no-key`), anything else `--key VALUE`. A command runs exactly as written.
 */
export function workloadArgs(
  spec: ContainerSpec,
): { kind: 'builtin'; name: string; args: string[] } | { kind: 'command'; argv: string[] } {
  if (spec.workload.kind === 'command') return { kind: 'command', argv: [...spec.workload.argv] };
  const args: string[] = [];
  for (const [key, value] of Object.entries(spec.params)) {
    if (value === true) args.push(`--${key}`);
    else if (value !== false) args.push(`--${key}`, String(value));
  }
  return { kind: 'builtin', name: spec.workload.name, args };
}
