/**
 * The fast parse of `isobench exec` (exec-args.ts) against commander's (program.ts): on every line
 * the fast parse takes, both give exec the same command and options; every line it leaves to
 * commander is one commander refuses, or answers with help, or parses its own way.
 */
import { describe, expect, it } from 'vitest';
import type { ExecOptions } from './exec.js';
import { parseExecArgs } from './exec-args.js';
import { buildProgram, CommanderError } from './program.js';

/** What commander's exec command would call execMain with, or the CommanderError it raised. */
function viaCommander(args: string[]): { command: string[]; opts: ExecOptions } | { error: string } {
  const program = buildProgram();
  program.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  const exec = program.commands.find((c) => c.name() === 'exec');
  if (!exec) throw new Error('no exec command');
  exec.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
  let got: { command: string[]; opts: ExecOptions } | null = null;
  exec.action((command: string[], opts: ExecOptions) => {
    got = { command, opts: { ...opts } };
  });
  try {
    program.parse(['node', 'isobench', 'exec', ...args]);
  } catch (err) {
    if (err instanceof CommanderError) return { error: err.code };
    throw err;
  }
  if (!got) throw new Error(`commander did not call exec for ${args.join(' ')}`);
  return got;
}

const TAKEN = [
  ['--', 'true'],
  ['true'],
  ['sh', '-c', 'exit 3'],
  ['--name', 'web', '--', 'true', '--json'],
  ['--name=web', 'true'],
  ['--name=', 'true'],
  ['--limit', 'cpu.weight=100', '--limit=memory.max=64MiB', '--limit', 'pids.max=10', '--', 'true'],
  ['--io-path', '/tmp', '--json', '--', 'ls', '-l'],
  ['--json-file', '/tmp/x.json', '--share-net', '--privileged', 'true'],
  ['--cgroup-parent', '/a/b', '--runtime', 'lxc', '--', 'true'],
  ['--kill-grace', '2.5', '--', 'true'],
  ['--kill-grace', 'soon', '--', 'true'],
  ['--name', '--json', 'true'],
  ['--json', '--json', '--name', 'a', '--name', 'b', 'true'],
  ['true', '--help'],
  ['true', '--', 'x'],
  ['--', '--help'],
  ['--', '-x'],
  ['-', 'x'],
];

const LEFT = [
  [],
  ['--'],
  ['--json'],
  ['--help'],
  ['-h'],
  ['--name'],
  ['--frob', 'true'],
  ['--json=1', 'true'],
  ['-5'],
  ['--name', 'x', '--help', '--', 'true'],
];

describe('parseExecArgs', () => {
  it('gives exec what commander gives it, defaults included', () => {
    for (const args of TAKEN) {
      const fast = parseExecArgs(args);
      expect(fast, args.join(' ')).not.toBeNull();
      expect(fast, args.join(' ')).toEqual(viaCommander(args));
    }
  });

  it('leaves help, unknown and incomplete lines to commander', () => {
    for (const args of LEFT) expect(parseExecArgs(args), args.join(' ')).toBeNull();
    // Commander refuses or answers these itself (help exits through a CommanderError too).
    for (const args of LEFT.filter((a) => a[0] !== '-5'))
      expect(viaCommander(args), args.join(' ')).toHaveProperty('error');
  });
});
