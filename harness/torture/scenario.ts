/**
 * The short scenario the kill and signal campaigns run (about 5 s here): a served web workload
 * (so there is a load generator to kill) next to a shell that writes the trial's step into its
 * data dir (`phase`: `start <epoch ms>`, then `stop` on SIGTERM), which is how the torture tells
 * warmup from measurement from stop when it kills. Container names are the torture's own.
 */
export const TORTURE_WARMUP_MS = 500;

const PEER = [
  'echo "start $(date +%s%3N)" > phase',
  `trap 'echo stop > phase; exit 0' TERM`,
  'while :; do sleep 0.05; done',
].join('; ');

export const TORTURE_SCENARIO = `# written by isobench torture
${head('torture', '1s', `${TORTURE_WARMUP_MS}ms`)}containers:
  tortweb:
    workload: web
    params: { mode: heap, working-set: 8MiB, touch-bytes: 4KiB }
    load: { rate: 100, connections: 2 }
  tortpeer:
    command: [sh, -c, ${JSON.stringify(PEER)}, isobench-torture-peer]
phases:
  - { name: solo-peer, kind: solo, containers: [tortpeer] }
  - { name: colocated, kind: colocated, containers: [tortweb, tortpeer] }
`;

export const TORTURE_TRIALS = 2;

/**
 * The lines every torture scenario starts with: one short repetition, sampled every 250 ms, with
 * guards so loose that a busy shared host never marks the trial invalid (the torture judges exits,
 * leaks and limits, not the figures).
 */
function head(name: string, duration: string, warmup: string): string {
  return `name: ${name}
duration: ${duration}
warmup: ${warmup}
repetitions: 1
sampleInterval: 250ms
guards: { quietWait: 0s, lateSends: 1, foreignCpu: 1024, steal: 1024, loopDelay: 10s }
`;
}

/**
 * A scenario of container `name` (`body`: its YAML lines, indented 4) next to `tortpeer` running
 * `peerCommand` (a YAML flow list), in one colocated phase.
 */
export function colocatedScenario(o: {
  scenario: string;
  duration: string;
  warmup: string;
  name: string;
  body: string;
  peerCommand: string;
}): string {
  return `${head(o.scenario, o.duration, o.warmup)}containers:
  ${o.name}:
${o.body}
  tortpeer:
    command: ${o.peerCommand}
phases:
  - { name: colocated, kind: colocated, containers: [${o.name}, tortpeer] }
`;
}

/** A scenario with one container running `command` (sh -c), in one colocated phase with a peer. */
export function commandScenario(name: string, script: string): string {
  return colocatedScenario({
    scenario: name,
    duration: '1s',
    warmup: '300ms',
    name: 'tortx',
    body: `    command: [sh, -c, ${JSON.stringify(script)}, isobench-torture-x]`,
    peerCommand: '[sleep, "60"]',
  });
}
