/**
 * The isobench command line as commander parses it. Each command lives in its own module, imported
 * by its action when the command runs: building the program loads commander and a few constants,
 * not zod, the reports or the runner, so `--help` does not pay for what it never uses. cli.ts
 * loads this module for every command line but a plain `isobench exec` (exec-args.ts).
 */
import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';
import { LOAD_USAGE } from '../workloads/load/usage.js';
import { WORKLOAD_NAMES } from '../workloads/names.js';
import { formatError, UsageError } from './errors.js';
import { isobenchVersion } from './host/version.js';
import { LIMIT_KEYS } from './limits.js';

/**
 * commander through require(): its ESM entry is a wrapper that Node loads through the CommonJS
 * interop (parsing index.js for its exports), about 10 ms more at every start here (medians of
 * 21: 26 ms against 15 ms).
 */
export const { Command, CommanderError, Option } = createRequire(import.meta.url)(
  'commander',
) as typeof CommanderModule;

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The workload catalog, loaded before the program is built only when the command line names `workload` (its help lists every workload's parameters). */
export type Catalog = typeof import('../workloads/catalog.js');

export function buildProgram(catalog?: Catalog): CommanderModule.Command {
  const program = new Command('isobench')
    .description('Resource-isolation test harness and benchmark suite for Linux')
    .version(isobenchVersion())
    .enablePositionalOptions()
    .showHelpAfterError()
    // Subcommands inherit both (set before .command()): a bad option or command is bad input like
    // any other, `isobench: ISOBENCH_USAGE: ...` and exit 2 (commander's own is exit 1); main()
    // turns the CommanderError into the exit status, 0 for --help and --version.
    .exitOverride()
    .configureOutput({
      outputError: (text, write) =>
        write(formatError(new UsageError('ISOBENCH_USAGE', text.replace(/^error: /, '').trimEnd()))),
    });

  program
    .command('exec')
    .description('run COMMAND in a namespace + cgroup container with limits; exit with its status')
    .usage('[options] -- COMMAND [ARG]...')
    .argument('<command...>', 'the command and its arguments')
    .option('--name <name>', 'container name ([a-z0-9][a-z0-9_-]*), also its hostname', 'exec')
    .option(
      '--limit <key=value>',
      `a limit in cgroup v2 vocabulary, repeatable: ${LIMIT_KEYS.join(', ')}`,
      collect,
    )
    .option(
      '--io-path <dir>',
      "the container's data dir: its working directory, the one directory it may write, and the disk io limits apply to (default: the current directory)",
    )
    .option('--share-net', 'share the host network namespace instead of a new one with only lo')
    .option('--json', 'print one JSON object with limits and stats as the last line of stdout')
    .option('--json-file <path>', 'write that JSON object to a file instead')
    .option('--cgroup-parent <path>', "create the cgroup below this cgroup instead of below isobench's own")
    .option(
      '--privileged',
      "no containment: the host's files writable and every capability (by default the host is read-only but for the data dir, with no capabilities)",
    )
    .option(
      '--runtime <name>',
      'who starts the container and writes its limits: native (isobench-init), lxc (lxc-execute, lxc.cgroup.* keys) or oci (runc, or crun on cgroup v2; ISOBENCH_OCI_RUNTIME picks one)',
      'native',
    )
    .addOption(
      new Option('--kill-grace <seconds>', 'on SIGINT/SIGTERM, seconds before the whole cgroup is SIGKILLed')
        .default(10)
        .argParser(Number),
    )
    .passThroughOptions()
    .action(async (command: string[], opts) => {
      const { execMain } = await import('./exec.js');
      process.exitCode = await execMain(command, opts);
    });

  program
    .command('cleanup')
    .description('remove cgroups, processes and temp dirs left by isobench runs that died')
    .option('--dry-run', 'only list what would be removed')
    .option('--force', 'also remove what belongs to runs that are still alive')
    .option('--json', 'print what was found as JSON')
    .action(async (opts) => {
      const { cleanupMain } = await import('./cleanup.js');
      process.exitCode = await cleanupMain(opts);
    });

  program
    .command('doctor')
    .description(
      'prove with known answers that this host enforces what isobench measures; exit 0 all applicable checks pass, 1 one fails, 2 bad input',
    )
    .option('--json', 'print the record (every check, expected, measured, tolerance, verdict) as JSON')
    .option('--quick', 'only the checks that take seconds (under 30 s), with shorter windows')
    .option('--only <name>', 'run only this check, repeatable (names: see the README)', collect)
    .option('--io-path <path>', 'a directory on the disk the io checks use (default: the current directory)')
    .option('--cgroup-parent <path>', "create cgroups below this cgroup instead of below isobench's own")
    .action(async (opts) => {
      const { doctorMain } = await import('./doctor/main.js');
      process.exitCode = await doctorMain(opts);
    });

  program
    .command('run')
    .description(
      'run a scenario: solo baselines and co-located trials, interleaved; write the results folder; exit 0 every trial ok, 1 some failed, 2 bad input (nothing created), 125 isobench failed, 130 interrupted',
    )
    .argument('[file]', 'scenario file (default: scenarios/web-vs-db.yaml)')
    .option('--duration <d>', 'measured duration of each trial (e.g. 20s)')
    .option('--warmup <d>', 'warm-up of each trial')
    .option(
      '--repetitions <n>',
      'repetitions of each cell and phase (sequential: blocks before the first look)',
    )
    .option(
      '--precision <pct>',
      'sequential run: add repetition blocks until every primary interval is within ±pct of its estimate (with --variant: until every compare row is settled)',
    )
    .option('--max-repetitions <n>', 'sequential run: stop after this many blocks (default 3 x repetitions)')
    .option(
      '--time-budget <d>',
      'sequential run: start no block that would end after this wall time (e.g. 30m)',
    )
    .option('--set <path=value>', 'override any scenario field by its dotted path, repeatable', collect)
    .option(
      '--variant <name:path=value>',
      'run variants of the scenario interleaved, one results folder each (repeatable; NAME alone = as written)',
      collect,
    )
    .option(
      '--out <dir>',
      'results folder (default: results/<date>-<name>; with variants, one subfolder each)',
    )
    .option('--json', 'print the results folder and headline figures as JSON')
    .option('--shard <i/n>', 'run only the I-th of N shares of the planned trials')
    .option('--seed <n>', 'seed of the trial order (default: random, recorded)')
    .option('--ready-timeout <d>', 'how long a workload may take to print its ready line', '120s')
    .option(
      '--doctor',
      'first run the quick isobench doctor checks (under 30 s) and record them in results.json (also `doctor: true` in the scenario)',
    )
    .option('--cgroup-parent <path>', "create cgroups below this cgroup instead of below isobench's own")
    .action(async (file: string | undefined, o) => {
      const [{ runMain }, { writeReports }] = await Promise.all([
        import('./run/runner.js'),
        import('../reports/index.js'),
      ]);
      process.exitCode = await runMain(file, {
        ...o,
        afterFinish: async (dir: string) => {
          await writeReports(dir);
        },
      });
    });

  // Sensitivity profiles and pair prediction (harness/profile/).
  program
    .command('profile')
    .description(
      "a container's slowdown next to each antagonist dialled over intensities, and its own pressure footprint; writes profile.json and profile.html",
    )
    .argument('<file>', 'scenario file that defines the container')
    .requiredOption('--container <name>', 'the container to profile, as the scenario defines it')
    .option(
      '--antagonists <list>',
      'antagonists to run it next to (cpu, memory, io, fork)',
      'cpu,memory,io,fork',
    )
    .option('--intensities <list>', 'antagonist intensities in percent', '0,25,50,75,100')
    .option('--output <dir>', 'profile folder (default: results/<date>-profile-<container>)')
    .option('--duration <d>', 'measured duration of each trial')
    .option('--warmup <d>', 'warm-up of each trial')
    .option('--repetitions <n>', 'repetition blocks (6 or more for 95% slowdown intervals)')
    .option(
      '--set <path=value>',
      'override a field of the derived scenario by its dotted path, repeatable',
      collect,
    )
    .option('--seed <n>', 'seed of the trial order')
    .option('--ready-timeout <d>', 'how long a workload may take to print its ready line')
    .option('--cgroup-parent <path>', "create cgroups below this cgroup instead of below isobench's own")
    .option('--json', 'print the profile folder as JSON')
    .action(async (file: string, o) => {
      const { profileMain } = await import('./profile/main.js');
      process.exitCode = await profileMain(file, o);
    });

  program
    .command('predict')
    .description(
      "estimate each container's slowdown next to the other from two profiles; --validate runs the real pair and prints predicted vs measured",
    )
    .argument('<profileA>', 'profile folder or profile.json')
    .argument('<profileB>', 'profile folder or profile.json')
    .option('--metric <name>', "the metric to predict (default: each profile's primary metric)")
    .option('--validate <file>', 'run both containers from this scenario, solo and co-located, and compare')
    .option(
      '--measured <dir>',
      "compare with a results folder of the pair measured earlier (a --validate run's run/ folder) instead of running it",
    )
    .option(
      '--output <dir>',
      'where prediction.json and prediction.html go (default with --validate: results/<date>-predict-A-B)',
    )
    .option('--duration <d>', 'validation: measured duration of each trial')
    .option('--warmup <d>', 'validation: warm-up of each trial')
    .option('--repetitions <n>', 'validation: repetition blocks')
    .option('--set <path=value>', 'validation: override a field of the pair scenario, repeatable', collect)
    .option('--seed <n>', 'validation: seed of the trial order')
    .option('--ready-timeout <d>', 'validation: how long a workload may take to print its ready line')
    .option('--cgroup-parent <path>', "create cgroups below this cgroup instead of below isobench's own")
    .option('--json', 'print prediction.json')
    .action(async (a: string, b: string, o) => {
      const { predictMain } = await import('./profile/main.js');
      process.exitCode = await predictMain(a, b, o);
    });

  program
    .command('report')
    .description(
      "rebuild report.html and summary.md of a results folder from its results.json (and samples.csv); a killed run's missing results.json is first rebuilt from run.json and trials.jsonl (status interrupted)",
    )
    .argument('<dir>', 'results folder')
    .action(async (dir: string) => {
      const { rebuildResultsIfMissing } = await import('./results/rebuild.js');
      if (rebuildResultsIfMissing(dir))
        process.stderr.write(
          `isobench report: ${dir}: results.json was missing (a killed run): rebuilt from run.json and trials.jsonl, status interrupted\n`,
        );
      const { writeReports } = await import('../reports/index.js');
      const { htmlPath, markdownPath } = await writeReports(dir);
      process.stdout.write(`${htmlPath}\n${markdownPath}\n`);
    });

  program
    .command('validate')
    .description(
      'check a scenario file (syntax, types, limits, workloads) and print its plan, without running it',
    )
    .argument('[file]', 'scenario file', 'scenarios/web-vs-db.yaml')
    .option('--set <path=value>', 'override any scenario field by its dotted path, repeatable', collect)
    .option('--duration <d>', 'measured duration of each trial')
    .option('--warmup <d>', 'warm-up of each trial')
    .option('--repetitions <n>', 'repetitions of each cell and phase')
    .option('--precision <pct>', 'sequential run: the precision target (5% or 0.05)')
    .option('--max-repetitions <n>', 'sequential run: the most repetition blocks')
    .option('--time-budget <d>', 'sequential run: the wall-time budget')
    .option('--shard <i/n>', 'only the I-th of N shares of the planned trials')
    .action(async (file: string, o) => {
      const [{ validateMain }, { WORKLOAD_PARAMS }] = await Promise.all([
        import('./scenario/index.js'),
        import('../workloads/catalog.js'),
      ]);
      process.exitCode = await validateMain(file, { ...o, workloadParams: WORKLOAD_PARAMS });
    });

  program
    .command('compare')
    .description(
      'compare two results folders: a noise-aware verdict per metric; exit 0 ok, 1 regression, 3 inconclusive, 2 bad input',
    )
    .argument('<base>', 'results folder of the base run')
    .argument('<candidate>', 'results folder of the candidate run')
    .option('--threshold <pct>', 'no-change band around a ratio of 1 (5% or 0.05)', '5%')
    .option(
      '--metric <name>',
      'metric to compare (p50, p99, p99.9, goodput, errors, timeouts, commit-p50, commit-p99, commit-p99.9, tps, or p90, late, throughput, a full name), repeatable',
      collect,
    )
    .option(
      '--tail-min-samples <n>',
      'judge a tail percentile only when every trial has at least N values beyond it (default 100; 0 judges all)',
    )
    .option('--json', 'print the report as JSON')
    .option('--markdown <file>', 'also write a Markdown report (e.g. "$GITHUB_STEP_SUMMARY")')
    .option('--html <file>', 'also write a self-contained HTML report')
    .action(async (base: string, cand: string, o) => {
      const { compareMain } = await import('./compare/main.js');
      process.exitCode = await compareMain(base, cand, o);
    });

  program
    .command('tune')
    .description(
      'find the loosest settings of the knobs that keep a victim within its SLO next to its neighbours (bisection, coordinate search over several knobs; each point judged by sequential co-located trials); exit 0 a recommendation, 1 none, 2 bad input, 130 interrupted',
    )
    .argument('[file]', 'scenario file (default: scenarios/web-vs-db.yaml)')
    .option('--victim <container>', 'the container whose SLO is kept')
    .option(
      '--slo <metric op value>',
      "the victim's objective, such as 'latencyP99Us<=20ms' (or p99<=20ms, commitP99Us<5ms, txnPerSec>=500)",
    )
    .option(
      '--knob <path=lo..hi>',
      'a setting to search by its dotted path over a range, such as containers.db.limits.io.max.wbps=1MiB..200MiB, repeatable (higher is looser, lower for a limit on the victim; written HI..LO: the opposite)',
      collect,
    )
    .option('--budget <d>', 'wall time: start no point that would end after it (e.g. 30m)')
    .option('--max-points <n>', 'start no more than N points (a budget in points)')
    .option('--max-trials <n>', 'trials per point at most; unsettled after them (default 12)')
    .option('--min-trials <n>', 'trials per point before the first look (default 5)')
    .option('--resolution <pct>', "stop narrowing a knob's bracket at this width (default 10%)")
    .option(
      '--phase <name>',
      'the co-located phase to run (default: the one with the victim and the most containers)',
    )
    .option(
      '--cell <name>',
      "start every point from this scenario cell's settings (default: the base settings)",
    )
    .option('--set <path=value>', 'override any scenario field by its dotted path, repeatable', collect)
    .option('--duration <d>', 'measured duration of each trial')
    .option('--warmup <d>', 'warm-up of each trial')
    .option('--output <dir>', 'tune folder (default: results/<date>-<name>-tune)')
    .option('--seed <n>', 'seed of the trial plans (default 1)')
    .option('--dry-run', 'check everything and print the plan, start nothing')
    .option('--ready-timeout <d>', 'how long a workload may take to print its ready line', '120s')
    .option('--cgroup-parent <path>', "create cgroups below this cgroup instead of below isobench's own")
    .action(async (file: string | undefined, o) => {
      const [{ tuneMain }, { writeTuneReport }, { DEFAULT_SCENARIO }] = await Promise.all([
        import('./tune/main.js'),
        import('../reports/tune.js'),
        import('./run/runner.js'),
      ]);
      process.exitCode = await tuneMain(file ?? DEFAULT_SCENARIO, {
        ...o,
        afterFinish: async (dir: string) => {
          await writeTuneReport(dir);
        },
      });
    });

  program
    .command('merge')
    .description('join shard folders (run --shard I/N) into one results folder')
    .argument('<dirs...>', 'shard results folders')
    .requiredOption('--out <dir>', 'merged results folder (must not exist or be empty)')
    .action(async (dirs: string[], o) => {
      const { mergeMain } = await import('./merge/main.js');
      process.exitCode = await mergeMain(dirs, o);
    });

  program
    .command('bench')
    .description(
      "isobench's own benchmark suite: each cost of the harness against a peer measured in the same run, goals pass/fail; writes bench.json",
    )
    .option('--json', 'print bench.json (and the baseline comparison) as one JSON line instead of the table')
    .option(
      '--only <name>',
      'run only this benchmark, repeatable (startup, container, cgroup, sampler, trial, report, load)',
      collect,
    )
    .option('--iterations <n>', 'samples per task (default 30; fewer for a quick look)')
    .option(
      '--baseline <file>',
      "compare with an earlier bench.json; exit 1 when a ratio to its peer got worse beyond both 20% and twice the runs' own spread",
    )
    .option('--out <file>', 'where to write bench.json (default: ./bench.json)')
    .action(async (o) => {
      const { benchMain } = await import('./bench/main.js');
      process.exitCode = await benchMain(o);
    });

  program
    .command('workload')
    .description(
      `run a workload in the foreground (the entry the runner uses inside containers): ${WORKLOAD_NAMES.join(', ')}`,
    )
    .usage('NAME [--PARAM VALUE]...')
    .argument('<name>', 'workload name')
    .argument('[params...]', "the workload's parameters")
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .addHelpText('after', () =>
      catalog
        ? `\n${WORKLOAD_NAMES.map((n) => `${n}:\n${catalog.describeWorkloadParams(n)}`).join('\n')}`
        : '',
    )
    .action(async (name: string, params: string[]) => {
      if (name === '--help' || name === '-h') {
        program.commands.find((c) => c.name() === 'workload')?.outputHelp();
        return;
      }
      const { workloadMain } = catalog ?? (await import('../workloads/catalog.js'));
      process.exitCode = await workloadMain(name, params);
    });

  program
    .command('load')
    .description('open-loop HTTP load generator (coordinated-omission corrected)')
    .usage(LOAD_USAGE.replace(/^isobench load /, ''))
    .argument('[args...]', 'URL and options')
    .helpOption(false)
    .allowUnknownOption()
    .passThroughOptions()
    .action(async (args: string[]) => {
      const { loadMain } = await import('../workloads/load/cli.js');
      process.exitCode = await loadMain(args);
    });

  return program;
}
