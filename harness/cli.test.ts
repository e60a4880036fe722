/**
 * What users hit at the command line, as real processes: bad commands and options, a busy port,
 * a hostile scenario. Each is one `isobench: CODE: ...` line and exit 2, never "internal error".
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CLI, CLI_ESM, isobench, itWhen, ROOT } from './testing/support.js';

const it = itWhen(existsSync(CLI) ? null : 'dist/harness/isobench.cjs is not built (npm run build)');
const MAIN_JS = join(ROOT, 'dist/workloads/main.js');
const LAUGHS = 'harness/scenario/testdata/bad/billion-laughs.yaml';
const ZERO = 'harness/scenario/testdata/bad/zero-duration.yaml';

/** stderr as lines, after checking it is an isobench error and not a crash. */
function errorLines(stderr: string): string[] {
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
  return stderr.trimEnd().split('\n');
}

describe('the command line refuses bad input with exit 2', () => {
  it('an unknown command or option, or no command at all', async () => {
    const command = await isobench(['frobnicate']);
    expect(command.exitCode).toBe(2);
    expect(errorLines(command.stderr)[0]).toBe("isobench: ISOBENCH_USAGE: unknown command 'frobnicate'");
    const option = await isobench(['validate', '--frob']);
    expect(option.exitCode).toBe(2);
    expect(errorLines(option.stderr)[0]).toBe("isobench: ISOBENCH_USAGE: unknown option '--frob'");
    const missing = await isobench(['merge', 'a']);
    expect(missing.exitCode).toBe(2);
    expect(errorLines(missing.stderr)[0]).toMatch(/^isobench: ISOBENCH_USAGE: required option '--out <dir>'/);
    expect((await isobench([])).exitCode).toBe(2);
  });

  it("predict --validate takes run's --ready-timeout, and refuses a bad one before reading anything", async () => {
    const r = await isobench(['predict', 'no-a', 'no-b', '--validate', 'no.yaml', '--ready-timeout', 'soon']);
    expect(r.exitCode).toBe(2);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('--ready-timeout');
    expect(r.stderr).not.toContain('unknown option');
  });

  it('while --help and --version still exit 0', async () => {
    const help = await isobench(['--help']);
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: isobench /);
    const version = await isobench(['--version']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatchObject({ exitCode: 0, stdout: pkg.version });
    for (const args of [
      ['exec', '--help'],
      ['load', '--help'],
      ['help', 'workload'],
    ]) {
      const r = await isobench(args);
      expect(r.exitCode, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/Usage: isobench/);
    }
  });

  it('a trial duration of 0: validate and run refuse it alike, naming the minimum; nothing created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isobench-cli-'));
    const minimum = 'expected at least 1ms (the measured part of a trial cannot be empty)';
    try {
      for (const args of [
        ['validate', ZERO],
        ['run', ZERO, '--out', join(dir, 'out')],
      ]) {
        const r = await isobench(args);
        expect(r.exitCode, r.stderr).toBe(2);
        expect(errorLines(r.stderr)).toEqual([
          `isobench: ISOBENCH_SCENARIO_INVALID: ${ZERO}:3:11 duration: ${minimum}, got "0s"`,
        ]);
      }
      expect(existsSync(join(dir, 'out'))).toBe(false);
      const flag = await isobench(['validate', 'scenarios/web-vs-db.yaml', '--duration', '0s']);
      expect(flag.exitCode, flag.stderr).toBe(2);
      expect(errorLines(flag.stderr)).toEqual([
        `isobench: ISOBENCH_SCENARIO_INVALID: --duration: ${minimum}, got "0s"`,
      ]);
      expect((await isobench(['validate', 'scenarios/web-vs-db.yaml', '--duration', '1ms'])).exitCode).toBe(
        0,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a plain exec line with a bad value: the same one line and exit 2 from isobench and from cli.js', async () => {
    // Both entries run such a line from exec.bundle.cjs (exec-line.ts), which reports its own errors.
    for (const entry of [CLI, CLI_ESM]) {
      const name = await execa(process.execPath, [entry, 'exec', '--name', 'Bad', '--', 'true'], {
        reject: false,
      });
      expect(name.exitCode, `${entry}: ${name.stderr}`).toBe(2);
      expect(errorLines(name.stderr)).toEqual([
        'isobench: ISOBENCH_BAD_NAME: --name "Bad": container names must match [a-z0-9][a-z0-9_-]*',
      ]);
      const limit = await execa(process.execPath, [entry, 'exec', '--limit', 'cpu.weight=0', '--', 'true'], {
        reject: false,
      });
      expect(limit.exitCode, `${entry}: ${limit.stderr}`).toBe(2);
      expect(errorLines(limit.stderr)).toEqual([
        expect.stringMatching(/^isobench: ISOBENCH_BAD_LIMIT: .*"0"/),
      ]);
    }
  });

  it('a billion-laughs scenario: one line at the alias, nothing created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isobench-cli-'));
    try {
      for (const args of [
        ['validate', LAUGHS],
        ['run', LAUGHS, '--out', join(dir, 'out')],
      ]) {
        const r = await isobench(args);
        expect(r.exitCode, r.stderr).toBe(2);
        const lines = errorLines(r.stderr);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(
            `^isobench: ISOBENCH_SCENARIO_INVALID: ${LAUGHS}:16:11 laughs\\.9\\.0: .*billion laughs`,
          ),
        );
      }
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the web workload on a port it cannot have', () => {
  let taken: Server;
  let port = 0;
  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('a busy port: one line naming it, exit 2, from the CLI and from the runner entry', async () => {
    const args = ['workload', 'web', '--port', String(port), '--working-set', '1MiB'];
    const viaCli = await isobench(args, { timeoutMs: 30_000 });
    const viaMain = await execa(process.execPath, [MAIN_JS, ...args], { reject: false, timeout: 30_000 });
    for (const r of [viaCli, viaMain]) {
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stdout).toBe(''); // no ready line
      const lines = errorLines(r.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^isobench: ISOBENCH_PORT_IN_USE: workload web: .*--port ${port} \\(EADDRINUSE\\)`),
      );
    }
  });

  it('an address that is not on this host: ISOBENCH_LISTEN, exit 2', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
    const r = await isobench(['workload', 'web', '--host', '192.0.2.1', '--port', '0'], {
      timeoutMs: 30_000,
    });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringMatching(/^isobench: ISOBENCH_LISTEN: .*EADDRNOTAVAIL/),
    ]);
  });
});
