import { connect } from 'node:net';
import { afterEach, beforeAll, describe, expect } from 'vitest';
import { itWhen, missingRoot } from '../../harness/testing/support.js';
import { ensureBuilt, MAIN_JS, type Running, startProcess } from '../test/helpers.js';
import { GENERATOR_NODE_FLAGS, loadCommandInNetns } from './netns.js';
import type { LoadResult } from './run.js';

let server: Running | undefined;
const whenRoot = itWhen(missingRoot());

beforeAll(() => ensureBuilt());
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('loadCommandInNetns', () => {
  whenRoot('reaches a server that listens on 127.0.0.1 inside a network namespace we created', async () => {
    // unshare execs sh, which execs node: the pid we get is the server's, inside the new netns.
    server = startProcess([
      'unshare',
      '--net',
      'sh',
      '-c',
      `ip link set lo up && exec "${process.execPath}" "${MAIN_JS}" workload web --port 0 --working-set 4MiB --touch-bytes 4KiB`,
    ]);
    const ready = await server.ready;
    const url = `http://127.0.0.1:${ready.port}/`;

    // From our own namespace the port is not there: the server really is elsewhere.
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(Number(ready.port), '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');

    const argv = loadCommandInNetns(server.pid, [url, '--rate', '100', '--duration', '1s', '--json']);
    expect(argv.slice(0, 3)).toEqual(['nsenter', `--net=/proc/${server.pid}/ns/net`, '--']);
    // The generator's Node flags come before the script (after it they would be its arguments).
    expect(argv.slice(3, 4 + GENERATOR_NODE_FLAGS.length)).toEqual([
      process.execPath,
      ...GENERATOR_NODE_FLAGS,
    ]);
    const gen = startProcess(argv);
    const { code, lines } = await gen.stop('SIGCONT'); // harmless signal: just wait for exit
    expect(code).toBe(0);
    const result = lines.find((l) => l.type === 'result') as unknown as LoadResult;
    expect(result.requests).toBe(100);
    expect(result.completed).toBe(100);
    expect(result.errors).toBe(0);
  });
});
