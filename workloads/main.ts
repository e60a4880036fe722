#!/usr/bin/env node
/**
 * The entry of the processes the runner starts, lighter than the harness CLI:
 *   node dist/workloads/main.js workload NAME [--PARAM VALUE]...
 *   node dist/workloads/main.js load URL --rate HZ --duration D ...
 * It imports only the workload it runs (or the load generator): every workload and generator
 * process of every trial pays its start-up.
 */
import { formatError, IsobenchError } from '../harness/errors.js';
import { workloadMain } from './catalog.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'workload' && rest[0] !== undefined) return workloadMain(rest[0], rest.slice(1));
  if (command === 'load') return (await import('./load/cli.js')).loadMain(rest);
  process.stderr.write(
    'usage: main.js workload NAME [--PARAM VALUE]... | main.js load URL --rate HZ --duration D ...\n',
  );
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: workers, sockets or a postgres child must not keep us alive after metrics.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(
      err instanceof IsobenchError
        ? formatError(err)
        : `isobench: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(err instanceof IsobenchError ? err.exitCode : 1);
  },
);
