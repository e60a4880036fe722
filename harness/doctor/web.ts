/**
 * The web workload in a container and the load generator aimed at it, as `isobench run` uses
 * them: the server in its own network namespace, the generator (`workloads/main.js load ...
 * --json`, a process of its own) entering only that namespace. The generator's JSON is read for
 * the fields the doctor needs only (`requests`, `late`, `maxLateMs`, `latencyUs.p99`,
 * `uncorrectedLatencyUs.p99`, errors and timeouts), so that it may grow without breaking this.
 */
import { execa } from 'execa';
import { z } from 'zod';
import { loadCommandInNetns, workloadsMainPath } from '../../workloads/load/netns.js';
import type { Box, Scope } from './scope.js';

const p99 = z.looseObject({ p99: z.number() });
const loadJson = z.looseObject({
  requests: z.number(),
  late: z.number(),
  maxLateMs: z.number(),
  errors: z.number().optional(),
  timeouts: z.number().optional(),
  latencyUs: p99,
  uncorrectedLatencyUs: p99,
});
export type LoadFigures = z.infer<typeof loadJson>;

export interface Web {
  box: Box;
  port: number;
}

/** Starts `workload web` (16 MiB working set: quick to build, no memory pressure) and waits for its port. */
export async function startWeb(s: Scope): Promise<Web> {
  const box = await s.start('web', {}, [
    process.execPath,
    workloadsMainPath(),
    'workload',
    'web',
    '--working-set',
    '16MiB',
    '--port',
    '0',
  ]);
  const line = await s.until(
    'the web server ready line',
    async () => box.stdout(),
    (out) => {
      if (!box.alive()) throw new Error(`the web server exited: ${box.stderr().trim()}`);
      return /"type":"ready"/.test(out);
    },
  );
  const ready = JSON.parse(line.split('\n').find((l) => l.includes('"ready"')) ?? '{}') as { port?: number };
  if (!ready.port) throw new Error(`the web server's ready line has no port: ${line}`);
  return { box, port: ready.port };
}

/** One run of the generator against `web`; throws with its stderr when it fails. */
export async function generate(
  web: Web,
  o: { rateHz: number; durationMs: number; warmupMs?: number; connections?: number },
  signal: AbortSignal,
): Promise<LoadFigures> {
  const argv = [
    `http://127.0.0.1:${web.port}/`,
    '--rate',
    String(o.rateHz),
    '--duration',
    `${o.durationMs}ms`,
    '--warmup',
    `${o.warmupMs ?? 0}ms`,
    '--connections',
    String(o.connections ?? 16),
    '--json',
  ];
  const cmd = loadCommandInNetns(web.box.container.pid, argv, { userns: web.box.container.ids !== null });
  const r = await execa(cmd[0] as string, cmd.slice(1), {
    reject: false,
    stdin: 'ignore',
    cancelSignal: signal,
  });
  if (r.exitCode !== 0)
    throw new Error(`the load generator exited ${r.exitCode}: ${String(r.stderr).trim()}`);
  const parsed = loadJson.safeParse(JSON.parse(String(r.stdout).trim().split('\n').at(-1) ?? '{}'));
  if (!parsed.success)
    throw new Error(`the load generator's JSON lacks ${parsed.error.issues[0]?.path.join('.')}`);
  return parsed.data;
}
