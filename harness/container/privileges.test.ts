import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
/**
 * The pure parts of containment and rootless runs: isobench-init's command line, capability
 * masks, /etc/subuid parsing, and the common ancestor a rootless migration needs to own.
 */
import { describe, expect, it } from 'vitest';
import { commonAncestor } from '../cgroup/delegation.js';
import { capabilityMask } from './capabilities.js';
import { initArgs } from './spawn.js';
import { describeMapping, subordinateRange } from './userns.js';

describe('initArgs', () => {
  const procs = ['/sys/fs/cgroup/isobench-x-web/cgroup.procs'];
  it('contained: the data dirs and the kept capabilities (by number), no --privileged', () => {
    const args = initArgs(
      procs,
      'db',
      { command: ['postgres'], writable: ['/data/db'], capabilities: ['chown', 'setuid'] },
      null,
    );
    // isobench's own root and node's directory, bound back read-only if a private /tmp hides them.
    const visible = args.flatMap((a, i) => (a === '--visible' ? [args[i + 1]] : []));
    expect(visible).toContain(dirname(realpathSync(process.execPath)));
    expect(visible.some((d) => existsSync(join(d as string, 'package.json')))).toBe(true);
    expect(args).toEqual([
      '--cgroup-procs',
      procs[0],
      '--hostname',
      'db',
      '--writable',
      '/data/db',
      ...args.slice(args.indexOf('--visible'), args.indexOf('--cap')),
      '--cap',
      '0',
      '--cap',
      '7',
      '--',
      'postgres',
    ]);
  });

  it('privileged: neither data dirs nor capabilities are passed, everything stays', () => {
    const args = initArgs(
      procs,
      'web',
      { command: ['true'], privileged: true, writable: ['/data'], capabilities: ['chown'] },
      null,
    );
    expect(args).toContain('--privileged');
    expect(args).not.toContain('--writable');
    expect(args).not.toContain('--cap');
    expect(args).not.toContain('--visible');
  });

  it('rootless: a user namespace with the maps, and the helpers only for subordinate ranges', () => {
    const single = {
      uid: [{ inside: 0, outside: 1000, count: 1 }],
      gid: [{ inside: 0, outside: 100, count: 1 }],
    };
    const a = initArgs(procs, 'web', { command: ['true'] }, { ...single, helpers: null });
    expect(a.slice(a.indexOf('--userns'), a.indexOf('--'))).toEqual([
      '--userns',
      '--uid-map',
      '0:1000:1',
      '--gid-map',
      '0:100:1',
    ]);
    const ranges = {
      uid: [...single.uid, { inside: 1, outside: 100000, count: 65536 }],
      gid: [...single.gid, { inside: 1, outside: 100000, count: 65536 }],
      helpers: { newuidmap: '/usr/bin/newuidmap', newgidmap: '/usr/bin/newgidmap' },
    };
    const b = initArgs(procs, 'web', { command: ['true'] }, ranges);
    expect(b).toContain('1:100000:65536');
    expect(b.slice(b.indexOf('--newuidmap'), b.indexOf('--'))).toEqual([
      '--newuidmap',
      '/usr/bin/newuidmap',
      '--newgidmap',
      '/usr/bin/newgidmap',
    ]);
    expect(describeMapping(ranges).uidMap).toEqual(['0 1000 1', '1 100000 65536']);
  });
});

describe('capabilityMask', () => {
  it('is the CapEff notation of /proc/PID/status', () => {
    expect(capabilityMask([])).toBe('0000000000000000');
    expect(capabilityMask(['chown', 'dac_read_search', 'setgid', 'setuid'])).toBe('00000000000000c5');
    expect(capabilityMask(['sys_admin'])).toBe('0000000000200000');
  });
});

describe('subordinateRange', () => {
  const text = 'alice:100000:65536\n1001:165536:65536\n\nbroken:x:1\nzero:200000:0\n';
  it('finds a user by name or by uid, first range only', () => {
    expect(subordinateRange(text, 'alice', 1000)).toEqual({ start: 100000, count: 65536 });
    expect(subordinateRange(text, null, 1001)).toEqual({ start: 165536, count: 65536 });
  });
  it('ignores malformed and empty ranges', () => {
    expect(subordinateRange(text, 'broken', 5)).toBeNull();
    expect(subordinateRange(text, 'zero', 6)).toBeNull();
    expect(subordinateRange(text, 'bob', 1002)).toBeNull();
  });
});

describe('commonAncestor', () => {
  it('is the deepest cgroup containing both paths', () => {
    expect(commonAncestor('/user.slice/a/b', '/user.slice/a/c')).toBe('/user.slice/a');
    expect(commonAncestor('/a', '/a/b')).toBe('/a');
    expect(commonAncestor('/a', '/b')).toBe('/');
  });
});
