import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { watchOutput } from './lines.js';

const line = (o: unknown) => `${JSON.stringify(o)}\n`;

describe('watchOutput: the port a served workload listens on', () => {
  test('from the listening line, before the ready line', async () => {
    const out = new PassThrough();
    const w = watchOutput(out, null);
    out.write('starting\n');
    out.write(line({ type: 'listening', workload: 'web', pid: 7, port: 40123 }));
    expect(await w.listening).toBe(40123);
    out.write(line({ type: 'ready', workload: 'web', pid: 7, port: 40123 }));
    expect((await w.ready).port).toBe(40123);
    expect(w.protocolError()).toBeNull();
  });

  test('from the ready line when the workload prints no listening line; null when it has no port', async () => {
    const a = new PassThrough();
    const wa = watchOutput(a, null);
    a.write(line({ type: 'ready', workload: 'x', pid: 1, port: 8080 }));
    expect(await wa.listening).toBe(8080);
    const b = new PassThrough();
    const wb = watchOutput(b, null);
    b.write(line({ type: 'ready', workload: 'x', pid: 1 }));
    expect(await wb.listening).toBeNull();
  });

  test('null when stdout closes first; a malformed listening line is a protocol error', async () => {
    const a = new PassThrough();
    const wa = watchOutput(a, null);
    a.end();
    expect(await wa.listening).toBeNull();
    const b = new PassThrough();
    const wb = watchOutput(b, null);
    b.write(line({ type: 'listening', workload: 'web', pid: 1, port: 'x' }));
    b.end();
    expect(await wb.listening).toBeNull();
    expect(wb.protocolError()).toMatch(/^listening line: port/);
  });
});
