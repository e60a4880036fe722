import { describe, expect, it } from 'vitest';
import { cpuListProblem } from './floors.js';
import { parseScenario } from './parse.js';
import { scenarioErrorLines } from './testutil.js';

const HOST = { cpus: '0-1', mems: '0' };

function scenario(container: string, extra = ''): string {
  return `name: floors
duration: 1s
containers:
  a: ${container}
phases:
  - { name: solo, kind: solo, containers: [a] }
${extra}`;
}

const lines = (text: string) => scenarioErrorLines(() => parseScenario(text, { file: 'f.yaml', host: HOST }));

describe('limits no workload can live with are refused at validation', () => {
  it('memory.max below the floor of a command and of a built-in workload, with FILE:LINE:COL', () => {
    expect(lines(scenario('{ command: [sleep, "1"], limits: { memory.max: 4KiB } }'))).toEqual([
      'f.yaml:4:53 containers.a.limits.memory.max: "4KiB" is below the 1MiB a command needs to start: every trial would fail',
    ]);
    expect(lines(scenario('{ workload: cpu, limits: { memory.high: 8MiB } }'))).toEqual([
      'f.yaml:4:46 containers.a.limits.memory.high: "8MiB" is below the 16MiB a built-in workload (a Node process) needs to start: every trial would fail',
    ]);
  });

  it('cpuset CPUs and memory nodes this host does not have, and harness.cpus', () => {
    expect(lines(scenario('{ command: [sleep, "1"], cpuset: "0-999" }'))).toEqual([
      'f.yaml:4:39 containers.a.cpuset: CPU 2 does not exist on this host (online: 0-1)',
    ]);
    expect(lines(scenario('{ command: [sleep, "1"], limits: { cpuset.mems: "1" } }'))).toEqual([
      'f.yaml:4:54 containers.a.limits.cpuset.mems: memory node 1 does not exist on this host (online: 0)',
    ]);
    expect(lines(scenario('{ command: [sleep, "1"] }', 'harness: { cpus: "7" }\n'))).toEqual([
      'f.yaml:7:18 harness.cpus: CPU 7 does not exist on this host (online: 0-1)',
    ]);
  });

  it('limits a workload can live with pass; without host facts cpusets are not checked', () => {
    const ok = scenario('{ command: [sleep, "1"], cpuset: "1", limits: { memory.max: 1MiB } }');
    expect(parseScenario(ok, { file: 'f.yaml', host: HOST }).cells).toHaveLength(1);
    const far = scenario('{ command: [sleep, "1"], cpuset: "64" }');
    expect(parseScenario(far, { file: 'f.yaml' }).cells).toHaveLength(1);
  });

  it('checks huge and backwards ranges without enumerating them', () => {
    expect(cpuListProblem('0-99999999999999', '0-1', 'CPU')).toBe(
      'CPU 99999999999999 is beyond any Linux host (at most 8191)',
    );
    expect(cpuListProblem('3-1', '0-3', 'CPU')).toBe('range 3-1 runs backwards');
    expect(cpuListProblem('0,2-3', '0-3', 'CPU')).toBeNull();
  });
});
