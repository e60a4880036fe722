/**
 * The parts of a trial started alone, as plain processes (no container, no cgroup): a workload
 * from spawn to its ready line and on to its exit after SIGTERM, and the load generator from
 * spawn to its exit after a 1 ms schedule against a local server. Their sum is what a trial
 * cannot avoid; the rest of a trial's wall time is the harness's.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { workloadsMainPath } from '../../workloads/index.js';
import { runToEnd } from './spawn.js';

/** Starts `main.js workload ...`, waits for its ready line, stops it and waits for its exit. */
export async function workloadStartStop(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [workloadsMainPath(), 'workload', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  let ready = false;
  for await (const line of lines) {
    if (line.includes('"type":"ready"')) {
      ready = true;
      break;
    }
  }
  child.kill('SIGTERM');
  child.stdout.resume();
  const [code] = await exited;
  if (!ready || code !== 0)
    throw new Error(`workload ${args.join(' ')}: ${ready ? `exit ${code}` : 'no ready line'}`);
}

export async function localServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The generator process from spawn to exit, sending for 1 ms at the default scenario's rate. */
export function generatorStartStop(url: string): Promise<string> {
  return runToEnd(process.execPath, [
    workloadsMainPath(),
    'load',
    url,
    '--rate',
    '1000',
    '--duration',
    '1ms',
    '--warmup',
    '0s',
    '--connections',
    '16',
    '--json',
  ]);
}
