/**
 * `isobench exec`'s command line parsed without commander, for the common case only: known
 * options, each with its value, then the command. Loading commander and building every
 * subcommand's help costs each `isobench exec` (and every container a runner starts that way)
 * more than the container itself (issue 15: start-up). Anything else (--help, an unknown or
 * incomplete option, no command) returns null, and commander parses it as before, with its own
 * messages. exec-args.test.ts checks that both parses agree on every line this one accepts.
 */
import type { ExecOptions } from './exec.js';

/** Options that take a value (`--name VALUE` or `--name=VALUE`), by their flag. */
const VALUED: Record<string, (opts: ExecOptions, v: string) => void> = {
  '--name': (o, v) => {
    o.name = v;
  },
  '--limit': (o, v) => {
    o.limit = [...(o.limit ?? []), v];
  },
  '--io-path': (o, v) => {
    o.ioPath = v;
  },
  '--json-file': (o, v) => {
    o.jsonFile = v;
  },
  '--cgroup-parent': (o, v) => {
    o.cgroupParent = v;
  },
  '--runtime': (o, v) => {
    o.runtime = v;
  },
  '--kill-grace': (o, v) => {
    o.killGrace = Number(v);
  },
};

const FLAGS: Record<string, keyof ExecOptions> = {
  '--share-net': 'shareNet',
  '--json': 'json',
  '--privileged': 'privileged',
};

/**
 * `args`: what follows `exec`. The options as commander's exec command gives them (its defaults
 * included) and the command, or null when commander must parse the line.
 */
export function parseExecArgs(args: string[]): { command: string[]; opts: ExecOptions } | null {
  const opts: ExecOptions = { name: 'exec', runtime: 'native', killGrace: 10 };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      i++;
      break;
    }
    // The first argument that is not an option starts the command (commander's passThroughOptions).
    if (arg.length < 2 || !arg.startsWith('-')) break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const valued = VALUED[flag];
    if (valued) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) return null;
      valued(opts, value);
      continue;
    }
    const key = FLAGS[arg];
    if (!key) return null;
    (opts as Record<string, unknown>)[key] = true;
  }
  const command = args.slice(i);
  return command.length > 0 ? { command, opts } : null;
}
